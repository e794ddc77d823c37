//! Changing a schedule, at the console or through the API alike: a new
//! time ("move schedule 3 to Sundays at 3:30", `PATCH /api/schedules/{id}`)
//! or its end ("stop schedule 3", `POST /api/schedules/{id}/stop`).

use app::api::{CommandResponse, ScheduleView};

use super::{PlanError, Planner};
use crate::nlu::Understanding;

const EXAMPLE: &str = "move schedule 3 to Sundays at 3:30";

/// Answers a request to move a schedule ([`crate::nlu::ScheduleRequest::Move`]):
/// moves the schedule it numbers, or asks which schedule or what time when
/// the command does not say.
pub async fn move_in_words(
    planner: &Planner,
    understanding: &Understanding,
) -> Result<CommandResponse, PlanError> {
    let reply = |message: String| CommandResponse::reply("schedule", message);
    let slots = &understanding.slots;
    let Some(id) = slots.schedule_id else {
        let schedules = super::replies::active_schedules(planner).await?;
        return Ok(reply(if schedules.is_empty() {
            "There are no schedules to move.".into()
        } else {
            format!(
                "Which schedule should I move? Say for example: {EXAMPLE}. Schedules:\n{}",
                super::replies::describe_schedules(&schedules)
            )
        }));
    };
    let Some(when) = &slots.reschedule_to else {
        return Ok(reply(format!(
            "When should schedule #{id} run? Say for example: move schedule {id} to Sundays at 3:30."
        )));
    };
    let before = planner.store.get_schedule(id).await?;
    let after = planner.reschedule(id, when).await?;
    let next = after
        .next_run_at
        .map(|t| format!(" (next run {})", crate::schedule::local_time(t)))
        .unwrap_or_default();
    Ok(reply(format!(
        "Schedule #{id} ({}) now runs {}{next}; it ran {}. A run already queued or running goes on.",
        after.summary, after.description, before.description
    )))
}

impl Planner {
    /// Gives schedule `id` a new time, in words or as a cron line; it is
    /// guarded like a run firing, so a run due at the old time is not queued
    /// once this is in. Every browser hears of it.
    pub async fn reschedule(&self, id: i64, when: &str) -> Result<ScheduleView, PlanError> {
        let now = crate::now_ms();
        let (cron, next) = super::new_time(when, now)?;
        let schedule = self.store.reschedule(id, &cron, next, now).await?;
        // Its next run may now come before the one the scheduler sleeps until.
        self.scheduler.wake();
        self.hub.publish_schedule(schedule.clone());
        Ok(schedule)
    }

    /// Stops schedule `id`: no more runs (a run already queued or running is
    /// left alone). Stopping twice is fine. Every browser hears of it.
    pub async fn stop_schedule(&self, id: i64) -> Result<ScheduleView, PlanError> {
        let schedule = self.store.stop_schedule(id, crate::now_ms()).await?;
        self.hub.publish_schedule(schedule.clone());
        Ok(schedule)
    }
}
