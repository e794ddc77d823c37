//! Parts of a command that read like a condition Tend supports (a kind of
//! file, an age, a size, an exclusion, a schedule, a retention) but that no
//! slot took in. Planning without them would do something other than what
//! was asked, and for a cleanup something broader: "only the videos"
//! dropped cleans up everything. The planner refuses such a reading and
//! says which words it could not use.
//!
//! The check reads every command the same way, whatever its wording: it
//! looks for the cues of each kind of condition in the text (paths masked,
//! so "/srv/logs" is no kind of file) and asks whether the slot for that
//! kind is filled.

use std::sync::LazyLock;

use regex::Regex;

use super::{Intent, Slots};

/// What kind of condition a phrase reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// Which files: "only the videos", "the tmp files", "tmp 文件".
    Kind,
    /// How old: "not touched since march", "3 weeks old".
    Age,
    /// How big: "smaller than 10 MB" (only "at least" is supported).
    Size,
    /// What to leave out: "except the newest", "but not the pdfs".
    Exclusion,
    /// When: "every fortnight", "on weekdays".
    Schedule,
    /// How many to keep: "keep 14".
    Retention,
    /// Which snapshot to restore, by its time: "as it was on Friday".
    Snapshot,
}

impl ConditionKind {
    /// The condition in words, for the reply.
    pub fn described(self) -> &'static str {
        match self {
            ConditionKind::Kind => "which files",
            ConditionKind::Age => "how old the files are",
            ConditionKind::Size => "how big the files are",
            ConditionKind::Exclusion => "what to leave out",
            ConditionKind::Schedule => "when to run",
            ConditionKind::Retention => "how many backups to keep",
            ConditionKind::Snapshot => "which snapshot to restore",
        }
    }
}

/// One phrase a slot did not take in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unexplained {
    pub kind: ConditionKind,
    /// The words, as found (lower case).
    pub words: String,
}

/// A cue of one kind of condition.
struct Cue {
    kind: ConditionKind,
    pattern: Regex,
}

fn cue(kind: ConditionKind, pattern: &str) -> Cue {
    Cue {
        kind,
        pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("cue {pattern:?}: {e}")),
    }
}

/// File kinds people name in words; followed by "folder" or "directory"
/// they name a place, not a kind.
const KINDS: &str = r"videos?|movies?|photos?|pictures?|images?|music|songs?|audio|documents?|docs|pdfs?|spreadsheets?|archives?|zips?|tarballs?|backups?|logs?|logfiles?|tmp|temp|temporary|caches?|thumbnails?|screenshots?|installers?|isos?|dumps?|downloads?|torrents?|raws?|jpe?gs?|pngs?|mp4s?|mp3s?|mkvs?";

static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    use ConditionKind::*;
    vec![
        cue(
            Kind,
            &format!(r"\b(?:only|just)\s+(?:the\s+|my\s+)?(?:{KINDS}|\w+\s+files?)\b"),
        ),
        cue(
            Kind,
            &format!(r"\b(?:{KINDS})(?:\s+files?)?\b(?:\s+(?:folder|directory|dir)\b)?"),
        ),
        cue(Kind, r"\*\.\w+|\.\w{1,5}\s+files?\b"),
        // Chinese names the kind before 文件 ("tmp 文件", "日志文件");
        // "所有文件" (all files) names none.
        cue(
            Kind,
            r"(?:[a-z0-9]+|临时|日志|视频|照片|图片|备份|压缩|缓存)\s*(?:文件|档案)",
        ),
        cue(
            Age,
            r"\b(?:older\s+than|not\s+(?:been\s+)?(?:touched|modified|changed|used|opened|accessed)|untouched|last\s+(?:modified|changed|touched)|since\s+\w+|before\s+(?:\w+\s+)?\d{4}|(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a\s+couple\s+of|a\s+few)\s*(?:days?|fortnights?|weeks?|months?|years?)\s+(?:old|ago))\b",
        ),
        cue(
            Age,
            r"(?:超过|以前|之前|前的)?\s*(?:\d+|[一二三四五六七八九十两]+)\s*(?:天|周|星期|个月|年)",
        ),
        cue(
            Size,
            r"\b(?:bigger|larger|smaller|greater|heavier)\s+than\b|\b(?:over|above|under|below|at\s+least|at\s+most)\s+\d+(?:\.\d+)?\s*(?:[kmgt]i?b|bytes?)\b|\d+(?:\.\d+)?\s*(?:[kmgt]i?b|bytes)\b|大于|小于",
        ),
        cue(
            Exclusion,
            r"\b(?:except|excluding|exclude|but\s+not|other\s+than|apart\s+from|save\s+for|leave\s+(?:out\s+)?the|keep\s+the\s+(?:newest|latest|last|most\s+recent)|skip(?:ping)?)\b|除了|排除|不要删",
        ),
        cue(
            Schedule,
            r"\b(?:every|each)\s+(?:\d+\s+|other\s+|second\s+)?(?:minutes?|hours?|days?|nights?|mornings?|evenings?|weeks?|weekdays?|weekends?|fortnight|months?|years?|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|\b(?:nightly|daily|weekly|monthly|hourly|fortnightly|yearly|annually)\b|\bon\s+(?:weekdays|weekends|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b|每",
        ),
        cue(
            Retention,
            r"\bkeep\s+(?:the\s+)?(?:last\s+|latest\s+|newest\s+|only\s+)?\d+\b|保留\s*\d+",
        ),
        cue(Snapshot, super::slots::snapshot::POINT_IN_TIME),
    ]
});

