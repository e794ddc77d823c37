//! Five-field cron expressions (`minute hour day-of-month month weekday`),
//! the form the schedule slot is written in ("every night at 2am" →
//! `0 2 * * *`), plus the words `hourly`, `daily`, `weekly` and `monthly`.
//!
//! Times are wall-clock times in the server's time zone, as with cron: a
//! time that a daylight-saving jump skips does not happen that day, and a
//! time that happens twice runs at its first.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, Local, LocalResult, NaiveDate, TimeZone, Timelike};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a schedule Tend understands: {1}")]
pub struct CronError(pub String, pub String);

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    text: String,
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Whether day-of-month and weekday were each restricted: when both are,
    /// a day matching either runs (cron's rule).
    days_restricted: bool,
    weekdays_restricted: bool,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTE: Field = Field {
    name: "minute",
    min: 0,
    max: 59,
    names: &[],
};
const HOUR: Field = Field {
    name: "hour",
    min: 0,
    max: 23,
    names: &[],
};
const DAY: Field = Field {
    name: "day of the month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: Field = Field {
    name: "month",
    min: 1,
    max: 12,
    names: &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
};
// 7 is Sunday too; it folds onto 0 after parsing.
const WEEKDAY: Field = Field {
    name: "weekday",
    min: 0,
    max: 7,
    names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
};

/// How far ahead a next run is looked for: "the 31st of February" never
/// comes, and an impossible schedule must not loop forever.
const SEARCH_DAYS: i64 = 366 * 8;

impl Cron {
    pub fn parse(text: &str) -> Result<Cron, CronError> {
        let text = text.trim().to_lowercase();
        let expanded = match text.trim_start_matches('@') {
            "hourly" => "0 * * * *",
            "daily" | "midnight" => "0 0 * * *",
            "weekly" => "0 0 * * 0",
            "monthly" => "0 0 1 * *",
            other => other,
        }
        .to_string();
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let err = |why: String| CronError(text.clone(), why);
        if fields.len() != 5 {
            return Err(err(format!(
                "a cron schedule has 5 fields (minute hour day month weekday), this has {}",
                fields.len()
            )));
        }
        let minutes = bits(fields[0], &MINUTE).map_err(err)?;
        let hours = bits(fields[1], &HOUR).map_err(err)? as u32;
        let days = bits(fields[2], &DAY).map_err(err)? as u32;
        let months = bits(fields[3], &MONTH).map_err(err)? as u16;
        let mut weekdays = bits(fields[4], &WEEKDAY).map_err(err)?;
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays | 1) & !(1 << 7);
        }
        let (days_restricted, weekdays_restricted) = (fields[2] != "*", fields[4] != "*");
        Ok(Cron {
            text: fields.join(" "),
            minutes,
            hours,
            days,
            months,
            weekdays: weekdays as u8,
            days_restricted,
            weekdays_restricted,
        })
    }

    /// The five fields, keywords expanded.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first run strictly after `after`, in `after`'s time zone; `None`
    /// when the schedule never runs (the 30th of February).
    pub fn next_after<Tz: TimeZone>(&self, after: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        let tz = after.timezone();
        let local = after.naive_local();
        // The next whole minute: a run at exactly `after` is already past.
        let start = local.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut date = start.date();
        for day in 0..SEARCH_DAYS {
            if day > 0 {
                date = date.succ_opt()?;
            }
            if !self.runs_on(date) {
                continue;
            }
            let (first_hour, first_minute) = if date == start.date() {
                (start.hour(), start.minute())
            } else {
                (0, 0)
            };
            for hour in first_hour..24 {
                if self.hours & (1 << hour) == 0 {
                    continue;
                }
                let from = if hour == first_hour { first_minute } else { 0 };
                for minute in from..60 {
                    if self.minutes & (1 << minute) == 0 {
                        continue;
                    }
                    let naive = date.and_hms_opt(hour, minute, 0)?;
                    match tz.from_local_datetime(&naive) {
                        LocalResult::Single(t) => return Some(t),
                        LocalResult::Ambiguous(first, _) => return Some(first),
                        // Skipped by a daylight-saving jump.
                        LocalResult::None => continue,
                    }
                }
            }
        }
        None
    }

    fn runs_on(&self, date: NaiveDate) -> bool {
        if self.months & (1 << date.month()) == 0 {
            return false;
        }
        let by_day = self.days & (1 << date.day()) != 0;
        let by_weekday = self.weekdays & (1 << date.weekday().num_days_from_sunday()) != 0;
        match (self.days_restricted, self.weekdays_restricted) {
            (true, true) => by_day || by_weekday,
            (true, false) => by_day,
            (false, true) => by_weekday,
            (false, false) => true,
        }
    }

    /// The schedule in words, for the plan card and the schedule list.
    pub fn describe(&self) -> String {
        let f: Vec<&str> = self.text.split_whitespace().collect();
        let (minute, hour, day, month, weekday) = (f[0], f[1], f[2], f[3], f[4]);
        let at = match (minute.parse::<u32>(), hour.parse::<u32>()) {
            (Ok(m), Ok(h)) => Some(format!("at {h:02}:{m:02}")),
            _ => None,
        };
        let days = match (day, month, weekday) {
            ("*", "*", "*") => Some("every day".to_string()),
            ("*", "*", "1-5") => Some("on weekdays".to_string()),
            ("*", "*", "0,6") | ("*", "*", "6,0") => Some("on weekends".to_string()),
            ("*", "*", w) => w
                .parse::<usize>()
                .ok()
                .and_then(|w| WEEKDAY_NAMES.get(w % 7))
                .map(|name| format!("every {name}")),
            (d, "*", "*") => d
                .parse::<u32>()
                .ok()
                .map(|d| format!("on day {d} of every month")),
            _ => None,
        };
        match (at, days) {
            (Some(at), Some(days)) => format!("{days} {at}"),
            (None, Some(days)) if minute == "0" && hour == "*" && days == "every day" => {
                "every hour, on the hour".to_string()
            }
            (None, Some(days)) if days == "every day" => match (minute, hour) {
                ("0", h) if h.starts_with("*/") => format!("every {} hours", &h[2..]),
                (m, "*") if m.starts_with("*/") => format!("every {} minutes", &m[2..]),
                _ => format!("on the cron schedule {}", self.text),
            },
            _ => format!("on the cron schedule {}", self.text),
        }
    }
}

const WEEKDAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// One field as a bit set: `*`, `5`, `1-5`, `*/15`, `10-50/20`, `mon`,
/// lists of these.
fn bits(text: &str, field: &Field) -> Result<u64, String> {
    let mut set = 0u64;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or_else(|| format!("the step {step:?} in the {} field", field.name))?;
                (range, step)
            }
            None => (part, 1),
        };
        let (low, high) = if range == "*" {
            (field.min, field.max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, field)?, value(b, field)?)
        } else {
            let v = value(range, field)?;
            // "5/15" means from 5 to the end, every 15.
            (v, if part.contains('/') { field.max } else { v })
        };
        if low > high {
            return Err(format!("the range {range:?} in the {} field", field.name));
        }
        for v in (low..=high).step_by(step as usize) {
            set |= 1 << v;
        }
    }
    Ok(set)
}

fn value(text: &str, field: &Field) -> Result<u32, String> {
    let v = match field.names.iter().position(|n| *n == text) {
        Some(i) => i as u32 + if field.min == 1 { 1 } else { 0 },
        None => text.parse().map_err(|_| {
            format!(
                "{text:?} in the {} field (it takes {} to {})",
                field.name, field.min, field.max
            )
        })?,
    };
    if (field.min..=field.max).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} in the {} field (it takes {} to {})",
            field.name, field.min, field.max
        ))
    }
}

/// The first run of `cron` strictly after `after_ms` (Unix ms), in the
/// server's local time; `Ok(None)` when it never comes.
pub fn next_run_ms(cron: &str, after_ms: i64) -> Result<Option<i64>, CronError> {
    let cron = Cron::parse(cron)?;
    let after = Local
        .timestamp_millis_opt(after_ms)
        .single()
        .ok_or_else(|| CronError(cron.as_str().into(), format!("{after_ms} is not a time")))?;
    Ok(cron.next_after(&after).map(|t| t.timestamp_millis()))
}

