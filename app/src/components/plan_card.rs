use leptos::prelude::*;

use crate::api::PlanView;
use crate::client;
use crate::format;

#[derive(Clone, PartialEq)]
enum PlanStatus {
    Pending,
    Working,
    Confirmed(i64),
    Cancelled,
    Failed(String),
}

/// Shows what Tend understood and what it would touch, with Confirm / Cancel.
#[component]
pub fn PlanCard(plan: PlanView) -> impl IntoView {
    let (status, set_status) = signal(PlanStatus::Pending);
    let plan_id = plan.plan_id.clone();
    let confirm_id = plan_id.clone();

    let confirm = move |_| {
        let id = confirm_id.clone();
        set_status.set(PlanStatus::Working);
        leptos::task::spawn_local(async move {
            match client::confirm_plan(&id).await {
                Ok(answer) => set_status.set(PlanStatus::Confirmed(answer.task_id)),
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

    let preview = plan.preview.clone();
    let more = preview
        .file_count
        .saturating_sub(preview.sample_paths.len() as u64);
    let open = move || matches!(status.get(), PlanStatus::Pending | PlanStatus::Failed(_));

    view! {
        <article class="plan-card" aria-label="Plan" data-workflow=plan.workflow.clone()>
            <header>
                <span class="workflow">{plan.workflow.clone()}</span>
                <span class="summary">{plan.summary.clone()}</span>
            </header>
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
            <footer>
                <Show when=open>
                    <button class="confirm" on:click=confirm.clone()>"Confirm"</button>
                    <button class="cancel" on:click=cancel.clone()>"Cancel"</button>
                </Show>
                <p class="plan-status" role="status">
                    {move || match status.get() {
                        PlanStatus::Pending => String::from("Nothing has changed yet."),
                        PlanStatus::Working => String::from("Working…"),
                        PlanStatus::Confirmed(id) => format!("Confirmed: task #{id} is queued."),
                        PlanStatus::Cancelled => String::from("Cancelled. Nothing was changed."),
                        PlanStatus::Failed(message) => message,
                    }}
                </p>
            </footer>
        </article>
    }
}
