//! The task history: filtered pages of tasks, a task's log page by page,
//! actions on many tasks at once, and the figures the Tasks page charts.

use serde::{Deserialize, Serialize};

use super::TaskView;

/// `GET /api/tasks` query: every field optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskQuery {
    /// One state or several, comma-separated (`failed`, `queued,waiting`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// One workflow or several, comma-separated (`backup`, `sync,cleanup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow: Option<String>,
    /// Words the summary or parameters contain (a path, a name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Only tasks with a smaller id: the next page after the last one seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    /// Only tasks made at or after this (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// At most this many (default 100, at most 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
}

/// One line of a task's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEventView {
    /// Increases with every line: the paging key.
    pub id: i64,
    pub at: i64,
    /// `state`, `info`, `warning`, `file_error`.
    pub kind: String,
    pub message: String,
}

/// `GET /api/tasks/{id}/events?before=&limit=` answer: the newest lines
/// first when paged, oldest first without `limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEventsPage {
    pub task_id: i64,
    pub events: Vec<TaskEventView>,
    /// Pass as `before` for the page of older lines; none when this was
    /// the oldest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// `POST /api/tasks/cancel` and `POST /api/tasks/retry` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest {
    pub ids: Vec<i64>,
}

/// What happened to one task of a bulk action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkOutcome {
    pub id: i64,
    pub ok: bool,
    /// Why it was refused ("Task #3 has succeeded: …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The task as it is now: the new task, for a retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResponse {
    pub results: Vec<BulkOutcome>,
}

/// `GET /api/stats?days=7`: what the Tasks page charts, from the server's
/// own history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsView {
    /// The first hour covered (Unix ms, on the hour).
    pub since: i64,
    /// Tasks that ended in each hour, by outcome, oldest first; every hour
    /// is there, empty ones too.
    pub hours: Vec<HourStats>,
    /// One entry per day, oldest first.
    pub days: Vec<DayStats>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HourStats {
    /// The hour's start (Unix ms).
    pub at: i64,
    pub succeeded: u64,
    pub failed: u64,
    pub cancelled: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DayStats {
    /// The day's start (Unix ms, local midnight).
    pub day: i64,
    /// Time from queued to the first start, of the tasks that started that
    /// day; none when none started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_wait_p50_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_wait_p95_ms: Option<i64>,
    /// Bytes the tasks that ended that day moved.
    pub bytes: u64,
}
