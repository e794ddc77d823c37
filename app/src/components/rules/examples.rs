use leptos::prelude::*;

use super::{AddedBy, DeleteButton, Field, IntentSelect, RulesState};
use crate::api::{NewExample, RuleKind};
use crate::client;

/// More example phrases for the model to learn an intent from.
#[component]
pub fn Examples() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let intent = RwSignal::new(String::from("backup"));
    let text = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let example = NewExample {
            intent: intent.get_untracked(),
            text: text.get_untracked(),
        };
        state.run(
            async move {
                client::add_example(&example)
                    .await
                    .map(|e| format!("Learned \"{}\" as {}.", e.text, e.intent))
            },
            move || text.set(String::new()),
        );
    };
    view! {
        <section class="rules-section" aria-label="Example phrases">
            <h2>"Example phrases"</h2>
            <p class="hint">"How your people say things; the model learns similar wording too. Any language."</p>
            <ul class="rule-list">
                <For each=move || state.list(|r| &r.examples) key=|e| e.id let:example>
                    <li class="rule">
                        <q>{example.text.clone()}</q>
                        " → "
                        <span class="rule-intent">{example.intent.clone()}</span>
                        <AddedBy who=example.added_by.clone() />
                        <DeleteButton kind=RuleKind::Examples id=example.id label=example.text.clone() />
                    </li>
                </For>
            </ul>
            <form class="rule-form" on:submit=on_submit>
                <Field name="text" label="Example" placeholder="stash my photos on the nas" value=text />
                <IntentSelect value=intent />
                <button type="submit">"Add"</button>
            </form>
        </section>
    }
}
