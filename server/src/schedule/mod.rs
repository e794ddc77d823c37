//! Plans that repeat. A plan whose command states when ("every night at
//! 2am") becomes a schedule when confirmed; the [`Scheduler`] queues a task
//! for it at each time it comes due, in the server's time zone.

mod runner;

pub use crate::domain::cron::{describe, local_time, next_run_ms, Cron, CronError};
pub use crate::store::{Fired, ScheduleStore};
pub use runner::{run_params, Scheduler, WakeWorkers};