/// "every day at 02:00", or the cron itself when it does not parse.
pub fn describe(cron: &str) -> String {
    Cron::parse(cron)
        .map(|c| c.describe())
        .unwrap_or_else(|_| cron.to_string())
}

/// Unix ms as the server's local time, for logs and messages.
pub fn local_time(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M %Z").to_string())
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, Utc};

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn next(cron: &str, after: &str) -> String {
        Cron::parse(cron)
            .unwrap()
            .next_after(&at(after))
            .map(|t| t.to_rfc3339())
            .unwrap_or_else(|| "never".into())
    }

    #[test]
    fn next_runs() {
        // 2026-11-24 is a Tuesday.
        let tue = "2026-11-24T10:15:30+00:00";
        assert_eq!(next("0 2 * * *", tue), "2026-11-25T02:00:00+00:00");
        assert_eq!(next("30 3 * * 0", tue), "2026-11-29T03:30:00+00:00");
        assert_eq!(next("*/15 * * * *", tue), "2026-11-24T10:30:00+00:00");
        assert_eq!(next("0 */6 * * *", tue), "2026-11-24T12:00:00+00:00");
        assert_eq!(next("45 6 * * 1-5", tue), "2026-11-25T06:45:00+00:00");
        assert_eq!(next("0 0 1 * *", tue), "2026-12-01T00:00:00+00:00");
        assert_eq!(next("hourly", tue), "2026-11-24T11:00:00+00:00");
        assert_eq!(next("weekly", tue), "2026-11-29T00:00:00+00:00");
        assert_eq!(next("0 9 * jan mon", tue), "2027-01-04T09:00:00+00:00");
        // Day of month or weekday, as cron reads both.
        assert_eq!(next("0 0 13 * 5", tue), "2026-11-27T00:00:00+00:00");
        // Sunday may be written 7.
        assert_eq!(next("0 12 * * 7", tue), "2026-11-29T12:00:00+00:00");
    }

    #[test]
    fn a_run_at_exactly_now_is_past() {
        assert_eq!(
            next("0 2 * * *", "2026-11-25T02:00:00+00:00"),
            "2026-11-26T02:00:00+00:00"
        );
        assert_eq!(
            next("* * * * *", "2026-11-25T02:00:59.900+00:00"),
            "2026-11-25T02:01:00+00:00"
        );
    }

    #[test]
    fn leap_days_and_impossible_dates() {
        assert_eq!(
            next("0 0 29 2 *", "2026-11-24T00:00:00+00:00"),
            "2028-02-29T00:00:00+00:00"
        );
        assert_eq!(next("0 0 30 2 *", "2026-11-24T00:00:00+00:00"), "never");
    }

    #[test]
    fn wall_clock_time_of_the_zone() {
        let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
        let t = at("2026-11-24T20:00:00+00:00").with_timezone(&tokyo);
        let n = Cron::parse("0 2 * * *").unwrap().next_after(&t).unwrap();
        // 20:00 UTC is 05:00 in Tokyo: the next 02:00 there is a day later.
        assert_eq!(n.to_rfc3339(), "2026-11-26T02:00:00+09:00");
    }

    #[test]
    fn refuses_what_is_not_a_schedule() {
        for bad in [
            "",
            "0 2 * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 8",
            "*/0 * * * *",
            "5-1 * * * *",
            "a b c d e",
            "0 2 * * * *",
        ] {
            let e = Cron::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("not a schedule"), "{e}");
        }
    }

    #[test]
    fn described_in_words() {
        let d = |c: &str| Cron::parse(c).unwrap().describe();
        assert_eq!(d("0 2 * * *"), "every day at 02:00");
        assert_eq!(d("30 3 * * 0"), "every Sunday at 03:30");
        assert_eq!(d("45 6 * * 1-5"), "on weekdays at 06:45");
        assert_eq!(d("0 0 1 * *"), "on day 1 of every month at 00:00");
        assert_eq!(d("hourly"), "every hour, on the hour");
        assert_eq!(d("0 */6 * * *"), "every 6 hours");
        assert_eq!(d("*/10 * * * *"), "every 10 minutes");
        assert_eq!(d("5 4 * 6 *"), "on the cron schedule 5 4 * 6 *");
    }
}
