//! Schedules in words → `hourly|daily|weekly|monthly` or a 5-field cron
//! string: "every night at 2am" → `0 2 * * *`, "Sundays at 3:30" → `30 3 * * 0`.

mod chinese;
mod weekdays;

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, COUNT, ORDINAL};

static CRON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s'“`])((?:[\d*/,\-]+\s+){4}[\d*/,\-]+)(?:$|[\s'”`,.])")
        .expect("cron compiles")
});
/// A clock time in English: "2am", "at 3:30", "14:15", "at 21h", "at noon".
/// The ASCII `\b` lets a time touch Chinese text (每天22:00).
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?:at\s+)?(?P<h12>\d{1,2})(?::(?P<m12>\d{2}))?\s*(?P<ampm>(?:am|pm)\b|a\.m\.|p\.m\.)",
        r"|(?-u:\b)(?:at\s+)?(?P<h24>\d{1,2}):(?P<m24>\d{2})(?-u:\b)",
        r"|\bat\s+(?P<hh>\d{1,2})\s*h(?P<mh>\d{2})?\b",
        r"|\b(?P<at>at\s+)?(?P<half>half\s+past\s+)?(?P<word>noon|midday|midnight)\b",
    ))
    .expect("time compiles")
});
/// Several hours at once: "at 9 and 21", "at 8am and 8pm", "at 6, 12 and 18".
static HOUR_LIST: LazyLock<Regex> = LazyLock::new(|| {
    let one = r"\d{1,2}(?::\d{2})?(?:\s*(?:(?:am|pm|h)\b|a\.m\.|p\.m\.)|(?-u:\b))";
    Regex::new(&format!(
        r"\bat\s+{one}(?:\s*(?:,|\band\b|&)\s*(?:at\s+)?{one})+"
    ))
    .expect("hour list compiles")
});
static LISTED_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2})(?::(\d{2}))?(?:\s*(am|pm|a\.m\.|p\.m\.|h))?")
        .expect("listed hour compiles")
});
/// "every 5 minutes", "each four hours", "every 2 days", "每隔两小时",
/// "每两个小时", "每隔十分钟".
static EVERY_N: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:every|each)\s+({COUNT}|couple\s+of|other)\s*(h|hours?|hrs?|m|min|mins|minutes?|days?|weeks?|months?)\b|每隔?\s*(\d{{1,2}}|[一二两三四五六七八九十]{{1,3}})\s*个?\s*(小时|钟头|分钟|分|天)"
    ))
    .expect("every n compiles")
});
static EVERY_HALF_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each)\s+half(?:\s+an|\s*-)?\s*hour\b|每隔?半个?小时")
        .expect("every half hour compiles")
});
static EVERY_MINUTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:every|each|once a)\s+minute\b|每分钟").expect("every minute compiles")
});
/// How many times per period: "once a day", "one time in week", "once per
/// week", "twice a day", "3 times an hour".
static TIMES_PER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:(?P<word>once|twice|thrice)|(?P<count>{COUNT})\s+times?)\s+(?:a|an|per|each|every|in(?:\s+(?:a|an|the|each))?)\s+(?P<period>hour|day|night|week|month)\b"
    ))
    .expect("times per compiles")
});
/// The same in Chinese: "一天一次", "一周一次", "每天两次", "一个月一次",
/// with the verb inside: "每个月清理一次".
static CHINESE_TIMES_PER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[一每]\s*个?\s*(?P<period>小时|钟头|天|日|晚|周|星期|礼拜|月)[^\d一二两三四五六七八九十，。,.!?！？]{0,6}?(?P<count>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*次")
        .expect("chinese times per compiles")
});
/// "the 1st of every month", "every first day of month", "each month on
/// 15 day", "monthly on the 3rd", "每个月15号", "每月一号", "每月第一天".
static DAY_OF_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    let day = format!(r"\d{{1,2}}(?:st|nd|rd|th)?|{ORDINAL}");
    Regex::new(&format!(
        concat!(
            r"(?:\b(?:the|every|each|on)\s+|^\s*)({day})\s+(?:day\s+)?of\s+(?:every\s+|each\s+|the\s+|a\s+)?month\b",
            r"|\b(?:(?:every|each)\s+month|monthly)\s*,?\s+on\s+(?:the\s+)?(?:day\s+)?({day})\b",
            r"|每个?月的?\s*(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*[号日]",
            r"|每个?月的?(第一)天",
        ),
        day = day
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
/// "at evening 8", "at 10 hour", "monday 10h", "saturday 9 in the
/// morning". Read only where the text states a schedule otherwise
/// ("every night at 2"), so "keep at 5" stays no time.
static BARE_HOUR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"\bat\s+(?:(?:the\s+)?(?:morning|evening|night|afternoon)\s+)?(\d{{1,2}})(?:\s*h|\s+hour)?\b",
            r"|\b(\d{{1,2}})\s*o['’]?\s*clock\b",
            r"|\b(?:morning|evening|night|afternoon)\s+(?:at\s+)?(\d{{1,2}})(?:\s*h|\s+hour)?\b",
            r"|\b{day}\s*,?\s+(\d{{1,2}})h\b",
            r"|\b{day}\s*,?\s+(?:at\s+)?(\d{{1,2}})\s+in\s+(?:the\s+)?(?:morning|evening|night|afternoon)\b",
        ),
        day = DAY
    ))
    .expect("bare hour compiles")
});
/// An hour after "on", right after a day or a part of the day: "each day on
/// 1 in the night", "every night on 2", "each monday on 10 hour".
static HOUR_ON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\b(?:{DAY}|morning|evening|night|afternoon)\s*,?\s+on\s+(\d{{1,2}})(?:\s*h|\s+hour)?\b"
    ))
    .expect("hour on compiles")
});
/// A day, said once: "day", "monday", "sundays", "weekdays".
const DAY: &str =
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)days?|day|weekdays?|weekends?|workdays?)";
/// A unit after a bare number ("at 5 GB", "at 2 days", "at 10 snapshots")
/// says it is no hour.
static UNIT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:%|[kmgt]i?b?\b|bytes?\b|(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|snapshots?|copies|versions?|files?|times|percent|x)\b|[.:]\d)")
        .expect("unit after compiles")
});
/// Things counted after "on <n>" ("on 2 disks", "on 1 server"): the number
/// is how many, not an hour.
static THINGS_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[a-z]+s\b|(?:server|disk|drive|machine|host|node|core|thread|copy|snapshot|backup|device|computer|worker|job|task|folder|repo|repository|volume|bucket)\b)")
        .expect("things after compiles")
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

/// The hours of a day a schedule runs at, all at one minute.
#[derive(Debug, Clone, PartialEq)]
struct TimeOfDay {
    minute: u32,
    hours: Vec<u32>,
}

impl TimeOfDay {
    fn at(minute: u32, hour: u32) -> Self {
        Self {
            minute,
            hours: vec![hour],
        }
    }

    /// The minute and hour fields of a cron string: "30 3", "0 9,21".
    fn cron_fields(&self) -> String {
        let hours: Vec<String> = self.hours.iter().map(u32::to_string).collect();
        format!("{} {}", self.minute, hours.join(","))
    }
}

/// A fixed interval: "every 5 minutes", "每隔两小时", "every 2 days".
#[derive(Debug, Clone, Copy, PartialEq)]
enum Every {
    Minutes(u32),
    Hours(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Every {
    /// The interval as a whole cron string, when it needs no time of day.
    fn cron(self) -> Option<String> {
        match self {
            Every::Minutes(1) => Some("* * * * *".into()),
            Every::Minutes(n) if n < 60 => Some(format!("*/{n} * * * *")),
            Every::Hours(1) => Some("hourly".into()),
            Every::Hours(n) if n < 24 => Some(format!("0 */{n} * * *")),
            // "every 90 minutes" or "every 36 hours" has no cron line: no
            // schedule is read, and the plan asks about the words left.
            Every::Minutes(_) | Every::Hours(_) => None,
            Every::Days(_) | Every::Weeks(_) | Every::Months(_) => None,
        }
    }
}

/// How often per period a frequency says: "once a day" is (1, Day).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Period {
    Hour,
    Day,
    Week,
    Month,
}

/// The schedule the lowercased, path-masked text states, if any.
pub fn extract(lower: &str) -> Option<String> {
    if let Some(cron) = typed_cron(lower) {
        return Some(cron);
    }
    let every = every_n(lower);
    if let Some(cron) = every.and_then(Every::cron) {
        return Some(cron);
    }
    if EVERY_MINUTE.is_match(lower) {
        return Some("* * * * *".into());
    }
    let times = times_per(lower);
    if let Some((n, Period::Hour)) = times {
        if n > 1 && 60 % n == 0 {
            return Every::Minutes(60 / n).cron();
        }
    }
    let time = time_of_day(lower);
    let weekday = weekdays::days_of_week(lower);
    let day_of_month = day_of_month(lower).map(|d| d.to_string()).or(match every {
        Some(Every::Days(n)) if n > 1 => Some(format!("*/{n}")),
        _ => None,
    });
    let once_per = |period| times == Some((1, period));
    let (hourly, daily, weekly, monthly) = (
        HOURLY.is_match(lower) || once_per(Period::Hour),
        DAILY.is_match(lower) || once_per(Period::Day) || every == Some(Every::Days(1)),
        WEEKLY.is_match(lower) || once_per(Period::Week) || every == Some(Every::Weeks(1)),
        MONTHLY.is_match(lower) || once_per(Period::Month) || every == Some(Every::Months(1)),
    );
    let fields = time
        .as_ref()
        .map_or_else(|| "0 0".to_string(), TimeOfDay::cron_fields);
    if let Some(dom) = day_of_month {
        return Some(format!("{fields} {dom} * *"));
    }
    if let Some(dow) = weekday {
        return Some(format!("{fields} * * {dow}"));
    }
    if hourly {
        return Some("hourly".into());
    }
    if time.is_some() {
        let rest = match (weekly, monthly) {
            (true, _) => "* * 0",
            (_, true) => "1 * *",
            _ => "* * *",
        };
        return Some(format!("{fields} {rest}"));
    }
    if let Some((n, Period::Day)) = times {
        if n > 1 && 24 % n == 0 {
            return Every::Hours(24 / n).cron();
        }
    }
    [(daily, "daily"), (weekly, "weekly"), (monthly, "monthly")]
        .into_iter()
        .find_map(|(said, keyword)| said.then(|| keyword.to_string()))
}

/// A cron string typed as such: "cron 0 3 * * 0", "'*/15 * * * 1-5'".
fn typed_cron(lower: &str) -> Option<String> {
    let c = CRON.captures(lower)?;
    let cron = c
        .get(1)?
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    cron.contains('*').then_some(cron)
}

/// The fixed interval stated: "every four hours", "每隔十分钟".
fn every_n(lower: &str) -> Option<Every> {
    if EVERY_HALF_HOUR.is_match(lower) {
        return Some(Every::Minutes(30));
    }
    let c = EVERY_N.captures(lower)?;
    let (n, unit) = numbers::number_and_unit(&c)?;
    let n = if n == "other" { 2 } else { numbers::whole(n)? };
    if !(1..1000).contains(&n) {
        return None;
    }
    Some(in_larger_units(
        if unit.starts_with('h') || unit.contains("小时") || unit.contains("钟头") {
            Every::Hours(n)
        } else if unit.starts_with('d') || unit == "天" {
            Every::Days(n)
        } else if unit.starts_with('w') {
            Every::Weeks(n)
        } else if unit.starts_with("mo") {
            Every::Months(n)
        } else {
            Every::Minutes(n)
        },
    ))
}

/// The interval in the largest unit that divides it: "every 120 minutes"
/// is every two hours, "every 24 hours" every day.
fn in_larger_units(every: Every) -> Every {
    match every {
        Every::Minutes(n) if n >= 60 && n % 60 == 0 => in_larger_units(Every::Hours(n / 60)),
        Every::Hours(n) if n >= 24 && n % 24 == 0 => Every::Days(n / 24),
        other => other,
    }
}

/// How many times per period the text says: "once a day" → (1, Day),
/// "twice a day" → (2, Day).
fn times_per(lower: &str) -> Option<(u32, Period)> {
    english_times_per(lower)
        .or_else(|| chinese_times_per(lower))
        .filter(|&(count, _)| count > 0)
}

fn english_times_per(lower: &str) -> Option<(u32, Period)> {
    let c = TIMES_PER.captures(lower)?;
    let count = match c.name("word").map(|m| m.as_str()) {
        Some("once") => 1,
        Some("twice") => 2,
        Some(_) => 3,
        None => numbers::whole(c.name("count")?.as_str())?,
    };
    let period = match c.name("period")?.as_str() {
        "hour" => Period::Hour,
        "day" | "night" => Period::Day,
        "week" => Period::Week,
        _ => Period::Month,
    };
    Some((count, period))
}

fn chinese_times_per(lower: &str) -> Option<(u32, Period)> {
    let c = CHINESE_TIMES_PER.captures(lower)?;
    let period = match c.name("period")?.as_str() {
        "小时" | "钟头" => Period::Hour,
        "天" | "日" | "晚" => Period::Day,
        "月" => Period::Month,
        _ => Period::Week,
    };
    Some((numbers::whole(c.name("count")?.as_str())?, period))
}

/// The day of the month stated: "the 1st of every month", "every first day
/// of month", "每月十五号".
fn day_of_month(lower: &str) -> Option<u32> {
    let c = DAY_OF_MONTH.captures(lower)?;
    let day = c.iter().skip(1).flatten().next()?.as_str();
    let day = match day {
        "第一" => 1,
        _ => day
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse()
            .ok()
            .or_else(|| numbers::ordinal_value(day))
            .or_else(|| numbers::whole(day))?,
    };
    (1..=31).contains(&day).then_some(day)
}

/// The stated time of day: several hours at once, a clock time, a Chinese
/// one, or an hour said bare where the text states a schedule.
fn time_of_day(lower: &str) -> Option<TimeOfDay> {
    hour_list(lower)
        .or_else(|| clock_time(lower))
        .or_else(|| chinese::time_of_day(lower).map(|(minute, hours)| TimeOfDay { minute, hours }))
        .or_else(|| bare_hour(lower))
}

/// A clock time in English: "2am", "at 3:30", "at 21h", "at noon".
fn clock_time(lower: &str) -> Option<TimeOfDay> {
    let c = TIME.captures(lower)?;
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u32>().ok());
    let (minute, hour) = if let Some(h) = num("h12") {
        let pm = c.name("ampm").is_some_and(|m| m.as_str().starts_with('p'));
        (num("m12").unwrap_or(0), with_am_pm(h, pm)?)
    } else if let Some(h) = num("h24") {
        (num("m24").unwrap_or(0), in_part_of_day(lower, h))
    } else if let Some(h) = num("hh") {
        (num("mh").unwrap_or(0), in_part_of_day(lower, h))
    } else {
        // "before noon" is no time to run at; "every friday noon" is.
        if c.name("at").is_none() && !said_as_schedule(lower) {
            return None;
        }
        let noon = c.name("word")?.as_str() != "midnight";
        let minute = if c.name("half").is_some() { 30 } else { 0 };
        (minute, if noon { 12 } else { 0 })
    };
    (hour < 24 && minute < 60).then(|| TimeOfDay::at(minute, hour))
}

fn with_am_pm(hour: u32, pm: bool) -> Option<u32> {
    let hour = match (hour, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    (hour < 24).then_some(hour)
}

/// Several hours at one minute: "twice a day at 9 and 21" → 9,21 ("at 8am
/// and 8pm" too). Hours said bare are read in the part of the day named
/// when all are under 12 ("every evening at 7 and 9").
fn hour_list(lower: &str) -> Option<TimeOfDay> {
    let list = HOUR_LIST.find(lower)?;
    if UNIT_AFTER.is_match(&lower[list.end()..]) {
        return None;
    }
    let mut minute = None;
    let mut marked = false;
    let mut bare = Vec::new();
    let mut hours = Vec::new();
    for c in LISTED_HOUR.captures_iter(list.as_str()) {
        let hour: u32 = c.get(1)?.as_str().parse().ok()?;
        let this_minute = c.get(2).map_or(Some(0), |m| m.as_str().parse().ok())?;
        if *minute.get_or_insert(this_minute) != this_minute {
            return None;
        }
        match c.get(3).map(|m| m.as_str()) {
            Some(mark) if mark != "h" => hours.push(with_am_pm(hour, mark.starts_with('p'))?),
            mark => {
                marked |= mark.is_some() || c.get(2).is_some();
                bare.push(hour);
            }
        }
    }
    marked |= !hours.is_empty();
    if !marked && !said_as_schedule(lower) {
        return None;
    }
    if bare.iter().all(|&h| h < 12) {
        bare = bare.into_iter().map(|h| in_part_of_day(lower, h)).collect();
    }
    hours.extend(bare);
    hours.sort_unstable();
    hours.dedup();
    let minute = minute?;
    (minute < 60 && hours.iter().all(|&h| h < 24)).then_some(TimeOfDay { minute, hours })
}

/// Whether the text states a schedule in words other than a time.
fn said_as_schedule(lower: &str) -> bool {
    SCHEDULE_CUE.is_match(lower) || TIMES_PER.is_match(lower) || weekdays::is_said(lower)
}

/// An hour said without am/pm ("every night at 2", "Monday morning at 8",
/// "at evening 8 o'clock", "each day on 1 in the night"), where the text
/// states a schedule and the number is followed by no unit: "on 2 disks"
/// counts disks.
fn bare_hour(lower: &str) -> Option<TimeOfDay> {
    if !said_as_schedule(lower) {
        return None;
    }
    let read = |re: &Regex, counted: Option<&Regex>| {
        re.captures_iter(lower).find_map(|c| {
            let m = c.iter().skip(1).flatten().next()?;
            let h: u32 = m.as_str().parse().ok()?;
            let after = &lower[c.get(0)?.end()..];
            let counts = UNIT_AFTER.is_match(after) || counted.is_some_and(|re| re.is_match(after));
            (!counts && h < 24).then(|| TimeOfDay::at(0, in_part_of_day(lower, h)))
        })
    };
    read(&BARE_HOUR, None).or_else(|| read(&HOUR_ON, Some(&THINGS_AFTER)))
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
    fn chinese_hours_in_numerals() {
        for (text, want) in [
            ("每天晚上九点备份", "0 21 * * *"),
            ("每周三早上七点半", "30 7 * * 3"),
            ("每周日凌晨四点清理", "0 4 * * 0"),
            ("星期五下午三点", "0 15 * * 5"),
            ("每个工作日晚上八点", "0 20 * * 1-5"),
            ("每月十五号凌晨一点", "0 1 15 * *"),
            ("礼拜六上午十点", "0 10 * * 6"),
            ("每天十二点", "0 12 * * *"),
            ("每天下午三点半", "30 15 * * *"),
            ("每天22:00", "0 22 * * *"),
            ("每天8点", "0 8 * * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn chinese_intervals() {
        for (text, want) in [
            ("每隔三小时", "0 */3 * * *"),
            ("每四个小时", "0 */4 * * *"),
            ("每八小时一次", "0 */8 * * *"),
            ("每隔二十分钟", "*/20 * * * *"),
            ("每隔半小时", "*/30 * * * *"),
            ("每两个钟头", "0 */2 * * *"),
            ("每一个小时", "hourly"),
            ("每隔两天凌晨三点", "0 3 */2 * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn hours_after_on_or_with_an_h() {
        for (text, want) in [
            ("every day on 3 in the night", "0 3 * * *"),
            ("each night on 4", "0 4 * * *"),
            ("every friday on 18 hour", "0 18 * * 5"),
            ("each saturday evening on 22h", "0 22 * * 6"),
            ("each evening on 9", "0 21 * * *"),
            ("back up at 20h", "0 20 * * *"),
            ("every day at 7h30", "30 7 * * *"),
            ("every tuesday 19h", "0 19 * * 2"),
            ("each thursday 6 in the morning", "0 6 * * 4"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // "on <n>" before what it counts is no hour.
        for (text, want) in [
            ("every night on 2 disks", Some("daily")),
            ("every day on 1 server", Some("daily")),
            ("each monday on 3 servers", Some("0 0 * * 1")),
            ("every day at 5 hours", Some("daily")),
            ("keep 3 on 2 drives", None),
        ] {
            assert_eq!(s(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn intervals_and_frequencies_in_words() {
        for (text, want) in [
            ("every three hours", "0 */3 * * *"),
            ("each twelve hours", "0 */12 * * *"),
            ("every ten minutes", "*/10 * * * *"),
            ("every other hour", "0 */2 * * *"),
            ("every couple of hours", "0 */2 * * *"),
            ("every half hour", "*/30 * * * *"),
            ("every one hour", "hourly"),
            ("each 1 hour", "hourly"),
            ("every one minute", "* * * * *"),
            ("once a day", "daily"),
            ("one time per day", "daily"),
            ("once in a week", "weekly"),
            ("1 time a week", "weekly"),
            ("one time per month", "monthly"),
            ("once an hour", "hourly"),
            ("once a week at 5am", "0 5 * * 0"),
            ("twice a day", "0 */12 * * *"),
            ("three times a day", "0 */8 * * *"),
            ("twice an hour", "*/30 * * * *"),
            ("every 3 days", "0 0 */3 * *"),
            ("every two days at 4am", "0 4 */2 * *"),
            ("every one day", "daily"),
            ("each one week", "weekly"),
            ("一天一次", "daily"),
            ("一个月一次", "monthly"),
            ("一天两次", "0 */12 * * *"),
            ("一小时两次", "*/30 * * * *"),
            ("every 24 hours", "daily"),
            ("every 120 minutes", "0 */2 * * *"),
            ("every 48 hours", "0 0 */2 * *"),
            ("每隔24小时", "daily"),
            ("每个月清理一次", "monthly"),
            ("每天备份两次", "0 */12 * * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // Intervals cron cannot say are not read as some other schedule.
        assert_eq!(s("every 90 minutes"), None);
        assert_eq!(s("every 36 hours"), None);
    }

    #[test]
    fn noon_midnight_and_parts_of_the_day_said_loosely() {
        for (text, want) in [
            ("every fri noon", "0 12 * * 5"),
            ("monday, wednesday and friday at midday", "0 12 * * 1,3,5"),
            ("at half past midnight each night", "30 0 * * *"),
            ("each sunday 6 in morning", "0 6 * * 0"),
            ("first of month at 5 morning, delete old files", "0 5 1 * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // A deadline is no time to run at.
        assert_eq!(s("back it up before noon"), None);
    }

    #[test]
    fn ranges_and_lists_of_days() {
        for (text, want) in [
            ("monday to friday at 6pm", "0 18 * * 1-5"),
            ("mon-fri 22:00", "0 22 * * 1-5"),
            ("tuesdays and fridays at 7am", "0 7 * * 2,5"),
            ("周一到周五晚上十点", "0 22 * * 1-5"),
            ("每周一、三、五凌晨两点", "0 2 * * 1,3,5"),
            ("每天早上八点和晚上八点", "0 8,20 * * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn several_hours_at_once() {
        for (text, want) in [
            ("twice a day at 7 and 19", "0 7,19 * * *"),
            ("every day at 6 and 18", "0 6,18 * * *"),
            ("daily at 8am and 8pm", "0 8,20 * * *"),
            ("every day at 6, 12 and 18", "0 6,12,18 * * *"),
            ("at 1:30 and 13:30 each day", "30 1,13 * * *"),
            ("every monday at 17 and 9", "0 9,17 * * 1"),
            ("every evening at 7 and 9", "0 19,21 * * *"),
            ("twice a day, at 10h and 22h", "0 10,22 * * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
        // Different minutes cannot share one cron line: the first time stands.
        assert_eq!(
            s("every day at 1:15 and 13:45").as_deref(),
            Some("15 1 * * *")
        );
        // Counts after the hour are no more hours.
        assert_eq!(
            s("every day at 2, keep 7 and 4").as_deref(),
            Some("0 2 * * *")
        );
    }

    #[test]
    fn ordinal_days_of_the_month() {
        for (text, want) in [
            ("each first day of the month at 2am", "0 2 1 * *"),
            ("on the first day of every month", "0 0 1 * *"),
            ("the second of each month", "0 0 2 * *"),
            ("every fifteenth day of month", "0 0 15 * *"),
            ("on the twenty-first of every month", "0 0 21 * *"),
            ("monthly on the tenth", "0 0 10 * *"),
            ("每月一号", "0 0 1 * *"),
            ("每个月第一天", "0 0 1 * *"),
            ("每月十五日早上六点", "0 6 15 * *"),
        ] {
            assert_eq!(s(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn counts_sizes_and_ages_are_no_hours() {
        for (text, want) in [
            ("keep 14", None),
            ("task 12", None),
            ("cancel task 12", None),
            ("files larger than 20 gb", None),
            ("older than 30 days", None),
            ("run it once", None),
            ("保留最近十个快照", None),
            ("删除三十天以前的文件", None),
            ("快一点", None),
            ("every day, keep 14", Some("daily")),
            (
                "every night, delete files older than 12 days",
                Some("daily"),
            ),
            ("every night, cancel task 12", Some("daily")),
            ("each night at 3 copies", Some("daily")),
            ("every sunday keep 4", Some("0 0 * * 0")),
            ("每天保留十四份", Some("daily")),
            ("每天清理大于两点五gb的文件", Some("daily")),
            ("每天备份一点数据", Some("daily")),
        ] {
            assert_eq!(s(text).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn no_schedule() {
        assert_eq!(s("back up now"), None);
        assert_eq!(s("keep 14"), None);
        assert_eq!(s("older than 30 days"), None);
    }
}
