//! A dry run: the command asks to see what would happen and change
//! nothing ("show me first", "what would it delete", "先预览"). Every cue
//! is a request to look before acting; a verb alone ("show me the
//! status", "test the backup") is none.

use std::sync::LazyLock;

use regex::Regex;

use super::{delete_extraneous, negation};

/// Verbs of changing files, as stems: "what it'd touch", "what gets
/// deleted", "which files would be moved".
const CHANGE: &str = r"(?:delet|remov|touch|chang|cop(?:y|ie)|mov|clean|transfer|overwr|wip|affect|purg|prun|archiv|modif|eras|trash|quarantin|replac|drop|nuk|free|clear)\w*|get rid";

/// Who acts in "what would it delete", "what you'd remove".
const ACTOR: &str =
    r"it|you|tend|this|that|they|we|i|the (?:task|job|cleanup|command|sync|mirror|backup)";

/// "would", "'d", "is going to": a change not made yet.
const NOT_YET: &str =
    r"would|'d|'ll|will|might|could|is going to|are going to|'s going to|gonna|gets?";

/// One way of asking for a dry run, and the words after it that make it
/// something else ("preview files" are files, "simulation outputs" data).
struct Cue {
    said: Regex,
    not_before: Option<Regex>,
}

fn cue(said: &str, not_before: Option<&str>) -> Cue {
    let compile = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("dry run cue {p:?}: {e}"));
    Cue {
        said: compile(said),
        not_before: not_before.map(|p| compile(&format!("^(?:{p})"))),
    }
}

/// Nouns after "preview", "simulation" or "test run" that name files, not
/// a way of running: "delete the preview jpgs", "clean up simulation
/// outputs", "the test run logs".
const FILES_NAMED: &str = r"\s*(?:files?|images?|pics?|pictures?|photos?|jpe?gs?|cache|thumbnails?|folders?|dir\w*|versions?|renders?|builds?|outputs?|results?|data|logs?|runs?|checkpoints?|dumps?|artifacts?|reports?)\b";

/// Where a clause ends: a request complete there ("just show me, then
/// ...") asks for nothing else.
const CLAUSE_END: &str = r"\s*(?:$|[,.;:!?)，。；！？])";

