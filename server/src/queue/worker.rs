//! Workers: claim queued tasks, run their workflow on a blocking thread, and
//! turn the workflow's reports into stored progress and broadcast updates.
//! An attempt ends in one of the [`Finish`]es: a transient failure is
//! retried after a backoff, a time limit or a stall stops it as a transient
//! failure, and a node that is stopping releases its tasks at a safe point
//! without spending their attempt.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch, Notify, Semaphore};

use super::retry::{backoff_ms, RunPolicy};
use crate::hub::EventHub;
use crate::store::{CancelOutcome, Ending, Finish, Lease, Store, StoreError, Sweeper, Task};
use crate::workflows::{
    self, Outcome, Report, TaskContext, WorkflowEnv, WorkflowError, WorkflowParams,
};

/// What runs a claimed task's work, on a blocking thread. Tend's runner is
/// [`WorkflowRunner`]; the queue bench and tests put in their own (a no-op,
/// a read that blocks), which is the only way such work gets in.
pub trait TaskRunner: Send + Sync + 'static {
    fn run(&self, task: &Task, ctx: &TaskContext) -> Result<Outcome, WorkflowError>;
}

/// Runs the workflow a task's parameters name.
pub struct WorkflowRunner {
    pub env: Arc<WorkflowEnv>,
}

impl TaskRunner for WorkflowRunner {
    fn run(&self, task: &Task, ctx: &TaskContext) -> Result<Outcome, WorkflowError> {
        let params: WorkflowParams =
            serde_json::from_value(task.parameters.clone()).map_err(|e| {
                WorkflowError::InvalidParams(format!("the stored parameters cannot be read: {e}"))
            })?;
        workflows::run(&params, &self.env, ctx)
    }
}

/// Why a running task was asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum StopReason {
    None = 0,
    /// A user cancelled it.
    Cancel = 1,
    /// This node is stopping: release it, without spending the attempt.
    Shutdown = 2,
    /// Its time limit passed, or it made no progress for too long.
    Limit = 3,
}

impl StopReason {
    fn from_u8(v: u8) -> StopReason {
        match v {
            1 => StopReason::Cancel,
            2 => StopReason::Shutdown,
            3 => StopReason::Limit,
            _ => StopReason::None,
        }
    }
}

/// A task running in this process: the flag its workflow polls, why it
/// was raised, and the attempt it runs.
struct Running {
    stop: Arc<AtomicBool>,
    reason: AtomicU8,
    attempt: i64,
}

impl Running {
    /// Raises the stop flag; the first reason given is the one kept.
    fn stop(&self, reason: StopReason) {
        let _ = self.reason.compare_exchange(
            StopReason::None as u8,
            reason as u8,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.stop.store(true, Ordering::SeqCst);
    }

    fn reason(&self) -> StopReason {
        StopReason::from_u8(self.reason.load(Ordering::SeqCst))
    }
}

/// The tasks running in this process.
#[derive(Clone, Default)]
pub struct CancelRegistry {
    running: Arc<Mutex<HashMap<i64, Arc<Running>>>>,
}

impl CancelRegistry {
    fn register(&self, id: i64, attempt: i64, already_cancelled: bool) -> Arc<Running> {
        let running = Arc::new(Running {
            stop: Arc::new(AtomicBool::new(false)),
            reason: AtomicU8::new(0),
            attempt,
        });
        if already_cancelled {
            running.stop(StopReason::Cancel);
        }
        self.lock().insert(id, running.clone());
        running
    }

    fn remove(&self, id: i64) {
        self.lock().remove(&id);
    }

    /// The tasks running here.
    fn ids(&self) -> Vec<i64> {
        self.lock().keys().copied().collect()
    }

    /// The tasks running here with their attempts.
    fn leases(&self) -> Vec<(i64, i64)> {
        self.lock().iter().map(|(id, r)| (*id, r.attempt)).collect()
    }

    /// Asks a running task to stop (a user's cancel); false if it is not
    /// running here.
    pub fn signal(&self, id: i64) -> bool {
        self.stop(id, StopReason::Cancel)
    }

    fn stop(&self, id: i64, reason: StopReason) -> bool {
        match self.lock().get(&id) {
            Some(running) => {
                running.stop(reason);
                true
            }
            None => false,
        }
    }

