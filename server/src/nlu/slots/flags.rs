//! Yes/no flags and task ids: comparing by content, empty directories,
//! overwriting. A dry run and deleting what the source lacks have their
//! own modules ([`super::dry_run`], [`super::delete_extraneous`]), as has
//! retention ([`super::retention`]).

use std::sync::LazyLock;

use regex::Regex;

static TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:task|job|id)\s*(?:#|no\.?|number)?\s*(\d{1,18})\b|#(\d{1,18})\b|任务\s*#?\s*(\d{1,18})|第\s*(\d{1,18})\s*[号个]?\s*(?:清理|备份|同步|恢复)?任务").expect("task id compiles")
});

/// A task named by what it ran or by the verb acting on it: "cleanup
/// number 105", "undo cleanup 221", "abort 88", "cancel 302". The number
/// must count nothing ("cancel 3 tasks", "backup 2 folders").
static TASK_BY_KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:cleanup|clean-up|backup|sync|restore|cancel|abort|kill|stop|undo|retry|rerun)\s*(?:#|no\.?|number)?\s*(\d{1,18})\b")
        .expect("task by kind compiles")
});
static COUNTS_SOMETHING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:%|[.:]\d|(?:am|pm|[kmgt]i?b|(?:day|hour|week|month|year|minute|second|file|folder|director(?:y|ie)|task|job|snapshot|backup|copie|time|item|version)s?)\b)")
        .expect("counts something compiles")
});

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
    if let Some(c) = TASK_ID.captures(lower) {
        return c.iter().skip(1).flatten().next()?.as_str().parse().ok();
    }
    TASK_BY_KIND
        .captures_iter(lower)
        .filter_map(|c| c.get(1))
        .find(|n| !COUNTS_SOMETHING.is_match(&lower[n.end()..]))?
        .as_str()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            task_id("get back what cleanup number 105 removed"),
            Some(105)
        );
        assert_eq!(task_id("undo cleanup 221"), Some(221));
        assert_eq!(task_id("what cleanup number 105 has removed"), Some(105));
        assert_eq!(task_id("abort 88"), Some(88));
        assert_eq!(task_id("cancel 302 and nothing else"), Some(302));
        assert_eq!(task_id("把第 17 号清理任务撤回"), Some(17));
        assert_eq!(task_id("看一下第 119 号任务为什么失败了"), Some(119));
        // Counts, not ids.
        assert_eq!(task_id("cancel 3 tasks"), None);
        assert_eq!(task_id("backup 2 folders every day"), None);
        assert_eq!(task_id("stop 5 minutes from now"), None);
    }
}
