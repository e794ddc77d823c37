//! Builds and starts a whole Tend server from a [`Config`]: data directory,
//! store (migrated, crash-recovered), path policy, workers, HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use leptos::config::LeptosOptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::domain::PathPolicy;
use crate::http::auth::Access;
use crate::http::{router, AppState};
use crate::hub::EventHub;
use crate::nlu::batcher::BatchLimits;
use crate::nlu::Nlu;
use crate::plan::Planner;
use crate::queue::{NodeSettings, TaskRunner, Workers, WorkflowRunner};
use crate::rules::{RuleError, RuleService};
use crate::schedule::Scheduler;
use crate::store::{Backend, SqlStore, Store};
use crate::workflows::cleanup::purge;
use crate::workflows::WorkflowEnv;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("cannot put the routing rules in force: {0}")]
    Rules(#[from] RuleError),
    #[error("cannot listen for the other nodes' changes on the database: {0}")]
    Cluster(sqlx::Error),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    /// Fires repeating plans; `tick` fires what is due at a given time.
    pub scheduler: Arc<Scheduler>,
    workers: Arc<Workers>,
    /// How long running tasks get to reach a safe point on a stop.
    grace: Duration,
    shutdown: watch::Sender<bool>,
    handle: JoinHandle<std::io::Result<()>>,
}

pub async fn start(config: Config) -> Result<Server, StartError> {
    start_with_runner(config, None).await
}

