use serde::{Deserialize, Serialize};

use super::{AlertView, ScheduleView, TaskView};

/// Messages the server pushes over `/api/events`.
///
/// A new connection first receives one `Snapshot` of the current tasks, then
/// `Task` and `Schedule` deltas. A client that reconnects simply starts over with a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    Snapshot {
        tasks: Vec<TaskView>,
        #[serde(default)]
        schedules: Vec<ScheduleView>,
        /// Alerts nobody has dismissed yet.
        #[serde(default)]
        alerts: Vec<AlertView>,
    },
    Task {
        task: Box<TaskView>,
    },
    /// A schedule was made, ran, or was stopped.
    Schedule {
        schedule: ScheduleView,
    },
    /// An alert was raised, or dismissed (`dismissed_at` set).
    Alert {
        alert: AlertView,
    },
}
