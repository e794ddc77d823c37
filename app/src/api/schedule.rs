use serde::{Deserialize, Serialize};

/// A confirmed plan that runs again and again: "back up /srv/photos to
/// /mnt/nas every night at 2am".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub id: i64,
    pub workflow: String,
    /// What each run does, as the plan said it.
    pub summary: String,
    /// Five-field cron (`0 2 * * *`), in the server's time zone.
    pub cron: String,
    /// The same in words ("every day at 02:00").
    pub description: String,
    pub active: bool,
    /// Unix milliseconds of the next run; `None` once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run_at: Option<i64>,
    /// The task the last run queued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_task_id: Option<i64>,
    /// How many runs queued a task.
    pub runs: i64,
    /// When a run last succeeded (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// `PATCH /api/schedules/{id}`: when the schedule runs from now on, in words
/// ("Sundays at 3:30") or as a cron line (`30 3 * * 0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RescheduleRequest {
    pub when: String,
}
