use axum::Json;
use serde_json::{json, Value};

use crate::http::ApiError;

pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "There is no API endpoint at {}. The README lists them.",
        uri.path()
    ))
}
