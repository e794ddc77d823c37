use axum::extract::State;
use axum::Json;

use app::api::{RescheduleRequest, ScheduleView};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;

/// `GET /api/schedules`: active schedules first, newest first.
pub async fn list(State(state): State<AppState>) -> Result<Json<Vec<ScheduleView>>, ApiError> {
    Ok(Json(state.store.list_schedules().await?))
}

/// `GET /api/schedules/{id}`
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    Ok(Json(state.store.get_schedule(id).await?))
}

/// `POST /api/schedules/{id}/stop`: no more runs; a run already queued or
/// running is left alone (cancel it as a task). Stopping twice is fine.
pub async fn stop(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    let stopped = state.planner.stop_schedule(id).await?;
    record(
        &state,
        &caller,
        action::SCHEDULE_STOPPED,
        format!("schedule #{id}"),
    )
    .await;
    Ok(Json(stopped))
}

/// `PATCH /api/schedules/{id}` with `{"when": "Sundays at 3:30"}`: the
/// schedule runs then from now on. A run already queued or running is left
/// alone; a stopped schedule stays stopped (409).
pub async fn reschedule(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RescheduleRequest>,
) -> Result<Json<ScheduleView>, ApiError> {
    let changed = state.planner.reschedule(id, &request.when).await?;
    record(
        &state,
        &caller,
        action::SCHEDULE_CHANGED,
        format!("schedule #{id} now runs {:?}", request.when),
    )
    .await;
    Ok(Json(changed))
}
