//! Splitting one message into the commands it chains: "back up /srv/photos
//! to /mnt/nas, then clean up *.tmp there" is two steps, the second reading
//! "clean up *.tmp in /srv/photos". When in doubt the message stays one
//! step: a wrong split runs a task nobody asked for, a missed one only
//! leaves the second command unread.

use std::sync::LazyLock;

use regex::Regex;

use super::slots;

/// Words that end one step and start the next. The group `word` is the
/// connective itself, which must lie outside paths and quotes.
static CONNECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\s*[,;，；]\s*|\s*[.!?。！？]\s+|\s+)(?:and\s+)?",
        r"(?P<word>then|after\s+(?:that|this)|afterwards?|followed\s+by",
        r"|(?:once|when)\s+(?:that|this|it)(?:'s|’s|\s+is|\s+has)\s+(?:been\s+)?(?:done|finished|completed?|over))\b",
        r"\s*[,:，]?",
    ))
    .expect("connective compiles")
});

/// The same in Chinese. "再" ("then") only after a comma: elsewhere it is
/// as often "again".
static CHINESE_CONNECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\s*[，,；;。]?\s*(?P<word>然后再?|之后再|(?:完成|做完|跑完|结束)(?:之)?后再?)\s*[，,]?",
        r"|\s*[，,；;]\s*(?P<again>再)",
    ))
    .expect("chinese connective compiles")
});

/// How a step that Tend runs begins: the verbs of its workflows, or a
/// workflow named as a thing to do ("followed by a cleanup of /tmp").
static ACTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:back\s*-?\s*up|backup|bkp|mirror|r?sync|copy|clean(?:\s*-?\s*up)?|delete|remove|purge|prune|wipe|restore|undo|archive|snapshot|tidy",
        r"|(?:make|take|do|run|start|create)\s+(?:a\s+|an\s+|another\s+|the\s+)?(?:backup|snapshot|clean-?up|sync|copy|restore)",
        r"|(?:a|an|the)\s+(?:backup|snapshot|clean-?up|sync|restore|mirror))\b",
        r"|^(?:备份|同步|清理|清除|清空|删除|删掉|恢复|还原|归档|复制|拷贝|镜像|撤销|把|将)",
    ))
    .expect("action compiles")
});

/// Words that may come between a connective and its verb ("then also
/// clean up", "after that, please sync"). Only "also" and "then" are
/// dropped from the step; "please" is the user's and stays.
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:also|then|please|pls|kindly|just|go\s+ahead\s+and)\s+|[也请就])")
        .expect("filler compiles")
});
static DROPPED_FILLER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(?:also|then)\s+").expect("dropped filler compiles"));

static PRONOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:them|those|these|it|the\s+(?:files|results|matches|ones|rest|lot))\b|它们|它|这些|那些)")
        .expect("pronoun compiles")
});

/// "First, ..." / "先" before a chain's first step.
static FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:first(?:\s+of\s+all)?\b\s*,?\s*|首先\s*[，,]?\s*|先\s*)")
        .expect("first compiles")
});

/// A clause that sets a condition: its "then" is the condition's, not a
/// next step's ("if it's bigger than 1 GB then delete it").
static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:if|when|whenever|unless|in\s+case)\b|如果|要是|假如|若是|万一")
        .expect("condition compiles")
});

static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""[^"\n]*"|“[^”\n]*”|「[^」\n]*」|‘[^’\n]*’|(?:^|[\s(])('[^'\n]*')"#)
        .expect("quoted compiles")
});

/// The commands `text` chains, in order, each trimmed; the whole text as
/// one step when it chains none. Later steps that point back ("there",
/// "that folder") name the path the step before acted on. Every step is
/// returned, however many: the planner refuses a chain too long rather
/// than run a cut-down one.
pub fn split(text: &str) -> Vec<String> {
    let text = text.trim();
    // Moving a schedule is one request, whatever its new time says.
    if slots::asks_to_move_a_schedule(text) {
        return vec![text.to_string()];
    }
    let pieces = cut(text);
    if pieces.len() < 2 {
        return vec![text.to_string()];
    }
    let mut steps: Vec<String> = Vec::with_capacity(pieces.len());
    for (i, piece) in pieces.iter().enumerate() {
        let step = if i == 0 {
            FIRST.replace(piece, "").into_owned()
        } else {
            let piece = DROPPED_FILLER.replace(piece, "");
            match steps.last() {
                Some(before) => resolve_back_references(&piece, before),
                None => piece.into_owned(),
            }
        };
        steps.push(tidy(&step).to_string());
    }
    steps
}

