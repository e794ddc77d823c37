//! Choosing [`Thresholds`] on labeled data: a grid sweep over the decision
//! with the embeddings computed once. Used by `tend eval FILE --tune`.

use super::{decide, Cue, Scores, Thresholds};
use crate::nlu::Intent;

/// What the decision sees for one labeled command.
#[derive(Debug, Clone)]
pub struct Sample {
    pub gold: Intent,
    pub scores: Scores,
    pub cue: Cue,
    /// The intent when a rule decides before the model does.
    pub decided: Option<Intent>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub thresholds: Thresholds,
    pub in_scope_accuracy: f64,
    pub oos_precision: f64,
    pub oos_recall: f64,
    /// Correct over all items: the quantity the sweep maximizes.
    pub accuracy: f64,
}

fn ratio(n: usize, d: usize) -> f64 {
    if d == 0 {
        1.0
    } else {
        n as f64 / d as f64
    }
}

pub fn score(samples: &[Sample], thresholds: Thresholds) -> Outcome {
    let (mut correct, mut in_scope, mut in_scope_correct) = (0, 0, 0);
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for s in samples {
        let got = s
            .decided
            .unwrap_or_else(|| decide(&s.scores, s.cue, &thresholds).intent);
        correct += usize::from(got == s.gold);
        let (gold_oos, got_oos) = (s.gold == Intent::OutOfScope, got == Intent::OutOfScope);
        tp += usize::from(gold_oos && got_oos);
        fp += usize::from(!gold_oos && got_oos);
        fn_ += usize::from(gold_oos && !got_oos);
        if !gold_oos {
            in_scope += 1;
            in_scope_correct += usize::from(got == s.gold);
        }
    }
    Outcome {
        thresholds,
        in_scope_accuracy: ratio(in_scope_correct, in_scope),
        oos_precision: ratio(tp, tp + fp),
        oos_recall: ratio(tp, tp + fn_),
        accuracy: ratio(correct, samples.len()),
    }
}

/// What asking on close calls ([`super::Decision::alternative`]) would do
/// at one margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CloseCalls {
    pub margin: f32,
    /// Commands that would be asked about.
    pub asked: usize,
    /// Of those, the ones whose first reading was right anyway.
    pub asked_needlessly: usize,
    /// Wrong first readings whose right intent the question offers.
    pub rescued: usize,
    /// Wrong readings of Tend's intents in all (what asking could rescue).
    pub wrong: usize,
}

/// [`CloseCalls`] for each margin from 0 to 0.3, with the rest of `t` as it is.
pub fn close_calls(samples: &[Sample], t: Thresholds) -> Vec<CloseCalls> {
    (0..=30)
        .map(|step| {
            let margin = step as f32 / 100.0;
            let t = Thresholds {
                close_margin: margin,
                ..t
            };
            let mut calls = CloseCalls {
                margin,
                asked: 0,
                asked_needlessly: 0,
                rescued: 0,
                wrong: 0,
            };
            for s in samples.iter().filter(|s| s.decided.is_none()) {
                let decision = decide(&s.scores, s.cue, &t);
                let picked = decision.intent;
                let wrong = picked != s.gold && picked != Intent::OutOfScope;
                calls.wrong += usize::from(wrong && s.gold != Intent::OutOfScope);
                if let Some(other) = decision.alternative {
                    calls.asked += 1;
                    calls.asked_needlessly += usize::from(picked == s.gold);
                    calls.rescued += usize::from(other == s.gold);
                }
            }
            calls
        })
        .collect()
}

/// Every grid point, best first. Ties keep the grid order, which runs from
/// small thresholds and weights to large, so the first of a plateau is the
/// least aggressive setting.
pub fn sweep(samples: &[Sample]) -> Vec<Outcome> {
    let steps = |from: f32, to: f32, step: f32| {
        let n = ((to - from) / step).round() as usize;
        (0..=n).map(move |i| from + step * i as f32)
    };
    let mut outcomes = Vec::new();
    for keyword_weight in steps(0.0, 0.5, 0.02) {
        for ungrounded_keyword_weight in steps(0.0, 0.3, 0.02) {
            for min_similarity in steps(0.2, 0.7, 0.02) {
                for min_margin in steps(-0.1, 0.2, 0.01) {
                    let t = Thresholds {
                        min_similarity,
                        min_margin,
                        keyword_weight,
                        ungrounded_keyword_weight,
                        close_margin: 0.0,
                    };
                    outcomes.push(score(samples, t));
                }
            }
        }
    }
    outcomes.sort_by(|a, b| b.accuracy.total_cmp(&a.accuracy));
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_finds_a_threshold_that_separates_the_samples() {
        let sample = |gold, top: f32| {
            let mut scores = Scores::default();
            scores.set(Intent::Backup, top);
            Sample {
                gold,
                scores,
                cue: Cue {
                    intent: Intent::OutOfScope,
                    grounded: false,
                    stated: false,
                },
                decided: None,
            }
        };
        let samples = [
            sample(Intent::Backup, 0.8),
            sample(Intent::Backup, 0.6),
            sample(Intent::OutOfScope, 0.4),
            sample(Intent::OutOfScope, 0.3),
        ];
        let best = sweep(&samples)[0];
        assert_eq!(best.accuracy, 1.0);
        assert!(best.thresholds.min_similarity > 0.4 && best.thresholds.min_similarity <= 0.6);
    }

    #[test]
    fn a_wider_margin_asks_more_and_rescues_the_near_misses() {
        let sample = |gold, backup: f32, restore: f32| {
            let mut scores = Scores::default();
            scores.set(Intent::Backup, backup);
            scores.set(Intent::Restore, restore);
            Sample {
                gold,
                scores,
                cue: Cue {
                    intent: Intent::OutOfScope,
                    grounded: false,
                    stated: false,
                },
                decided: None,
            }
        };
        let samples = [
            sample(Intent::Restore, 0.50, 0.48), // wrong by 0.02
            sample(Intent::Backup, 0.50, 0.40),  // right by 0.10
            sample(Intent::Backup, 0.90, 0.10),  // right by far
        ];
        let t = Thresholds {
            min_similarity: 0.2,
            min_margin: 0.0,
            keyword_weight: 0.0,
            ungrounded_keyword_weight: 0.0,
            close_margin: 0.0,
        };
        let calls = close_calls(&samples, t);
        let at = |m: usize| calls[m];
        assert_eq!((at(0).asked, at(0).rescued, at(0).wrong), (0, 0, 1));
        assert_eq!(
            (at(5).asked, at(5).rescued, at(5).asked_needlessly),
            (1, 1, 0)
        );
        assert_eq!((at(15).asked, at(15).asked_needlessly), (2, 1));
    }
}
