//! File ages: "older than 7 days", "two weeks old", "36h", "超过7天".

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NUMBER_TO_99 as NUMBER};

const UNIT: &str =
    r"minutes?|mins?|hours?|hrs?|h|days?|d|fortnights?|weeks?|wks?|w|months?|mo|years?|yrs?|y";

/// An age after words that make it a minimum ("older than 7 days", "not
/// touched in 90 days", "sitting there longer than 5 days") or before
/// "old" or "ago".
static WORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:older(?:\s+(?:than|then|like|as|of))?|(?:more|much)\s+old(?:er)?\s+(?:than|then|as|of)|more than|over|at least|untouched (?:for|in)|(?:not|n't)\s+(?:been\s+)?(?:modified|touched|changed|accessed|used|opened)(?: in| for)?(?: the last)?|last (?:modified|changed|touched) (?:more than )?|(?:there|around|sitting|sat|lying|lain|been|hanging|idle|untouched|unused|stored|left)\s+(?:(?:there|around|here|idle|untouched|unused)\s+)*(?:for\s+)?longer\s+(?:than|then)|(?:files|ones|anything|everything|stuff|[a-z]+s)\s+past)\s+({NUMBER})\s*({UNIT})\b|\b({NUMBER})\s*({UNIT})\s+(?:old|ago)\b"
    ))
    .expect("age pattern compiles")
});

/// ">10 days", "> 2 weeks": a comparison sign before an age in digits.
/// Not an arrow's head ("-> 5 days").
static GREATER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^-=<])(?:>=?|＞)\s*(\d+(?:\.\d+)?)\s*({UNIT})\b"
    ))
    .expect("greater age compiles")
});

/// How long files are kept, in a command that deletes them: "recordings
/// are kept for ninety days", "keep them 2 weeks, then delete", "we keep
/// logs for a month". Read last: an age said outright ("older than 30
/// days") is the condition.
static KEPT_FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:kept|keep|keeping|stored|retained|held|stay|stays)\s+(?:[a-z]+\s+for\s+)?(?:(?:only|just|for|up to|at most|about|around|them|it|those|these)\s+)*({NUMBER})\s*({UNIT})\b"
    ))
    .expect("kept for compiles")
});

static COMPACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w/.])(every\s+)?(\d+(?:\.\d+)?)(h|d|w|y|mo)\b")
        .expect("compact age compiles")
});

static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:超过|大于|多于|早于)\s*(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)\s*(小时|天|日|周|星期|个月|月|年)|(\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)\s*(小时|天|日|周|星期|个月|月|年)(?:前|以前|之前|以上|(?:都|都还|还)?(?:没|没有|未)(?:被)?(?:动|改|修改|用|使用|打开|访问|碰)过?)")
        .expect("chinese age compiles")
});

fn unit_days(unit: &str) -> Option<f64> {
    let days = match unit {
        u if u.starts_with("min") => 1.0 / 1440.0,
        "h" | "hr" | "hrs" | "hour" | "hours" | "小时" => 1.0 / 24.0,
        "d" | "day" | "days" | "天" | "日" => 1.0,
        "w" | "wk" | "wks" | "week" | "weeks" | "周" | "星期" => 7.0,
        "fortnight" | "fortnights" => 14.0,
        "mo" | "month" | "months" | "个月" | "月" => 30.0,
        "y" | "yr" | "yrs" | "year" | "years" | "年" => 365.0,
        _ => return None,
    };
    Some(days)
}

fn days(number: &str, unit: &str) -> Option<f64> {
    let v = numbers::value_to_99(number)? * unit_days(unit)?;
    // Round away float noise from the unit conversion (36h → 1.5).
    Some((v * 1e6).round() / 1e6).filter(|d| *d > 0.0)
}

/// The age in days, from lowercased text with paths masked out.
pub fn older_than_days(lower: &str) -> Option<f64> {
    for pattern in [&*WORDED, &*CHINESE, &*GREATER] {
        if let Some(c) = pattern.captures(lower) {
            let (n, u) = numbers::number_and_unit(&c)?;
            return days(n, u);
        }
    }
    let compact = COMPACT
        .captures_iter(lower)
        // "every 6h" is a schedule, not an age.
        .filter(|c| c.get(1).is_none())
        .find_map(|c| days(c.get(2)?.as_str(), c.get(3)?.as_str()));
    compact.or_else(|| kept_for(lower))
}

