use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use app::api::ErrorBody;

use crate::domain::PolicyError;
use crate::plan::PlanError;
use crate::rules::RuleError;
use crate::store::StoreError;

/// Every way an API call can fail, each with its status code and a message
/// a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rules(#[from] RuleError),
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Refused for where the request comes from: a name Tend does not
    /// answer to, or a page on another site (see `host_guard`).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A request refused before any handler ran (a method the route does
    /// not take, a websocket request without its upgrade).
    #[error("{message}")]
    Refused { status: StatusCode, message: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Too many wrong tokens from one address; it may try again after
    /// `retry_after_secs` (also sent as `Retry-After`).
    #[error("Too many wrong tokens or passwords from this address or for this name: try again in {retry_after_secs} seconds.")]
    TooManyAttempts { retry_after_secs: u64 },
    /// A server-side failure; the message goes to the log only.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Plan(e) => match e {
                PlanError::EmptyCommand => (StatusCode::UNPROCESSABLE_ENTITY, "empty_command"),
                PlanError::TooLong { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "command_too_long"),
                PlanError::Policy(p @ PolicyError::OutsideRoots { .. }) => {
                    (StatusCode::FORBIDDEN, p.code())
                }
                PlanError::Policy(p) => (StatusCode::UNPROCESSABLE_ENTITY, p.code()),
                PlanError::MissingDirectory => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "directory_missing")
                }
                PlanError::Criteria(_) => (StatusCode::UNPROCESSABLE_ENTITY, "criteria_invalid"),
                PlanError::Store(s) => store_status(s),
                PlanError::Preview(_) => (StatusCode::INTERNAL_SERVER_ERROR, "preview_failed"),
                PlanError::NotUndoable(_) => (StatusCode::CONFLICT, "not_undoable"),
                PlanError::MissingPaths(_) => (StatusCode::UNPROCESSABLE_ENTITY, "paths_missing"),
                PlanError::BadEdit(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_edit"),
                PlanError::Step { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "step_not_planned"),
                PlanError::TooManySteps { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "too_many_steps")
                }
                PlanError::Unexplained(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "condition_not_understood")
                }
                PlanError::StepsCannotRepeat => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "steps_cannot_repeat")
                }
                PlanError::Schedule(_) | PlanError::ScheduleNeverRuns(_) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "schedule_invalid")
                }
                PlanError::Workflow(crate::workflows::WorkflowError::InvalidParams(_)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid_parameters")
                }
                PlanError::Workflow(crate::workflows::WorkflowError::Policy(p)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, p.code())
                }
                // A repository that cannot be opened (wrong password, damaged):
                // the user needs the message, it is not Tend's internal fault.
                PlanError::Workflow(
                    crate::workflows::WorkflowError::Engine(_)
                    | crate::workflows::WorkflowError::Unavailable(_),
                ) => (StatusCode::CONFLICT, "repository_unusable"),
                PlanError::Workflow(_) => (StatusCode::INTERNAL_SERVER_ERROR, "preview_failed"),
            },
            ApiError::Store(s) => store_status(s),
            ApiError::Rules(RuleError::Invalid(_)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "rule_invalid")
            }
            ApiError::Rules(RuleError::Store(s)) => store_status(s),
            ApiError::Rules(RuleError::Model(_) | RuleError::Interrupted) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            ApiError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            ApiError::Refused { status, .. } => (*status, refused_code(*status)),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "request_too_large"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::TooManyAttempts { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

fn refused_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UPGRADE_REQUIRED => "upgrade_required",
        _ => "request_refused",
    }
}

fn store_status(e: &StoreError) -> (StatusCode, &'static str) {
    match e {
        StoreError::PlanNotFound(_) => (StatusCode::NOT_FOUND, "plan_not_found"),
        StoreError::TaskNotFound(_) => (StatusCode::NOT_FOUND, "task_not_found"),
        StoreError::PlanExpired => (StatusCode::GONE, "plan_expired"),
        StoreError::PlanAlreadyConfirmed(_) => (StatusCode::CONFLICT, "plan_already_confirmed"),
        StoreError::PlanAlreadyScheduled(_) => (StatusCode::CONFLICT, "plan_already_confirmed"),
        StoreError::ScheduleNotFound(_) => (StatusCode::NOT_FOUND, "schedule_not_found"),
        StoreError::AlertNotFound(_) => (StatusCode::NOT_FOUND, "alert_not_found"),
        StoreError::TargetNotFound(_) => (StatusCode::NOT_FOUND, "target_not_found"),
        StoreError::ScheduleStopped(_) => (StatusCode::CONFLICT, "schedule_stopped"),
        StoreError::PlanCancelled => (StatusCode::CONFLICT, "plan_cancelled"),
        StoreError::RuleExists(_) => (StatusCode::CONFLICT, "rule_exists"),
        StoreError::RuleNotFound { .. } => (StatusCode::NOT_FOUND, "rule_not_found"),
        StoreError::UserNotFound(_) => (StatusCode::NOT_FOUND, "user_not_found"),
        StoreError::UserExists(_) => (StatusCode::CONFLICT, "user_exists"),
        StoreError::IllegalTransition { .. } | StoreError::NotOwner { .. } => {
            (StatusCode::CONFLICT, "task_state_conflict")
        }
        StoreError::QueueFull { .. } => (StatusCode::SERVICE_UNAVAILABLE, "queue_full"),
        StoreError::NotRetryable { .. } => (StatusCode::CONFLICT, "not_retryable"),
        StoreError::DependencyEnded { .. } => (StatusCode::CONFLICT, "dependency_ended"),
        StoreError::PlanIsAStep { .. } => (StatusCode::CONFLICT, "plan_is_a_step"),
        StoreError::ScheduleCannotWait => {
            (StatusCode::UNPROCESSABLE_ENTITY, "schedule_cannot_wait")
        }
        StoreError::Database(_)
        | StoreError::Migrate(_)
        | StoreError::UnsupportedUrl(_)
        | StoreError::Corrupt(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let error = if status == StatusCode::INTERNAL_SERVER_ERROR {
            // Details go to the log, not to the browser.
            tracing::error!(error = %self, "request failed");
            "Something went wrong inside Tend; the server log has the details.".to_string()
        } else {
            self.to_string()
        };
        let body = ErrorBody {
            code: code.to_string(),
            error,
            task_id: self.store_error().and_then(task_of),
        };
        let retry_after = self.retry_after_secs();
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// How long a queue-full refusal asks a client to wait before trying again.
const QUEUE_FULL_RETRY_AFTER_SECS: u64 = 30;

impl ApiError {
    fn store_error(&self) -> Option<&StoreError> {
        match self {
            ApiError::Store(s)
            | ApiError::Plan(PlanError::Store(s))
            | ApiError::Rules(RuleError::Store(s)) => Some(s),
            _ => None,
        }
    }

    fn retry_after_secs(&self) -> Option<u64> {
        match self {
            ApiError::TooManyAttempts { retry_after_secs } => Some(*retry_after_secs),
            _ => matches!(self.store_error(), Some(StoreError::QueueFull { .. }))
                .then_some(QUEUE_FULL_RETRY_AFTER_SECS),
        }
    }
}

/// The task a store error is about, for the error body.
fn task_of(e: &StoreError) -> Option<i64> {
    match e {
        StoreError::PlanAlreadyConfirmed(id)
        | StoreError::TaskNotFound(id)
        | StoreError::NotRetryable { id, .. }
        | StoreError::DependencyEnded { id, .. }
        | StoreError::NotOwner { id }
        | StoreError::IllegalTransition { id, .. } => Some(*id),
        _ => None,
    }
}
