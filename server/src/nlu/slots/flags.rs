//! Yes/no flags and small numbers: dry run, delete extraneous, comparing
//! by content, empty directories, overwriting, task ids, retention.

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NUMBER};

static DRY_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bdry[ -]?run\b|\bshow me (?:first|what)\b|\bjust (?:show|list|tell)\b|\bonly (?:show|list)\b|\bpreview\b|\bwhat would\b|\bwithout (?:deleting|changing|touching|removing)\b|\bsimulate\b|\bpretend\b|预览|试运行|先(?:给我)?看(?:看|一下)|给我看看")
        .expect("dry run compiles")
});
static DELETE_EXTRANEOUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // "remove what I deleted", "delete stuff that is gone"
        r"\b(?:remove|delete|drop|prune)\s+(?:what|whatever|anything|everything|files?|stuff|things|the ones)\s+(?:that\s+)?(?:i(?:'ve| have)?|was|were|is|are|has been|have been)?\s*(?:deleted|removed|gone|missing|no longer)\b",
        // "delete anything extra there", "remove stale files"
        r"|\b(?:remove|delete|drop|prune)\s+(?:(?:anything|everything|whatever|files?|stuff|things)\s+)?(?:extra|extraneous|stale|orphaned)\b",
        // "propagate deletions", "including deletions"
        r"|\b(?:propagate|mirror|sync|carry over|include|including|with)\s+(?:the\s+)?deletions\b",
        r"|--delete\b|\bdelete[ -]extraneous\b|\bexact (?:mirror|copy)\b",
        r"|(?:\bnot|\bno longer|n't) in (?:the )?source\b|\bmissing from (?:the )?source\b",
        // "删除多余", "删除目标中多余的文件", "删掉我删除的"
        r"|(?:删除|删掉).{0,12}多余|(?:删除|删掉).{0,6}(?:已|我)?(?:删除|删掉)的",
    ))
        .expect("delete extraneous compiles")
});
static TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:task|job|id)\s*(?:#|no\.?|number)?\s*(\d{1,18})\b|#(\d{1,18})\b|任务\s*#?\s*(\d{1,18})").expect("task id compiles")
});
static KEEP_LAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:keep|retain|keeping|retaining)\s+(?:only\s+)?(?:the\s+)?(?:last|latest|newest|most recent)?\s*({NUMBER})\b|保留\s*(?:最近)?\s*(\d+)"
    ))
    .expect("keep last compiles")
});

pub fn dry_run(lower: &str) -> Option<bool> {
    DRY_RUN.is_match(lower).then_some(true)
}

pub fn delete_extraneous(lower: &str) -> Option<bool> {
    DELETE_EXTRANEOUS.is_match(lower).then_some(true)
}

/// "compare contents", "verify with checksums": a mirror that hashes
/// instead of trusting sizes and modification times.
pub fn checksum(lower: &str) -> Option<bool> {
    [
        "checksum",
        "compare content",
        "compare the content",
        "by content",
        "hash",
    ]
    .iter()
    .any(|w| lower.contains(w))
    .then_some(true)
}

/// "remove empty directories", "and the empty folders", "空目录": a
/// cleanup that removes the directories it leaves empty too.
pub fn empty_dirs(lower: &str) -> Option<bool> {
    [
        "empty dir",
        "empty folder",
        "empty subdir",
        "empty sub-dir",
        "空目录",
        "空文件夹",
    ]
    .iter()
    .any(|w| lower.contains(w))
    .then_some(true)
}

static KEEP_EXISTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:don'?t|do not|never|not|no|without)\s+(?:\w+\s+)?(?:overwrit|replac)")
        .expect("keep existing compiles")
});

/// "overwrite what is there", "replace existing files": a restore that
/// writes over the files in its way. "Don't overwrite anything" is the
/// default, a restore that refuses them.
pub fn overwrite(lower: &str) -> Option<bool> {
    let said = lower.contains("overwrite") || lower.contains("replace");
    (said && !KEEP_EXISTING.is_match(lower)).then_some(true)
}