static CUES: LazyLock<Vec<Cue>> = LazyLock::new(|| {
    vec![
        // Its names: "dry run", "test run", "--dry-run", "preview",
        // "simulate", "-WhatIf" (PowerShell).
        cue(
            r"\b(?:dry|test|trial|practice|mock)[ -]?run\b|\bpreview(?:ing|ed)?\b|\bsimulat(?:e|ed|ing|ion)\b|\bpretend\b|\brehears(?:e|al)\b|\bno-?op\b|-what-?if\b|\b(?:test|simulation|preview) mode\b|\bread[ -]only (?:mode|run|pass)\b|\bas a (?:test|trial)\b",
            Some(FILES_NAMED),
        ),
        // "what would it delete", "which files would be removed", "what
        // it'd touch", "what gets deleted".
        cue(
            &format!(
                r"\b(?:what|which(?:\s+(?:files?|ones|folders?))?|whatever|files|ones|things|stuff)\b(?:\s+(?:{ACTOR}))?\s*(?:{NOT_YET})(?:\s+(?:{ACTOR}))?\s+(?:actually\s+)?(?:(?:be|get|have|been)\s+)*(?:{CHANGE})"
            ),
            None,
        ),
        cue(
            r"\bwhat (?:would|'d|might|could) happen\b|\bwhat (?:(?:would|'d|will|might|could) (?:it|tend|this|that)|(?:it|you|tend|this|that)(?:'d|'ll| would| will| might| could| is going to|'s going to| are going to)) do\b|\bwhat(?:'s| is) (?:it|tend|this|that) (?:going to|gonna) do\b|\bwhat happens if\b|\bhow (?:much|many)\b[^,.;?]{0,40}?\b(?:would|'d|will|could)\b[^,.;?]{0,20}?\b(?:free|save|reclaim|recover|gain|get back|go|delet|remov)",
            None,
        ),
        // "just show me", "only report", "just list them": a request that
        // ends there or names the candidates; "just show me the status"
        // names something else.
        cue(
            &format!(
                r"\b(?:just|only|merely|simply)\s+(?:show|list|tell|report|print|display|look|check|see|log)\w*(?:\s+(?:me|us))?(?:\s+(?:first|for now|instead|back|them|it|those|these|a list|the (?:files|changes|list|plan|matches|candidates|results|diff\w*))\b|{CLAUSE_END})"
            ),
            None,
        ),
        cue(
            &format!(
                r"\b(?:report|list|preview)[ -]only\b(?:{CLAUSE_END}|\s+(?:mode|please|run|pass)\b)"
            ),
            None,
        ),
        // "show me first", "let me see before you delete anything",
        // "before deleting, show me".
        cue(
            r"\b(?:show|list|tell|report|give|send|see|review|look|eyeball|inspect|approve)\b(?:\s+\S+){0,4}?\s+(?:first|beforehand|before\s*$|before (?:you|it|tend|anything|doing|deleting|removing|touching|changing|acting|going|running|proceeding|committing|applying|executing|making)\b)",
            None,
        ),
        cue(
            r"\b(?:let (?:me|us)|i (?:want|need|would like|'d like) to|i wanna)\s+(?:check|verify|confirm|have a look|take a look)\b(?:\s+\S+){0,4}?\s+(?:first|beforehand|before)\b",
            None,
        ),
        cue(
            &format!(
                r"\bbefore (?:you |it |tend )?(?:actually )?(?:{CHANGE}|do|go|run|proceed|commit|apply|execut|act)\w*\b[^.;!?]{{0,40}}?\b(?:show|tell|list|let me (?:see|check|look|review))\b"
            ),
            None,
        ),
        // "don't delete anything until I've reviewed it", "wait for my ok".
        cue(
            r"\b(?:don't|dont|do not|nothing|never)\b[^.;!?]{0,40}?\buntil (?:i|we)(?:'ve| have)? (?:review|check|approv|confirm|see|seen|look|ok|okay|sign)\w*|\bwait for my (?:ok|okay|approval|go-ahead|confirmation)\b",
            None,
        ),
        // "don't actually delete", "not actually doing it".
        cue(
            &format!(
                r"\b(?:don't|dont|do not|without|not|never)\s+(?:\w+\s+)?actually\s+(?:{CHANGE}|do|run|execut|apply|commit|perform|make)"
            ),
            None,
        ),
        // "without doing it", "don't delete anything yet", "make no
        // changes", "nothing gets deleted": changing nothing at all, as
        // opposed to "without touching the originals".
        cue(
            &format!(
                r"\bwithout\s+(?:actually\s+|really\s+)?(?:doing|executing|applying|committing|running|changing|touching|modifying|writing|making|deleting|removing|moving)(?:\s+(?:it|them|anything|a thing|so|that|any(?:\s+\w+)?|the changes|changes))?(?:\s+(?:yet|for now|for real))?(?:{CLAUSE_END}|\s+(?:just|only|first|so)\b)"
            ),
            None,
        ),
        cue(
            &format!(
                r"\b(?:don't|dont|do not|never)\s+(?:actually\s+|really\s+)?(?:do|execute|apply|commit|change|touch|modify|write|make|delete|remove|move)(?:\s+(?:it|them|anything|a thing|any(?:\s+\w+)?|changes|the changes))?(?:\s+(?:yet|for now|just yet|for real)\b|{CLAUSE_END})"
            ),
            None,
        ),
        cue(
            r"\bnothing\s+(?:is\s+|gets?\s+|will\s+(?:be|get)\s+|should\s+(?:be|get)\s+)?(?:actually\s+|really\s+)?(?:deleted|removed|changed|touched|modified|moved|written|executed|applied)\b|\b(?:change|touch|modify|delete|remove)\s+nothing\b|\b(?:make|making|with|zero)\s+no changes\b|\bno changes (?:made|applied|yet)\b",
            None,
        ),
        // 预览, 试运行, 模拟, 演示一下; "预览文件" are files.
        cue(
            r"预览|预演|试运行|试跑|干跑|空跑|演练|演示|模拟",
            Some(r"\s*(?:文件|图片|照片|图)"),
        ),
        // 先看看, 只看看不要删, 先别删, 不要真删, 会删哪些.
        cue(
            r"先(?:让我|给我)?(?:看看|看一下|瞧瞧|列一下|列出来|检查一下)|让我先(?:看|瞧|检查)|给我看看|只(?:是)?(?:看看|看一下|瞧瞧|列一下|列出来)|只看不(?:删|动)|只列不删|只报告|(?:先别|先不要|先不|暂时(?:别|不要|不)|还(?:别|不要))(?:真的?)?(?:删|执行|动|操作|清理)|(?:别|不要|不用)(?:真的?|实际)(?:删|执行|动|操作|清理)|不(?:真正|实际)(?:执行|删除|删|操作)|会(?:被)?(?:删|删除|清理|移动|复制|影响|动)(?:掉)?(?:哪些|什么|多少)|(?:哪些|什么)(?:文件)?会被(?:删|清理|移动|复制|影响)|(?:列出|列一下|显示|告诉我|看看|看一下|报告)[^，。；]{0,6}(?:将要|将会|会|要)被?(?:删除|删掉|清理|移动|复制|改动)|先(?:让我)?确认(?:一下)?(?:再|然后)",
            None,
        ),
    ]
});

/// Deleting denied inside a cue: "without deleting", "don't remove
/// anything", "nothing gets deleted", "delete nothing".
static DENIES_DELETING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:without|don't|dont|do not|never)\s+(?:actually\s+|really\s+)?(?:delet|remov)|\bnothing\b.*\b(?:deleted|removed)\b|\b(?:delete|remove)\s+nothing\b")
        .expect("denies deleting compiles")
});

/// `Some(true)` when lowercased `lower` asks for a dry run, else `None`.
pub fn asked(lower: &str) -> Option<bool> {
    let lower = lower.replace('’', "'");
    CUES.iter()
        .flat_map(|cue| cue.said.find_iter(&lower).map(move |m| (cue, m)))
        .any(|(cue, m)| {
            !names_files(cue, &lower[m.end()..])
                && !negation::denied(&lower, m.start(), m.end())
                && !limits_a_mirror(&lower, m.as_str())
        })
        .then_some(true)
}