/// A boundary between two steps: `start..end` is dropped, connective and
/// punctuation; `word` is the connective itself.
struct Boundary {
    start: usize,
    end: usize,
    word: (usize, usize),
}

/// `text` cut at every boundary that passes [`is_step_boundary`].
fn cut(text: &str) -> Vec<&str> {
    let protected = protected_spans(text);
    let found = boundaries(text);
    let mut pieces = Vec::new();
    let mut at = 0;
    for (i, b) in found.iter().enumerate() {
        if b.start < at {
            continue;
        }
        let before = &text[at..b.start];
        let after_end = found[i + 1..]
            .iter()
            .find(|next| next.start >= b.end)
            .map_or(text.len(), |next| next.start);
        let after = &text[b.end..after_end];
        if is_step_boundary(b, before, after, &protected) {
            pieces.push(before);
            at = b.end;
        }
    }
    pieces.push(&text[at..]);
    pieces
}

/// Every place a connective is written, in order.
fn boundaries(text: &str) -> Vec<Boundary> {
    let mut found: Vec<Boundary> = [&*CONNECTIVE, &*CHINESE_CONNECTIVE]
        .iter()
        .flat_map(|pattern| pattern.captures_iter(text))
        .filter_map(|c| {
            let whole = c.get(0)?;
            let word = c.name("word").or_else(|| c.name("again"))?;
            Some(Boundary {
                start: whole.start(),
                end: whole.end(),
                word: (word.start(), word.end()),
            })
        })
        .collect();
    found.sort_by_key(|b| b.start);
    found
}

/// A connective outside paths and quotes, after a clause that says
/// something and sets no condition, and before a step Tend runs. `after`
/// runs to the next connective. "sync /a to /b, then delete anything
/// extra there" is one sync: its second clause says what the sync deletes.
fn is_step_boundary(b: &Boundary, before: &str, after: &str, protected: &[(usize, usize)]) -> bool {
    !overlaps(protected, b.word)
        && !tidy(&FIRST.replace(before, "")).is_empty()
        && !CONDITION.is_match(&slots::without_task_qualifiers(before))
        && starts_an_action(after)
        && slots::extract(after).delete_extraneous.is_none()
}

/// Whether `rest` begins a command of its own: a verb of Tend's with an
/// object that is not the previous clause's ("find logs in /var/log, then
/// delete them" is one command).
fn starts_an_action(rest: &str) -> bool {
    let mut rest = rest.trim_start();
    while let Some(m) = FILLER.find(rest) {
        rest = rest[m.end()..].trim_start();
    }
    let Some(verb) = ACTION.find(rest) else {
        return false;
    };
    let object = rest[verb.end()..].trim_start();
    let says_nothing = object
        .trim_matches(|c: char| {
            c.is_whitespace() || c.is_ascii_punctuation() || "，。！？；".contains(c)
        })
        .is_empty();
    !says_nothing && !points_at_what_was_found(object)
}

/// "them", "those", "这些": the files the clause before selected. "it up"
/// ("clean it up") names the folder instead, a back reference.
fn points_at_what_was_found(object: &str) -> bool {
    PRONOUN.find(object).is_some_and(|m| {
        !(m.as_str().eq_ignore_ascii_case("it") && object[m.end()..].trim_start().starts_with("up"))
    })
}

/// Paths (quoted or not) and quoted text: no step boundary lies inside.
fn protected_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = slots::path_spans(text);
    for c in QUOTED.captures_iter(text) {
        if let Some(quote) = c.get(1).or_else(|| c.get(0)) {
            spans.push((quote.start(), quote.end()));
        }
    }
    spans
}

fn overlaps(spans: &[(usize, usize)], (start, end): (usize, usize)) -> bool {
    spans.iter().any(|(s, e)| start < *e && end > *s)
}

/// A step without the punctuation and spaces the cut left at its ends.
fn tidy(step: &str) -> &str {
    step.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '，' | '；' | '、'))
}

