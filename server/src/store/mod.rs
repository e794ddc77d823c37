//! Storage: the traits every part of Tend keeps its data through, their
//! models and errors, and their one implementation on SQL ([`SqlStore`]:
//! SQLite embedded, or PostgreSQL shared by several nodes). `queue`,
//! `rules` and `schedule` depend on this module and never on each other.
//!
//! * [`Store`]: plans and tasks (the queue), with [`RuleStore`],
//!   [`ScheduleStore`], [`AlertStore`] and [`PeopleStore`] (users, their
//!   sessions and the audit log) as its parts;
//! * [`state`]: the task state machine every write goes through.

mod alerts;
mod error;
pub mod locks;
pub mod order;
mod people;
mod rules;
mod schedules;
mod sql;
pub mod state;

use std::sync::Arc;

use async_trait::async_trait;

pub use alerts::{AlertStore, NewAlert, StoredTarget};
pub use app::api::{AttemptView, Priority};
pub use error::StoreError;
pub use locks::{Access, PathLock};
pub use people::{AuditEntry, AuditFilter, NewAuditEntry, PeopleStore, User};
pub use rules::RuleStore;
pub use schedules::{Fired, RunParams, ScheduleStore};
pub use sql::{Backend, SqlStore, DEFAULT_MAX_QUEUED};
pub use state::{IllegalTransition, TaskState, Transition};

/// A task as stored and as shown to clients.
pub type Task = app::api::TaskView;
pub use app::api::ProgressView;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanState {
    Pending,
    Confirmed,
    Cancelled,
}

impl PlanState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanState::Pending => "pending",
            PlanState::Confirmed => "confirmed",
            PlanState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PlanState> {
        [
            PlanState::Pending,
            PlanState::Confirmed,
            PlanState::Cancelled,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A plan with several steps ("back up X, then clean up Y"): its card,
/// and the plans of its steps in order, already stored. Confirming it
/// queues one task per step, each waiting for the one before.
#[derive(Debug, Clone)]
pub struct NewPlanGroup {
    pub id: String,
    pub session: Option<String>,
    pub view: app::api::PlanView,
    pub steps: Vec<String>,
    pub created_at: i64,
}

/// A plan to store: what the user will see and what the task will run.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub id: String,
    pub session: Option<String>,
    pub view: app::api::PlanView,
    pub task: NewTask,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct PlanRecord {
    pub id: String,
    pub state: PlanState,
    pub view: app::api::PlanView,
    pub task_id: Option<i64>,
    /// Set once a plan that repeats was confirmed.
    pub schedule_id: Option<i64>,
    pub expires_at: i64,
}

/// What confirming a plan made.
#[derive(Debug, Clone)]
// Made once per confirm and moved once: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Confirmed {
    /// A plan that runs once: its task, queued.
    Task(Task),
    /// A plan with several steps: their tasks in order, each after the one
    /// before.
    Tasks(Vec<Task>),
    /// A plan that repeats: its schedule, with the first run ahead.
    Schedule(app::api::ScheduleView),
}

impl PlanRecord {
    /// Whether the plan can still be confirmed or revised at `now`.
    pub fn ensure_open(&self, now: i64) -> Result<(), StoreError> {
        ensure_open(
            self.state,
            self.task_id,
            self.schedule_id,
            self.expires_at,
            now,
        )
    }
}

/// A plan can be confirmed or revised while it is pending and not expired;
/// otherwise the error says which it is.
pub fn ensure_open(
    state: PlanState,
    task_id: Option<i64>,
    schedule_id: Option<i64>,
    expires_at: i64,
    now: i64,
) -> Result<(), StoreError> {
    match state {
        PlanState::Confirmed => Err(match schedule_id {
            Some(schedule) => StoreError::PlanAlreadyScheduled(schedule),
            None => StoreError::PlanAlreadyConfirmed(task_id.unwrap_or_default()),
        }),
        PlanState::Cancelled => Err(StoreError::PlanCancelled),
        PlanState::Pending if expires_at < now => Err(StoreError::PlanExpired),
        PlanState::Pending => Ok(()),
    }
}

/// What a confirmed plan becomes.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub workflow: String,
    pub summary: String,
    /// Workflow parameters, validated when the plan was made and re-checked
    /// when the task runs.
    pub params: serde_json::Value,
    /// Its own time limit ("give up after 2 hours"); `None`: the
    /// workflow's default.
    pub timeout_secs: Option<i64>,
    pub priority: Priority,
    /// The paths it reads and writes, from its parameters.
    pub locks: Vec<PathLock>,
    /// Tasks that must succeed first; it waits until they have.
    pub depends_on: Vec<i64>,
    /// The schedule whose run it is.
    pub schedule_id: Option<i64>,
}

