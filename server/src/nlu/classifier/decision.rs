//! From similarity scores to an intent, with the out-of-scope call.

use super::Scores;
use crate::nlu::Intent;

/// The knobs of the decision, chosen by `tend eval server/eval/intents-dev.jsonl --tune`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Below this similarity to its nearest examples a command is out of
    /// scope, whatever intent it is nearest to.
    pub min_similarity: f32,
    /// The winning intent must beat the out-of-scope examples by this much.
    pub min_margin: f32,
    /// Added to the score of the intent the keyword cues pick when the
    /// command names something Tend acts on (a path, a task, files by
    /// pattern, age or size, a schedule): the cues are precise on verbs the
    /// embedding blurs (backup vs restore vs sync).
    pub keyword_weight: f32,
    /// The same for a command that names nothing Tend acts on (when the
    /// cues found no verb of Tend's, `keyword_weight` counts). Such a verb
    /// is weak evidence: "cancel my dentist appointment" and "clean the
    /// keyboard" use Tend's verbs on things that are not Tend's.
    pub ungrounded_keyword_weight: f32,
    /// When the two best intents (both Tend's) are within this much of
    /// each other after the cue's bonus, Tend asks which was meant instead
    /// of guessing ([`Decision::alternative`]). Calibrated on the dev set by `tend eval
    /// --tune`, which is why the sweep leaves it alone.
    pub close_margin: f32,
}

/// What the keyword cues say about a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cue {
    /// The intent whose verb the command uses (out of scope when none).
    pub intent: Intent,
    /// Whether the command names something Tend acts on.
    pub grounded: bool,
    /// Whether it states a whole request with a strong verb of `intent`:
    /// what to act on and what to do there ("every sunday remove *.exe
    /// from /srv/public"). Such a command is refused only when out of
    /// scope wins outright, never for falling short of the thresholds.
    pub stated: bool,
}

/// How sharp the confidence is: a softmax over scores at this temperature.
const TEMPERATURE: f32 = 0.05;

/// Each intent's score with the keyword cue's bonus.
fn adjusted(scores: &Scores, cue: Cue, t: &Thresholds) -> Scores {
    // No verb of Tend's is evidence for out of scope whatever is named.
    let weight = if cue.grounded || cue.intent == Intent::OutOfScope {
        t.keyword_weight
    } else {
        t.ungrounded_keyword_weight
    };
    let mut adjusted = *scores;
    adjusted.set(cue.intent, scores.get(cue.intent) + weight);
    adjusted
}

/// The best intent by adjusted score, out of scope on ties.
fn best_of(adjusted: &Scores, leaving_out: Option<Intent>) -> Intent {
    let mut best = Intent::OutOfScope;
    for intent in Intent::ALL {
        if Some(intent) != leaving_out && adjusted.get(intent) > adjusted.get(best) {
            best = intent;
        }
    }
    best
}

/// What [`decide`] makes of one command's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub intent: Intent,
    /// In [0, 1].
    pub confidence: f32,
    /// The other of Tend's intents when it comes within `t.close_margin`
    /// of `intent`: a reading to ask about rather than guess ("back up
    /// ~/docs to /mnt/nas, or restore ~/docs from it?"). Never when the
    /// command is out of scope, or the other reading is.
    pub alternative: Option<Intent>,
}

