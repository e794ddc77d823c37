//! File ages: "older than 7 days", "two weeks old", "36h", "超过7天".

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NUMBER};

const UNIT: &str =
    r"minutes?|mins?|hours?|hrs?|h|days?|d|fortnights?|weeks?|wks?|w|months?|mo|years?|yrs?|y";

static WORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:older(?:\s+(?:than|then|like|as|of))?|(?:more|much)\s+old(?:er)?\s+(?:than|then|as|of)|more than|over|at least|untouched (?:for|in)|(?:not|n't)\s+(?:been\s+)?(?:modified|touched|changed|accessed|used|opened)(?: in| for)?(?: the last)?|last (?:modified|changed|touched) (?:more than )?|(?:files|ones|anything|everything|stuff|[a-z]+s)\s+past)\s+({NUMBER})\s*({UNIT})\b|\b({NUMBER})\s*({UNIT})\s+(?:old|ago)\b"
    ))
    .expect("age pattern compiles")
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
    let v = numbers::value(number)? * unit_days(unit)?;
    // Round away float noise from the unit conversion (36h → 1.5).
    Some((v * 1e6).round() / 1e6).filter(|d| *d > 0.0)
}

/// The age in days, from lowercased text with paths masked out.
pub fn older_than_days(lower: &str) -> Option<f64> {
    for pattern in [&*WORDED, &*CHINESE] {
        if let Some(c) = pattern.captures(lower) {
            let (n, u) = numbers::number_and_unit(&c)?;
            return days(n, u);
        }
    }
    COMPACT
        .captures_iter(lower)
        // "every 6h" is a schedule, not an age.
        .filter(|c| c.get(1).is_none())
        .find_map(|c| days(c.get(2)?.as_str(), c.get(3)?.as_str()))
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
    fn not_ages() {
        assert_eq!(older_than_days("back up every 6h"), None);
        assert_eq!(older_than_days("larger than 500mb"), None);
        assert_eq!(older_than_days("keep 14"), None);
        assert_eq!(older_than_days("at 2am"), None);
        assert_eq!(older_than_days("older than 0 days"), None);
    }
}
