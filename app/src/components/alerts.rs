//! Alerts in the browser: a banner on every page until someone dismisses
//! it, and the admins' list of where alerts are sent.

use leptos::prelude::*;

use super::LiveTasks;
use crate::api::{NewTarget, TargetKind, TargetView};
use crate::client;

/// The alerts nobody has dismissed, newest first, each with Dismiss.
/// Reads the live stream of the page it is on ([`LiveTasks`]).
#[component]
pub fn AlertBanner() -> impl IntoView {
    let live = LiveTasks::expect();
    let (error, set_error) = signal(None::<String>);
    view! {
        <Show when=move || !live.alerts.get().is_empty()>
            <section class="alerts" aria-label="Alerts" aria-live="assertive">
                <For
                    each=move || live.alerts.get()
                    key=|alert| alert.id
                    children=move |alert| {
                        let id = alert.id;
                        let dismiss = move |_| {
                            leptos::task::spawn_local(async move {
                                match client::dismiss_alert(id).await {
                                    Ok(_) => live.alerts.update(|list| list.retain(|a| a.id != id)),
                                    Err(e) => set_error.set(Some(e.0)),
                                }
                            });
                        };
                        view! {
                            <div class="alert" data-event=alert.event.clone() data-alert-id=id.to_string()>
                                <span class="alert-time">{crate::format::time(alert.at)}</span>
                                " "
                                <span class="alert-message">{alert.message.clone()}</span>
                                {alert.task_id.map(|task| view! {
                                    " " <a href=format!("/tasks/{task}")>{format!("Task #{task}")}</a>
                                })}
                                <button class="alert-dismiss acts" on:click=dismiss>"Dismiss"</button>
                            </div>
                        }
                    }
                />
                {move || error.get().map(|e| view! { <p class="notice refused">{e}</p> })}
            </section>
        </Show>
    }
}

/// Where alerts go: the configured webhook and the admins' targets, with a
/// form to add one.
#[component]
pub fn NotificationTargets() -> impl IntoView {
    let targets = RwSignal::new(Vec::<TargetView>::new());
    let (message, set_message) = signal(None::<String>);
    let reload = move || {
        leptos::task::spawn_local(async move {
            match client::notification_targets().await {
                Ok(list) => targets.set(list),
                Err(e) => set_message.set(Some(e.0)),
            }
        });
    };
    Effect::new(move |_| reload());
    let kind = RwSignal::new("webhook".to_string());
    let url = RwSignal::new(String::new());
    let token = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = NewTarget {
            kind: TargetKind::parse(&kind.get_untracked()).unwrap_or(TargetKind::Webhook),
            url: url.get_untracked(),
            token: Some(token.get_untracked()).filter(|t| !t.trim().is_empty()),
        };
        leptos::task::spawn_local(async move {
            match client::add_notification_target(&target).await {
                Ok(_) => {
                    url.set(String::new());
                    token.set(String::new());
                    set_message.set(None);
                    reload();
                }
                Err(e) => set_message.set(Some(e.0)),
            }
        });
    };
    view! {
        <section class="notification-targets" aria-labelledby="targets-title">
            <h2 id="targets-title">"Alerts go to"</h2>
            <p class="hint">
                "A task that fails for good, a schedule that misses its runs, or the data directory running out of space is shown as a banner and sent to each of these."
            </p>
            <ul class="targets">
                {move || {
                    let list = targets.get();
                    if list.is_empty() {
                        return view! { <li class="empty">"Nowhere yet: alerts show in the browser only."</li> }.into_any();
                    }
                    list.into_iter()
                        .map(|t| {
                            let remove = t.id.map(|id| {
                                let on_click = move |_| {
                                    leptos::task::spawn_local(async move {
                                        match client::delete_notification_target(id).await {
                                            Ok(_) => reload(),
                                            Err(e) => set_message.set(Some(e.0)),
                                        }
                                    });
                                };
                                view! { <button class="target-delete" on:click=on_click>"Remove"</button> }
                            });
                            view! {
                                <li class="target" data-kind=t.kind.as_str()>
                                    <span class="target-kind">{t.kind.as_str()}</span>
                                    " "
                                    <code>{t.url.clone()}</code>
                                    {t.from_config.then(|| view! { <span class="hint">" (from the configuration: notify_webhook)"</span> })}
                                    {remove}
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            <form class="target-add" aria-label="Add a notification target" on:submit=add>
                <select
                    aria-label="Kind"
                    prop:value=move || kind.get()
                    on:change=move |ev| kind.set(event_target_value(&ev))
                >
                    {TargetKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.as_str()>{k.as_str()}</option> })
                        .collect_view()}
                </select>
                // Checked by the server, which says what is wrong.
                <input
                    type="text"
                    aria-label="URL"
                    placeholder="https://ntfy.sh/my-topic"
                    prop:value=move || url.get()
                    on:input=move |ev| url.set(event_target_value(&ev))
                />
                <input
                    type="text"
                    aria-label="Token (Gotify)"
                    placeholder="token (Gotify only)"
                    prop:value=move || token.get()
                    on:input=move |ev| token.set(event_target_value(&ev))
                />
                <button type="submit">"Add"</button>
            </form>
            {move || message.get().map(|m| view! { <p class="notice refused" role="alert">{m}</p> })}
        </section>
    }
}
