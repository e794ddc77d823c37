use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;

use app::api::{CommandRequest, CommandResponse};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::ApiJson;
use crate::http::{ApiError, AppState};
use crate::nlu::Intent;
use crate::people::audit::action;
use crate::plan::asker::asking;
use crate::timing;

/// `POST /api/commands`: understand a command and answer with a plan or a reply.
/// Says where its time went in `Server-Timing` (understanding, preview,
/// storing the plan).
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<CommandRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let chosen = match request.intent.as_deref() {
        Some(name) => Some(chosen_reading(name)?),
        None => None,
    };
    let planned = state
        .planner
        .respond(&request.text, request.session.clone(), chosen);
    let (response, steps) = timing::measured(asking(caller.label(), planned)).await;
    let timing = [("server-timing", timing::header_value(&steps))];
    let understood = match &response {
        Ok(CommandResponse::Plan(plan)) => format!("plan {}: {}", plan.plan_id, plan.summary),
        Ok(CommandResponse::Reply {
            intent, choices, ..
        }) if !choices.is_empty() => {
            let asked: Vec<&str> = choices.iter().map(|c| c.intent.as_str()).collect();
            format!(
                "asked which was meant: {} (model's pick {intent})",
                asked.join(" or ")
            )
        }
        Ok(CommandResponse::Reply { intent, .. }) => format!("answered as {intent}"),
        Err(e) => format!("refused: {e}"),
    };
    let typed: String = request.text.chars().take(500).collect();
    record(
        &state,
        &caller,
        action::COMMAND,
        format!("{typed:?} understood as {understood}"),
    )
    .await;
    Ok((timing, Json(response?)))
}

/// The intent a person picked from a question: one of the model's, so a
/// request cannot pick "retry" or an intent that does not exist.
fn chosen_reading(name: &str) -> Result<Intent, ApiError> {
    Intent::parse(name)
        .filter(|i| Intent::ALL.contains(i) && *i != Intent::OutOfScope)
        .ok_or_else(|| ApiError::BadRequest {
            code: "unknown_intent",
            message: format!(
                "{name:?} is not a reading Tend offers: pick backup, restore, sync, cleanup, status or cancel"
            ),
        })
}
