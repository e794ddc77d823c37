//! The days of the week a schedule runs on, as cron's fifth field: one day
//! ("Sundays" → `0`), working days or weekends (`1-5`, `0,6`), a range
//! ("Monday to Friday", "mon-fri", 周一到周五 → `1-5`) or a list ("Tuesdays
//! and Fridays", "mon/wed/fri", 周一、三、五 → `2,5`, `1,3,5`).

use std::sync::LazyLock;

use regex::Regex;

use super::super::numbers;

/// One English day name, whole or short: "monday", "tues", "fri", "sundays".
const DAY_NAME: &str =
    r"(?:sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?s?";
/// One Chinese day after 周/星期/礼拜.
const CHINESE_DAY: &str = r"[一二三四五六日天]";

static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?s?\b|(\bweekdays?\b|\bweekends?\b|\bwork\s*days?\b|\bworking\s+days?\b|\bbusiness\s+days?\b|工作日|周末)|(?:每)?(?:周|星期|礼拜)([一二三四五六日天])")
        .expect("weekday compiles")
});
/// A range of days: "monday to friday", "mon-fri", "tue through sat".
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b({DAY_NAME})\s*(?:-|–|—|\bto\b|\bthrough\b|\bthru\b|\btill\b|\buntil\b)\s*({DAY_NAME})\b"
    ))
    .expect("day range compiles")
});
/// A list of days: "tuesdays and fridays", "mon, wed and fri", "mon/wed/fri".
static LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b{DAY_NAME}(?:\s*(?:,\s*and\b|,|/|&|\+|\band\b)\s*{DAY_NAME}\b)+"
    ))
    .expect("day list compiles")
});
static NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\b{DAY_NAME}\b")).expect("day name compiles"));
/// 周一到周五, 星期一至五, 周二~周六.
static CHINESE_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:周|星期|礼拜)({CHINESE_DAY})\s*(?:到|至|~|～|-|—)\s*(?:周|星期|礼拜)?({CHINESE_DAY})"
    ))
    .expect("chinese day range compiles")
});
/// 周一和周四, 周一、三、五, 每周二周五, 每周一三五.
static CHINESE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:周|星期|礼拜){CHINESE_DAY}(?:\s*[、和及与,，/]?\s*(?:周|星期|礼拜)?{CHINESE_DAY})+"
    ))
    .expect("chinese day list compiles")
});
/// What follows a run of Chinese numerals that makes its last one an hour:
/// in 周三四点 the 四 is four o'clock, not Thursday.
const CLOCK_AFTER: &[char] = &['点', '點', '时', '次', '遍', '个'];

/// Whether the text names a day of the week, working days or weekends.
pub fn is_said(lower: &str) -> bool {
    WEEKDAY.is_match(lower)
}

/// The days of the week stated, as cron's day-of-week field.
pub fn days_of_week(lower: &str) -> Option<String> {
    range(lower)
        .or_else(|| list(lower))
        .or_else(|| one_day(lower))
}

fn range(lower: &str) -> Option<String> {
    let (first, last) = if let Some(c) = RANGE.captures(lower) {
        (
            english_day(c.get(1)?.as_str())?,
            english_day(c.get(2)?.as_str())?,
        )
    } else {
        let c = CHINESE_RANGE.captures(lower)?;
        (
            chinese_day(c.get(1)?.as_str()),
            chinese_day(c.get(2)?.as_str()),
        )
    };
    Some(match first.cmp(&last) {
        std::cmp::Ordering::Less => format!("{first}-{last}"),
        std::cmp::Ordering::Equal => first.to_string(),
        // Across the week's end ("friday to monday"): the days one by one.
        std::cmp::Ordering::Greater => as_field((first..7).chain(0..=last).collect()),
    })
}

fn list(lower: &str) -> Option<String> {
    if let Some(m) = LIST.find(lower) {
        let days = NAME
            .find_iter(m.as_str())
            .map(|d| english_day(d.as_str()))
            .collect::<Option<Vec<_>>>()?;
        return Some(as_field(days));
    }
    let m = CHINESE_LIST
        .find_iter(lower)
        .find(|m| !lower[m.end()..].starts_with(CLOCK_AFTER))?;
    let days = m
        .as_str()
        .chars()
        .filter(|c| "一二三四五六日天".contains(*c))
        .map(|c| chinese_day(c.encode_utf8(&mut [0; 4])))
        .collect();
    Some(as_field(days))
}

