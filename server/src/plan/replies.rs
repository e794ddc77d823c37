use app::api::{CommandResponse, ScheduleView, TaskState, TaskView};

use super::{PlanError, Planner};
use crate::nlu::{intent, ScheduleRequest, Slots, Understanding};
use crate::store::{CancelOutcome, StoreError};

const CAPABILITIES: &str = "I can clean up files (for example: clean up *.tmp files older than 7 days in /srv/scratch) and undo a cleanup (restore quarantine of task 3), back up a directory (back up /srv/photos to /mnt/nas/photos-backup, keep 14) and restore it (restore /srv/photos from /mnt/nas/photos-backup), mirror a directory (sync /srv/docs to /mnt/usb/docs), show the status of tasks (status, or status of task 3) and cancel a task (cancel task 3).";

fn reply(u: &Understanding, message: String) -> CommandResponse {
    CommandResponse::reply(u.intent.as_str(), message)
}

pub fn help(u: &Understanding) -> CommandResponse {
    // Say why, when the reason is the asking: the words may be Tend's.
    let lead = if intent::asks_rather_than_commands(&u.text, &Slots::default()) {
        "That reads as a question or a request for something other than a task, so I have not acted on it: I run tasks, I do not answer questions or write scripts."
    } else {
        "Sorry, that is not something I can do."
    };
    reply(u, format!("{lead} {CAPABILITIES}"))
}

pub async fn status(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
    if let Some(question) = &u.question {
        return super::questions::answer(planner, u, question).await;
    }
    if let Some(id) = u.slots.task_id {
        let task = planner.store.get_task(id).await?;
        return Ok(reply(u, describe(&task)));
    }
    let tasks = planner.store.list_tasks(5).await?;
    let schedules = active_schedules(planner).await?;
    Ok(reply(u, status_text(&tasks, &schedules)))
}

/// The latest tasks, then the schedules, one line each: a status answer
/// is read as a list.
fn status_text(tasks: &[TaskView], schedules: &[ScheduleView]) -> String {
    let mut lines = Vec::new();
    if tasks.is_empty() {
        lines.push("There are no tasks yet.".to_string());
    } else {
        lines.push("Latest tasks:".to_string());
        lines.extend(tasks.iter().map(describe));
    }
    if !schedules.is_empty() {
        lines.push("Schedules:".to_string());
        lines.push(describe_schedules(schedules));
    }
    lines.join("\n")
}

pub(super) async fn active_schedules(planner: &Planner) -> Result<Vec<ScheduleView>, PlanError> {
    let mut all = planner.store.list_schedules().await?;
    all.retain(|s| s.active);
    Ok(all)
}

/// One line per schedule: "#3 mirror of /srv/docs runs every Sunday at
/// 03:30, next run ...".
pub(super) fn describe_schedules(schedules: &[ScheduleView]) -> String {
    let lines: Vec<String> = schedules.iter().map(describe_schedule).collect();
    lines.join("\n")
}

fn describe_schedule(s: &ScheduleView) -> String {
    let next = s
        .next_run_at
        .map(|t| format!(", next run {}", crate::schedule::local_time(t)))
        .unwrap_or_default();
    format!("#{} {} runs {}{next}", s.id, s.summary, s.description)
}

/// "stop schedule 3": no more runs of it.
async fn stop_schedule(
    planner: &Planner,
    u: &Understanding,
    id: Option<i64>,
) -> Result<CommandResponse, PlanError> {
    let Some(id) = id else {
        let schedules = active_schedules(planner).await?;
        let message = if schedules.is_empty() {
            "There are no schedules to stop.".to_string()
        } else {
            format!(
                "Which schedule should I stop? Say for example: stop schedule {}. Schedules:\n{}",
                schedules[0].id,
                describe_schedules(&schedules)
            )
        };
        return Ok(reply(u, message));
    };
    let schedule = planner.stop_schedule(id).await?;
    Ok(reply(
        u,
        format!(
            "Schedule #{id} is stopped: {} will not run again. A run already queued or running goes on (cancel it as a task).",
            schedule.summary
        ),
    ))
}

