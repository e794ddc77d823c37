use tokio::sync::broadcast;

use super::Task;

/// Fans task changes out to every websocket. Slow subscribers that fall
/// behind get `Lagged` and resync from a fresh snapshot, so the channel can
/// stay small.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Task>,
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
        let _ = self.sender.send(task);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Task> {
        self.sender.subscribe()
    }
}
