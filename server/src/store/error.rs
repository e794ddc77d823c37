//! The one error of the storage layer; `http::error` maps each to a status
//! code and a message.

use super::state::IllegalTransition;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DATABASE")]
    UnsupportedUrl(String),
    #[error("There is no plan {0}. Send the command again to get a new plan.")]
    PlanNotFound(String),
    #[error("This plan expired. Send the command again to get a fresh preview.")]
    PlanExpired,
    #[error("This plan was already confirmed as task #{0}.")]
    PlanAlreadyConfirmed(i64),
    #[error("This plan was already confirmed as schedule #{0}.")]
    PlanAlreadyScheduled(i64),
    #[error("This plan was cancelled. Send the command again to get a new plan.")]
    PlanCancelled,
    #[error("There is no task #{0}.")]
    TaskNotFound(i64),
    #[error("The queue is full: {queued} tasks are waiting to run (the limit is max_queued = {limit}). Try again once some have run.")]
    QueueFull { queued: i64, limit: i64 },
    /// `is_now` says what the task is doing: "is running", "has succeeded".
    #[error("Task #{id} {is_now}: only a failed or cancelled task can be run again.")]
    NotRetryable { id: i64, is_now: &'static str },
    #[error("task {id} is no longer run by this attempt on this node: it was taken as interrupted and requeued")]
    NotOwner { id: i64 },
    #[error("Task #{id} cannot change: {source}")]
    IllegalTransition { id: i64, source: IllegalTransition },
    #[error("{0} is already there.")]
    RuleExists(String),
    #[error("There is no rule {id} among the {kind}.", kind = kind.as_str())]
    RuleNotFound { kind: app::api::RuleKind, id: i64 },
    #[error("There is no schedule #{0}.")]
    ScheduleNotFound(i64),
    #[error("Schedule #{0} is stopped; send the command again to make a new schedule.")]
    ScheduleStopped(i64),
    /// `ended` says how: "failed", "was cancelled".
    #[error("Task #{id} {ended}, so a task that waits for it would never run. Retry task #{id} first, or confirm without waiting for it.")]
    DependencyEnded { id: i64, ended: &'static str },
    #[error("A plan that repeats cannot wait for another task; confirm it without \"after\", or make it run once.")]
    ScheduleCannotWait,
    #[error("This is step {step} of plan {group}: confirm the whole plan.")]
    PlanIsAStep { group: String, step: i64 },
    #[error("There is no alert #{0}.")]
    AlertNotFound(i64),
    #[error("There is no notification target #{0}.")]
    TargetNotFound(i64),
    #[error("There is already a user named {0}.")]
    UserExists(String),
    #[error("There is no user #{0}.")]
    UserNotFound(i64),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
