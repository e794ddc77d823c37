use leptos::prelude::*;

use super::{LiveTasks, Schedules};
use crate::api::{TaskState, TaskView};
use crate::client;
use crate::format;

/// Every task with its live state and progress.
#[component]
pub fn TaskPanel() -> impl IntoView {
    let live = LiveTasks::expect();
    let connection = live.connection;

    view! {
        <section class="task-panel" aria-label="Tasks">
            <header>
                <h2>"Tasks"</h2>
                <span class="connection" data-state=move || connection.get().as_str()>
                    {move || match connection.get().as_str() {
                        "live" => "Live",
                        "reconnecting" => "Reconnecting…",
                        _ => "Connecting…",
                    }}
                </span>
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
    let p = &task.progress;
    let files = format::files_progress(p.files_done, p.files_total);
    let (bar_max, bar_value) = bar(&task);
    let bytes = format!(
        "{} / {}",
        format::bytes(p.bytes_done),
        format::bytes(p.bytes_total)
    );
    let cancellable = !task.state.is_terminal() && !task.cancel_requested;
    let (cancel_error, set_cancel_error) = signal(None::<String>);
    let cancel = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(e) = client::cancel_task(id).await {
                set_cancel_error.set(Some(e.0));
            }
        });
    };

    view! {
        <li class="task" data-task-id=id.to_string() data-state=task.state.as_str()>
            <div class="task-head">
                <span class="task-id">{format!("#{id}")}</span>
                <span class="task-workflow">{task.workflow.clone()}</span>
                <span class="task-state" data-state=task.state.as_str()>{task.state.as_str()}</span>
            </div>
            <p class="task-summary">{task.summary.clone()}</p>
            <progress
                max=bar_max.to_string()
                value=bar_value.map(|v| v.to_string())
                aria-label=format!("Progress of task {id}")
            ></progress>
            <p class="task-progress">{files}" · "{bytes}</p>
            {task.progress.current.clone().filter(|_| task.state == TaskState::Running).map(|c| view! { <p class="task-current"><code>{c}</code></p> })}
            {task.result.clone().map(|r| view! { <p class="task-result">{r}</p> })}
            {task.error.clone().map(|e| view! { <p class="task-error" role="alert">{e}</p> })}
            {cancellable.then(|| view! { <button class="task-cancel" on:click=cancel>"Cancel task"</button> })}
            {move || cancel_error.get().map(|e| view! { <p class="task-error">{e}</p> })}
        </li>
    }
}

/// The progress bar's maximum and value: files when their total is known,
/// else bytes; no value (a bar that says "busy") when neither is known yet.
fn bar(task: &TaskView) -> (u64, Option<u64>) {
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
            summary: String::new(),
            state,
            progress,
            parameters: serde_json::Value::Null,
            error: None,
            result: None,
            attempt: 1,
            cancel_requested: false,
            created_at: 0,
            updated_at: 0,
            revision: 1,
        }
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