/// Who runs an attempt: every write from a run is fenced by both, so a
/// node cut off for longer than its lease, or an attempt abandoned after a
/// timeout, can never overwrite what a later attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub attempt: i64,
}

/// The moments [`Store::idempotency_begin`] compares with.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyTimes {
    pub now: i64,
    /// A claim made before this whose request never answered is abandoned.
    pub stale_before: i64,
    /// Keys made before this are forgotten.
    pub expire_before: i64,
}

/// One attempt's end, for [`Store::finish_batch`].
#[derive(Debug, Clone)]
pub struct Ending {
    pub id: i64,
    pub owner: String,
    pub attempt: i64,
    pub finish: Finish,
}

/// What a request with an `Idempotency-Key` finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// The first with this key: run it, then [`Store::idempotency_finish`].
    First,
    /// Answered before: send this again.
    Answered { status: u16, body: String },
    /// Another request with this key is being answered right now.
    InFlight,
}

/// How a running task ended.
#[derive(Debug, Clone)]
pub enum Finish {
    Succeeded {
        result: String,
    },
    Failed {
        error: String,
        result: Option<String>,
    },
    Cancelled {
        result: String,
    },
    /// A transient failure with attempts left: the next runs at `run_at`.
    Retry {
        error: String,
        run_at: i64,
    },
    /// Its node is stopping and stopped it at a safe point: back to the
    /// queue, the attempt not spent.
    Released {
        note: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It had not started: it is cancelled now.
    Cancelled,
    /// It is running: the worker was asked to stop.
    Requested,
}

/// One entry of a task's log.
pub type TaskEvent = app::api::TaskEventView;

/// Which tasks [`Store::find_tasks`] returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Any of these states; all when empty.
    pub states: Vec<TaskState>,
    /// Any of these workflows; all when empty.
    pub workflows: Vec<String>,
    /// Text the summary or the parameters contain, any case.
    pub text: Option<String>,
    /// Ids below this: the page after one that ended there.
    pub before: Option<i64>,
    /// Made at or after this (Unix ms).
    pub since: Option<i64>,
    pub limit: i64,
}

/// The queue as its gauges show it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueFigures {
    pub by_state: Vec<(TaskState, i64)>,
    pub oldest_queued_at: Option<i64>,
}

/// What [`Store::check_schema`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaCheck {
    /// The newest migration applied to the database.
    pub applied: Option<i64>,
    /// The newest this version of Tend knows.
    pub expected: i64,
}

/// One task as the history figures need it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskTimes {
    pub workflow: String,
    pub state: TaskState,
    pub created_at: i64,
    /// Its first attempt's start.
    pub first_started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub bytes_done: u64,
}

