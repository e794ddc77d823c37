//! Where schedules are kept: part of the one [`super::Store`].

use async_trait::async_trait;

use app::api::ScheduleView;

use super::{StoreError, Task};

/// What firing a due schedule did.
#[derive(Debug, Clone)]
// Made a few times a day and moved once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Fired {
    /// A run was queued.
    Queued { schedule: ScheduleView, task: Task },
    /// The previous run is still queued or running: this time is skipped
    /// (noted in that task's log) rather than piling runs up.
    Skipped {
        schedule: ScheduleView,
        running_task: i64,
    },
    /// The queue was full (backpressure): this time is skipped.
    QueueFull { schedule: ScheduleView, why: String },
    /// Another server fired it first, or it was stopped meanwhile.
    NotDue,
}

/// Turns a schedule's stored workflow parameters into one run's (a
/// cleanup's age counted from this run, the schedule named): given by the
/// caller, since what parameters mean is the workflows' business.
pub type RunParams<'a> =
    &'a (dyn Fn(serde_json::Value) -> Result<serde_json::Value, String> + Send + Sync);

#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Active schedules first, newest first within each.
    async fn list_schedules(&self) -> Result<Vec<ScheduleView>, StoreError>;
    async fn get_schedule(&self, id: i64) -> Result<ScheduleView, StoreError>;
    /// Makes an active schedule run at `cron` from now on, next at
    /// `next_run_at`. A run already queued or running is left alone.
    /// [`StoreError::ScheduleStopped`] for a stopped one.
    async fn reschedule(
        &self,
        id: i64,
        cron: &str,
        next_run_at: i64,
        now: i64,
    ) -> Result<ScheduleView, StoreError>;
    /// Stops it for good; its tasks (queued or running) are left alone.
    async fn stop_schedule(&self, id: i64, now: i64) -> Result<ScheduleView, StoreError>;
    /// Deletes schedules stopped before `stopped_before` (their runs' tasks
    /// stay); how many went.
    async fn purge_stopped_schedules(&self, stopped_before: i64) -> Result<u64, StoreError>;
    /// Active schedules whose next run is at or before `now`.
    async fn due_schedules(&self, now: i64) -> Result<Vec<ScheduleView>, StoreError>;
    /// The earliest next run of any active schedule.
    async fn next_due_at(&self) -> Result<Option<i64>, StoreError>;
    /// In one transaction: if schedule `id` is active and its next run is
    /// still `due_at`, moves it to `following` (or stops it when `None`:
    /// it never runs again) and queues a run, unless the last run has not
    /// finished. The run's parameters come from `run_params`.
    async fn fire_schedule(
        &self,
        id: i64,
        due_at: i64,
        following: Option<i64>,
        now: i64,
        run_params: RunParams<'_>,
    ) -> Result<Fired, StoreError>;
}
