//! Questions about tasks: "what failed last night?", "show me the log of
//! task 12", "how long did the photo backup take?". Read by rule, before
//! any model: the words are Tend's own vocabulary (task, log, failed), and
//! a question form must not send them out of scope.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use app::api::TaskState;

/// What a question about tasks asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ask {
    /// The tasks that match ("what failed today?").
    List,
    /// One task's card and the end of its log ("show task 12", "the log of
    /// task 12").
    Log,
    /// How long a task took, and how fast ("how long did task 12 take?").
    Duration,
}

/// Since when, in the user's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Since {
    /// From midnight.
    Today,
    /// From yesterday at 18:00.
    LastNight,
    /// From yesterday's midnight.
    Yesterday,
    /// The last so many hours.
    Hours(u32),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskQuestion {
    pub ask: Ask,
    /// Any of these; all when empty.
    pub states: Vec<TaskState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<Since>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow: Option<&'static str>,
    /// A word the task's summary holds ("photo" in "the photo backup").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
}

static LOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:log|logs|events|history|details|output)\s+(?:of|for)\s+(?:the\s+)?task\b
        | \btask\s*\#?\d+(?:'s)?\s+(?:log|logs|events|history|details|output)\b
        | ^\s*(?:please\s+)?(?:show|display|open|give)(?:\s+me)?\s+(?:task|job)\s*\#?\d+\s*[?.!]*\s*$
        | (?:任务|task)\s*\#?\d+\s*的?\s*(?:日志|详情|记录)
        | (?:查看|显示|看看?)\s*(?:任务|task)\s*\#?\d+",
    )
    .expect("log question compiles")
});

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \bhow\s+long\s+(?:did|does|has|have|was|were|is)\b
        | \bhow\s+(?:fast|quick|quickly)\s+(?:did|was)\b
        | \b(?:duration|run\s*time|runtime)\s+of\b
        | \b(?:taking|takes?|took)\s+(?:so|this|that)\s+long\b
        | (?:花了|用了|跑了|耗时)\s*(?:多久|多长时间|多少时间)",
    )
    .expect("duration question compiles")
});

/// A question about what tasks did: a question word with an outcome or
/// "ran", or a request to list tasks of some kind.
static LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        \b(?:what|which|anything|any|did\s+anything|has\s+anything|what's|whats)\b[^.?!]{0,40}?
            \b(?:fail|failed|fails|failures?|errors?|broke|break|crash(?:ed)?|ran|run|succeeded|finished|completed|cancell?ed|running|queued|waiting|stuck)\b
        | \b(?:list|show)(?:\s+me)?\s+(?:all\s+|the\s+|my\s+)*(?:failed|failing|running|queued|waiting|finished|completed|succeeded|cancell?ed|recent)\s+(?:tasks|jobs|runs|backups|mirrors|syncs|cleanups|restores)\b
        | \b(?:failed|failing)\s+(?:tasks|jobs|runs|backups|mirrors|syncs|cleanups|restores)\b\s*(?:today|yesterday|last\s+night|overnight|this\s+week)?\s*[?]?\s*$
        | (?:哪些|什么|有没有)[^。？?]{0,12}(?:失败|出错|报错|成功|在跑|运行)",
    )
    .expect("list question compiles")
});

static TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\b(?:task|job)|任务)\s*\#?(\d{1,12})\b").expect("task id compiles")
});

/// The question `text` asks about tasks, if it is one.
pub fn read(text: &str) -> Option<TaskQuestion> {
    let lower = text.to_lowercase();
    let ask = if LOG.is_match(&lower) {
        Ask::Log
    } else if DURATION.is_match(&lower) && names_a_task(&lower) {
        Ask::Duration
    } else if LIST.is_match(&lower) && !commands_an_action(&lower) {
        Ask::List
    } else {
        return None;
    };
    Some(TaskQuestion {
        ask,
        states: states(&lower, ask),
        since: since(&lower),
        workflow: workflow(&lower),
        about: about(&lower),
    })
}

/// The task id a question names ("task 12", "#12", "任务12").
pub fn task_id(text: &str) -> Option<i64> {
    TASK_ID
        .captures(&text.to_lowercase())
        .and_then(|c| c[1].parse().ok())
}

