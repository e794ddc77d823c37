use leptos::prelude::*;

use super::LiveTasks;
use crate::api::ScheduleView;
use crate::client;
use crate::format;

/// The active schedules, each with its next run and a Stop button; nothing
/// when there are none.
#[component]
pub fn Schedules() -> impl IntoView {
    let live = LiveTasks::expect();
    view! {
        <Show when=move || !live.schedules.get().is_empty()>
            <section class="schedules" aria-label="Schedules">
                <h3>"Schedules"</h3>
                <ul>
                    <For
                        each=move || live.schedules.get()
                        key=|s| (s.id, s.updated_at)
                        children=|schedule| view! { <ScheduleRow schedule /> }
                    />
                </ul>
            </section>
        </Show>
    }
}

#[component]
fn ScheduleRow(schedule: ScheduleView) -> impl IntoView {
    let id = schedule.id;
    let (error, set_error) = signal(None::<String>);
    let (stopping, set_stopping) = signal(false);
    let stop = move |_| {
        set_stopping.set(true);
        leptos::task::spawn_local(async move {
            // The websocket removes the row once the server has stopped it.
            if let Err(e) = client::stop_schedule(id).await {
                set_error.set(Some(e.0));
                set_stopping.set(false);
            }
        });
    };
    let next = schedule
        .next_run_at
        .map(|t| format!("next run {}", format::time(t)))
        .unwrap_or_default();
    let last = schedule
        .last_task_id
        .map(|t| format!(" · last run task #{t}"))
        .unwrap_or_default();
    view! {
        <li class="schedule" data-schedule-id=id.to_string()>
            <div class="schedule-head">
                <span class="schedule-id">{format!("schedule #{id}")}</span>
                <span class="task-workflow">{schedule.workflow.clone()}</span>
                <span class="schedule-when">{schedule.description.clone()}</span>
            </div>
            <p class="task-summary">{schedule.summary.clone()}</p>
            <p class="schedule-next">{next}{last}</p>
            <button class="schedule-stop" on:click=stop disabled=move || stopping.get()>
                "Stop schedule"
            </button>
            {move || error.get().map(|e| view! { <p class="task-error" role="alert">{e}</p> })}
        </li>
    }
}
