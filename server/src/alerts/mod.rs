//! Alerts: a task that failed for good, a schedule with no successful run
//! within its period plus a grace, the data directory running out of
//! space. Each is recorded once (its key makes raising it again, on any
//! node, a no-op), shown in every browser until someone dismisses it, and
//! sent to every notification target, retried with backoff.

mod deliver;
mod watch;

use std::sync::Arc;

use app::api::{AlertView, TargetKind, TargetView};

use crate::hub::EventHub;
use crate::queue::TaskObserver;
use crate::store::{NewAlert, Store, StoreError, StoredTarget, Task, TaskState};

pub use deliver::{body_for, Delivery};
pub use watch::{missed_since, watch, WatchSettings};

/// Raises alerts and sends them.
pub struct Alerts {
    store: Arc<dyn Store>,
    hub: EventHub,
    /// `notify_webhook` from the configuration.
    configured_webhook: Option<String>,
    client: reqwest::Client,
}

impl Alerts {
    pub fn new(store: Arc<dyn Store>, hub: EventHub, configured_webhook: Option<String>) -> Alerts {
        Alerts {
            store,
            hub,
            configured_webhook: configured_webhook.filter(|u| !u.trim().is_empty()),
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    /// Records `alert` and, if it is new, shows and sends it. Returns it
    /// when it was new.
    pub async fn raise(&self, alert: NewAlert) -> Result<Option<AlertView>, StoreError> {
        let Some(raised) = self.store.raise_alert(alert, crate::now_ms()).await? else {
            return Ok(None);
        };
        tracing::warn!(event = raised.event, "{}", raised.message);
        self.hub.publish_alert(raised.clone());
        for target in self.targets().await? {
            let delivery = Delivery::new(self.client.clone(), target, raised.clone());
            tokio::spawn(delivery.run());
        }
        Ok(Some(raised))
    }

    /// Where alerts go: the configured webhook, then the admins' targets.
    pub async fn targets(&self) -> Result<Vec<StoredTarget>, StoreError> {
        let mut all: Vec<StoredTarget> = self
            .configured_webhook
            .iter()
            .map(|url| StoredTarget {
                view: TargetView {
                    id: None,
                    kind: TargetKind::Webhook,
                    url: url.clone(),
                    has_token: false,
                    from_config: true,
                },
                token: None,
            })
            .collect();
        all.extend(self.store.list_targets().await?);
        Ok(all)
    }

    /// Marks an alert seen; every browser drops its banner.
    pub async fn dismiss(&self, id: i64) -> Result<AlertView, StoreError> {
        let alert = self.store.dismiss_alert(id, crate::now_ms()).await?;
        self.hub.publish_alert(alert.clone());
        Ok(alert)
    }
}

/// The alert for a task that failed for good.
pub fn task_failed(task: &Task) -> NewAlert {
    let tries = match task.attempt {
        0 | 1 => String::new(),
        n => format!(" after {n} attempts"),
    };
    let why = task
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    NewAlert {
        key: format!("task_failed:{}", task.id),
        event: "task_failed",
        task_id: Some(task.id),
        schedule_id: None,
        message: format!("Task #{} ({}) failed{tries}{why}", task.id, task.summary),
    }
}

/// Failures seen by the workers of this node become alerts.
pub struct FailureWatch(pub Arc<Alerts>);

impl TaskObserver for FailureWatch {
    fn ended(&self, task: &Task) {
        if task.state != TaskState::Failed {
            return;
        }
        let alerts = self.0.clone();
        let alert = task_failed(task);
        tokio::spawn(async move {
            if let Err(e) = alerts.raise(alert).await {
                tracing::error!(error = %e, "could not raise an alert for a failed task");
            }
        });
    }
}
