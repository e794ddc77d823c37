//! How many snapshots a backup keeps. A plain count ("keep 14", "retain
//! 30 copies", "max 5 snapshots") is `keep_last`. Retention per period,
//! "keep 7 daily, 4 weekly and 6 monthly", keeps a snapshot for each of
//! the last 7 days, 4 weeks and 6 months (restic's `--keep-daily` and
//! kin); a span of time ("keep two weeks' worth") is no count.

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, CHINESE_COUNT, COUNT};

/// Where retention is said: the counts per period follow it.
static KEEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bkeep(?:s|ing)?\b").expect("keep pattern compiles"));

/// "7 daily", "4 weeks", "6 monthly".
static PER_PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,4})\s+(daily|dailies|days?|weekly|weeks?|monthly|months?)\b")
        .expect("retention pattern compiles")
});

/// What may come between "keep" and a count, or between two counts, in
/// one list ("keep the last 10, 7 daily snapshots and 4 weekly ones").
/// Any other word ends the list: in "keep it tidy, delete what is older
/// than 7 days" or "keep 10, every 3 days" the days are no retention.
static IN_THE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\s,;&]|\b(?:and|plus|the|last|latest|newest|most|recent|only|of|them|snapshots?|backups?|copies|versions?|ones?|daily|weekly|monthly|for|\d+)\b)*$")
        .expect("retention list compiles")
});

/// How many snapshots to keep per day, week and month.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PerPeriod {
    pub daily: Option<u32>,
    pub weekly: Option<u32>,
    pub monthly: Option<u32>,
}

/// The counts per period the lowercased text keeps, and the byte spans of
/// the words that said them, which no other slot may read again: "keep 7
/// daily" is neither "keep the last 7" nor a daily schedule.
pub fn per_period(lower: &str) -> (PerPeriod, Vec<(usize, usize)>) {
    let mut kept = PerPeriod::default();
    let mut spans = Vec::new();
    let Some(keep) = KEEP.find(lower) else {
        return (kept, spans);
    };
    let mut at = keep.end();
    for c in PER_PERIOD.captures_iter(lower) {
        let (Some(whole), Some(count), Some(period)) = (c.get(0), c.get(1), c.get(2)) else {
            continue;
        };
        if whole.start() < at {
            continue;
        }
        if !IN_THE_LIST.is_match(&lower[at..whole.start()]) {
            break;
        }
        let n = count.as_str().parse().ok();
        let slot = match period.as_str() {
            p if p.starts_with('d') => &mut kept.daily,
            p if p.starts_with('w') => &mut kept.weekly,
            _ => &mut kept.monthly,
        };
        *slot = n;
        spans.push((whole.start(), whole.end()));
        at = whole.end();
    }
    (kept, spans)
}

/// Snapshots, as people call them.
const COPIES: &str = r"snapshots?|snaps|backups?|copies|versions?|archives?|generations?|nightlies|dailies|restore points|rotations?";

/// "the last", "the 3 most recent".
const RECENT: &str = r"last|latest|newest|most recent|recent|previous|past|final";

/// One way of saying a count to keep, in group `n`, and whether the words
/// after must name copies: "only the last 5" is a retention, "only the
/// last 5 failed tasks" a question.
struct Said {
    pattern: Regex,
    copies_after: bool,
}

fn said(pattern: &str, copies_after: bool) -> Said {
    Said {
        pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("keep last {pattern:?}: {e}")),
        copies_after,
    }
}