/// [`start`], with the tasks' work done by `runner` instead of Tend's
/// workflows (the queue bench's no-op, a test's blocking read).
pub async fn start_with_runner(
    config: Config,
    runner: Option<Arc<dyn TaskRunner>>,
) -> Result<Server, StartError> {
    let io = |context: String| move |source| StartError::Io { context, source };
    for dir in [
        config.data_dir.clone(),
        config.default_root(),
        config.quarantine_dir(),
    ] {
        std::fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
    }
    let sql = Arc::new(
        SqlStore::open(&config.database_url())
            .await?
            .with_max_queued(config.max_queued)
            .with_aging_ms(
                config
                    .priority_aging_secs
                    .saturating_mul(1000)
                    .min(i64::MAX as u64) as i64,
            ),
    );
    let backend = sql.backend();
    let store: Arc<dyn Store> = sql;
    config.validate(store.count_users().await? > 0)?;

    let mut roots = vec![config.default_root()];
    roots.extend(config.extra_allowed_roots.iter().cloned());
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut protected = config.protected_paths.clone();
    protected.push(config.data_dir.clone());
    let policy = PathPolicy::new(roots, home).protect(protected, [config.default_root()]);
    let policy = Arc::new(RwLock::new(policy));
    let quarantine_dir = config
        .quarantine_dir()
        .canonicalize()
        .map_err(io("cannot resolve the quarantine directory".into()))?;

    // Nodes sharing a PostgreSQL database pass their changes on (cluster/).
    let (hub, relayed) = match backend {
        Backend::Postgres => {
            let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
            (EventHub::with_relay(sender), Some(receiver))
        }
        Backend::Sqlite => (EventHub::default(), None),
    };
    let data_dir = config
        .data_dir
        .canonicalize()
        .map_err(io("cannot resolve the data directory".into()))?;
    let env = Arc::new(WorkflowEnv {
        policy: policy.clone(),
        quarantine_dir: quarantine_dir.clone(),
        secrets_dir: config.secrets_dir(),
        cache_dir: data_dir.join("cache"),
        undo_retention: (config.quarantine_retention_days > 0)
            .then(|| Duration::from_secs(config.quarantine_retention_days.saturating_mul(86_400))),
        backup_extra_verify: config.backup_extra_verify,
    });
    let runner = runner.unwrap_or_else(|| Arc::new(WorkflowRunner { env: env.clone() }));
    let workers = Workers::new(
        store.clone(),
        hub.clone(),
        runner,
        NodeSettings {
            name: config.node_name(),
            lease: Duration::from_secs(config.node_lease_secs),
            policy: config.run_policy(),
        },
    );
    tokio::spawn(forward_follow_ups(
        store.follow_ups(),
        hub.clone(),
        workers.clone(),
    ));
    let metrics = Arc::new(crate::metrics::Metrics::new());
    workers.observe(metrics.clone());
    let alerts = Arc::new(crate::alerts::Alerts::new(
        store.clone(),
        hub.clone(),
        config.notify_webhook.clone(),
    ));
    workers.observe(Arc::new(crate::alerts::FailureWatch(alerts.clone())));
    workers.recover_at_start().await?;
    let (shutdown, shutdown_rx) = watch::channel(false);
    workers.start(config.workers, shutdown_rx.clone());
    let wake_workers = {
        let workers = workers.clone();
        Arc::new(move || workers.wake()) as crate::schedule::WakeWorkers
    };
    let scheduler = Scheduler::new(store.clone(), hub.clone(), wake_workers);
    tokio::spawn(scheduler.clone().run(shutdown_rx.clone()));
    tokio::spawn(crate::alerts::watch(
        alerts.clone(),
        crate::alerts::WatchSettings {
            every: Duration::from_secs(config.alert_check_secs.max(1)),
            schedule_grace_ms: (config.schedule_grace_secs as i64).saturating_mul(1000),
            data_dir: data_dir.clone(),
            min_free_bytes: config.min_free_mb.saturating_mul(1 << 20),
            node: config.node_name(),
        },
        shutdown_rx.clone(),
    ));
    tokio::spawn(prune_people(
        store.clone(),
        (config.audit_retention_days > 0)
            .then(|| Duration::from_secs(config.audit_retention_days.saturating_mul(86_400))),
        shutdown_rx.clone(),
    ));
    if config.quarantine_retention_days > 0 {
        tokio::spawn(purge_quarantines(
            quarantine_dir.clone(),
            Duration::from_secs(config.quarantine_retention_days.saturating_mul(86_400)),
            store.clone(),
            shutdown_rx.clone(),
        ));
    }

    // Loading the model and embedding the examples takes seconds of CPU.
    let (model_dir, glm_dir) = (config.model_dir.clone(), config.glm_dir.clone());
    let (cache, method) = (Some(config.embedding_cache()), config.intent_classifier);
    let nlu = tokio::task::spawn_blocking(move || match glm_dir.map(|d| Nlu::load_glm(&d)) {
        Some(Ok(glm)) => {
            tracing::info!(backend = glm.backend_name(), "intent model loaded");
            glm
        }
        Some(Err(e)) => {
            tracing::warn!("{e}; using the encoder instead");
            Nlu::load_or_keywords(&model_dir, BatchLimits::default(), cache).with_classifier(method)
        }
        None => {
            Nlu::load_or_keywords(&model_dir, BatchLimits::default(), cache).with_classifier(method)
        }
    })
    .await
    .unwrap_or_else(|e| {
        tracing::warn!("loading the intent model failed ({e}); using keyword cues");
        Nlu::keywords()
    });
    let nlu = Arc::new(nlu);
    let rules = Arc::new(RuleService::load(store.clone(), nlu.clone(), hub.clone()).await?);
    if let Some(changes) = relayed {
        let peers = crate::cluster::Peers {
            node: workers.node().to_string(),
            store: store.clone(),
            hub: hub.clone(),
            workers: workers.clone(),
            scheduler: scheduler.clone(),
            rules: rules.clone(),
        };
        crate::cluster::start(&config.database_url(), peers, changes, shutdown_rx.clone())
            .await
            .map_err(StartError::Cluster)?;
    }
    let planner = Arc::new(Planner {
        nlu,
        metrics: metrics.clone(),
        store: store.clone(),
        workers: workers.clone(),
        hub: hub.clone(),
        scheduler: scheduler.clone(),
        env,
        plan_ttl_ms: (config.plan_ttl_secs as i64).saturating_mul(1000),
        max_command_bytes: config.max_command_bytes,
        sync_max_delete: config.sync_max_delete,
        conversations: Default::default(),
    });
    let site_dir = config.site_dir();
    let leptos = LeptosOptions::builder()
        .output_name("tend")
        .site_root(site_dir.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build();
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(io(format!("cannot listen on {}", config.bind)))?;
    let addr = listener
        .local_addr()
        .map_err(io("cannot read the bound address".into()))?;
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let state = AppState {
        access: Access::new(config.admin_token.as_deref()),
        config: Arc::new(config),
        store: store.clone(),
        hub,
        workers: workers.clone(),
        scheduler: scheduler.clone(),
        planner,
        rules,
        leptos,
        metrics: metrics.clone(),
        alerts: alerts.clone(),
        shutdown: shutdown_rx.clone(),
    };
    let app = router(state);
    let mut stop = shutdown_rx;
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|stopping| *stopping).await;
        })
        .await
    });
    tracing::info!(%addr, site = %site_dir.display(), "Tend is listening");
    Ok(Server {
        addr,
        store,
        scheduler,
        workers,
        grace,
        shutdown,
        handle,
    })
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A graceful stop: claims no more tasks, asks the running ones to stop
    /// at a safe point and releases them to the queue without spending an
    /// attempt (within `shutdown_grace_secs`), then closes connections.
    /// Another node, or this one when it restarts, takes them up at once.
    pub async fn stop(self) {
        let released = self.workers.drain(self.grace).await;
        if released > 0 {
            tracing::info!(tasks = released, "released running tasks to the queue");
        }
        let _ = self.shutdown.send(true);
        let _ = self.handle.await;
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        tracing::info!("stopping");
        self.stop().await;
    }
}

