use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use app::api::{
    BulkOutcome, BulkRequest, BulkResponse, StatsView, TaskEventsPage, TaskQuery, TaskView,
};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::store::{CancelOutcome, TaskFilter, TaskState};

/// Most tasks one page or one bulk action takes.
const MAX_PAGE: i64 = 500;

/// `GET /api/tasks?state=failed&workflow=backup&q=photos&before=<id>&since=<ms>&limit=50`:
/// newest first; every filter optional.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    Ok(Json(state.store.find_tasks(&filter(&q)?).await?))
}

/// The store's filter for a query, its names checked.
fn filter(q: &TaskQuery) -> Result<TaskFilter, ApiError> {
    let states = names(q.state.as_deref())
        .map(|name| {
            TaskState::parse(name).ok_or_else(|| ApiError::BadRequest {
                code: "invalid_query",
                message: format!(
                    "\"{name}\" is not a task state; use one of {}.",
                    TaskState::ALL.map(TaskState::as_str).join(", ")
                ),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TaskFilter {
        states,
        workflows: names(q.workflow.as_deref()).map(String::from).collect(),
        text: q.q.clone(),
        before: q.before,
        since: q.since,
        limit: q.limit.unwrap_or(100).clamp(1, MAX_PAGE),
    })
}

/// "failed, cancelled" → ["failed", "cancelled"].
fn names(list: Option<&str>) -> impl Iterator<Item = &str> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

/// `GET /api/tasks/{id}`
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(state.store.get_task(id).await?))
}

#[derive(Deserialize)]
pub struct EventsQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/tasks/{id}/events`: the task's whole log, oldest first; with
/// `limit` (and `before`), one page of it, newest first.
pub async fn events(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Json<TaskEventsPage>, ApiError> {
    let Some(limit) = q.limit else {
        let events = state.store.task_events(id).await?;
        return Ok(Json(TaskEventsPage {
            task_id: id,
            events,
            next_before: None,
        }));
    };
    let limit = limit.clamp(1, MAX_PAGE);
    // One more than asked tells whether an older page exists.
    let mut events = state
        .store
        .task_events_page(id, q.before, limit + 1)
        .await?;
    let more = events.len() as i64 > limit;
    events.truncate(limit as usize);
    Ok(Json(TaskEventsPage {
        task_id: id,
        next_before: more.then(|| events.last().map(|e| e.id)).flatten(),
        events,
    }))
}

/// `POST /api/tasks/cancel` `{"ids": [..]}`: cancels each; what happened
/// to each.
pub async fn cancel_many(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Result<Json<BulkResponse>, ApiError> {
    let workers = &state.workers;
    let results = each(&request, |id| async move {
        workers.cancel(id).await.map(|(task, _)| task)
    })
    .await?;
    audit_bulk(&state, &caller, action::TASK_CANCELLED, &results).await;
    Ok(Json(BulkResponse { results }))
}

/// `POST /api/tasks/retry` `{"ids": [..]}`: runs each again as a new task.
pub async fn retry_many(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<BulkRequest>,
) -> Result<Json<BulkResponse>, ApiError> {
    let workers = &state.workers;
    let results = each(&request, |id| async move { workers.retry(id).await }).await?;
    audit_bulk(&state, &caller, action::TASK_RETRIED, &results).await;
    Ok(Json(BulkResponse { results }))
}

/// Runs `act` on each task of a bulk request, in order; what happened to
/// each.
async fn each<F, Fut>(request: &BulkRequest, act: F) -> Result<Vec<BulkOutcome>, ApiError>
where
    F: Fn(i64) -> Fut,
    Fut: std::future::Future<Output = Result<TaskView, crate::store::StoreError>>,
{
    checked_bulk(request)?;
    let mut results = Vec::with_capacity(request.ids.len());
    for &id in &request.ids {
        results.push(outcome(id, act(id).await));
    }
    Ok(results)
}

fn checked_bulk(request: &BulkRequest) -> Result<(), ApiError> {
    if request.ids.is_empty() || request.ids.len() as i64 > MAX_PAGE {
        return Err(ApiError::BadRequest {
            code: "invalid_ids",
            message: format!("Send between 1 and {MAX_PAGE} task ids, like {{\"ids\": [3, 4]}}."),
        });
    }
    Ok(())
}

fn outcome(id: i64, done: Result<TaskView, crate::store::StoreError>) -> BulkOutcome {
    match done {
        Ok(task) => BulkOutcome {
            id,
            ok: true,
            error: None,
            task: Some(task),
        },
        Err(e) => BulkOutcome {
            id,
            ok: false,
            error: Some(e.to_string()),
            task: None,
        },
    }
}

#[derive(Deserialize)]
pub struct StatsQuery {
    days: Option<u32>,
}

/// `GET /api/stats?days=7`: the Tasks page's charts.
pub async fn stats(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> Result<Json<StatsView>, ApiError> {
    let days = q.days.unwrap_or(7).clamp(1, 90);
    let now = crate::now_ms();
    let times = state
        .store
        .task_times(crate::history::window_start(now, days))
        .await?;
    Ok(Json(crate::history::stats(&times, now, days)))
}

/// `POST /api/tasks/{id}/cancel`
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let (task, outcome) = state.workers.cancel(id).await?;
    record(
        &state,
        &caller,
        action::TASK_CANCELLED,
        format!("task #{id}"),
    )
    .await;
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
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    let task = state.workers.retry(id).await?;
    record(
        &state,
        &caller,
        action::TASK_RETRIED,
        format!("task #{id} as task #{}", task.id),
    )
    .await;
    Ok(Json(json!({"task": task, "retry_of": id})))
}

/// Records each task a bulk action did act on.
async fn audit_bulk(
    state: &AppState,
    caller: &Caller,
    action: &'static str,
    results: &[app::api::BulkOutcome],
) {
    for outcome in results.iter().filter(|o| o.ok) {
        let detail = match (&outcome.task, action == action::TASK_RETRIED) {
            (Some(task), true) => format!("task #{} as task #{}", outcome.id, task.id),
            _ => format!("task #{}", outcome.id),
        };
        record(state, caller, action, detail).await;
    }
}
