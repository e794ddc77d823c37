//! The periodic look for what no single event reports: a schedule that has
//! not succeeded for longer than its period plus a grace, and the data
//! directory's free space.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch::Receiver;

use app::api::ScheduleView;

use super::Alerts;
use crate::domain::cron::{local_time, next_run_ms};
use crate::store::NewAlert;

/// What the watch looks at, and how often.
#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub every: Duration,
    /// How late a schedule's success may be beyond its period.
    pub schedule_grace_ms: i64,
    pub data_dir: PathBuf,
    pub min_free_bytes: u64,
    /// This node's name: each node watches its own disk.
    pub node: String,
}

/// Since when schedule `s` has gone without a successful run, if that is
/// longer than its period plus `grace_ms` at `now`.
pub fn missed_since(s: &ScheduleView, grace_ms: i64, now: i64) -> Option<i64> {
    let next = s.next_run_at.filter(|_| s.active)?;
    let period = next_run_ms(&s.cron, next).ok()??.checked_sub(next)?;
    let since = s.last_success_at.unwrap_or(s.created_at);
    (now > since.saturating_add(period).saturating_add(grace_ms)).then_some(since)
}

/// Looks every `settings.every` until `shutdown`.
pub async fn watch(alerts: Arc<Alerts>, settings: WatchSettings, mut shutdown: Receiver<bool>) {
    let mut tick = tokio::time::interval(settings.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut disk_was_low = false;
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = schedules(&alerts, &settings).await {
            tracing::warn!(error = %e, "could not look for missed schedules");
        }
        disk_was_low = disk(&alerts, &settings, disk_was_low).await;
    }
}

async fn schedules(
    alerts: &Alerts,
    settings: &WatchSettings,
) -> Result<(), crate::store::StoreError> {
    let now = crate::now_ms();
    for schedule in alerts.store.list_schedules().await? {
        let Some(since) = missed_since(&schedule, settings.schedule_grace_ms, now) else {
            continue;
        };
        let what = if schedule.last_success_at.is_some() {
            format!("no run has succeeded since {}", local_time(since))
        } else {
            format!(
                "no run has succeeded since it was made ({})",
                local_time(since)
            )
        };
        alerts
            .raise(NewAlert {
                key: format!("schedule_missed:{}:{since}", schedule.id),
                event: "schedule_missed",
                task_id: schedule.last_task_id,
                schedule_id: Some(schedule.id),
                message: format!(
                    "Schedule #{} ({}, {}): {what}.",
                    schedule.id, schedule.summary, schedule.description
                ),
            })
            .await?;
    }
    Ok(())
}

/// Raises the low-space alert when the free space falls below the
/// threshold (once per fall); whether it is low now.
async fn disk(alerts: &Alerts, settings: &WatchSettings, was_low: bool) -> bool {
    let Some(free) = crate::domain::disk::free_bytes(&settings.data_dir) else {
        return was_low;
    };
    let low = free < settings.min_free_bytes;
    if low && !was_low {
        let alert = NewAlert {
            key: format!("disk_low:{}:{}", settings.node, crate::now_ms()),
            event: "disk_low",
            task_id: None,
            schedule_id: None,
            message: format!(
                "The data directory {} on node {} has {} free, below the {} set (min_free_mb).",
                settings.data_dir.display(),
                settings.node,
                app::format::bytes(free),
                app::format::bytes(settings.min_free_bytes)
            ),
        };
        if let Err(e) = alerts.raise(alert).await {
            tracing::warn!(error = %e, "could not raise the low-space alert");
        }
    }
    low
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hourly(created_at: i64, last_success_at: Option<i64>, next_run_at: i64) -> ScheduleView {
        ScheduleView {
            id: 3,
            workflow: "backup".into(),
            summary: "Back up".into(),
            cron: "0 * * * *".into(),
            description: "every hour".into(),
            active: true,
            next_run_at: Some(next_run_at),
            last_run_at: None,
            last_task_id: None,
            runs: 0,
            created_at,
            updated_at: created_at,
            last_success_at,
        }
    }

    #[test]
    fn a_schedule_is_missed_after_its_period_and_grace_without_success() {
        let hour = 3_600_000;
        // Made at 10:00 (next run 11:00), never succeeded.
        let made = 1_767_261_600_000; // 2026-01-01 10:00 UTC, on the hour
        let s = hourly(made, None, made + hour);
        let grace = 10 * 60_000;
        assert_eq!(missed_since(&s, grace, made + hour + grace - 1), None);
        assert_eq!(missed_since(&s, grace, made + hour + grace + 1), Some(made));
        // A success at 11:05 moves the mark.
        let s = hourly(made, Some(made + hour + 300_000), made + 2 * hour);
        assert_eq!(missed_since(&s, grace, made + hour + grace + 1), None);
        let mut stopped = s.clone();
        stopped.active = false;
        assert_eq!(missed_since(&stopped, 0, made + 100 * hour), None);
    }
}
