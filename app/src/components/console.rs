use leptos::prelude::*;

use super::PlanCard;
use crate::api::{AllowedRootView, CommandResponse, ReadingChoice};
use crate::client;

/// One line of the transcript.
#[derive(Clone)]
// A transcript holds tens of entries: boxing plans would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Entry {
    User(String),
    Reply {
        intent: String,
        message: String,
        tasks: Vec<crate::api::TaskView>,
        /// Readings to pick from, each sending `text` again as its intent.
        choices: Vec<ReadingChoice>,
        text: Option<String>,
    },
    Plan(crate::api::PlanView),
    Error(String),
}

/// The chat-style console: a transcript and the command input.
#[component]
pub fn Console() -> impl IntoView {
    let (entries, set_entries) = signal(Vec::<(usize, Entry)>::new());
    let (draft, set_draft) = signal(String::new());
    let (busy, set_busy) = signal(false);
    let session = session_id();
    let transcript = NodeRef::<leptos::html::Ol>::new();
    // Asked from the browser, so the server's render and the hydration agree.
    let (roots, set_roots) = signal(None::<Vec<AllowedRootView>>);
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(asked) = client::session().await {
                set_roots.set(Some(asked.allowed_roots));
            }
        });
    });
    // Keep the newest message in view.
    Effect::new(move |_| {
        entries.track();
        request_animation_frame(move || {
            if let Some(list) = transcript.get_untracked() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });

    let push = move |entry: Entry| {
        set_entries.update(|list| {
            let id = list.len();
            list.push((id, entry));
        })
    };

    let show = move |answer: CommandResponse| match answer {
        CommandResponse::Plan(plan) => push(Entry::Plan(plan)),
        CommandResponse::Reply {
            intent,
            message,
            tasks,
            choices,
            text,
        } => push(Entry::Reply {
            intent,
            message,
            tasks,
            choices,
            text,
        }),
    };
    // An edited plan comes back as a new card at the end of the transcript.
    let on_revised = Callback::new(show);

    // A reading picked from a question: the command goes again as that intent.
    let chooser_session = session.clone();
    let on_choose = Callback::new(move |(text, choice): (String, ReadingChoice)| {
        if busy.get_untracked() {
            return;
        }
        set_busy.set(true);
        push(Entry::User(choice.label.clone()));
        let session = chooser_session.clone();
        leptos::task::spawn_local(async move {
            match client::send_command_as(&text, &choice.intent, &session).await {
                Ok(answer) => show(answer),
                Err(e) => push(Entry::Error(e.0)),
            }
            set_busy.set(false);
        });
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        if text.trim().is_empty() || busy.get_untracked() {
            return;
        }
        set_draft.set(String::new());
        set_busy.set(true);
        push(Entry::User(text.clone()));
        let session = session.clone();
        leptos::task::spawn_local(async move {
            match client::send_command(&text, &session).await {
                Ok(answer) => show(answer),
                Err(e) => push(Entry::Error(e.0)),
            }
            set_busy.set(false);
        });
    };

    view! {
        <section class="console" aria-label="Console">
            <ol class="transcript" aria-live="polite" node_ref=transcript>
                <li class="entry reply welcome">
                    <p>
                        "Hi! Tell me what to do, for example: "
                        <code>"clean up *.tmp files older than 7 days in /srv/scratch"</code>
                    </p>
                    <p class="allowed-roots">{move || roots_hint(roots.get().as_deref())}</p>
                    <p>
                        "To allow another directory, add it to "<code>"allowed_roots"</code>" in "
                        <code>"tend.toml"</code>" or to "<code>"TEND_ALLOWED_ROOTS"</code>
                        " (colon-separated), then restart Tend."
                    </p>
                </li>
                <For each=move || entries.get() key=|(id, _)| *id let:item>
                    {render_entry(item.1, on_revised, on_choose)}
                </For>
            </ol>
            <p class="viewer-note">"You can watch every task here. Running commands needs the operator role: an admin can give it to you."</p>
            <form class="command-form acts" on:submit=on_submit>
                <input
                    type="text"
                    name="command"
                    aria-label="Command"
                    placeholder="back up /srv/photos to /mnt/nas every night at 2am"
                    autocomplete="off"
                    maxlength="4000"
                    prop:value=move || draft.get()
                    on:input=move |ev| set_draft.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || busy.get()>"Send"</button>
            </form>
        </section>
    }
}

/// Where Tend may act, for the welcome: the roots once the server has said
/// which they are.
fn roots_hint(roots: Option<&[AllowedRootView]>) -> String {
    let Some(roots) = roots.filter(|r| !r.is_empty()) else {
        return "I can only use files inside the allowed roots (by default only data/files, in Tend's data directory).".into();
    };
    let list: Vec<String> = roots
        .iter()
        .map(|root| {
            if root.present {
                root.path.clone()
            } else {
                format!("{} (not there now)", root.path)
            }
        })
        .collect();
    format!(
        "I can only use files inside the allowed roots: {}.",
        list.join(", ")
    )
}

fn render_entry(
    entry: Entry,
    on_revised: Callback<CommandResponse>,
    on_choose: Callback<(String, ReadingChoice)>,
) -> AnyView {
    match entry {
        Entry::User(text) => view! { <li class="entry user">{text}</li> }.into_any(),
        Entry::Reply {
            intent,
            message,
            tasks,
            choices,
            text,
        } => view! {
            <li class="entry reply" data-intent=intent>
                {message}
                {(!tasks.is_empty()).then(|| view! {
                    <ul class="task-cards">
                        {tasks.into_iter().map(task_card).collect_view()}
                    </ul>
                })}
                {text.filter(|_| !choices.is_empty()).map(|text| reading_choices(text, choices, on_choose))}
            </li>
        }
        .into_any(),
        Entry::Plan(plan) => {
            view! { <li class="entry plan"><PlanCard plan on_revised /></li> }.into_any()
        }
        Entry::Error(message) => {
            view! { <li class="entry error" role="alert">{message}</li> }.into_any()
        }
    }
}

/// One button per reading of `text`; the first pick disables them all, so
/// a double click plans once.
fn reading_choices(
    text: String,
    choices: Vec<ReadingChoice>,
    on_choose: Callback<(String, ReadingChoice)>,
) -> impl IntoView {
    let (picked, set_picked) = signal(None::<String>);
    view! {
        <div class="choices acts" role="group" aria-label="Which did you mean?">
            {choices
                .into_iter()
                .map(|choice| {
                    let (text, intent) = (text.clone(), choice.intent.clone());
                    let is_picked = intent.clone();
                    view! {
                        <button
                            type="button"
                            data-intent=intent
                            class:picked=move || picked.get().as_deref() == Some(is_picked.as_str())
                            disabled=move || picked.get().is_some()
                            on:click=move |_| {
                                set_picked.set(Some(choice.intent.clone()));
                                on_choose.run((text.clone(), choice.clone()));
                            }
                        >
                            {choice.label.clone()}
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// A task an answer is about, compact, linked to its page.
fn task_card(task: crate::api::TaskView) -> impl IntoView {
    let id = task.id;
    let took = match (task.started_at, task.finished_at) {
        (Some(start), Some(end)) => format!(" · took {}", crate::format::duration(end - start)),
        _ => String::new(),
    };
    view! {
        <li class="task-card" data-task-id=id.to_string() data-state=task.state.as_str()>
            <a href=format!("/tasks/{id}")>{format!("#{id}")}</a>
            " "
            <span class="task-state" data-state=task.state.as_str()>{task.state.as_str()}</span>
            " "
            <span class="task-summary">{task.summary.clone()}</span>
            {took}
            {task.error.clone().map(|e| view! { <p class="task-error">{e}</p> })}
        </li>
    }
}

/// A per-tab id so the server can keep a conversation's context apart from
/// other consoles.
pub(super) fn session_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let random = js_random();
        format!("console-{random:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        String::from("console-ssr")
    }
}

#[cfg(feature = "hydrate")]
fn js_random() -> u64 {
    // Math.random is plenty for telling consoles apart; this is no secret.
    (js_sys_random() * (u64::MAX as f64)) as u64
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Math, js_name = random)]
    fn js_sys_random() -> f64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_names_the_allowed_roots() {
        assert!(roots_hint(None).contains("by default only data/files"));
        let roots = [
            AllowedRootView {
                path: "/home/ann/tend/data/files".into(),
                present: true,
            },
            AllowedRootView {
                path: "/mnt/nas".into(),
                present: false,
            },
        ];
        assert_eq!(
            roots_hint(Some(&roots)),
            "I can only use files inside the allowed roots: /home/ann/tend/data/files, /mnt/nas (not there now)."
        );
    }
}
