use leptos::prelude::*;

use super::{AddedBy, DeleteButton, Field, RulesState};
use crate::api::{NewPatternAlias, RuleKind};
use crate::client;

/// "temp files" → *.tmp, *.temp, ~*.
#[component]
pub fn PatternAliases() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let name = RwSignal::new(String::new());
    let globs = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let alias = NewPatternAlias {
            name: name.get_untracked(),
            globs: globs
                .get_untracked()
                .split([',', ' '])
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
        };
        state.run(
            async move {
                client::put_pattern_alias(&alias)
                    .await
                    .map(|a| format!("\"{}\" now means {}.", a.name, a.globs.join(", ")))
            },
            move || {
                name.set(String::new());
                globs.set(String::new());
            },
        );
    };
    view! {
        <section class="rules-section" aria-label="Pattern aliases">
            <h2>"Pattern aliases"</h2>
            <p class="hint">"Names for kinds of files: " <q>"clean up temp files in /srv"</q></p>
            <ul class="rule-list">
                <For
                    each=move || state.list(|r| &r.patterns)
                    key=|a| (a.id, a.globs.clone())
                    let:alias
                >
                    <li class="rule">
                        <span class="rule-name">{alias.name.clone()}</span>
                        " → "
                        <code>{alias.globs.join(", ")}</code>
                        <AddedBy who=alias.added_by.clone() />
                        <DeleteButton kind=RuleKind::Patterns id=alias.id label=alias.name.clone() />
                    </li>
                </For>
            </ul>
            <form class="rule-form" on:submit=on_submit>
                <Field name="name" label="Name" placeholder="temp files" value=name />
                <Field name="globs" label="Patterns" placeholder="*.tmp, *.temp, ~*" value=globs />
                <button type="submit">"Save"</button>
            </form>
        </section>
    }
}
