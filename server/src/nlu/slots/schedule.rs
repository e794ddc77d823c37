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
    Regex::new(r"\b(sun|mon|tue|tues|wed|thu|thur|thurs|fri|sat)(?:day|nesday|sday|urday)?s?\b|\b(weekdays|weekends)\b|(?:每)?(?:周|星期)([一二三四五六日天])")
        .expect("weekday compiles")
});
static EVERY_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each)\s+(\d{1,2})\s*(h|hours?|hrs?|m|min|mins|minutes?)\b|每隔?\s*(\d{1,2})\s*(个?小时|分钟)")
        .expect("every n compiles")
});
static EVERY_MINUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|once a)\s+minute\b|每分钟").expect("every minute compiles")
});
static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(?:day\s+)?of\s+(?:every|each|the)\s+month)").expect("dom compiles")
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
static EVENING_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:night|evening|tonight)\b").expect("evening compiles"));

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
        .and_then(|c| c.get(1)?.as_str().parse::<u32>().ok())
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
    let c = TIME.captures(lower)?;
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
        (num(5).unwrap_or(0), h)
    } else if let Some(h) = num(6) {
        // A bare "3:30" reads as the evening when the text says night.
        let h = if h < 12 && EVENING_WORDS.is_match(lower) {
            h + 12
        } else {
            h
        };
        (num(7).unwrap_or(0), h)
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

fn weekday(lower: &str) -> Option<String> {
    let c = WEEKDAY.captures(lower)?;
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
        // "sat"/"sun"/"wed" alone are too ambiguous as words; require the full day name.
        let full = c.get(0).is_some_and(|w| w.as_str().len() > 3);
        return full.then(|| dow.to_string());
    }
    if let Some(m) = c.get(2) {
        return Some(
            if m.as_str() == "weekdays" {
                "1-5"
            } else {
                "0,6"
            }
            .to_string(),
        );
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
    fn no_schedule() {
        assert_eq!(s("back up now"), None);
        assert_eq!(s("keep 14"), None);
        assert_eq!(s("older than 30 days"), None);
    }
}
