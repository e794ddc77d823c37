//! Asking which of two close readings was meant: "Back up ~/docs to
//! /mnt/nas, or restore from ~/docs into /mnt/nas?", one button each. A
//! wrong guess between backup and restore, or mirror and backup, writes into
//! the wrong place, so a close call is asked rather than guessed.

use app::api::{CommandResponse, ReadingChoice};

use crate::nlu::{Intent, Slots, Understanding};

/// The question for `u` when the model found another reading close
/// behind; `None` when it did not.
pub fn question(u: &Understanding) -> Option<CommandResponse> {
    let other = u.alternative?;
    let choices: Vec<ReadingChoice> = [u.intent, other]
        .into_iter()
        .map(|intent| ReadingChoice {
            intent: intent.as_str().into(),
            label: label(intent, &u.slots),
        })
        .collect();
    let message = format!(
        "Which did you mean: {}, or {}?",
        choices[0].label,
        lower_first(&choices[1].label)
    );
    Some(CommandResponse::Reply {
        intent: u.intent.as_str().into(),
        message,
        tasks: Vec::new(),
        choices,
        text: Some(u.text.clone()),
    })
}

/// What planning the command as `intent` would do, in a few words, with
/// the paths as its slots would be used.
fn label(intent: Intent, s: &Slots) -> String {
    let path = |p: &Option<String>| p.clone().unwrap_or_else(|| "…".into());
    let task = s.task_id.map(|id| format!(" task #{id}"));
    match intent {
        Intent::Backup => match &s.destination {
            Some(to) => format!("Back up {} to {to}", path(&s.source)),
            None => format!("Back up {}", path(&s.source)),
        },
        Intent::Restore if s.task_id.is_some() && s.source.is_none() => {
            format!("Put back what{} cleaned up", task.unwrap_or_default())
        }
        Intent::Restore => match &s.destination {
            Some(into) => format!("Restore from {} into {into}", path(&s.source)),
            None => format!("Restore from {}", path(&s.source)),
        },
        Intent::Sync => format!("Mirror {} to {}", path(&s.source), path(&s.destination)),
        Intent::Cleanup => format!("Clean up files in {}", path(&s.source)),
        Intent::Status => match task {
            Some(task) => format!("Show how{task} is doing"),
            None => "Show how the tasks are doing".into(),
        },
        Intent::Cancel => match task {
            Some(task) => format!("Cancel{task}"),
            None => "Cancel a task".into(),
        },
        Intent::Retry => format!("Run{} again", task.unwrap_or_default()),
        Intent::OutOfScope => "Something Tend does not do".into(),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(text: &str, intent: Intent, other: Intent, slots: Slots) -> Understanding {
        let mut u = Understanding::new(text, intent, 0.5, slots);
        u.alternative = Some(other);
        u
    }

    #[test]
    fn a_close_call_offers_both_readings_with_their_paths() {
        let slots = Slots {
            source: Some("~/docs".into()),
            destination: Some("/mnt/nas".into()),
            ..Slots::default()
        };
        let u = close(
            "~/docs and /mnt/nas",
            Intent::Backup,
            Intent::Restore,
            slots,
        );
        let Some(CommandResponse::Reply {
            message,
            choices,
            text,
            ..
        }) = question(&u)
        else {
            panic!("a close call is asked about");
        };
        assert_eq!(
            message,
            "Which did you mean: Back up ~/docs to /mnt/nas, or restore from ~/docs into /mnt/nas?"
        );
        let picked: Vec<(&str, &str)> = choices
            .iter()
            .map(|c| (c.intent.as_str(), c.label.as_str()))
            .collect();
        assert_eq!(
            picked,
            [
                ("backup", "Back up ~/docs to /mnt/nas"),
                ("restore", "Restore from ~/docs into /mnt/nas")
            ]
        );
        assert_eq!(text.as_deref(), Some("~/docs and /mnt/nas"));
    }

    #[test]
    fn a_sure_reading_is_not_asked_about() {
        let u = Understanding::new("back up /a to /b", Intent::Backup, 0.9, Slots::default());
        assert!(question(&u).is_none());
    }

    #[test]
    fn missing_paths_and_task_readings_still_read_as_sentences() {
        let s = Slots {
            task_id: Some(12),
            ..Slots::default()
        };
        assert_eq!(
            label(Intent::Restore, &s),
            "Put back what task #12 cleaned up"
        );
        assert_eq!(label(Intent::Cancel, &s), "Cancel task #12");
        assert_eq!(label(Intent::Sync, &Slots::default()), "Mirror … to …");
    }
}
