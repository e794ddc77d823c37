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
    let files = format!("{} / {} files", p.files_done, p.files_total);
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
                max=p.files_total.max(1).to_string()
                value=if p.files_total == 0 && task.state == TaskState::Succeeded { "1".to_string() } else { p.files_done.to_string() }
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
