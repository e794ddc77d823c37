//! Slot extraction. Paths are found first (quoted or not) and masked out of
//! the text, so that the other extractors never read a path's pieces
//! ("/var/log/2am") as a time, a size or a pattern.

mod delete_extraneous;
mod dry_run;
mod duration;
mod exclusions;
mod flags;
mod negation;
mod numbers;
mod paths;
mod patterns;
mod priority;
mod retention;
mod schedule;
mod schedule_ref;
mod size;
pub(crate) mod snapshot;
mod time_limit;

pub use paths::{looks_like_path, Role, SpottedPath};

use app::api::Priority;

use super::Slots;

/// The slots `text` states, whatever its intent; [`super::Understanding`]
/// keeps those its intent's plan uses.
pub fn extract(text: &str) -> Slots {
    let spotted = paths::spot(text);
    let masked = paths::mask(text, &spotted);
    let mut lower = masked.to_lowercase();
    let qualifiers = take_task_qualifiers(&mut lower);
    let (source, destination) = paths::assign_roles(&spotted, paths::repository_is_source(&lower));
    let mut patterns = patterns::extract(&masked);
    for glob in spotted.iter().filter_map(|p| p.glob.clone()) {
        if !patterns.contains(&glob) {
            patterns.push(glob);
        }
    }
    let kept = qualifiers.kept_per_period;
    Slots {
        source,
        destination,
        older_than_days: duration::older_than_days(&lower),
        excludes: exclusions::excludes(&lower, &patterns),
        patterns: (!patterns.is_empty()).then_some(patterns),
        min_size_bytes: size::min_size_bytes(&lower),
        schedule: schedule::extract(&lower),
        delete_extraneous: delete_extraneous::asked(&lower),
        dry_run: dry_run::asked(&lower),
        task_id: flags::task_id(&lower),
        keep_last: retention::keep_last(&lower),
        keep_daily: kept.daily,
        keep_weekly: kept.weekly,
        keep_monthly: kept.monthly,
        timeout_secs: qualifiers.time_limit,
        priority: qualifiers.priority,
        snapshot: snapshot::snapshot_id(&lower),
        overwrite: flags::overwrite(&lower),
        checksum: flags::checksum(&lower),
        empty_dirs: flags::empty_dirs(&lower),
        schedule_id: schedule_ref::schedule_id(text),
        reschedule_to: schedule_ref::reschedule_to(text),
    }
}

/// What a command says of the task as a whole rather than of the files it
/// takes: how long it may run, how soon it should, and how many snapshots
/// per period a backup keeps.
struct TaskQualifiers {
    time_limit: Option<u64>,
    priority: Option<Priority>,
    kept_per_period: retention::PerPeriod,
}

/// Reads the [`TaskQualifiers`] and blanks the words that said them, so
/// that no other slot reads them: "longer than 2 hours" there is no file
/// age, and "keep 7 daily" neither "keep the last 7" nor a daily schedule.
fn take_task_qualifiers(lower: &mut String) -> TaskQualifiers {
    let time_limit = time_limit::time_limit(lower);
    blank(lower, time_limit.map(|(_, span)| span));
    let priority = priority::priority(lower);
    blank(lower, priority.map(|(_, span)| span));
    let (kept_per_period, spans) = retention::per_period(lower);
    for span in spans {
        blank(lower, Some(span));
    }
    TaskQualifiers {
        time_limit: time_limit.map(|(secs, _)| secs),
        priority: priority.map(|(level, _)| level),
        kept_per_period,
    }
}

fn blank(lower: &mut String, span: Option<(usize, usize)>) {
    if let Some((start, end)) = span {
        lower.replace_range(start..end, &" ".repeat(end - start));
    }
}

/// `text` lowercased, with its paths and [`TaskQualifiers`] blanked: what
/// is left to say what the command is about, for readers outside the slot
/// extractors (the step splitter's test for a condition).
pub(crate) fn without_task_qualifiers(text: &str) -> String {
    let mut lower = paths::mask(text, &paths::spot(text)).to_lowercase();
    take_task_qualifiers(&mut lower);
    lower
}

