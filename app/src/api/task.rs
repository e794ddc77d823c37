use serde::{Deserialize, Serialize};

/// The states a task moves through. The transitions are enforced server-side
/// (`server/src/store/state.rs` documents them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 5] = [
        TaskState::Queued,
        TaskState::Running,
        TaskState::Succeeded,
        TaskState::Failed,
        TaskState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Running => "running",
            TaskState::Succeeded => "succeeded",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|state| state.as_str() == s)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Succeeded | TaskState::Failed | TaskState::Cancelled
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProgressView {
    pub files_done: u64,
    /// `None` while not known yet: a backup counts the files as it walks.
    #[serde(default)]
    pub files_total: Option<u64>,
    pub bytes_done: u64,
    pub bytes_total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: i64,
    pub workflow: String,
    pub summary: String,
    pub state: TaskState,
    pub progress: ProgressView,
    /// Workflow parameters as stored (JSON object).
    pub parameters: serde_json::Value,
    /// Human message when the task failed or finished with problems.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Human summary of the outcome once terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    pub attempt: i64,
    pub cancel_requested: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// Increases with every change; lets clients drop stale updates.
    pub revision: i64,
}