/// One task as a sentence: "Task #3 (Mirror …) succeeded: 30 of 30 files."
pub(super) fn describe(task: &TaskView) -> String {
    let head = format!("Task #{} ({})", task.id, task.summary);
    let p = &task.progress;
    let files = app::format::files_progress(p.files_done, p.files_total);
    match task.state {
        TaskState::Queued => format!("{head} is queued."),
        TaskState::Waiting => match &task.waiting_for {
            Some(what) => format!("{head} is {}.", what.describe()),
            None => format!("{head} is waiting."),
        },
        TaskState::Running => format!("{head} is running: {files}."),
        TaskState::Retrying => {
            let when = task
                .run_at
                .map(|at| format!(" at {}", crate::domain::cron::local_time(at)))
                .unwrap_or_default();
            let why = task
                .error
                .as_deref()
                .map(|e| format!(" Attempt {} failed: {e}", task.attempt))
                .unwrap_or_default();
            format!("{head} will be tried again{when}.{why}")
        }
        TaskState::Succeeded => format!("{head} succeeded: {files}."),
        TaskState::Failed => match &task.error {
            Some(error) => format!("{head} failed: {error}"),
            None => format!("{head} failed."),
        },
        TaskState::Cancelled if p.files_done > 0 => {
            format!("{head} was cancelled after {files}.")
        }
        TaskState::Cancelled => format!("{head} was cancelled."),
    }
}

/// "retry task 12": the task runs again as a new task.
pub async fn retry(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
    let Some(id) = u.slots.task_id else {
        return Ok(reply(
            u,
            "Which task should I run again? Say for example: retry task 3.".into(),
        ));
    };
    match planner.workers.retry(id).await {
        Ok(task) => Ok(reply(
            u,
            format!(
                "Task #{id} runs again as task #{}: {}.",
                task.id, task.summary
            ),
        )),
        Err(e @ StoreError::NotRetryable { .. }) => Ok(reply(u, e.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub async fn cancel(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
    if u.schedule_request == Some(ScheduleRequest::Stop) {
        return stop_schedule(planner, u, u.slots.schedule_id).await;
    }
    // "stop the nightly backup": a repeating thing, so a schedule; which one
    // is asked, never guessed.
    if u.slots.schedule.is_some() && u.slots.task_id.is_none() {
        return stop_schedule(planner, u, None).await;
    }
    let Some(id) = u.slots.task_id else {
        return Ok(reply(
            u,
            "Which task should I cancel? Say for example: cancel task 3.".into(),
        ));
    };
    match planner.workers.cancel(id).await {
        Ok((_, CancelOutcome::Cancelled)) => Ok(reply(
            u,
            format!("Task #{id} is cancelled; it had not started."),
        )),
        Ok((_, CancelOutcome::Requested)) => Ok(reply(u, format!("Task #{id} is stopping."))),
        Err(StoreError::IllegalTransition { .. }) => Ok(reply(
            u,
            format!("Task #{id} has already finished; there is nothing to cancel."),
        )),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: i64, state: TaskState, done: u64, total: Option<u64>) -> TaskView {
        TaskView {
            id,
            workflow: "sync".into(),
            summary: "Mirror /srv/docs to /mnt/usb/docs".into(),
            state,
            progress: app::api::ProgressView {
                files_done: done,
                files_total: total,
                ..Default::default()
            },
            error: (state == TaskState::Failed).then(|| "The disk is full.".to_string()),
            attempt: 1,
            revision: 1,
            ..TaskView::default()
        }
    }

    #[test]
    fn each_state_reads_as_a_sentence() {
        let head = "Task #3 (Mirror /srv/docs to /mnt/usb/docs)";
        for (state, done, total, expected) in [
            (TaskState::Queued, 0, Some(30), "is queued."),
            (
                TaskState::Running,
                12,
                Some(30),
                "is running: 12 of 30 files.",
            ),
            (TaskState::Running, 12, None, "is running: 12 files so far."),
            (
                TaskState::Succeeded,
                30,
                Some(30),
                "succeeded: 30 of 30 files.",
            ),
            (TaskState::Succeeded, 1, Some(1), "succeeded: 1 of 1 file."),
            (TaskState::Failed, 3, Some(30), "failed: The disk is full."),
            (TaskState::Cancelled, 0, Some(30), "was cancelled."),
            (
                TaskState::Cancelled,
                3,
                Some(30),
                "was cancelled after 3 of 30 files.",
            ),
        ] {
            assert_eq!(
                describe(&task(3, state, done, total)),
                format!("{head} {expected}")
            );
        }
    }

    #[test]
    fn the_status_is_a_list_with_one_line_per_task() {
        let tasks = [
            task(3, TaskState::Succeeded, 30, Some(30)),
            task(2, TaskState::Running, 5, None),
        ];
        assert_eq!(
            status_text(&tasks, &[]),
            "Latest tasks:\n\
             Task #3 (Mirror /srv/docs to /mnt/usb/docs) succeeded: 30 of 30 files.\n\
             Task #2 (Mirror /srv/docs to /mnt/usb/docs) is running: 5 files so far."
        );
        assert_eq!(status_text(&[], &[]), "There are no tasks yet.");
    }
}
