//! [`Store`] on SQL: plans, tasks and their events (tables in
//! `migrations/*/0001_tasks.sql`), every state change through
//! [`state::apply`].

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::Row;

use super::waiting::{decide, held_locks, Candidate, Verdict};
use super::{QueueSettings, SqlStore};
use crate::store::locks;
use crate::store::order::claim_key;
use crate::store::state::{self, TaskState, Transition};
use crate::store::{
    ensure_open, AttemptView, CancelOutcome, Confirmed, Ending, Finish, Idempotency,
    IdempotencyTimes, Lease, NewPlan, NewPlanGroup, NewTask, PlanRecord, PlanState, Priority,
    ProgressView, QueueFigures, SchemaCheck, Store, StoreError, Sweeper, Task, TaskEvent,
    TaskFilter, TaskTimes,
};
use app::api::WaitingFor;

/// A value for the extra columns a transition sets.
pub(super) enum Bind {
    Int(i64),
    Text(Option<String>),
}

const TASK_COLUMNS: &str = "id, workflow, summary, params, state, attempt, cancel_requested, \
    files_done, files_total, bytes_done, bytes_total, current_item, error, result, \
    created_at, updated_at, revision, started_at, finished_at, run_at, owner, timeout_secs, \
    retry_of, priority, depends_on, waiting_on, waiting_path, asked_by";

impl SqlStore {
    pub(crate) async fn task_in<'e, E>(executor: E, id: i64) -> Result<Task, StoreError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?
            .ok_or(StoreError::TaskNotFound(id))?;
        task_from_row(&row)
    }

    /// Moves task `id` by `transition`, guarded on its current state so a
    /// concurrent change is never overwritten.
    pub(super) async fn transition(
        tx: &mut sqlx::AnyConnection,
        id: i64,
        transition: Transition,
        now: i64,
        extra_sql: &str,
        binds: Vec<Bind>,
    ) -> Result<(TaskState, TaskState), StoreError> {
        let current = Self::task_in(&mut *tx, id).await?;
        let next = state::apply(current.state, transition)
            .map_err(|source| StoreError::IllegalTransition { id, source })?;
        // `extra_sql` numbers its placeholders from $3; the guard follows them.
        let id_at = 3 + binds.len();
        let sql = format!(
            "UPDATE tasks SET state = $1, updated_at = $2, revision = revision + 1{extra_sql} \
             WHERE id = ${id_at} AND state = ${}",
            id_at + 1
        );
        let mut query = sqlx::query(&sql).bind(next.as_str()).bind(now);
        for b in binds {
            query = match b {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        let done = query
            .bind(id)
            .bind(current.state.as_str())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Corrupt(format!(
                "task {id} changed during its update"
            )));
        }
        insert_event(
            &mut *tx,
            id,
            "state",
            &format!("{} → {}", current.state.as_str(), next.as_str()),
            now,
        )
        .await?;
        Ok((current.state, next))
    }
}

