//! How long an attempt may run and when a failed one is tried again: the
//! node's [`RunPolicy`], from the config.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Attempts, backoff and time limits, as the config sets them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPolicy {
    /// Attempts before a transient failure becomes final (at least 1).
    pub max_attempts: i64,
    /// The first retry's delay; each later one doubles it.
    pub retry_base: Duration,
    /// No retry waits longer than this.
    pub retry_max: Duration,
    /// An attempt with no progress (no new figures, no log line) for this
    /// long is stopped as a transient failure; `None`: never.
    pub stall_timeout: Option<Duration>,
    /// Each workflow's time limit when the command gave none; a workflow
    /// not listed has none.
    pub timeouts: Vec<(&'static str, Duration)>,
}

/// The config's defaults, the one place they are written.
impl Default for RunPolicy {
    fn default() -> Self {
        crate::config::Config::default().run_policy()
    }
}

impl RunPolicy {
    /// A task's time limit: its own, else its workflow's.
    pub fn time_limit(&self, workflow: &str, own_secs: Option<i64>) -> Option<Duration> {
        match own_secs {
            Some(secs) if secs > 0 => Some(Duration::from_secs(secs as u64)),
            _ => self
                .timeouts
                .iter()
                .find(|(name, _)| *name == workflow)
                .map(|(_, limit)| *limit),
        }
    }

    /// Why an attempt that has run for `elapsed`, last progressing at
    /// `last_progress_ms` (on `working_on`, when it said), must stop now;
    /// `None` while it may go on.
    pub fn exceeded(
        &self,
        limit: Option<Duration>,
        elapsed: Duration,
        last_progress_ms: &AtomicI64,
        working_on: Option<&str>,
    ) -> Option<String> {
        if let Some(limit) = limit.filter(|l| elapsed >= *l) {
            return Some(format!(
                "it ran longer than its time limit of {}",
                in_words(limit.as_millis() as i64)
            ));
        }
        let stall = self.stall_timeout?;
        let quiet = crate::now_ms() - last_progress_ms.load(Ordering::Relaxed);
        (quiet >= stall.as_millis() as i64).then(|| {
            let on = working_on.map(|p| format!(" on {p}")).unwrap_or_default();
            format!(
                "no progress for {}{on}; the disk or network mount it works on may be hung",
                in_words(stall.as_millis() as i64)
            )
        })
    }
}

/// The delay before retrying after failed attempt `attempt` (1-based):
/// `retry_base` doubled for each earlier attempt, capped at `retry_max`,
/// then spread by ±20% (`unit` in [0, 1)) so that many tasks failing
/// together do not all come back at once.
pub fn backoff_ms(policy: &RunPolicy, attempt: i64, unit: f64) -> i64 {
    let base = policy.retry_base.as_millis() as f64;
    let doublings = attempt.clamp(1, 32) - 1;
    let delay = (base * 2f64.powi(doublings as i32)).min(policy.retry_max.as_millis() as f64);
    let jitter = 0.8 + 0.4 * unit.clamp(0.0, 1.0);
    (delay * jitter).round() as i64
}

/// "45 s", "12 min", "2 h 5 min".
pub fn in_words(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", (s + 30) / 60),
        s => {
            let (h, m) = (s / 3600, (s % 3600) / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_retry_comes_after_about_the_base_and_later_ones_double_up_to_the_cap() {
        let policy = RunPolicy::default();
        assert_eq!(backoff_ms(&policy, 1, 0.5), 30_000);
        assert_eq!(backoff_ms(&policy, 2, 0.5), 60_000);
        assert_eq!(backoff_ms(&policy, 3, 0.5), 120_000);
        assert_eq!(backoff_ms(&policy, 30, 0.5), 3_600_000);
        assert_eq!(backoff_ms(&policy, 1, 0.0), 24_000);
        assert_eq!(backoff_ms(&policy, 1, 0.999_999), 36_000);
    }

    #[test]
    fn a_commands_own_time_limit_wins_over_its_workflows() {
        let policy = RunPolicy::default();
        assert_eq!(
            policy.time_limit("backup", Some(7200)),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(
            policy.time_limit("cleanup", None),
            Some(Duration::from_secs(6 * 3600))
        );
        assert_eq!(policy.time_limit("noop", None), None);
    }

    #[test]
    fn an_attempt_stops_past_its_limit_or_after_a_stall() {
        let policy = RunPolicy {
            stall_timeout: Some(Duration::from_secs(600)),
            ..RunPolicy::default()
        };
        let now = AtomicI64::new(crate::now_ms());
        let limit = Some(Duration::from_secs(60));
        assert_eq!(
            policy.exceeded(limit, Duration::from_secs(59), &now, None),
            None
        );
        assert!(policy
            .exceeded(limit, Duration::from_secs(60), &now, None)
            .is_some_and(|why| why.contains("time limit of 1 min")));
        let long_ago = AtomicI64::new(crate::now_ms() - 601_000);
        assert_eq!(
            policy
                .exceeded(None, Duration::from_secs(1), &long_ago, Some("/mnt/nas/a.img"))
                .as_deref(),
            Some("no progress for 10 min on /mnt/nas/a.img; the disk or network mount it works on may be hung")
        );
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(in_words(450), "1 s");
        assert_eq!(in_words(45_000), "45 s");
        assert_eq!(in_words(12 * 60_000), "12 min");
        assert_eq!(in_words(2 * 3_600_000 + 5 * 60_000), "2 h 5 min");
    }
}