static KEEP_LAST: LazyLock<Vec<Said>> = LazyLock::new(|| {
    vec![
        // "keep 14", "keep the last seven", "retain 30 copies", "hold onto
        // 10 versions", "keep only the 3 most recent".
        said(
            &format!(
                r"\b(?:keep|keeps|keeping|kept|retain\w*|hold(?:ing)?(?:\s+on\s*to)?|hang(?:ing)?\s+on\s*to|preserv\w*|save|saving|store|storing|maintain\w*)\s+(?:(?:only|just|at most|up to|a max(?:imum)? of|max(?:imum)?|no more than|the|{RECENT}|around|about|and|plus|also|maybe|perhaps|say|roughly|approximately)\s+)*(?P<n>{COUNT})\b"
            ),
            false,
        ),
        // "retention 14", "--keep-last 7", "a history of 10 versions",
        // "don't keep more than 5".
        said(
            &format!(
                r"\bretention(?:\s+(?:of|count|policy))?\s*[:=]?\s*(?P<n>{COUNT})\b|\bkeep[-_ ]last[\s=:]*(?P<n2>{COUNT})\b|\b(?:history|depth) of (?P<n3>{COUNT})\b|\b(?:don't|do not|never|not)\s+keep\s+more than\s+(?P<n4>{COUNT})\b"
            ),
            false,
        ),
        // "keep3": typed in a hurry, the count runs into the verb.
        said(r"\bkeep(?:[-_=:])?(?P<n>\d{1,4})\b", false),
        // "prune all but the last 10 snapshots", "trim it down to 7".
        said(
            &format!(
                r"\ball but (?:the\s+)?(?:(?:{RECENT})\s+)?(?P<n>{COUNT})\b|\b(?:prun|trim|thin|cut)\w*\s+(?:\w+\s+)?(?:down\s+)?to\s+(?:the\s+)?(?:(?:{RECENT})\s+)?(?P<n2>{COUNT})\b"
            ),
            true,
        ),
        // "max 5 snapshots", "no more than 10 copies", "5 backups max".
        said(
            &format!(
                r"(?:\bmax(?:imum)?(?:\s+of)?|\bat most|\b(?:no|not) more than|(?:n't|\bnot|\bno|\bnever)\s+(?:need|want|keep|have|hold|store|retain|require)\s+more than|\bno need for more than|\bup to|\blimit(?:ed)?(?:\s+(?:it|them|that))?\s+to|\bcap(?:ped)?(?:\s+(?:it|them|that))?\s+at)\s+(?P<n>{COUNT})\s+(?:\w+\s+)?(?:{COPIES})\b"
            ),
            false,
        ),
        said(
            &format!(
                r"\b(?P<n>{COUNT})\s+(?:\w+\s+)?(?:{COPIES})\s+(?:max(?:imum)?|at most|tops|total|in total|retained|kept)\b"
            ),
            false,
        ),
        // "only 4 snapshot keep is enough", "two snapshots keeping is
        // fine": the copies said first, then that they are kept, then
        // that this will do; "2 backups keep failing" goes on otherwise.
        said(
            &format!(
                r"\b(?P<n>{COUNT})\s+(?:\w+\s+)?(?:{COPIES})\s+(?:to\s+)?(?:keep|keeping|kept|retain|retaining|retained|hold|holding)\b(?:\s+(?:is|are|will be|would be|should be|be))?\s*(?:$|[,.;:!?)]|(?:enough|plenty|fine|ok|okay|sufficient|good|please)\b)"
            ),
            false,
        ),
        // "4 snapshots are enough", "two backups will do".
        said(
            &format!(
                r"\b(?P<n>{COUNT})\s+(?:\w+\s+)?(?:{COPIES})\s+(?:is|are|will|would|should)\s+(?:be\s+)?(?:enough|plenty|fine|sufficient|do)\b"
            ),
            false,
        ),
        // "rotate after 8", "rotate 8" (logrotate's word), "a rotation of 6".
        said(
            &format!(
                r"\brotat\w*\s+(?:(?:after|at|past|beyond|of|with|through|on)\s+)?(?P<n>{COUNT})\b"
            ),
            false,
        ),
        // "only the 3 most recent", "just the last 5", "last 3 only".
        said(
            &format!(r"\b(?:only|just)\s+(?:the\s+)?(?:{RECENT})\s+(?P<n>{COUNT})\b"),
            true,
        ),
        said(
            &format!(r"\b(?:only|just)\s+(?:the\s+)?(?P<n>{COUNT})\s+(?:{RECENT})\b"),
            true,
        ),
        // "the last 5 will do", "the newest 10 are enough": a count
        // judged sufficient is the count kept.
        said(
            &format!(
                r"\b(?:{RECENT})\s+(?P<n>{COUNT})\s+(?:(?:{COPIES})\s+)?(?:will|would|should)\s+do\b|\b(?:{RECENT})\s+(?P<n2>{COUNT})\s+(?:(?:{COPIES})\s+)?(?:is|are)\s+(?:enough|plenty|fine|sufficient)\b"
            ),
            false,
        ),
        said(
            &format!(r"\b(?:{RECENT})\s+(?P<n>{COUNT})\s+(?:(?:{COPIES})\s+)?only\b"),
            false,
        ),
        // 保留最近10份, 留7个版本, 只保留最近三份, 最多5个快照.
        said(
            &format!(
                r"(?:保留|留下|留着|留|保存|存)\s*(?:数量|个数|份数)?\s*(?:为|是|:|：)?\s*(?:最近|最新|最后|近)?\s*(?:的)?\s*(?P<n>{CHINESE_COUNT})"
            ),
            false,
        ),
        said(
            &format!(
                r"最多\s*(?P<n>{CHINESE_COUNT})\s*(?:个|份|次|套|版)?\s*(?:版本|快照|备份|副本|存档)"
            ),
            false,
        ),
    ]
});