/// Tasks, plans, their events, and (through [`RuleStore`],
/// [`ScheduleStore`], [`AlertStore`] and [`PeopleStore`]) admins' rules,
/// repeating plans, alerts, users and the audit log.
#[async_trait]
pub trait Store:
    RuleStore + ScheduleStore + AlertStore + PeopleStore + Send + Sync + 'static
{
    async fn insert_plan(&self, plan: NewPlan) -> Result<(), StoreError>;
    async fn get_plan(&self, id: &str) -> Result<PlanRecord, StoreError>;
    /// Pending → cancelled.
    async fn cancel_plan(&self, id: &str, now: i64) -> Result<(), StoreError>;
    /// Stores a plan with several steps over the step plans already
    /// stored; a step can then only be confirmed with the whole.
    async fn insert_plan_group(&self, group: NewPlanGroup) -> Result<(), StoreError>;
    /// Pending → confirmed, creating its queued task (or, for a plan that
    /// repeats, its schedule; for one with steps, a task per step) in the
    /// same transaction, so confirming twice never makes two. Its (first)
    /// task waits for the tasks in `after` to succeed. Its tasks record
    /// `asked_by`, who confirmed it.
    async fn confirm_plan(
        &self,
        id: &str,
        after: &[i64],
        asked_by: Option<&str>,
        now: i64,
    ) -> Result<Confirmed, StoreError>;

    /// Tasks changed as a consequence of another change, once it is
    /// committed: a task unblocked or cancelled when one it depends on
    /// ended, a task blocked on or woken from a path lock. The changes
    /// themselves are returned to whoever made them.
    fn follow_ups(&self) -> tokio::sync::broadcast::Receiver<Task>;

    /// Puts a task straight on the queue (tasks that need no plan).
    async fn enqueue(&self, task: NewTask, now: i64) -> Result<Task, StoreError>;
    /// Queues a new task with the parameters of `id`, a failed or cancelled
    /// task ("retry task 12"); the old one stays as it ended.
    async fn retry_task(&self, id: i64, now: i64) -> Result<Task, StoreError>;
    /// With its attempts.
    async fn get_task(&self, id: i64) -> Result<Task, StoreError>;
    /// The newest tasks first.
    async fn list_tasks(&self, limit: i64) -> Result<Vec<Task>, StoreError>;
    /// The whole log, oldest first.
    async fn task_events(&self, id: i64) -> Result<Vec<TaskEvent>, StoreError> {
        self.task_events_page(id, None, i64::MAX)
            .await
            .map(|mut page| {
                page.reverse();
                page
            })
    }
    /// Up to `limit` lines older than line `before`, newest first.
    async fn task_events_page(
        &self,
        id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<TaskEvent>, StoreError>;
    /// Tasks matching `filter`, newest first.
    async fn find_tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError>;
    /// Every task made or ended at or after `since`, for the history
    /// figures.
    async fn task_times(&self, since: i64) -> Result<Vec<TaskTimes>, StoreError>;
    /// How many tasks are in each state, and when the oldest queued one
    /// was made: the queue's gauges, the same from every node.
    async fn queue_figures(&self) -> Result<QueueFigures, StoreError>;
    /// Whether the database answers and its schema is this version's.
    async fn check_schema(&self) -> Result<SchemaCheck, StoreError>;

    /// Atomically moves the first queued task in priority order (see
    /// [`order`]), or retrying one whose `run_at` has come, to running,
    /// owned by node `owner` (see [`Store::heartbeat`]), and records the
    /// attempt. A task whose paths a running task holds is moved to
    /// `waiting` instead ([`locks`]).
    async fn claim_next(&self, owner: &str, now: i64) -> Result<Option<Task>, StoreError> {
        Ok(self.claim_batch(owner, 1, now).await?.into_iter().next())
    }
    /// [`Store::claim_next`] for up to `limit` tasks at once, in priority
    /// order, in one transaction.
    async fn claim_batch(
        &self,
        owner: &str,
        limit: usize,
        now: i64,
    ) -> Result<Vec<Task>, StoreError>;
    /// Marks every task `owner` runs as alive at `now`. Returns which of
    /// `running` (the tasks it is running) to stop: those whose cancel was
    /// asked for, perhaps on another node, and those it no longer owns
    /// because another node took them as interrupted (after a long loss of
    /// the database, say).
    async fn heartbeat(
        &self,
        owner: &str,
        running: &[i64],
        now: i64,
    ) -> Result<Vec<i64>, StoreError>;
    /// Stores the progress of a task `owner` runs; [`StoreError::NotOwner`]
    /// when it no longer does.
    async fn update_progress(
        &self,
        id: i64,
        lease: Lease<'_>,
        progress: &ProgressView,
        now: i64,
    ) -> Result<Task, StoreError>;
    async fn log(&self, id: i64, kind: &str, message: &str, now: i64) -> Result<(), StoreError>;
    /// Ends many attempts in one transaction (one commit for all): each
    /// gets its own answer, as [`Store::finish`] would give it.
    async fn finish_batch(
        &self,
        ends: Vec<Ending>,
        now: i64,
    ) -> Result<Vec<Result<Task, StoreError>>, StoreError>;
    /// Ends the attempt `lease` runs. [`StoreError::NotOwner`] when another
    /// node or attempt took the task over meanwhile: that run is the one
    /// that counts.
    async fn finish(
        &self,
        id: i64,
        lease: Lease<'_>,
        finish: Finish,
        now: i64,
    ) -> Result<Task, StoreError>;
    async fn request_cancel(&self, id: i64, now: i64) -> Result<(Task, CancelOutcome), StoreError>;
    /// Tasks left `running` by a stopped node go back to the queue (or fail
    /// once out of attempts, or become cancelled if that was asked). A
    /// running task is taken as interrupted when its node's last heartbeat
    /// is older than `stale_before`, and, for a node that has just started,
    /// when that node owned it; never while the sweeping node runs it.
    /// Waits nothing will end any more (a task ended by a node that did not
    /// settle what waited on it) are settled here too.
    async fn recover_interrupted(
        &self,
        max_attempts: i64,
        sweeper: Sweeper<'_>,
        stale_before: i64,
        now: i64,
    ) -> Result<Vec<Task>, StoreError>;

    /// Looks up, or claims for this request, `key` within `scope` (the
    /// route). A claim older than `stale_before` whose request never
    /// answered (its server died) is taken over; keys made before
    /// `expire_before` are forgotten first.
    async fn idempotency_begin(
        &self,
        key: &str,
        scope: &str,
        times: IdempotencyTimes,
    ) -> Result<Idempotency, StoreError>;
    /// Keeps the answer given to the first request with `key`.
    async fn idempotency_finish(
        &self,
        key: &str,
        scope: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Forgets `key`: its request failed inside Tend, and a repeat should
    /// run it again rather than get that failure back.
    async fn idempotency_forget(&self, key: &str, scope: &str) -> Result<(), StoreError>;
}

/// The node looking for interrupted tasks, and what it knows of its own.
#[derive(Debug, Clone, Copy)]
pub enum Sweeper<'a> {
    /// A node that has just started: it runs nothing yet, so every task
    /// still marked running under its name was interrupted.
    Restarted(&'a str),
    /// A node's periodic sweep. The tasks it is running right now are alive
    /// however late their heartbeat: a heartbeat held up behind a busy
    /// disk must not requeue a task its own node is still running, which
    /// would start a second run beside the first.
    Running { node: &'a str, tasks: &'a [i64] },
}

impl Sweeper<'_> {
    /// Whether a task `owner` holds is one this sweeper knows to be running.
    pub fn runs(&self, owner: Option<&str>, id: i64) -> bool {
        match self {
            Sweeper::Restarted(_) => false,
            Sweeper::Running { node, tasks } => owner == Some(*node) && tasks.contains(&id),
        }
    }

    /// The restarted node's name: its tasks are interrupted whatever their
    /// heartbeat says.
    pub fn restarted_node(&self) -> Option<&str> {
        match self {
            Sweeper::Restarted(node) => Some(node),
            Sweeper::Running { .. } => None,
        }
    }
}

/// Opens the store a database URL names, creating and migrating it.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(SqlStore::open(url).await?))
}
