//! Answers to questions about tasks ("what failed last night?", "show me
//! the log of task 12", "how long did the photo backup take?"): a sentence,
//! and the tasks as compact cards linked to their pages.

use chrono::{Duration as Days, Local, TimeZone};

use app::api::{CommandResponse, TaskState, TaskView};

use super::{PlanError, Planner};
use crate::nlu::question::{Ask, Since, TaskQuestion};
use crate::nlu::Understanding;
use crate::store::TaskFilter;

/// Most tasks one answer lists.
const LISTED: i64 = 20;
/// Log lines an answer shows; the task's page has the rest.
const LOG_LINES: i64 = 8;

pub async fn answer(
    planner: &Planner,
    u: &Understanding,
    q: &TaskQuestion,
) -> Result<CommandResponse, PlanError> {
    match q.ask {
        Ask::List => list(planner, u, q).await,
        Ask::Log => log(planner, u).await,
        Ask::Duration => duration(planner, u, q).await,
    }
}

fn reply(u: &Understanding, message: String, tasks: Vec<TaskView>) -> CommandResponse {
    CommandResponse::reply_about(u.intent.as_str(), message, tasks)
}

/// The window `since` names at `now` (local time): from, and until.
pub fn window(since: Since, now: i64) -> (i64, Option<i64>) {
    let local = Local
        .timestamp_millis_opt(now)
        .single()
        .unwrap_or_else(Local::now);
    let midnight = |days_back: i64| {
        let day = local.date_naive() - Days::days(days_back);
        day.and_hms_opt(0, 0, 0)
            .and_then(|t| Local.from_local_datetime(&t).earliest())
            .map_or(now, |t| t.timestamp_millis())
    };
    match since {
        Since::Today => (midnight(0), None),
        Since::LastNight => (midnight(1) + 18 * 3_600_000, None),
        Since::Yesterday => (midnight(1), Some(midnight(0))),
        Since::Hours(h) => (now - i64::from(h) * 3_600_000, None),
    }
}

fn since_words(since: Since) -> String {
    match since {
        Since::Today => "today".into(),
        Since::LastNight => "since last night (yesterday 18:00)".into(),
        Since::Yesterday => "yesterday".into(),
        Since::Hours(h) if h % 24 == 0 => format!("in the last {} days", h / 24),
        Since::Hours(h) => format!("in the last {h} hours"),
    }
}

async fn list(
    planner: &Planner,
    u: &Understanding,
    q: &TaskQuestion,
) -> Result<CommandResponse, PlanError> {
    let now = crate::now_ms();
    let (from, until) = q.since.map_or((None, None), |s| {
        let (from, until) = window(s, now);
        (Some(from), until)
    });
    let filter = TaskFilter {
        states: q.states.clone(),
        workflows: q.workflow.map(|w| vec![w.to_string()]).unwrap_or_default(),
        text: q.about.clone(),
        since: from,
        limit: LISTED + 1,
        ..TaskFilter::default()
    };
    let mut tasks = planner.store.find_tasks(&filter).await?;
    if let Some(until) = until {
        tasks.retain(|t| t.created_at < until);
    }
    let more = tasks.len() as i64 > LISTED;
    tasks.truncate(LISTED as usize);
    let what = kind_words(q);
    let when = q
        .since
        .map(since_words)
        .unwrap_or_else(|| "right now".into());
    let message = if tasks.is_empty() && q.since.is_none() {
        // "What's running?" with nothing running: say so, then what ran.
        let latest = planner.store.list_tasks(5).await?;
        let mut lines = vec![format!("No {what} {when}.")];
        if !latest.is_empty() {
            lines.push("Latest tasks:".into());
            lines.extend(latest.iter().map(super::replies::describe));
        }
        tasks = latest;
        lines.join("\n")
    } else if tasks.is_empty() {
        format!("No {what} {when}.")
    } else {
        let mut lines = vec![format!(
            "{} {what} {when}{}:",
            tasks.len(),
            if more {
                " (the newest; the Tasks page has them all)"
            } else {
                ""
            }
        )];
        lines.extend(tasks.iter().map(one_line));
        lines.join("\n")
    };
    Ok(reply(u, message, tasks))
}

/// "failed backups", "tasks", "running mirrors".
fn kind_words(q: &TaskQuestion) -> String {
    let state = match q.states.as_slice() {
        [TaskState::Failed] => "failed ",
        [TaskState::Succeeded] => "succeeded ",
        [TaskState::Cancelled] => "cancelled ",
        [TaskState::Running] => "running ",
        [] => "",
        _ => "matching ",
    };
    let kind = match q.workflow {
        Some("backup") => "backups",
        Some("sync") => "mirrors",
        Some("cleanup") => "cleanups",
        Some("restore") => "restores",
        _ => "tasks",
    };
    let about = q
        .about
        .as_deref()
        .map(|a| format!(" about \"{a}\""))
        .unwrap_or_default();
    format!("{state}{kind}{about}")
}