/// Which kinds of condition the plan of `intent` takes in, and so must not
/// lose.
fn considered(intent: Intent) -> &'static [ConditionKind] {
    use ConditionKind::*;
    match intent {
        Intent::Cleanup => &[Kind, Age, Size, Exclusion, Schedule],
        Intent::Backup => &[Schedule, Retention],
        Intent::Sync => &[Schedule],
        Intent::Restore => &[Snapshot],
        _ => &[],
    }
}

/// The conditions `text` states for `intent` that `slots` left out.
/// `masked` is the text lowercased with its paths masked
/// ([`super::slots::without_task_qualifiers`]).
pub fn find(masked: &str, intent: Intent, slots: &Slots) -> Vec<Unexplained> {
    let kinds = considered(intent);
    let mut left: Vec<Unexplained> = Vec::new();
    for cue in CUES.iter().filter(|c| kinds.contains(&c.kind)) {
        if left.iter().any(|u| u.kind == cue.kind) {
            continue;
        }
        // "remove anything over 1.5 GB, they are just video clips": the
        // kind describes what is there; the command takes every file.
        if cue.kind == ConditionKind::Kind && UNIVERSAL.is_match(masked) {
            continue;
        }
        let dropped = cue
            .pattern
            .find_iter(masked)
            .find(|m| is_dropped(cue.kind, masked, m, slots));
        if let Some(m) = dropped {
            left.push(Unexplained {
                kind: cue.kind,
                words: m.as_str().trim().to_string(),
            });
        }
    }
    // Smaller than, at most: a size Tend can only read as "at least".
    if kinds.contains(&ConditionKind::Size) && !left.iter().any(|u| u.kind == ConditionKind::Size) {
        if let Some(m) = UPPER_BOUND.find(masked) {
            left.push(Unexplained {
                kind: ConditionKind::Size,
                words: m.as_str().to_string(),
            });
        }
    }
    left
}

/// Whether the phrase cue `kind` found at `m` is a condition the slots
/// did not take in.
fn is_dropped(kind: ConditionKind, masked: &str, m: &regex::Match, slots: &Slots) -> bool {
    let words = m.as_str().trim();
    if words.is_empty() || names_a_place(words) {
        return false;
    }
    // "only the logs", "just the videos": a restriction, which another
    // kind beside it ("*.tmp, just the logs") would undo.
    let restricts =
        kind == ConditionKind::Kind && (words.starts_with("only") || words.starts_with("just"));
    // "log" in "*.log" is the glob's, read whole by its own cue; in "*.gz
    // log archives" or "compressed .gz logs" the two words after the glob
    // or extension say what its files are.
    let before = &masked[..m.start()];
    let describes_a_glob = before.ends_with(['.', '*'])
        || (kind == ConditionKind::Kind
            && !restricts
            && before
                .split_whitespace()
                .rev()
                .take(2)
                .any(|w| w.contains('*') || w.starts_with('.')));
    if describes_a_glob {
        return false;
    }
    let phrase = match kind {
        // A kind is its own words: the words around may be another kind.
        ConditionKind::Kind => phrase_around(masked, m.start(), m.end(), 0, 1),
        _ => phrase_around(masked, m.start(), m.end(), 3, 5),
    };
    if restricts {
        !super::slots::names_every_pattern(phrase, slots)
    } else {
        !super::slots::takes_in(kind, phrase, slots)
    }
}

