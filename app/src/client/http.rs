use crate::api::{
    AlertView, BackupPasswordView, BulkRequest, BulkResponse, CommandResponse, ConfirmResponse,
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    NewTarget, PatternAliasView, PhraseRuleView, RescheduleRequest, RuleKind, RulesView,
    ScheduleView, SessionView, StatsView, TargetView, TaskEventsPage, TaskQuery, TaskView,
};
use crate::api::{AuditEntryView, AuditQuery, NewUser, UserChange, UserView};
use crate::format;

/// A failed API call, already phrased for the person at the console.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientError(pub String);

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub async fn send_command(text: &str, session: &str) -> Result<CommandResponse, ClientError> {
    let body = crate::api::CommandRequest {
        text: text.to_string(),
        session: Some(session.to_string()),
        intent: None,
    };
    imp::post_json("/api/commands", Some(&body)).await
}

/// `text` again, planned as `intent`: the reading picked when Tend asked.
pub async fn send_command_as(
    text: &str,
    intent: &str,
    session: &str,
) -> Result<CommandResponse, ClientError> {
    let body = crate::api::CommandRequest {
        text: text.to_string(),
        session: Some(session.to_string()),
        intent: Some(intent.to_string()),
    };
    imp::post_json("/api/commands", Some(&body)).await
}

pub async fn confirm_plan(plan_id: &str) -> Result<ConfirmResponse, ClientError> {
    imp::post_json::<(), _>(&format!("/api/plans/{plan_id}/confirm"), None).await
}

pub async fn revise_plan(
    plan_id: &str,
    request: &crate::api::ReviseRequest,
) -> Result<CommandResponse, ClientError> {
    imp::post_json(&format!("/api/plans/{plan_id}/revise"), Some(request)).await
}

pub async fn cancel_plan(plan_id: &str) -> Result<serde_json::Value, ClientError> {
    imp::post_json::<(), _>(&format!("/api/plans/{plan_id}/cancel"), None).await
}

pub async fn cancel_task(task_id: i64) -> Result<serde_json::Value, ClientError> {
    imp::post_json::<(), _>(&format!("/api/tasks/{task_id}/cancel"), None).await
}

pub async fn retry_task(task_id: i64) -> Result<serde_json::Value, ClientError> {
    imp::post_json::<(), _>(&format!("/api/tasks/{task_id}/retry"), None).await
}

/// A page of the task history, newest first (`GET /api/tasks`).
pub async fn list_tasks(query: &TaskQuery) -> Result<Vec<TaskView>, ClientError> {
    let url = format!("/api/tasks{}", task_query_string(query));
    imp::send_json::<(), _>(imp::Method::Get, &url, None).await
}

/// One task with its attempts.
pub async fn task(task_id: i64) -> Result<TaskView, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, &format!("/api/tasks/{task_id}"), None).await
}

/// Up to `limit` lines of a task's log older than line `before`, newest
/// first.
pub async fn task_events(
    task_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<TaskEventsPage, ClientError> {
    let mut pairs = vec![("limit", limit.to_string())];
    if let Some(before) = before {
        pairs.push(("before", before.to_string()));
    }
    let url = format!(
        "/api/tasks/{task_id}/events{}",
        format::query_string(&pairs)
    );
    imp::send_json::<(), _>(imp::Method::Get, &url, None).await
}

/// Runs a failed or cancelled task again; answers the new task.
pub async fn run_again(task_id: i64) -> Result<TaskView, ClientError> {
    #[derive(serde::Deserialize)]
    struct Retried {
        task: TaskView,
    }
    let retried: Retried =
        imp::post_json::<(), _>(&format!("/api/tasks/{task_id}/retry"), None).await?;
    Ok(retried.task)
}

/// Cancels several tasks; each is answered on its own.
pub async fn cancel_tasks(ids: &[i64]) -> Result<BulkResponse, ClientError> {
    let body = BulkRequest { ids: ids.to_vec() };
    imp::post_json("/api/tasks/cancel", Some(&body)).await
}

/// Runs several failed or cancelled tasks again; each is answered on its own.
pub async fn retry_tasks(ids: &[i64]) -> Result<BulkResponse, ClientError> {
    let body = BulkRequest { ids: ids.to_vec() };
    imp::post_json("/api/tasks/retry", Some(&body)).await
}

/// The history's figures over the last `days` days.
pub async fn stats(days: u32) -> Result<StatsView, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, &format!("/api/stats?days={days}"), None).await
}

