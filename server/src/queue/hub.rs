use tokio::sync::broadcast;

use app::api::{ScheduleView, ServerMessage};

use super::Task;

/// Fans task and schedule changes out to every websocket. Slow subscribers
/// that fall behind get `Lagged` and resync from a fresh snapshot, so the
/// channel can stay small.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<ServerMessage>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        EventHub { sender }
    }
}

impl EventHub {
    pub fn publish(&self, task: Task) {
        // No subscribers is fine: nobody is watching.
        let _ = self.sender.send(ServerMessage::Task {
            task: Box::new(task),
        });
    }

    pub fn publish_schedule(&self, schedule: ScheduleView) {
        let _ = self.sender.send(ServerMessage::Schedule { schedule });
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ServerMessage> {
        self.sender.subscribe()
    }
}
