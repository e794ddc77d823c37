use crate::api::{
    BackupPasswordView, CommandResponse, ConfirmResponse, ExampleView, LocationAliasView,
    NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule, PatternAliasView, PhraseRuleView,
    RescheduleRequest, RuleKind, RulesView, ScheduleView, SessionView,
};

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