impl SqlStore {
    /// `picked` (queued or retrying) → running under `owner`, with their
    /// attempts recorded: one statement per table.
    async fn start_attempts(
        tx: &mut sqlx::AnyConnection,
        picked: &[(i64, TaskState)],
        owner: &str,
        now: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let claimable = in_list(&state::sources(Transition::Claim));
        let ids = placeholders(3, picked.len());
        let sql = format!(
            "UPDATE tasks SET state = $1, updated_at = $2, revision = revision + 1, \
             attempt = attempt + 1, started_at = $2, error = NULL, owner = ${owner_at}, \
             heartbeat_at = $2 WHERE id IN ({ids}) AND state IN ({claimable}) \
             RETURNING {TASK_COLUMNS}",
            owner_at = 3 + picked.len()
        );
        let mut query = sqlx::query(&sql)
            .bind(TaskState::Running.as_str())
            .bind(now);
        for (id, _) in picked {
            query = query.bind(*id);
        }
        let rows = query.bind(owner).fetch_all(&mut *tx).await?;
        let mut tasks = rows
            .iter()
            .map(task_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if tasks.len() != picked.len() {
            return Err(StoreError::Corrupt(
                "tasks changed while being claimed".into(),
            ));
        }
        tasks.sort_by_key(|t| t.id);
        let mut events = Vec::with_capacity(tasks.len());
        for (id, from) in picked {
            let to = state::apply(*from, Transition::Claim)
                .map_err(|source| StoreError::IllegalTransition { id: *id, source })?;
            events.push((*id, format!("{} → {}", from.as_str(), to.as_str())));
        }
        insert_events(tx, &events, "state", now).await?;
        insert_attempts(tx, &tasks, owner, now).await?;
        Ok(tasks)
    }
}

pub(crate) async fn insert_event<'e, E>(
    executor: E,
    id: i64,
    kind: &str,
    message: &str,
    now: i64,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("INSERT INTO task_events (task_id, at, kind, message) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(now)
        .bind(kind)
        .bind(message)
        .execute(executor)
        .await?;
    Ok(())
}

/// Queues `task`, unless `max_queued` tasks already wait to run. A task
/// with dependencies that have not all succeeded starts `waiting`.
/// Records who confirmed the plan that made task `id`.
async fn mark_asked_by(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    asked_by: Option<&str>,
) -> Result<(), StoreError> {
    if let Some(name) = asked_by {
        sqlx::query("UPDATE tasks SET asked_by = $1 WHERE id = $2")
            .bind(name)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

pub(crate) async fn insert_task(
    tx: &mut sqlx::AnyConnection,
    task: &NewTask,
    queue: QueueSettings,
    now: i64,
) -> Result<i64, StoreError> {
    let not_started = in_list(&state::not_started());
    let queued: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM tasks WHERE state IN ({not_started})"
    ))
    .fetch_one(&mut *tx)
    .await?;
    if queued >= queue.max_queued {
        return Err(StoreError::QueueFull {
            queued,
            limit: queue.max_queued,
        });
    }
    let waiting_on = first_unfinished(tx, &task.depends_on).await?;
    let initial = match waiting_on {
        Some(_) => TaskState::Waiting,
        None => TaskState::Queued,
    };
    let params =
        serde_json::to_string(&task.params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let depends_on =
        serde_json::to_string(&task.depends_on).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id: i64 = sqlx::query(
        "INSERT INTO tasks (workflow, summary, params, state, created_at, updated_at, run_at, \
         timeout_secs, files_total, priority, claim_key, locks, depends_on, waiting_on, \
         schedule_id) \
         VALUES ($1, $2, $3, $4, $5, $5, 0, $6, -1, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&task.workflow)
    .bind(&task.summary)
    .bind(params)
    .bind(initial.as_str())
    .bind(now)
    .bind(task.timeout_secs)
    .bind(task.priority.as_str())
    .bind(claim_key(task.priority, now, queue.aging_ms))
    .bind(locks::to_text(&task.locks))
    .bind(depends_on)
    .bind(waiting_on)
    .bind(task.schedule_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    for prerequisite in &task.depends_on {
        sqlx::query("INSERT INTO task_dependencies (task_id, depends_on) VALUES ($1, $2)")
            .bind(id)
            .bind(prerequisite)
            .execute(&mut *tx)
            .await?;
    }
    let line = match waiting_on {
        Some(on) => format!(
            "created → waiting ({})",
            WaitingFor {
                task_id: on,
                path: None
            }
            .describe()
        ),
        None => "created → queued".to_string(),
    };
    insert_event(&mut *tx, id, "state", &line, now).await?;
    Ok(id)
}

/// The first of `prerequisites` that has not succeeded yet; refused when
/// one has failed or was cancelled (the task would never run).
async fn first_unfinished(
    tx: &mut sqlx::AnyConnection,
    prerequisites: &[i64],
) -> Result<Option<i64>, StoreError> {
    let mut unfinished = None;
    for &id in prerequisites {
        let prerequisite = SqlStore::task_in(&mut *tx, id).await?;
        match prerequisite.state {
            TaskState::Succeeded => {}
            TaskState::Failed => {
                return Err(StoreError::DependencyEnded {
                    id,
                    ended: "failed",
                })
            }
            TaskState::Cancelled => {
                return Err(StoreError::DependencyEnded {
                    id,
                    ended: "was cancelled",
                })
            }
            _ => {
                unfinished.get_or_insert(id);
            }
        }
    }
    Ok(unfinished)
}

/// What confirming a plan row reads.
const PLAN_TASK_COLUMNS: &str = "id, state, task_id, schedule_id, expires_at, workflow, summary, \
    params, schedule, timeout_secs, priority, locks, group_id, step";

/// The task a stored plan (or step) would queue, waiting for nothing yet.
fn planned_task(row: &sqlx::any::AnyRow) -> Result<NewTask, StoreError> {
    let params_text: String = row.try_get("params")?;
    Ok(NewTask {
        workflow: row.try_get("workflow")?,
        summary: row.try_get("summary")?,
        params: serde_json::from_str(&params_text)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        timeout_secs: row.try_get("timeout_secs")?,
        priority: Priority::parse(&row.try_get::<String, _>("priority")?).unwrap_or_default(),
        locks: locks::parse(&row.try_get::<String, _>("locks")?),
        depends_on: Vec::new(),
        schedule_id: None,
    })
}

/// Pending → confirmed, recording what it made (`task_id` or `schedule_id`).
async fn mark_confirmed(
    tx: &mut sqlx::AnyConnection,
    id: &str,
    column: &'static str,
    made: i64,
) -> Result<(), StoreError> {
    let updated = sqlx::query(&format!(
        "UPDATE plans SET state = 'confirmed', {column} = $1 WHERE id = $2 AND state = 'pending'"
    ))
    .bind(made)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(StoreError::Corrupt(format!(
            "plan {id} changed while confirming"
        )));
    }
    Ok(())
}

/// `files_total` while it is not known yet: the column cannot hold NULL.
const UNKNOWN_TOTAL: i64 = -1;

/// The file total as stored. A zero beside files already done was written
/// before [`UNKNOWN_TOTAL`] existed, and meant the same.
fn stored_total(stored: i64, files_done: u64) -> Option<u64> {
    match stored {
        n if n < 0 => None,
        0 if files_done > 0 => None,
        n => Some(n as u64),
    }
}

fn task_from_row(row: &sqlx::any::AnyRow) -> Result<Task, StoreError> {
    let state_text: String = row.try_get("state")?;
    let state = TaskState::parse(&state_text)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown task state {state_text:?}")))?;
    let params_text: String = row.try_get("params")?;
    let parameters = serde_json::from_str(&params_text)
        .map_err(|e| StoreError::Corrupt(format!("task parameters: {e}")))?;
    let count =
        |name: &str| -> Result<u64, StoreError> { Ok(row.try_get::<i64, _>(name)?.max(0) as u64) };
    Ok(Task {
        id: row.try_get("id")?,
        workflow: row.try_get("workflow")?,
        summary: row.try_get("summary")?,
        state,
        progress: ProgressView {
            files_done: count("files_done")?,
            files_total: stored_total(row.try_get("files_total")?, count("files_done")?),
            bytes_done: count("bytes_done")?,
            bytes_total: count("bytes_total")?,
            current: row.try_get("current_item")?,
        },
        parameters,
        error: row.try_get("error")?,
        result: row.try_get("result")?,
        attempt: row.try_get("attempt")?,
        cancel_requested: row.try_get::<i64, _>("cancel_requested")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        revision: row.try_get("revision")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        run_at: (state == TaskState::Retrying)
            .then(|| row.try_get("run_at"))
            .transpose()?,
        node: row.try_get("owner")?,
        timeout_secs: row.try_get("timeout_secs")?,
        retry_of: row.try_get("retry_of")?,
        priority: Priority::parse(&row.try_get::<String, _>("priority")?).unwrap_or_default(),
        depends_on: serde_json::from_str(&row.try_get::<String, _>("depends_on")?)
            .map_err(|e| StoreError::Corrupt(format!("task dependencies: {e}")))?,
        waiting_for: match (state, row.try_get::<Option<i64>, _>("waiting_on")?) {
            (TaskState::Waiting, Some(task_id)) => Some(WaitingFor {
                task_id,
                path: row.try_get("waiting_path")?,
            }),
            _ => None,
        },
        attempts: Vec::new(),
        asked_by: row.try_get("asked_by")?,
    })
}

async fn attempts_in<'e, E>(executor: E, id: i64) -> Result<Vec<AttemptView>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(
        "SELECT attempt, node, started_at, finished_at, outcome, error FROM task_attempts \
         WHERE task_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AttemptView {
                attempt: r.try_get("attempt")?,
                at: r.try_get("started_at")?,
                node: r.try_get("node")?,
                finished_at: r.try_get("finished_at")?,
                outcome: r.try_get("outcome")?,
                error: r.try_get("error")?,
            })
        })
        .collect()
}

