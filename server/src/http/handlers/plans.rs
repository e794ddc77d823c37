use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use app::api::{CommandResponse, ConfirmResponse, PlanView, ReviseRequest};

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

/// `POST /api/plans/{id}/confirm`: queue the plan's task, or make its
/// schedule when it repeats.
pub async fn confirm(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ConfirmResponse>, ApiError> {
    match state.store.confirm_plan(&id, crate::now_ms()).await? {
        Confirmed::Task(task) => {
            let task_id = task.id;
            state.hub.publish(task);
            state.workers.wake();
            Ok(Json(ConfirmResponse {
                task_id: Some(task_id),
                schedule: None,
            }))
        }
        Confirmed::Schedule(schedule) => {
            state.hub.publish_schedule(schedule.clone());
            state.scheduler.wake();
            Ok(Json(ConfirmResponse {
                task_id: None,
                schedule: Some(schedule),
            }))
        }
    }
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