/// Whether the extractor for conditions of `kind` reads `phrase` (lower
/// case, paths masked) on its own, and what it reads is in `slots`: the
/// check that no condition a command states is lost
/// ([`super::unexplained`]).
pub(crate) fn takes_in(
    kind: super::unexplained::ConditionKind,
    phrase: &str,
    slots: &Slots,
) -> bool {
    use super::unexplained::ConditionKind as K;
    match kind {
        K::Kind => {
            let globs = patterns::extract(phrase);
            let planned = slots.patterns.as_deref().unwrap_or_default();
            !globs.is_empty() && globs.iter().all(|g| planned.contains(g))
        }
        K::Age => {
            duration::older_than_days(phrase).is_some_and(|d| slots.older_than_days == Some(d))
        }
        K::Size => size::min_size_bytes(phrase).is_some_and(|b| slots.min_size_bytes == Some(b)),
        // "weekly, at 6am on mondays" reads as a whole; its parts alone differ.
        K::Schedule => schedule::extract(phrase).is_some() && slots.schedule.is_some(),
        K::Retention => retention::keep_last(phrase).is_some_and(|k| slots.keep_last == Some(k)),
        // No workflow leaves chosen files out.
        K::Exclusion => false,
        // A snapshot is taken in by its id; undoing a cleanup restores what
        // one task moved, whenever it ran.
        K::Snapshot => slots.snapshot.is_some() || slots.task_id.is_some(),
    }
}

/// Whether `phrase` ("only the logs") names every pattern in `slots` and
/// no other: a restriction that another pattern beside it would undo.
pub(crate) fn names_every_pattern(phrase: &str, slots: &Slots) -> bool {
    let mut named = patterns::extract(phrase);
    let mut planned = slots.patterns.clone().unwrap_or_default();
    named.sort();
    planned.sort();
    !named.is_empty() && named == planned
}

/// The source and destination `text` names, aliases not applied.
pub(crate) fn source_and_destination(text: &str) -> (Option<String>, Option<String>) {
    paths::roles(text)
}

/// Whether `text` asks to move a schedule to a new time.
pub(crate) fn asks_to_move_a_schedule(text: &str) -> bool {
    schedule_ref::asks_to_move(text)
}

/// What `text`, read as `intent`, asks of a schedule rather than a task.
pub(crate) fn schedule_request(
    text: &str,
    intent: super::Intent,
    slots: &Slots,
) -> Option<super::ScheduleRequest> {
    schedule_ref::request(text, intent, slots)
}

/// Byte spans of the paths in `text`, for rewriting that must leave them alone.
pub fn path_spans(text: &str) -> Vec<(usize, usize)> {
    paths::spot(text).iter().map(|p| (p.start, p.end)).collect()
}

