use std::path::Path;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::http::{ApiError, AppState};

/// `GET /api/health`: liveness. The process answers; nothing else is
/// looked at (that is `/api/ready`).
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// One readiness check.
#[derive(Debug, Serialize)]
pub struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
}

fn check(name: &'static str, result: Result<String, String>) -> Check {
    match result {
        Ok(detail) => Check {
            name,
            ok: true,
            detail,
        },
        Err(detail) => Check {
            name,
            ok: false,
            detail,
        },
    }
}

/// `GET /api/ready`: readiness, one entry per check; 503 naming what fails.
pub async fn ready(State(state): State<AppState>) -> Response {
    let checks = vec![
        check("database", database(&state).await),
        check("workers", workers(&state)),
        check("model", model(&state)),
        check("data_dir", data_dir(&state)),
    ];
    let failing: Vec<&str> = checks.iter().filter(|c| !c.ok).map(|c| c.name).collect();
    let (status, word) = if failing.is_empty() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not_ready")
    };
    let body = json!({"status": word, "failing": failing, "checks": checks});
    (status, Json(body)).into_response()
}

async fn database(state: &AppState) -> Result<String, String> {
    let schema = state
        .store
        .check_schema()
        .await
        .map_err(|e| format!("the database does not answer: {e}"))?;
    match schema.applied {
        Some(v) if v == schema.expected => Ok(format!("reachable; schema at migration {v}")),
        Some(v) if v > schema.expected => Err(format!(
            "the schema is at migration {v}, newer than this version of Tend knows ({}): another node runs a newer version",
            schema.expected
        )),
        other => Err(format!(
            "the schema is at migration {}, this version needs {}; restart Tend to migrate",
            other.map_or("none".into(), |v| v.to_string()),
            schema.expected
        )),
    }
}

fn workers(state: &AppState) -> Result<String, String> {
    if state.config.workers == 0 {
        return Ok("this node runs no tasks (workers = 0)".into());
    }
    let every = state.workers.tick_every().as_millis() as i64;
    match state.workers.last_tick() {
        Some(at) if crate::now_ms() - at <= 5 * every + 2_000 => Ok(format!(
            "{} workers; the lease loop is alive",
            state.config.workers
        )),
        Some(at) => Err(format!(
            "the workers' lease loop last ran {} s ago",
            (crate::now_ms() - at) / 1000
        )),
        None => Err("the workers have not started".into()),
    }
}

fn model(state: &AppState) -> Result<String, String> {
    let backend = state.planner.nlu.backend_name();
    if backend == "keywords" {
        return Err(format!(
            "the intent model is not loaded (looked in {}): commands are read by keyword cues only, which understand less",
            state.config.model_dir.display()
        ));
    }
    Ok(backend)
}

fn data_dir(state: &AppState) -> Result<String, String> {
    let dir = &state.config.data_dir;
    writable(dir)?;
    let free = crate::domain::disk::free_bytes(dir)
        .ok_or_else(|| format!("cannot read the free space of {}", dir.display()))?;
    let min = state.config.min_free_mb.saturating_mul(1 << 20);
    let line = format!("{} free in {}", app::format::bytes(free), dir.display());
    if free < min {
        return Err(format!(
            "{line}, below min_free_mb = {} MiB",
            state.config.min_free_mb
        ));
    }
    Ok(line)
}

/// Writes and removes a small file in `dir`.
fn writable(dir: &Path) -> Result<(), String> {
    let probe = dir.join(format!(".tend-ready-{}", std::process::id()));
    std::fs::write(&probe, b"ok")
        .and_then(|()| std::fs::remove_file(&probe))
        .map_err(|e| format!("{} is not writable: {e}", dir.display()))
}

/// `GET /metrics`: Prometheus's text format.
pub async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = state
        .metrics
        .render(state.store.as_ref(), crate::now_ms())
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

/// Counts every request by its route's pattern and status.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let response = next.run(request).await;
    state
        .metrics
        .observe_request(&route, response.status().as_u16());
    response
}

pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "There is no API endpoint at {}. The README lists them.",
        uri.path()
    ))
}
