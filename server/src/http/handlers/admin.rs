//! The session and the admin's secrets. Both sit behind the sign-in gate
//! (`http::auth`): without an admin token Tend is reachable from this
//! machine only.

use axum::extract::State;
use axum::http::header::CACHE_CONTROL;
use axum::response::IntoResponse;
use axum::Json;

use app::api::{AllowedRootView, BackupPasswordView, SessionView};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::workflows::backup::repository;

pub async fn session(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<SessionView>, ApiError> {
    let allowed_roots = state
        .planner
        .env
        .policy()
        .roots_now()
        .into_iter()
        .map(|root| AllowedRootView {
            path: root.configured.display().to_string(),
            present: root.resolved.is_some(),
        })
        .collect();
    Ok(Json(SessionView {
        sign_in: state.access.sign_in_required(&*state.store).await?,
        user: caller.label(),
        role: caller.role.as_str().into(),
        allowed_roots,
    }))
}

/// The backup repositories' password, so an admin can keep a copy and
/// restore with restic alone. Read, never generated here (the first backup
/// does that), never cached, and every reveal is logged.
pub async fn backup_password(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    let secrets = state.config.secrets_dir();
    let file = repository::password_path(&secrets);
    let password = repository::existing_password(&secrets)
        .map_err(|e| ApiError::Internal(format!("cannot read {}: {e}", file.display())))?;
    let advice = match password {
        Some(_) => {
            tracing::info!(file = %file.display(), "the backup password was shown to an admin");
            record(
                &state,
                &caller,
                action::PASSWORD_REVEALED,
                file.display().to_string(),
            )
            .await;
            "Keep a copy somewhere other than this server and its backups: without it no backup can be restored, by Tend or by restic (restic -r REPOSITORY --password-file FILE restore latest --target DIR). Anyone who has it can read every backup."
        }
        None => {
            "No backup repository has been made yet; the password is generated with the first one."
        }
    };
    Ok((
        [(CACHE_CONTROL, "no-store")],
        Json(BackupPasswordView {
            password,
            file: file.display().to_string(),
            advice: advice.to_string(),
        }),
    ))
}