/// "#12 Back up /srv/photos … failed: the NAS is unreachable".
fn one_line(t: &TaskView) -> String {
    let at = crate::domain::cron::local_time(t.finished_at.unwrap_or(t.created_at));
    let error = t
        .error
        .as_deref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    format!("#{} {} — {} {at}{error}", t.id, t.summary, t.state.as_str())
}

async fn log(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
    let Some(id) = u.slots.task_id else {
        return Ok(reply(
            u,
            "Which task? Say for example: show me the log of task 12.".into(),
            Vec::new(),
        ));
    };
    let task = planner.store.get_task(id).await?;
    let mut events = planner.store.task_events_page(id, None, LOG_LINES).await?;
    events.reverse();
    let mut lines = vec![format!(
        "Task #{id} ({}) is {}. The last lines of its log:",
        task.summary,
        task.state.as_str()
    )];
    lines.extend(events.iter().map(|e| {
        format!(
            "{} {}: {}",
            crate::domain::cron::local_time(e.at),
            e.kind,
            e.message
        )
    }));
    lines.push(format!("The whole log is on its page: /tasks/{id}"));
    Ok(reply(u, lines.join("\n"), vec![task]))
}

async fn duration(
    planner: &Planner,
    u: &Understanding,
    q: &TaskQuestion,
) -> Result<CommandResponse, PlanError> {
    let task = match u.slots.task_id {
        Some(id) => planner.store.get_task(id).await?,
        None => {
            let filter = TaskFilter {
                workflows: q.workflow.map(|w| vec![w.to_string()]).unwrap_or_default(),
                text: q.about.clone(),
                states: vec![
                    TaskState::Succeeded,
                    TaskState::Failed,
                    TaskState::Cancelled,
                    TaskState::Running,
                ],
                limit: 1,
                ..TaskFilter::default()
            };
            match planner.store.find_tasks(&filter).await?.pop() {
                Some(task) => task,
                None => {
                    return Ok(reply(
                        u,
                        format!("I found no {} that has run.", kind_words(q)),
                        Vec::new(),
                    ))
                }
            }
        }
    };
    let message = took(&task, crate::now_ms());
    Ok(reply(u, message, vec![task]))
}

/// "Task #12 (…) took 3 min 5 s: 1204 files, 2.0 GB (11.1 MB/s, 6.5 files/s)."
pub fn took(task: &TaskView, now: i64) -> String {
    let head = format!("Task #{} ({})", task.id, task.summary);
    let Some(start) = task.started_at else {
        return format!("{head} has not started yet.");
    };
    let (verb, end) = match task.finished_at {
        Some(end) => ("took", end),
        None => ("has been running for", now),
    };
    let ms = (end - start).max(1);
    let p = &task.progress;
    let secs = ms as f64 / 1000.0;
    let rate = format!(
        "{}/s, {:.1} files/s",
        app::format::bytes((p.bytes_done as f64 / secs) as u64),
        p.files_done as f64 / secs
    );
    format!(
        "{head} {verb} {}: {} files, {} ({rate}).",
        app::format::duration(ms),
        p.files_done,
        app::format::bytes(p.bytes_done)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_local_day() {
        let now = Local
            .with_ymd_and_hms(2026, 12, 4, 9, 30, 0)
            .unwrap()
            .timestamp_millis();
        let at = |d, h| {
            Local
                .with_ymd_and_hms(2026, 12, d, h, 0, 0)
                .unwrap()
                .timestamp_millis()
        };
        assert_eq!(window(Since::Today, now), (at(4, 0), None));
        assert_eq!(window(Since::LastNight, now), (at(3, 18), None));
        assert_eq!(window(Since::Yesterday, now), (at(3, 0), Some(at(4, 0))));
        assert_eq!(window(Since::Hours(2), now), (at(4, 7) + 30 * 60_000, None));
    }

    #[test]
    fn a_duration_says_how_fast() {
        let task = TaskView {
            id: 12,
            summary: "Back up /srv/photos".into(),
            started_at: Some(0),
            finished_at: Some(185_000),
            progress: app::api::ProgressView {
                files_done: 1200,
                bytes_done: 2_000_000_000,
                ..Default::default()
            },
            ..Default::default()
        };
        let line = took(&task, 999_999);
        assert!(
            line.starts_with("Task #12 (Back up /srv/photos) took 3 min 5 s: 1200 files"),
            "{line}"
        );
        assert!(line.contains("6.5 files/s"), "{line}");
        let waiting = TaskView::default();
        assert!(took(&waiting, 5).ends_with("has not started yet."));
    }
}