static A_TASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:the|my|last|latest|yesterday's|today's|tonight's|last\s+night's|nightly)\s+(?:\w+\s+)?(?:backup|mirror|sync|cleanup|clean-up|restore|task|job|run)\b|任务|备份|同步|清理")
        .expect("a-task pattern compiles")
});

/// Questions that use a task word about something else: advice ("what
/// happens if I cancel a running backup?"), Tend itself ("what version am
/// I running?"), and commands ("list failed backups and retry them").
static NOT_ABOUT_TASKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:should\s+i|shall\s+i|can\s+i|how\s+do\s+i|what\s+happens|what\s+if|what\s+would|version|am\s+i|are\s+you|files?\s+did|which\s+files|retry\s+them|rerun|re-run|then\s+(?:retry|run|clean|back))\b")
        .expect("not-about-tasks pattern compiles")
});

static LAST_HOURS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:last|past)\s+(\d{1,3})\s*(hours?|hrs?|h|days?|d)\b").expect("hours compile")
});

static ABOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:the|my|last|latest|nightly|yesterday's|today's)\s+([a-z0-9][a-z0-9_-]{1,30})\s+(?:backup|mirror|sync|cleanup|clean-up|restore)s?\b",
    )
    .expect("about pattern compiles")
});

/// "how long did it take" needs something to be about: a task, a job or a
/// kind of work; "how long does a backup of 2 TB usually take?" is advice.
fn names_a_task(lower: &str) -> bool {
    (task_id(lower).is_some() || A_TASK.is_match(lower))
        && !lower.contains(" usually ")
        && !lower.contains(" typically ")
        && !lower.contains("would ")
}

/// "what should I clean up?" and "which files did the cleanup remove?" are
/// not lists of tasks; "list failed backups and retry them" acts.
fn commands_an_action(lower: &str) -> bool {
    NOT_ABOUT_TASKS.is_match(lower)
}

fn states(lower: &str, ask: Ask) -> Vec<TaskState> {
    if ask != Ask::List {
        return Vec::new();
    }
    let has = |words: &[&str]| words.iter().any(|w| contains_word(lower, w));
    let mut states = Vec::new();
    if has(&[
        "fail", "failed", "fails", "failure", "failures", "error", "errors", "broke", "crash",
        "crashed", "失败", "出错", "报错",
    ]) {
        states.push(TaskState::Failed);
    }
    if has(&["succeeded", "finished", "completed", "成功"]) {
        states.push(TaskState::Succeeded);
    }
    if has(&["cancelled", "canceled"]) {
        states.push(TaskState::Cancelled);
    }
    if has(&["running", "在跑", "运行"]) {
        states.push(TaskState::Running);
    }
    if has(&["queued", "waiting", "stuck", "pending"]) {
        states.extend([TaskState::Queued, TaskState::Waiting, TaskState::Retrying]);
    }
    states
}

fn since(lower: &str) -> Option<Since> {
    let has = |w: &str| lower.contains(w);
    if has("last night")
        || has("overnight")
        || has("tonight")
        || has("昨晚")
        || has("昨天晚上")
        || has("夜里")
    {
        return Some(Since::LastNight);
    }
    if has("today") || has("this morning") || has("今天") || has("今早") {
        return Some(Since::Today);
    }
    if has("yesterday") || has("昨天") {
        return Some(Since::Yesterday);
    }
    if has("this week") || has("past week") || has("last week") || has("本周") || has("这周") {
        return Some(Since::Hours(7 * 24));
    }
    let c = LAST_HOURS.captures(lower)?;
    let n: u32 = c[1].parse().ok()?;
    let per = if c[2].starts_with('d') { 24 } else { 1 };
    Some(Since::Hours(n.saturating_mul(per)))
}