/// `text` as a LIKE pattern matching it anywhere, any case, its own `%`,
/// `_` and `\\` taken literally.
fn like_pattern(text: &str) -> String {
    format!("%{}%", super::escape_like(&text.to_lowercase()))
}

/// `$first, $first+1, …`: `count` numbered placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// States as an SQL list of literals (they are Tend's own fixed names).
pub(super) fn in_list(states: &[TaskState]) -> String {
    states
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One multi-row insert of log lines of one `kind`.
async fn insert_events(
    tx: &mut sqlx::AnyConnection,
    events: &[(i64, String)],
    kind: &str,
    now: i64,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<String> = (0..events.len())
        .map(|i| format!("(${}, $1, $2, ${})", 3 + 2 * i, 4 + 2 * i))
        .collect();
    let sql = format!(
        "INSERT INTO task_events (task_id, at, kind, message) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(kind);
    for (id, message) in events {
        query = query.bind(*id).bind(message.as_str());
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// One multi-row insert of the attempts `tasks` start now on `node`.
async fn insert_attempts(
    tx: &mut sqlx::AnyConnection,
    tasks: &[Task],
    node: &str,
    now: i64,
) -> Result<(), StoreError> {
    let rows: Vec<String> = (0..tasks.len())
        .map(|i| format!("(${}, ${}, $1, $2)", 3 + 2 * i, 4 + 2 * i))
        .collect();
    let sql = format!(
        "INSERT INTO task_attempts (task_id, attempt, node, started_at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(node).bind(now);
    for task in tasks {
        query = query.bind(task.id).bind(task.attempt);
    }
    query.execute(&mut *tx).await?;
    Ok(())
}

/// A column an attempt's end sets, or leaves as it is.
enum Column {
    Keep,
    Set(Option<String>),
}

/// What one attempt's end writes, checked against the task as it stands.
struct EndChange {
    id: i64,
    owner: String,
    attempt: i64,
    from: TaskState,
    to: TaskState,
    error: Column,
    result: Column,
    /// Terminal: `finished_at` is set.
    finished: bool,
    run_at: Option<i64>,
    /// Released: the attempt is not spent.
    release: bool,
    /// The attempt's row: how it ended, and its error.
    outcome: &'static str,
    attempt_error: Option<String>,
    /// A log line besides the state change.
    note: Option<String>,
}

impl EndChange {
    /// The change `end` makes to a task now `(state, owner, attempt)`, or
    /// why it may not: only the attempt that runs the task ends it.
    fn checked(
        end: &Ending,
        current: Option<&(String, Option<String>, i64)>,
    ) -> Result<EndChange, StoreError> {
        let id = end.id;
        let (state, owner, attempt) = current.ok_or(StoreError::TaskNotFound(id))?;
        let from = TaskState::parse(state)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown task state {state:?}")))?;
        let holds = owner.as_deref() == Some(end.owner.as_str()) && *attempt == end.attempt;
        if matches!(
            from,
            TaskState::Queued | TaskState::Retrying | TaskState::Waiting
        ) || (from == TaskState::Running && !holds)
        {
            return Err(StoreError::NotOwner { id });
        }
        let mut change = EndChange {
            id,
            owner: end.owner.clone(),
            attempt: end.attempt,
            from,
            to: from,
            error: Column::Set(None),
            result: Column::Keep,
            finished: true,
            run_at: None,
            release: false,
            outcome: "",
            attempt_error: None,
            note: None,
        };
        let transition = match &end.finish {
            Finish::Succeeded { result } => {
                change.result = Column::Set(Some(result.clone()));
                change.outcome = "succeeded";
                Transition::Succeed
            }
            Finish::Failed { error, result } => {
                change.error = Column::Set(Some(error.clone()));
                change.result = Column::Set(result.clone());
                change.outcome = "failed";
                change.attempt_error = Some(error.clone());
                Transition::Fail
            }
            Finish::Cancelled { result } => {
                change.result = Column::Set(Some(result.clone()));
                change.outcome = "cancelled";
                Transition::Cancel
            }
            Finish::Retry { error, run_at } => {
                change.error = Column::Set(Some(error.clone()));
                change.finished = false;
                change.run_at = Some(*run_at);
                change.outcome = "retrying";
                change.attempt_error = Some(error.clone());
                Transition::Retry
            }
            // Not spent: the next claim counts this attempt again.
            Finish::Released { note } => {
                change.error = Column::Keep;
                change.finished = false;
                change.run_at = Some(0);
                change.release = true;
                change.outcome = "released";
                change.attempt_error = Some(note.clone());
                change.note = Some(note.clone());
                Transition::Release
            }
        };
        change.to = state::apply(from, transition)
            .map_err(|source| StoreError::IllegalTransition { id, source })?;
        Ok(change)
    }
}

/// Binds for a statement built piece by piece: each `push` is the next
/// placeholder.
#[derive(Default)]
struct Binds(Vec<Bind>);

impl Binds {
    fn push(&mut self, bind: Bind) -> String {
        self.0.push(bind);
        format!("${}", self.0.len())
    }

    fn query<'q>(
        self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut query = sqlx::query(sql);
        for bind in self.0 {
            query = match bind {
                Bind::Int(v) => query.bind(v),
                Bind::Text(v) => query.bind(v),
            };
        }
        query
    }
}

/// `CASE id WHEN … THEN … END` over the rows that set `column`, or the
/// column itself when none does.
fn case(key: &str, column: &str, arms: Vec<(String, String)>) -> String {
    if arms.is_empty() {
        return column.to_string();
    }
    let arms: String = arms
        .into_iter()
        .map(|(when, then)| format!(" WHEN {when} THEN {then}"))
        .collect();
    format!("CASE {key}{arms} ELSE {column} END")
}

/// Each task's (state, owner, attempt) as it stands.
async fn states_of(
    tx: &mut sqlx::AnyConnection,
    ends: &[Ending],
) -> Result<HashMap<i64, (String, Option<String>, i64)>, StoreError> {
    let sql = format!(
        "SELECT id, state, owner, attempt FROM tasks WHERE id IN ({})",
        placeholders(1, ends.len())
    );
    let mut query = sqlx::query_as::<_, (i64, String, Option<String>, i64)>(&sql);
    for end in ends {
        query = query.bind(end.id);
    }
    Ok(query
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(id, state, owner, attempt)| (id, (state, owner, attempt)))
        .collect())
}

/// Writes every change in one statement, each row guarded on the state,
/// owner and attempt it was checked against; the tasks as written.
async fn apply_ends(
    tx: &mut sqlx::AnyConnection,
    changes: &[EndChange],
    now: i64,
) -> Result<HashMap<i64, Task>, StoreError> {
    let mut binds = Binds::default();
    let now_at = binds.push(Bind::Int(now));
    let (mut state, mut error, mut result, mut finished, mut run_at, mut spent) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut guards = Vec::with_capacity(changes.len());
    for c in changes {
        let id = binds.push(Bind::Int(c.id));
        state.push((
            id.clone(),
            binds.push(Bind::Text(Some(c.to.as_str().into()))),
        ));
        if let Column::Set(v) = &c.error {
            error.push((id.clone(), binds.push(Bind::Text(v.clone()))));
        }
        if let Column::Set(v) = &c.result {
            result.push((id.clone(), binds.push(Bind::Text(v.clone()))));
        }
        if c.finished {
            finished.push((id.clone(), now_at.clone()));
        }
        if let Some(at) = c.run_at {
            run_at.push((id.clone(), binds.push(Bind::Int(at))));
        }
        if c.release {
            spent.push((id.clone(), "1".to_string()));
        }
        guards.push(format!(
            "(id = {id} AND state = {} AND owner = {} AND attempt = {})",
            binds.push(Bind::Text(Some(c.from.as_str().into()))),
            binds.push(Bind::Text(Some(c.owner.clone()))),
            binds.push(Bind::Int(c.attempt)),
        ));
    }
    let sql = format!(
        "UPDATE tasks SET state = {}, updated_at = {now_at}, revision = revision + 1, \
         error = {}, result = {}, finished_at = {}, run_at = {}, attempt = attempt - {}, \
         current_item = NULL WHERE {} RETURNING {TASK_COLUMNS}",
        case("id", "state", state),
        case("id", "error", error),
        case("id", "result", result),
        case("id", "finished_at", finished),
        case("id", "run_at", run_at),
        case("id", "0", spent),
        guards.join(" OR "),
    );
    let rows = binds.query(&sql).fetch_all(&mut *tx).await?;
    rows.iter()
        .map(|row| task_from_row(row).map(|t| (t.id, t)))
        .collect()
}

/// Closes the attempts `changes` end, in one statement.
async fn close_attempts(
    tx: &mut sqlx::AnyConnection,
    changes: &[&EndChange],
    now: i64,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut binds = Binds::default();
    let now_at = binds.push(Bind::Int(now));
    let (mut outcome, mut error, mut which) = (vec![], vec![], vec![]);
    for c in changes {
        let id = binds.push(Bind::Int(c.id));
        outcome.push((id.clone(), binds.push(Bind::Text(Some(c.outcome.into())))));
        error.push((id.clone(), binds.push(Bind::Text(c.attempt_error.clone()))));
        which.push(format!(
            "(task_id = {id} AND attempt = {})",
            binds.push(Bind::Int(c.attempt))
        ));
    }
    let sql = format!(
        "UPDATE task_attempts SET finished_at = {now_at}, outcome = {}, error = {} \
         WHERE finished_at IS NULL AND ({})",
        case("task_id", "outcome", outcome),
        case("task_id", "error", error),
        which.join(" OR "),
    );
    binds.query(&sql).execute(&mut *tx).await?;
    Ok(())
}

/// Closes the open attempt `attempt` of task `id` with `outcome`.
async fn end_attempt(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    attempt: i64,
    outcome: &str,
    error: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE task_attempts SET finished_at = $1, outcome = $2, error = $3 \
         WHERE task_id = $4 AND attempt = $5 AND finished_at IS NULL",
    )
    .bind(now)
    .bind(outcome)
    .bind(error)
    .bind(id)
    .bind(attempt)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    async fn insert_plan(&self, plan: NewPlan) -> Result<(), StoreError> {
        let view =
            serde_json::to_string(&plan.view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let params = serde_json::to_string(&plan.task.params)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO plans (id, session, state, view, workflow, summary, params, created_at, \
             expires_at, schedule, timeout_secs, priority, locks) \
             VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&plan.id)
        .bind(&plan.session)
        .bind(view)
        .bind(&plan.task.workflow)
        .bind(&plan.task.summary)
        .bind(params)
        .bind(plan.created_at)
        .bind(plan.view.expires_at)
        .bind(&plan.view.schedule)
        .bind(plan.task.timeout_secs)
        .bind(plan.task.priority.as_str())
        .bind(locks::to_text(&plan.task.locks))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn insert_plan_group(&self, group: NewPlanGroup) -> Result<(), StoreError> {
        let view =
            serde_json::to_string(&group.view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO plans (id, session, state, view, workflow, summary, params, created_at, \
             expires_at, priority) VALUES ($1, $2, 'pending', $3, 'steps', $4, '[]', $5, $6, $7)",
        )
        .bind(&group.id)
        .bind(&group.session)
        .bind(view)
        .bind(&group.view.summary)
        .bind(group.created_at)
        .bind(group.view.expires_at)
        .bind(group.view.priority.as_str())
        .execute(&mut *tx)
        .await?;
        for (n, step) in group.steps.iter().enumerate() {
            let joined = sqlx::query(
                "UPDATE plans SET group_id = $1, step = $2 WHERE id = $3 AND state = 'pending' \
                 AND group_id IS NULL",
            )
            .bind(&group.id)
            .bind(n as i64 + 1)
            .bind(step)
            .execute(&mut *tx)
            .await?;
            if joined.rows_affected() != 1 {
                return Err(StoreError::PlanNotFound(step.clone()));
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn get_plan(&self, id: &str) -> Result<PlanRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, state, view, task_id, schedule_id, expires_at FROM plans WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::PlanNotFound(id.to_string()))?;
        let state_text: String = row.try_get("state")?;
        let view_text: String = row.try_get("view")?;
        Ok(PlanRecord {
            id: row.try_get("id")?,
            state: PlanState::parse(&state_text)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown plan state {state_text:?}")))?,
            view: serde_json::from_str(&view_text)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            task_id: row.try_get("task_id")?,
            schedule_id: row.try_get("schedule_id")?,
            expires_at: row.try_get("expires_at")?,
        })
    }

    async fn cancel_plan(&self, id: &str, now: i64) -> Result<(), StoreError> {
        let plan = self.get_plan(id).await?;
        if plan.state == PlanState::Cancelled {
            return Ok(());
        }
        // Cancelling is allowed after expiry: only a confirmed plan refuses.
        plan.ensure_open(i64::MIN)?;
        let _ = now;
        // A plan with steps takes its steps with it.
        sqlx::query(
            "UPDATE plans SET state = 'cancelled' WHERE (id = $1 OR group_id = $1) \
             AND state = 'pending'",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn confirm_plan(
        &self,
        id: &str,
        after: &[i64],
        asked_by: Option<&str>,
        now: i64,
    ) -> Result<Confirmed, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "SELECT {PLAN_TASK_COLUMNS} FROM plans WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::PlanNotFound(id.to_string()))?;
        let state_text: String = row.try_get("state")?;
        let state = PlanState::parse(&state_text)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown plan state {state_text:?}")))?;
        ensure_open(
            state,
            row.try_get("task_id")?,
            row.try_get("schedule_id")?,
            row.try_get("expires_at")?,
            now,
        )?;
        if let Some(group) = row.try_get::<Option<String>, _>("group_id")? {
            return Err(StoreError::PlanIsAStep {
                group,
                step: row.try_get::<Option<i64>, _>("step")?.unwrap_or_default(),
            });
        }
        let steps = sqlx::query(&format!(
            "SELECT {PLAN_TASK_COLUMNS} FROM plans WHERE group_id = $1 ORDER BY step"
        ))
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        let confirmed = if !steps.is_empty() {
            let mut tasks = Vec::with_capacity(steps.len());
            let mut before: Vec<i64> = after.to_vec();
            for step in &steps {
                let mut task = planned_task(step)?;
                task.depends_on = before;
                let task_id = insert_task(&mut tx, &task, self.queue, now).await?;
                mark_asked_by(&mut tx, task_id, asked_by).await?;
                let step_id: String = step.try_get("id")?;
                mark_confirmed(&mut tx, &step_id, "task_id", task_id).await?;
                tasks.push(Self::task_in(&mut *tx, task_id).await?);
                before = vec![task_id];
            }
            mark_confirmed(&mut tx, id, "task_id", tasks[0].id).await?;
            Confirmed::Tasks(tasks)
        } else {
            let mut task = planned_task(&row)?;
            task.depends_on = after.to_vec();
            match row.try_get::<Option<String>, _>("schedule")? {
                None => {
                    let task_id = insert_task(&mut tx, &task, self.queue, now).await?;
                    mark_asked_by(&mut tx, task_id, asked_by).await?;
                    mark_confirmed(&mut tx, id, "task_id", task_id).await?;
                    Confirmed::Task(Self::task_in(&mut *tx, task_id).await?)
                }
                Some(cron) => {
                    let schedule_id =
                        super::insert_schedule(&mut tx, id, &cron, &task, now).await?;
                    mark_confirmed(&mut tx, id, "schedule_id", schedule_id).await?;
                    Confirmed::Schedule(super::schedule_in(&mut *tx, schedule_id).await?)
                }
            }
        };
        tx.commit().await?;
        Ok(confirmed)
    }

    fn follow_ups(&self) -> tokio::sync::broadcast::Receiver<Task> {
        self.follow_ups.subscribe()
    }

    async fn enqueue(&self, task: NewTask, now: i64) -> Result<Task, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = insert_task(&mut tx, &task, self.queue, now).await?;
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn retry_task(&self, id: i64, now: i64) -> Result<Task, StoreError> {
        let mut tx = self.write_tx().await?;
        let old = Self::task_in(&mut *tx, id).await?;
        if !matches!(old.state, TaskState::Failed | TaskState::Cancelled) {
            let is_now = match old.state {
                TaskState::Queued => "is queued",
                TaskState::Running => "is running",
                TaskState::Retrying => "is waiting to be tried again",
                TaskState::Waiting => "is waiting to start",
                _ => "has succeeded",
            };
            return Err(StoreError::NotRetryable { id, is_now });
        }
        let held: String = sqlx::query_scalar("SELECT locks FROM tasks WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        // Its dependencies were met or it would not have run: the new run
        // waits for nothing.
        let task = NewTask {
            workflow: old.workflow,
            summary: old.summary,
            params: old.parameters,
            timeout_secs: old.timeout_secs,
            priority: old.priority,
            locks: locks::parse(&held),
            depends_on: Vec::new(),
            schedule_id: None,
        };
        let new_id = insert_task(&mut tx, &task, self.queue, now).await?;
        // The same request run again: asked for by whoever asked for it (the
        // audit log says who retried).
        sqlx::query("UPDATE tasks SET retry_of = $1, asked_by = $2 WHERE id = $3")
            .bind(id)
            .bind(old.asked_by.as_deref())
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut *tx,
            new_id,
            "info",
            &format!("runs task #{id} again"),
            now,
        )
        .await?;
        insert_event(
            &mut *tx,
            id,
            "info",
            &format!("run again as task #{new_id}"),
            now,
        )
        .await?;
        let task = Self::task_in(&mut *tx, new_id).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn get_task(&self, id: i64) -> Result<Task, StoreError> {
        let mut task = Self::task_in(&self.pool, id).await?;
        task.attempts = attempts_in(&self.pool, id).await?;
        Ok(task)
    }

    async fn list_tasks(&self, limit: i64) -> Result<Vec<Task>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn task_events_page(
        &self,
        id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<TaskEvent>, StoreError> {
        Self::task_in(&self.pool, id).await?;
        let rows = sqlx::query(
            "SELECT id, at, kind, message FROM task_events WHERE task_id = $1 AND id < $2 \
             ORDER BY id DESC LIMIT $3",
        )
        .bind(id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskEvent {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }

    async fn find_tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>, StoreError> {
        let mut binds = Binds::default();
        let mut conditions = vec![format!(
            "id < {}",
            binds.push(Bind::Int(filter.before.unwrap_or(i64::MAX)))
        )];
        if !filter.states.is_empty() {
            conditions.push(format!("state IN ({})", in_list(&filter.states)));
        }
        if !filter.workflows.is_empty() {
            let names: Vec<String> = filter
                .workflows
                .iter()
                .map(|w| binds.push(Bind::Text(Some(w.clone()))))
                .collect();
            conditions.push(format!("workflow IN ({})", names.join(", ")));
        }
        if let Some(since) = filter.since {
            conditions.push(format!("created_at >= {}", binds.push(Bind::Int(since))));
        }
        if let Some(text) = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let like = binds.push(Bind::Text(Some(like_pattern(text))));
            conditions.push(format!(
                "(LOWER(summary) LIKE {like} ESCAPE '\\' OR LOWER(params) LIKE {like} ESCAPE '\\')"
            ));
        }
        let limit = binds.push(Bind::Int(filter.limit.max(0)));
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE {} ORDER BY id DESC LIMIT {limit}",
            conditions.join(" AND ")
        );
        let rows = binds.query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn queue_figures(&self) -> Result<QueueFigures, StoreError> {
        let counts: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, COUNT(*) FROM tasks GROUP BY state")
                .fetch_all(&self.pool)
                .await?;
        let oldest_queued_at: Option<i64> =
            sqlx::query_scalar("SELECT MIN(created_at) FROM tasks WHERE state = 'queued'")
                .fetch_one(&self.pool)
                .await?;
        Ok(QueueFigures {
            by_state: TaskState::ALL
                .into_iter()
                .map(|state| {
                    let n = counts
                        .iter()
                        .find(|(s, _)| s == state.as_str())
                        .map_or(0, |(_, n)| *n);
                    (state, n)
                })
                .collect(),
            oldest_queued_at,
        })
    }

    async fn check_schema(&self) -> Result<SchemaCheck, StoreError> {
        let applied: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await?;
        Ok(SchemaCheck {
            applied,
            expected: self.newest_migration(),
        })
    }

    async fn task_times(&self, since: i64) -> Result<Vec<TaskTimes>, StoreError> {
        let rows = sqlx::query(
            "SELECT t.workflow, t.state, t.created_at, t.finished_at, t.bytes_done, \
             (SELECT MIN(a.started_at) FROM task_attempts a WHERE a.task_id = t.id) AS first_started_at \
             FROM tasks t WHERE t.created_at >= $1 OR t.finished_at >= $1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(TaskTimes {
                    workflow: r.try_get("workflow")?,
                    state: TaskState::parse(&state).ok_or_else(|| {
                        StoreError::Corrupt(format!("unknown task state {state:?}"))
                    })?,
                    created_at: r.try_get("created_at")?,
                    first_started_at: r.try_get("first_started_at")?,
                    finished_at: r.try_get("finished_at")?,
                    bytes_done: r.try_get::<i64, _>("bytes_done")?.max(0) as u64,
                })
            })
            .collect()
    }

    async fn claim_batch(
        &self,
        owner: &str,
        limit: usize,
        now: i64,
    ) -> Result<Vec<Task>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // One transaction (one commit, one fsync) and a few statements
        // however many tasks it takes: under load the commit, not the rows,
        // is what a claim costs. The transaction is serialized with every
        // other node's writes, so the path locks checked here cannot be
        // taken by another claim meanwhile.
        let claimable = in_list(&state::sources(Transition::Claim));
        let mut tx = self.write_tx().await?;
        // A few more than it may take: some may have to wait for a path
        // (those beyond are looked at by the next claim).
        let look_at = limit.saturating_add(16) as i64;
        let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "SELECT id, state, locks FROM tasks WHERE state IN ({claimable}) AND run_at <= $1 \
             ORDER BY claim_key, id LIMIT $2"
        ))
        .bind(now)
        .bind(look_at)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = rows
            .into_iter()
            .map(|(id, from, held)| {
                let state = TaskState::parse(&from)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown task state {from:?}")))?;
                Ok(Candidate {
                    id,
                    state,
                    locks: locks::parse(&held),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let any_locks = candidates.iter().any(|c| !c.locks.is_empty());
        let held = if any_locks {
            held_locks(&mut tx).await?
        } else {
            Vec::new()
        };
        let mut picked = Vec::new();
        let mut blocked = Vec::new();
        for (candidate, verdict) in decide(candidates, held, limit) {
            match verdict {
                Verdict::Take => picked.push((candidate.id, candidate.state)),
                Verdict::Wait { holder, path } => {
                    Self::block(&mut tx, candidate.id, holder, &path, now).await?;
                    blocked.push(candidate.id);
                }
            }
        }
        let tasks = if picked.is_empty() {
            Vec::new()
        } else {
            Self::start_attempts(&mut tx, &picked, owner, now).await?
        };
        tx.commit().await?;
        self.announce_ids(&blocked).await;
        Ok(tasks)
    }

    async fn update_progress(
        &self,
        id: i64,
        lease: Lease<'_>,
        p: &ProgressView,
        now: i64,
    ) -> Result<Task, StoreError> {
        let clamp = |n: u64| n.min(i64::MAX as u64) as i64;
        let updated = sqlx::query(
            "UPDATE tasks SET files_done = $1, files_total = $2, bytes_done = $3, bytes_total = $4, \
             current_item = $5, updated_at = $6, revision = revision + 1 \
             WHERE id = $7 AND state = 'running' AND owner = $8 AND attempt = $9",
        )
        .bind(clamp(p.files_done))
        .bind(p.files_total.map_or(UNKNOWN_TOTAL, clamp))
        .bind(clamp(p.bytes_done))
        .bind(clamp(p.bytes_total))
        .bind(&p.current)
        .bind(now)
        .bind(id)
        .bind(lease.owner)
        .bind(lease.attempt)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotOwner { id });
        }
        self.get_task(id).await
    }

    async fn log(&self, id: i64, kind: &str, message: &str, now: i64) -> Result<(), StoreError> {
        insert_event(&self.pool, id, kind, message, now).await
    }

    async fn finish(
        &self,
        id: i64,
        lease: Lease<'_>,
        finish: Finish,
        now: i64,
    ) -> Result<Task, StoreError> {
        let ending = Ending {
            id,
            owner: lease.owner.to_string(),
            attempt: lease.attempt,
            finish,
        };
        self.finish_batch(vec![ending], now)
            .await?
            .pop()
            .unwrap_or(Err(StoreError::TaskNotFound(id)))
    }

    async fn finish_batch(
        &self,
        ends: Vec<Ending>,
        now: i64,
    ) -> Result<Vec<Result<Task, StoreError>>, StoreError> {
        if ends.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write_tx().await?;
        let mut follow_ups = Vec::new();
        let current = states_of(&mut tx, &ends).await?;
        // Each end is refused now (a late or foreign attempt, an illegal
        // transition) or becomes a change; the changes are written by one
        // statement per table, however many.
        let mut answers: Vec<Option<Result<Task, StoreError>>> = Vec::with_capacity(ends.len());
        let mut changes = Vec::new();
        for end in &ends {
            match EndChange::checked(end, current.get(&end.id)) {
                Ok(change) => {
                    answers.push(None);
                    changes.push(change);
                }
                Err(e) => answers.push(Some(Err(e))),
            }
        }
        if !changes.is_empty() {
            let mut written = apply_ends(&mut tx, &changes, now).await?;
            let done: Vec<&EndChange> = changes
                .iter()
                .filter(|c| written.contains_key(&c.id))
                .collect();
            close_attempts(&mut tx, &done, now).await?;
            let lines: Vec<(i64, String)> = done
                .iter()
                .map(|c| (c.id, format!("{} → {}", c.from.as_str(), c.to.as_str())))
                .collect();
            let notes: Vec<(i64, String)> = done
                .iter()
                .filter_map(|c| Some((c.id, c.note.clone()?)))
                .collect();
            insert_events(&mut tx, &lines, "state", now).await?;
            insert_events(&mut tx, &notes, "info", now).await?;
            let ended = done.iter().map(|c| (c.id, c.to)).collect();
            follow_ups = self.settle(&mut tx, ended, now).await?;
            let mut changed = changes.iter();
            for answer in answers.iter_mut().filter(|a| a.is_none()) {
                if let Some(change) = changed.next() {
                    *answer = Some(
                        written
                            .remove(&change.id)
                            .ok_or(StoreError::NotOwner { id: change.id }),
                    );
                }
            }
        }
        tx.commit().await?;
        self.announce_ids(&follow_ups).await;
        Ok(answers
            .into_iter()
            .zip(&ends)
            .map(|(a, end)| a.unwrap_or(Err(StoreError::NotOwner { id: end.id })))
            .collect())
    }

    async fn request_cancel(&self, id: i64, now: i64) -> Result<(Task, CancelOutcome), StoreError> {
        let mut tx = self.write_tx().await?;
        let task = Self::task_in(&mut *tx, id).await?;
        let mut follow_ups = Vec::new();
        let outcome = match task.state {
            TaskState::Queued | TaskState::Retrying | TaskState::Waiting => {
                Self::transition(
                    &mut tx,
                    id,
                    Transition::Cancel,
                    now,
                    ", result = $3, finished_at = $4, waiting_on = NULL, waiting_path = NULL",
                    vec![
                        Bind::Text(Some(
                            "Cancelled before it started; nothing was changed.".into(),
                        )),
                        Bind::Int(now),
                    ],
                )
                .await?;
                follow_ups = self
                    .settle(&mut tx, vec![(id, TaskState::Cancelled)], now)
                    .await?;
                CancelOutcome::Cancelled
            }
            TaskState::Running => {
                sqlx::query("UPDATE tasks SET cancel_requested = 1, updated_at = $1, revision = revision + 1 WHERE id = $2")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                insert_event(&mut *tx, id, "info", "cancel requested", now).await?;
                CancelOutcome::Requested
            }
            other => {
                return Err(StoreError::IllegalTransition {
                    id,
                    source: state::IllegalTransition {
                        from: other.as_str(),
                        transition: Transition::Cancel,
                    },
                })
            }
        };
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        self.announce_ids(&follow_ups).await;
        Ok((task, outcome))
    }

    async fn heartbeat(
        &self,
        owner: &str,
        running: &[i64],
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mine: Vec<(i64, i64)> = sqlx::query_as(
            "UPDATE tasks SET heartbeat_at = $1 WHERE state = 'running' AND owner = $2 \
             RETURNING id, cancel_requested",
        )
        .bind(now)
        .bind(owner)
        .fetch_all(&self.pool)
        .await?;
        let mut stop: Vec<i64> = running
            .iter()
            .copied()
            .filter(|id| {
                mine.iter()
                    .find(|(m, _)| m == id)
                    .is_none_or(|(_, cancel)| *cancel != 0)
            })
            .collect();
        stop.sort_unstable();
        Ok(stop)
    }

    async fn recover_interrupted(
        &self,
        max_attempts: i64,
        sweeper: Sweeper<'_>,
        stale_before: i64,
        now: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let mut tx = self.write_tx().await?;
        // A task claimed before owners were recorded counts as the
        // restarted node's own.
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE state = 'running' \
             AND (COALESCE(heartbeat_at, updated_at) < $1 \
                  OR ($2 IS NOT NULL AND (owner = $2 OR owner IS NULL))) \
             ORDER BY id"
        ))
        .bind(stale_before)
        .bind(sweeper.restarted_node())
        .fetch_all(&mut *tx)
        .await?;
        let mut interrupted = Vec::new();
        for row in &rows {
            let owner: Option<String> = row.try_get("owner")?;
            let task = task_from_row(row)?;
            if !sweeper.runs(owner.as_deref(), task.id) {
                interrupted.push(task);
            }
        }
        let mut recovered = Vec::new();
        for task in interrupted {
            let note = "interrupted: the server stopped while this task was running";
            insert_event(&mut *tx, task.id, "info", note, now).await?;
            end_attempt(
                &mut tx,
                task.id,
                task.attempt,
                "interrupted",
                Some(note),
                now,
            )
            .await?;
            if task.cancel_requested {
                Self::transition(
                    &mut tx,
                    task.id,
                    Transition::Cancel,
                    now,
                    ", result = $3, finished_at = $4",
                    vec![
                        Bind::Text(Some(
                            "Cancelled; the server stopped while it was stopping.".into(),
                        )),
                        Bind::Int(now),
                    ],
                )
                .await?;
            } else if task.attempt >= max_attempts {
                Self::transition(&mut tx, task.id, Transition::Fail, now,
                    ", error = $3, finished_at = $4",
                    vec![Bind::Text(Some(format!("The server stopped during each of {} attempts; not retrying. Check the task log.", task.attempt))), Bind::Int(now)]).await?;
            } else {
                Self::transition(&mut tx, task.id, Transition::Requeue, now, "", vec![]).await?;
            }
            recovered.push(Self::task_in(&mut *tx, task.id).await?);
        }
        let ended = recovered.iter().map(|t| (t.id, t.state)).collect();
        let mut follow_ups = self.settle(&mut tx, ended, now).await?;
        follow_ups.extend(self.settle_stale_waits(&mut tx, now).await?);
        tx.commit().await?;
        self.announce_ids(&follow_ups).await;
        Ok(recovered)
    }

    async fn idempotency_begin(
        &self,
        key: &str,
        scope: &str,
        times: IdempotencyTimes,
    ) -> Result<Idempotency, StoreError> {
        let IdempotencyTimes {
            now,
            stale_before,
            expire_before,
        } = times;
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(expire_before)
            .execute(&mut *tx)
            .await?;
        let row: Option<(Option<i64>, Option<String>, i64)> = sqlx::query_as(
            "SELECT status, body, created_at FROM idempotency_keys WHERE key = $1 AND scope = $2",
        )
        .bind(key)
        .bind(scope)
        .fetch_optional(&mut *tx)
        .await?;
        let found = match row {
            Some((Some(status), Some(body), _)) => Idempotency::Answered {
                status: u16::try_from(status).unwrap_or(500),
                body,
            },
            Some((_, _, created_at)) if created_at >= stale_before => Idempotency::InFlight,
            Some(_) => {
                // Its request never answered (its server died): take it over.
                sqlx::query(
                    "UPDATE idempotency_keys SET created_at = $1 WHERE key = $2 AND scope = $3",
                )
                .bind(now)
                .bind(key)
                .bind(scope)
                .execute(&mut *tx)
                .await?;
                Idempotency::First
            }
            None => {
                sqlx::query(
                    "INSERT INTO idempotency_keys (key, scope, created_at) VALUES ($1, $2, $3)",
                )
                .bind(key)
                .bind(scope)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Idempotency::First
            }
        };
        tx.commit().await?;
        Ok(found)
    }

    async fn idempotency_finish(
        &self,
        key: &str,
        scope: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, body = $2 WHERE key = $3 AND scope = $4",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(key)
        .bind(scope)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn idempotency_forget(&self, key: &str, scope: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE key = $1 AND scope = $2")
            .bind(key)
            .bind(scope)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{stored_total, UNKNOWN_TOTAL};

    #[test]
    fn an_unknown_file_total_reads_back_as_unknown() {
        assert_eq!(stored_total(UNKNOWN_TOTAL, 30), None);
        // Stored as 0 by earlier versions while a backup walked.
        assert_eq!(stored_total(0, 30), None);
        assert_eq!(stored_total(0, 0), Some(0));
        assert_eq!(stored_total(40, 30), Some(40));
    }
}
