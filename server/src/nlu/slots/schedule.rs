//! Schedules in words → `hourly|daily|weekly|monthly` or a 5-field cron
//! string: "every night at 2am" → `0 2 * * *`, "Sundays at 3:30" → `30 3 * * 0`.

use std::sync::LazyLock;

use regex::Regex;

static CRON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s'“`])((?:[\d*/,\-]+\s+){4}[\d*/,\-]+)(?:$|[\s'”`,.])")
        .expect("cron compiles")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:at\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)|\bat\s+(\d{1,2}):(\d{2})\b|\b(\d{1,2}):(\d{2})\b|\bat\s+(noon|midnight)\b|(凌晨|早上|上午|下午|晚上)?\s*(\d{1,2})\s*点(?:\s*(\d{1,2})\s*分|半)?")
        .expect("time compiles")
});
static WEEKDAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?s?\b|(\bweekdays?\b|\bweekends?\b|\bwork\s*days?\b|\bworking\s+days?\b|\bbusiness\s+days?\b|工作日|周末)|(?:每)?(?:周|星期)([一二三四五六日天])")
        .expect("weekday compiles")
});
static EVERY_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each)\s+(\d{1,2})\s*(h|hours?|hrs?|m|min|mins|minutes?)\b|每隔?\s*(\d{1,2})\s*(个?小时|分钟)")
        .expect("every n compiles")
});
static EVERY_MINUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|once a)\s+minute\b|每分钟").expect("every minute compiles")
});
/// "the 1st of every month", "every 1st day of month", "each month on
/// 15 day", "monthly on the 3rd", "每个月15号".
static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:the|every|each)\s+(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+(?:every\s+|each\s+|the\s+)?month",
        r"|\b(?:(?:every|each)\s+month|monthly)\s*,?\s+on\s+(?:the\s+)?(?:day\s+)?(\d{1,2})(?:st|nd|rd|th)?\b",
        r"|每个?月\s*(\d{1,2})\s*[号日]",
    ))
    .expect("dom compiles")
});
static HOURLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bhourly\b|\bevery hour\b|\beach hour\b|每小时").expect("hourly compiles")
});
static DAILY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bdaily\b|\bnightly\b|\b(?:every|each)\s+(?:day|night|morning|evening)\b|\bat night\b|\btonight\b|每天|每晚|每日").expect("daily compiles")
});
static WEEKLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bweekly\b|\b(?:every|each|once a) week\b|每周|每星期").expect("weekly compiles")
});
static MONTHLY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bmonthly\b|\b(?:every|each|once a) month\b|每月").expect("monthly compiles")
});
/// An hour said without am/pm: "at 2", "9 o'clock", "morning at 8",
/// "at evening 8". Read only where the text states a schedule otherwise
/// ("every night at 2"), so "keep at 5" stays no time.
static BARE_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\bat\s+(?:(?:the\s+)?(?:morning|evening|night|afternoon)\s+)?(\d{1,2})\b",
        r"|\b(\d{1,2})\s*o['’]?\s*clock\b",
        r"|\b(?:morning|evening|night|afternoon)\s+(?:at\s+)?(\d{1,2})\b",
    ))
    .expect("bare hour compiles")
});
/// A unit after a bare number ("at 5 GB", "at 2 days", "at 10 snapshots")
/// says it is no hour.
static UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:%|[kmgt]i?b?\b|bytes?\b|(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|snapshots?|copies|versions?|files?|times|percent|x)\b|[.:]\d)")
        .expect("unit after compiles")
});
static MORNING_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bmorning\b|凌晨|早上|上午").expect("morning compiles"));
static EVENING_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:evening|afternoon)\b|下午|晚上").expect("evening compiles"));
static NIGHT_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:night|tonight)\b|夜").expect("night compiles"));
/// Words that say a schedule without a time: a bare hour beside them is one.
static SCHEDULE_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:every|each|daily|nightly|weekly|monthly|tonight|morning|evening|night|afternoon)\b",
    )
    .expect("schedule cue compiles")
});

/// The schedule the lowercased, path-masked text states, if any.
pub fn extract(lower: &str) -> Option<String> {
    if let Some(c) = CRON.captures(lower) {
        let cron = c
            .get(1)?
            .as_str()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if cron.contains('*') {
            return Some(cron);
        }
    }
    if let Some(c) = EVERY_N.captures(lower) {
        let (n, unit) = super::numbers::number_and_unit(&c)?;
        let n: u32 = n.parse().ok()?;
        if n > 0 {
            let hours = unit.starts_with('h') || unit.contains("小时");
            return Some(if hours {
                format!("0 */{n} * * *")
            } else {
                format!("*/{n} * * * *")
            });
        }
    }
    if EVERY_MINUTE.is_match(lower) {
        return Some("* * * * *".into());
    }
    let time = time_of_day(lower);
    let weekday = weekday(lower);
    let day_of_month = DAY_OF_MONTH
        .captures(lower)
        .and_then(|c| {
            c.iter()
                .skip(1)
                .flatten()
                .next()?
                .as_str()
                .parse::<u32>()
                .ok()
        })
        .filter(|d| (1..=31).contains(d));
    let (hourly, daily, weekly, monthly) = (
        HOURLY.is_match(lower),
        DAILY.is_match(lower),
        WEEKLY.is_match(lower),
        MONTHLY.is_match(lower),
    );
    let (minute, hour) = time.unwrap_or((0, 0));
    if let Some(dom) = day_of_month {
        return Some(format!("{minute} {hour} {dom} * *"));
    }
    if let Some(dow) = weekday {
        return Some(format!("{minute} {hour} * * {dow}"));
    }
    if hourly {
        return Some("hourly".into());
    }
    match time {
        Some((minute, hour)) if weekly => Some(format!("{minute} {hour} * * 0")),
        Some((minute, hour)) if monthly => Some(format!("{minute} {hour} 1 * *")),
        Some((minute, hour)) => Some(format!("{minute} {hour} * * *")),
        None if daily => Some("daily".into()),
        None if weekly => Some("weekly".into()),
        None if monthly => Some("monthly".into()),
        None => None,
    }
}

/// (minute, hour) of a stated time.
fn time_of_day(lower: &str) -> Option<(u32, u32)> {
    let Some(c) = TIME.captures(lower) else {
        return bare_hour(lower);
    };
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (minute, hour) = if let Some(h) = num(1) {
        let pm = c.get(3).is_some_and(|m| m.as_str().starts_with('p'));
        let h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
        (num(2).unwrap_or(0), h)
    } else if let Some(h) = num(4) {
        (num(5).unwrap_or(0), in_part_of_day(lower, h))
    } else if let Some(h) = num(6) {
        (num(7).unwrap_or(0), in_part_of_day(lower, h))
    } else if let Some(word) = c.get(8) {
        (0, if word.as_str() == "noon" { 12 } else { 0 })
    } else if let Some(h) = num(10) {
        let afternoon = c
            .get(9)
            .is_some_and(|m| matches!(m.as_str(), "下午" | "晚上"));
        let h = if afternoon && h < 12 { h + 12 } else { h };
        let half = c.get(0).is_some_and(|m| m.as_str().ends_with('半'));
        (num(11).unwrap_or(if half { 30 } else { 0 }), h)
    } else {
        return None;
    };
    (hour < 24 && minute < 60).then_some((minute, hour))
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

/// (0, hour) of an hour said without am/pm ("every night at 2", "Monday
/// morning at 8", "at evening 8 o'clock"), where the text states a
/// schedule and the number is followed by no unit.
fn bare_hour(lower: &str) -> Option<(u32, u32)> {
    if !SCHEDULE_CUE.is_match(lower) && WEEKDAY.find(lower).is_none() {
        return None;
    }
    BARE_HOUR.captures_iter(lower).find_map(|c| {
        let m = c.iter().skip(1).flatten().next()?;
        let h: u32 = m.as_str().parse().ok()?;
        let followed_well = !UNIT_AFTER.is_match(&lower[m.end()..]);
        (followed_well && h < 24).then(|| (0, in_part_of_day(lower, h)))
    })
}

/// An hour said without am/pm, read in the part of the day the text names:
/// "every evening at 9" is 21, "Saturday night at 11" is 23, but "every
/// night at 2" is 2 and "at 6 in the morning" is 6.
fn in_part_of_day(lower: &str, hour: u32) -> u32 {
    if hour >= 12 || MORNING_WORDS.is_match(lower) {
        hour
    } else if EVENING_WORDS.is_match(lower) || (NIGHT_WORDS.is_match(lower) && hour >= 6) {
        hour + 12
    } else {
        hour
    }
}

/// The day of the week stated: a named day before "weekdays"/"weekends",
/// which may only say when the user works ("I shoot on weekends, so on
/// Monday morning").
fn weekday(lower: &str) -> Option<String> {
    let all: Vec<_> = WEEKDAY.captures_iter(lower).collect();
    all.iter()
        .filter(|c| c.get(2).is_none())
        .find_map(|c| one_weekday(lower, c))
        .or_else(|| all.iter().find_map(|c| one_weekday(lower, c)))
}

fn one_weekday(lower: &str, c: &regex::Captures) -> Option<String> {
    if let Some(m) = c.get(1) {
        let dow = match m.as_str() {
            "sun" => 0,
            "mon" => 1,
            "tue" | "tues" => 2,
            "wed" => 3,
            "thu" | "thur" | "thurs" => 4,
            "fri" => 5,
            _ => 6,
        };
        let whole = c.get(0)?;
        let full = whole.as_str().len() > 3;
        return (full || abbreviation_as_day(lower, whole.start(), whole.end()))
            .then(|| dow.to_string());
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
    let dow = match day.as_str() {
        "一" => 1,
        "二" => 2,
        "三" => 3,
        "四" => 4,
        "五" => 5,
        "六" => 6,
        _ => 0,
    };
    Some(dow.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Option<String> {
        extract(&text.to_lowercase())
    }

    #[test]
    fn words_to_cron() {
        assert_eq!(s("every night at 2am").as_deref(), Some("0 2 * * *"));
        assert_eq!(s("Sundays at 3:30").as_deref(), Some("30 3 * * 0"));
        assert_eq!(s("every day at 14:15").as_deref(), Some("15 14 * * *"));
        assert_eq!(s("at 11pm every day").as_deref(), Some("0 23 * * *"));
        assert_eq!(s("every monday").as_deref(), Some("0 0 * * 1"));
        assert_eq!(s("on the 1st of every month").as_deref(), Some("0 0 1 * *"));
        assert_eq!(s("weekdays at 6:45am").as_deref(), Some("45 6 * * 1-5"));
        assert_eq!(s("every 6 hours").as_deref(), Some("0 */6 * * *"));
        assert_eq!(s("every 5 minutes").as_deref(), Some("*/5 * * * *"));
        assert_eq!(s("each 5 minutes").as_deref(), Some("*/5 * * * *"));
        assert_eq!(s("每6小时一次").as_deref(), Some("0 */6 * * *"));
        assert_eq!(s("每隔10分钟").as_deref(), Some("*/10 * * * *"));
        assert_eq!(s("每15分钟").as_deref(), Some("*/15 * * * *"));
        assert_eq!(s("every minute").as_deref(), Some("* * * * *"));
        assert_eq!(s("once a minute").as_deref(), Some("* * * * *"));
        assert_eq!(s("每分钟").as_deref(), Some("* * * * *"));
        assert_eq!(s("at noon").as_deref(), Some("0 12 * * *"));
        assert_eq!(s("12am").as_deref(), Some("0 0 * * *"));
    }

    #[test]
    fn keywords() {
        assert_eq!(s("every hour").as_deref(), Some("hourly"));
        assert_eq!(s("nightly").as_deref(), Some("daily"));
        assert_eq!(s("every night").as_deref(), Some("daily"));
        assert_eq!(s("weekly").as_deref(), Some("weekly"));
        assert_eq!(s("once a month").as_deref(), Some("monthly"));
        assert_eq!(s("每天凌晨2点").as_deref(), Some("0 2 * * *"));
        assert_eq!(s("每周").as_deref(), Some("weekly"));
        assert_eq!(s("每周一次").as_deref(), Some("weekly"));
        assert_eq!(s("每周一").as_deref(), Some("0 0 * * 1"));
    }

    #[test]
    fn cron_as_typed() {
        assert_eq!(
            s("on schedule '*/15 * * * 1-5'").as_deref(),
            Some("*/15 * * * 1-5")
        );
        assert_eq!(s("cron 0 3 * * 0").as_deref(), Some("0 3 * * 0"));
    }

    #[test]
    fn hours_without_am_or_pm_in_the_part_of_the_day_named() {
        for (text, want) in [
            ("every night at 2", "0 2 * * *"),
            ("every day at 6 in the morning", "0 6 * * *"),
            ("every evening at 9", "0 21 * * *"),
            ("every sunday at evening 8 o'clock", "0 20 * * 0"),
            ("every saturday night at 11", "0 23 * * 6"),
            ("every tuesday at 4 in the afternoon", "0 16 * * 2"),
            ("monday morning at 8", "0 8 * * 1"),
            ("every monday morning 8", "0 8 * * 1"),
            ("every sunday 1 o'clock in the morning", "0 1 * * 0"),
            ("each day at 2 of night", "0 2 * * *"),
            ("every night at 11:30", "30 23 * * *"),
            ("tonight at 2:30", "30 2 * * *"),
            ("i am away, so every evening at 9", "0 21 * * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // No schedule stated, or a unit after the number: no hour.
        assert_eq!(s("keep at 5"), None);
        assert_eq!(s("every day, files at 5 gb"), Some("daily".into()));
    }

    #[test]
    fn working_days_and_short_day_names() {
        for (text, want) in [
            ("every weekday at 5:30pm", "30 17 * * 1-5"),
            ("every working day at 7 in evening", "0 19 * * 1-5"),
            ("every workday at 8pm", "0 20 * * 1-5"),
            ("每个工作日下午6点", "0 18 * * 1-5"),
            ("周末早上9点", "0 9 * * 0,6"),
            ("every sat 10pm", "0 22 * * 6"),
            ("mon 02:30", "30 2 * * 1"),
            ("sun 05:00", "0 5 * * 0"),
            ("every mon 6:00", "0 6 * * 1"),
            // A named day before the weekend the user works on.
            (
                "i shoot on weekends, so on monday morning at 8",
                "0 8 * * 1",
            ),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // "sat" as a word is no day.
        assert_eq!(s("the file sat there for days"), None);
    }

    #[test]
    fn days_of_the_month() {
        for (text, want) in [
            ("each month on 15 day", "0 0 15 * *"),
            ("on every 1st day of month", "0 0 1 * *"),
            ("monthly on the 3rd at 4am", "0 4 3 * *"),
            ("每个月15号", "0 0 15 * *"),
            ("每月1号凌晨3点", "0 3 1 * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn no_schedule() {
        assert_eq!(s("back up now"), None);
        assert_eq!(s("keep 14"), None);
        assert_eq!(s("older than 30 days"), None);
    }
}
