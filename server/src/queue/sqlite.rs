//! The embedded SQLite store: one file under the data directory, WAL mode,
//! every state change in a transaction.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use super::state::{self, TaskState, Transition};
use super::store::{
    ensure_open, CancelOutcome, Confirmed, Finish, NewPlan, NewTask, PlanRecord, PlanState,
    ProgressView, Store, StoreError, Task, TaskEvent,
};

/// A value for the extra columns a transition sets.
enum Bind {
    Int(i64),
    Text(Option<String>),
}

pub struct SqliteStore {
    pool: SqlitePool,
}

const TASK_COLUMNS: &str = "id, workflow, summary, params, state, attempt, cancel_requested, \
    files_done, files_total, bytes_done, bytes_total, current_item, error, result, \
    created_at, updated_at, revision";

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a confirmed task must survive a power cut, not just a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    /// A transaction that will write. `BEGIN IMMEDIATE` takes the write lock
    /// at the start: a plain (deferred) transaction that reads first and
    /// writes later fails at once with "database is locked" when another
    /// connection wrote in between, whatever the busy timeout; this one
    /// waits its turn instead.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// The connection pool, for the other stores that share this database.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) async fn task_in<'e, E>(executor: E, id: i64) -> Result<Task, StoreError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
    {
        let row = sqlx::query(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?"))
            .bind(id)
            .fetch_optional(executor)
            .await?
            .ok_or(StoreError::TaskNotFound(id))?;
        task_from_row(&row)
    }

    /// Moves task `id` by `transition`, guarded on its current state so a
    /// concurrent change is never overwritten.
    async fn transition(
        tx: &mut sqlx::SqliteConnection,
        id: i64,
        transition: Transition,
        now: i64,
        extra_sql: &str,
        binds: Vec<Bind>,
    ) -> Result<(TaskState, TaskState), StoreError> {
        let current = Self::task_in(&mut *tx, id).await?;
        let next = state::apply(current.state, transition)
            .map_err(|source| StoreError::IllegalTransition { id, source })?;
        let sql = format!(
            "UPDATE tasks SET state = ?, updated_at = ?, revision = revision + 1{extra_sql} \
             WHERE id = ? AND state = ?"
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

pub(crate) async fn insert_event<'e, E>(
    executor: E,
    id: i64,
    kind: &str,
    message: &str,
    now: i64,
) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Sqlite>,
{
    sqlx::query("INSERT INTO task_events (task_id, at, kind, message) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(now)
        .bind(kind)
        .bind(message)
        .execute(executor)
        .await?;
    Ok(())
}

pub(crate) async fn insert_task(
    tx: &mut sqlx::SqliteConnection,
    task: &NewTask,
    now: i64,
) -> Result<i64, StoreError> {
    let params =
        serde_json::to_string(&task.params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id: i64 = sqlx::query(
        "INSERT INTO tasks (workflow, summary, params, state, created_at, updated_at) \
         VALUES (?, ?, ?, 'queued', ?, ?) RETURNING id",
    )
    .bind(&task.workflow)
    .bind(&task.summary)
    .bind(params)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    insert_event(&mut *tx, id, "state", "created → queued", now).await?;
    Ok(id)
}

/// Pending → confirmed, recording what it made (`task_id` or `schedule_id`).
async fn mark_confirmed(
    tx: &mut sqlx::SqliteConnection,
    id: &str,
    column: &'static str,
    made: i64,
) -> Result<(), StoreError> {
    let updated = sqlx::query(&format!(
        "UPDATE plans SET state = 'confirmed', {column} = ? WHERE id = ? AND state = 'pending'"
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

fn task_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Task, StoreError> {
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
            files_total: count("files_total")?,
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
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_plan(&self, plan: NewPlan) -> Result<(), StoreError> {
        let view =
            serde_json::to_string(&plan.view).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let params = serde_json::to_string(&plan.task.params)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO plans (id, session, state, view, workflow, summary, params, created_at, expires_at, schedule) \
             VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_plan(&self, id: &str) -> Result<PlanRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, state, view, task_id, schedule_id, expires_at FROM plans WHERE id = ?",
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
        sqlx::query("UPDATE plans SET state = 'cancelled' WHERE id = ? AND state = 'pending'")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn confirm_plan(&self, id: &str, now: i64) -> Result<Confirmed, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT state, task_id, schedule_id, expires_at, workflow, summary, params, schedule \
             FROM plans WHERE id = ?",
        )
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
        let params_text: String = row.try_get("params")?;
        let task = NewTask {
            workflow: row.try_get("workflow")?,
            summary: row.try_get("summary")?,
            params: serde_json::from_str(&params_text)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        };
        let confirmed = match row.try_get::<Option<String>, _>("schedule")? {
            None => {
                let task_id = insert_task(&mut tx, &task, now).await?;
                mark_confirmed(&mut tx, id, "task_id", task_id).await?;
                Confirmed::Task(Self::task_in(&mut *tx, task_id).await?)
            }
            Some(cron) => {
                let schedule_id =
                    crate::schedule::insert_schedule(&mut tx, id, &cron, &task, now).await?;
                mark_confirmed(&mut tx, id, "schedule_id", schedule_id).await?;
                Confirmed::Schedule(crate::schedule::schedule_in(&mut *tx, schedule_id).await?)
            }
        };
        tx.commit().await?;
        Ok(confirmed)
    }

    async fn enqueue(&self, task: NewTask, now: i64) -> Result<Task, StoreError> {
        let mut tx = self.write_tx().await?;
        let id = insert_task(&mut tx, &task, now).await?;
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn get_task(&self, id: i64) -> Result<Task, StoreError> {
        Self::task_in(&self.pool, id).await
    }

    async fn list_tasks(&self, limit: i64) -> Result<Vec<Task>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks ORDER BY id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_from_row).collect()
    }

    async fn task_events(&self, id: i64) -> Result<Vec<TaskEvent>, StoreError> {
        Self::task_in(&self.pool, id).await?;
        let rows =
            sqlx::query("SELECT at, kind, message FROM task_events WHERE task_id = ? ORDER BY id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(TaskEvent {
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }

    async fn claim_next(&self, now: i64) -> Result<Option<Task>, StoreError> {
        let mut tx = self.write_tx().await?;
        let next: Option<i64> =
            sqlx::query_scalar("SELECT id FROM tasks WHERE state = 'queued' ORDER BY id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = next else {
            return Ok(None);
        };
        Self::transition(
            &mut tx,
            id,
            Transition::Claim,
            now,
            ", attempt = attempt + 1, started_at = ?, error = NULL",
            vec![Bind::Int(now)],
        )
        .await?;
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(Some(task))
    }

    async fn update_progress(
        &self,
        id: i64,
        p: &ProgressView,
        now: i64,
    ) -> Result<Task, StoreError> {
        let clamp = |n: u64| n.min(i64::MAX as u64) as i64;
        sqlx::query(
            "UPDATE tasks SET files_done = ?, files_total = ?, bytes_done = ?, bytes_total = ?, \
             current_item = ?, updated_at = ?, revision = revision + 1 WHERE id = ?",
        )
        .bind(clamp(p.files_done))
        .bind(clamp(p.files_total))
        .bind(clamp(p.bytes_done))
        .bind(clamp(p.bytes_total))
        .bind(&p.current)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.get_task(id).await
    }

    async fn log(&self, id: i64, kind: &str, message: &str, now: i64) -> Result<(), StoreError> {
        insert_event(&self.pool, id, kind, message, now).await
    }

    async fn finish(&self, id: i64, finish: Finish, now: i64) -> Result<Task, StoreError> {
        let (transition, error, result) = match finish {
            Finish::Succeeded { result } => (Transition::Succeed, None, Some(result)),
            Finish::Failed { error, result } => (Transition::Fail, Some(error), result),
            Finish::Cancelled { result } => (Transition::Cancel, None, Some(result)),
        };
        let mut tx = self.write_tx().await?;
        Self::transition(
            &mut tx,
            id,
            transition,
            now,
            ", error = ?, result = ?, finished_at = ?, current_item = NULL",
            vec![Bind::Text(error), Bind::Text(result), Bind::Int(now)],
        )
        .await?;
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(task)
    }

    async fn request_cancel(&self, id: i64, now: i64) -> Result<(Task, CancelOutcome), StoreError> {
        let mut tx = self.write_tx().await?;
        let task = Self::task_in(&mut *tx, id).await?;
        let outcome = match task.state {
            TaskState::Queued => {
                Self::transition(
                    &mut tx,
                    id,
                    Transition::Cancel,
                    now,
                    ", result = ?, finished_at = ?",
                    vec![
                        Bind::Text(Some(
                            "Cancelled before it started; nothing was changed.".into(),
                        )),
                        Bind::Int(now),
                    ],
                )
                .await?;
                CancelOutcome::Cancelled
            }
            TaskState::Running => {
                sqlx::query("UPDATE tasks SET cancel_requested = 1, updated_at = ?, revision = revision + 1 WHERE id = ?")
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
                    source: super::IllegalTransition {
                        from: other.as_str(),
                        transition: Transition::Cancel,
                    },
                })
            }
        };
        let task = Self::task_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok((task, outcome))
    }

    async fn recover_interrupted(
        &self,
        max_attempts: i64,
        now: i64,
    ) -> Result<Vec<Task>, StoreError> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(&format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE state = 'running' ORDER BY id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let interrupted: Vec<Task> = rows.iter().map(task_from_row).collect::<Result<_, _>>()?;
        let mut recovered = Vec::new();
        for task in interrupted {
            let note = "interrupted: the server stopped while this task was running";
            insert_event(&mut *tx, task.id, "info", note, now).await?;
            if task.cancel_requested {
                Self::transition(
                    &mut tx,
                    task.id,
                    Transition::Cancel,
                    now,
                    ", result = ?, finished_at = ?",
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
                    ", error = ?, finished_at = ?",
                    vec![Bind::Text(Some(format!("The server stopped during each of {} attempts; not retrying. Check the task log.", task.attempt))), Bind::Int(now)]).await?;
            } else {
                Self::transition(&mut tx, task.id, Transition::Requeue, now, "", vec![]).await?;
            }
            recovered.push(Self::task_in(&mut *tx, task.id).await?);
        }
        tx.commit().await?;
        Ok(recovered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        (dir, SqliteStore::open(&url).await.unwrap())
    }

    fn new_task() -> NewTask {
        NewTask {
            workflow: "cleanup".into(),
            summary: "test".into(),
            params: json!({"directory": "/x"}),
        }
    }

    #[tokio::test]
    async fn claim_runs_oldest_first_and_once() {
        let (_d, s) = store().await;
        let a = s.enqueue(new_task(), 1).await.unwrap();
        let b = s.enqueue(new_task(), 2).await.unwrap();
        let first = s.claim_next(3).await.unwrap().unwrap();
        assert_eq!(first.id, a.id);
        assert_eq!(first.state, TaskState::Running);
        assert_eq!(first.attempt, 1);
        assert_eq!(s.claim_next(4).await.unwrap().unwrap().id, b.id);
        assert!(s.claim_next(5).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn finished_tasks_cannot_change() {
        let (_d, s) = store().await;
        let t = s.enqueue(new_task(), 1).await.unwrap();
        s.claim_next(2).await.unwrap();
        let done = s
            .finish(
                t.id,
                Finish::Succeeded {
                    result: "ok".into(),
                },
                3,
            )
            .await
            .unwrap();
        assert_eq!(done.state, TaskState::Succeeded);
        let again = s
            .finish(
                t.id,
                Finish::Failed {
                    error: "x".into(),
                    result: None,
                },
                4,
            )
            .await;
        assert!(matches!(again, Err(StoreError::IllegalTransition { .. })));
        assert!(s.request_cancel(t.id, 5).await.is_err());
        let log = s.task_events(t.id).await.unwrap();
        let states: Vec<_> = log
            .iter()
            .filter(|e| e.kind == "state")
            .map(|e| e.message.as_str())
            .collect();
        assert_eq!(
            states,
            [
                "created → queued",
                "queued → running",
                "running → succeeded"
            ]
        );
    }

    #[tokio::test]
    async fn cancel_queued_is_immediate_running_is_requested() {
        let (_d, s) = store().await;
        let queued = s.enqueue(new_task(), 1).await.unwrap();
        let running = s.enqueue(new_task(), 1).await.unwrap();
        // Claim order is by id, so claim `queued` first then cancel the other while queued.
        let (t, outcome) = s.request_cancel(running.id, 2).await.unwrap();
        assert_eq!(
            (t.state, outcome),
            (TaskState::Cancelled, CancelOutcome::Cancelled)
        );
        let claimed = s.claim_next(3).await.unwrap().unwrap();
        assert_eq!(claimed.id, queued.id);
        let (t, outcome) = s.request_cancel(queued.id, 4).await.unwrap();
        assert_eq!(
            (t.state, outcome),
            (TaskState::Running, CancelOutcome::Requested)
        );
        assert!(t.cancel_requested);
    }

    #[tokio::test]
    async fn crash_recovery_requeues_then_gives_up() {
        let (_d, s) = store().await;
        let t = s.enqueue(new_task(), 1).await.unwrap();
        s.claim_next(2).await.unwrap();
        let rec = s.recover_interrupted(2, 3).await.unwrap();
        assert_eq!(rec[0].state, TaskState::Queued);
        s.claim_next(4).await.unwrap();
        let rec = s.recover_interrupted(2, 5).await.unwrap();
        assert_eq!(rec[0].state, TaskState::Failed);
        assert!(s
            .get_task(t.id)
            .await
            .unwrap()
            .error
            .unwrap()
            .contains("2 attempts"));
    }

    #[tokio::test]
    async fn plans_confirm_once() {
        let (_d, s) = store().await;
        let view = app::api::PlanView {
            plan_id: "p1".into(),
            intent: "cleanup".into(),
            workflow: "cleanup".into(),
            summary: "s".into(),
            parameters: vec![],
            preview: app::api::PreviewView {
                file_count: 0,
                total_bytes: 0,
                sample_paths: vec![],
                warnings: vec![],
            },
            expires_at: 100,
            editable: vec![],
            command: String::new(),
            slots: serde_json::Value::Null,
            schedule: None,
        };
        s.insert_plan(NewPlan {
            id: "p1".into(),
            session: None,
            view: view.clone(),
            task: new_task(),
            created_at: 1,
        })
        .await
        .unwrap();
        assert!(matches!(
            s.confirm_plan("p1", 101).await,
            Err(StoreError::PlanExpired)
        ));
        let Confirmed::Task(task) = s.confirm_plan("p1", 50).await.unwrap() else {
            panic!("a plan without a schedule queues a task");
        };
        assert_eq!(task.state, TaskState::Queued);
        assert!(
            matches!(s.confirm_plan("p1", 51).await, Err(StoreError::PlanAlreadyConfirmed(id)) if id == task.id)
        );
        assert!(matches!(
            s.confirm_plan("nope", 51).await,
            Err(StoreError::PlanNotFound(_))
        ));
        s.insert_plan(NewPlan {
            id: "p2".into(),
            session: None,
            view,
            task: new_task(),
            created_at: 1,
        })
        .await
        .unwrap();
        s.cancel_plan("p2", 2).await.unwrap();
        assert!(matches!(
            s.confirm_plan("p2", 3).await,
            Err(StoreError::PlanCancelled)
        ));
    }
}
