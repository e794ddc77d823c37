use leptos::prelude::*;

use super::{Clock, ConnectionBadge, LiveTasks, Schedules};
use crate::api::{TaskState, TaskView};
use crate::client;
use crate::format;

/// Every task with its live state and progress.
#[component]
pub fn TaskPanel() -> impl IntoView {
    let live = LiveTasks::expect();
    Clock::provide();

    view! {
        <section class="task-panel" aria-label="Tasks">
            <header>
                <h2>"Tasks"</h2>
                <ConnectionBadge />
            </header>
            <Schedules />
            <Show
                when=move || !live.tasks.get().is_empty()
                fallback=|| view! { <p class="empty">"No tasks yet."</p> }
            >
                <ul class="tasks">
                    <For
                        each=move || live.tasks.get()
                        key=|task| (task.id, task.revision)
                        children=|task| view! { <TaskRow task /> }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn TaskRow(task: TaskView) -> impl IntoView {
    let id = task.id;
    let progress = progress_line(&task);
    let (bar_max, bar_value) = bar(&task);
    let cancellable = !task.state.is_terminal() && !task.cancel_requested;
    let retryable = matches!(task.state, TaskState::Failed | TaskState::Cancelled);
    let (action_error, set_action_error) = signal(None::<String>);
    let cancel = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = client::cancel_task(id).await {
                set_action_error.set(Some(e.0));
            }
        });
    };
    let retry = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = client::retry_task(id).await {
                set_action_error.set(Some(e.0));
            }
        });
    };
    let attempts = attempts_line(&task);
    let clock = Clock::expect();
    let rate = match (task.state, task.started_at) {
        (TaskState::Running, Some(started)) => {
            let progress = task.progress.clone();
            Some(move || {
                format::rate_line(&progress, started, clock.now())
                    .map(|r| view! { <p class="task-rate">{r}</p> })
            })
        }
        _ => None,
    };

    view! {
        <li class="task" data-task-id=id.to_string() data-state=task.state.as_str()>
            <div class="task-head">
                <a class="task-id" href=format!("/tasks/{id}")>{format!("#{id}")}</a>
                <span class="task-workflow">{task.workflow.clone()}</span>
                <span class="task-state" data-state=task.state.as_str()>{task.state.as_str()}</span>
                <span class="task-priority" data-priority=task.priority.as_str()>
                    {task.priority.as_str()}
                </span>
            </div>
            <p class="task-summary">
                {task.summary.clone()}
                {task.asked_by.clone().map(|who| view! { <span class="asked-by">" · asked by "{who}</span> })}
            </p>
            <progress
                max=bar_max.to_string()
                value=bar_value.map(|v| v.to_string())
                aria-label=format!("Progress of task {id}")
            ></progress>
            <p class="task-progress">{progress}</p>
            {rate}
            {waiting_line(&task).map(|w| view! { <p class="task-waiting">{w}</p> })}
            {attempts.map(|a| view! { <p class="task-attempts">{a}</p> })}
            {task.progress.current.clone().filter(|_| task.state == TaskState::Running).map(|c| view! { <p class="task-current"><code>{c}</code></p> })}
            {task.result.clone().map(|r| view! { <p class="task-result">{r}</p> })}
            {task.error.clone().map(|e| view! { <p class="task-error" role="alert">{e}</p> })}
            {cancellable.then(|| view! { <button class="task-cancel acts" on:click=cancel>"Cancel task"</button> })}
            {retryable.then(|| view! { <button class="task-retry acts" on:click=retry>"Retry"</button> })}
            {move || action_error.get().map(|e| view! { <p class="task-error">{e}</p> })}
        </li>
    }
}

/// "12 of 40 files · 1.2 MiB / 3.0 MiB"; a task that has not started yet
/// has nothing to count.
pub(super) fn progress_line(task: &TaskView) -> String {
    let p = &task.progress;
    let waiting = matches!(
        task.state,
        TaskState::Queued | TaskState::Retrying | TaskState::Waiting
    ) && p.files_done == 0
        && p.bytes_done == 0;
    if waiting {
        return "Not started yet".into();
    }
    format!(
        "{} · {} / {}",
        format::files_progress(p.files_done, p.files_total),
        format::bytes(p.bytes_done),
        format::bytes(p.bytes_total)
    )
}

