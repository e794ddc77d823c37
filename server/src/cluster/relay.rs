//! Sends this node's changes to the others, and applies theirs here.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::{mpsc, watch};

use app::api::ServerMessage;

use crate::hub::{Change, EventHub};
use crate::queue::Workers;
use crate::rules::RuleService;
use crate::schedule::Scheduler;
use crate::store::Store;

/// The PostgreSQL notification channel every node listens on.
const CHANNEL: &str = "tend_changes";
/// Changes sent in one notification at most; keeps the payload well under
/// PostgreSQL's 8000-byte limit.
const PER_NOTIFICATION: usize = 100;

#[derive(Debug, Serialize, Deserialize)]
struct Notice {
    node: String,
    #[serde(default)]
    tasks: Vec<i64>,
    #[serde(default)]
    schedules: Vec<i64>,
    #[serde(default)]
    alerts: Vec<i64>,
    #[serde(default)]
    rules: bool,
}

/// What a node updates when another node tells it of a change.
pub struct Peers {
    pub node: String,
    pub store: Arc<dyn Store>,
    pub hub: EventHub,
    pub workers: Arc<Workers>,
    pub scheduler: Arc<Scheduler>,
    pub rules: Arc<RuleService>,
}

/// Starts passing changes between this node and the others on the
/// PostgreSQL database at `url`: `changes` is what this node's hub relays.
pub async fn start(
    url: &str,
    peers: Peers,
    changes: mpsc::UnboundedReceiver<Change>,
    shutdown: watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    let sender = PgListener::connect(url).await?;
    let peers = Arc::new(peers);
    tokio::spawn(send(sender, peers.node.clone(), changes, shutdown.clone()));
    tokio::spawn(receive(listener, peers, shutdown));
    Ok(())
}

/// Sends this node's changes, a burst at a time, each thing once per burst.
async fn send(
    mut connection: PgListener,
    node: String,
    mut changes: mpsc::UnboundedReceiver<Change>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let first = tokio::select! {
            change = changes.recv() => match change {
                Some(change) => change,
                None => return,
            },
            _ = shutdown.changed() => return,
        };
        let mut burst = vec![first];
        while let Ok(more) = changes.try_recv() {
            burst.push(more);
        }
        for notice in notices(&node, burst) {
            let payload = match serde_json::to_string(&notice) {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "could not encode a change for the other nodes");
                    continue;
                }
            };
            // `pg_notify` returns nothing; selecting from it sends it.
            let sent = sqlx::query("SELECT 1 FROM pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&mut connection)
                .await;
            if let Err(e) = sent {
                tracing::warn!(error = %e, "could not tell the other nodes of a change");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }
}

/// A burst of changes as notices: duplicates dropped, split to fit.
fn notices(node: &str, burst: Vec<Change>) -> Vec<Notice> {
    let mut tasks = Vec::new();
    let mut schedules = Vec::new();
    let mut alerts = Vec::new();
    let mut rules = false;
    for change in burst {
        match change {
            Change::Task(id) if !tasks.contains(&id) => tasks.push(id),
            Change::Schedule(id) if !schedules.contains(&id) => schedules.push(id),
            Change::Alert(id) if !alerts.contains(&id) => alerts.push(id),
            Change::Rules => rules = true,
            _ => {}
        }
    }
    let mut out = Vec::new();
    let empty = || Notice {
        node: node.to_string(),
        tasks: Vec::new(),
        schedules: Vec::new(),
        alerts: Vec::new(),
        rules: false,
    };
    for chunk in tasks.chunks(PER_NOTIFICATION) {
        out.push(Notice {
            tasks: chunk.to_vec(),
            ..empty()
        });
    }
    for chunk in schedules.chunks(PER_NOTIFICATION) {
        out.push(Notice {
            schedules: chunk.to_vec(),
            ..empty()
        });
    }
    for chunk in alerts.chunks(PER_NOTIFICATION) {
        out.push(Notice {
            alerts: chunk.to_vec(),
            ..empty()
        });
    }
    if rules {
        out.push(Notice {
            rules: true,
            ..empty()
        });
    }
    out
}

async fn receive(mut listener: PgListener, peers: Arc<Peers>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let received = tokio::select! {
            r = listener.try_recv() => r,
            _ = shutdown.changed() => return,
        };
        match received {
            Ok(Some(notification)) => {
                match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) if notice.node != peers.node => apply(&peers, notice).await,
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "unreadable change from another node"),
                }
            }
            // The connection dropped; it is made again at the next call.
            // What was sent meanwhile is lost, so the rules are read again.
            Ok(None) => {
                tracing::warn!("lost the connection that hears other nodes; reconnecting");
                reload_rules(&peers).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot hear other nodes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn apply(peers: &Peers, notice: Notice) {
    for id in notice.tasks {
        match peers.store.get_task(id).await {
            Ok(task) => {
                if task.state == app::api::TaskState::Queued {
                    peers.workers.wake();
                }
                if task.cancel_requested {
                    peers.workers.cancels.signal(id);
                }
                peers.hub.publish_here(ServerMessage::Task {
                    task: Box::new(task),
                });
            }
            Err(e) => {
                tracing::warn!(task = id, error = %e, "could not read a task another node changed")
            }
        }
    }
    for id in notice.schedules {
        match peers.store.get_schedule(id).await {
            Ok(schedule) => {
                peers.scheduler.wake();
                peers.hub.publish_here(ServerMessage::Schedule { schedule });
            }
            Err(e) => {
                tracing::warn!(schedule = id, error = %e, "could not read a schedule another node changed")
            }
        }
    }
    for id in notice.alerts {
        match peers.store.get_alert(id).await {
            Ok(alert) => peers.hub.publish_here(ServerMessage::Alert { alert }),
            Err(e) => {
                tracing::warn!(alert = id, error = %e, "could not read an alert another node raised")
            }
        }
    }
    if notice.rules {
        reload_rules(peers).await;
    }
}

async fn reload_rules(peers: &Peers) {
    if let Err(e) = peers.rules.reload().await {
        tracing::warn!(error = %e, "could not apply rules changed on another node");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_sent_once_per_thing_and_in_pieces_that_fit() {
        let mut burst = vec![Change::Task(1), Change::Task(1), Change::Rules];
        burst.extend((0..250).map(Change::Task));
        burst.push(Change::Schedule(4));
        let notices = notices("n", burst);
        let tasks: Vec<i64> = notices.iter().flat_map(|n| n.tasks.clone()).collect();
        assert_eq!(tasks.len(), 250);
        assert_eq!(tasks[0], 1);
        assert!(notices.iter().all(|n| n.tasks.len() <= PER_NOTIFICATION));
        assert_eq!(notices.iter().filter(|n| n.rules).count(), 1);
        assert_eq!(
            notices
                .iter()
                .flat_map(|n| n.schedules.clone())
                .collect::<Vec<_>>(),
            [4]
        );
        let longest = notices
            .iter()
            .map(|n| serde_json::to_string(n).unwrap().len())
            .max()
            .unwrap();
        assert!(longest < 8000, "{longest}");
    }
}
