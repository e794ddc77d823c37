use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use app::api::{CommandResponse, ConfirmRequest, ConfirmResponse, PlanView, ReviseRequest};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::plan::asker::asking;
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
    caller: Caller,
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
    let confirmed = state
        .store
        .confirm_plan(&id, &request.after, Some(&caller.label()), crate::now_ms())
        .await?;
    audit_confirmed(&state, &caller, &id, &confirmed).await;
    let answer = match confirmed {
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
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    state.store.cancel_plan(&id, crate::now_ms()).await?;
    record(
        &state,
        &caller,
        action::PLAN_CANCELLED,
        format!("plan {id}"),
    )
    .await;
    Ok(Json(json!({"plan_id": id, "state": "cancelled"})))
}

/// `POST /api/plans/{id}/revise`: plan the command again with some
/// parameters changed; the old plan is cancelled once the new one stands.
pub async fn revise(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<ReviseRequest>,
) -> Result<Json<CommandResponse>, ApiError> {
    let revised = asking(caller.label(), state.planner.revise(&id, &request)).await?;
    Ok(Json(revised))
}

/// Records a confirmed plan: what it does and what it became. Confirming
/// an undo is also recorded as the task undone.
async fn audit_confirmed(state: &AppState, caller: &Caller, id: &str, confirmed: &Confirmed) {
    let plan = state.store.get_plan(id).await.ok().map(|p| p.view);
    let what = plan
        .as_ref()
        .map_or_else(String::new, |p| format!(": {}", p.summary));
    let became = match confirmed {
        Confirmed::Task(task) => format!("task #{}", task.id),
        Confirmed::Tasks(tasks) => tasks
            .iter()
            .map(|t| format!("task #{}", t.id))
            .collect::<Vec<_>>()
            .join(", "),
        Confirmed::Schedule(schedule) => format!("schedule #{}", schedule.id),
    };
    record(
        state,
        caller,
        action::PLAN_CONFIRMED,
        format!("plan {id}{what} → {became}"),
    )
    .await;
    if plan.is_some_and(|p| p.workflow.starts_with("undo")) {
        record(
            state,
            caller,
            action::TASK_UNDONE,
            format!("{became}{what}"),
        )
        .await;
    }
}
