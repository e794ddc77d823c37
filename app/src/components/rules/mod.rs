//! The rules editor (`/rules`): admins add and delete phrase rules, example
//! phrases and location/pattern aliases. Each change is saved on the server
//! and applies to the next command typed at the console.

mod examples;
mod locations;
mod patterns;
mod phrases;
mod proposals;
mod state;
mod try_it;

use leptos::prelude::*;

use examples::Examples;
use locations::LocationAliases;
use patterns::PatternAliases;
use phrases::PhraseRules;
use proposals::Proposals;
use state::{Notice, RulesState};
use try_it::TryIt;

#[component]
pub fn RulesEditor() -> impl IntoView {
    let state = RulesState::new();
    provide_context(state);
    // Runs in the browser only: the rules are read from the API there.
    Effect::new(move |_| state.reload());

    view! {
        <div class="rules-editor">
            {move || match state.notice.get() {
                Some(Notice::Saved(message)) => {
                    view! { <p class="notice saved" role="status">{message}</p> }.into_any()
                }
                Some(Notice::Refused(message)) => {
                    view! { <p class="notice refused" role="alert">{message}</p> }.into_any()
                }
                None => ().into_any(),
            }}
            <Show
                when=move || state.rules.with(Option::is_some)
                fallback=|| view! { <p class="empty">"Loading the rules…"</p> }
            >
                <TryIt />
                <Proposals />
                <div class="rules-grid">
                    <LocationAliases />
                    <PatternAliases />
                    <PhraseRules />
                    <Examples />
                </div>
            </Show>
        </div>
    }
}

/// The intent picker the phrase and example forms share.
#[component]
fn IntentSelect(value: RwSignal<String>) -> impl IntoView {
    view! {
        <select
            name="intent"
            aria-label="Intent"
            prop:value=move || value.get()
            on:change=move |ev| value.set(event_target_value(&ev))
        >
            {crate::api::INTENT_NAMES
                .iter()
                .map(|name| view! { <option value=*name>{*name}</option> })
                .collect_view()}
        </select>
    }
}

/// Who added a rule, when Tend knows.
#[component]
fn AddedBy(who: Option<String>) -> impl IntoView {
    who.map(|who| view! { <span class="added-by">"added by "{who}</span> })
}

/// A delete button for one rule.
#[component]
fn DeleteButton(kind: crate::api::RuleKind, id: i64, label: String) -> impl IntoView {
    let state = expect_context::<RulesState>();
    view! {
        <button
            type="button"
            class="delete"
            aria-label=format!("Delete {label}")
            on:click=move |_| state.delete(kind, id)
        >
            "Delete"
        </button>
    }
}

/// A text input bound to a signal.
#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    placeholder: &'static str,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <input
            type="text"
            name=name
            aria-label=label
            placeholder=placeholder
            autocomplete="off"
            maxlength="1000"
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    }
}
