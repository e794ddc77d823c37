use axum::extract::State;
use axum::Json;

use app::api::{CommandRequest, CommandResponse};

use crate::http::extract::ApiJson;
use crate::http::{ApiError, AppState};

/// `POST /api/commands`: understand a command and answer with a plan or a reply.
pub async fn submit(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CommandRequest>,
) -> Result<Json<CommandResponse>, ApiError> {
    let response = state
        .planner
        .respond(&request.text, request.session)
        .await?;
    Ok(Json(response))
}
