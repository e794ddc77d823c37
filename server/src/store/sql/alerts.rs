//! [`AlertStore`] on SQL (tables in `migrations/*/0007_history.sql`).

use async_trait::async_trait;
use sqlx::Row;

use app::api::{AlertView, NewTarget, TargetKind, TargetView};

use super::SqlStore;
use crate::store::{AlertStore, NewAlert, StoreError, StoredTarget};

const ALERT_COLUMNS: &str = "id, event, task_id, schedule_id, message, at, dismissed_at";

fn alert_from_row(row: &sqlx::any::AnyRow) -> Result<AlertView, StoreError> {
    Ok(AlertView {
        id: row.try_get("id")?,
        event: row.try_get("event")?,
        task_id: row.try_get("task_id")?,
        schedule_id: row.try_get("schedule_id")?,
        message: row.try_get("message")?,
        at: row.try_get("at")?,
        dismissed_at: row.try_get("dismissed_at")?,
    })
}

fn target_from_row(row: &sqlx::any::AnyRow) -> Result<StoredTarget, StoreError> {
    let kind: String = row.try_get("kind")?;
    let token: Option<String> = row.try_get("token")?;
    Ok(StoredTarget {
        view: TargetView {
            id: Some(row.try_get("id")?),
            kind: TargetKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown target kind {kind:?}")))?,
            url: row.try_get("url")?,
            has_token: token.is_some(),
            from_config: false,
        },
        token,
    })
}

#[async_trait]
impl AlertStore for SqlStore {
    async fn raise_alert(
        &self,
        alert: NewAlert,
        now: i64,
    ) -> Result<Option<AlertView>, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO alerts (key, event, task_id, schedule_id, message, at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO NOTHING RETURNING {ALERT_COLUMNS}"
        ))
        .bind(&alert.key)
        .bind(alert.event)
        .bind(alert.task_id)
        .bind(alert.schedule_id)
        .bind(&alert.message)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(alert_from_row).transpose()
    }

    async fn list_alerts(&self, dismissed: bool, limit: i64) -> Result<Vec<AlertView>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts WHERE ($1 = 1 OR dismissed_at IS NULL) \
             ORDER BY id DESC LIMIT $2"
        ))
        .bind(dismissed as i64)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(alert_from_row).collect()
    }

    async fn dismiss_alert(&self, id: i64, now: i64) -> Result<AlertView, StoreError> {
        sqlx::query("UPDATE alerts SET dismissed_at = $1 WHERE id = $2 AND dismissed_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        self.get_alert(id).await
    }

    async fn get_alert(&self, id: i64) -> Result<AlertView, StoreError> {
        let row = sqlx::query(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::AlertNotFound(id))?;
        alert_from_row(&row)
    }

    async fn list_targets(&self) -> Result<Vec<StoredTarget>, StoreError> {
        let rows = sqlx::query("SELECT id, kind, url, token FROM notify_targets ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(target_from_row).collect()
    }

    async fn add_target(&self, target: &NewTarget, now: i64) -> Result<TargetView, StoreError> {
        let row = sqlx::query(
            "INSERT INTO notify_targets (kind, url, token, created_at) VALUES ($1, $2, $3, $4) \
             RETURNING id, kind, url, token",
        )
        .bind(target.kind.as_str())
        .bind(&target.url)
        .bind(&target.token)
        .bind(now)
        .fetch_one(self.pool())
        .await?;
        Ok(target_from_row(&row)?.view)
    }

    async fn delete_target(&self, id: i64) -> Result<(), StoreError> {
        let done = sqlx::query("DELETE FROM notify_targets WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::TargetNotFound(id));
        }
        Ok(())
    }
}
