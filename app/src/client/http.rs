use crate::api::{CommandResponse, ConfirmResponse};

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

pub async fn cancel_plan(plan_id: &str) -> Result<serde_json::Value, ClientError> {
    imp::post_json::<(), _>(&format!("/api/plans/{plan_id}/cancel"), None).await
}

pub async fn cancel_task(task_id: i64) -> Result<serde_json::Value, ClientError> {
    imp::post_json::<(), _>(&format!("/api/tasks/{task_id}/cancel"), None).await
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::ClientError;
    use crate::api::ErrorBody;
    use gloo_net::http::Request;
    use serde::{de::DeserializeOwned, Serialize};

    pub async fn post_json<B: Serialize, R: DeserializeOwned>(
        url: &str,
        body: Option<&B>,
    ) -> Result<R, ClientError> {
        let request = Request::post(url);
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

    pub async fn post_json<B: Serialize, R: DeserializeOwned>(
        _url: &str,
        _body: Option<&B>,
    ) -> Result<R, ClientError> {
        Err(ClientError(
            "The API is only called from the browser.".into(),
        ))
    }
}
