//! Retention per period: "keep 7 daily, 4 weekly and 6 monthly" keeps a
//! snapshot for each of the last 7 days, 4 weeks and 6 months (restic's
//! `--keep-daily` and kin). A plain count ("keep 14") is `keep_last`
//! ([`super::flags::keep_last`]).

use std::sync::LazyLock;

use regex::Regex;

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

#[cfg(test)]
mod tests {
    use super::*;

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
