use leptos::prelude::*;

use super::{DeleteButton, RulesState};
use crate::api::RuleKind;
use crate::client;

/// Readings operators asked Tend to remember ("Remember this" under a plan
/// whose meaning they chose): Accept makes each an example, Reject drops it.
#[component]
pub fn Proposals() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let accept = move |id: i64| {
        state.run(
            async move {
                client::accept_proposal(id)
                    .await
                    .map(|e| format!("Accepted: \"{}\" now means {}.", e.text, e.intent))
            },
            || {},
        )
    };
    view! {
        <Show when=move || !state.list(|r| &r.proposals).is_empty()>
            <section class="rules-section proposals" aria-label="Proposals">
                <h2>"Proposals"</h2>
                <p class="hint">"Sentences operators asked Tend to remember, with the meaning they picked. Accepted, each becomes an example."</p>
                <ul class="rule-list">
                    <For each=move || state.list(|r| &r.proposals) key=|p| p.id let:proposal>
                        <li class="rule">
                            <q>{proposal.text.clone()}</q>
                            " → "
                            <span class="rule-intent">{proposal.intent.clone()}</span>
                            <span class="added-by">"proposed by "{proposal.proposed_by.clone()}</span>
                            <button
                                type="button"
                                class="accept"
                                aria-label=format!("Accept {}", proposal.text)
                                on:click=move |_| accept(proposal.id)
                            >
                                "Accept"
                            </button>
                            <DeleteButton kind=RuleKind::Proposals id=proposal.id label=proposal.text.clone() />
                        </li>
                    </For>
                </ul>
            </section>
        </Show>
    }
}
