use serde::{Deserialize, Serialize};

use super::{ScheduleView, TaskView};

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
    },
    Task {
        task: Box<TaskView>,
    },
    /// A schedule was made, ran, or was stopped.
    Schedule {
        schedule: ScheduleView,
    },
}
