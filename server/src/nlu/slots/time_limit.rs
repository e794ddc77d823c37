//! A task's own time limit: "give up after 2 hours", "time out after 90
//! minutes", "stop it if it takes longer than a day", "超时2小时".

use std::sync::LazyLock;

use regex::Regex;

use super::numbers::{self, NUMBER};

const UNIT: &str = r"seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d";

static WORDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:give up|time ?out|stop(?: it| trying)?|abort(?: it)?|kill it|cancel it)\s+(?:after|if it (?:takes|runs|goes on)(?: for)? (?:longer|more) than)\s+({NUMBER})\s*({UNIT})\b|(?:time ?limit|timeout)(?: of|:)?\s+({NUMBER})\s*({UNIT})\b"
    ))
    .expect("time-limit pattern compiles")
});

static CHINESE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"超时\s*(\d+(?:\.\d+)?)\s*(秒|分钟|小时|天)|(\d+(?:\.\d+)?)\s*(秒|分钟|小时|天)\s*(?:后|内)?(?:还?没(?:有)?(?:完成|做完|跑完))?就?(?:放弃|超时|停止)")
        .expect("chinese time-limit compiles")
});

fn unit_secs(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" | "秒" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" | "分钟" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" | "小时" => 3600.0,
        "d" | "day" | "days" | "天" => 86_400.0,
        _ => return None,
    })
}

/// The time limit in seconds and the byte span that says it, from
/// lowercased text with paths masked out. The span is blanked before the
/// other slots are read: "more than 2 hours" there is no file age.
pub fn time_limit(lower: &str) -> Option<(u64, (usize, usize))> {
    for pattern in [&*WORDED, &*CHINESE] {
        if let Some(c) = pattern.captures(lower) {
            let (n, u) = numbers::number_and_unit(&c)?;
            let secs = numbers::value(n)? * unit_secs(u)?;
            let whole = c.get(0)?;
            return (1.0..1e9)
                .contains(&secs)
                .then(|| (secs.round() as u64, (whole.start(), whole.end())));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> Option<u64> {
        time_limit(text).map(|(s, _)| s)
    }

    #[test]
    fn limits_in_words() {
        assert_eq!(secs("back up /x to /y, give up after 2 hours"), Some(7200));
        assert_eq!(secs("time out after 90 minutes"), Some(5400));
        assert_eq!(secs("stop it if it takes longer than a day"), Some(86_400));
        assert_eq!(secs("with a timeout of 45 min"), Some(2700));
        assert_eq!(secs("把 /srv 同步到 /mnt/nas，超时2小时"), Some(7200));
        assert_eq!(secs("3小时没完成就放弃"), Some(10_800));
        assert_eq!(secs("clean up logs older than 2 hours"), None);
        assert_eq!(secs("give up after 0 seconds"), None);
    }
}
