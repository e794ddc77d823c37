use app::api::CommandResponse;

use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::queue::{CancelOutcome, StoreError};

const CAPABILITIES: &str = "I can clean up files (for example: clean up *.tmp files older than 7 days in /srv/scratch) and undo a cleanup (restore quarantine of task 3), back up a directory (back up /srv/photos to /mnt/nas/photos-backup, keep 14) and restore it (restore /srv/photos from /mnt/nas/photos-backup), mirror a directory (sync /srv/docs to /mnt/usb/docs), show the status of tasks (status, or status of task 3) and cancel a task (cancel task 3).";

fn reply(u: &Understanding, message: String) -> CommandResponse {
    CommandResponse::Reply {
        intent: u.intent.as_str().into(),
        message,
    }
}

pub fn help(u: &Understanding) -> CommandResponse {
    reply(
        u,
        format!("Sorry, that is not something I can do. {CAPABILITIES}"),
    )
}

pub async fn status(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
    if let Some(id) = u.slots.task_id {
        let task = planner.store.get_task(id).await?;
        return Ok(reply(u, describe(&task)));
    }
    let tasks = planner.store.list_tasks(5).await?;
    if tasks.is_empty() {
        return Ok(reply(u, "There are no tasks yet.".into()));
    }
    let lines: Vec<String> = tasks.iter().map(describe).collect();
    Ok(reply(u, format!("Latest tasks: {}", lines.join(" | "))))
}

fn describe(task: &app::api::TaskView) -> String {
    let p = &task.progress;
    let mut text = format!(
        "Task #{} ({}) is {}: {} / {} files",
        task.id,
        task.summary,
        task.state.as_str(),
        p.files_done,
        p.files_total
    );
    if let Some(e) = &task.error {
        text.push_str(&format!(". {e}"));
    }
    text
}

pub async fn cancel(planner: &Planner, u: &Understanding) -> Result<CommandResponse, PlanError> {
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