/// The intent for `scores`, given the keyword cues, with its confidence
/// and the reading that came close to it.
pub fn decide(scores: &Scores, cue: Cue, t: &Thresholds) -> Decision {
    let adjusted_scores = adjusted(scores, cue, t);
    let adjusted = |intent: Intent| adjusted_scores.get(intent);
    let best = best_of(&adjusted_scores, None);
    let exp_sum: f32 = Intent::ALL
        .iter()
        .map(|&i| ((adjusted(i) - adjusted(best)) / TEMPERATURE).exp())
        .sum();
    let p_best = 1.0 / exp_sum;
    // A close call between two of Tend's intents ("backup or restore?") is
    // Tend's either way: the two shares count together against out of
    // scope, or the split alone would turn a question into a refusal.
    let partner = close_call(&adjusted_scores, t, best);
    let both = |s: &dyn Fn(Intent) -> f32| s(best) + partner.map_or(0.0, s);
    let out_of_scope = best != Intent::OutOfScope
        && !(cue.stated && best == cue.intent)
        && (both(&|i| scores.get(i)) < t.min_similarity
            || both(&adjusted) - adjusted(Intent::OutOfScope) < t.min_margin);
    if out_of_scope {
        Decision {
            intent: Intent::OutOfScope,
            confidence: (1.0 - p_best).clamp(0.5, 1.0),
            alternative: None,
        }
    } else {
        Decision {
            intent: best,
            confidence: p_best.clamp(0.0, 1.0),
            alternative: partner,
        }
    }
}

