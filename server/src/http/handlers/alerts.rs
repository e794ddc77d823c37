//! Alerts and where they go: `/api/alerts`, `/api/notifications`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use app::api::{AlertView, NewTarget, TargetKind, TargetView};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;

#[derive(Deserialize)]
pub struct AlertsQuery {
    /// Dismissed ones too.
    #[serde(default)]
    all: bool,
    limit: Option<i64>,
}

/// `GET /api/alerts?all=true&limit=50`: newest first; without `all`, only
/// those nobody has dismissed.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AlertsQuery>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    Ok(Json(state.store.list_alerts(q.all, limit).await?))
}

/// `POST /api/alerts/{id}/dismiss`
pub async fn dismiss(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AlertView>, ApiError> {
    Ok(Json(state.alerts.dismiss(id).await?))
}

/// `GET /api/notifications`: where alerts go (tokens never shown).
pub async fn targets(State(state): State<AppState>) -> Result<Json<Vec<TargetView>>, ApiError> {
    let targets = state.alerts.targets().await?;
    Ok(Json(targets.into_iter().map(|t| t.view).collect()))
}

/// `POST /api/notifications` `{"kind": "ntfy", "url": "https://ntfy.sh/my-topic"}`
pub async fn add_target(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(target): ApiJson<NewTarget>,
) -> Result<(StatusCode, Json<TargetView>), ApiError> {
    let target = checked(target)?;
    let view = state.store.add_target(&target, crate::now_ms()).await?;
    // The URL, never the token.
    record(
        &state,
        &caller,
        action::TARGET_ADDED,
        format!("{} {}", view.kind.as_str(), view.url),
    )
    .await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `DELETE /api/notifications/{id}`
pub async fn delete_target(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    state.store.delete_target(id).await?;
    record(
        &state,
        &caller,
        action::TARGET_DELETED,
        format!("target #{id}"),
    )
    .await;
    Ok(Json(serde_json::json!({"deleted": id})))
}

fn checked(mut target: NewTarget) -> Result<NewTarget, ApiError> {
    let invalid = |message: String| ApiError::BadRequest {
        code: "target_invalid",
        message,
    };
    target.url = target.url.trim().to_string();
    let url = reqwest::Url::parse(&target.url).map_err(|e| {
        invalid(format!(
            "\"{}\" is not a URL Tend can post to ({e}); write it like https://ntfy.sh/my-topic.",
            target.url
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(format!(
            "\"{}\" must be an http:// or https:// address.",
            target.url
        )));
    }
    target.token = target
        .token
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if target.kind == TargetKind::Gotify && target.token.is_none() {
        return Err(invalid(
            "A Gotify target needs its application token (Gotify → Apps → create one).".into(),
        ));
    }
    Ok(target)
}
