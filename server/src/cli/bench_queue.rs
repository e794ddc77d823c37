//! `tend bench queue`: the queue alone, with a no-op workflow that only this
//! bench registers. It burns down N tasks with W workers on SQLite and, when
//! a URL is given, on PostgreSQL, then measures the time from enqueue to
//! start while tasks arrive at a steady 50 a second, each woken as a
//! confirm wakes them. Each burn-down runs twice: plain tasks, then tasks
//! with priorities and path locks, to show what ordering costs. Its last
//! line reads `queue: sqlite_tasks_per_s=… sqlite_ordered_tasks_per_s=…
//! postgres_tasks_per_s=… postgres_ordered_tasks_per_s=… start_p50_ms=…
//! start_p99_ms=…`.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::Connection;
use tokio::sync::watch;

use crate::hub::EventHub;
use crate::queue::{NodeSettings, RunPolicy, TaskRunner, Workers};
use crate::store::{NewTask, PathLock, Priority, SqlStore, Store, Task};
use crate::workflows::{Outcome, TaskContext, WorkflowError};

#[derive(Debug, Clone)]
pub struct Options {
    pub tasks: usize,
    pub workers: usize,
    /// A PostgreSQL server's URL: the bench makes a database there, and
    /// drops it after.
    pub postgres: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tasks: 10_000,
            // Claims and ends are batched across the free workers, so
            // more of them means fewer commits per task (docs/performance.md).
            workers: 128,
            postgres: std::env::var("TEND_BENCH_POSTGRES_URL").ok(),
        }
    }
}

/// Arrival rate and length of the start-latency run.
const STEADY_PER_SEC: u64 = 50;
const STEADY_TASKS: usize = 500;

/// Does nothing, and notes when each task started.
#[derive(Default)]
struct NoOp {
    ran: AtomicUsize,
    started: Mutex<HashMap<i64, Instant>>,
}

impl TaskRunner for NoOp {
    fn run(&self, task: &Task, _ctx: &TaskContext) -> Result<Outcome, WorkflowError> {
        let now = Instant::now();
        if let Ok(mut started) = self.started.lock() {
            started.insert(task.id, now);
        }
        self.ran.fetch_add(1, Ordering::SeqCst);
        Ok(Outcome::Succeeded {
            summary: String::new(),
        })
    }
}

/// What the queued tasks carry besides their no-op.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Load {
    /// Normal priority, no paths: the queue's own cost.
    Plain,
    /// Priorities in turn (urgent, normal, low) and paths like a mirror's
    /// (a shared source read, a destination of its own written): every
    /// claim orders by priority and checks locks against the running
    /// tasks, though none collide.
    Ordered,
}

fn noop_task(i: usize, load: Load) -> NewTask {
    let (priority, locks) = match load {
        Load::Plain => (Priority::Normal, Vec::new()),
        Load::Ordered => (
            Priority::ALL[i % Priority::ALL.len()],
            vec![
                PathLock::read("/bench/source"),
                PathLock::write(format!("/bench/destination-{i}")),
            ],
        ),
    };
    NewTask {
        workflow: "noop".into(),
        summary: format!("no-op {i}"),
        params: json!({}),
        timeout_secs: None,
        priority,
        locks,
        depends_on: Vec::new(),
        schedule_id: None,
    }
}

/// A node of `count` workers over `store` running the no-op.
fn node(store: Arc<dyn Store>, runner: Arc<NoOp>) -> Arc<Workers> {
    Workers::new(
        store,
        EventHub::default(),
        runner,
        NodeSettings {
            name: "bench".into(),
            lease: Duration::from_secs(30),
            policy: RunPolicy::default(),
        },
    )
}

