use serde::{Deserialize, Serialize};

/// The states a task moves through. The transitions are enforced server-side
/// (`server/src/store/state.rs` documents them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    #[default]
    Queued,
    /// Held back until what it waits for ends: a task it depends on, or a
    /// running task holding one of its paths (`TaskView::waiting_for`).
    Waiting,
    Running,
    /// An attempt failed with a transient error; the next runs at `run_at`.
    Retrying,
    Succeeded,
    Failed,
    Cancelled,
}

impl TaskState {
    pub const ALL: [TaskState; 7] = [
        TaskState::Queued,
        TaskState::Waiting,
        TaskState::Running,
        TaskState::Retrying,
        TaskState::Succeeded,
        TaskState::Failed,
        TaskState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Queued => "queued",
            TaskState::Waiting => "waiting",
            TaskState::Running => "running",
            TaskState::Retrying => "retrying",
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

/// How soon a task should run. Tasks are claimed by priority with aging
/// (`server/src/store/order.rs`): the longer one waits, the sooner it
/// comes, so a low task is never starved. A running task is never stopped
/// for a more urgent one.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Urgent,
    #[default]
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 3] = [Priority::Urgent, Priority::Normal, Priority::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Urgent => "urgent",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        let s = s.trim().to_ascii_lowercase();
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// 0 for urgent, 1 for normal, 2 for low: how many aging steps behind
    /// an urgent task of the same age it starts.
    pub fn rank(self) -> i64 {
        self as i64
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

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
    /// When the current or last attempt started (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// Not claimed before this (Unix ms): a retrying task's next attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_at: Option<i64>,
    /// The node running it, or that ran its last attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// Its own time limit ("give up after 2 hours"), seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<i64>,
    /// The task this one runs again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_of: Option<i64>,
    #[serde(default)]
    pub priority: Priority,
    /// Tasks that must succeed before this one starts ("A, then B").
    #[serde(default)]
    pub depends_on: Vec<i64>,
    /// What a `waiting` task waits for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for: Option<WaitingFor>,
    /// Every attempt, oldest first: filled in for one task
    /// (`GET /api/tasks/{id}`), empty in lists.
    #[serde(default)]
    pub attempts: Vec<AttemptView>,
    /// Who confirmed it: a user's name, "admin token" or "local"; `None`
    /// for a schedule's runs and tasks from before users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_by: Option<String>,
}

/// What holds a `waiting` task back: a task it depends on (no path), or a
/// running task holding one of its paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingFor {
    pub task_id: i64,
    /// The path the other task holds, for a path lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl WaitingFor {
    /// "waiting for #12 (/srv/photos)", "waiting for #12 to succeed".
    pub fn describe(&self) -> String {
        match &self.path {
            Some(path) => format!("waiting for #{} ({path})", self.task_id),
            None => format!("waiting for #{} to succeed", self.task_id),
        }
    }
}

/// One attempt at a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    pub attempt: i64,
    /// When it started (Unix ms).
    pub at: i64,
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<i64>,
    /// succeeded, failed, retrying, cancelled, released, interrupted; none
    /// while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
