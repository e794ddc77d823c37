//! A schedule's new time: "move schedule 3 to Sundays at 3:30" at the
//! console, or `PATCH /api/schedules/{id}`.

use std::sync::LazyLock;

use app::api::{CommandResponse, ScheduleView};
use regex::Regex;

use super::{PlanError, Planner};

/// A command that asks to move a schedule: it starts with "reschedule", or
/// with a verb right before a numbered schedule ("move schedule 3 ...",
/// "change the time of schedule #3 ..."). Only a sentence that begins so is
/// taken: "set up a schedule to back up /srv every night" makes one, and
/// "back up /srv every night, I'll change the schedule later" is a backup.
static ASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:please\s+)?(?:re-?schedule\b|(?:move|change|shift|switch|set)\s+(?:the\s+time\s+of\s+)?schedule\s*(?:#\s*)?\d)",
    )
    .expect("reschedule pattern compiles")
});

/// The schedule's number, and where the new time starts after it.
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bschedule\s*(?:#\s*)?(\d{1,18})\b").expect("schedule number compiles")
});

/// Words between the schedule and its new time: "to", "so it runs", ":".
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\s|:|,|\bto\b|\bfor\b|\bso\b|\bthat\b|\bit\b|\bruns?\b)*")
        .expect("lead-in pattern compiles")
});

const EXAMPLE: &str = "move schedule 3 to Sundays at 3:30";

/// Whether `text` asks to move a schedule to a new time.
pub fn asked(text: &str) -> bool {
    ASKED.is_match(text)
}

/// Answers a command that [`asked`]: moves the schedule it numbers, or asks
/// which schedule or what time when the command does not say.
pub async fn in_words(planner: &Planner, text: &str) -> Result<CommandResponse, PlanError> {
    let reply = |message: String| CommandResponse::Reply {
        intent: "schedule".into(),
        message,
    };
    let Some(numbered) = NUMBERED.captures(text) else {
        let schedules = super::replies::active_schedules(planner).await?;
        return Ok(reply(if schedules.is_empty() {
            "There are no schedules to move.".into()
        } else {
            format!(
                "Which schedule should I move? Say for example: {EXAMPLE}. Schedules: {}",
                super::replies::describe_schedules(&schedules)
            )
        }));
    };
    let id: i64 = numbered[1].parse().expect("18 digits fit an i64");
    let when = LEAD_IN.replace(&text[numbered.get(0).map_or(0, |m| m.end())..], "");
    if when.trim().is_empty() {
        return Ok(reply(format!(
            "When should schedule #{id} run? Say for example: move schedule {id} to Sundays at 3:30."
        )));
    }
    let before = planner.store.get_schedule(id).await?;
    let after = planner.reschedule(id, &when).await?;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_sentence_that_starts_by_moving_a_schedule_is_taken() {
        for text in [
            "move schedule 3 to Sundays at 3:30",
            "reschedule the nightly backup to 3am",
            "Please change the time of schedule #4 to 0 5 * * *",
            "set schedule 7 to run hourly",
        ] {
            assert!(asked(text), "{text}");
        }
        for text in [
            "back up /srv every night, I'll change the schedule later",
            "set up a schedule to back up /srv/photos every night",
            "make a schedule for cleaning /tmp",
            "change the schedule",
            "stop schedule 3",
            "move /srv/old to /srv/new",
            "what's the schedule",
        ] {
            assert!(!asked(text), "{text}");
        }
    }

    #[test]
    fn the_new_time_is_what_follows_the_schedule() {
        let when = |text: &str| {
            let c = NUMBERED.captures(text).unwrap();
            LEAD_IN
                .replace(&text[c.get(0).unwrap().end()..], "")
                .to_string()
        };
        assert_eq!(
            when("move schedule 3 to Sundays at 3:30"),
            "Sundays at 3:30"
        );
        assert_eq!(when("set schedule #7 so it runs hourly"), "hourly");
        assert_eq!(when("change schedule 2: 0 5 * * *"), "0 5 * * *");
        assert_eq!(when("move schedule 2"), "");
    }
}