/// The phrase a cue found at `start..end`, with the words around it that
/// complete it ("older than" → "older than 30 days", "10mb" → "bigger
/// than 10mb"): up to `before` words before and `after` after, within its
/// clause.
fn phrase_around(masked: &str, start: usize, end: usize, before: usize, after: usize) -> &str {
    let clause_start = clause_ends(masked)
        .filter(|(at, _)| *at < start)
        .last()
        .map_or(0, |(_, after)| after);
    let clause_end = clause_ends(masked)
        .find(|(at, _)| *at >= end)
        .map_or(masked.len(), |(at, _)| at);
    let mut from = start;
    for _ in 0..before {
        match masked[clause_start..from]
            .trim_end()
            .rfind(char::is_whitespace)
        {
            Some(i) => from = clause_start + i,
            None => {
                from = clause_start;
                break;
            }
        }
    }
    let mut to = end;
    for _ in 0..after {
        let tail = &masked[to..clause_end];
        let skipped = tail.len() - tail.trim_start().len();
        match tail.trim_start().find(char::is_whitespace) {
            Some(i) => to += skipped + i,
            None => {
                to = clause_end;
                break;
            }
        }
    }
    &masked[from..to]
}

/// Where clauses end: at punctuation, a full stop only before a space or
/// the end ("*.log" goes on). Each mark's byte range: where it starts and
/// where the next clause does.
fn clause_ends(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((i, c)) = chars.next() {
            let ends = match c {
                ',' | ';' | '?' | '!' => true,
                '.' => chars.peek().is_none_or(|(_, next)| next.is_whitespace()),
                '，' | '。' | '；' | '？' => true,
                _ => false,
            };
            if ends {
                return Some((i, i + c.len_utf8()));
            }
        }
        None
    })
}

static UNIVERSAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:everything|anything|all\s+(?:the\s+)?(?:files|of\s+it|of\s+them)|whatever)\b|所有|全部")
        .unwrap_or_else(|e| panic!("{e}"))
});

static UPPER_BOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bsmaller\s+than\b[^,;]*|\b(?:under|below|at\s+most)\s+\d+(?:\.\d+)?\s*[kmgt]i?b\b|小于",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

