//! Schedules named by number, and requests about them rather than about a
//! task: moving one to a new time ("move schedule 3 to Sundays at 3:30",
//! "把计划 3 改到每周日 3:30") and stopping one ("stop schedule 3").

use std::sync::LazyLock;

use regex::Regex;

use crate::nlu::{Intent, ScheduleRequest, Slots};

/// A command that asks to move a schedule: it starts with "reschedule", or
/// with a verb right before a numbered schedule ("move schedule 3 ...",
/// "change the time of schedule #3 ..."), or in Chinese with a numbered
/// schedule and a verb of change ("把计划 3 改到每周日 3:30") or 重新安排.
/// Only a sentence that begins so is taken: "set up a schedule to back up
/// /srv every night" makes one, and "back up /srv every night, I'll change
/// the schedule later" is a backup.
static ASKED_TO_MOVE: LazyLock<Regex> = LazyLock::new(|| {
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

/// Words between the schedule and its new time: "to", "so it runs", ":",
/// "改到", "的时间改成".
static LEAD_IN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\s|:|,|：|，|\bto\b|\bfor\b|\bso\b|\bthat\b|\bit\b|\bruns?\b|的(?:运行)?时间|改到|改成|改为|调到|调整到|调整为|挪到|移到|换到|到)*")
        .expect("lead-in pattern compiles")
});

/// A schedule named at all: "stop schedule 3", "cancel the schedule #3",
/// "stop the scheduled cleanup", "停止计划 3", "停止定时任务 3".
static SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bschedul(?:e|es|ed)\b|计划|定时任务").expect("schedule reference compiles")
});

/// Whether `text` asks to move a schedule to a new time.
pub fn asks_to_move(text: &str) -> bool {
    ASKED_TO_MOVE.is_match(text)
}

/// The schedule `text` numbers, and the text after its number.
fn numbered(text: &str) -> Option<(i64, &str)> {
    let digits = NUMBERED.captures(text)?.get(1)?;
    let id = digits.as_str().parse().ok()?;
    Some((id, &text[digits.end()..]))
}

/// The number of the schedule `text` names.
pub fn schedule_id(text: &str) -> Option<i64> {
    numbered(text).map(|(id, _)| id)
}

/// The new time of a schedule `text` asks to move, in its own words
/// ("Sundays at 3:30"): what follows the schedule's number. None when the
/// text asks nothing of the kind, names no number or says no time.
pub fn reschedule_to(text: &str) -> Option<String> {
    if !asks_to_move(text) {
        return None;
    }
    let (_, rest) = numbered(text)?;
    let when = LEAD_IN.replace(rest, "");
    let when = when.trim();
    (!when.is_empty()).then(|| when.to_string())
}

/// What `text`, read as `intent` with `slots`, asks of a schedule. A move
/// is asked by the sentence's form, whatever the intent; a cancel stops a
/// schedule when it names one, unless the only number it gives is a
/// task's ("cancel task 12 that the schedule started" cancels task 12).
pub fn request(text: &str, intent: Intent, slots: &Slots) -> Option<ScheduleRequest> {
    if asks_to_move(text) {
        return Some(ScheduleRequest::Move);
    }
    let stops = intent == Intent::Cancel
        && SCHEDULE.is_match(text)
        && (slots.schedule_id.is_some() || slots.task_id.is_none());
    stops.then_some(ScheduleRequest::Stop)
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
            assert!(asks_to_move(text), "{text}");
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
            assert!(!asks_to_move(text), "{text}");
        }
    }

    #[test]
    fn the_new_time_is_what_follows_the_schedule() {
        for (text, when) in [
            (
                "move schedule 3 to Sundays at 3:30",
                Some("Sundays at 3:30"),
            ),
            ("set schedule #7 so it runs hourly", Some("hourly")),
            ("change schedule 2: 0 5 * * *", Some("0 5 * * *")),
            ("move schedule 2", None),
            ("把计划 3 改到每周日 3:30", Some("每周日 3:30")),
            ("计划#12的时间改成每天凌晨2点", Some("每天凌晨2点")),
            ("重新安排计划 4 到每小时", Some("每小时")),
            ("把计划 5 改到", None),
            // Asked, but which schedule is not said: the time waits for it.
            ("reschedule the nightly backup to 3am", None),
            // A time, but no move asked.
            ("back up /srv to /mnt/nas, schedule 3 at 2am", None),
        ] {
            assert_eq!(reschedule_to(text).as_deref(), when, "{text}");
        }
    }

    #[test]
    fn schedule_numbers() {
        assert_eq!(schedule_id("move schedule 3 to 3am"), Some(3));
        assert_eq!(schedule_id("stop schedules #12"), Some(12));
        assert_eq!(schedule_id("停止定时任务 7"), Some(7));
        assert_eq!(schedule_id("把计划 3改到每周日"), Some(3));
        assert_eq!(
            schedule_id("move schedule 1234567890123456789 to 3am"),
            None
        );
        assert_eq!(schedule_id("stop the scheduled backup"), None);
        assert_eq!(schedule_id("cancel task 12"), None);
    }

    #[test]
    fn a_cancel_that_names_a_schedule_stops_it() {
        let read = |text: &str, intent| {
            let slots = Slots {
                schedule_id: schedule_id(text),
                task_id: super::super::flags::task_id(&text.to_lowercase()),
                ..Slots::default()
            };
            request(text, intent, &slots)
        };
        let stop = Some(ScheduleRequest::Stop);
        assert_eq!(read("stop schedule 3", Intent::Cancel), stop);
        assert_eq!(read("cancel the scheduled backup", Intent::Cancel), stop);
        assert_eq!(read("停止计划 3", Intent::Cancel), stop);
        assert_eq!(read("cancel task 12 of schedule 3", Intent::Cancel), stop);
        assert_eq!(
            read("cancel task 12 that the schedule started", Intent::Cancel),
            None
        );
        assert_eq!(read("cancel task 12", Intent::Cancel), None);
        assert_eq!(read("what is schedule 3 doing", Intent::Status), None);
        for intent in [Intent::Backup, Intent::Cancel, Intent::OutOfScope] {
            assert_eq!(
                read("move schedule 3 to Sundays at 3:30", intent),
                Some(ScheduleRequest::Move)
            );
        }
    }
}
