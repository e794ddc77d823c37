//! "Try it": an admin types a sentence and sees how Tend reads it, without
//! planning anything: the intent and its confidence, the runner-up, the
//! parameters, and why (the phrase rule, or the nearest examples, or the
//! aliases applied). "Add as example" teaches the reading the admin picks.

use leptos::prelude::*;

use super::{IntentSelect, RulesState};
use crate::api::{NewExample, ReadingView};
use crate::client;

#[component]
pub fn TryIt() -> impl IntoView {
    let state = expect_context::<RulesState>();
    let text = RwSignal::new(String::new());
    let reading = RwSignal::new(None::<ReadingView>);
    let intent = RwSignal::new(String::from("backup"));
    let busy = RwSignal::new(false);
    let read = move |sentence: String| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match client::try_sentence(&sentence).await {
                Ok(r) => {
                    intent.set(r.intent.clone());
                    reading.set(Some(r));
                }
                Err(e) => state.notice.set(Some(super::Notice::Refused(e.0))),
            }
            busy.set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let sentence = text.get_untracked();
        if !sentence.trim().is_empty() {
            read(sentence);
        }
    };
    // Teach it, then read the sentence again so the change shows.
    let add_example = move |_| {
        let Some(sentence) = reading.with_untracked(|r| r.as_ref().map(|r| r.text.clone())) else {
            return;
        };
        let example = NewExample {
            intent: intent.get_untracked(),
            text: sentence.clone(),
        };
        state.run(
            async move {
                client::add_example(&example)
                    .await
                    .map(|e| format!("Learned \"{}\" as {}.", e.text, e.intent))
            },
            move || read(sentence),
        );
    };
    view! {
        <section class="rules-section try-it" aria-label="Try it">
            <h2>"Try it"</h2>
            <p class="hint">"See how Tend reads a sentence, with the rules as they are now. Nothing is planned or run."</p>
            <form class="rule-form" on:submit=on_submit>
                <input
                    type="text"
                    name="try"
                    aria-label="Sentence to try"
                    placeholder="stash my photos on the nas every night"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <button type="submit" disabled=move || busy.get()>"Read it"</button>
            </form>
            {move || reading.get().map(|r| view! {
                <ReadingDetails reading=r />
                <div class="rule-form teach">
                    <IntentSelect value=intent />
                    <button type="button" class="add-example" on:click=add_example>"Add as example"</button>
                </div>
            })}
        </section>
    }
}

/// The reading laid out: intent, confidence, runner-up, why, parameters.
#[component]
fn ReadingDetails(reading: ReadingView) -> impl IntoView {
    let confidence = format!("{:.0}%", reading.confidence * 100.0);
    let runner_up = reading
        .runner_up
        .as_ref()
        .map(|r| format!("{} ({:.2})", r.intent, r.score));
    let slots = serde_json::to_string_pretty(&reading.slots).unwrap_or_default();
    view! {
        <dl class="reading" data-intent=reading.intent.clone()>
            <dt>"Sentence"</dt>
            <dd class="reading-text">{reading.text.clone()}</dd>
            <dt>"Intent"</dt>
            <dd class="reading-intent">{reading.intent.clone()}" · "{confidence}</dd>
            {runner_up.map(|r| view! { <dt>"Runner-up"</dt><dd class="reading-runner-up">{r}</dd> })}
            <dt>"Decided by"</dt>
            <dd class="reading-why">{why(&reading)}</dd>
            {reading.alternative.clone().map(|a| view! {
                <dt>"Close call"</dt>
                <dd>{format!("the console would ask: {} or {a}?", reading.intent)}</dd>
            })}
            {reading.aliased.clone().map(|a| view! { <dt>"With aliases"</dt><dd class="reading-aliased">{a}</dd> })}
            {(!reading.nearest.is_empty()).then(|| view! {
                <dt>"Nearest examples"</dt>
                <dd>
                    <ol class="reading-nearest">
                        {reading.nearest.iter().map(|n| view! {
                            <li>
                                <q>{n.text.clone()}</q>" → "{n.intent.clone()}
                                {format!(" ({:.2}{})", n.similarity, if n.admin { ", an admin's" } else { "" })}
                            </li>
                        }).collect_view()}
                    </ol>
                </dd>
            })}
            {(!reading.unexplained.is_empty()).then(|| view! {
                <dt>"Not understood"</dt>
                <dd class="reading-unexplained">{reading.unexplained.join("; ")}</dd>
            })}
            <dt>"Parameters"</dt>
            <dd><pre class="reading-slots">{slots}</pre></dd>
        </dl>
    }
}

/// What decided, in words.
fn why(r: &ReadingView) -> String {
    match (r.decided_by.as_str(), &r.rule) {
        ("phrase rule", Some(pattern)) => format!("the phrase rule \"{pattern}\""),
        ("admin example", _) => "an admin's example, typed exactly".into(),
        ("model", _) => match &r.keyword {
            Some(k) if k != "out_of_scope" => format!("the model (the words point at {k})"),
            _ => "the model".into(),
        },
        (other, _) => other.to_string(),
    }
}