fn workflow(lower: &str) -> Option<&'static str> {
    let has = |words: &[&str]| words.iter().any(|w| contains_word(lower, w));
    if has(&["backup", "backups", "back-up", "备份"]) {
        Some("backup")
    } else if has(&["mirror", "mirrors", "sync", "syncs", "同步", "镜像"]) {
        Some("sync")
    } else if has(&["cleanup", "cleanups", "clean-up", "清理"]) {
        Some("cleanup")
    } else if has(&["restore", "restores", "恢复", "还原"]) {
        Some("restore")
    } else {
        None
    }
}

/// "photo" in "the photo backup", "photos" in "the photos mirror": the
/// word before the kind of task, when it is not a generic one.
fn about(lower: &str) -> Option<String> {
    let word = ABOUT.captures(lower)?.get(1)?.as_str().to_string();
    const GENERIC: &[&str] = &[
        "last",
        "latest",
        "nightly",
        "daily",
        "weekly",
        "scheduled",
        "recent",
        "big",
        "full",
        "first",
        "new",
        "old",
        "night",
        "morning",
    ];
    (!GENERIC.contains(&word.as_str())).then(|| word.trim_end_matches('s').to_string())
}

/// Whether `word` is in `lower` on its own (CJK words: anywhere).
fn contains_word(lower: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return lower.contains(word);
    }
    lower.match_indices(word).any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let after = lower[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(text: &str) -> Option<Ask> {
        read(text).map(|q| q.ask)
    }

    #[test]
    fn lists_with_their_filters() {
        let q = read("what failed last night?").unwrap();
        assert_eq!(q.ask, Ask::List);
        assert_eq!(q.states, vec![TaskState::Failed]);
        assert_eq!(q.since, Some(Since::LastNight));
        let q = read("which backups failed today?").unwrap();
        assert_eq!((q.workflow, q.since), (Some("backup"), Some(Since::Today)));
        let q = read("what's running right now?").unwrap();
        assert_eq!(q.states, vec![TaskState::Running]);
        let q = read("did anything fail in the last 12 hours").unwrap();
        assert_eq!(q.since, Some(Since::Hours(12)));
        let q = read("show me the failed tasks").unwrap();
        assert_eq!(q.states, vec![TaskState::Failed]);
        let q = read("昨晚有哪些任务失败了？").unwrap();
        assert_eq!((q.ask, q.since), (Ask::List, Some(Since::LastNight)));
        assert_eq!(q.states, vec![TaskState::Failed]);
        let q = read("what ran yesterday?").unwrap();
        assert!(q.states.is_empty());
        assert_eq!(q.since, Some(Since::Yesterday));
    }

    #[test]
    fn one_task_its_log_and_how_long_it_took() {
        assert_eq!(ask("show task 12"), Some(Ask::Log));
        assert_eq!(ask("show me the log of task 12"), Some(Ask::Log));
        assert_eq!(ask("task 12's log please"), Some(Ask::Log));
        assert_eq!(ask("查看任务12的日志"), Some(Ask::Log));
        assert_eq!(task_id("show me the log of task 12"), Some(12));
        assert_eq!(ask("how long did task 2 take?"), Some(Ask::Duration));
        assert_eq!(ask("why is task 5 taking so long?"), Some(Ask::Duration));
        assert_eq!(ask("why does a first backup take so long?"), None);
        let q = read("how long did the photo backup take?").unwrap();
        assert_eq!(q.ask, Ask::Duration);
        assert_eq!(
            (q.workflow, q.about.as_deref()),
            (Some("backup"), Some("photo"))
        );
        assert_eq!(ask("备份任务3花了多久"), Some(Ask::Duration));
    }

    #[test]
    fn commands_and_advice_are_not_questions_about_tasks() {
        for text in [
            "back up /srv/photos to /mnt/nas every night at 2am",
            "clean up *.log older than 30 days in /var/log/app",
            "how long does a first backup of 2 TB usually take?",
            "what should I clean up in /var/log?",
            "which files did the cleanup remove?",
            "retry task 12",
            "cancel task 4",
            "mirror ~/docs to /media/usb and remove what I deleted",
            "is it safe to delete /var/cache/apt?",
            "how is task 3 doing?",
            "what version of tend am I running",
            "what happens if I cancel a running backup?",
        ] {
            assert_eq!(ask(text), None, "{text}");
        }
    }
}
