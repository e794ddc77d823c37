//! "Try it" on the Rules page: how a sentence is read and why, without
//! planning anything. Home Assistant's Assist debug view is the model: the
//! intent and its confidence, the runner-up, the slots, and what decided
//! (a phrase rule, an admin's example, a rule about the sentence's form,
//! or the model with the nearest examples).

use app::api::{IntentScore, NearExample, ReadingView};

use super::classifier::Scores;
use super::rules::Decider;
use super::{Intent, Understanding};

/// How many nearest examples the view lists.
pub const NEAREST: usize = 5;

/// What decided a command's intent before the model could.
pub enum Before {
    Rule(Decider),
    /// A rule about the sentence's form: a retry, a question about tasks, a
    /// question or request that is not a command, a command about
    /// something Tend does not act on.
    Form(&'static str),
}

/// What the model saw and said, when it decided.
pub struct ModelView {
    pub scores: Scores,
    pub keyword: Intent,
    pub nearest: Vec<(String, Intent, f32, bool)>,
}

/// The view of `u`, read as `how` says, with the aliases applied as
/// `aliased` (when any were).
pub fn view(
    u: &Understanding,
    how: Result<Before, Option<ModelView>>,
    aliased: Option<String>,
) -> ReadingView {
    let (decided_by, rule, model) = match how {
        Ok(Before::Rule(Decider::Phrase(pattern))) => ("phrase rule".into(), Some(pattern), None),
        Ok(Before::Rule(Decider::Example)) => ("admin example".into(), None, None),
        Ok(Before::Form(reason)) => (format!("rule: {reason}"), None, None),
        Err(Some(model)) => ("model".into(), None, Some(model)),
        Err(None) => ("keyword cues".into(), None, None),
    };
    let scores = model.as_ref().map(ranked).unwrap_or_default();
    let runner_up = scores
        .iter()
        .find(|s| s.intent != u.intent.as_str())
        .cloned();
    ReadingView {
        text: u.text.clone(),
        intent: u.intent.as_str().into(),
        confidence: u.confidence,
        decided_by,
        rule,
        runner_up,
        keyword: model.as_ref().map(|m| m.keyword.as_str().into()),
        nearest: model
            .map(|m| {
                m.nearest
                    .into_iter()
                    .map(|(text, intent, similarity, admin)| NearExample {
                        text,
                        intent: intent.as_str().into(),
                        similarity,
                        admin,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        scores,
        aliased,
        slots: serde_json::to_value(&u.slots).unwrap_or_default(),
        alternative: u.alternative.map(|i| i.as_str().into()),
        unexplained: u.unexplained.iter().map(|c| c.words.clone()).collect(),
    }
}

/// Every intent's score, best first.
fn ranked(model: &ModelView) -> Vec<IntentScore> {
    let mut scores: Vec<IntentScore> = Intent::ALL
        .iter()
        .map(|&i| IntentScore {
            intent: i.as_str().into(),
            score: model.scores.get(i),
        })
        .collect();
    scores.sort_by(|a, b| b.score.total_cmp(&a.score));
    scores
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::Slots;

    #[test]
    fn the_model_s_reading_lists_scores_best_first_and_the_runner_up() {
        let mut scores = Scores::default();
        scores.set(Intent::Backup, 0.7);
        scores.set(Intent::Restore, 0.2);
        scores.set(Intent::OutOfScope, 0.1);
        let u = Understanding::new("keep /a safe in /b", Intent::Backup, 0.7, Slots::default());
        let model = ModelView {
            scores,
            keyword: Intent::OutOfScope,
            nearest: vec![("back up /x to /y".into(), Intent::Backup, 0.81, false)],
        };
        let v = view(&u, Err(Some(model)), None);
        assert_eq!(v.decided_by, "model");
        assert_eq!(v.scores[0].intent, "backup");
        assert_eq!(v.runner_up.map(|r| r.intent), Some("restore".into()));
        assert_eq!(v.nearest[0].text, "back up /x to /y");
        assert_eq!(v.keyword.as_deref(), Some("out_of_scope"));
    }

    #[test]
    fn a_phrase_rule_is_named_and_no_scores_are_shown() {
        let u = Understanding::new("sweep /srv/a", Intent::Cleanup, 1.0, Slots::default());
        let rule = Before::Rule(Decider::Phrase("sweep {dir}".into()));
        let v = view(&u, Ok(rule), Some("sweep \"/srv/a\"".into()));
        assert_eq!(v.decided_by, "phrase rule");
        assert_eq!(v.rule.as_deref(), Some("sweep {dir}"));
        assert!(v.scores.is_empty() && v.runner_up.is_none());
        assert_eq!(v.aliased.as_deref(), Some("sweep \"/srv/a\""));
    }
}
