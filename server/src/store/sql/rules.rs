//! [`RuleStore`] on SQL (tables in `migrations/*/0002_rules.sql`, who added
//! each and the proposals in `0009_rule_authors.sql`).

use async_trait::async_trait;
use sqlx::Row;

use app::api::{
    ExampleView, LocationAliasView, NewExample, NewLocationAlias, NewPatternAlias, NewPhraseRule,
    PatternAliasView, PhraseRuleView, ProposalView, RuleKind, RulesView,
};

use super::SqlStore;
use crate::store::{RuleStore, StoreError};

fn table(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Phrases => "phrase_rules",
        RuleKind::Examples => "intent_examples",
        RuleKind::Locations => "location_aliases",
        RuleKind::Patterns => "pattern_aliases",
        RuleKind::Proposals => "rule_proposals",
    }
}

/// A unique-constraint failure means the rule is already there.
fn exists(what: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::RuleExists(what),
        _ => StoreError::Database(e),
    }
}

#[async_trait]
impl RuleStore for SqlStore {
    async fn list_rules(&self) -> Result<RulesView, StoreError> {
        let pool = self.pool();
        let mut view = RulesView::default();
        for row in sqlx::query("SELECT id, intent, pattern, added_by FROM phrase_rules ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            view.phrases.push(PhraseRuleView {
                id: row.try_get("id")?,
                intent: row.try_get("intent")?,
                pattern: row.try_get("pattern")?,
                added_by: row.try_get("added_by")?,
            });
        }
        for row in sqlx::query("SELECT id, intent, text, added_by FROM intent_examples ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            view.examples.push(ExampleView {
                id: row.try_get("id")?,
                intent: row.try_get("intent")?,
                text: row.try_get("text")?,
                added_by: row.try_get("added_by")?,
            });
        }
        for row in sqlx::query("SELECT id, name, path, added_by FROM location_aliases ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            view.locations.push(LocationAliasView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                path: row.try_get("path")?,
                added_by: row.try_get("added_by")?,
            });
        }
        for row in sqlx::query("SELECT id, name, globs, added_by FROM pattern_aliases ORDER BY id")
            .fetch_all(pool)
            .await?
        {
            let globs: String = row.try_get("globs")?;
            view.patterns.push(PatternAliasView {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                globs: serde_json::from_str(&globs)
                    .map_err(|e| StoreError::Corrupt(format!("pattern alias globs: {e}")))?,
                added_by: row.try_get("added_by")?,
            });
        }
        for row in sqlx::query(
            "SELECT id, intent, text, proposed_by, created_at FROM rule_proposals ORDER BY id",
        )
        .fetch_all(pool)
        .await?
        {
            view.proposals.push(ProposalView {
                id: row.try_get("id")?,
                intent: row.try_get("intent")?,
                text: row.try_get("text")?,
                proposed_by: row.try_get("proposed_by")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(view)
    }

    async fn add_phrase_rule(
        &self,
        rule: &NewPhraseRule,
        by: &str,
        now: i64,
    ) -> Result<PhraseRuleView, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO phrase_rules (intent, pattern, created_at, added_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&rule.intent)
        .bind(&rule.pattern)
        .bind(now)
        .bind(by)
        .fetch_one(self.pool())
        .await
        .map_err(exists(format!("The phrase rule \"{}\"", rule.pattern)))?;
        Ok(PhraseRuleView {
            id,
            intent: rule.intent.clone(),
            pattern: rule.pattern.clone(),
            added_by: Some(by.to_string()),
        })
    }

    async fn add_example(
        &self,
        example: &NewExample,
        by: &str,
        now: i64,
    ) -> Result<ExampleView, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO intent_examples (intent, text, created_at, added_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&example.intent)
        .bind(&example.text)
        .bind(now)
        .bind(by)
        .fetch_one(self.pool())
        .await
        .map_err(exists(format!("The example \"{}\"", example.text)))?;
        Ok(ExampleView {
            id,
            intent: example.intent.clone(),
            text: example.text.clone(),
            added_by: Some(by.to_string()),
        })
    }

    async fn put_location_alias(
        &self,
        alias: &NewLocationAlias,
        by: &str,
        now: i64,
    ) -> Result<LocationAliasView, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO location_aliases (name, path, created_at, added_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET path = excluded.path, added_by = excluded.added_by \
             RETURNING id",
        )
        .bind(&alias.name)
        .bind(&alias.path)
        .bind(now)
        .bind(by)
        .fetch_one(self.pool())
        .await?;
        Ok(LocationAliasView {
            id,
            name: alias.name.clone(),
            path: alias.path.clone(),
            added_by: Some(by.to_string()),
        })
    }

    async fn put_pattern_alias(
        &self,
        alias: &NewPatternAlias,
        by: &str,
        now: i64,
    ) -> Result<PatternAliasView, StoreError> {
        let globs = serde_json::to_string(&alias.globs)
            .map_err(|e| StoreError::Corrupt(format!("pattern alias globs: {e}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO pattern_aliases (name, globs, created_at, added_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET globs = excluded.globs, added_by = excluded.added_by \
             RETURNING id",
        )
        .bind(&alias.name)
        .bind(globs)
        .bind(now)
        .bind(by)
        .fetch_one(self.pool())
        .await?;
        Ok(PatternAliasView {
            id,
            name: alias.name.clone(),
            globs: alias.globs.clone(),
            added_by: Some(by.to_string()),
        })
    }

    async fn add_proposal(
        &self,
        proposal: &NewExample,
        by: &str,
        now: i64,
    ) -> Result<ProposalView, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rule_proposals (intent, text, proposed_by, created_at) \
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&proposal.intent)
        .bind(&proposal.text)
        .bind(by)
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(exists(format!("A proposal for \"{}\"", proposal.text)))?;
        Ok(ProposalView {
            id,
            intent: proposal.intent.clone(),
            text: proposal.text.clone(),
            proposed_by: by.to_string(),
            created_at: now,
        })
    }

    async fn take_proposal(&self, id: i64) -> Result<ProposalView, StoreError> {
        let row = sqlx::query(
            "DELETE FROM rule_proposals WHERE id = $1 \
             RETURNING id, intent, text, proposed_by, created_at",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::RuleNotFound {
            kind: RuleKind::Proposals,
            id,
        })?;
        Ok(ProposalView {
            id: row.try_get("id")?,
            intent: row.try_get("intent")?,
            text: row.try_get("text")?,
            proposed_by: row.try_get("proposed_by")?,
            created_at: row.try_get("created_at")?,
        })
    }

    async fn delete_rule(&self, kind: RuleKind, id: i64) -> Result<(), StoreError> {
        // The table name comes from the enum, never from the request.
        let sql = format!("DELETE FROM {} WHERE id = $1", table(kind));
        let deleted = sqlx::query(&sql)
            .bind(id)
            .execute(self.pool())
            .await?
            .rows_affected();
        if deleted == 0 {
            return Err(StoreError::RuleNotFound { kind, id });
        }
        Ok(())
    }
}
