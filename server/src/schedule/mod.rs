//! Plans that repeat. A plan whose command states when ("every night at
//! 2am") becomes a schedule when confirmed; the [`Scheduler`] queues a task
//! for it at each time it comes due, in the server's time zone.

pub mod cron;
mod runner;
mod sql;
mod store;

use chrono::{Local, TimeZone};

pub use cron::{Cron, CronError};
pub use runner::{local_time, Scheduler};
pub(crate) use sql::{insert_schedule, schedule_in};
pub use store::{Fired, ScheduleStore};

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
