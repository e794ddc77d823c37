//! axum's extractors, with their rejections turned into [`ApiError`]s: bad
//! input answers with the JSON error shape and a message a person can act
//! on, never axum's plain text. Handlers take `ApiJson`, `ApiPath` and
//! `ApiQuery` instead of `Json`, `Path` and `Query`; [`json_errors`] catches
//! whatever else answers an error in plain text.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Path, Query, Request};
use axum::http::header::{ALLOW, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::ApiError;

/// `Json<T>` whose rejections (bad JSON, too large a body) are JSON errors.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

/// `Path<T>` whose rejections (`/api/tasks/abc`) are JSON errors.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_error(&rejection, &full_path(parts))),
        }
    }
}

/// `Query<T>` whose rejections (`?limit=many`) are JSON errors.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_error(&rejection)),
        }
    }
}

fn json_error(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge(format!(
            "The request is larger than the {} KiB Tend accepts. Commands are short sentences; shorten it.",
            super::router::MAX_BODY_BYTES / 1024
        ));
    }
    let code = match rejection {
        JsonRejection::MissingJsonContentType(_) => "content_type",
        _ => "invalid_json",
    };
    ApiError::BadRequest {
        code,
        message: format!(
            "The request body is not what Tend expects: {}",
            rejection.body_text()
        ),
    }
}

fn path_error(rejection: &PathRejection, path: &str) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = rejection else {
        // No parameters to read: a route wired wrongly, not the caller's fault.
        return ApiError::Internal(format!("{path}: {}", rejection.body_text()));
    };
    let message = match failed.kind() {
        ErrorKind::ParseErrorAtKey {
            value,
            expected_type,
            ..
        }
        | ErrorKind::ParseErrorAtIndex {
            value,
            expected_type,
            ..
        }
        | ErrorKind::ParseError {
            value,
            expected_type,
        } => format!("\"{value}\" in {path} must be {}.", expected(expected_type)),
        other => format!("{path} is not an address Tend understands: {other}."),
    };
    ApiError::BadRequest {
        code: "invalid_path",
        message,
    }
}

/// What a path parameter of this Rust type must look like, for a person.
fn expected(type_name: &str) -> String {
    let largest = match type_name {
        "i64" => i64::MAX.to_string(),
        "u64" => u64::MAX.to_string(),
        "i32" => i32::MAX.to_string(),
        "u32" => u32::MAX.to_string(),
        _ => return format!("a {type_name}"),
    };
    format!("a whole number no larger than {largest}")
}

fn query_error(rejection: &QueryRejection) -> ApiError {
    // The inner error names the parameter ("limit: invalid digit ...").
    let detail = std::error::Error::source(rejection)
        .map_or_else(|| rejection.body_text(), ToString::to_string);
    ApiError::BadRequest {
        code: "invalid_query",
        message: format!("The query string is not what Tend expects: {detail}."),
    }
}

/// The path as the client sent it: nested routers see it without `/api`.
fn full_path(parts: &Parts) -> String {
    parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0)
        .path()
        .to_string()
}

/// Turns any error the API would answer in something other than JSON (a
/// method the route does not take, a websocket request without its upgrade
/// headers) into the JSON error shape, so that clients can rely on it for
/// every error.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or(request.uri(), |original| &original.0)
        .path()
        .to_string();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let allow = response.headers().get(ALLOW).cloned();
    let text = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let error = if status == StatusCode::METHOD_NOT_ALLOWED {
        let allowed = allow
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .map(|v| format!(" (it takes {v})"))
            .unwrap_or_default();
        ApiError::Refused {
            status,
            message: format!("{path} does not take {method} requests{allowed}."),
        }
    } else if status.is_server_error() {
        ApiError::Internal(format!("{method} {path}: {status} {text}"))
    } else {
        let reason = status.canonical_reason().unwrap_or("Refused");
        let detail = if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        };
        ApiError::Refused {
            status,
            message: format!("{reason}{detail}."),
        }
    };
    let mut answer = error.into_response();
    if let Some(allow) = allow {
        answer.headers_mut().insert(ALLOW, allow);
    }
    answer
}
