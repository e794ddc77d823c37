use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::ApiError;

/// `Json<T>` whose rejections (bad JSON, too large a body) are JSON errors
/// with a clear message instead of axum's plain-text ones.
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
            Err(rejection) => Err(reject(rejection)),
        }
    }
}

fn reject(rejection: JsonRejection) -> ApiError {
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