/// `?state=failed&before=40&limit=50`: the query's fields that are set.
fn task_query_string(query: &TaskQuery) -> String {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    format::query_string(&[
        ("state", query.state.clone().unwrap_or_default()),
        ("workflow", query.workflow.clone().unwrap_or_default()),
        ("q", query.q.clone().unwrap_or_default()),
        ("before", number(query.before)),
        ("since", number(query.since)),
        ("limit", number(query.limit)),
    ])
}

pub async fn stop_schedule(schedule_id: i64) -> Result<ScheduleView, ClientError> {
    imp::post_json::<(), _>(&format!("/api/schedules/{schedule_id}/stop"), None).await
}

pub async fn reschedule(schedule_id: i64, when: &str) -> Result<ScheduleView, ClientError> {
    let body = RescheduleRequest {
        when: when.to_string(),
    };
    imp::send_json(
        imp::Method::Patch,
        &format!("/api/schedules/{schedule_id}"),
        Some(&body),
    )
    .await
}

pub async fn users() -> Result<Vec<UserView>, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, "/api/users", None).await
}

pub async fn add_user(user: &NewUser) -> Result<UserView, ClientError> {
    imp::post_json("/api/users", Some(user)).await
}

pub async fn change_user(id: i64, change: &UserChange) -> Result<UserView, ClientError> {
    imp::send_json(
        imp::Method::Patch,
        &format!("/api/users/{id}"),
        Some(change),
    )
    .await
}

/// The audit log, newest first, as `query` filters it.
pub async fn audit(query: &AuditQuery) -> Result<Vec<AuditEntryView>, ClientError> {
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let query = format::query_string(&[
        ("user", query.user.clone().unwrap_or_default()),
        ("action", query.action.clone().unwrap_or_default()),
        ("before", number(query.before)),
        ("since", number(query.since)),
        ("until", number(query.until)),
        ("limit", number(query.limit)),
    ]);
    imp::send_json::<(), _>(imp::Method::Get, &format!("/api/audit{query}"), None).await
}

pub async fn session() -> Result<SessionView, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, "/api/session", None).await
}

pub async fn backup_password() -> Result<BackupPasswordView, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, "/api/backup-password", None).await
}

pub async fn rules() -> Result<RulesView, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, "/api/rules", None).await
}

pub async fn add_phrase_rule(rule: &NewPhraseRule) -> Result<PhraseRuleView, ClientError> {
    imp::post_json("/api/rules/phrases", Some(rule)).await
}

/// "Remember this": `text` means `intent` from now on (an admin's), or
/// once an admin accepts it (an operator's).
pub async fn remember(
    text: &str,
    intent: &str,
) -> Result<crate::api::RememberResponse, ClientError> {
    let body = crate::api::RememberRequest {
        intent: intent.to_string(),
        text: text.to_string(),
    };
    imp::post_json("/api/rules/remember", Some(&body)).await
}

/// An operator's proposal becomes an example.
pub async fn accept_proposal(id: i64) -> Result<ExampleView, ClientError> {
    imp::post_json::<(), _>(&format!("/api/rules/proposals/{id}/accept"), None).await
}

/// How the server reads `text` now, planning nothing.
pub async fn try_sentence(text: &str) -> Result<crate::api::ReadingView, ClientError> {
    let body = crate::api::TryRequest {
        text: text.to_string(),
    };
    imp::post_json("/api/rules/try", Some(&body)).await
}