/// The other of Tend's intents within `t.close_margin` of `picked` in the
/// `adjusted` scores, unless `picked` or the other is out of scope.
fn close_call(adjusted: &Scores, t: &Thresholds, picked: Intent) -> Option<Intent> {
    if picked == Intent::OutOfScope {
        return None;
    }
    let second = best_of(adjusted, Some(picked));
    let gap = adjusted.get(picked) - adjusted.get(second);
    (second != Intent::OutOfScope && gap < t.close_margin).then_some(second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(intent: Intent) -> Cue {
        Cue {
            intent,
            grounded: true,
            stated: false,
        }
    }

    fn scores(pairs: &[(Intent, f32)]) -> Scores {
        let mut s = Scores::default();
        for &(i, v) in pairs {
            s.set(i, v);
        }
        s
    }

    #[test]
    fn nearest_intent_wins_and_keywords_break_near_ties() {
        let t = Thresholds {
            min_similarity: 0.4,
            min_margin: 0.05,
            keyword_weight: 0.1,
            ungrounded_keyword_weight: 0.0,
            close_margin: 0.0,
        };
        let s = scores(&[(Intent::Backup, 0.80), (Intent::Sync, 0.78)]);
        assert_eq!(
            decide(&s, cue(Intent::OutOfScope), &t).intent,
            Intent::Backup
        );
        assert_eq!(decide(&s, cue(Intent::Sync), &t).intent, Intent::Sync);
        let Decision {
            intent, confidence, ..
        } = decide(&s, cue(Intent::Backup), &t);
        assert_eq!(intent, Intent::Backup);
        assert!(confidence > 0.5 && confidence <= 1.0, "{confidence}");
    }

    #[test]
    fn a_verb_on_nothing_of_tends_weighs_less() {
        let t = Thresholds {
            min_similarity: 0.2,
            min_margin: 0.0,
            keyword_weight: 0.12,
            ungrounded_keyword_weight: 0.02,
            close_margin: 0.0,
        };
        // "cancel my dentist appointment": nearer the out-of-scope examples,
        // but with Tend's verb.
        let s = scores(&[(Intent::Cancel, 0.55), (Intent::OutOfScope, 0.6)]);
        assert_eq!(decide(&s, cue(Intent::Cancel), &t).intent, Intent::Cancel);
        let ungrounded = Cue {
            intent: Intent::Cancel,
            grounded: false,
            stated: false,
        };
        assert_eq!(decide(&s, ungrounded, &t).intent, Intent::OutOfScope);
    }

    #[test]
    fn a_whole_request_is_not_refused_for_a_weak_score() {
        let t = Thresholds {
            min_similarity: 0.4,
            min_margin: 0.2,
            keyword_weight: 0.3,
            ungrounded_keyword_weight: 0.0,
            close_margin: 0.0,
        };
        // "every sunday remove *.exe and *.msi from /srv/public": the
        // installers' names pull it towards the out-of-scope examples.
        let s = scores(&[(Intent::Cleanup, 0.2), (Intent::OutOfScope, 0.4)]);
        let partial = cue(Intent::Cleanup);
        assert_eq!(decide(&s, partial, &t).intent, Intent::OutOfScope);
        let stated = Cue {
            stated: true,
            ..partial
        };
        assert_eq!(decide(&s, stated, &t).intent, Intent::Cleanup);
        // Unless out of scope still scores above it, bonus and all.
        let s = scores(&[(Intent::Cleanup, 0.05), (Intent::OutOfScope, 0.9)]);
        assert_eq!(decide(&s, stated, &t).intent, Intent::OutOfScope);
    }

    #[test]
    fn far_or_close_to_out_of_scope_examples_is_out_of_scope() {
        let t = Thresholds {
            min_similarity: 0.4,
            min_margin: 0.05,
            keyword_weight: 0.0,
            ungrounded_keyword_weight: 0.0,
            close_margin: 0.0,
        };
        let far = scores(&[(Intent::Cleanup, 0.3), (Intent::OutOfScope, 0.1)]);
        assert_eq!(
            decide(&far, cue(Intent::OutOfScope), &t).intent,
            Intent::OutOfScope
        );
        let close = scores(&[(Intent::Cleanup, 0.62), (Intent::OutOfScope, 0.6)]);
        assert_eq!(
            decide(&close, cue(Intent::OutOfScope), &t).intent,
            Intent::OutOfScope
        );
        let clear = scores(&[(Intent::Cleanup, 0.7), (Intent::OutOfScope, 0.6)]);
        assert_eq!(
            decide(&clear, cue(Intent::OutOfScope), &t).intent,
            Intent::Cleanup
        );
    }

    #[test]
    fn a_reading_split_between_two_of_tends_intents_is_not_out_of_scope() {
        let t = Thresholds {
            min_similarity: 0.2,
            min_margin: 0.2,
            keyword_weight: 0.28,
            ungrounded_keyword_weight: 0.18,
            close_margin: 0.2,
        };
        // A made-up verb taught once as a backup and once as a restore: no
        // verb of Tend's, so the cue backs out of scope by 0.28, more than
        // either half's lead, not more than both halves'.
        let split = scores(&[
            (Intent::Restore, 0.486),
            (Intent::Backup, 0.481),
            (Intent::OutOfScope, 0.014),
        ]);
        let none = cue(Intent::OutOfScope);
        let decision = decide(&split, none, &t);
        assert_eq!(decision.intent, Intent::Restore);
        assert_eq!(decision.alternative, Some(Intent::Backup));
        // One of Tend's intents alone that far ahead of out of scope is not enough.
        let alone = scores(&[(Intent::Restore, 0.486), (Intent::OutOfScope, 0.014)]);
        assert_eq!(decide(&alone, none, &t).intent, Intent::OutOfScope);
    }

    #[test]
    fn two_of_tends_readings_within_the_margin_are_a_close_call() {
        let t = Thresholds {
            min_similarity: 0.2,
            min_margin: 0.0,
            keyword_weight: 0.0,
            ungrounded_keyword_weight: 0.0,
            close_margin: 0.05,
        };
        // As the service asks: with the intent `decide` picked.
        let asked = |s: &Scores, c: Cue, t: &Thresholds| decide(s, c, t).alternative;
        let close = scores(&[(Intent::Backup, 0.44), (Intent::Restore, 0.41)]);
        assert_eq!(
            asked(&close, cue(Intent::OutOfScope), &t),
            Some(Intent::Restore)
        );
        let clear = scores(&[(Intent::Backup, 0.6), (Intent::Restore, 0.3)]);
        assert_eq!(asked(&clear, cue(Intent::OutOfScope), &t), None);
        // Out of scope close behind is not a reading to offer.
        let oos = scores(&[(Intent::Backup, 0.44), (Intent::OutOfScope, 0.42)]);
        assert_eq!(asked(&oos, cue(Intent::OutOfScope), &t), None);
        // The cue's bonus counts: it can settle a near tie.
        let cued = Thresholds {
            keyword_weight: 0.1,
            ..t
        };
        assert_eq!(asked(&close, cue(Intent::Backup), &cued), None);
    }
}