/// Hourly (and at start): deletes quarantines older than the retention and
/// notes it in each cleanup task's log, and schedules stopped that long ago.
async fn purge_quarantines(
    quarantine_dir: PathBuf,
    retention: Duration,
    store: Arc<dyn Store>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let dir = quarantine_dir.clone();
        let result = tokio::task::spawn_blocking(move || {
            purge::purge_expired(&dir, retention, std::time::SystemTime::now())
        })
        .await;
        match result {
            Ok(Ok(purged)) => {
                for p in purged {
                    let note = format!(
                        "quarantine {} purged after the retention period",
                        p.dir.display()
                    );
                    tracing::info!(task = p.task_id, "{note}");
                    let _ = store.log(p.task_id, "info", &note, crate::now_ms()).await;
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "quarantine purge failed"),
            Err(e) => tracing::warn!(error = %e, "quarantine purge stopped"),
        }
        // Stopped schedules are history for as long as quarantines are.
        let stopped_before = crate::now_ms() - retention.as_millis() as i64;
        match store.purge_stopped_schedules(stopped_before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("{n} schedules stopped before the retention period deleted"),
            Err(e) => tracing::warn!(error = %e, "schedule purge failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Hourly (and at start): forgets expired sessions, and audit entries
/// older than `audit_retention` when there is one (none keeps them all).
async fn prune_people(
    store: Arc<dyn Store>,
    audit_retention: Option<Duration>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let now = crate::now_ms();
        if let Err(e) = store.prune_sessions(now).await {
            tracing::warn!(error = %e, "expired sessions could not be pruned");
        }
        if let Some(retention) = audit_retention {
            match store.prune_audit(now - retention.as_millis() as i64).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("{n} audit entries older than the retention deleted"),
                Err(e) => tracing::warn!(error = %e, "audit log pruning failed"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Shows browsers the tasks the store changed as a consequence of another
/// change (a dependent unblocked or cancelled, a task waiting on a path),
/// and starts at once a task that became ready that way.
async fn forward_follow_ups(
    mut follow_ups: tokio::sync::broadcast::Receiver<crate::store::Task>,
    hub: EventHub,
    workers: Arc<Workers>,
) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match follow_ups.recv().await {
            Ok(task) => {
                if task.state == crate::store::TaskState::Queued {
                    workers.wake();
                }
                hub.publish(task);
            }
            // Fell behind: the tasks missed are shown at their next change.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => break,
        }
    }
}