pub fn task_id(lower: &str) -> Option<i64> {
    let c = TASK_ID.captures(lower)?;
    c.iter().skip(1).flatten().next()?.as_str().parse().ok()
}

pub fn keep_last(lower: &str) -> Option<u32> {
    let c = KEEP_LAST.captures(lower)?;
    let n = c.iter().skip(1).flatten().next()?.as_str();
    let v = numbers::value(n)?;
    (v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64).then_some(v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_runs() {
        for t in [
            "show me first",
            "dry run",
            "do a dry-run",
            "preview it",
            "what would you delete",
            "just show me",
            "without deleting anything",
            "先预览",
            "先给我看看",
        ] {
            assert_eq!(dry_run(t), Some(true), "{t}");
        }
        assert_eq!(dry_run("clean up now"), None);
    }

    #[test]
    fn extraneous() {
        for t in [
            "and remove what i deleted",
            "delete files missing from the source",
            "--delete",
            "make an exact mirror",
            "remove what i've deleted",
            "delete extraneous files",
            "and also delete stuff i removed",
            "and delete anything extra there",
            "propagate deletions",
            "delete files that aren't in the source",
            "删除目标中多余的文件",
            "并删掉我已删除的",
        ] {
            assert_eq!(delete_extraneous(t), Some(true), "{t}");
        }
        for t in [
            "delete *.tmp",
            "remove the deleted task",
            "删除 /tmp 里的日志",
        ] {
            assert_eq!(delete_extraneous(t), None, "{t}");
        }
    }

    #[test]
    fn comparing_by_content() {
        for t in [
            "sync /a to /b and compare contents",
            "mirror it, compare the contents",
            "verify with checksums",
            "compare by content",
            "use a hash",
        ] {
            assert_eq!(checksum(t), Some(true), "{t}");
        }
        assert_eq!(checksum("sync /a to /b"), None);
    }

    #[test]
    fn empty_directories() {
        for t in [
            "remove empty directories in /srv/x",
            "clean up *.tmp and the empty folders",
            "and empty subdirectories",
            "清理 /srv/x 里的空目录",
            "删除空文件夹",
        ] {
            assert_eq!(empty_dirs(t), Some(true), "{t}");
        }
        assert_eq!(empty_dirs("clean up *.tmp in /srv/x"), None);
        assert_eq!(empty_dirs("清理 /srv/x 里的临时文件"), None);
    }

    #[test]
    fn overwriting() {
        for t in [
            "restore /srv from /mnt/nas and overwrite what is there",
            "replace existing files",
        ] {
            assert_eq!(overwrite(t), Some(true), "{t}");
        }
        for t in [
            "restore /srv from /mnt/nas",
            "don't overwrite anything",
            "do not replace existing files",
            "restore it without overwriting",
        ] {
            assert_eq!(overwrite(t), None, "{t}");
        }
    }

    #[test]
    fn task_ids() {
        assert_eq!(task_id("stop task 12"), Some(12));
        assert_eq!(task_id("cancel task #7"), Some(7));
        assert_eq!(task_id("how is job 3"), Some(3));
        assert_eq!(task_id("cancel #42"), Some(42));
        assert_eq!(task_id("取消任务 5"), Some(5));
        assert_eq!(task_id("task #"), None);
        assert_eq!(task_id("task 99999999999999999999"), None);
    }

    #[test]
    fn retention() {
        assert_eq!(keep_last("keep 14"), Some(14));
        assert_eq!(keep_last("keep the last 7"), Some(7));
        assert_eq!(keep_last("keep last 7 snapshots"), Some(7));
        assert_eq!(keep_last("retain 5"), Some(5));
        assert_eq!(keep_last("keep the last two"), Some(2));
        assert_eq!(keep_last("保留7个"), Some(7));
        assert_eq!(keep_last("keep 0"), None);
        assert_eq!(keep_last("keep going"), None);
    }
}
