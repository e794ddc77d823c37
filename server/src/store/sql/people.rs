//! [`PeopleStore`] on SQL (tables in `migrations/*/0008_people.sql`).

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::people::Role;
use crate::store::{AuditEntry, AuditFilter, NewAuditEntry, PeopleStore, StoreError, User};

const USER_COLUMNS: &str = "id, name, role, disabled_at, created_at";
const AUDIT_COLUMNS: &str = "id, at, user_name, address, action, detail";

/// A session is marked seen at most this often (ms): often enough to show
/// when a browser was last active, rarely enough that requests read only.
const SEEN_EVERY_MS: i64 = 60_000;

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    let disabled_at: Option<i64> = row.try_get("disabled_at")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role:?}")))?,
        disabled: disabled_at.is_some(),
        created_at: row.try_get("created_at")?,
    })
}

fn audit_from_row(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        user: row.try_get("user_name")?,
        address: row.try_get("address")?,
        action: row.try_get("action")?,
        detail: row.try_get("detail")?,
    })
}

/// What names are unique by and looked up by. Names are ASCII
/// ([`crate::people::check_name`]), so this is SQL's `LOWER` too.
fn name_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// The `LIKE` pattern of the actions beginning with `prefix`.
fn prefix_pattern(prefix: &str) -> String {
    format!("{}%", super::escape_like(prefix))
}

/// Ends `user_id`'s sessions but `except`; how many.
async fn delete_sessions<'e, E>(
    executor: E,
    user_id: i64,
    except: Option<&str>,
) -> Result<u64, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2 IS NULL OR token_hash <> $2)")
            .bind(user_id)
            .bind(except)
            .execute(executor)
            .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl PeopleStore for SqlStore {
    async fn add_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        now: i64,
    ) -> Result<User, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO users (name, name_key, role, password_hash, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {USER_COLUMNS}"
        ))
        .bind(name)
        .bind(name_key(name))
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(|e| match e.as_database_error() {
            Some(db) if db.is_unique_violation() => StoreError::UserExists(name.to_string()),
            _ => StoreError::Database(e),
        })?;
        user_from_row(&row)
    }

    async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.pool())
            .await?)
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY name_key, id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE name_key = $1"
        ))
        .bind(name_key(name))
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| Ok((user_from_row(&row)?, row.try_get("password_hash")?)))
            .transpose()
    }

    async fn get_user(&self, id: i64) -> Result<User, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::UserNotFound(id))?;
        user_from_row(&row)
    }

    async fn set_role(&self, id: i64, role: Role) -> Result<User, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE users SET role = $1 WHERE id = $2 RETURNING {USER_COLUMNS}"
        ))
        .bind(role.as_str())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::UserNotFound(id))?;
        user_from_row(&row)
    }

    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        now: i64,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::UserNotFound(id));
        }
        delete_sessions(&mut *tx, id, keep_session).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_disabled(&self, id: i64, disabled: bool, now: i64) -> Result<User, StoreError> {
        let mut tx = self.pool().begin().await?;
        let row = if disabled {
            // Disabled again: it stays disabled since the first time.
            sqlx::query(&format!(
                "UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2 \
                 RETURNING {USER_COLUMNS}"
            ))
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        } else {
            sqlx::query(&format!(
                "UPDATE users SET disabled_at = NULL WHERE id = $1 RETURNING {USER_COLUMNS}"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        };
        let user = user_from_row(&row.ok_or(StoreError::UserNotFound(id))?)?;
        if disabled {
            delete_sessions(&mut *tx, id, None).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await
        .map_err(|e| match e.as_database_error() {
            Some(db) if db.is_foreign_key_violation() => StoreError::UserNotFound(user_id),
            _ => StoreError::Database(e),
        })?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError> {
        let Some(row) = sqlx::query(
            "SELECT u.id, u.name, u.role, u.disabled_at, u.created_at, s.last_seen_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let last_seen_at: i64 = row.try_get("last_seen_at")?;
        if now - last_seen_at >= SEEN_EVERY_MS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(token_hash)
                .execute(self.pool())
                .await?;
        }
        user_from_row(&row).map(Some)
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn end_sessions_of(&self, user_id: i64, except: Option<&str>) -> Result<u64, StoreError> {
        delete_sessions(self.pool(), user_id, except).await
    }

    async fn prune_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO audit_log (at, user_name, address, action, detail) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(entry.at)
        .bind(entry.user)
        .bind(entry.address)
        .bind(entry.action)
        .bind(entry.detail)
        .fetch_one(self.pool())
        .await?)
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let (exact_action, action_prefix) = match filter.action.as_deref() {
            Some(prefix) if prefix.ends_with('.') => (None, Some(prefix_pattern(prefix))),
            Some(action) => (Some(action), None),
            None => (None, None),
        };
        let rows = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log \
             WHERE id < $1 \
             AND ($2 IS NULL OR LOWER(user_name) = $2) \
             AND ($3 IS NULL OR action = $3) \
             AND ($4 IS NULL OR action LIKE $4 ESCAPE '\\') \
             AND ($5 IS NULL OR at >= $5) \
             AND ($6 IS NULL OR at < $6) \
             ORDER BY id DESC LIMIT $7"
        ))
        .bind(filter.before.unwrap_or(i64::MAX))
        .bind(filter.user.as_deref().map(name_key))
        .bind(exact_action)
        .bind(action_prefix)
        .bind(filter.since)
        .bind(filter.until)
        .bind(filter.limit.max(0))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(audit_from_row).collect()
    }

    async fn prune_audit(&self, older_than: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(older_than)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
