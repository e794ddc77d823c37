//! `Idempotency-Key` on the requests that make things (`POST
//! /api/commands`, `POST /api/plans/{id}/confirm`): a script that sends the
//! same request again after a network error, on any node, within 24 hours,
//! gets the first answer back (the same plan, the same task) instead of a
//! second plan or a 409.

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::store::{Idempotency, IdempotencyTimes};

pub const HEADER: &str = "idempotency-key";
/// Sent with an answer given again for a repeated key.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// How long a key is remembered.
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// A first request that has not answered in this long died with its
/// server; a repeat then runs it again.
const ABANDONED_AFTER: Duration = Duration::from_secs(60);
/// How long a repeat waits for the first request to answer.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);
/// Keys are the client's choice; a UUID is 36 characters.
const MAX_KEY_CHARS: usize = 255;
/// Answers kept are the API's own JSON, far below this.
const MAX_BODY: usize = 1 << 20;

/// The middleware: passes requests without the header through untouched.
pub async fn idempotent(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match valid_key(key) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let scope = format!("{} {}", request.method(), request.uri().path());
    match first_answer(&state, &key, &scope).await {
        Ok(Some(answer)) => answer,
        Ok(None) => answer_and_keep(&state, &key, &scope, request, next).await,
        Err(e) => e.into_response(),
    }
}

fn valid_key(value: &HeaderValue) -> Result<String, ApiError> {
    let refuse = || {
        ApiError::BadRequest {
        code: "invalid_idempotency_key",
        message: format!(
            "The Idempotency-Key header must be 1 to {MAX_KEY_CHARS} printable ASCII characters (a UUID, say)."
        ),
    }
    };
    let text = value.to_str().map_err(|_| refuse())?.trim();
    if text.is_empty() || text.len() > MAX_KEY_CHARS || !text.chars().all(|c| c.is_ascii_graphic())
    {
        return Err(refuse());
    }
    Ok(text.to_string())
}

/// The answer already given to `key`, waiting a little for one in flight;
/// `None` when this request is the first and must run.
async fn first_answer(
    state: &AppState,
    key: &str,
    scope: &str,
) -> Result<Option<Response>, ApiError> {
    let deadline = tokio::time::Instant::now() + WAIT_FOR_FIRST;
    loop {
        let now = crate::now_ms();
        let times = IdempotencyTimes {
            now,
            stale_before: now - ABANDONED_AFTER.as_millis() as i64,
            expire_before: now - KEEP.as_millis() as i64,
        };
        match state.store.idempotency_begin(key, scope, times).await? {
            Idempotency::First => return Ok(None),
            Idempotency::Answered { status, body } => return Ok(Some(replay(status, body))),
            Idempotency::InFlight if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Idempotency::InFlight => {
                return Err(ApiError::Conflict {
                    code: "idempotency_key_in_use",
                    message: "A request with this Idempotency-Key is still being answered; send it again in a moment.".into(),
                })
            }
        }
    }
}

fn replay(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// Runs the first request with `key` and keeps its answer; a failure inside
/// Tend (5xx) is not kept, so that a repeat runs it again.
async fn answer_and_keep(
    state: &AppState,
    key: &str,
    scope: &str,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = state.store.idempotency_forget(key, scope).await;
            return ApiError::Internal(format!("reading an answer to keep it: {e}"))
                .into_response();
        }
    };
    let kept = if parts.status.is_server_error() {
        state.store.idempotency_forget(key, scope).await
    } else {
        let text = String::from_utf8_lossy(&bytes);
        state
            .store
            .idempotency_finish(key, scope, parts.status.as_u16(), &text)
            .await
    };
    if let Err(e) = kept {
        tracing::warn!(error = %e, "could not keep the answer to an Idempotency-Key");
    }
    Response::from_parts(parts, Body::from(bytes))
}
