//! How soon the user wants a task run: "urgently", "asap", "jump the
//! queue", "加急" → urgent; "low priority", "when nothing else is running",
//! "no rush", "不急" → low; "normal priority" → normal.

use std::sync::LazyLock;

use app::api::Priority;
use regex::Regex;

const LEVEL: &str = r"lowest|low|normal|medium|default|regular|standard|highest|high|top|urgent|critical|max(?:imum)?";

/// The word "priority" with its level: the plainest way to say it, so it
/// outranks every hint below ("right now, but at low priority" is low).
static NAMED_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b({LEVEL})[\s-]+prio(?:rity)?\b|\bprio(?:rity)?\s*(?:[:=]|is|of|level)?\s*({LEVEL})\b|(最高|最低|高|低|普通|正常|中)优先级|优先级\s*(?:[:：=]|为|是|设为|设成)?\s*(最高|最低|高|低|普通|正常|中|紧急)"
    ))
    .expect("named priority compiles")
});

/// Saying there is no hurry. Read before the urgent words, so that "not
/// urgent" and "不紧急" are never taken for "urgent" and "紧急".
static UNHURRIED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:not|isn't|isn’t|nothing|non)[\s-]+(?:that\s+|very\s+|too\s+|at\s+all\s+)?urgent\b",
        r"|\blow\s+urgency\b|\bdeprioriti[sz]e\b",
        r"|\bno\s+(?:rush|hurry|urgency|need\s+to\s+(?:rush|hurry))\b",
        r"|\bnot\s+in\s+a\s+(?:rush|hurry)\b|\bdon(?:'t|’t|t)\s+(?:rush|hurry)\b|\btake\s+your\s+time\b",
        r"|\bwhen(?:ever)?\s+nothing\s+else\s+(?:is\s+running|runs|is\s+going\s+on|is\s+busy)\b",
        r"|\bwhen(?:ever)?\s+the\s+queue\s+is\s+(?:empty|idle|quiet|clear)\b",
        r"|\bwhen(?:ever)?\s+(?:you(?:'re|’re|\s+are)|tend\s+is|the\s+(?:server|machine|box|system|nas)\s+is|it(?:'s|’s|\s+is)|things\s+are|everything\s+is)\s+(?:idle|quiet|not\s+busy)\b",
        r"|\b(?:when|while)\s+idle\b",
        r"|\bin\s+the\s+background\b|\bas\s+a\s+background\s+(?:task|job)\b",
        r"|\bat\s+(?:your|its)\s+(?:leisure|convenience)\b",
        r"|\bwhen\s+you\s+(?:get|have|find)\s+(?:a|the)\s+(?:chance|moment|minute|sec(?:ond)?)\b",
        r"|\bwhen\s+you\s+(?:have|find)\s+(?:some\s+)?time\b|\bwhen\s+you\s+get\s+(?:a)?round\s+to\s+it\b",
        // "whenever" alone or with "you can", "you get a chance": never
        // "whenever I check the nas", a condition ([`standalone_whenever`]).
        r"|\bwhenever(?:\s+(?:you\s+(?:get|have|find)\s+(?:a\s+|the\s+)?(?:chance|moment|minute|time)|you\s+(?:can|like|want|wish|please|feel\s+like\s+it)|you(?:'re|’re|\s+are)\s+(?:free|ready)|(?:it's|it’s|it\s+is)\s+convenient|convenient|possible))?\b",
        r"|不急|不着急|不用急|别急|不紧急|不要紧|不赶时间|慢慢来|空闲(?:时|的时候)|闲时|有空(?:再|的时候|时)|在后台|后台(?:运行|跑|执行)",
    ))
    .expect("unhurried compiles")
});