/// Words after a count that make it something else: a span of time
/// ("keep 2 weeks' worth"), a size ("keep 10 GB free"), places ("keep the
/// two folders in sync") or a fraction.
static NOT_COPIES_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s+|-)?(?:(?:more|extra|additional|full|whole|calendar|business|working)\s+)?(?:(?:min(?:ute)?s?|h|hrs?|hours?|d|days?|nights?|w|wks?|weeks?|fortnights?|mo|months?|y|yrs?|years?|daily|weekly|monthly|yearly|hourly|weeklies|monthlies|[kmgtp]i?b|bytes?|gigs?|megs?|(?:giga|mega|tera|kilo)bytes?|percent|x|times?|folders?|dir(?:ectorie)?s?|directories|drives?|disks?|sides?|machines?|places?|locations?|servers?|computers?|repos?|trees?)\b|%|\.\d)|^\s*(?:个)?\s*(?:天|日|周|星期|礼拜|月|年|小时|分钟|[kmgt]i?b?\b|%)")
        .expect("not copies compiles")
});

/// Words after a count that name what is kept, or end the phrase.
static COPIES_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^\s*(?:$|[,.;:!?)，。；]|(?:(?:\w+\s+)?(?:{COPIES})|ones|of (?:them|those|these|it)|(?:{RECENT}))\b)"
    ))
    .expect("copies after compiles")
});

/// Words after a limit that make it one on how many run at once: "up to
/// 2 backups at a time".
static AT_ONCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:at (?:a|the same) time|at once|in parallel|concurrently|simultaneously)")
        .expect("at once compiles")
});

/// How many of the newest snapshots lowercased `lower` keeps, when it says
/// a count of them; the first one said.
pub fn keep_last(lower: &str) -> Option<u32> {
    KEEP_LAST
        .iter()
        .flat_map(|said| {
            said.pattern
                .captures_iter(lower)
                .filter_map(move |c| count_kept(lower, said, &c))
        })
        .min_by_key(|&(start, _)| start)
        .map(|(_, n)| n)
}

