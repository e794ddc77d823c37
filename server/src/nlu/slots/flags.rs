//! Yes/no flags and task ids: comparing by content, empty directories,
//! overwriting. A dry run and deleting what the source lacks have their
//! own modules ([`super::dry_run`], [`super::delete_extraneous`]), as has
//! retention ([`super::retention`]).

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, CHINESE_NUMBER};

static TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:task|job|id)\s*(?:#|no\.?|number)?\s*(\d{1,18})\b|#(\d{1,18})\b|任务\s*#?\s*(\d{1,18})|第\s*(\d{1,18})\s*[号个]?\s*(?:清理|备份|同步|恢复)?任务").expect("task id compiles")
});

/// A task named in Chinese by its number, in numerals or digits: 任务十七,
/// 清理任务十五, 十六号任务, 128号任务, 编号为 12 的任务. What follows a
/// numeral after 任务 is checked apart ([`COUNTS_AFTER_TASK`]), and what
/// comes before 号 too: in 5月3号任务 it is a day of the month.
static CHINESE_TASK_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"任务\s*#?\s*(?P<after>[零一二两三四五六七八九十百]+)(?P<next>.?)|(?P<before>[^\d零一二两三四五六七八九十百]?)(?P<numbered>{CHINESE_NUMBER})\s*号\s*(?:清理|备份|同步|恢复|还原|镜像)?\s*任务|编号\s*(?:为|是|:|：)?\s*(?P<code>\d{{1,18}})"
    ))
    .expect("chinese task id compiles")
});

/// What after 任务 and a numeral makes the numeral something else: a
/// span (任务三天前), a count (任务两个), an hour (任务七点), or a word that
/// starts with a numeral (任务一直失败, 任务十分重要).
static COUNTS_AFTER_TASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[个天日周月年小时分秒点次遍些下直样起切定旦般共半倍份种类项条批]")
        .expect("counts after task compiles")
});

/// "abort the 250 task": a number said before the noun, as some write an
/// id. Singular only; "the 3 tasks" counts them.
static NUMBER_BEFORE_TASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:the|that|this)\s+#?(\d{1,18})\s+(?:(?:cleanup|clean-up|backup|sync|restore|mirror)\s+)?(?:task|job)\b")
        .expect("number before task compiles")
});

/// A task named by what it ran or by the verb acting on it: "cleanup
/// number 105", "undo cleanup 221", "the cleaning number 41", "abort 88",
/// "cancel 302". The number must count nothing ("cancel 3 tasks", "backup
/// 2 folders").
static TASK_BY_KIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:cleanup|clean-up|cleaning|deletion|removal|backup|sync|restore|cancel|abort|kill|stop|undo|retry|rerun)\s*(?:#|no\.?|number)?\s*(\d{1,18})\b")
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

/// The id of the task lowercased `lower` names, if it names one.
pub fn task_id(lower: &str) -> Option<i64> {
    if let Some(c) = TASK_ID.captures(lower) {
        return c.iter().skip(1).flatten().next()?.as_str().parse().ok();
    }
    if let Some(id) = chinese_task_id(lower) {
        return Some(id);
    }
    if let Some(c) = NUMBER_BEFORE_TASK.captures(lower) {
        return c.get(1)?.as_str().parse().ok();
    }
    TASK_BY_KIND
        .captures_iter(lower)
        .filter_map(|c| c.get(1))
        .find(|n| !COUNTS_SOMETHING.is_match(&lower[n.end()..]))?
        .as_str()
        .parse()
        .ok()
}

fn chinese_task_id(lower: &str) -> Option<i64> {
    CHINESE_TASK_ID.captures_iter(lower).find_map(|c| {
        let number = if let Some(after) = c.name("after") {
            let next = c.name("next").map_or("", |m| m.as_str());
            if COUNTS_AFTER_TASK.is_match(next) {
                return None;
            }
            after
        } else if let Some(numbered) = c.name("numbered") {
            let before = c.name("before").map_or("", |m| m.as_str());
            if before == "月" {
                return None;
            }
            numbered
        } else {
            c.name("code")?
        };
        numbers::whole_with_hundreds(number.as_str()).map(i64::from)
    })
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

    #[test]
    fn chinese_task_ids_in_numerals() {
        for (text, id) in [
            ("撤销清理任务十五", 15),
            ("撤销任务七", 7),
            ("停止十六号任务", 16),
            ("请取消128号任务", 128),
            ("任务十七为什么失败了", 17),
            ("203号任务跑完没有", 203),
            ("把备份任务二十三停掉", 23),
            ("看看一百零五号备份任务", 105),
            ("任务九十九，现在怎么样了", 99),
            ("编号为 12 的任务还在跑吗", 12),
            ("第十六号任务怎么样了", 16),
        ] {
            assert_eq!(task_id(text), Some(id), "{text}");
        }
        for text in [
            "取消三个任务",
            "任务一直失败",
            "任务三天前失败了",
            "任务两个都停掉",
            "任务七点开始",
            "这个任务十分重要",
            "把5月3号任务取消",
            "十个任务都在排队",
        ] {
            assert_eq!(task_id(text), None, "{text}");
        }
    }

    #[test]
    fn a_number_said_before_task_or_after_the_cleaning() {
        assert_eq!(task_id("abort the 250 task please"), Some(250));
        assert_eq!(task_id("how is the 31 backup job doing"), Some(31));
        assert_eq!(task_id("what did that 77 task do"), Some(77));
        assert_eq!(
            task_id("i want my raw files back which the cleaning number 41 was moving"),
            Some(41)
        );
        assert_eq!(task_id("undo deletion #12"), Some(12));
        assert_eq!(task_id("cancel the 3 tasks"), None);
        assert_eq!(task_id("the 2 backup jobs are slow"), None);
        assert_eq!(task_id("the 5 pm task"), None);
        assert_eq!(task_id("cleaning 3 folders every week"), None);
    }
}
