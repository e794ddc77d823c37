//! Where admins' rules are kept: part of the one [`super::Store`].

use async_trait::async_trait;

use app::api::{
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    PatternAliasView, PhraseRuleView, ProposalView, RuleKind, RulesView,
};

use super::StoreError;

/// Inputs arrive validated ([`crate::rules::validate`]) and normalized;
/// `by` is who adds them, as the audit log names callers.
#[async_trait]
pub trait RuleStore: Send + Sync {
    /// Every rule, each list oldest first.
    async fn list_rules(&self) -> Result<RulesView, StoreError>;
    /// Refuses a pattern that exists ([`StoreError::RuleExists`]).
    async fn add_phrase_rule(
        &self,
        rule: &NewPhraseRule,
        by: &str,
        now: i64,
    ) -> Result<PhraseRuleView, StoreError>;
    /// Refuses a text that exists ([`StoreError::RuleExists`]).
    async fn add_example(
        &self,
        example: &NewExample,
        by: &str,
        now: i64,
    ) -> Result<ExampleView, StoreError>;
    /// Adds the alias, or gives an existing name its new path.
    async fn put_location_alias(
        &self,
        alias: &NewLocationAlias,
        by: &str,
        now: i64,
    ) -> Result<LocationAliasView, StoreError>;
    /// Adds the alias, or gives an existing name its new globs.
    async fn put_pattern_alias(
        &self,
        alias: &NewPatternAlias,
        by: &str,
        now: i64,
    ) -> Result<PatternAliasView, StoreError>;
    /// An operator's "Remember this", waiting for an admin; refuses a text
    /// already proposed ([`StoreError::RuleExists`]).
    async fn add_proposal(
        &self,
        proposal: &NewExample,
        by: &str,
        now: i64,
    ) -> Result<ProposalView, StoreError>;
    /// Removes a proposal and returns it (to accept it), in one statement
    /// so two admins cannot both accept it.
    async fn take_proposal(&self, id: i64) -> Result<ProposalView, StoreError>;
    /// [`StoreError::RuleNotFound`] when there is no such rule.
    async fn delete_rule(&self, kind: RuleKind, id: i64) -> Result<(), StoreError>;
}