/// Pointers back to a place ("there", "in that folder", "那里").
/// `Noun` ones name a folder and are always resolved; `Place` ones
/// ("there", "in it") could mean either end of the step before, so they
/// are resolved only when the step names no path of its own.
#[derive(Clone, Copy, PartialEq)]
enum Pointer {
    Noun,
    Place,
}

static BACK_REFERENCE: LazyLock<Vec<(Regex, Pointer, &'static str)>> = LazyLock::new(|| {
    let rule = |pattern: &str, kind, with| {
        let re = Regex::new(pattern).expect("back reference compiles");
        (re, kind, with)
    };
    vec![
        rule(
            r"(?i)\b(?:in|inside|within)\s+(?:that|the\s+same)\s+(?:folder|directory|dir)\b",
            Pointer::Noun,
            "in {}",
        ),
        rule(
            r"(?i)\b(?:that|the\s+same)\s+(?:folder|directory|dir)\b",
            Pointer::Noun,
            "{}",
        ),
        rule(r"(?i)\bclean\s+it\s+up\b", Pointer::Noun, "clean up {}"),
        rule(
            r"该目录|这个目录|那个目录|同一个?目录",
            Pointer::Noun,
            " {} ",
        ),
        rule(r"(?i)\bfrom\s+there\b", Pointer::Place, "from {}"),
        rule(
            r"(?i)\b(?:(?:in|over)\s+there|in\s+it|there)\b",
            Pointer::Place,
            "in {}",
        ),
        rule(r"那里|那儿", Pointer::Place, " {} "),
    ]
});

/// `step` with its pointers back replaced by the path `before` acted on;
/// unchanged when `before` names no path.
fn resolve_back_references(step: &str, before: &str) -> String {
    let Some(path) = acted_on(before) else {
        return step.to_string();
    };
    let written = as_written(&path);
    let names_its_own = !slots::path_spans(step).is_empty();
    let mut out = step.to_string();
    for (pattern, kind, with) in BACK_REFERENCE.iter() {
        if *kind == Pointer::Place && names_its_own {
            continue;
        }
        out = replace_outside(&out, pattern, &with.replace("{}", &written));
    }
    out
}

static RESTORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:please\s+)?(?:restore|undo|恢复|还原)").expect("restore compiles")
});

/// The folder a step acted on: where a restore put files back, else its
/// source ("back up X to Y, then clean up there": a user cleaning the
/// backup's repository would name it).
fn acted_on(step: &str) -> Option<String> {
    let (source, destination) = slots::source_and_destination(step);
    if RESTORE.is_match(step) {
        destination.or(source)
    } else {
        source
    }
}

/// A path as it must be written to be read back whole: quoted when it
/// holds spaces.
fn as_written(path: &str) -> String {
    if !path.contains(char::is_whitespace) {
        path.to_string()
    } else if path.contains('"') {
        format!("'{path}'")
    } else {
        format!("\"{path}\"")
    }
}

/// Replaces the matches of `pattern` that lie outside paths and quotes.
fn replace_outside(text: &str, pattern: &Regex, with: &str) -> String {
    let protected = protected_spans(text);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in pattern.find_iter(text) {
        if overlaps(&protected, (m.start(), m.end())) || is_existential(text, m.end()) {
            continue;
        }
        out.push_str(&text[at..m.start()]);
        out.push_str(with);
        at = m.end();
    }
    out.push_str(&text[at..]);
    out
}

