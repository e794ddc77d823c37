//! Understanding commands: which workflow the user wants (the intent) and
//! its parameters (the slots). Slots come from the extractors in [`slots`];
//! intent from the sentence encoder and example phrases ([`Nlu`]), or from
//! keyword cues ([`understand`]) when no model is installed.

pub mod batcher;
pub mod classifier;
pub mod encoder;
mod explain;
pub mod glm;
pub mod intent;
pub mod question;
pub mod rules;
mod service;
mod shorthand;
pub mod slots;
pub mod steps;
mod typos;
mod understanding;
pub mod unexplained;

pub use service::{Features, Nlu, NluError};
pub use understanding::{Intent, ScheduleRequest, Slots, Understanding};

/// Longest text examined; longer input is cut (at a char boundary) so a
/// huge paste cannot cost more than a normal sentence.
const MAX_TEXT_BYTES: usize = 8 * 1024;

/// The part of `text` that is examined: cut at `MAX_TEXT_BYTES`, on a char boundary.
fn examined(text: &str) -> &str {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Understands one command by keyword cues alone. Never panics, whatever
/// the input.
pub fn understand(text: &str) -> Understanding {
    // The service's own path, so the rules that decide before any model
    // (questions are not commands) apply here too.
    Nlu::keywords().understand_blocking(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_from_the_product_brief() {
        let u = understand("back up /srv/photos to /mnt/nas every night at 2am, keep 14");
        assert_eq!(u.intent, Intent::Backup);
        assert_eq!(u.slots.source.as_deref(), Some("/srv/photos"));
        assert_eq!(u.slots.destination.as_deref(), Some("/mnt/nas"));
        assert_eq!(u.slots.schedule.as_deref(), Some("0 2 * * *"));
        assert_eq!(u.slots.keep_last, Some(14));

        let u = understand("mirror ~/docs to /media/usb and remove what I deleted");
        assert_eq!(u.intent, Intent::Sync);
        assert_eq!(u.slots.source.as_deref(), Some("~/docs"));
        assert_eq!(u.slots.destination.as_deref(), Some("/media/usb"));
        assert_eq!(u.slots.delete_extraneous, Some(true));

        let u = understand("clean up *.log older than 30 days in /var/log/app, show me first");
        assert_eq!(u.intent, Intent::Cleanup);
        assert_eq!(u.slots.source.as_deref(), Some("/var/log/app"));
        assert_eq!(u.slots.patterns, Some(vec!["*.log".to_string()]));
        assert_eq!(u.slots.older_than_days, Some(30.0));
        assert_eq!(u.slots.dry_run, Some(true));
        assert!(u.confidence > 0.8);
    }

    #[test]
    fn undoing_a_cleanup_puts_back_everything_whatever_files_it_names() {
        let u = understand("restore quarantine of task 40, I need those logs");
        assert_eq!(u.intent, Intent::Restore);
        assert_eq!((u.slots.task_id, u.slots.patterns), (Some(40), None));
        // A restore from a repository keeps what it names.
        let u = understand("restore the *.log files from /mnt/nas");
        assert_eq!(u.slots.patterns, Some(vec!["*.log".to_string()]));
    }

    #[test]
    fn a_restore_reads_a_day_as_its_snapshot_not_a_schedule_or_an_age() {
        let u = understand("restore ~/notes from /mnt/bk as it was on friday, two days ago");
        assert_eq!(u.intent, Intent::Restore);
        assert_eq!((u.slots.schedule, u.slots.older_than_days), (None, None));
        assert_eq!(u.unexplained.len(), 1, "{:?}", u.unexplained);
        // A repetition asked for stays, for the plan to say a restore runs once.
        let u = understand("restore ~/notes from /mnt/bk every night");
        assert_eq!(u.slots.schedule.as_deref(), Some("daily"));
    }

    #[test]
    fn priority_is_kept_for_what_is_queued_only() {
        use app::api::Priority;
        let u = understand("back up /srv/db to /mnt/nas right now, it's urgent");
        assert_eq!(u.intent, Intent::Backup);
        assert_eq!(u.slots.priority, Some(Priority::Urgent));
        let u = understand("clean up *.tmp in /tmp when nothing else is running");
        assert_eq!(u.intent, Intent::Cleanup);
        assert_eq!(u.slots.priority, Some(Priority::Low));
        // Said of an answer or a cancel, "right now" queues nothing.
        for text in [
            "what is tend doing right now",
            "is anything running right now",
            "cancel job 7 right now",
        ] {
            assert_eq!(understand(text).slots.priority, None, "{text}");
        }
        let urgent = Slots {
            priority: Some(Priority::Urgent),
            ..Slots::default()
        };
        let kept = |intent| {
            Understanding::new("x", intent, 1.0, urgent.clone())
                .slots
                .priority
        };
        // A question about a run asks for none to preview.
        let asked = "did task 64 actually move the files, or was it only a preview?";
        let u = Understanding::new(asked, Intent::Status, 1.0, slots::extract(asked));
        assert_eq!((u.slots.task_id, u.slots.dry_run), (Some(64), None));
        assert_eq!(kept(Intent::Status), None);
        assert_eq!(kept(Intent::Cancel), None);
        assert_eq!(kept(Intent::Retry), Some(Priority::Urgent));
    }

    #[test]
    fn each_plan_gets_the_slots_it_uses() {
        let said = Slots {
            keep_daily: Some(7),
            keep_weekly: Some(4),
            keep_monthly: Some(6),
            excludes: Some(vec!["*.tmp".into()]),
            snapshot: Some("1a2b3c4d".into()),
            overwrite: Some(true),
            checksum: Some(true),
            empty_dirs: Some(true),
            schedule_id: Some(3),
            reschedule_to: Some("3am".into()),
            ..Slots::default()
        };
        let kept = |intent| Understanding::new("x", intent, 1.0, said.clone()).slots;
        let backup = kept(Intent::Backup);
        assert_eq!(
            (backup.keep_daily, backup.keep_weekly, backup.keep_monthly),
            (Some(7), Some(4), Some(6))
        );
        assert_eq!(backup.excludes, said.excludes);
        let restore = kept(Intent::Restore);
        assert_eq!(restore.snapshot, said.snapshot);
        assert_eq!(restore.overwrite, Some(true));
        assert_eq!(kept(Intent::Sync).checksum, Some(true));
        assert_eq!(kept(Intent::Cleanup).empty_dirs, Some(true));
        for intent in Intent::EVERY {
            let s = kept(intent);
            assert_eq!(s.keep_daily.is_some(), intent == Intent::Backup);
            assert_eq!(s.excludes.is_some(), intent == Intent::Backup);
            assert_eq!(s.snapshot.is_some(), intent == Intent::Restore);
            assert_eq!(s.checksum.is_some(), intent == Intent::Sync);
            assert_eq!(s.empty_dirs.is_some(), intent == Intent::Cleanup);
            // "x" asks nothing of a schedule.
            assert_eq!((s.schedule_id, s.reschedule_to), (None, None));
        }
        assert_eq!(kept(Intent::OutOfScope), Slots::default());
    }

    #[test]
    fn retention_per_period_is_no_condition_left_out() {
        let u = understand("back up /srv/photos to /mnt/nas, keep 7 daily, 4 weekly and 6 monthly");
        assert_eq!(u.intent, Intent::Backup);
        assert_eq!(
            (
                u.slots.keep_daily,
                u.slots.keep_weekly,
                u.slots.keep_monthly
            ),
            (Some(7), Some(4), Some(6))
        );
        assert_eq!((u.slots.keep_last, u.slots.schedule), (None, None));
        assert_eq!(u.unexplained, vec![]);
    }

    #[test]
    fn a_schedule_is_moved_whatever_the_intent_and_stopped_by_a_cancel() {
        for (text, id, to) in [
            (
                "move schedule 3 to Sundays at 3:30",
                Some(3),
                Some("Sundays at 3:30"),
            ),
            ("把计划 3 改到每周日 3:30", Some(3), Some("每周日 3:30")),
            ("move schedule 3", Some(3), None),
            ("reschedule the nightly backup of /srv to 3am", None, None),
        ] {
            let u = understand(text);
            assert_eq!(u.schedule_request, Some(ScheduleRequest::Move), "{text}");
            let only = Slots {
                schedule_id: id,
                reschedule_to: to.map(str::to_string),
                ..Slots::default()
            };
            assert_eq!(u.slots, only, "{text}");
            assert_eq!(u.unexplained, vec![], "{text}");
        }
        for text in [
            "stop schedule 3",
            "停止计划 3",
            "cancel the scheduled backup",
        ] {
            let u = understand(text);
            assert_eq!(u.intent, Intent::Cancel, "{text}");
            assert_eq!(u.schedule_request, Some(ScheduleRequest::Stop), "{text}");
        }
        assert_eq!(understand("stop schedule 3").slots.schedule_id, Some(3));
        let u = understand("cancel task 12 that the schedule started");
        assert_eq!((u.schedule_request, u.slots.task_id), (None, Some(12)));
        // A schedule named in a backup is no request about one.
        let u = understand("back up /srv to /mnt/nas on schedule 3");
        assert_eq!((u.schedule_request, u.slots.schedule_id), (None, None));
    }

    #[test]
    fn huge_and_odd_input_is_safe() {
        let huge = "清理".repeat(50_000);
        assert_eq!(understand(&huge).intent, Intent::Cleanup);
        for text in [
            "",
            "\0",
            "🧹",
            "\u{202e}/etc",
            "''\"\"",
            "~",
            "/",
            "*",
            "#",
            "task #",
        ] {
            let _ = understand(text);
        }
        assert_eq!(understand("").intent, Intent::OutOfScope);
        assert_eq!(understand("").confidence, 1.0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_paths_come_from_the_text(text in "\\PC{0,200}") {
            let u = understand(&text);
            proptest::prop_assert!((0.0..=1.0).contains(&u.confidence));
            for path in [u.slots.source, u.slots.destination].into_iter().flatten() {
                proptest::prop_assert!(text.contains(&path), "{path:?} not in {text:?}");
            }
        }

        #[test]
        fn paths_survive_any_surrounding_words(
            words in "[a-z ,]{0,30}",
            path in "/[a-z0-9_-]{1,12}(/[a-z0-9_.-]{1,12}){0,3}",
        ) {
            let text = format!("clean up *.tmp in {path} {words}");
            let u = understand(&text);
            proptest::prop_assert_eq!(u.slots.source.as_deref(), Some(path.trim_end_matches('.')));
        }
    }
}