/// "the downloads folder": a place, not a kind of file.
fn names_a_place(words: &str) -> bool {
    words.ends_with("folder") || words.ends_with("directory") || words.ends_with(" dir")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::slots;

    fn left(text: &str, intent: Intent) -> Vec<(ConditionKind, String)> {
        let slots = slots::extract(text);
        find(&slots::without_task_qualifiers(text), intent, &slots)
            .into_iter()
            .map(|u| (u.kind, u.words))
            .collect()
    }

    fn kinds(text: &str, intent: Intent) -> Vec<ConditionKind> {
        left(text, intent).into_iter().map(|(k, _)| k).collect()
    }

    use ConditionKind::*;

    #[test]
    fn a_restore_from_a_point_in_time_is_not_planned_as_the_latest() {
        for text in [
            "restore ~/notes from /mnt/bk as it was on friday",
            "get /srv/site back from /mnt/bk, the version from two days ago",
            "用 /mnt/bk 里昨天的快照恢复 ~/notes",
        ] {
            assert_eq!(kinds(text, Intent::Restore), vec![Snapshot], "{text}");
        }
        for text in [
            "restore ~/notes from /mnt/bk",
            "restore snapshot 1a2b3c4d from /mnt/bk into ~/notes, as it was on friday",
            "undo yesterday's cleanup, task 12",
        ] {
            assert_eq!(kinds(text, Intent::Restore), vec![], "{text}");
        }
    }

    #[test]
    fn conditions_the_slots_took_in_are_not_reported() {
        for text in [
            "clean up *.tmp files older than 7 days in /srv/scratch",
            "clean up the tmp files older than 7 days in /srv/scratch",
            "delete logs bigger than 10MB in /var/log",
            "clean up /srv/logs/app",
            "clean up my downloads folder ~/Downloads",
            "clean up /srv/scratch every night at 2am",
            "wipe the compressed .gz logs in /var/log/myapp",
        ] {
            assert_eq!(left(text, Intent::Cleanup), vec![], "{text}");
        }
        assert_eq!(
            left(
                "back up /srv/photos to /mnt/nas every night at 2am, keep 14",
                Intent::Backup
            ),
            vec![]
        );
        assert_eq!(
            left("mirror ~/docs to /media/usb every 5 minutes", Intent::Sync),
            vec![]
        );
    }

    #[test]
    fn conditions_left_out_are_reported_with_their_words() {
        // The issue's example: its kind is read now, so nothing is lost.
        let chinese = "把 /srv/scratch 里超过7天的 tmp 文件清理掉";
        assert_eq!(kinds(chinese, Intent::Cleanup), vec![]);
        assert_eq!(
            slots::extract(chinese).patterns,
            Some(vec!["*.tmp".to_string()])
        );
        assert_eq!(
            kinds("清理 /srv/scratch 里的视频文件", Intent::Cleanup),
            vec![Kind]
        );
        assert_eq!(
            kinds("clean /srv/scratch, only the videos", Intent::Cleanup),
            vec![Kind]
        );
        assert_eq!(
            left(
                "remove temp files in /srv/scratch not touched since march",
                Intent::Cleanup
            ),
            vec![(Age, "not touched".into())]
        );
        assert_eq!(
            kinds(
                "delete *.log bigger than 10MB in /var/log older than a week except the newest",
                Intent::Cleanup
            ),
            vec![Exclusion]
        );
        assert_eq!(
            kinds("clean up *.iso in /srv smaller than 2 GB", Intent::Cleanup),
            vec![Size]
        );
        assert_eq!(
            kinds("clean up *.tmp in /srv/x every fortnight", Intent::Cleanup),
            vec![Schedule]
        );
        assert_eq!(
            kinds(
                "back up /srv/photos to /mnt/nas nightly, keep the last 14 snapshots please",
                Intent::Backup
            ),
            vec![]
        );
        assert_eq!(
            kinds("mirror /srv/a to /mnt/b every fortnight", Intent::Sync),
            vec![Schedule]
        );
    }

    #[test]
    fn wide_punctuation_and_odd_text_never_break_the_reading() {
        let texts = [
            "把 /mnt/tank/photos 备份到 /mnt/backup/photos-repo，每天凌晨两点，保留最近30个快照",
            "清理 /srv/x，只要视频文件。超过三天的！",
            "clean up *.tmp in /srv/x，，。。",
            "，only",
            "older than",
            "",
        ];
        for text in texts {
            for intent in [Intent::Cleanup, Intent::Backup, Intent::Sync] {
                let _ = left(text, intent);
            }
        }
    }

    /// Pieces of commands, cues and wide punctuation among them.
    const PIECES: &[&str] = &[
        "clean up",
        "only",
        "the",
        "videos",
        "older than",
        "3",
        "days",
        "，",
        "。",
        "；",
        "？",
        ".",
        ",",
        "*.log",
        "/srv/x",
        "超过",
        "三",
        "天",
        "每",
        "小时",
        "tmp",
        "文件",
        "except",
        "bigger than",
        "10mb",
        "keep",
        "14",
        "every",
        "night",
        "é",
        "🙂",
        "\u{200b}",
    ];

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panicking(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..14),
            glue in proptest::sample::select(&["", " ", "  "][..]),
            noise in "\\PC{0,20}",
        ) {
            let text = format!("{}{noise}", pieces.join(glue));
            for intent in [Intent::Cleanup, Intent::Backup, Intent::Sync] {
                let _ = left(&text, intent);
            }
        }
    }

    #[test]
    fn a_kind_that_describes_what_every_file_is_is_no_condition() {
        for text in [
            "Could you remove everything older than 2 weeks in /var/lib/vz/dump? The dumps are offsite.",
            "clear out all files larger than 2GB from /media/usb/dump, they're just video clips",
            "清理 /srv/x 里所有超过7天的文件",
        ] {
            assert_eq!(kinds(text, Intent::Cleanup), vec![], "{text}");
        }
    }

    #[test]
    fn only_the_conditions_an_intent_takes_are_considered() {
        // A mirror has no age or kind filter: those words are not its conditions.
        assert_eq!(
            kinds("mirror the photos in /srv/a to /mnt/b", Intent::Sync),
            vec![]
        );
        assert_eq!(kinds("what is running?", Intent::Status), vec![]);
    }

    mod adding_a_condition {
        use proptest::prelude::*;

        use crate::nlu::{understand, Intent, Understanding};

        /// Words that narrow a cleanup, said in ways Tend reads and ways
        /// it does not.
        const CONDITIONS: &[&str] = &[
            "older than 30 days",
            "not touched in 3 weeks",
            "not touched since march",
            "that are a fortnight old",
            "bigger than 10 MB",
            "smaller than 5 MB",
            "at most 2 GB",
            "only the videos",
            "just the logs",
            "except the newest",
            "but not the pdfs",
            "excluding anything in cache",
            "超过3天的",
            "一个月以前的",
            "每两周",
        ];
        /// Kinds of file: a restriction of a command that names none, and
        /// one more kind (a wider list, as asked) of one that names some.
        const KINDS_ADDED: &[&str] = &["*.log", "the pdf files", "tmp 文件"];
        const BASE_KINDS: &[&str] = &["", "*.tmp", "*.log", "temp files"];
        const BASE_AGES: &[&str] = &["", "older than 7 days", "older than 2 weeks"];

        fn command(kind: &str, age: &str, extra: &str, before_path: bool) -> String {
            let head = format!("clean up {kind} {age}");
            let text = if before_path {
                format!("{head} {extra} in /srv/scratch")
            } else {
                format!("{head} in /srv/scratch {extra}")
            };
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        }

        /// Whether `narrower` selects no file `wider` would not.
        fn within(narrower: &Understanding, wider: &Understanding) -> Result<(), String> {
            let (n, w) = (&narrower.slots, &wider.slots);
            if n.source != w.source {
                return Err(format!("directory {:?} for {:?}", n.source, w.source));
            }
            if let Some(wide) = &w.patterns {
                match &n.patterns {
                    Some(p) if p.iter().all(|g| wide.contains(g)) => {}
                    other => return Err(format!("patterns {other:?} for {wide:?}")),
                }
            }
            if let Some(wide) = w.older_than_days {
                if n.older_than_days.is_none_or(|d| d < wide) {
                    return Err(format!("age {:?} for {wide}", n.older_than_days));
                }
            }
            if let Some(wide) = w.min_size_bytes {
                if n.min_size_bytes.is_none_or(|b| b < wide) {
                    return Err(format!("size {:?} for {wide}", n.min_size_bytes));
                }
            }
            Ok(())
        }

        /// Whether `alone`, a condition read on its own, is already in `base`.
        fn restates(alone: &Understanding, base: &Understanding) -> bool {
            let (a, b) = (&alone.slots, &base.slots);
            alone.unexplained.is_empty()
                && (a.older_than_days.is_some()
                    || a.min_size_bytes.is_some()
                    || a.patterns.is_some())
                && a.older_than_days
                    .is_none_or(|d| b.older_than_days == Some(d))
                && a.min_size_bytes.is_none_or(|s| b.min_size_bytes == Some(s))
                && a.patterns
                    .as_ref()
                    .is_none_or(|p| b.patterns.as_ref() == Some(p))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]

            #[test]
            fn never_widens_the_selection(
                kind in prop::sample::select(BASE_KINDS),
                age in prop::sample::select(BASE_AGES),
                extra in prop::sample::select(CONDITIONS),
                kind_added in prop::sample::select(KINDS_ADDED),
                add_a_kind in any::<bool>(),
                before_path in any::<bool>(),
            ) {
                let base = understand(&command(kind, age, "", before_path));
                prop_assume!(base.intent == Intent::Cleanup && base.unexplained.is_empty());
                // A kind added to a command that names none restricts it.
                let extra = if add_a_kind && kind.is_empty() { kind_added } else { extra };
                let added = understand(&command(kind, age, extra, before_path));
                // Refused (the condition is named back to the user), or a
                // plan that selects within what the base selects.
                if added.intent == Intent::Cleanup && added.unexplained.is_empty() {
                    if let Err(why) = within(&added, &base) {
                        return Err(TestCaseError::fail(format!(
                            "{:?} widened {:?}: {why}", added.text, base.text
                        )));
                    }
                    // And the condition is in the plan: something narrowed,
                    // or it says again what the command said ("a fortnight
                    // old" after "older than 2 weeks").
                    let alone = understand(&command("", "", extra, before_path));
                    prop_assert!(
                        added.slots != base.slots || restates(&alone, &base),
                        "{:?} planned as {:?} without its condition", added.text, base.text
                    );
                }
            }
        }
    }
}
