//! `/api/rules`: admins' routing rules. A change applies to the next
//! command, without a restart.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use app::api::{
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    PatternAliasView, PhraseRuleView, RuleKind, RulesView,
};

use crate::http::extract::{ApiJson, ApiPath};
use crate::http::{ApiError, AppState};

/// `GET /api/rules`
pub async fn list(State(state): State<AppState>) -> Result<Json<RulesView>, ApiError> {
    Ok(Json(state.rules.list().await?))
}

/// `POST /api/rules/phrases`
pub async fn add_phrase(
    State(state): State<AppState>,
    ApiJson(rule): ApiJson<NewPhraseRule>,
) -> Result<(StatusCode, Json<PhraseRuleView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.rules.add_phrase(&rule).await?),
    ))
}

/// `POST /api/rules/examples`
pub async fn add_example(
    State(state): State<AppState>,
    ApiJson(example): ApiJson<NewExample>,
) -> Result<(StatusCode, Json<ExampleView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.rules.add_example(&example).await?),
    ))
}

/// `PUT /api/rules/locations`: adds the name, or repoints it.
pub async fn put_location(
    State(state): State<AppState>,
    ApiJson(alias): ApiJson<NewLocationAlias>,
) -> Result<Json<LocationAliasView>, ApiError> {
    Ok(Json(state.rules.put_location(&alias).await?))
}

/// `PUT /api/rules/patterns`: adds the name, or gives it new globs.
pub async fn put_pattern(
    State(state): State<AppState>,
    ApiJson(alias): ApiJson<NewPatternAlias>,
) -> Result<Json<PatternAliasView>, ApiError> {
    Ok(Json(state.rules.put_pattern(&alias).await?))
}

/// `DELETE /api/rules/{kind}/{id}`
pub async fn delete(
    State(state): State<AppState>,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
) -> Result<Json<Value>, ApiError> {
    let kind = RuleKind::parse(&kind).ok_or_else(|| {
        ApiError::NotFound(format!(
            "There are no rules of kind \"{kind}\"; the kinds are phrases, examples, locations and patterns."
        ))
    })?;
    state.rules.delete(kind, id).await?;
    Ok(Json(json!({"deleted": id, "kind": kind.as_str()})))
}