/// `text` with each path cut to its last part, for the intent model
/// ("/tmp/tend-e2e-yhBR8p/files/photos" → "photos"): a path's letters say
/// little about what is asked, and random ones ("yhBR8p") pull the
/// sentence's embedding away from every example.
pub fn paths_shortened(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in path_spans(text) {
        out.push_str(&text[at..start]);
        out.push_str(last_part(&text[start..end]));
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// "/srv/photos/" → "photos", "D:\\Photos" → "Photos", "/" → "/", and
/// "/mnt/nas/photos289" → "photos": a number ending a name ("photos289",
/// "logs-2024") tells nothing of what is asked, yet it swayed the model
/// ("back up /srv/photos289 to /mnt/nas/photos289" read as out of scope).
///
/// A home directory ("/home/anna", "C:\\Users\\bob") gives "home": its
/// last part is a person's name, which read alone swayed the model ("please
/// back up /home/anna" read as a restore).
fn last_part(path: &str) -> &str {
    let bare = path
        .trim_matches(|c: char| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
        .trim_end_matches(['/', '\\']);
    let mut parts = bare.rsplit(['/', '\\']);
    let part = match parts.next() {
        Some(part) if !part.is_empty() => part,
        _ => return path,
    };
    if parts.next().is_some_and(|parent| {
        parent.eq_ignore_ascii_case("home") || parent.eq_ignore_ascii_case("users")
    }) {
        return "home";
    }
    match part.trim_end_matches(|c: char| c.is_ascii_digit() || matches!(c, '-' | '_' | '.')) {
        "" => part,
        named => named,
    }
}

// Readers of one phrase-rule placeholder's text ("night at 2am", "30",
// "500MB"): the same extractors, given the words a full sentence would
// have put in front.

pub fn schedule_in(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    schedule::extract(&lower).or_else(|| schedule::extract(&format!("every {lower}")))
}

pub fn age_in(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    duration::older_than_days(&lower)
        .or_else(|| duration::older_than_days(&format!("older than {lower}")))
        .or_else(|| duration::older_than_days(&format!("older than {lower} days")))
}

pub fn size_in(text: &str) -> Option<u64> {
    size::min_size_bytes(&format!("larger than {}", text.to_lowercase()))
}

pub fn patterns_in(text: &str) -> Vec<String> {
    let mut found = patterns::extract(text);
    if found.is_empty() {
        found = patterns::extract(&format!("{text} files"));
    }
    found
}

/// A priority typed on its own ("urgent", "high", "low") or said in a
/// phrase ("as soon as possible", "when nothing else is running").
pub fn priority_in(text: &str) -> Option<Priority> {
    let lower = text
        .trim()
        .trim_end_matches(['.', '!', '。', '！'])
        .to_lowercase();
    match lower.as_str() {
        "high" | "highest" | "top" | "高" => Some(Priority::Urgent),
        "lowest" | "低" => Some(Priority::Low),
        "medium" | "default" | "regular" | "普通" | "正常" => Some(Priority::Normal),
        word => Priority::parse(word).or_else(|| priority::priority(word).map(|(p, _)| p)),
    }
}

/// A whole number in digits or words ("12", "#12", "seven").
pub fn count_in(text: &str) -> Option<u64> {
    let word = text.trim().trim_start_matches('#').to_lowercase();
    let v = numbers::value(&word)?;
    (v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64).then_some(v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_is_read_outside_paths() {
        let s = extract("back up /srv/photos to /mnt/nas asap");
        assert_eq!(s.priority, Some(Priority::Urgent));
        assert_eq!(s.destination.as_deref(), Some("/mnt/nas"));
        assert_eq!(extract("back up /srv/urgent to /mnt/asap").priority, None);
        assert_eq!(
            extract("clean up *.tmp in '/srv/no rush' asap").priority,
            Some(Priority::Urgent)
        );
    }

    #[test]
    fn priority_words_are_not_read_again_as_other_slots() {
        let s = extract("back up /srv to /mnt/nas every night at 2am, low priority, keep 7");
        assert_eq!(s.priority, Some(Priority::Low));
        assert_eq!(s.schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!(s.keep_last, Some(7));
        let s =
            extract("give up after 2 hours, no rush: clean up *.log older than 3 days in /var/log");
        assert_eq!(s.timeout_secs, Some(7200));
        assert_eq!(s.priority, Some(Priority::Low));
        assert_eq!(s.older_than_days, Some(3.0));
    }

    #[test]
    fn retention_per_period_is_read_once() {
        let s = extract("back up /srv to /mnt/nas, keep 7 daily, 4 weekly and 6 monthly");
        assert_eq!(
            (s.keep_daily, s.keep_weekly, s.keep_monthly),
            (Some(7), Some(4), Some(6))
        );
        // Neither "keep the last 7" nor a daily schedule.
        assert_eq!((s.keep_last, s.schedule), (None, None));
        let s =
            extract("back up /srv to /mnt/nas every night at 2am, keep the last 10 and 6 monthly");
        assert_eq!(s.schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!((s.keep_last, s.keep_monthly), (Some(10), Some(6)));
        let s = extract("back up /srv to /mnt/nas, keep 7 daily and the last 10");
        assert_eq!((s.keep_last, s.keep_daily), (Some(10), Some(7)));
        // How often is no retention, and stays unread as a schedule.
        let s = extract("back up /srv to /mnt/nas every 3 days, keep 10");
        assert_eq!((s.keep_last, s.keep_daily), (Some(10), None));
    }

    #[test]
    fn exclusions_are_read_outside_paths() {
        let s = extract("back up /srv/photos to /mnt/nas excluding *.tmp and *.bak");
        let both = Some(vec!["*.tmp".to_string(), "*.bak".to_string()]);
        assert_eq!(s.excludes, both);
        assert_eq!(s.patterns, both, "the files named stay named");
        let s = extract("back up /srv/skipped-days/*.jpg to /mnt/nas/without");
        assert!(s.patterns.is_some());
        assert_eq!(s.excludes, None);
    }

    #[test]
    fn flags_of_one_workflow_each() {
        let s = extract("restore snapshot 1A2B3C4D from /mnt/nas into /tmp/x, overwrite");
        assert_eq!(s.snapshot.as_deref(), Some("1a2b3c4d"));
        assert_eq!(s.overwrite, Some(true));
        assert_eq!(
            extract("restore /srv/replaced from /mnt/nas").overwrite,
            None
        );
        assert_eq!(
            extract("mirror /srv/a to /mnt/b, compare by content").checksum,
            Some(true)
        );
        assert_eq!(extract("mirror /srv/hashes to /mnt/b").checksum, None);
        assert_eq!(
            extract("clean up *.tmp and empty folders in /srv/x").empty_dirs,
            Some(true)
        );
        assert_eq!(extract("清理 /srv/x 里的空目录").empty_dirs, Some(true));
    }

    #[test]
    fn a_schedule_moved_in_words() {
        let s = extract("move schedule 3 to Sundays at 3:30");
        assert_eq!(s.schedule_id, Some(3));
        assert_eq!(s.reschedule_to.as_deref(), Some("Sundays at 3:30"));
        let s = extract("把计划 3 改到每周日 3:30");
        assert_eq!(s.schedule_id, Some(3));
        assert_eq!(s.reschedule_to.as_deref(), Some("每周日 3:30"));
        let s = extract("stop schedule 3");
        assert_eq!((s.schedule_id, s.reschedule_to), (Some(3), None));
    }

    #[test]
    fn the_model_reads_each_path_as_its_last_part() {
        assert_eq!(
            paths_shortened("mirror /tmp/tend-e2e-yhBR8p/files/photos to /mnt/nas/"),
            "mirror photos to nas"
        );
        assert_eq!(
            paths_shortened("back up \"/srv/My Photos\" and D:\\Work to /"),
            "back up My Photos and Work to /"
        );
        assert_eq!(paths_shortened("status of task 3"), "status of task 3");
        assert_eq!(
            paths_shortened("back up /srv/photos289 to /mnt/nas/logs-2024 and /srv/2024"),
            "back up photos to logs and 2024"
        );
        assert_eq!(
            paths_shortened(r"back up /home/anna and C:\Users\bob to /home/anna/docs"),
            "back up home and home to docs"
        );
    }

    #[test]
    fn priority_typed_alone() {
        for (typed, want) in [
            ("urgent", Some(Priority::Urgent)),
            (" High ", Some(Priority::Urgent)),
            ("normal", Some(Priority::Normal)),
            ("Low.", Some(Priority::Low)),
            ("asap", Some(Priority::Urgent)),
            ("as soon as possible", Some(Priority::Urgent)),
            ("when nothing else is running", Some(Priority::Low)),
            ("whenever", Some(Priority::Low)),
            ("priority: normal", Some(Priority::Normal)),
            ("加急", Some(Priority::Urgent)),
            ("不急", Some(Priority::Low)),
            ("soon-ish", None),
            ("", None),
        ] {
            assert_eq!(priority_in(typed), want, "{typed:?}");
        }
    }
}