/// What a waiting task waits for: "Waiting for #12 (/srv/photos)."; for
/// one made after others, which those are.
fn waiting_line(task: &TaskView) -> Option<String> {
    match (&task.waiting_for, task.state) {
        (Some(what), TaskState::Waiting) => {
            let mut line = what.describe();
            line[..1].make_ascii_uppercase();
            Some(format!("{line}."))
        }
        _ if !task.depends_on.is_empty() && !task.state.is_terminal() => {
            let after: Vec<String> = task.depends_on.iter().map(|id| format!("#{id}")).collect();
            Some(format!("Runs after {}.", after.join(", ")))
        }
        _ => None,
    }
}

/// Which attempt this is, and for a task waiting to retry, when it runs
/// next; nothing for a first attempt that needs no comment.
fn attempts_line(task: &TaskView) -> Option<String> {
    let retry_of = task.retry_of.map(|old| format!("Runs task #{old} again. "));
    let line = match (task.state, task.run_at) {
        (TaskState::Retrying, Some(at)) => Some(format!(
            "Attempt {} failed; the next runs at {}.",
            task.attempt,
            format::time(at)
        )),
        (TaskState::Retrying, None) => Some(format!("Attempt {} failed; retrying.", task.attempt)),
        (_, _) if task.attempt > 1 => Some(format!("Attempt {}.", task.attempt)),
        _ => None,
    };
    match (retry_of, line) {
        (None, None) => None,
        (a, b) => Some(format!(
            "{}{}",
            a.unwrap_or_default(),
            b.unwrap_or_default()
        )),
    }
}

/// The progress bar's maximum and value: files when their total is known,
/// else bytes; no value (a bar that says "busy") when neither is known yet.
pub(super) fn bar(task: &TaskView) -> (u64, Option<u64>) {
    let p = &task.progress;
    let finished = task.state == TaskState::Succeeded;
    match p.files_total {
        Some(0) | None if finished => (1, Some(1)),
        Some(total) => (total.max(1), Some(p.files_done)),
        None if p.bytes_total > 0 => (p.bytes_total, Some(p.bytes_done)),
        None => (1, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ProgressView;

    fn task(state: TaskState, progress: ProgressView) -> TaskView {
        TaskView {
            id: 1,
            workflow: "backup".into(),
            state,
            progress,
            attempt: 1,
            revision: 1,
            ..TaskView::default()
        }
    }

    #[test]
    fn a_task_that_has_not_started_says_so_instead_of_counting_nothing() {
        assert_eq!(
            progress_line(&task(TaskState::Queued, ProgressView::default())),
            "Not started yet"
        );
        let counted = ProgressView {
            files_done: 2,
            files_total: Some(2),
            bytes_done: 2048,
            bytes_total: 2048,
            current: None,
        };
        assert_eq!(
            progress_line(&task(TaskState::Succeeded, counted)),
            "2 of 2 files · 2.0 KiB / 2.0 KiB"
        );
    }

    #[test]
    fn a_retrying_task_says_which_attempt_failed_and_when_the_next_runs() {
        let mut t = task(TaskState::Retrying, ProgressView::default());
        t.run_at = Some(0);
        assert_eq!(
            attempts_line(&t).unwrap(),
            format!("Attempt 1 failed; the next runs at {}.", format::time(0))
        );
        let mut second = task(TaskState::Running, ProgressView::default());
        assert_eq!(attempts_line(&second), None);
        second.attempt = 2;
        second.retry_of = Some(7);
        assert_eq!(
            attempts_line(&second).unwrap(),
            "Runs task #7 again. Attempt 2."
        );
    }

    #[test]
    fn the_bar_follows_bytes_while_the_file_total_is_unknown() {
        let walking = ProgressView {
            files_done: 30,
            files_total: None,
            bytes_done: 300,
            bytes_total: 1000,
            current: None,
        };
        assert_eq!(
            bar(&task(TaskState::Running, walking.clone())),
            (1000, Some(300))
        );
        let nothing_known = ProgressView {
            bytes_total: 0,
            bytes_done: 0,
            ..walking
        };
        assert_eq!(
            bar(&task(TaskState::Running, nothing_known.clone())),
            (1, None)
        );
        assert_eq!(
            bar(&task(TaskState::Succeeded, nothing_known)),
            (1, Some(1))
        );
        let counted = ProgressView {
            files_done: 2,
            files_total: Some(5),
            ..ProgressView::default()
        };
        assert_eq!(bar(&task(TaskState::Running, counted)), (5, Some(2)));
    }
}