fn names_files(cue: &Cue, after: &str) -> bool {
    cue.not_before.as_ref().is_some_and(|r| r.is_match(after))
}

/// Whether `said`, a cue that denies deleting, is said of a command that
/// copies: there it says what the mirror leaves ("sync /a to /b without
/// deleting anything"), not to change nothing.
/// "Don't actually delete" and "not until I've reviewed it" still ask to
/// look first.
fn limits_a_mirror(lower: &str, said: &str) -> bool {
    let looks_first = said.contains("actually") || said.contains("until");
    DENIES_DELETING.is_match(said) && !looks_first && delete_extraneous::copies(lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asked_in_many_words() {
        for t in [
            "show me first",
            "clean up *.log older than 30 days in /var/log/app, show me first",
            "dry run",
            "do a dry-run",
            "--dry-run",
            "dryrun please",
            "do a test run first",
            "trial run",
            "preview it",
            "preview",
            "previewing is enough",
            "simulate it",
            "just simulate",
            "run a simulation",
            "pretend to delete",
            "run it in test mode",
            "-whatif",
            "what would it do?",
            "sync /a to /b, i want to see what gets deleted before it happens",
            "mirror /a to /b, what would it delete?",
            "tell me what you'd do",
            "how much space could i get back",
            "please don't remove anything until i've reviewed it",
            "mirror /a to /b but don't delete anything until i've seen the list",
            "wait for my ok before deleting",
            "i want to see the list of files before anything is deleted",
            "just checking what it would clean",
            "do nothing, just tell me",
            "report what would be deleted",
            "only print, no delete",
            "列出将要删除的文件",
            "先确认再删",
            "show me what it would do",
            "what's it going to do",
            "what would you delete",
            "what would happen",
            "what would be removed",
            "what would get deleted",
            "what it'd touch",
            "check what it'd touch",
            "check what it’d touch",
            "what's going to be deleted?",
            "what gets deleted",
            "which files would be moved",
            "tell me which files would be removed",
            "list the stuff it would delete",
            "how much space would it free",
            "how many files would go",
            "just list what would be removed",
            "just show me",
            "just show me.",
            "only show the files",
            "only report",
            "just report back",
            "just list them",
            "report only",
            "report-only mode",
            "don't actually delete yet",
            "do not actually remove anything",
            "don't delete anything yet",
            "don't do it yet",
            "don't touch anything",
            "don't make any changes",
            "let me see before",
            "let me see before you delete anything",
            "let me check first",
            "i want to check first",
            "i'd like to review the list first",
            "give me a list first",
            "before deleting, show me",
            "before you remove anything, let me see",
            "without doing it",
            "without actually doing anything",
            "without making any changes",
            "without deleting anything",
            "without deleting anything, just list",
            "change nothing",
            "make no changes",
            "nothing gets deleted yet",
            "as a test",
            "先预览",
            "先给我看看",
            "演示一下",
            "只看看不要删",
            "先让我看一下",
            "模拟一下",
            "试运行",
            "先别删",
            "不要真删",
            "看看会删哪些文件",
            "哪些文件会被删除",
        ] {
            assert_eq!(asked(t), Some(true), "{t}");
        }
    }

    #[test]
    fn look_alikes_are_no_dry_run() {
        for t in [
            "clean up now",
            "show me the status",
            "show me what is running",
            "just tell me the status",
            "what's running?",
            "what will run tonight",
            "what did task 4 delete",
            "list the failed tasks",
            "only list the failed tasks",
            "test the backup",
            "back up the test folder",
            "delete the preview jpgs in ~/photos",
            "clean up previews older than 30 days",
            "clean up old simulation outputs",
            "remove the test run logs",
            "back up nightly, only report errors",
            "what would you recommend",
            "create a job that will delete logs every night",
            "delete *.tmp in /srv, they're just leftovers",
            "sync /a to /b without deleting anything",
            "mirror ~/docs to /media/usb, don't delete anything",
            "back up /srv and make sure nothing gets deleted",
            "mirror /srv/a to /mnt/b without touching the originals",
            "clean up /srv but don't delete anything in /srv/keep",
            "check the disk first",
            "tell me before 5pm",
            "只显示失败的任务",
            "删除预览文件",
            "show me what the last cleanup deleted",
            "list what was removed by task 7",
            "what got deleted last night?",
            "删除将要过期的文件",
        ] {
            assert_eq!(asked(t), None, "{t}");
        }
    }

    #[test]
    fn denied_is_unset() {
        for t in [
            "no dry run, do it for real",
            "not a dry run",
            "don't preview, just delete",
            "skip the preview",
            "i don't want a simulation",
            "no need for a test run",
            "no need to show me a preview, i trust you",
            "dry run not needed",
            "不用预览，直接删",
            "不需要试运行",
        ] {
            assert_eq!(asked(t), None, "{t}");
        }
    }
}
