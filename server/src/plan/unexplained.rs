//! Refusing a plan that would lose a condition the command states
//! ([`crate::nlu::unexplained`]): the reply names the words and says how
//! to put them so Tend can use them.

use crate::nlu::unexplained::{ConditionKind, Unexplained};
use crate::nlu::{Intent, Understanding};

/// Why `understanding` cannot be planned as it stands, or `None` when
/// every condition it states is in its slots.
pub fn refusal(understanding: &Understanding) -> Option<String> {
    let first = understanding.unexplained.first()?;
    let words: Vec<String> = understanding
        .unexplained
        .iter()
        .map(|u| format!("\u{201c}{}\u{201d}", u.words))
        .collect();
    let risk = match understanding.intent {
        Intent::Cleanup => "planning without it would clean up more than you asked",
        _ => "planning without it would not be what you asked",
    };
    Some(format!(
        "I could not use {} ({}), and {risk}. {}",
        words.join(" and "),
        first.kind.described(),
        how_to_say(first),
    ))
}

/// How to say a condition of this kind so that Tend reads it.
fn how_to_say(u: &Unexplained) -> &'static str {
    match u.kind {
        ConditionKind::Kind => {
            "Name the files by pattern, for example *.mp4 or *.tmp, and send the command again."
        }
        ConditionKind::Age => {
            "Say the age as \u{201c}older than 30 days\u{201d} (or weeks, months, years), and send the command again."
        }
        ConditionKind::Size => {
            "Tend selects files by a smallest size, such as \u{201c}bigger than 100 MB\u{201d}; say it that way, or leave the size out."
        }
        ConditionKind::Exclusion => {
            "A cleanup cannot leave chosen files out yet: name the files to clean up instead (a pattern, an age, a size)."
        }
        ConditionKind::Schedule => {
            "Say when, for example \u{201c}every night at 2am\u{201d}, \u{201c}every 6 hours\u{201d} or \u{201c}on Sundays at 3am\u{201d}."
        }
        ConditionKind::Retention => "Say how many to keep as \u{201c}keep the last 14\u{201d}.",
        ConditionKind::Snapshot => {
            "Tend restores the latest snapshot, or one you name by its id (\u{201c}restore snapshot 1a2b3c4d from …\u{201d}; `restic snapshots` lists them); it cannot pick one by date yet. Name the snapshot, or leave the date out to restore the latest."
        }
    }
}
