use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;

use app::api::CommandRequest;

use crate::http::extract::ApiJson;
use crate::http::{ApiError, AppState};
use crate::timing;

/// `POST /api/commands`: understand a command and answer with a plan or a reply.
/// Says where its time went in `Server-Timing` (understanding, preview,
/// storing the plan).
pub async fn submit(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CommandRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let (response, steps) =
        timing::measured(state.planner.respond(&request.text, request.session)).await;
    let timing = [("server-timing", timing::header_value(&steps))];
    Ok((timing, Json(response?)))
}
