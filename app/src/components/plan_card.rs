use leptos::prelude::*;

use crate::api::{CommandResponse, ConfirmResponse, Parameter, PlanView, Priority, ReviseRequest};
use crate::client;
use crate::format;

#[derive(Clone, PartialEq)]
enum PlanStatus {
    Pending,
    Working,
    /// The tasks queued, one per step.
    Confirmed(Vec<i64>),
    /// A plan that repeats: the schedule made, and when it first runs.
    Scheduled {
        id: i64,
        when: String,
    },
    Cancelled,
    /// Edited: a new plan replaced this one.
    Revised,
    Failed(String),
}

/// Shows what Tend understood and what it would touch, with Confirm /
/// Cancel, and Edit for the parameters a person may change: the edited plan
/// goes to `on_revised` (the console shows it as a new card).
#[component]
pub fn PlanCard(plan: PlanView, on_revised: Callback<CommandResponse>) -> impl IntoView {
    let (status, set_status) = signal(PlanStatus::Pending);
    let plan_id = plan.plan_id.clone();
    let confirm_id = plan_id.clone();
    let revise_id = plan_id.clone();
    let editing = RwSignal::new(false);
    let fields: Vec<(Parameter, RwSignal<String>)> = plan
        .editable
        .iter()
        .map(|p| (p.clone(), RwSignal::new(p.value.clone())))
        .collect();
    let can_edit = !fields.is_empty();
    let submitted = fields.clone();
    let on_edit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let values: std::collections::BTreeMap<String, String> = submitted
            .iter()
            .filter(|(p, value)| value.get_untracked() != p.value)
            .map(|(p, value)| (p.name.clone(), value.get_untracked()))
            .collect();
        if values.is_empty() {
            editing.set(false);
            return;
        }
        let id = revise_id.clone();
        set_status.set(PlanStatus::Working);
        leptos::task::spawn_local(async move {
            let request = ReviseRequest {
                values,
                session: None,
            };
            match client::revise_plan(&id, &request).await {
                Ok(answer @ CommandResponse::Plan(_)) => {
                    editing.set(false);
                    set_status.set(PlanStatus::Revised);
                    on_revised.run(answer);
                }
                Ok(CommandResponse::Reply { message, .. }) => {
                    set_status.set(PlanStatus::Failed(message))
                }
                Err(e) => set_status.set(PlanStatus::Failed(e.0)),
            }
        });
    };

    let confirm = move |_| {
        let id = confirm_id.clone();
        set_status.set(PlanStatus::Working);
        leptos::task::spawn_local(async move {
            match client::confirm_plan(&id).await {
                Ok(ConfirmResponse {
                    schedule: Some(s), ..
                }) => set_status.set(PlanStatus::Scheduled {
                    id: s.id,
                    when: s.description,
                }),
                Ok(ConfirmResponse { task_ids, .. }) if !task_ids.is_empty() => {
                    set_status.set(PlanStatus::Confirmed(task_ids))
                }
                Ok(ConfirmResponse {
                    task_id: Some(id), ..
                }) => set_status.set(PlanStatus::Confirmed(vec![id])),
                Ok(_) => set_status.set(PlanStatus::Failed(
                    "The server confirmed the plan but said nothing of what it made.".into(),
                )),
                Err(e) => set_status.set(PlanStatus::Failed(e.0)),
            }
        });
    };
    let cancel = move |_| {
        let id = plan_id.clone();
        set_status.set(PlanStatus::Working);
        leptos::task::spawn_local(async move {
            match client::cancel_plan(&id).await {
                Ok(_) => set_status.set(PlanStatus::Cancelled),
                Err(e) => set_status.set(PlanStatus::Failed(e.0)),
            }
        });
    };

    let open = move || matches!(status.get(), PlanStatus::Pending | PlanStatus::Failed(_));
    let steps = plan.steps.clone();
    let remember = plan
        .reading_picked
        .then(|| remember_this(plan.command.clone(), plan.intent.clone()));

    view! {
        <article class="plan-card" aria-label="Plan" data-workflow=plan.workflow.clone()>
            <header>
                <span class="workflow">{plan.workflow.clone()}</span>
                <span class="summary">{plan.summary.clone()}</span>
                {plan.asked_by.clone().map(|who| view! { <span class="asked-by">"asked by "{who}</span> })}
            </header>
            {if steps.is_empty() {
                plan_body(&plan).into_any()
            } else {
                view! {
                    <ol class="plan-steps">
                        {steps
                            .iter()
                            .enumerate()
                            .map(|(i, step)| {
                                view! {
                                    <li
                                        class="plan-step"
                                        data-step=(i + 1).to_string()
                                        data-workflow=step.workflow.clone()
                                    >
                                        <h3>
                                            {format!("Step {} · ", i + 1)}
                                            <span class="summary">{step.summary.clone()}</span>
                                        </h3>
                                        {plan_body(step)}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ol>
                    <p class="plan-steps-note">
                        "Each step starts once the one before has succeeded; if one fails or is cancelled, the steps after it are not run."
                    </p>
                }
                    .into_any()
            }}
            <Show when=move || editing.get()>
                <form class="plan-edit" aria-label="Edit plan" on:submit=on_edit.clone()>
                    {fields
                        .iter()
                        .map(|(p, value)| edit_field(p, *value))
                        .collect_view()}
                    <div class="edit-actions">
                        <button type="submit">"Update plan"</button>
                        <button type="button" on:click=move |_| editing.set(false)>"Keep as is"</button>
                    </div>
                </form>
            </Show>
            {remember}
            <footer>
                <Show when=open>
                    <button class="confirm acts" on:click=confirm.clone()>"Confirm"</button>
                    <button class="cancel acts" on:click=cancel.clone()>"Cancel"</button>
                    <Show when=move || can_edit && !editing.get()>
                        <button class="edit acts" on:click=move |_| editing.set(true)>"Edit"</button>
                    </Show>
                </Show>
                <p class="plan-status" role="status">
                    {move || match status.get() {
                        PlanStatus::Pending => String::from("Nothing has changed yet."),
                        PlanStatus::Working => String::from("Working…"),
                        PlanStatus::Confirmed(ids) => confirmed_line(&ids),
                        PlanStatus::Scheduled { id, when } => {
                            format!("Scheduled: schedule #{id} runs {when}. Nothing runs until then.")
                        }
                        PlanStatus::Cancelled => String::from("Cancelled. Nothing was changed."),
                        PlanStatus::Revised => String::from("Edited: the new plan is below."),
                        PlanStatus::Failed(message) => message,
                    }}
                </p>
            </footer>
        </article>
    }
}

/// "Remember this", under a plan whose meaning the person chose: the
/// sentence becomes an example (an admin's) or a proposal to the admins (an
/// operator's), and the note says which.
fn remember_this(text: String, intent: String) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let on_click = move |_| {
        let (text, intent) = (text.clone(), intent.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            match client::remember(&text, &intent).await {
                Ok(answer) => note.set(Some(answer.message)),
                Err(e) => {
                    busy.set(false);
                    note.set(Some(e.0));
                }
            }
        });
    };
    view! {
        <div class="remember acts">
            <button
                type="button"
                class="remember-this"
                disabled=move || busy.get()
                on:click=on_click
            >
                "Remember this"
            </button>
            <span class="remember-note" aria-live="polite">{move || note.get()}</span>
        </div>
    }
}

/// What a plan (or one step of it) would do: its parameters and preview.
fn plan_body(plan: &PlanView) -> impl IntoView {
    let preview = plan.preview.clone();
    let more = preview
        .file_count
        .saturating_sub(preview.sample_paths.len() as u64);
    view! {
        <dl class="parameters">
            {plan
                .parameters
                .iter()
                .map(|p| {
                    view! {
                        <div class="parameter" data-name=p.name.clone()>
                            <dt>{p.label.clone()}</dt>
                            <dd>{p.value.clone()}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <div class="preview">
            <p class="preview-total">
                {format!(
                    "{} {} · {}",
                    preview.file_count,
                    if preview.file_count == 1 { "file" } else { "files" },
                    format::bytes(preview.total_bytes),
                )}
            </p>
            <ul class="preview-paths">
                {preview
                    .sample_paths
                    .iter()
                    .map(|p| view! { <li><code>{p.clone()}</code></li> })
                    .collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="preview-more">{format!("…and {more} more")}</p> })}
            {preview
                .warnings
                .iter()
                .map(|w| view! { <p class="preview-warning">{w.clone()}</p> })
                .collect_view()}
        </div>
    }
}

/// One editable value: a choice for the priority, typed text otherwise.
fn edit_field(p: &Parameter, value: RwSignal<String>) -> impl IntoView {
    let input = match p.name.as_str() {
        "intent" => choice(p, value, &["backup", "restore", "sync", "cleanup"]).into_any(),
        "priority" => {
            let names: Vec<&'static str> = Priority::ALL.into_iter().map(|c| c.as_str()).collect();
            choice(p, value, &names).into_any()
        }
        _ => view! {
            <input
                type="text"
                name=p.name.clone()
                aria-label=p.label.clone()
                autocomplete="off"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        }
        .into_any(),
    };
    view! {
        <label class="edit-field">
            <span>{p.label.clone()}</span>
            {input}
        </label>
    }
}

/// A parameter picked from a few fixed values.
fn choice(p: &Parameter, value: RwSignal<String>, choices: &[&'static str]) -> impl IntoView {
    view! {
        <select
            name=p.name.clone()
            aria-label=p.label.clone()
            prop:value=move || value.get()
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            {choices
                .iter()
                .map(|&choice| view! { <option value=choice>{choice}</option> })
                .collect_view()}
        </select>
    }
}

fn confirmed_line(ids: &[i64]) -> String {
    match ids {
        [id] => format!("Confirmed: task #{id} is queued."),
        _ => {
            let listed: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
            format!(
                "Confirmed: tasks {} are queued; each starts once the one before has succeeded.",
                listed.join(", ")
            )
        }
    }
}
