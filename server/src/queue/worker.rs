//! Workers: claim queued tasks, run their workflow on a blocking thread, and
//! turn the workflow's reports into stored progress and broadcast updates.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, watch, Notify};

use crate::hub::EventHub;
use crate::store::{CancelOutcome, Finish, Store, StoreError, Sweeper, Task};
use crate::workflows::{self, Outcome, Report, TaskContext, WorkflowEnv, WorkflowParams};

/// Cancel flags of the tasks running in this process.
#[derive(Clone, Default)]
pub struct CancelRegistry {
    flags: Arc<Mutex<HashMap<i64, Arc<AtomicBool>>>>,
}

impl CancelRegistry {
    fn register(&self, id: i64, already: bool) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(already));
        self.lock().insert(id, flag.clone());
        flag
    }

    fn remove(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// The tasks running here.
    fn ids(&self) -> Vec<i64> {
        self.lock().keys().copied().collect()
    }

    /// Asks a running task to stop; false if it is not running here.
    pub fn signal(&self, id: i64) -> bool {
        match self.lock().get(&id) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<AtomicBool>>> {
        match self.flags.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// How often a node marks the tasks it runs as alive, and looks for cancels
/// asked on other nodes (so those stop within about this long), at most.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How often a node looks for other nodes' abandoned tasks, at most.
const SWEEP: Duration = Duration::from_secs(10);

pub struct Workers {
    store: Arc<dyn Store>,
    hub: EventHub,
    env: Arc<WorkflowEnv>,
    wake: Notify,
    /// This node's name in the tasks it claims.
    node: String,
    /// A running task whose node has been silent this long is taken as
    /// interrupted and requeued by another node. Well above a heartbeat, so
    /// a busy node is never mistaken for a dead one; the clocks of nodes
    /// sharing a database must agree far better than this.
    lease: Duration,
    max_attempts: i64,
    pub cancels: CancelRegistry,
}

/// How a node takes part in the shared queue.
pub struct NodeSettings {
    pub name: String,
    pub lease: Duration,
    pub max_attempts: i64,
}

impl Workers {
    pub fn new(
        store: Arc<dyn Store>,
        hub: EventHub,
        env: Arc<WorkflowEnv>,
        node: NodeSettings,
    ) -> Arc<Workers> {
        Arc::new(Workers {
            store,
            hub,
            env,
            wake: Notify::new(),
            node: node.name,
            lease: node.lease,
            max_attempts: node.max_attempts,
            cancels: CancelRegistry::default(),
        })
    }

    pub fn node(&self) -> &str {
        &self.node
    }

    /// At a node's start: its own tasks left running are interrupted (it runs
    /// nothing yet), and so are any whose node has gone silent.
    pub async fn recover_at_start(&self) -> Result<Vec<Task>, StoreError> {
        self.recover(Sweeper::Restarted(&self.node)).await
    }

    async fn recover(&self, sweeper: Sweeper<'_>) -> Result<Vec<Task>, StoreError> {
        let now = crate::now_ms();
        let stale_before = now - self.lease.as_millis() as i64;
        let recovered = self
            .store
            .recover_interrupted(self.max_attempts, sweeper, stale_before, now)
            .await?;
        for task in &recovered {
            tracing::warn!(
                task = task.id,
                state = task.state.as_str(),
                "recovered a task whose node stopped while running it"
            );
            self.hub.publish(task.clone());
        }
        if !recovered.is_empty() {
            self.wake();
        }
        Ok(recovered)
    }

    /// Keeps this node's running tasks marked alive, stops those cancelled
    /// from another node, and requeues tasks of nodes that stopped.
    fn start_lease(self: &Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let workers = self.clone();
        tokio::spawn(async move {
            let mut heartbeat = tokio::time::interval(HEARTBEAT.min(workers.lease / 3));
            let mut sweep = tokio::time::interval(SWEEP.min(workers.lease / 3));
            heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = heartbeat.tick() => workers.beat().await,
                    _ = sweep.tick() => {
                        let running = workers.cancels.ids();
                        let sweeper = Sweeper::Running { node: &workers.node, tasks: &running };
                        if let Err(e) = workers.recover(sweeper).await {
                            tracing::warn!(error = %e, "could not look for abandoned tasks");
                        }
                    }
                    _ = shutdown.changed() => return,
                }
            }
        });
    }

    /// Marks this node's running tasks alive and stops those it no longer
    /// owns or that were cancelled from another node.
    async fn beat(&self) {
        let running = self.cancels.ids();
        if running.is_empty() {
            return;
        }
        match self
            .store
            .heartbeat(&self.node, &running, crate::now_ms())
            .await
        {
            Ok(stop) => {
                for id in stop {
                    self.cancels.signal(id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not record the heartbeat"),
        }
    }

    /// Starts `count` worker loops that run until `shutdown` turns true.
    pub fn start(self: &Arc<Self>, count: usize, shutdown: watch::Receiver<bool>) {
        self.start_lease(shutdown.clone());
        for _ in 0..count {
            let workers = self.clone();
            let mut shutdown = shutdown.clone();
            tokio::spawn(async move {
                loop {
                    if *shutdown.borrow() {
                        return;
                    }
                    match workers
                        .store
                        .claim_next(&workers.node, crate::now_ms())
                        .await
                    {
                        Ok(Some(task)) => {
                            workers.hub.publish(task.clone());
                            workers.run(task).await;
                            continue;
                        }
                        Ok(None) => {}
                        Err(e) => tracing::error!(error = %e, "could not claim a task"),
                    }
                    // Woken by a new task, or poll now and then as a backstop.
                    tokio::select! {
                        _ = workers.wake.notified() => {}
                        _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            });
        }
    }

    /// Cancels a task: at once if queued, by signalling its worker if running.
    pub async fn cancel(&self, id: i64) -> Result<(Task, CancelOutcome), StoreError> {
        let (task, outcome) = self.store.request_cancel(id, crate::now_ms()).await?;
        if outcome == CancelOutcome::Requested {
            self.cancels.signal(id);
        }
        self.hub.publish(task.clone());
        Ok((task, outcome))
    }

    /// Tells idle workers there is work.
    pub fn wake(&self) {
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    async fn run(&self, task: Task) {
        let id = task.id;
        let cancel = self.cancels.register(id, task.cancel_requested);
        let finish = match serde_json::from_value::<WorkflowParams>(task.parameters.clone()) {
            Err(e) => Finish::Failed {
                error: format!("The task's parameters cannot be read: {e}"),
                result: None,
            },
            Ok(params) => self.execute(id, params, cancel).await,
        };
        self.cancels.remove(id);
        match self
            .store
            .finish(id, &self.node, finish, crate::now_ms())
            .await
        {
            Ok(task) => self.hub.publish(task),
            Err(StoreError::NotOwner { .. }) => tracing::warn!(
                task = id,
                "another node took this task over while it ran here (this node was cut off \
                 for longer than the lease); its run there is the one that counts"
            ),
            Err(e) => tracing::error!(task = id, error = %e, "could not record the end of a task"),
        }
    }

    async fn execute(&self, id: i64, params: WorkflowParams, cancel: Arc<AtomicBool>) -> Finish {
        let (reports, receiver) = mpsc::unbounded_channel();
        let drain = tokio::spawn(drain_reports(
            id,
            self.node.clone(),
            receiver,
            self.store.clone(),
            self.hub.clone(),
        ));
        let env = self.env.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let ctx = TaskContext::new(id, cancel, reports);
            workflows::run(&params, &env, &ctx)
        })
        .await;
        // The context (and its sender) is gone once the workflow returns, so
        // the drain ends after storing the last report.
        let _ = drain.await;
        match outcome {
            Ok(Ok(Outcome::Succeeded { summary })) => Finish::Succeeded { result: summary },
            Ok(Ok(Outcome::Cancelled { summary })) => Finish::Cancelled { result: summary },
            Ok(Ok(Outcome::PartlyFailed { summary, error })) => Finish::Failed {
                error,
                result: Some(summary),
            },
            Ok(Err(e)) => Finish::Failed {
                error: e.to_string(),
                result: None,
            },
            Err(e) => Finish::Failed {
                error: format!("The workflow stopped unexpectedly: {e}"),
                result: None,
            },
        }
    }
}

async fn drain_reports(
    id: i64,
    node: String,
    mut receiver: mpsc::UnboundedReceiver<Report>,
    store: Arc<dyn Store>,
    hub: EventHub,
) {
    while let Some(report) = receiver.recv().await {
        let now = crate::now_ms();
        match report {
            Report::Progress(progress) => {
                match store.update_progress(id, &node, &progress, now).await {
                    Ok(task) => hub.publish(task),
                    Err(e) => tracing::warn!(task = id, error = %e, "could not store progress"),
                }
            }
            Report::Log { kind, message } => {
                if let Err(e) = store.log(id, kind, &message, now).await {
                    tracing::warn!(task = id, error = %e, "could not store a log line");
                }
            }
        }
    }
}
