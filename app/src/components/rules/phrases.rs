use leptos::prelude::*;

use super::{AddedBy, DeleteButton, Field, IntentSelect, RulesState};
use crate::api::{NewPhraseRule, RuleKind};
use crate::client;

/// "clean {dir} every {schedule}" → cleanup, ahead of the model.
#[component]
pub fn PhraseRules() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let intent = RwSignal::new(String::from("backup"));
    let pattern = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rule = NewPhraseRule {
            intent: intent.get_untracked(),
            pattern: pattern.get_untracked(),
        };
        state.run(
            async move {
                client::add_phrase_rule(&rule)
                    .await
                    .map(|r| format!("\"{}\" now means {}.", r.pattern, r.intent))
            },
            move || pattern.set(String::new()),
        );
    };
    view! {
        <section class="rules-section" aria-label="Phrase rules">
            <h2>"Phrase rules"</h2>
            <p class="hint">
                "A command that matches a pattern gets its intent, whatever the model thinks. Placeholders: "
                <code>"{dir} {dest} {schedule} {age} {files} {size} {task} {keep}"</code>
            </p>
            <ul class="rule-list">
                <For each=move || state.list(|r| &r.phrases) key=|r| r.id let:rule>
                    <li class="rule">
                        <code>{rule.pattern.clone()}</code>
                        " → "
                        <span class="rule-intent">{rule.intent.clone()}</span>
                        <AddedBy who=rule.added_by.clone() />
                        <DeleteButton kind=RuleKind::Phrases id=rule.id label=rule.pattern.clone() />
                    </li>
                </For>
            </ul>
            <form class="rule-form" on:submit=on_submit>
                <Field name="pattern" label="Pattern" placeholder="clean {dir} every {schedule}" value=pattern />
                <IntentSelect value=intent />
                <button type="submit">"Add"</button>
            </form>
        </section>
    }
}
