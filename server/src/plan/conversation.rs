//! Clarifying questions: when a command lacks a path it needs ("back up my
//! photos" with no destination), Tend asks one question and remembers the
//! command for that console session; the next message answers it (or says
//! "never mind"). Kept in memory: a question outlives neither a restart nor
//! [`QUESTION_TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::nlu::{Intent, Slots, Understanding};

/// How long an unanswered question waits for its answer.
pub const QUESTION_TTL: Duration = Duration::from_secs(10 * 60);
/// Sessions with an open question, at most (oldest dropped first).
const MAX_OPEN: usize = 10_000;

/// Which path the question asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Source,
    Destination,
}

impl Missing {
    /// The path a command lacks, if it lacks one its workflow needs.
    pub fn of(u: &Understanding) -> Option<Missing> {
        let (source, destination) = (u.slots.source.is_some(), u.slots.destination.is_some());
        match u.intent {
            Intent::Backup | Intent::Sync | Intent::Restore if u.slots.task_id.is_none() => {
                if !source {
                    Some(Missing::Source)
                } else if !destination {
                    Some(Missing::Destination)
                } else {
                    None
                }
            }
            Intent::Cleanup if !source => Some(Missing::Source),
            _ => None,
        }
    }
}

struct Open {
    understanding: Understanding,
    missing: Missing,
    asked_at: Instant,
}

#[derive(Default)]
pub struct Conversations {
    open: Mutex<HashMap<String, Open>>,
}

/// What a message means for a session with an open question.
pub enum Turn {
    /// No open question: plan the message as it is.
    Fresh(Understanding),
    /// The message answered the question: plan the completed command.
    Answered(Understanding),
    /// The user dropped the question.
    Dropped,
}

/// "never mind", "cancel", "forget it", "算了".
fn drops(text: &str) -> bool {
    let t = text.trim().trim_end_matches(['.', '!']).to_lowercase();
    [
        "cancel",
        "never mind",
        "nevermind",
        "forget it",
        "no",
        "stop",
        "nothing",
        "算了",
        "取消",
        "不用了",
    ]
    .contains(&t.as_str())
}

impl Conversations {
    /// Remembers that `session` was asked for the path `understanding` lacks.
    pub fn ask(&self, session: &str, understanding: Understanding, missing: Missing) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, q| q.asked_at.elapsed() < QUESTION_TTL);
        if open.len() >= MAX_OPEN {
            if let Some(oldest) = open
                .iter()
                .min_by_key(|(_, q)| q.asked_at)
                .map(|(k, _)| k.clone())
            {
                open.remove(&oldest);
            }
        }
        open.insert(
            session.to_string(),
            Open {
                understanding,
                missing,
                asked_at: Instant::now(),
            },
        );
    }

    /// Reads `message` (already understood on its own) in the light of the
    /// session's open question, which it closes either way.
    /// `raw` reads the message's slots whatever its intent (out-of-scope
    /// understandings carry none), aliases applied; it runs only when a
    /// question is open.
    pub fn take_turn(
        &self,
        session: Option<&str>,
        message: Understanding,
        raw: impl FnOnce() -> Slots,
    ) -> Turn {
        let Some(session) = session else {
            return Turn::Fresh(message);
        };
        let open = {
            let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
            open.remove(session)
        };
        let Some(open) = open.filter(|q| q.asked_at.elapsed() < QUESTION_TTL) else {
            return Turn::Fresh(message);
        };
        if drops(&message.text) {
            return Turn::Dropped;
        }
        let raw = raw();
        let Some(path) = raw.source.or(raw.destination) else {
            return Turn::Fresh(message);
        };
        // A complete command of its own replaces the question; a path alone
        // ("/mnt/nas", "to /mnt/nas please") answers it.
        let standalone = message.intent != Intent::OutOfScope
            && Missing::of(&message).is_none()
            && !just_a_path(&message.text, &path);
        if standalone {
            return Turn::Fresh(message);
        }
        let mut completed = open.understanding;
        match open.missing {
            Missing::Source => completed.slots.source = Some(path),
            Missing::Destination => completed.slots.destination = Some(path),
        }
        completed.text = format!("{} ({})", completed.text, message.text.trim());
        Turn::Answered(completed)
    }
}

/// Whether `text` is `path` plus only filler words.
fn just_a_path(text: &str, path: &str) -> bool {
    const FILLER: &[&str] = &[
        "to",
        "into",
        "in",
        "at",
        "on",
        "from",
        "the",
        "it",
        "its",
        "it's",
        "please",
        "use",
        "there",
        "folder",
        "directory",
        "dir",
        "repo",
        "repository",
        "ok",
        "yes",
        "try",
    ];
    text.replacen(path, " ", 1)
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .all(|w| FILLER.contains(&w.to_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::slots::extract;
    use crate::nlu::understand;

    #[test]
    fn an_answer_fills_the_missing_path() {
        let c = Conversations::default();
        let first = understand("back up /srv/photos");
        assert_eq!(Missing::of(&first), Some(Missing::Destination));
        c.ask("s1", first, Missing::Destination);
        match c.take_turn(Some("s1"), understand("/mnt/nas/photos"), || {
            extract("/mnt/nas/photos")
        }) {
            Turn::Answered(u) => {
                assert_eq!(u.intent, Intent::Backup);
                assert_eq!(u.slots.source.as_deref(), Some("/srv/photos"));
                assert_eq!(u.slots.destination.as_deref(), Some("/mnt/nas/photos"));
            }
            _ => panic!("the path should answer the question"),
        }
        // The question is closed now.
        assert!(matches!(
            c.take_turn(Some("s1"), understand("/mnt/other"), || extract(
                "/mnt/other"
            )),
            Turn::Fresh(_)
        ));
    }

    #[test]
    fn never_mind_drops_and_new_commands_replace_the_question() {
        let c = Conversations::default();
        c.ask("s", understand("sync ~/docs"), Missing::Destination);
        assert!(matches!(
            c.take_turn(Some("s"), understand("never mind"), || extract(
                "never mind"
            )),
            Turn::Dropped
        ));
        c.ask("s", understand("sync ~/docs"), Missing::Destination);
        match c.take_turn(Some("s"), understand("to /media/usb please"), || {
            extract("to /media/usb please")
        }) {
            Turn::Answered(u) => assert_eq!(u.slots.destination.as_deref(), Some("/media/usb")),
            _ => panic!("a path with filler words answers"),
        }
        c.ask("s", understand("sync ~/docs"), Missing::Destination);
        match c.take_turn(Some("s"), understand("status of task 3"), || {
            extract("status of task 3")
        }) {
            Turn::Fresh(u) => assert_eq!(u.intent, Intent::Status),
            _ => panic!("a new command is not an answer"),
        }
        // Another session's question is not ours.
        c.ask("a", understand("sync ~/docs"), Missing::Destination);
        assert!(matches!(
            c.take_turn(Some("b"), understand("/mnt/x"), || extract("/mnt/x")),
            Turn::Fresh(_)
        ));
        assert!(matches!(
            c.take_turn(None, understand("/mnt/x"), || extract("/mnt/x")),
            Turn::Fresh(_)
        ));
    }
}
