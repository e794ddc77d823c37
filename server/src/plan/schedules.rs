//! Changing a schedule, at the console or through the API alike: a new
//! time ("move schedule 3 to Sundays at 3:30", `PATCH /api/schedules/{id}`)
//! or its end ("stop schedule 3", `POST /api/schedules/{id}/stop`).

use std::sync::LazyLock;

use app::api::{CommandResponse, ScheduleView};
use regex::Regex;

use super::{PlanError, Planner};

/// A command that asks to move a schedule: it starts with "reschedule", or
/// with a verb right before a numbered schedule ("move schedule 3 ...",
/// "change the time of schedule #3 ..."), or in Chinese with a numbered
/// schedule and a verb of change ("把计划 3 改到每周日 3:30") or 重新安排.
/// Only a sentence that begins so is taken: "set up a schedule to back up
/// /srv every night" makes one, and "back up /srv every night, I'll change
/// the schedule later" is a backup.
static ASKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:please\s+)?(?:re-?schedule\b|(?:move|change|shift|switch|set)\s+(?:the\s+time\s+of\s+)?schedule\s*(?:#\s*)?\d)|^\s*请?\s*(?:重新安排|把?\s*(?:计划|定时任务)\s*(?:#\s*)?\d+\s*(?:的(?:运行)?时间\s*)?(?:改到|改成|改为|调到|调整到|调整为|挪到|移到|换到))",
    )
    .expect("reschedule pattern compiles")
});

/// A numbered schedule: "schedule 3", "schedules #3", "计划 3", "定时任务 3".
/// No `\b` after the digits: in "计划 3改到" the 改 is a word character too.
/// A number too long for an id does not match at all (the next character
/// is a digit), rather than naming another schedule by its first digits.
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\bschedul(?:e|es|ed)|计划|定时任务)\s*(?:#\s*)?(\d{1,18})(?:\D|$)")
        .expect("schedule number compiles")
});

/// The schedule `text` numbers, and the text after its number. Moving and
/// stopping a schedule in words both read the number here.
pub(super) fn numbered(text: &str) -> Option<(i64, &str)> {
    let digits = NUMBERED.captures(text)?.get(1)?;
    let id = digits.as_str().parse().expect("18 digits fit an i64");
    Some((id, &text[digits.end()..]))
}

/// Words between the schedule and its new time: "to", "so it runs", ":",
/// "改到", "的时间改成".
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\s|:|,|：|，|\bto\b|\bfor\b|\bso\b|\bthat\b|\bit\b|\bruns?\b|的(?:运行)?时间|改到|改成|改为|调到|调整到|调整为|挪到|移到|换到|到)*")
        .expect("lead-in pattern compiles")
});

const EXAMPLE: &str = "move schedule 3 to Sundays at 3:30";

/// Whether `text` asks to move a schedule to a new time.
pub fn asked_to_move(text: &str) -> bool {
    ASKED.is_match(text)
}

/// Answers a command that [`asked_to_move`]: moves the schedule it numbers, or asks
/// which schedule or what time when the command does not say.
pub async fn move_in_words(planner: &Planner, text: &str) -> Result<CommandResponse, PlanError> {
    let reply = |message: String| CommandResponse::Reply {
        intent: "schedule".into(),
        message,
        tasks: Vec::new(),
    };
    let Some((id, rest)) = numbered(text) else {
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
    let when = LEAD_IN.replace(rest, "");
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

    /// Stops schedule `id`: no more runs (a run already queued or running is
    /// left alone). Stopping twice is fine. Every browser hears of it.
    pub async fn stop_schedule(&self, id: i64) -> Result<ScheduleView, PlanError> {
        let schedule = self.store.stop_schedule(id, crate::now_ms()).await?;
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
            "把计划 3 改到每周日 3:30",
            "计划#12的时间改成每天凌晨2点",
            "重新安排每晚的备份",
        ] {
            assert!(asked_to_move(text), "{text}");
        }
        for text in [
            "back up /srv every night, I'll change the schedule later",
            "set up a schedule to back up /srv/photos every night",
            "make a schedule for cleaning /tmp",
            "change the schedule",
            "stop schedule 3",
            "move /srv/old to /srv/new",
            "what's the schedule",
            "停止计划 3",
            "每天凌晨2点把 /srv 备份到 /mnt/nas，以后再改计划",
        ] {
            assert!(!asked_to_move(text), "{text}");
        }
    }

    #[test]
    fn the_new_time_is_what_follows_the_schedule() {
        let when = |text: &str| LEAD_IN.replace(numbered(text).unwrap().1, "").to_string();
        assert_eq!(
            when("move schedule 3 to Sundays at 3:30"),
            "Sundays at 3:30"
        );
        assert_eq!(when("set schedule #7 so it runs hourly"), "hourly");
        assert_eq!(when("change schedule 2: 0 5 * * *"), "0 5 * * *");
        assert_eq!(when("move schedule 2"), "");
        assert_eq!(when("把计划 3 改到每周日 3:30"), "每周日 3:30");
        assert_eq!(when("计划#12的时间改成每天凌晨2点"), "每天凌晨2点");
        assert_eq!(when("重新安排计划 4 到每小时"), "每小时");
        assert_eq!(when("把计划 5 改到"), "");
        assert_eq!(numbered("move schedule 1234567890123456789 to 3am"), None);
        assert_eq!(numbered("stop schedules #12"), Some((12, "")));
        assert_eq!(numbered("停止定时任务 7"), Some((7, "")));
    }
}
