//! The loop that fires due schedules: it sleeps until the earliest next run
//! (or a new schedule), queues each due run, and tells workers and browsers.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

use app::api::ScheduleView;

use crate::domain::cron::next_run_ms;
use crate::hub::EventHub;
use crate::store::{Fired, Store, StoreError};
use crate::workflows::WorkflowParams;

/// The longest sleep between looks at the schedules: schedules another
/// server added, and clock changes, are seen within this.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// The pause after a failed look, so a broken database is not hammered.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Tells this node's idle workers that a task was queued.
pub type WakeWorkers = Arc<dyn Fn() + Send + Sync>;

pub struct Scheduler {
    store: Arc<dyn Store>,
    hub: EventHub,
    wake_workers: WakeWorkers,
    wake: Notify,
}

impl Scheduler {
    pub fn new(store: Arc<dyn Store>, hub: EventHub, wake_workers: WakeWorkers) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            store,
            hub,
            wake_workers,
            wake: Notify::new(),
        })
    }

    /// A schedule was added or changed: look again now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Fires every schedule due at `now`. A schedule whose time passed while
    /// the server was down runs once, now, and then at its next time after
    /// `now` (missed runs are not replayed one by one). One schedule's
    /// failure does not hold up the others; the first error is returned
    /// after all were tried.
    pub async fn tick(&self, now: i64) -> Result<Vec<Fired>, StoreError> {
        let mut fired = Vec::new();
        let mut first_error = None;
        for schedule in self.store.due_schedules(now).await? {
            match self.fire(&schedule, now).await {
                Ok(outcome) => fired.push(outcome),
                Err(e) => {
                    tracing::error!(schedule = schedule.id, error = %e, "firing a schedule failed");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(fired),
        }
    }

    async fn fire(&self, schedule: &ScheduleView, now: i64) -> Result<Fired, StoreError> {
        let Some(due_at) = schedule.next_run_at else {
            return Ok(Fired::NotDue);
        };
        let following = match next_run_ms(&schedule.cron, now) {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(schedule = schedule.id, error = %e, "stored schedule no longer parses; stopping it");
                None
            }
        };
        let outcome = match self
            .store
            .fire_schedule(
                schedule.id,
                due_at,
                following,
                now,
                &run_params(schedule.id, now),
            )
            .await
        {
            // Stored parameters that no longer read can never run: stop the
            // schedule rather than fail at every look.
            Err(StoreError::Corrupt(why)) => {
                let stopped = self.store.stop_schedule(schedule.id, now).await?;
                self.hub.publish_schedule(stopped);
                return Err(StoreError::Corrupt(why));
            }
            other => other?,
        };
        match &outcome {
            Fired::Queued { schedule, task } => {
                tracing::info!(
                    schedule = schedule.id,
                    task = task.id,
                    "scheduled run queued"
                );
                self.hub.publish(task.clone());
                self.hub.publish_schedule(schedule.clone());
                (self.wake_workers)();
            }
            Fired::Skipped {
                schedule,
                running_task,
            } => {
                tracing::warn!(
                    schedule = schedule.id,
                    task = running_task,
                    "scheduled run skipped: the previous one has not finished"
                );
                self.hub.publish_schedule(schedule.clone());
            }
            Fired::QueueFull { schedule, why } => {
                tracing::warn!(schedule = schedule.id, "{why}");
                self.hub.publish_schedule(schedule.clone());
            }
            Fired::NotDue => {}
        }
        Ok(outcome)
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            let failed = match self.tick(crate::now_ms()).await {
                Ok(_) => false,
                Err(e) => {
                    tracing::error!(error = %e, "firing schedules failed; trying again shortly");
                    true
                }
            };
            let sleep = match self.store.next_due_at().await {
                Ok(Some(at)) => {
                    let wait = at.saturating_sub(crate::now_ms()).max(0) as u64;
                    Duration::from_millis(wait).min(MAX_SLEEP)
                }
                Ok(None) | Err(_) => MAX_SLEEP,
            };
            // After a failure a due schedule is still due: wait a little
            // instead of asking the database again at once.
            let sleep = if failed {
                sleep.max(RETRY_AFTER)
            } else {
                sleep
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = self.wake.notified() => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// The parameters of schedule `schedule_id`'s run at `now`, from the
/// schedule's stored ones ([`WorkflowParams::for_scheduled_run`]); every
/// run names the schedule that made it.
pub fn run_params(
    schedule_id: i64,
    now: i64,
) -> impl Fn(serde_json::Value) -> Result<serde_json::Value, String> + Send + Sync {
    move |stored| {
        let params: WorkflowParams = serde_json::from_value(stored).map_err(|e| e.to_string())?;
        let mut params = serde_json::to_value(params.for_scheduled_run(schedule_id, now))
            .map_err(|e| e.to_string())?;
        if let Some(object) = params.as_object_mut() {
            object.insert("schedule_id".into(), schedule_id.into());
        }
        Ok(params)
    }
}
