//! Users and the audit log: `/api/users` and `/api/audit`, for admins (the
//! gate's role table says so).

use app::api::{AuditEntryView, AuditQuery, NewUser, UserChange, UserView};
use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::people::{check_name, password, Role};
use crate::store::{AuditFilter, User};

/// A user for the API, with the password when Tend made one up.
fn view(user: User, made_up: Option<String>) -> UserView {
    UserView {
        id: user.id,
        name: user.name,
        role: user.role.as_str().into(),
        disabled: user.disabled,
        created_at: user.created_at,
        password: made_up,
    }
}

fn role(name: &str) -> Result<Role, ApiError> {
    Role::parse(name).ok_or_else(|| {
        invalid(format!(
            "There is no role {name:?}: the roles are admin, operator and viewer."
        ))
    })
}

fn invalid(message: impl ToString) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_user",
        message: message.to_string(),
    }
}

/// A password given, checked, or one made up; with whether it was made up.
fn password_for(given: Option<String>) -> Result<(String, bool), ApiError> {
    match given {
        Some(p) => {
            password::check_new(&p).map_err(invalid)?;
            Ok((p, false))
        }
        None => Ok((password::generate(), true)),
    }
}

/// `password`'s argon2id hash, made off the async runtime (it takes tens
/// of milliseconds of CPU on purpose).
async fn hashed(password: &str) -> Result<String, ApiError> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// `GET /api/users`
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = state.store.list_users().await?;
    Ok(Json(users.into_iter().map(|u| view(u, None)).collect()))
}

/// `POST /api/users {"name", "role", "password"?}`
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<impl IntoResponse, ApiError> {
    let name = check_name(&new.name).map_err(invalid)?;
    let new_role = role(&new.role)?;
    let (password, made_up) = password_for(new.password)?;
    let user = state
        .store
        .add_user(&name, new_role, &hashed(&password).await?, crate::now_ms())
        .await?;
    state.access.people_added();
    record(
        &state,
        &caller,
        action::USER_ADDED,
        format!("added {} as {}", user.name, user.role.as_str()),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        [(CACHE_CONTROL, "no-store")],
        Json(view(user, made_up.then_some(password))),
    ))
}

/// `PATCH /api/users/{id} {"role"?, "disabled"?, "password"?, "reset_password"?}`
pub async fn change(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<UserChange>,
) -> Result<impl IntoResponse, ApiError> {
    let new_role = change.role.as_deref().map(role).transpose()?;
    let mut user = state.store.get_user(id).await?;
    let yourself = caller
        .name
        .as_deref()
        .is_some_and(|n| n.eq_ignore_ascii_case(&user.name));
    let demoted = new_role.is_some_and(|r| r != Role::Admin);
    if yourself && (change.disabled == Some(true) || demoted) {
        return Err(ApiError::Conflict {
            code: "own_account",
            message:
                "You cannot disable yourself or give up your own admin role: another admin can."
                    .into(),
        });
    }
    let mut done = Vec::new();
    if let Some(role) = new_role.filter(|r| *r != user.role) {
        user = state.store.set_role(id, role).await?;
        done.push(format!("role {}", role.as_str()));
    }
    let new_password = match (change.password, change.reset_password) {
        (Some(p), _) => Some(password_for(Some(p))?),
        (None, true) => Some(password_for(None)?),
        (None, false) => None,
    };
    if let Some((password, _)) = &new_password {
        let keep = if yourself {
            caller.session.as_deref()
        } else {
            None
        };
        state
            .store
            .set_password(id, &hashed(password).await?, crate::now_ms(), keep)
            .await?;
        done.push("password changed, other sessions ended".into());
    }
    if let Some(disabled) = change.disabled.filter(|d| *d != user.disabled) {
        user = state
            .store
            .set_disabled(id, disabled, crate::now_ms())
            .await?;
        done.push(
            if disabled {
                "disabled, sessions ended"
            } else {
                "enabled"
            }
            .into(),
        );
    }
    if !done.is_empty() {
        record(
            &state,
            &caller,
            action::USER_CHANGED,
            format!("{}: {}", user.name, done.join(", ")),
        )
        .await;
    }
    Ok((
        [(CACHE_CONTROL, "no-store")],
        Json(view(
            user,
            new_password.and_then(|(p, made_up)| made_up.then_some(p)),
        )),
    ))
}

/// `GET /api/audit?limit=&before=&user=&action=&since=&until=`: newest
/// first; `before` is the last id of the page before.
pub async fn audit(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    let filter = AuditFilter {
        limit: q.limit.unwrap_or(100).clamp(1, 1000),
        before: q.before,
        user: q.user.filter(|u| !u.is_empty()),
        action: q.action.filter(|a| !a.is_empty()),
        since: q.since,
        until: q.until,
    };
    let entries = state.store.list_audit(&filter).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntryView {
                id: e.id,
                at: e.at,
                user: e.user,
                address: e.address,
                action: e.action,
                detail: e.detail,
            })
            .collect(),
    ))
}
