use leptos::prelude::*;

use super::{AddedBy, DeleteButton, Field, RulesState};
use crate::api::{NewLocationAlias, RuleKind};
use crate::client;

/// "the nas" → /mnt/nas.
#[component]
pub fn LocationAliases() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let name = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let alias = NewLocationAlias {
            name: name.get_untracked(),
            path: path.get_untracked(),
        };
        state.run(
            async move {
                client::put_location_alias(&alias)
                    .await
                    .map(|a| format!("\"{}\" now means {}.", a.name, a.path))
            },
            move || {
                name.set(String::new());
                path.set(String::new());
            },
        );
    };
    view! {
        <section class="rules-section" aria-label="Location aliases">
            <h2>"Location aliases"</h2>
            <p class="hint">"Names people use for a directory: " <q>"back up photos to the nas"</q></p>
            <ul class="rule-list">
                <For
                    each=move || state.list(|r| &r.locations)
                    key=|a| (a.id, a.path.clone())
                    let:alias
                >
                    <li class="rule">
                        <span class="rule-name">{alias.name.clone()}</span>
                        " → "
                        <code>{alias.path.clone()}</code>
                        <AddedBy who=alias.added_by.clone() />
                        <DeleteButton kind=RuleKind::Locations id=alias.id label=alias.name.clone() />
                    </li>
                </For>
            </ul>
            <form class="rule-form" on:submit=on_submit>
                <Field name="name" label="Name" placeholder="the nas" value=name />
                <Field name="path" label="Path" placeholder="/mnt/nas" value=path />
                <button type="submit">"Save"</button>
            </form>
        </section>
    }
}
