//! Sending one alert to one target, retried with backoff.

use std::time::Duration;

use serde_json::{json, Value};

use app::api::{AlertView, TargetKind};

use crate::store::StoredTarget;

/// Tries per target: 1 s, 2 s, 4 s … apart, about 17 minutes in all.
const TRIES: u32 = 10;

pub struct Delivery {
    client: reqwest::Client,
    target: StoredTarget,
    alert: AlertView,
}

/// What goes over the wire for `kind`: the URL to post to, the JSON body
/// or plain text, and extra headers.
pub fn body_for(
    kind: TargetKind,
    url: &str,
    token: Option<&str>,
    alert: &AlertView,
) -> (String, Result<Value, String>, Vec<(&'static str, String)>) {
    let title = match alert.event.as_str() {
        "task_failed" => "Tend: a task failed",
        "schedule_missed" => "Tend: a schedule missed its run",
        "disk_low" => "Tend: the data directory is running out of space",
        _ => "Tend",
    };
    match kind {
        TargetKind::Webhook => {
            let mut body = json!({
                "event": alert.event,
                "message": alert.message,
                "at": alert.at,
            });
            if let Some(id) = alert.task_id {
                body["task_id"] = json!(id);
            }
            if let Some(id) = alert.schedule_id {
                body["schedule_id"] = json!(id);
            }
            (url.to_string(), Ok(body), vec![])
        }
        TargetKind::Ntfy => (
            url.to_string(),
            Err(alert.message.clone()),
            vec![
                ("Title", title.to_string()),
                ("Tags", "warning".to_string()),
            ],
        ),
        TargetKind::Gotify => {
            let base = url.trim_end_matches('/');
            (
                format!("{base}/message"),
                Ok(json!({"title": title, "message": alert.message, "priority": 8})),
                token
                    .map(|t| vec![("X-Gotify-Key", t.to_string())])
                    .unwrap_or_default(),
            )
        }
        TargetKind::Slack => (
            url.to_string(),
            Ok(json!({"text": format!("*{title}*\n{}", alert.message)})),
            vec![],
        ),
    }
}

impl Delivery {
    pub fn new(client: reqwest::Client, target: StoredTarget, alert: AlertView) -> Delivery {
        Delivery {
            client,
            target,
            alert,
        }
    }

    /// Sends until the target takes it (a 2xx) or the tries run out.
    pub async fn run(self) {
        let mut wait = Duration::from_secs(1);
        for attempt in 1..=TRIES {
            match self.send_once().await {
                Ok(()) => return,
                Err(e) if attempt == TRIES => {
                    tracing::error!(
                        target_url = %self.target.view.url,
                        alert = self.alert.id,
                        "alert not delivered after {TRIES} tries: {e}"
                    );
                }
                Err(e) => {
                    tracing::warn!(target_url = %self.target.view.url, "alert not delivered ({e}); trying again in {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(600));
                }
            }
        }
    }

    async fn send_once(&self) -> Result<(), String> {
        let (url, body, headers) = body_for(
            self.target.view.kind,
            &self.target.view.url,
            self.target.token.as_deref(),
            &self.alert,
        );
        let mut request = self.client.post(&url);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request = match body {
            Ok(json) => request.json(&json),
            Err(text) => request.body(text),
        };
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("answered {}", response.status()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> AlertView {
        AlertView {
            id: 1,
            event: "task_failed".into(),
            task_id: Some(12),
            schedule_id: None,
            message: "Task #12 failed".into(),
            at: 5,
            dismissed_at: None,
        }
    }

    #[test]
    fn each_kind_gets_the_body_it_reads() {
        let (url, body, _) = body_for(TargetKind::Webhook, "http://h/x", None, &alert());
        assert_eq!(url, "http://h/x");
        assert_eq!(
            body.unwrap(),
            json!({"event": "task_failed", "task_id": 12, "message": "Task #12 failed", "at": 5})
        );
        let (_, body, headers) = body_for(TargetKind::Ntfy, "https://ntfy.sh/t", None, &alert());
        assert_eq!(body.unwrap_err(), "Task #12 failed");
        assert!(headers.iter().any(|(n, _)| *n == "Title"));
        let (url, body, headers) = body_for(
            TargetKind::Gotify,
            "https://g.example/",
            Some("tok"),
            &alert(),
        );
        assert_eq!(url, "https://g.example/message");
        assert_eq!(body.unwrap()["priority"], 8);
        assert_eq!(headers, vec![("X-Gotify-Key", "tok".to_string())]);
        let (_, body, _) = body_for(TargetKind::Slack, "https://hooks", None, &alert());
        assert!(body.unwrap()["text"]
            .as_str()
            .unwrap()
            .contains("Task #12 failed"));
    }
}
