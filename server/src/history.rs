//! The figures the Tasks page charts, worked out from the tasks' own
//! history: tasks ended per hour by outcome, the time from queued to first
//! start per day (p50, p95), and the bytes moved per day.

use chrono::{Local, TimeZone};

use app::api::{DayStats, HourStats, StatsView};

use crate::store::{TaskState, TaskTimes};

const HOUR_MS: i64 = 3_600_000;

/// The first moment covered by `days` days ending at `now`: the local
/// midnight `days - 1` days before today's.
pub fn window_start(now: i64, days: u32) -> i64 {
    local_midnight(now) - i64::from(days.saturating_sub(1)) * 24 * HOUR_MS
}

/// The figures for the `days` days up to `now`, from `tasks` (as
/// `Store::task_times` returns them for [`window_start`]).
pub fn stats(tasks: &[TaskTimes], now: i64, days: u32) -> StatsView {
    let since = window_start(now, days);
    let first_hour = since - since.rem_euclid(HOUR_MS);
    let hour_count = ((now - first_hour) / HOUR_MS + 1).max(0) as usize;
    let mut hours: Vec<HourStats> = (0..hour_count)
        .map(|i| HourStats {
            at: first_hour + i as i64 * HOUR_MS,
            ..HourStats::default()
        })
        .collect();
    let day_starts: Vec<i64> = (0..days)
        .map(|d| local_midnight(since + i64::from(d) * 24 * HOUR_MS + HOUR_MS * 12))
        .collect();
    let mut waits: Vec<Vec<i64>> = vec![Vec::new(); day_starts.len()];
    let mut bytes = vec![0u64; day_starts.len()];
    for task in tasks {
        if let Some(end) = task
            .finished_at
            .filter(|at| *at >= first_hour && *at <= now)
        {
            let hour = &mut hours[((end - first_hour) / HOUR_MS) as usize];
            match task.state {
                TaskState::Succeeded => hour.succeeded += 1,
                TaskState::Failed => hour.failed += 1,
                TaskState::Cancelled => hour.cancelled += 1,
                _ => {}
            }
            if let Some(day) = day_of(&day_starts, end) {
                bytes[day] += task.bytes_done;
            }
        }
        if let Some(start) = task.first_started_at {
            if let Some(day) = day_of(&day_starts, start) {
                waits[day].push((start - task.created_at).max(0));
            }
        }
    }
    let days = day_starts
        .iter()
        .zip(waits.iter_mut())
        .zip(bytes)
        .map(|((day, waits), bytes)| {
            waits.sort_unstable();
            DayStats {
                day: *day,
                queue_wait_p50_ms: percentile(waits, 0.50),
                queue_wait_p95_ms: percentile(waits, 0.95),
                bytes,
            }
        })
        .collect();
    StatsView {
        since: first_hour,
        hours,
        days,
    }
}

/// The index of the day (of those starting at `starts`) holding `at`.
fn day_of(starts: &[i64], at: i64) -> Option<usize> {
    let first = *starts.first()?;
    if at < first {
        return None;
    }
    Some(starts.iter().rposition(|s| *s <= at).unwrap_or(0))
}

/// The nearest-rank percentile of sorted `values`.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// Local midnight of the day holding `at` (Unix ms).
fn local_midnight(at: i64) -> i64 {
    let Some(local) = Local.timestamp_millis_opt(at).single() else {
        return at - at.rem_euclid(24 * HOUR_MS);
    };
    local
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| Local.from_local_datetime(&midnight).earliest())
        .map(|m| m.timestamp_millis())
        .unwrap_or(at - at.rem_euclid(24 * HOUR_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(state: TaskState, created: i64, started: i64, finished: i64, bytes: u64) -> TaskTimes {
        TaskTimes {
            workflow: "backup".into(),
            state,
            created_at: created,
            first_started_at: Some(started),
            finished_at: Some(finished),
            bytes_done: bytes,
        }
    }

    #[test]
    fn every_hour_and_day_is_there_and_tasks_count_where_they_ended() {
        let now = Local
            .with_ymd_and_hms(2026, 12, 4, 15, 30, 0)
            .unwrap()
            .timestamp_millis();
        let tasks = [
            ended(
                TaskState::Succeeded,
                now - 10_000,
                now - 9_000,
                now - 1_000,
                500,
            ),
            ended(
                TaskState::Failed,
                now - 10_000,
                now - 8_000,
                now - 2_000,
                20,
            ),
            ended(TaskState::Succeeded, now - 5_000, now - 1_000, now - 500, 0),
            // Ended before the window: not counted.
            ended(TaskState::Failed, 0, 1, 2, 7),
        ];
        let s = stats(&tasks, now, 7);
        assert_eq!(s.days.len(), 7);
        assert_eq!(s.hours.first().map(|h| h.at), Some(s.since));
        let last = s.hours.last().unwrap();
        assert_eq!((last.succeeded, last.failed, last.cancelled), (2, 1, 0));
        assert_eq!(s.hours.iter().map(|h| h.failed).sum::<u64>(), 1);
        let today = s.days.last().unwrap();
        assert_eq!(today.bytes, 520);
        // Waits of 1, 2 and 4 seconds.
        assert_eq!(today.queue_wait_p50_ms, Some(2_000));
        assert_eq!(today.queue_wait_p95_ms, Some(4_000));
        assert_eq!(s.days[0].queue_wait_p50_ms, None);
        assert!(s.days.windows(2).all(|w| w[0].day < w[1].day));
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.95), Some(7));
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 0.5), Some(50));
        assert_eq!(percentile(&hundred, 0.95), Some(95));
    }
}
