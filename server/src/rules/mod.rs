//! Admins' routing rules: phrase rules, example phrases, and location and
//! pattern aliases, edited in the browser (`/rules`) or through
//! `/api/rules`. Each change is validated, stored, and put in force for the
//! very next command, without a restart: the rule set is rebuilt (cheap) and
//! only the example phrases that changed are embedded.

pub mod validate;

use std::sync::Arc;

use app::api::{
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    PatternAliasView, PhraseRuleView, ProposalView, RuleKind, RulesView,
};

pub use crate::store::RuleStore;
pub use validate::Invalid;

use crate::hub::EventHub;
use crate::nlu::rules::RuleSet;
use crate::nlu::{Nlu, NluError};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the intent model could not take the new rules: {0}")]
    Model(#[from] NluError),
    #[error("applying the rules stopped unexpectedly")]
    Interrupted,
}

pub struct RuleService {
    store: Arc<dyn Store>,
    nlu: Arc<Nlu>,
    /// Told of every change, for the other nodes sharing the database.
    hub: EventHub,
    /// One change at a time, so the rules in force are always those stored
    /// last.
    changing: tokio::sync::Mutex<()>,
}

impl RuleService {
    /// Puts the stored rules in force (embedding the admin examples) and
    /// returns the service that changes them.
    pub async fn load(
        store: Arc<dyn Store>,
        nlu: Arc<Nlu>,
        hub: EventHub,
    ) -> Result<RuleService, RuleError> {
        let service = RuleService {
            store,
            nlu,
            hub,
            changing: tokio::sync::Mutex::new(()),
        };
        service.apply().await?;
        Ok(service)
    }

    pub async fn list(&self) -> Result<RulesView, RuleError> {
        Ok(self.store.list_rules().await?)
    }

    pub async fn add_phrase(
        &self,
        rule: &NewPhraseRule,
        by: &str,
    ) -> Result<PhraseRuleView, RuleError> {
        let rule = validate::phrase_rule(rule)?;
        let _one = self.changing.lock().await;
        let added = self
            .store
            .add_phrase_rule(&rule, by, crate::now_ms())
            .await?;
        self.changed().await?;
        Ok(added)
    }

    pub async fn add_example(
        &self,
        example: &NewExample,
        by: &str,
    ) -> Result<ExampleView, RuleError> {
        let example = validate::example(example)?;
        let _one = self.changing.lock().await;
        let added = self
            .store
            .add_example(&example, by, crate::now_ms())
            .await?;
        if let Err(e) = self.apply().await {
            // An example the model cannot take must not sit in the list as
            // if it worked.
            let _ = self.store.delete_rule(RuleKind::Examples, added.id).await;
            return Err(e);
        }
        self.hub.rules_changed();
        Ok(added)
    }

    pub async fn put_location(
        &self,
        alias: &NewLocationAlias,
        by: &str,
    ) -> Result<LocationAliasView, RuleError> {
        let alias = validate::location_alias(alias)?;
        let _one = self.changing.lock().await;
        let current = self.store.list_rules().await?;
        if current.patterns.iter().any(|p| p.name == alias.name) {
            return Err(name_taken(&alias.name, "a pattern alias"));
        }
        let put = self
            .store
            .put_location_alias(&alias, by, crate::now_ms())
            .await?;
        self.changed().await?;
        Ok(put)
    }

    pub async fn put_pattern(
        &self,
        alias: &NewPatternAlias,
        by: &str,
    ) -> Result<PatternAliasView, RuleError> {
        let alias = validate::pattern_alias(alias)?;
        let _one = self.changing.lock().await;
        let current = self.store.list_rules().await?;
        if current.locations.iter().any(|l| l.name == alias.name) {
            return Err(name_taken(&alias.name, "a location alias"));
        }
        let put = self
            .store
            .put_pattern_alias(&alias, by, crate::now_ms())
            .await?;
        self.changed().await?;
        Ok(put)
    }

    /// An operator's "Remember this": kept for an admin to accept. Nothing
    /// changes in how commands are read until one does.
    pub async fn propose(&self, example: &NewExample, by: &str) -> Result<ProposalView, RuleError> {
        let example = validate::example(example)?;
        let _one = self.changing.lock().await;
        let proposed = self
            .store
            .add_proposal(&example, by, crate::now_ms())
            .await?;
        // The admins' Rules pages on every node show it.
        self.hub.rules_changed();
        Ok(proposed)
    }

    /// Makes proposal `id` an example, credited to whoever proposed it and
    /// to the admin who accepted it.
    pub async fn accept(&self, id: i64, admin: &str) -> Result<ExampleView, RuleError> {
        let proposal = {
            let _one = self.changing.lock().await;
            self.store.take_proposal(id).await?
        };
        let example = NewExample {
            intent: proposal.intent.clone(),
            text: proposal.text.clone(),
        };
        let by = format!("{}, accepted by {admin}", proposal.proposed_by);
        match self.add_example(&example, &by).await {
            Ok(added) => Ok(added),
            Err(e) => {
                // Not lost: it goes back to wait for another try.
                let _ = self
                    .store
                    .add_proposal(&example, &proposal.proposed_by, proposal.created_at)
                    .await;
                Err(e)
            }
        }
    }

    pub async fn delete(&self, kind: RuleKind, id: i64) -> Result<(), RuleError> {
        let _one = self.changing.lock().await;
        self.store.delete_rule(kind, id).await?;
        self.changed().await
    }

    /// Puts the stored rules in force again: another node changed them.
    pub async fn reload(&self) -> Result<(), RuleError> {
        let _one = self.changing.lock().await;
        self.apply().await
    }

    /// After a change here: in force here, then on the other nodes.
    async fn changed(&self) -> Result<(), RuleError> {
        self.apply().await?;
        self.hub.rules_changed();
        Ok(())
    }

    /// Rebuilds the rule set from the store and swaps it in.
    async fn apply(&self) -> Result<(), RuleError> {
        let view = self.store.list_rules().await?;
        let nlu = self.nlu.clone();
        let embedded =
            tokio::task::spawn_blocking(move || nlu.set_rules(RuleSet::from_view(&view)))
                .await
                .map_err(|_| RuleError::Interrupted)??;
        tracing::info!(embedded, "routing rules applied");
        Ok(())
    }
}

fn name_taken(name: &str, what: &str) -> RuleError {
    RuleError::Invalid(Invalid(format!(
        "\"{name}\" already names {what}; pick another name or delete that one first."
    )))
}
