//! `/api/rules`: admins' routing rules. A change applies to the next
//! command, without a restart.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use app::api::{
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    PatternAliasView, PhraseRuleView, ReadingView, RememberRequest, RememberResponse, RuleKind,
    RulesView, TryRequest,
};

use crate::http::audit::record;
use crate::http::auth::Caller;
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::people::Role;

/// `GET /api/rules`
pub async fn list(State(state): State<AppState>) -> Result<Json<RulesView>, ApiError> {
    Ok(Json(state.rules.list().await?))
}

/// `POST /api/rules/try`: how a sentence is read and why, with the rules
/// in force now; nothing is planned or recorded.
pub async fn try_sentence(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TryRequest>,
) -> Result<Json<ReadingView>, ApiError> {
    let max = state.config.max_command_bytes;
    if request.text.len() > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "That sentence is {} bytes long; Tend reads at most {max}.",
            request.text.len()
        )));
    }
    if request.text.trim().is_empty() {
        return Err(ApiError::BadRequest {
            code: "empty_command",
            message: "Type a sentence to see how Tend reads it.".into(),
        });
    }
    let nlu = state.planner.nlu.clone();
    let reading = tokio::task::spawn_blocking(move || nlu.explain(&request.text))
        .await
        .map_err(|e| ApiError::Internal(format!("reading the sentence failed: {e}")))?;
    Ok(Json(reading))
}

/// `POST /api/rules/phrases`
pub async fn add_phrase(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(rule): ApiJson<NewPhraseRule>,
) -> Result<(StatusCode, Json<PhraseRuleView>), ApiError> {
    let added = state.rules.add_phrase(&rule, &caller.label()).await?;
    record(
        &state,
        &caller,
        action::RULE_ADDED,
        described("phrase", &rule),
    )
    .await;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `POST /api/rules/examples`
pub async fn add_example(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(example): ApiJson<NewExample>,
) -> Result<(StatusCode, Json<ExampleView>), ApiError> {
    let added = state.rules.add_example(&example, &caller.label()).await?;
    record(
        &state,
        &caller,
        action::RULE_ADDED,
        described("example", &example),
    )
    .await;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `PUT /api/rules/locations`: adds the name, or repoints it.
pub async fn put_location(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(alias): ApiJson<NewLocationAlias>,
) -> Result<Json<LocationAliasView>, ApiError> {
    let put = state.rules.put_location(&alias, &caller.label()).await?;
    record(
        &state,
        &caller,
        action::RULE_ADDED,
        described("location", &alias),
    )
    .await;
    Ok(Json(put))
}

/// `PUT /api/rules/patterns`: adds the name, or gives it new globs.
pub async fn put_pattern(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(alias): ApiJson<NewPatternAlias>,
) -> Result<Json<PatternAliasView>, ApiError> {
    let put = state.rules.put_pattern(&alias, &caller.label()).await?;
    record(
        &state,
        &caller,
        action::RULE_ADDED,
        described("pattern", &alias),
    )
    .await;
    Ok(Json(put))
}

/// `POST /api/rules/remember`: "Remember this" after a correction or a
/// question answered. An admin's sentence is an example at once; an
/// operator's waits on the Rules page for an admin to accept it.
pub async fn remember(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<RememberRequest>,
) -> Result<(StatusCode, Json<RememberResponse>), ApiError> {
    let example = NewExample {
        intent: request.intent,
        text: request.text,
    };
    let by = caller.label();
    let (action, answer) = if caller.role >= Role::Admin {
        let added = state.rules.add_example(&example, &by).await?;
        let message = format!(
            "Remembered: \"{}\" now means {}, and similar wording too.",
            added.text, added.intent
        );
        (action::RULE_ADDED, ("example", message))
    } else {
        let proposed = state.rules.propose(&example, &by).await?;
        let message = format!(
            "Sent to the admins: once one accepts it on the Rules page, \"{}\" will mean {}.",
            proposed.text, proposed.intent
        );
        (action::RULE_PROPOSED, ("proposal", message))
    };
    record(&state, &caller, action, described("example", &example)).await;
    let (remembered, message) = answer;
    let answer = RememberResponse {
        remembered: remembered.into(),
        message,
    };
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `POST /api/rules/proposals/{id}/accept`: the proposal becomes an example.
pub async fn accept_proposal(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<ExampleView>), ApiError> {
    let added = state.rules.accept(id, &caller.label()).await?;
    record(
        &state,
        &caller,
        action::RULE_ADDED,
        format!(
            "example {:?} -> {} (proposed by {})",
            added.text,
            added.intent,
            added.added_by.as_deref().unwrap_or("?")
        ),
    )
    .await;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `DELETE /api/rules/{kind}/{id}`
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    let kind = RuleKind::parse(&kind).ok_or_else(|| {
        ApiError::NotFound(format!(
            "There are no rules of kind \"{kind}\"; the kinds are phrases, examples, locations, patterns and proposals."
        ))
    })?;
    state.rules.delete(kind, id).await?;
    record(
        &state,
        &caller,
        action::RULE_DELETED,
        format!("{} rule {id}", kind.as_str()),
    )
    .await;
    Ok(Json(json!({"deleted": id, "kind": kind.as_str()})))
}

/// A rule as the audit log shows it: its kind and its fields.
fn described(kind: &str, rule: &impl serde::Serialize) -> String {
    format!("{kind} {}", serde_json::to_string(rule).unwrap_or_default())
}
