use tokio::sync::{broadcast, mpsc};

use app::api::{ScheduleView, ServerMessage};

use crate::store::Task;

/// What changed, as told to the other nodes sharing the database
/// ([`crate::cluster`]): they read the thing itself from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Task(i64),
    Schedule(i64),
    /// Raised or dismissed.
    Alert(i64),
    Rules,
}

/// Fans task and schedule changes out to every websocket. Slow subscribers
/// that fall behind get `Lagged` and resync from a fresh snapshot, so the
/// channel can stay small. With a relay, changes made here are also passed
/// to the other nodes, whose browsers see them the same way.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<ServerMessage>,
    relay: Option<mpsc::UnboundedSender<Change>>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(1024);
        EventHub {
            sender,
            relay: None,
        }
    }
}

impl EventHub {
    /// A hub that also hands every change made on this node to `relay`.
    pub fn with_relay(relay: mpsc::UnboundedSender<Change>) -> EventHub {
        EventHub {
            relay: Some(relay),
            ..EventHub::default()
        }
    }

    pub fn publish(&self, task: Task) {
        self.relay(Change::Task(task.id));
        self.publish_here(ServerMessage::Task {
            task: Box::new(task),
        });
    }

    pub fn publish_schedule(&self, schedule: ScheduleView) {
        self.relay(Change::Schedule(schedule.id));
        self.publish_here(ServerMessage::Schedule { schedule });
    }

    /// An alert was raised or dismissed here: every node's browsers show it.
    pub fn publish_alert(&self, alert: app::api::AlertView) {
        self.relay(Change::Alert(alert.id));
        self.publish_here(ServerMessage::Alert { alert });
    }

    /// The routing rules changed on this node.
    pub fn rules_changed(&self) {
        self.relay(Change::Rules);
    }

    /// To this node's browsers only: for changes that came from another node.
    pub fn publish_here(&self, message: ServerMessage) {
        // No subscribers is fine: nobody is watching.
        let _ = self.sender.send(message);
    }

    fn relay(&self, change: Change) {
        if let Some(relay) = &self.relay {
            let _ = relay.send(change);
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ServerMessage> {
        self.sender.subscribe()
    }
}