pub async fn add_example(example: &NewExample) -> Result<ExampleView, ClientError> {
    imp::post_json("/api/rules/examples", Some(example)).await
}

pub async fn put_location_alias(
    alias: &NewLocationAlias,
) -> Result<LocationAliasView, ClientError> {
    imp::send_json(imp::Method::Put, "/api/rules/locations", Some(alias)).await
}

pub async fn put_pattern_alias(alias: &NewPatternAlias) -> Result<PatternAliasView, ClientError> {
    imp::send_json(imp::Method::Put, "/api/rules/patterns", Some(alias)).await
}

pub async fn delete_rule(kind: RuleKind, id: i64) -> Result<serde_json::Value, ClientError> {
    let url = format!("/api/rules/{}/{id}", kind.as_str());
    imp::send_json::<(), _>(imp::Method::Delete, &url, None).await
}

pub async fn dismiss_alert(alert_id: i64) -> Result<AlertView, ClientError> {
    imp::post_json::<(), _>(&format!("/api/alerts/{alert_id}/dismiss"), None).await
}

pub async fn notification_targets() -> Result<Vec<TargetView>, ClientError> {
    imp::send_json::<(), _>(imp::Method::Get, "/api/notifications", None).await
}

pub async fn add_notification_target(target: &NewTarget) -> Result<TargetView, ClientError> {
    imp::post_json("/api/notifications", Some(target)).await
}

pub async fn delete_notification_target(id: i64) -> Result<serde_json::Value, ClientError> {
    imp::send_json::<(), _>(
        imp::Method::Delete,
        &format!("/api/notifications/{id}"),
        None,
    )
    .await
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::ClientError;
    use crate::api::ErrorBody;
    use gloo_net::http::Request;
    use serde::{de::DeserializeOwned, Serialize};

    pub enum Method {
        Get,
        Put,
        Patch,
        Delete,
    }

    pub async fn post_json<B: Serialize, R: DeserializeOwned>(
        url: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        send(Request::post(url), body).await
    }

    pub async fn send_json<B: Serialize, R: DeserializeOwned>(
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        let request = match method {
            Method::Get => Request::get(url),
            Method::Put => Request::put(url),
            Method::Patch => Request::patch(url),
            Method::Delete => Request::delete(url),
        };
        send(request, body).await
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        request: gloo_net::http::RequestBuilder,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        let request = match body {
            Some(body) => request.json(body),
            None => request.build(),
        }
        .map_err(|e| ClientError(format!("Could not build the request: {e}")))?;
        let response = request.send().await.map_err(|_| {
            ClientError("Tend is not reachable right now. Is the server running?".into())
        })?;
        if response.ok() {
            response.json::<R>().await.map_err(|e| {
                ClientError(format!(
                    "Tend sent an answer this page does not understand: {e}"
                ))
            })
        } else {
            let status = response.status();
            match response.json::<ErrorBody>().await {
                Ok(body) => Err(ClientError(body.error)),
                Err(_) => Err(ClientError(format!("Tend answered with HTTP {status}."))),
            }
        }
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::ClientError;
    use serde::{de::DeserializeOwned, Serialize};

    pub enum Method {
        Get,
        Put,
        Patch,
        Delete,
    }

    pub async fn send_json<B: Serialize, R: DeserializeOwned>(
        _method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        post_json(url, body).await
    }

    pub async fn post_json<B: Serialize, R: DeserializeOwned>(
        _url: &str,
        _body: Option<&B>,
    ) -> Result<R, ClientError> {
        Err(ClientError(
            "The API is only called from the browser.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_query_sends_only_what_is_set() {
        assert_eq!(task_query_string(&TaskQuery::default()), "");
        let query = TaskQuery {
            state: Some("failed".into()),
            q: Some("my photos".into()),
            before: Some(40),
            limit: Some(50),
            ..TaskQuery::default()
        };
        assert_eq!(
            task_query_string(&query),
            "?state=failed&q=my%20photos&before=40&limit=50"
        );
    }
}