/// "there is", "there are": no place meant.
fn is_existential(text: &str, end: usize) -> bool {
    let rest = text[end..].trim_start().to_lowercase();
    text[..end].to_lowercase().ends_with("there")
        && ["is ", "are ", "was ", "were ", "'s ", "’s "]
            .iter()
            .any(|verb| rest.starts_with(verb) || rest == verb.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(text: &str) -> Vec<String> {
        split(text)
    }

    fn one(text: &str) {
        assert_eq!(steps(text), vec![text.trim().to_string()], "{text}");
    }

    #[test]
    fn the_example_from_the_brief() {
        assert_eq!(
            steps("back up /srv/photos to /mnt/nas/photos, then clean up *.tmp older than 7 days in /srv/photos"),
            vec![
                "back up /srv/photos to /mnt/nas/photos",
                "clean up *.tmp older than 7 days in /srv/photos"
            ]
        );
    }

    #[test]
    fn english_connectives() {
        let two = |text: &str, first: &str, second: &str| {
            assert_eq!(steps(text), vec![first, second], "{text}");
        };
        two(
            "sync /a to /b; then delete *.log in /c",
            "sync /a to /b",
            "delete *.log in /c",
        );
        two(
            "back up /a to /b and then prune /c",
            "back up /a to /b",
            "prune /c",
        );
        two(
            "back up /a to /b then clean up /c",
            "back up /a to /b",
            "clean up /c",
        );
        two(
            "Back up /a to /b. Then clean up /c.",
            "Back up /a to /b",
            "clean up /c.",
        );
        two(
            "back up /a to /b, after that clean /c",
            "back up /a to /b",
            "clean /c",
        );
        two(
            "back up /a to /b. Afterwards, purge /c",
            "back up /a to /b",
            "purge /c",
        );
        two(
            "back up /a to /b and once that's done restore /b to /d",
            "back up /a to /b",
            "restore /b to /d",
        );
        two(
            "back up /a to /b, once that is done, sync /b to /e",
            "back up /a to /b",
            "sync /b to /e",
        );
        two(
            "mirror /a to /b; when that's finished, archive /c",
            "mirror /a to /b",
            "archive /c",
        );
        two(
            "back up /a to /b and when it's done copy /b to /f",
            "back up /a to /b",
            "copy /b to /f",
        );
        two(
            "back up /a to /b followed by a cleanup of /c",
            "back up /a to /b",
            "a cleanup of /c",
        );
        two(
            "first back up /a to /b, then clean up /c",
            "back up /a to /b",
            "clean up /c",
        );
        two(
            "back up /a to /b, then also remove *.bak in /c",
            "back up /a to /b",
            "remove *.bak in /c",
        );
        two(
            "back up /a to /b, then please undo task 4",
            "back up /a to /b",
            "please undo task 4",
        );
    }

    #[test]
    fn chinese_connectives() {
        assert_eq!(
            steps("把 /srv/photos 备份到 /mnt/nas，然后清理 /tmp 里的临时文件"),
            vec!["把 /srv/photos 备份到 /mnt/nas", "清理 /tmp 里的临时文件"]
        );
        assert_eq!(
            steps("先同步 /a 到 /b，再删除 /c 里超过7天的日志"),
            vec!["同步 /a 到 /b", "删除 /c 里超过7天的日志"]
        );
        assert_eq!(
            steps("备份 /a 到 /b，完成后清理 /c"),
            vec!["备份 /a 到 /b", "清理 /c"]
        );
        assert_eq!(
            steps("备份 /a 到 /b 之后再归档 /c"),
            vec!["备份 /a 到 /b", "归档 /c"]
        );
    }

    #[test]
    fn one_command_stays_whole() {
        one("  back up /srv/photos to /mnt/nas every night at 2am  ");
        one("clean up *.log older than 30 days in /var/log/app");
        one("first back up /srv to /mnt/nas");
        one("mirror ~/docs to /media/usb and remove what I deleted");
        one("");
        // Moving a schedule is read before any step.
        one("move schedule 3 to 3am, then back up /srv to /mnt/nas");
    }

    #[test]
    fn then_that_is_no_step_boundary() {
        // No action follows.
        one("back up /srv to /mnt/nas every night then");
        one("back up /srv to /mnt/nas every night, then keep 7");
        one("clean up /tmp, if a file is bigger than 1 GB then skip it");
        // A condition's "then", even before a verb.
        one("if /tmp is over 10 GB then clean up *.log in /tmp");
        one("when the disk is full then delete old logs in /var/log");
        one("afterwards");
        // Inside a path or quotes.
        one("back up /srv/then clean up/x to /mnt/nas");
        one(r#"back up "/srv/a, then clean up b" to /mnt/nas"#);
        one("clean up files named 'x then delete y' in /tmp");
        // The verb acts on what the clause before found.
        one("find the logs older than 30 days in /var/log, then delete them");
        one("list *.tmp in /srv and then remove those");
        one("back up /a to /b, then delete it");
        one("找出 /tmp 里超过7天的文件，然后删除");
        one("找出 /tmp 里超过7天的文件，然后删掉这些");
        // The sync's own deletions, not a cleanup of their own.
        one("sync ~/music to /media/usb, then delete anything extra there");
        one("mirror /a to /b and then remove what I deleted");
        // "再" without a comma is "again".
        one("再备份一次 /srv 到 /mnt/nas");
        one("备份 /a 到 /b，再次确认");
    }

    #[test]
    fn a_priority_phrase_is_no_condition() {
        assert_eq!(
            steps("back up /a to /b when nothing else is running, then clean up /c"),
            vec![
                "back up /a to /b when nothing else is running",
                "clean up /c"
            ]
        );
    }

    #[test]
    fn back_references_name_the_source_before() {
        assert_eq!(
            steps("back up /srv/photos to /mnt/nas, then clean up *.tmp there"),
            vec![
                "back up /srv/photos to /mnt/nas",
                "clean up *.tmp in /srv/photos"
            ]
        );
        assert_eq!(
            steps("back up ~/docs to /mnt/nas and then delete *.bak in that folder"),
            vec!["back up ~/docs to /mnt/nas", "delete *.bak in ~/docs"]
        );
        assert_eq!(
            steps("back up /srv/a to /mnt/nas, then sync the same folder to /media/usb"),
            vec!["back up /srv/a to /mnt/nas", "sync /srv/a to /media/usb"]
        );
        assert_eq!(
            steps("back up /srv/a to /mnt/nas, then clean it up"),
            vec!["back up /srv/a to /mnt/nas", "clean up /srv/a"]
        );
        assert_eq!(
            steps(r#"back up "/srv/my photos" to /mnt/nas, then clean up *.tmp in it"#),
            vec![
                r#"back up "/srv/my photos" to /mnt/nas"#,
                r#"clean up *.tmp in "/srv/my photos""#
            ]
        );
        assert_eq!(
            steps("把 /srv/photos 备份到 /mnt/nas，然后清理那里的临时文件"),
            vec![
                "把 /srv/photos 备份到 /mnt/nas",
                "清理 /srv/photos 的临时文件"
            ]
        );
        assert_eq!(
            steps("同步 /srv/a 到 /mnt/b，之后再清理该目录下的 *.tmp"),
            vec!["同步 /srv/a 到 /mnt/b", "清理 /srv/a 下的 *.tmp"]
        );
        // A restore acted on where it put the files.
        assert_eq!(
            steps("restore /mnt/nas/repo to /srv/photos, then clean up *.tmp there"),
            vec![
                "restore /mnt/nas/repo to /srv/photos",
                "clean up *.tmp in /srv/photos"
            ]
        );
    }

    #[test]
    fn back_references_left_alone() {
        // No path before to point at.
        assert_eq!(
            steps("back up my photos, then clean up *.tmp there"),
            vec!["back up my photos", "clean up *.tmp there"]
        );
        // "there" beside a path of its own could mean either end.
        assert_eq!(
            steps("back up /a to /b, then copy /c there"),
            vec!["back up /a to /b", "copy /c there"]
        );
        // "there are" is no place.
        assert_eq!(
            steps("back up /a to /b, then delete *.tmp if there are any"),
            vec!["back up /a to /b", "delete *.tmp if there are any"]
        );
        // A later step points at the step just before, resolved.
        assert_eq!(
            steps("back up /a to /b, then clean up there, then sync that folder to /c"),
            vec!["back up /a to /b", "clean up in /a", "sync /a to /c"]
        );
    }

    #[test]
    fn more_steps_than_allowed_are_all_returned() {
        let text = (1..=7)
            .map(|i| format!("clean up /tmp/{i}"))
            .collect::<Vec<_>>()
            .join(", then ");
        let got = steps(&text);
        assert_eq!(got.len(), 7);
        assert_eq!(got[6], "clean up /tmp/7");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_never_loses_a_command(text in "\\PC{0,200}") {
            let got = split(&text);
            proptest::prop_assert!(!got.is_empty());
            if got.len() > 1 {
                proptest::prop_assert!(got.iter().all(|step| !step.is_empty()));
            } else {
                proptest::prop_assert_eq!(&got[0], text.trim());
            }
        }

        #[test]
        fn paths_are_never_cut(
            dir in "/[a-z]{1,6}(/(then|and then|after that|[a-z]{1,6})){1,3}",
        ) {
            let text = format!("back up \"{dir}\" to /mnt/nas, then clean up *.tmp in /srv");
            let got = split(&text);
            proptest::prop_assert_eq!(got.len(), 2);
            proptest::prop_assert_eq!(&got[0], &format!("back up \"{dir}\" to /mnt/nas"));
        }
    }
}