/// The start and value of the count `c` matched, unless the words after
/// it say it counts something else.
fn count_kept(lower: &str, said: &Said, c: &regex::Captures) -> Option<(usize, u32)> {
    let whole = c.get(0)?;
    let n = ["n", "n2", "n3", "n4"].iter().find_map(|g| c.name(g))?;
    let after = &lower[n.end()..];
    if NOT_COPIES_AFTER.is_match(after)
        || AT_ONCE.is_match(&lower[whole.end()..])
        || (said.copies_after && !COPIES_AFTER.is_match(after))
    {
        return None;
    }
    let v = numbers::value(n.as_str())?;
    let whole_count = v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64;
    whole_count.then_some((whole.start(), v as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_kept() {
        for (text, n) in [
            ("keep 14", 14),
            ("no need to keep a ton, the last 5 will do", 5),
            ("the newest 10 snapshots are enough", 10),
            (
                "back up /srv/photos to /mnt/nas every night at 2am, keep 14",
                14,
            ),
            ("keep the last 7", 7),
            ("keep last 7 snapshots", 7),
            ("retain 5", 5),
            ("and hold 5 last snapshot only", 5),
            ("retain 30 copies", 30),
            ("keep the last two", 2),
            ("keep ten", 10),
            ("keep a dozen", 12),
            ("keep fourteen snapshots", 14),
            ("keep nineteen", 19),
            ("keep a couple", 2),
            ("hold onto 10 versions", 10),
            ("hold on to 10 versions", 10),
            ("hang on to 5 backups", 5),
            ("preserve 3 generations", 3),
            ("keeping 30 nightlies", 30),
            ("keep 14 around", 14),
            ("keep only 2 copies", 2),
            ("keep the 3 most recent", 3),
            ("keep up to 6", 6),
            ("store 2 copies on the nas", 2),
            ("max 5 snapshots", 5),
            ("maximum of 20 backups", 20),
            ("no more than 10 copies", 10),
            ("up to 7 snapshots", 7),
            ("limit it to 4 backups", 4),
            ("5 snapshots max", 5),
            ("30 backups retained", 30),
            ("rotate after 8", 8),
            ("rotate 8", 8),
            ("keep a rotation of 6", 6),
            ("only the 3 most recent", 3),
            ("only the 3 most recent ones", 3),
            ("just the last 5", 5),
            ("just the last 5 backups, please", 5),
            ("last 3 only", 3),
            ("保留7个", 7),
            ("保留最近10份", 10),
            ("留7个版本", 7),
            ("只保留最近三份", 3),
            ("保存最近7个备份", 7),
            ("最多5个快照", 5),
            ("保留最近 5 个", 5),
            ("每天备份，保留十五个快照", 15),
            ("留最新的10个", 10),
            ("保留近30份", 30),
            ("保留数量为10", 10),
            ("只保留最近一个", 1),
            ("保留最后5个版本", 5),
            ("retention 14", 14),
            ("retention: 30", 30),
            ("--keep-last 7", 7),
            ("keep_last=7", 7),
            ("a history of 10 versions", 10),
            ("don't keep more than 5 snapshots", 5),
            ("prune all but the last 10 snapshots", 10),
            ("forget all but 3", 3),
            ("trim it down to 7", 7),
            ("prune to the latest 12 backups", 12),
            ("keep the 10 newest", 10),
            ("keep ten most recent copies", 10),
            ("save the last 3 versions", 3),
        ] {
            assert_eq!(keep_last(text), Some(n), "{text}");
        }
    }

    #[test]
    fn no_count_of_copies_is_no_keep_last() {
        for text in [
            "keep the logs in /var/log",
            "keep going",
            "keep 0",
            "keep 1.5",
            "keep two weeks' worth of nightlies",
            "keep seven daily",
            "keep 30 days",
            "keep thirty days of backups",
            "keep 10 gb free",
            "keep 10% free",
            "keep an eye on it",
            "keep a copy offsite",
            "keep the two folders in sync",
            "keep it for 30 days",
            "keep files newer than 7 days",
            "save 10 minutes",
            "max 5 gb",
            "up to 2 backups at a time",
            "rotate logs every 8 days",
            "rotate after 8 days",
            "rotate at 100mb",
            "only the last 5 failed tasks",
            "show me the last 5 tasks",
            "the 3 most recent errors",
            "保留7天",
            "保留3个月",
            "内存 8 gb",
            "保留两周的备份",
            "保留 14 天",
            "retention of 30 days",
            "retain for 30 days",
            "delete all but the newest 3 files",
            "cut it to 5 gb",
            "keep the last 7 days",
            "back up the last 3 days of logs",
            "",
        ] {
            assert_eq!(keep_last(text), None, "{text}");
        }
    }

    #[test]
    fn counts_kept_said_loosely() {
        for (text, n) in [
            ("backup /var/www -> /backups/www-restic keep3", 3),
            ("nightly, keep12", 12),
            ("only 4 snapshot keep is enough", 4),
            ("5 backups keep is fine", 5),
            ("three versions kept, please", 3),
            ("not keep more than 8 snapshot", 8),
            ("two snapshots keeping is fine", 2),
            ("ten copies to keep.", 10),
            ("the repository should keep the last six", 6),
            ("and keep maybe the last 30 copies", 30),
            ("we don't need more than 6 snapshots hanging around", 6),
            ("i don't want more than 9 backups", 9),
            ("4 snapshots are enough", 4),
            ("two backups will do", 2),
        ] {
            assert_eq!(keep_last(text), Some(n), "{text}");
        }
    }

    #[test]
    fn loose_words_that_keep_no_count_of_copies() {
        for text in [
            "keep3d files",
            "2 backups keep failing",
            "the 3 backups keep running into each other",
            "4 snapshots keeping the disk full is not fine",
            "we don't need more than 6 hours",
            "i don't want more than 2 backups at a time",
            "2 backups a day are enough",
            "keep maybe 30 days",
            "5 files are enough",
        ] {
            assert_eq!(keep_last(text), None, "{text}");
        }
    }

    fn kept(text: &str) -> PerPeriod {
        per_period(text).0
    }

    #[test]
    fn counts_per_period() {
        assert_eq!(
            kept("back up /srv to /mnt/nas, keep 7 daily, 4 weekly and 6 monthly"),
            PerPeriod {
                daily: Some(7),
                weekly: Some(4),
                monthly: Some(6),
            }
        );
        assert_eq!(
            kept("keep 7 days and 4 weeks of snapshots"),
            PerPeriod {
                daily: Some(7),
                weekly: Some(4),
                monthly: None,
            }
        );
        assert_eq!(kept("keep the last 10 and 12 monthly").monthly, Some(12));
        assert_eq!(
            kept("keep 7 daily snapshots, 4 weekly ones, then prune"),
            PerPeriod {
                daily: Some(7),
                weekly: Some(4),
                monthly: None,
            }
        );
        assert_eq!(
            kept("keep 7 daily, then clean up files older than 3 months"),
            PerPeriod {
                daily: Some(7),
                weekly: None,
                monthly: None,
            }
        );
    }

    #[test]
    fn the_words_that_said_it_are_given_back() {
        let text = "keep 7 daily, 4 weekly";
        let (_, spans) = per_period(text);
        let said: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(said, ["7 daily", "4 weekly"]);
    }

    #[test]
    fn keeping_is_keep() {
        assert_eq!(kept("keeping 4 weekly").weekly, Some(4));
    }

    #[test]
    fn how_often_and_counts_without_keep_are_no_retention() {
        for text in [
            "back up /srv to /mnt/nas every 3 days, keep 10",
            "back up /srv to /mnt/nas each 2 weeks and keep 5",
            "back up /srv to /mnt/nas, 7 daily",
            "clean up /srv/x to keep it tidy, delete files older than 7 days",
            "keep 14",
            "housekeeping 3 days",
            "",
        ] {
            assert_eq!(kept(text), PerPeriod::default(), "{text}");
        }
    }
}
