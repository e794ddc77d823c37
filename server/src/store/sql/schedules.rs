//! [`ScheduleStore`] on SQL (table in `migrations/*/0003_schedules.sql`).

use async_trait::async_trait;
use sqlx::Row;

use app::api::ScheduleView;

use super::{insert_event, insert_task, SqlStore};
use crate::domain::cron::{describe, local_time, next_run_ms};
use crate::store::{Fired, NewTask, RunParams, ScheduleStore, StoreError};

const COLUMNS: &str = "id, workflow, summary, cron, active, next_run_at, last_run_at, \
    last_task_id, runs, created_at, updated_at, last_success_at";

/// Stores the schedule a confirmed plan makes, its first run ahead of `now`;
/// part of the confirming transaction.
pub(crate) async fn insert_schedule(
    tx: &mut sqlx::AnyConnection,
    plan_id: &str,
    cron: &str,
    task: &NewTask,
    now: i64,
) -> Result<i64, StoreError> {
    let first = next_run_ms(cron, now)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .ok_or_else(|| StoreError::Corrupt(format!("the schedule {cron:?} never runs")))?;
    if !task.depends_on.is_empty() {
        return Err(StoreError::ScheduleCannotWait);
    }
    let params =
        serde_json::to_string(&task.params).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = sqlx::query(
        "INSERT INTO schedules (plan_id, cron, workflow, summary, params, next_run_at, created_at, \
         updated_at, priority, locks) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(plan_id)
    .bind(cron)
    .bind(&task.workflow)
    .bind(&task.summary)
    .bind(params)
    .bind(first)
    .bind(now)
    .bind(now)
    .bind(task.priority.as_str())
    .bind(crate::store::locks::to_text(&task.locks))
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    Ok(id)
}

pub(crate) async fn schedule_in<'e, E>(executor: E, id: i64) -> Result<ScheduleView, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM schedules WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?
        .ok_or(StoreError::ScheduleNotFound(id))?;
    from_row(&row)
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<ScheduleView, StoreError> {
    let cron: String = row.try_get("cron")?;
    let active = row.try_get::<i64, _>("active")? != 0;
    Ok(ScheduleView {
        id: row.try_get("id")?,
        workflow: row.try_get("workflow")?,
        summary: row.try_get("summary")?,
        description: describe(&cron),
        cron,
        active,
        next_run_at: if active {
            Some(row.try_get("next_run_at")?)
        } else {
            None
        },
        last_run_at: row.try_get("last_run_at")?,
        last_task_id: row.try_get("last_task_id")?,
        runs: row.try_get("runs")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        last_success_at: row.try_get("last_success_at")?,
    })
}

#[async_trait]
impl ScheduleStore for SqlStore {
    async fn list_schedules(&self) -> Result<Vec<ScheduleView>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM schedules ORDER BY active DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn get_schedule(&self, id: i64) -> Result<ScheduleView, StoreError> {
        schedule_in(self.pool(), id).await
    }

    async fn reschedule(
        &self,
        id: i64,
        cron: &str,
        next_run_at: i64,
        now: i64,
    ) -> Result<ScheduleView, StoreError> {
        let mut tx = self.write_tx().await?;
        // Firing is guarded on the old next run, so a run that was about to
        // be queued at the old time is not queued once this commits.
        let moved = sqlx::query(
            "UPDATE schedules SET cron = $1, next_run_at = $2, updated_at = $3 \
             WHERE id = $4 AND active = 1",
        )
        .bind(cron)
        .bind(next_run_at)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let schedule = schedule_in(&mut *tx, id).await?;
        if moved.rows_affected() != 1 {
            return Err(StoreError::ScheduleStopped(id));
        }
        tx.commit().await?;
        Ok(schedule)
    }

    async fn stop_schedule(&self, id: i64, now: i64) -> Result<ScheduleView, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE schedules SET active = 0, updated_at = $1 WHERE id = $2 AND active = 1",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let schedule = schedule_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(schedule)
    }

    async fn purge_stopped_schedules(&self, stopped_before: i64) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        // Their runs' tasks stay, no longer tied to a schedule that is gone.
        sqlx::query(
            "UPDATE tasks SET schedule_id = NULL WHERE schedule_id IN \
             (SELECT id FROM schedules WHERE active = 0 AND updated_at < $1)",
        )
        .bind(stopped_before)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM schedules WHERE active = 0 AND updated_at < $1")
            .bind(stopped_before)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    async fn due_schedules(&self, now: i64) -> Result<Vec<ScheduleView>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE active = 1 AND next_run_at <= $1 \
             ORDER BY next_run_at, id"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn next_due_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_run_at) FROM schedules WHERE active = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    async fn fire_schedule(
        &self,
        id: i64,
        due_at: i64,
        following: Option<i64>,
        now: i64,
        run_params: RunParams<'_>,
    ) -> Result<Fired, StoreError> {
        let mut tx = self.write_tx().await?;
        let Some(row) = sqlx::query(
            "SELECT workflow, summary, params, last_task_id, priority, locks FROM schedules \
             WHERE id = $1 AND active = 1 AND next_run_at = $2",
        )
        .bind(id)
        .bind(due_at)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(Fired::NotDue);
        };
        // Moving the time on first, guarded on its old value, is what makes
        // this run happen once even when two servers fire it together.
        let moved = sqlx::query(
            "UPDATE schedules SET next_run_at = $1, active = $2, updated_at = $3 \
             WHERE id = $4 AND active = 1 AND next_run_at = $5",
        )
        .bind(following.unwrap_or(due_at))
        .bind(following.is_some() as i64)
        .bind(now)
        .bind(id)
        .bind(due_at)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() != 1 {
            return Ok(Fired::NotDue);
        }
        if let Some(last) = row.try_get::<Option<i64>, _>("last_task_id")? {
            let task = SqlStore::task_in(&mut *tx, last).await?;
            if !task.state.is_terminal() {
                let note = format!(
                    "schedule #{id}: the run due at {} was skipped because this one had not finished",
                    local_time(due_at)
                );
                insert_event(&mut *tx, last, "warning", &note, now).await?;
                let schedule = schedule_in(&mut *tx, id).await?;
                tx.commit().await?;
                return Ok(Fired::Skipped {
                    schedule,
                    running_task: last,
                });
            }
        }
        let params_text: String = row.try_get("params")?;
        let params = serde_json::from_str(&params_text)
            .map_err(|e| StoreError::Corrupt(format!("schedule #{id} parameters: {e}")))?;
        let params = run_params(params)
            .map_err(|e| StoreError::Corrupt(format!("schedule #{id} parameters: {e}")))?;
        let summary: String = row.try_get("summary")?;
        let task = NewTask {
            workflow: row.try_get("workflow")?,
            summary: format!("{summary} (schedule #{id})"),
            params,
            timeout_secs: None,
            priority: crate::store::Priority::parse(&row.try_get::<String, _>("priority")?)
                .unwrap_or_default(),
            locks: crate::store::locks::parse(&row.try_get::<String, _>("locks")?),
            depends_on: Vec::new(),
            schedule_id: Some(id),
        };
        let task_id = match insert_task(&mut tx, &task, self.queue, now).await {
            Err(StoreError::QueueFull { queued, limit }) => {
                // The time was moved on above: this run is skipped, not
                // retried at every look.
                let why = format!(
                    "the run due at {} was skipped: the queue is full ({queued} tasks wait; max_queued = {limit})",
                    local_time(due_at)
                );
                let schedule = schedule_in(&mut *tx, id).await?;
                tx.commit().await?;
                return Ok(Fired::QueueFull { schedule, why });
            }
            other => other?,
        };
        sqlx::query(
            "UPDATE schedules SET last_run_at = $1, last_task_id = $2, runs = runs + 1 WHERE id = $3",
        )
        .bind(now)
        .bind(task_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let task = SqlStore::task_in(&mut *tx, task_id).await?;
        let schedule = schedule_in(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(Fired::Queued { schedule, task })
    }
}