/// The time files are kept ([`KEPT_FOR`]) as their age limit: only in a
/// command that deletes what is past it, for "keep 30 days" alone may be
/// a backup's retention.
fn kept_for(lower: &str) -> Option<f64> {
    if !super::delete_extraneous::deletes(lower) {
        return None;
    }
    let c = KEPT_FOR.captures(lower)?;
    days(c.get(1)?.as_str(), c.get(2)?.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_words_and_units() {
        assert_eq!(older_than_days("older than 7 days"), Some(7.0));
        assert_eq!(older_than_days("older than two weeks"), Some(14.0));
        assert_eq!(older_than_days("older than a month"), Some(30.0));
        assert_eq!(older_than_days("more than a year old"), Some(365.0));
        assert_eq!(older_than_days("logs 3 weeks old"), Some(21.0));
        assert_eq!(older_than_days("not modified in 90 days"), Some(90.0));
        assert_eq!(older_than_days("older than 36 hours"), Some(1.5));
        assert_eq!(older_than_days("anything 36h or older"), Some(1.5));
        assert_eq!(older_than_days("files over 30d"), Some(30.0));
        assert_eq!(older_than_days("older than 90 minutes"), Some(0.0625));
    }

    #[test]
    fn comparisons_said_loosely() {
        // Second-language and hurried writing: the comparison stays clear.
        for (text, want) in [
            ("older then 7 days", 7.0),
            ("older like 3 months", 90.0),
            ("older as 30 days", 30.0),
            ("*.exe older 2 weeks", 14.0),
            ("delete .mp4 more old than 10 days", 10.0),
        ] {
            assert_eq!(older_than_days(text), Some(want), "{text}");
        }
        assert_eq!(older_than_days("older files"), None);
    }

    #[test]
    fn ages_said_as_time_untouched_or_past() {
        for (text, want) in [
            ("older of one week", 7.0),
            ("the ones older of 2 month", 60.0),
            ("everything that hasn't been touched in 45 days", 45.0),
            ("files that haven't been opened for 3 months", 90.0),
            ("drop .png files past 90 days", 90.0),
            ("logs past 2 weeks", 14.0),
            ("一年没动过的文件", 365.0),
            ("两年都没打开过的视频", 730.0),
            ("三个月未修改的文档", 90.0),
        ] {
            assert_eq!(older_than_days(text), Some(want), "{text}");
        }
        // Recent, not old.
        assert_eq!(older_than_days("changed in the past 7 days"), None);
    }

    #[test]
    fn chinese_ages() {
        assert_eq!(older_than_days("清理 下超过7天的文件"), Some(7.0));
        assert_eq!(older_than_days("删除3个月前的日志"), Some(90.0));
        assert_eq!(older_than_days("超过三周的都删掉"), Some(21.0));
        assert_eq!(older_than_days("删除一个月以前的文件"), Some(30.0));
        assert_eq!(older_than_days("里一年以前的"), Some(365.0));
        assert_eq!(older_than_days("超过十五天"), Some(15.0));
        assert_eq!(older_than_days("older than a fortnight"), Some(14.0));
    }

    #[test]
    fn ages_after_a_comparison_sign() {
        assert_eq!(older_than_days("daily cleanup       >10 days"), Some(10.0));
        assert_eq!(older_than_days("logs > 2 weeks"), Some(14.0));
        assert_eq!(older_than_days("age >= 3 months"), Some(90.0));
        assert_eq!(older_than_days("clean jpgs >90 days old"), Some(90.0));
        // An arrow between two paths, then a schedule.
        assert_eq!(older_than_days("back up a -> 5 days later"), None);
        assert_eq!(older_than_days("files >10 gb"), None);
    }

    #[test]
    fn ages_said_as_time_left_sitting() {
        for (text, want) in [
            (
                "if something's been sitting there longer than five days",
                5.0,
            ),
            (
                "anything that's been there for longer than a fortnight",
                14.0,
            ),
            ("stuff lying around longer than 3 weeks", 21.0),
            ("files left untouched longer than ninety-nine days", 99.0),
            ("sitting there for over a month", 30.0),
        ] {
            assert_eq!(older_than_days(text), Some(want), "{text}");
        }
        // How long a task runs is its time limit, not a file age.
        assert_eq!(
            older_than_days("stop it if it runs longer than 2 hours"),
            None
        );
        assert_eq!(older_than_days("this takes longer than 5 minutes"), None);
    }

    #[test]
    fn ages_said_as_how_long_files_are_kept() {
        for (text, want) in [
            (
                "recordings are only supposed to be kept for ninety days. please delete the ones older than that",
                90.0,
            ),
            ("keep them for 2 weeks, then delete", 14.0),
            ("invoices are stored for seventy-five days, clean up the rest", 75.0),
            ("we keep logs for a month, purge anything past that", 30.0),
            ("logs are retained 3 months, wipe older ones", 90.0),
        ] {
            assert_eq!(older_than_days(text), Some(want), "{text}");
        }
        // No deleting: how long a backup keeps its snapshots.
        assert_eq!(older_than_days("back it up and keep it for 30 days"), None);
        // A count of copies is no span.
        assert_eq!(older_than_days("keep 14, delete the rest"), None);
        // An age said outright wins.
        assert_eq!(
            older_than_days("logs are kept for a year; delete those older than 30 days"),
            Some(30.0)
        );
    }

    #[test]
    fn number_words_up_to_ninety_nine() {
        assert_eq!(older_than_days("older than ninety days"), Some(90.0));
        assert_eq!(older_than_days("older than forty-five days"), Some(45.0));
        assert_eq!(older_than_days("over seventeen weeks old"), Some(119.0));
        assert_eq!(
            older_than_days("more than seventy-two hours old"),
            Some(3.0)
        );
        assert_eq!(older_than_days("older than 72 hours"), Some(3.0));
        // Not "eight y(ears)".
        assert_eq!(
            older_than_days("more than eighty hours old"),
            Some(3.333333)
        );
        assert_eq!(older_than_days("over two months old"), Some(60.0));
        assert_eq!(older_than_days("more than a month old"), Some(30.0));
    }

    #[test]
    fn not_ages() {
        assert_eq!(older_than_days("back up every 6h"), None);
        assert_eq!(older_than_days("larger than 500mb"), None);
        assert_eq!(older_than_days("keep 14"), None);
        assert_eq!(older_than_days("at 2am"), None);
        assert_eq!(older_than_days("older than 0 days"), None);
    }
}
