use std::future::Future;

use leptos::prelude::*;

use crate::api::{RuleKind, RulesView};
use crate::client::{self, ClientError};

#[derive(Clone, PartialEq)]
pub enum Notice {
    Saved(String),
    Refused(String),
}

/// The rules as last read from the server, and the outcome of the last change.
#[derive(Clone, Copy)]
pub struct RulesState {
    pub rules: RwSignal<Option<RulesView>>,
    pub notice: RwSignal<Option<Notice>>,
}

impl RulesState {
    pub fn new() -> RulesState {
        RulesState {
            rules: RwSignal::new(None),
            notice: RwSignal::new(None),
        }
    }

    pub fn reload(self) {
        leptos::task::spawn_local(async move { self.fetch().await });
    }

    async fn fetch(self) {
        match client::rules().await {
            Ok(rules) => self.rules.set(Some(rules)),
            Err(e) => self.notice.set(Some(Notice::Refused(e.0))),
        }
    }

    /// Sends one change; on success shows its message, runs `done` (to
    /// clear the form) and reads the rules again.
    pub fn run<F>(self, change: F, done: impl FnOnce() + 'static)
    where
        F: Future<Output = Result<String, ClientError>> + 'static,
    {
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(message) => {
                    self.notice.set(Some(Notice::Saved(format!(
                        "{message} It applies to the next command."
                    ))));
                    done();
                    self.fetch().await;
                }
                Err(e) => self.notice.set(Some(Notice::Refused(e.0))),
            }
        });
    }

    pub fn delete(self, kind: RuleKind, id: i64) {
        self.run(
            async move {
                client::delete_rule(kind, id)
                    .await
                    .map(|_| "Deleted.".into())
            },
            || {},
        );
    }

    /// One list of the current rules, for a section to show.
    pub fn list<T: Clone>(self, pick: impl Fn(&RulesView) -> &Vec<T>) -> Vec<T> {
        self.rules
            .with(|rules| rules.as_ref().map(|r| pick(r).clone()).unwrap_or_default())
    }
}
