use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use app::api::{CommandResponse, ConfirmRequest, ConfirmResponse, PlanView, ReviseRequest};

use crate::http::extract::{ApiJson, ApiPath};
use crate::http::{ApiError, AppState};
use crate::store::Confirmed;

/// `GET /api/plans/{id}`
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let plan = state.store.get_plan(&id).await?;
    let view: PlanView = plan.view;
    Ok(Json(
        json!({"plan": view, "state": plan.state.as_str(), "task_id": plan.task_id}),
    ))
}

/// `POST /api/plans/{id}/confirm`: queue the plan's task (a task per step
/// for a plan with several), or make its schedule when it repeats. An
/// optional body `{"after": [12]}` makes the (first) task wait for task 12
/// to succeed.
pub async fn confirm(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: Bytes,
) -> Result<Json<ConfirmResponse>, ApiError> {
    let request: ConfirmRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ConfirmRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest {
            code: "invalid_json",
            message: format!(
                "The request body is not what Tend expects: {e}. Send nothing, or {{\"after\": [12]}}."
            ),
        })?
    };
    let answer = match state
        .store
        .confirm_plan(&id, &request.after, crate::now_ms())
        .await?
    {
        Confirmed::Task(task) => ConfirmResponse {
            task_id: Some(task.id),
            task_ids: vec![task.id],
            schedule: None,
        },
        Confirmed::Tasks(tasks) => ConfirmResponse {
            task_id: None,
            task_ids: tasks.iter().map(|t| t.id).collect(),
            schedule: None,
        },
        Confirmed::Schedule(schedule) => {
            state.hub.publish_schedule(schedule.clone());
            state.scheduler.wake();
            return Ok(Json(ConfirmResponse {
                task_id: None,
                task_ids: Vec::new(),
                schedule: Some(schedule),
            }));
        }
    };
    for &task_id in &answer.task_ids {
        if let Ok(task) = state.store.get_task(task_id).await {
            state.hub.publish(task);
        }
    }
    state.workers.wake();
    Ok(Json(answer))
}

/// `POST /api/plans/{id}/cancel`: drop the plan; nothing runs.
pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    state.store.cancel_plan(&id, crate::now_ms()).await?;
    Ok(Json(json!({"plan_id": id, "state": "cancelled"})))
}

/// `POST /api/plans/{id}/revise`: plan the command again with some
/// parameters changed; the old plan is cancelled once the new one stands.
pub async fn revise(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ReviseRequest>,
) -> Result<Json<CommandResponse>, ApiError> {
    Ok(Json(state.planner.revise(&id, &request).await?))
}