    fn stop_all(&self, reason: StopReason) {
        for running in self.lock().values() {
            running.stop(reason);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<Running>>> {
        match self.running.lock() {
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
/// How often a running task's time limit and progress are looked at.
const LIMIT_CHECK: Duration = Duration::from_millis(250);
/// How long a task stopped for its time limit gets to return before its
/// worker gives up on it (see [`Workers::execute`]).
const ABANDON_AFTER: Duration = Duration::from_secs(5);

pub struct Workers {
    store: Arc<dyn Store>,
    hub: EventHub,
    runner: Arc<dyn TaskRunner>,
    wake: Notify,
    /// This node's name in the tasks it claims.
    node: String,
    /// A running task whose node has been silent this long is taken as
    /// interrupted and requeued by another node. Well above a heartbeat, so
    /// a busy node is never mistaken for a dead one; the clocks of nodes
    /// sharing a database must agree far better than this.
    lease: Duration,
    policy: RunPolicy,
    /// Set when the node is stopping: no new task is claimed.
    draining: AtomicBool,
    /// Tells the workers' loops that a task ended (drain waits on it).
    ended: Notify,
    /// Hands attempts' ends to the group commit ([`Workers::start_finisher`]).
    finisher: OnceLock<mpsc::UnboundedSender<Finishing>>,
    pub cancels: CancelRegistry,
    /// When the lease loop last went round (Unix ms; 0 before it started):
    /// readiness checks it is alive.
    last_tick: std::sync::atomic::AtomicI64,
    observers: std::sync::RwLock<Vec<Arc<dyn TaskObserver>>>,
}

/// What watches the tasks a node runs (its metrics, its alerts). Called on
/// the async runtime: must not block.
pub trait TaskObserver: Send + Sync {
    /// An attempt started here.
    fn started(&self, _task: &Task) {}
    /// A task this node ran, or found interrupted, changed state at the end
    /// of an attempt.
    fn ended(&self, _task: &Task) {}
    /// Where an attempt this node ran spent its time.
    fn timed(&self, _task: &Task, _phases: &Phases) {}
}

/// Where one attempt's time went, from its claim to its end stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// From the hand-off to a blocking thread to the workflow's start.
    pub start: Duration,
    /// The workflow itself (its progress writes go on beside it).
    pub workflow: Duration,
    /// Waiting, once the workflow returned, for its last reports (progress,
    /// log lines) to be stored.
    pub reports: Duration,
    /// Storing the end (and what follows from it: dependants, locks).
    pub finish: Duration,
}

/// When the workflow of an attempt began and how long it ran, set from its
/// blocking thread.
#[derive(Default)]
struct WorkflowClock(Mutex<Option<(std::time::Instant, Duration)>>);

/// How a node takes part in the shared queue.
pub struct NodeSettings {
    pub name: String,
    pub lease: Duration,
    pub policy: RunPolicy,
}

impl Workers {
    pub fn new(
        store: Arc<dyn Store>,
        hub: EventHub,
        runner: Arc<dyn TaskRunner>,
        node: NodeSettings,
    ) -> Arc<Workers> {
        Arc::new(Workers {
            store,
            hub,
            runner,
            wake: Notify::new(),
            node: node.name,
            lease: node.lease,
            policy: node.policy,
            draining: AtomicBool::new(false),
            ended: Notify::new(),
            finisher: OnceLock::new(),
            cancels: CancelRegistry::default(),
            last_tick: std::sync::atomic::AtomicI64::new(0),
            observers: std::sync::RwLock::new(Vec::new()),
        })
    }

    /// Tells `observer` of every task this node starts and ends from now on.
    pub fn observe(&self, observer: Arc<dyn TaskObserver>) {
        match self.observers.write() {
            Ok(mut list) => list.push(observer),
            Err(poisoned) => poisoned.into_inner().push(observer),
        }
    }

    fn observers(&self) -> Vec<Arc<dyn TaskObserver>> {
        match self.observers.read() {
            Ok(list) => list.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
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
            .recover_interrupted(self.policy.max_attempts, sweeper, stale_before, now)
            .await?;
        let observers = self.observers();
        for task in &recovered {
            tracing::warn!(
                task = task.id,
                state = task.state.as_str(),
                "recovered a task whose node stopped while running it"
            );
            for observer in &observers {
                observer.ended(task);
            }
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
                    _ = heartbeat.tick() => {
                        workers.last_tick.store(crate::now_ms(), Ordering::SeqCst);
                        workers.beat().await
                    }
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

    /// When this node's lease loop last went round (Unix ms), if it ever did.
    pub fn last_tick(&self) -> Option<i64> {
        Some(self.last_tick.load(Ordering::SeqCst)).filter(|at| *at > 0)
    }

    /// The longest the lease loop sleeps between two rounds.
    pub fn tick_every(&self) -> Duration {
        HEARTBEAT.min(self.lease / 3)
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

    /// Starts a node of `count` workers until `shutdown` turns true or the
    /// node drains. One loop claims tasks for every free worker at once
    /// (one transaction for the lot), and one stores the ends of attempts
    /// as they come, those that come together in one transaction: under
    /// load a commit (an fsync on SQLite, a round trip and a lock on
    /// PostgreSQL) serves many tasks instead of one.
    pub fn start(self: &Arc<Self>, count: usize, shutdown: watch::Receiver<bool>) {
        self.start_lease(shutdown.clone());
        if count == 0 {
            return;
        }
        self.start_finisher();
        let workers = self.clone();
        tokio::spawn(async move { workers.dispatch(count, shutdown).await });
    }

    /// Claims as many tasks as there are free workers and runs each.
    async fn dispatch(self: Arc<Self>, count: usize, mut shutdown: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(count));
        loop {
            if *shutdown.borrow() || self.is_draining() {
                return;
            }
            let first = tokio::select! {
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => return,
                },
                _ = shutdown.changed() => continue,
            };
            let free = 1 + slots.available_permits();
            match self
                .store
                .claim_batch(&self.node, free, crate::now_ms())
                .await
            {
                Ok(tasks) if !tasks.is_empty() => {
                    let mut permits = std::iter::once(first).chain(std::iter::from_fn(|| {
                        slots.clone().try_acquire_owned().ok()
                    }));
                    let observers = self.observers();
                    for task in tasks {
                        for observer in &observers {
                            observer.started(&task);
                        }
                        let permit = permits.next();
                        let workers = self.clone();
                        tokio::spawn(async move {
                            workers.hub.publish(task.clone());
                            workers.run(task).await;
                            drop(permit);
                        });
                    }
                    continue;
                }
                Ok(_) => drop(first),
                Err(e) => {
                    drop(first);
                    tracing::error!(error = %e, "could not claim a task");
                }
            }
            // Woken by a new task, or poll now and then as a backstop
            // (a retry's backoff ending is found this way too).
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                _ = shutdown.changed() => {}
            }
        }
    }

    /// The loop that stores attempts' ends, together when they come
    /// together (a group commit).
    fn start_finisher(self: &Arc<Self>) {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Finishing>();
        if self.finisher.set(sender).is_err() {
            return;
        }
        let store = self.store.clone();
        tokio::spawn(async move {
            while let Some(first) = receiver.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_FINISH_BATCH {
                    match receiver.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                store_ends(&store, batch).await;
            }
        });
    }

    fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// A graceful stop: claims nothing more, asks every running task to
    /// stop at its next safe point (a backup before its snapshot is
    /// written, a sync or cleanup between two files) and waits up to
    /// `grace` for them to be released back to the queue, their attempt not
    /// spent. A task still running then (blocked in a system call) is
    /// released here; its thread dies with the process. Returns how many
    /// tasks were released.
    pub async fn drain(&self, grace: Duration) -> usize {
        self.draining.store(true, Ordering::SeqCst);
        self.wake();
        let running = self.cancels.leases();
        if running.is_empty() {
            return 0;
        }
        tracing::info!(
            tasks = running.len(),
            "stopping: asking running tasks to stop at a safe point"
        );
        self.cancels.stop_all(StopReason::Shutdown);
        let deadline = tokio::time::Instant::now() + grace;
        loop {
            // Listening before looking, so an end between the two is not missed.
            let ended = self.ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            if self.cancels.ids().is_empty()
                || tokio::time::timeout_at(deadline, ended).await.is_err()
            {
                break;
            }
        }
        for (id, attempt) in self.cancels.leases() {
            let lease = Lease {
                owner: &self.node,
                attempt,
            };
            let note = "released: the server stopped before this task reached a safe point; it runs again from the start".to_string();
            match self
                .store
                .finish(id, lease, Finish::Released { note }, crate::now_ms())
                .await
            {
                Ok(task) => self.hub.publish(task),
                Err(e) => tracing::warn!(task = id, error = %e, "could not release a task"),
            }
        }
        running.len()
    }

    /// Cancels a task: at once if queued or waiting to retry, by signalling
    /// its worker if running.
    pub async fn cancel(&self, id: i64) -> Result<(Task, CancelOutcome), StoreError> {
        let (task, outcome) = self.store.request_cancel(id, crate::now_ms()).await?;
        if outcome == CancelOutcome::Requested {
            self.cancels.signal(id);
        }
        self.hub.publish(task.clone());
        Ok((task, outcome))
    }

    /// Runs a failed or cancelled task again, as a new task.
    pub async fn retry(&self, id: i64) -> Result<Task, StoreError> {
        let task = self.store.retry_task(id, crate::now_ms()).await?;
        self.hub.publish(task.clone());
        if let Ok(old) = self.store.get_task(id).await {
            self.hub.publish(old);
        }
        self.wake();
        Ok(task)
    }

    /// Stores an attempt's end through the group commit, or on its own
    /// where there is none.
    async fn store_end(
        &self,
        id: i64,
        lease: Lease<'_>,
        finish: Finish,
    ) -> Result<Task, StoreError> {
        let Some(finisher) = self.finisher.get() else {
            return self.store.finish(id, lease, finish, crate::now_ms()).await;
        };
        let (reply, answer) = oneshot::channel();
        let ending = Ending {
            id,
            owner: lease.owner.to_string(),
            attempt: lease.attempt,
            finish,
        };
        if let Err(mpsc::error::SendError(Finishing { ending, .. })) =
            finisher.send(Finishing { ending, reply })
        {
            return self
                .store
                .finish(id, lease, ending.finish, crate::now_ms())
                .await;
        }
        answer
            .await
            .unwrap_or(Err(StoreError::Corrupt("the group commit stopped".into())))
    }

    /// Wakes the workers when a retry's backoff ends, rather than at their
    /// next look.
    fn wake_at(self: &Arc<Self>, run_at: i64) {
        let workers = self.clone();
        let delay = Duration::from_millis((run_at - crate::now_ms()).max(0) as u64);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            workers.wake();
        });
    }

    /// Tells idle workers there is work.
    pub fn wake(&self) {
        self.wake.notify_waiters();
        self.wake.notify_one();
    }

    async fn run(self: &Arc<Self>, task: Task) {
        let id = task.id;
        let running = self
            .cancels
            .register(id, task.attempt, task.cancel_requested);
        let handed = std::time::Instant::now();
        let clock = Arc::new(WorkflowClock::default());
        let ended = self.execute(&task, &running, &clock).await;
        let returned = std::time::Instant::now();
        let finish = self.decide(&task, ended, running.reason());
        if let Finish::Retry { run_at, .. } = &finish {
            self.wake_at(*run_at);
        }
        let lease = Lease {
            owner: &self.node,
            attempt: task.attempt,
        };
        match self.store_end(id, lease, finish).await {
            Ok(task) => {
                let phases = clock.phases(handed, returned);
                for observer in self.observers() {
                    observer.ended(&task);
                    observer.timed(&task, &phases);
                }
                self.hub.publish(task)
            }
            Err(StoreError::NotOwner { .. }) => tracing::warn!(
                task = id,
                "another node or attempt took this task over while it ran here (this node \
                 was cut off for longer than the lease, or the drain released it); that run \
                 is the one that counts"
            ),
            Err(e) => tracing::error!(task = id, error = %e, "could not record the end of a task"),
        }
        // Only now, with its end stored: a drain waiting for this task must
        // not let the process exit before that write.
        self.cancels.remove(id);
        self.ended.notify_waiters();
    }

    /// Runs the workflow on a blocking thread, watching its time limit and
    /// its progress. When either is exceeded the workflow is asked to stop;
    /// one that does not return within [`ABANDON_AFTER`] (blocked in a
    /// system call, say a read from a hung NFS server) is abandoned: the
    /// worker is freed and the attempt ends, while the thread stays blocked
    /// in the kernel until the call returns, then sees its stop flag and
    /// returns too. Whatever it reports after that is dropped, and its
    /// store writes are refused, since they are fenced by attempt.
    async fn execute(&self, task: &Task, running: &Running, clock: &Arc<WorkflowClock>) -> Ended {
        let id = task.id;
        let limit = self.policy.time_limit(&task.workflow, task.timeout_secs);
        let (reports, receiver) = mpsc::unbounded_channel();
        let last_progress = Arc::new(AtomicI64::new(crate::now_ms()));
        let working_on = Arc::new(Mutex::new(None::<String>));
        let lease = (self.node.clone(), task.attempt);
        let mut drain = tokio::spawn(drain_reports(
            id,
            lease,
            receiver,
            self.store.clone(),
            self.hub.clone(),
            (last_progress.clone(), working_on.clone()),
        ));
        let runner = self.runner.clone();
        let stop = running.stop.clone();
        let claimed = task.clone();
        let workflow_clock = clock.clone();
        let mut work = tokio::task::spawn_blocking(move || {
            let began = std::time::Instant::now();
            let ctx = TaskContext::new(id, stop, reports);
            let outcome = runner.run(&claimed, &ctx);
            workflow_clock.set(began, began.elapsed());
            outcome
        });
        let started = tokio::time::Instant::now();
        let mut check = tokio::time::interval(LIMIT_CHECK);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let exceeded = loop {
            tokio::select! {
                joined = &mut work => {
                    // The context (and its sender) is gone once the workflow
                    // returns, so the drain ends after storing the last report.
                    let _ = (&mut drain).await;
                    return Ended::from_join(joined);
                }
                _ = check.tick() => {
                    let on = working_on.lock().ok().and_then(|w| w.clone());
                    let elapsed = started.elapsed();
                    if let Some(why) =
                        self.policy.exceeded(limit, elapsed, &last_progress, on.as_deref())
                    {
                        break why;
                    }
                }
            }
        };
        tracing::warn!(task = id, "{exceeded}; stopping it");
        running.stop(StopReason::Limit);
        match tokio::time::timeout(ABANDON_AFTER, &mut work).await {
            Ok(_) => {
                let _ = (&mut drain).await;
            }
            Err(_) => {
                tracing::warn!(
                    task = id,
                    "the task did not stop within {ABANDON_AFTER:?} (blocked in a system call?); \
                     its worker moves on and the thread is left to return on its own"
                );
                drain.abort();
            }
        }
        Ended::LimitExceeded(exceeded)
    }

    /// How an attempt that ended as `ended`, stopped for `reason`, is
    /// recorded.
    fn decide(&self, task: &Task, ended: Ended, reason: StopReason) -> Finish {
        let attempts_left = task.attempt < self.policy.max_attempts;
        let retry = |error: String| {
            if attempts_left {
                let delay = backoff_ms(&self.policy, task.attempt, rand_unit());
                Finish::Retry {
                    error: format!(
                        "{error} (attempt {} of {}; trying again in {})",
                        task.attempt,
                        self.policy.max_attempts,
                        super::retry::in_words(delay)
                    ),
                    run_at: crate::now_ms() + delay,
                }
            } else {
                Finish::Failed {
                    error: format!(
                        "{error} (attempt {} of {}; no attempts left)",
                        task.attempt, self.policy.max_attempts
                    ),
                    result: None,
                }
            }
        };
        match (ended, reason) {
            // Done is done, even if a stop came too late to matter.
            (Ended::Finished(Outcome::Succeeded { summary }), _) => {
                Finish::Succeeded { result: summary }
            }
            (_, StopReason::Shutdown) => Finish::Released {
                note: "released: the server is stopping; the task runs again at once on \
                       another node or when this one restarts (this attempt is not counted)"
                    .into(),
            },
            (Ended::LimitExceeded(why), _) => retry(why),
            (Ended::Finished(Outcome::Cancelled { summary }), StopReason::Limit) => retry(summary),
            (Ended::Finished(Outcome::Cancelled { summary }), _) => {
                Finish::Cancelled { result: summary }
            }
            (Ended::Finished(Outcome::PartlyFailed { summary, error }), _) => Finish::Failed {
                error,
                result: Some(summary),
            },
            (Ended::Failed(e), _) if e.is_transient() => retry(e.to_string()),
            (Ended::Failed(e), _) => Finish::Failed {
                error: e.to_string(),
                result: None,
            },
            (Ended::Panicked(why), _) => Finish::Failed {
                error: format!("The workflow stopped unexpectedly: {why}"),
                result: None,
            },
        }
    }
}

/// An attempt's end waiting for the group commit, and who to tell.
struct Finishing {
    ending: Ending,
    reply: oneshot::Sender<Result<Task, StoreError>>,
}

/// Most attempts' ends stored in one transaction.
const MAX_FINISH_BATCH: usize = 256;

/// Stores a batch of ends in one transaction; if that fails as a whole,
/// each on its own, so each gets its own answer.
async fn store_ends(store: &Arc<dyn Store>, batch: Vec<Finishing>) {
    let ends: Vec<Ending> = batch.iter().map(|f| f.ending.clone()).collect();
    match store.finish_batch(ends, crate::now_ms()).await {
        Ok(results) => {
            for (finishing, result) in batch.into_iter().zip(results) {
                let _ = finishing.reply.send(result);
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "storing ends together failed; storing each alone");
            for Finishing { ending, reply } in batch {
                let lease = Lease {
                    owner: &ending.owner,
                    attempt: ending.attempt,
                };
                let result = store
                    .finish(ending.id, lease, ending.finish, crate::now_ms())
                    .await;
                let _ = reply.send(result);
            }
        }
    }
}

/// How a workflow's run ended, before it is decided what that means.
enum Ended {
    Finished(Outcome),
    Failed(WorkflowError),
    /// Its time limit passed or it stalled: the message says which.
    LimitExceeded(String),
    Panicked(String),
}

impl WorkflowClock {
    fn set(&self, began: std::time::Instant, took: Duration) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((began, took));
    }

    /// The phases of an attempt handed to its thread at `handed` whose
    /// `execute` returned at `returned`; the finish ends now.
    fn phases(&self, handed: std::time::Instant, returned: std::time::Instant) -> Phases {
        let finish = returned.elapsed();
        match *self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Some((began, workflow)) => Phases {
                start: began.saturating_duration_since(handed),
                workflow,
                reports: returned.saturating_duration_since(began + workflow),
                finish,
            },
            // Abandoned or panicked: all of it counts as the workflow's.
            None => Phases {
                workflow: returned.saturating_duration_since(handed),
                finish,
                ..Phases::default()
            },
        }
    }
}

impl Ended {
    fn from_join(joined: Result<Result<Outcome, WorkflowError>, tokio::task::JoinError>) -> Ended {
        match joined {
            Ok(Ok(outcome)) => Ended::Finished(outcome),
            Ok(Err(e)) => Ended::Failed(e),
            Err(e) => Ended::Panicked(e.to_string()),
        }
    }
}

/// A number in [0, 1) for the backoff's jitter; the clock's nanoseconds are
/// random enough to keep retries of many tasks from lining up.
fn rand_unit() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(nanos % 1_000_000) / 1_000_000.0
}

async fn drain_reports(
    id: i64,
    (node, attempt): (String, i64),
    mut receiver: mpsc::UnboundedReceiver<Report>,
    store: Arc<dyn Store>,
    hub: EventHub,
    (last_progress, working_on): (Arc<AtomicI64>, Arc<Mutex<Option<String>>>),
) {
    let lease = Lease {
        owner: &node,
        attempt,
    };
    let mut last: Option<app::api::ProgressView> = None;
    while let Some(report) = receiver.recv().await {
        let now = crate::now_ms();
        match report {
            Report::Progress(progress) => {
                // The same figures again (a heartbeat during one long step)
                // are not progress.
                if last.as_ref() != Some(&progress) {
                    last_progress.store(now, Ordering::Relaxed);
                }
                if let (Some(current), Ok(mut on)) = (&progress.current, working_on.lock()) {
                    *on = Some(current.clone());
                }
                match store.update_progress(id, lease, &progress, now).await {
                    Ok(task) => hub.publish(task),
                    Err(e) => tracing::warn!(task = id, error = %e, "could not store progress"),
                }
                last = Some(progress);
            }
            Report::Log { kind, message } => {
                last_progress.store(now, Ordering::Relaxed);
                if let Err(e) = store.log(id, kind, &message, now).await {
                    tracing::warn!(task = id, error = %e, "could not store a log line");
                }
            }
        }
    }
}