/// Asking for precedence over other tasks. "Right now", "right away",
/// "immediately", "马上" are not here: they say the task runs now rather
/// than on a schedule ("do it once, right now"), not that it goes first.
static URGENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\burgent(?:ly)?\b|\bhigh\s+urgency\b|\bemergency\b",
        r"|\basap\b|\ba\.s\.a\.p\b|\bas\s+soon\s+as\s+(?:(?:humanly\s+)?possible|you\s+can)\b|\bthe\s+sooner\s+the\s+better\b",
        r"|\bwithout\s+delay\b|\bpronto\b",
        r"|\b(?:jump|skip|cut)\s+the\s+(?:queue|line)\b|\b(?:to|at)\s+the\s+(?:front|head|top)\s+of\s+the\s+(?:queue|line)\b",
        r"|\bahead\s+of\s+(?:everything|anything)(?:\s+else)?\b|\bprioriti[sz]e(?:d)?\b",
        r"|十万火急|紧急|加急|尽快|尽早|赶紧|赶快|火速|插队|优先(?:处理|执行|跑)",
    ))
    .expect("urgent compiles")
});

/// Words that, earlier in the same clause, turn an urgent word around:
/// "no need to do it right now", "不用马上".
static NEGATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:not|no|never|don't|don’t|dont|doesn't|doesn’t|needn't|needn’t|without)\b|不|别|没|无需|无须")
        .expect("negation compiles")
});

/// The priority the lowercased, path-masked text states and the byte span
/// that says it. The span is blanked before the other slots are read.
pub fn priority(lower: &str) -> Option<(Priority, (usize, usize))> {
    named_level(lower)
        .or_else(|| first_standing(lower, &UNHURRIED).map(|span| (Priority::Low, span)))
        .or_else(|| {
            first_standing(lower, &URGENT)
                .filter(|(start, _)| !negated_before(lower, *start))
                .map(|span| (Priority::Urgent, span))
        })
}

fn named_level(lower: &str) -> Option<(Priority, (usize, usize))> {
    NAMED_LEVEL.captures_iter(lower).find_map(|c| {
        let whole = c.get(0)?;
        if !stands_alone(lower, whole.start(), whole.end()) {
            return None;
        }
        let level = c.iter().skip(1).flatten().next()?.as_str();
        Some((level_named(level)?, (whole.start(), whole.end())))
    })
}

fn level_named(word: &str) -> Option<Priority> {
    Some(match word {
        "low" | "lowest" | "低" | "最低" => Priority::Low,
        "normal" | "medium" | "default" | "regular" | "standard" | "普通" | "正常" | "中" => {
            Priority::Normal
        }
        "high" | "highest" | "top" | "urgent" | "critical" | "max" | "maximum" | "高" | "最高"
        | "紧急" => Priority::Urgent,
        _ => return None,
    })
}

/// The span of the first match of `pattern` that is a phrase of its own,
/// not a piece of a file name or a condition.
fn first_standing(lower: &str, pattern: &Regex) -> Option<(usize, usize)> {
    pattern
        .find_iter(lower)
        .filter(|m| stands_alone(lower, m.start(), m.end()))
        .find(|m| !m.as_str().starts_with("whenever") || standalone_whenever(&lower[m.end()..]))
        .map(|m| (m.start(), m.end()))
}

/// Not glued to a file name: "urgent-*.tmp" and "asap.log" name files.
/// (Paths are masked already; bare globs are not.)
fn stands_alone(lower: &str, start: usize, end: usize) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || "_-/*\\~".contains(c);
    let before_ok = lower[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !name_char(c) && c != '.');
    let mut after = lower[end..].chars();
    let after_ok = match after.next() {
        None => true,
        Some('.') => after.next().is_none_or(|c| !c.is_ascii_alphanumeric()),
        Some(c) => !name_char(c),
    };
    before_ok && after_ok
}

/// "whenever" says "no hurry" when nothing follows it in its clause, or
/// only that it is fine; "whenever I check the nas" is a condition.
fn standalone_whenever(rest: &str) -> bool {
    let rest = rest.trim_start();
    rest.is_empty()
        || rest.starts_with([
            ',', '.', ';', '!', '?', ')', '-', '—', '，', '。', '；', '！',
        ])
        || ["is fine", "'s fine", "’s fine", "works", "is ok", "is good"]
            .iter()
            .any(|ok| rest.starts_with(ok))
}