/// Days as a cron list, sorted, each once: "1,3,5".
fn as_field(mut days: Vec<u32>) -> String {
    days.sort_unstable();
    days.dedup();
    let days: Vec<String> = days.iter().map(u32::to_string).collect();
    days.join(",")
}

/// A named day before "weekdays"/"weekends", which may only say when the
/// user works ("I shoot on weekends, so on Monday morning").
fn one_day(lower: &str) -> Option<String> {
    let all: Vec<_> = WEEKDAY.captures_iter(lower).collect();
    all.iter()
        .filter(|c| c.get(2).is_none())
        .find_map(|c| read_one(lower, c))
        .or_else(|| all.iter().find_map(|c| read_one(lower, c)))
}

/// Words before a day that place one moment rather than a day to repeat
/// on: "since Tuesday", "until Friday", "last Monday".
static MOMENT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:since|until|till|by|before|after|last|next|this|yesterday|today)\s*$")
        .expect("moment before compiles")
});

fn read_one(lower: &str, c: &regex::Captures) -> Option<String> {
    if MOMENT_BEFORE.is_match(&lower[..c.get(0)?.start()]) {
        return None;
    }
    if let Some(m) = c.get(1) {
        let whole = c.get(0)?;
        let full = whole.as_str().len() > 3;
        return (full || abbreviation_as_day(lower, whole.start(), whole.end()))
            .then(|| english_day(m.as_str()))
            .flatten()
            .map(|d| d.to_string());
    }
    if let Some(m) = c.get(2) {
        let weekend = m.as_str().starts_with("weekend") || m.as_str() == "周末";
        return Some(if weekend { "0,6" } else { "1-5" }.to_string());
    }
    let day = c.get(3)?;
    // "每周一次" is "once a week", not "every Monday".
    if lower[day.end()..].starts_with(['次', '遍']) {
        return None;
    }
    Some(chinese_day(day.as_str()).to_string())
}

/// "sat"/"sun"/"wed" alone are words too; they are days after "every",
/// "each" or "on", or before a time ("sat 10pm", "mon 02:30").
fn abbreviation_as_day(lower: &str, start: usize, end: usize) -> bool {
    let before = lower[..start].trim_end();
    let after = lower[end..].trim_start();
    ["every", "each", "on"].iter().any(|w| {
        before.ends_with(w) && !before[..before.len() - w.len()].ends_with(char::is_alphanumeric)
    }) || after.starts_with(|c: char| c.is_ascii_digit())
}

/// Cron's number for an English day name, whole or short.
fn english_day(name: &str) -> Option<u32> {
    let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    days.iter()
        .position(|d| name.starts_with(d))
        .and_then(|n| u32::try_from(n).ok())
}

/// Cron's number for a Chinese day: 一 is Monday, 日 and 天 Sunday.
fn chinese_day(numeral: &str) -> u32 {
    numbers::whole(numeral).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Option<String> {
        days_of_week(text)
    }

    #[test]
    fn ranges_of_days() {
        for (text, want) in [
            ("monday to friday at 6pm", "1-5"),
            ("mon-fri", "1-5"),
            ("Mon–Fri".to_lowercase().as_str(), "1-5"),
            ("tuesday through saturday", "2-6"),
            ("from friday to monday", "0,1,5,6"),
            ("周一到周五晚上十点", "1-5"),
            ("星期一至五", "1-5"),
            ("周二~周六", "2-6"),
        ] {
            assert_eq!(d(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn lists_of_days() {
        for (text, want) in [
            ("tuesdays and fridays at 7", "2,5"),
            ("mon, wed and fri", "1,3,5"),
            ("mon, wed, and fri", "1,3,5"),
            ("on mon/wed/fri", "1,3,5"),
            ("saturday & sunday", "0,6"),
            ("周一和周四", "1,4"),
            ("每周一、三、五", "1,3,5"),
            ("每周二周五", "2,5"),
            ("每周一三五", "1,3,5"),
        ] {
            assert_eq!(d(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn one_day_or_a_kind_of_day() {
        for (text, want) in [
            ("every sunday", "0"),
            ("weekdays", "1-5"),
            ("周末", "0,6"),
            ("每周三", "3"),
            // 周三四点 is Wednesday at four, not Wednesday and Thursday.
            ("每周三四点", "3"),
        ] {
            assert_eq!(d(text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(d("每周一次"), None);
        assert_eq!(d("it has been failing since tuesday"), None);
        assert_eq!(d("finish it by friday"), None);
        assert_eq!(d("the file sat there"), None);
        // "to" between a day and a path is no range.
        assert_eq!(d("on monday back up to /srv"), Some("1".into()));
    }
}
