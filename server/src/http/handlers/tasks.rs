use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use app::api::TaskView;

use crate::http::extract::{ApiPath, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::store::CancelOutcome;

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
}

/// `GET /api/tasks?limit=N`: newest first.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.store.list_tasks(limit).await?))
}

/// `GET /api/tasks/{id}`
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(state.store.get_task(id).await?))
}

/// `GET /api/tasks/{id}/events`: the task's log.
pub async fn events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let events = state.store.task_events(id).await?;
    Ok(Json(json!({"task_id": id, "events": events})))
}

/// `POST /api/tasks/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let (task, outcome) = state.workers.cancel(id).await?;
    let outcome = match outcome {
        CancelOutcome::Cancelled => "cancelled",
        CancelOutcome::Requested => "cancel_requested",
    };
    Ok(Json(json!({"task": task, "outcome": outcome})))
}

/// `POST /api/tasks/{id}/retry`: runs a failed or cancelled task again, as
/// a new task (the old one stays as it ended); 409 `not_retryable` for any
/// other.
pub async fn retry(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let task = state.workers.retry(id).await?;
    Ok(Json(json!({"task": task, "retry_of": id})))
}
