use leptos::prelude::*;

use super::LiveTasks;
use crate::api::ScheduleView;
use crate::client;
use crate::format;

/// The active schedules, each with its next run, a way to change when it
/// runs and a Stop button; nothing when there are none.
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
    // Changing the time: the row is replaced by the websocket's update once
    // the server has it, so success needs nothing more here.
    let (changing, set_changing) = signal(false);
    let (when, set_when) = signal(schedule.description.clone());
    let (saving, set_saving) = signal(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_saving.set(true);
        set_error.set(None);
        let text = when.get_untracked();
        leptos::task::spawn_local(async move {
            match client::reschedule(id, &text).await {
                Ok(_) => set_changing.set(false),
                Err(e) => set_error.set(Some(e.0)),
            }
            set_saving.set(false);
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
            <Show when=move || changing.get()>
                <form class="schedule-edit" aria-label="Change when it runs" on:submit=save>
                    <input
                        type="text"
                        name="when"
                        aria-label="When it runs"
                        placeholder="Sundays at 3:30, every night at 2am, 0 2 * * *"
                        autocomplete="off"
                        prop:value=move || when.get()
                        on:input=move |ev| set_when.set(event_target_value(&ev))
                    />
                    <button type="submit" disabled=move || saving.get()>"Save time"</button>
                    <button
                        type="button"
                        on:click=move |_| {
                            set_changing.set(false);
                            set_error.set(None);
                        }
                    >
                        "Keep as is"
                    </button>
                </form>
            </Show>
            <div class="schedule-actions acts">
                <Show when=move || !changing.get()>
                    <button class="schedule-change" on:click=move |_| set_changing.set(true)>
                        "Change time"
                    </button>
                </Show>
                <button class="schedule-stop" on:click=stop disabled=move || stopping.get()>
                    "Stop schedule"
                </button>
            </div>
            {move || error.get().map(|e| view! { <p class="task-error" role="alert">{e}</p> })}
        </li>
    }
}