/// Whether a negation comes earlier in the clause that holds `start`.
fn negated_before(lower: &str, start: usize) -> bool {
    let clause_start = lower[..start]
        .rfind([
            ',', '.', ';', ':', '!', '?', '，', '。', '；', '：', '！', '？',
        ])
        .map_or(0, |i| i + 1);
    NEGATED.is_match(&lower[clause_start..start])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(text: &str) -> Option<Priority> {
        priority(text).map(|(p, _)| p)
    }

    #[test]
    fn urgent_words() {
        for text in [
            "back up /x to /y urgently",
            "urgent: sync /a to /b",
            "clean up /tmp asap",
            "back up /srv as soon as possible",
            "restore it as soon as you can",
            "back up /srv, high priority",
            "top priority: back up /srv/db",
            "priority: high",
            "priority: urgent",
            "priority=critical",
            "make it jump the queue",
            "put it at the front of the queue",
            "emergency backup of /srv/db",
            "把 /srv 紧急备份到 /mnt/nas",
            "加急同步",
            "尽快清理",
            "高优先级备份",
            "优先级：高",
        ] {
            assert_eq!(level(text), Some(Priority::Urgent), "{text}");
        }
    }

    #[test]
    fn unhurried_words() {
        for text in [
            "back up /srv at low priority",
            "low-priority cleanup of /tmp",
            "priority: low",
            "back up /srv when nothing else is running",
            "clean up /tmp when the queue is empty",
            "sync it when idle",
            "sync it when you're idle",
            "run it in the background",
            "no rush, back up /srv",
            "no hurry",
            "back up /srv whenever",
            "back up /srv whenever you get a chance",
            "whenever you can, clean up /tmp",
            "it's not urgent, back up /srv",
            "non-urgent: clean /tmp",
            "take your time",
            "低优先级备份",
            "不急，慢慢备份",
            "空闲时清理 /tmp",
            "有空再同步",
            "不紧急",
        ] {
            assert_eq!(level(text), Some(Priority::Low), "{text}");
        }
    }

    #[test]
    fn normal_words() {
        for text in [
            "normal priority",
            "priority: normal",
            "at medium priority",
            "普通优先级",
        ] {
            assert_eq!(level(text), Some(Priority::Normal), "{text}");
        }
    }

    #[test]
    fn the_named_level_outranks_hints() {
        assert_eq!(
            level("do it right now, but at low priority"),
            Some(Priority::Low)
        );
        assert_eq!(
            level("no rush really, normal priority"),
            Some(Priority::Normal)
        );
    }

    #[test]
    fn near_misses_say_nothing() {
        for text in [
            "back up /srv to /mnt/nas every night at 2am",
            "clean up urgent-*.tmp in /tmp",
            "delete asap.log",
            "clean up *.urgent files",
            // A condition, not a level of patience.
            "sync /a to /b whenever i plug in the drive",
            "mirror /a to /b whenever the nas is online",
            "no need to back it up right now",
            "don't start it immediately",
            "不用马上备份",
            // When to run, not before what.
            "sync /a to /b right away",
            "back up /srv/db right now, just once",
            "run the backup immediately",
            "现在马上备份",
            "立刻恢复",
            "remove the background from the photo",
            "what is the priority of task 4",
            "priorities",
            "the urgency of the matter",
        ] {
            assert_eq!(level(text), None, "{text}");
        }
    }

    #[test]
    fn the_span_is_the_words_that_say_it() {
        let text = "back up /x to /y as soon as possible, keep 3";
        let (_, (start, end)) = priority(text).unwrap();
        assert_eq!(&text[start..end], "as soon as possible");
        let text = "清理 /tmp，不急";
        let (_, (start, end)) = priority(text).unwrap();
        assert_eq!(&text[start..end], "不急");
    }
}
