use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::api::ProgressView;
use tokio::sync::mpsc::UnboundedSender;

/// How often progress goes out while a task runs (the issue asks for at
/// least every 250 ms; more often would only load the database).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(200);

/// What a running workflow tells the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    Progress(ProgressView),
    /// A log line; `kind` is `info` or `file_error`.
    Log {
        kind: &'static str,
        message: String,
    },
}

/// A workflow's handle on its task: progress out, cancellation in.
pub struct TaskContext {
    task_id: i64,
    cancel: Arc<AtomicBool>,
    reports: UnboundedSender<Report>,
    last_progress: Mutex<Option<Instant>>,
}

impl TaskContext {
    pub fn new(task_id: i64, cancel: Arc<AtomicBool>, reports: UnboundedSender<Report>) -> Self {
        TaskContext {
            task_id,
            cancel,
            reports,
            last_progress: Mutex::new(None),
        }
    }

    pub fn task_id(&self) -> i64 {
        self.task_id
    }

    /// The cancel flag itself, for engines that poll it on their own threads.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Reports progress, at most every [`PROGRESS_INTERVAL`] unless `force`.
    pub fn progress(&self, progress: &ProgressView, force: bool) {
        let mut last = match self.last_progress.lock() {
            Ok(l) => l,
            Err(poisoned) => poisoned.into_inner(),
        };
        let due = last.is_none_or(|at| at.elapsed() >= PROGRESS_INTERVAL);
        if force || due {
            *last = Some(Instant::now());
            let _ = self.reports.send(Report::Progress(progress.clone()));
        }
    }

    pub fn log(&self, kind: &'static str, message: impl Into<String>) {
        let _ = self.reports.send(Report::Log {
            kind,
            message: message.into(),
        });
    }
}

/// How often [`while_reporting`] calls its heartbeat.
const HEARTBEAT: Duration = Duration::from_millis(100);

/// Runs `work` while another thread calls `heartbeat` every 100 ms, so a
/// long step (one big file, an engine that reports nothing itself) still
/// shows the task alive; `heartbeat` should report with `force = false` and
/// let [`TaskContext::progress`] throttle.
pub fn while_reporting<T: Send>(heartbeat: impl Fn() + Sync, work: impl FnOnce() -> T + Send) -> T {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(HEARTBEAT);
                heartbeat();
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        result
    })
}