/// Tasks per second for `count` workers burning down `tasks` queued tasks.
async fn burn_down(
    store: Arc<dyn Store>,
    tasks: usize,
    count: usize,
    load: Load,
) -> Result<f64, String> {
    for i in 0..tasks {
        store
            .enqueue(noop_task(i, load), crate::now_ms())
            .await
            .map_err(|e| e.to_string())?;
    }
    let runner = Arc::new(NoOp::default());
    let workers = node(store.clone(), runner.clone());
    let (stop, stopped) = watch::channel(false);
    let start = Instant::now();
    workers.start(count, stopped);
    let deadline = start + Duration::from_secs(600);
    // Done when every task ran and the last ones' ends are stored.
    while runner.ran.load(Ordering::SeqCst) < tasks {
        if Instant::now() > deadline {
            return Err("the burn-down did not finish within 10 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let newest = store
        .list_tasks(count as i64)
        .await
        .map_err(|e| e.to_string())?;
    for task in newest {
        while !store
            .get_task(task.id)
            .await
            .map_err(|e| e.to_string())?
            .state
            .is_terminal()
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    let elapsed = start.elapsed();
    let _ = stop.send(true);
    Ok(tasks as f64 / elapsed.as_secs_f64())
}

/// Enqueue-to-start times (sorted) of tasks arriving at a steady rate.
async fn start_latency(store: Arc<dyn Store>, count: usize) -> Result<Vec<Duration>, String> {
    let runner = Arc::new(NoOp::default());
    let workers = node(store.clone(), runner.clone());
    let (stop, stopped) = watch::channel(false);
    workers.start(count, stopped);
    let mut enqueued = Vec::with_capacity(STEADY_TASKS);
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / STEADY_PER_SEC));
    for i in 0..STEADY_TASKS {
        tick.tick().await;
        let at = Instant::now();
        let task = store
            .enqueue(noop_task(i, Load::Plain), crate::now_ms())
            .await
            .map_err(|e| e.to_string())?;
        workers.wake();
        enqueued.push((task.id, at));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while runner.ran.load(Ordering::SeqCst) < STEADY_TASKS && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = stop.send(true);
    let started = runner.started.lock().map_err(|e| e.to_string())?;
    let mut latencies: Vec<Duration> = enqueued
        .iter()
        .filter_map(|(id, at)| started.get(id).map(|s| s.saturating_duration_since(*at)))
        .collect();
    if latencies.len() < STEADY_TASKS {
        return Err(format!(
            "only {} of {STEADY_TASKS} tasks started",
            latencies.len()
        ));
    }
    latencies.sort();
    Ok(latencies)
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn sqlite_store(dir: &std::path::Path) -> Result<Arc<dyn Store>, String> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = SqlStore::open(&url)
        .await
        .map_err(|e| e.to_string())?
        .with_max_queued(i64::MAX);
    Ok(Arc::new(store))
}

/// A new database on the PostgreSQL server at `admin_url`; its URL.
async fn postgres_database(admin_url: &str, name: &str) -> Result<String, String> {
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .map_err(|e| format!("{admin_url} does not connect: {e}"))?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .map_err(|e| e.to_string())?;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let authority = base.find("://").map(|i| i + 3).unwrap_or(0);
    let cut = base[authority..]
        .find('/')
        .map(|i| authority + i)
        .unwrap_or(base.len());
    Ok(format!("{}/{name}", &base[..cut]))
}

async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

async fn postgres_burn_down(admin_url: &str, o: &Options, load: Load) -> Result<f64, String> {
    let name = format!("tend_bench_{}_{}", std::process::id(), load as u8);
    let url = postgres_database(admin_url, &name).await?;
    let result = async {
        let store = SqlStore::open(&url)
            .await
            .map_err(|e| e.to_string())?
            .with_max_queued(i64::MAX);
        burn_down(Arc::new(store), o.tasks, o.workers, load).await
    }
    .await;
    drop_database(admin_url, &name).await;
    result
}

async fn bench(o: Options) -> Result<(), String> {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    println!(
        "burn-down: {} no-op tasks, {} workers (write transactions fsynced, as in service)",
        o.tasks, o.workers
    );
    let sqlite = burn_down(
        sqlite_store(dir.path()).await?,
        o.tasks,
        o.workers,
        Load::Plain,
    )
    .await?;
    println!("  sqlite:     {sqlite:.0} tasks/s");
    let ordered_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sqlite_ordered = burn_down(
        sqlite_store(ordered_dir.path()).await?,
        o.tasks,
        o.workers,
        Load::Ordered,
    )
    .await?;
    println!(
        "  sqlite, with priorities and path locks: {sqlite_ordered:.0} tasks/s ({:+.1}%)",
        (sqlite_ordered / sqlite - 1.0) * 100.0
    );
    let (postgres, postgres_ordered) = match &o.postgres {
        Some(url) => {
            let rate = postgres_burn_down(url, &o, Load::Plain).await?;
            println!("  postgresql: {rate:.0} tasks/s");
            let ordered = postgres_burn_down(url, &o, Load::Ordered).await?;
            println!(
                "  postgresql, with priorities and path locks: {ordered:.0} tasks/s ({:+.1}%)",
                (ordered / rate - 1.0) * 100.0
            );
            (format!("{rate:.0}"), format!("{ordered:.0}"))
        }
        None => {
            println!("  postgresql: not run (give --postgres URL or TEND_BENCH_POSTGRES_URL)");
            ("not_run".into(), "not_run".into())
        }
    };
    let steady_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let latencies = start_latency(sqlite_store(steady_dir.path()).await?, o.workers).await?;
    let (p50, p99) = (
        percentile_ms(&latencies, 0.5),
        percentile_ms(&latencies, 0.99),
    );
    println!(
        "enqueue to start, {STEADY_TASKS} tasks at {STEADY_PER_SEC}/s on sqlite: p50 {p50:.2} ms, p99 {p99:.2} ms, max {:.2} ms",
        percentile_ms(&latencies, 1.0)
    );
    println!(
        "queue: sqlite_tasks_per_s={sqlite:.0} sqlite_ordered_tasks_per_s={sqlite_ordered:.0} postgres_tasks_per_s={postgres} postgres_ordered_tasks_per_s={postgres_ordered} start_p50_ms={p50:.2} start_p99_ms={p99:.2}"
    );
    Ok(())
}

pub fn run(o: Options) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tend: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(bench(o));
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tend bench queue: {e}");
            ExitCode::FAILURE
        }
    }
}
