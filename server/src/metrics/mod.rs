//! What `/metrics` tells Prometheus, in its text format. Counters and
//! histograms are this node's own (the tasks it ran, the requests it
//! answered); the queue's gauges are read from the database at each scrape,
//! so every node reports the same queue.
//!
//! Names follow Prometheus's rules: base units (seconds, bytes), counters
//! ending in `_total`, and no label that grows with use (no task ids, no
//! paths): `schedule` is bounded by the schedules admins keep.

mod process;

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::queue::{Phases, TaskObserver};
use crate::store::{Store, StoreError, Task, TaskState};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    workflow: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Workflow {
    workflow: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Phase {
    phase: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct State {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Schedule {
    schedule: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Request {
    route: String,
    status: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Seconds, from 10 ms to about 45 hours: a no-op task to a long backup.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.5, 18))
}

/// Seconds, from 0.5 ms to about 4 s: understanding one command.
fn short_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 14))
}

pub struct Metrics {
    registry: Registry,
    tasks: Family<Outcome, Counter>,
    task_duration: Family<Workflow, Histogram, fn() -> Histogram>,
    queue_wait: Histogram,
    task_phases: Family<Phase, Histogram, fn() -> Histogram>,
    queue_tasks: Family<State, Gauge>,
    oldest_queued_age: FloatGauge,
    schedule_success: Family<Schedule, FloatGauge>,
    workflow_bytes: Family<Workflow, Counter>,
    nlu: Histogram,
    requests: Family<Request, Counter>,
    process: process::ProcessMetrics,
    /// Ends already counted, by task and attempt: an end is observed once
    /// however often it is seen.
    counted: Mutex<std::collections::VecDeque<(i64, i64)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let tasks = Family::<Outcome, Counter>::default();
        registry.register(
            "tend_tasks",
            "Tasks this node ran to an end, by workflow and outcome",
            tasks.clone(),
        );
        let task_duration = Family::<Workflow, Histogram, fn() -> Histogram>::new_with_constructor(
            seconds_histogram,
        );
        registry.register(
            "tend_task_duration_seconds",
            "How long the last attempt of each task this node ended ran",
            task_duration.clone(),
        );
        let queue_wait = seconds_histogram();
        registry.register(
            "tend_queue_wait_seconds",
            "From queued to the first attempt's start, of the tasks this node started",
            queue_wait.clone(),
        );
        let task_phases =
            Family::<Phase, Histogram, fn() -> Histogram>::new_with_constructor(short_histogram);
        registry.register(
            "tend_task_phase_seconds",
            "Where the attempts this node ran spent their time: start (hand-off to a thread), workflow, reports (the last progress writes after it), finish (storing the end)",
            task_phases.clone(),
        );
        let queue_tasks = Family::<State, Gauge>::default();
        registry.register(
            "tend_queue_tasks",
            "Tasks in each state, in the whole queue (read from the database)",
            queue_tasks.clone(),
        );
        let oldest_queued_age = FloatGauge::default();
        registry.register(
            "tend_queue_oldest_queued_age_seconds",
            "How long the oldest queued task has waited; 0 when none waits",
            oldest_queued_age.clone(),
        );
        let schedule_success = Family::<Schedule, FloatGauge>::default();
        registry.register(
            "tend_schedule_last_success_timestamp_seconds",
            "When a run of each active schedule last succeeded (Unix seconds)",
            schedule_success.clone(),
        );
        let workflow_bytes = Family::<Workflow, Counter>::default();
        registry.register(
            "tend_workflow_bytes",
            "Bytes the tasks this node ended moved (copied, backed up, restored or cleaned up)",
            workflow_bytes.clone(),
        );
        let nlu = short_histogram();
        registry.register(
            "tend_nlu_seconds",
            "Time to understand one command",
            nlu.clone(),
        );
        let requests = Family::<Request, Counter>::default();
        registry.register(
            "tend_http_requests",
            "HTTP requests this node answered, by route and status",
            requests.clone(),
        );
        let process = process::ProcessMetrics::register(&mut registry);
        Metrics {
            registry,
            tasks,
            task_duration,
            queue_wait,
            task_phases,
            queue_tasks,
            oldest_queued_age,
            schedule_success,
            workflow_bytes,
            nlu,
            requests,
            process,
            counted: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// One command understood in `seconds`.
    pub fn observe_nlu(&self, seconds: f64) {
        self.nlu.observe(seconds);
    }

    /// One request answered. `route` is the route's pattern
    /// (`/api/tasks/{id}`), never the path itself.
    pub fn observe_request(&self, route: &str, status: u16) {
        self.requests
            .get_or_create(&Request {
                route: route.to_string(),
                status: status.to_string(),
            })
            .inc();
    }

    /// The text Prometheus scrapes, with the queue's gauges read now.
    pub async fn render(&self, store: &dyn Store, now: i64) -> Result<String, StoreError> {
        let figures = store.queue_figures().await?;
        for (state, count) in figures.by_state {
            self.queue_tasks
                .get_or_create(&State {
                    state: state.as_str().to_string(),
                })
                .set(count);
        }
        let age = figures
            .oldest_queued_at
            .map_or(0.0, |at| ((now - at).max(0) as f64) / 1000.0);
        self.oldest_queued_age.set(age);
        self.schedule_success.clear();
        for schedule in store
            .list_schedules()
            .await?
            .into_iter()
            .filter(|s| s.active)
        {
            if let Some(at) = schedule.last_success_at {
                self.schedule_success
                    .get_or_create(&Schedule {
                        schedule: schedule.id.to_string(),
                    })
                    .set(at as f64 / 1000.0);
            }
        }
        self.process.refresh();
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .map_err(|e| StoreError::Corrupt(format!("metrics could not be written: {e}")))?;
        Ok(text)
    }

    /// Whether this end was seen before; remembers it if not.
    fn first_sight(&self, task: &Task) -> bool {
        let key = (task.id, task.attempt);
        let mut counted = match self.counted.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if counted.contains(&key) {
            return false;
        }
        if counted.len() >= 4096 {
            counted.pop_front();
        }
        counted.push_back(key);
        true
    }
}

impl TaskObserver for Metrics {
    fn timed(&self, _task: &Task, phases: &Phases) {
        for (phase, took) in [
            ("start", phases.start),
            ("workflow", phases.workflow),
            ("reports", phases.reports),
            ("finish", phases.finish),
        ] {
            self.task_phases
                .get_or_create(&Phase { phase })
                .observe(took.as_secs_f64());
        }
    }

    fn started(&self, task: &Task) {
        if task.attempt == 1 {
            if let Some(started) = task.started_at {
                self.queue_wait
                    .observe(((started - task.created_at).max(0) as f64) / 1000.0);
            }
        }
    }

    fn ended(&self, task: &Task) {
        if !task.state.is_terminal() || !self.first_sight(task) {
            return;
        }
        let outcome = match task.state {
            TaskState::Succeeded => "succeeded",
            TaskState::Failed => "failed",
            _ => "cancelled",
        };
        self.tasks
            .get_or_create(&Outcome {
                workflow: task.workflow.clone(),
                outcome: outcome.into(),
            })
            .inc();
        let workflow = Workflow {
            workflow: task.workflow.clone(),
        };
        if let (Some(start), Some(end)) = (task.started_at, task.finished_at) {
            self.task_duration
                .get_or_create(&workflow)
                .observe(((end - start).max(0) as f64) / 1000.0);
        }
        self.workflow_bytes
            .get_or_create(&workflow)
            .inc_by(task.progress.bytes_done);
    }
}
