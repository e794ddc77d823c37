//! Intent from the example phrases' embeddings, in one of two ways
//! ([`Method`]): a classifier trained on them ([`trained`]), or the mean
//! cosine similarity of each intent's few most similar examples.
//! [`decision`] turns the scores into an intent.

mod decision;
mod examples;
mod trained;
pub mod tune;
mod tuned;

use std::collections::HashSet;

pub use decision::{decide, Cue, Decision, Thresholds};
pub use examples::{defaults as default_examples, parse as parse_examples, Example, ExampleError};
pub use tuned::{tuning, Tuning, MULTILINGUAL_E5_SMALL};

use crate::nlu::encoder::DIM;
use crate::nlu::Intent;

/// How many nearest examples of an intent make its score: more than one so
/// a single odd example cannot decide alone.
const TOP_K: usize = 3;

/// How the examples score a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// Each intent's probability from a logistic regression trained on
    /// every example ([`trained::Head`]).
    #[default]
    Trained,
    /// Each intent's mean similarity to its `TOP_K` nearest examples.
    Nearest,
}

impl Method {
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "trained" => Some(Method::Trained),
            "nearest" => Some(Method::Nearest),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Trained => "trained",
            Method::Nearest => "nearest",
        }
    }
}

/// How many shipped examples an admin's example weighs as in training: an
/// admin teaching a phrasing expects similar wording to follow it at once.
const ADMIN_STRESS: f32 = 25.0;

/// One score per intent, in [`Intent::ALL`] order.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores([f32; Intent::ALL.len()]);

fn slot(intent: Intent) -> usize {
    Intent::ALL
        .iter()
        .position(|&i| i == intent)
        .unwrap_or(Intent::ALL.len() - 1)
}

impl Scores {
    pub fn get(&self, intent: Intent) -> f32 {
        self.0[slot(intent)]
    }
    pub fn set(&mut self, intent: Intent, score: f32) {
        self.0[slot(intent)] = score;
    }
}

/// Embedded example phrases. Adding a phrase embeds only that phrase, so
/// admins' examples can join at runtime without re-embedding the rest.
#[derive(Default)]
pub struct IntentIndex {
    texts: HashSet<String>,
    /// The texts admins added (the rest shipped with Tend).
    admin: HashSet<String>,
    /// Text of each example, in `intents` order.
    order: Vec<String>,
    intents: Vec<Intent>,
    /// Unit vectors, `DIM` floats per example, in `intents` order.
    vectors: Vec<f32>,
    method: Method,
    /// The model family the tunings are looked up by ([`tuning`]).
    family: String,
    /// Trained on the examples as they are; `None` while it is out of date
    /// (or with [`Method::Nearest`]).
    head: Option<trained::Head>,
}

impl IntentIndex {
    pub fn len(&self) -> usize {
        self.intents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.intents.is_empty()
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// Whose embeddings these are, for the tuning to use.
    pub fn set_family(&mut self, family: &str) {
        self.family = family.to_string();
        self.head = None;
    }

    /// The tuning for how the index scores now ([`IntentIndex::scoring`]).
    pub fn tuning(&self) -> Tuning {
        tuning(&self.family, self.scoring())
    }

    /// Scores with `method` from now on (retrained by [`IntentIndex::refresh`]).
    pub fn set_method(&mut self, method: Method) {
        if self.method == method {
            return;
        }
        self.method = method;
        self.head = None;
    }

    /// Trains the classifier on the examples as they are now, if it is out
    /// of date. Call it once after a batch of inserts and removals: one
    /// training costs tens of milliseconds.
    pub fn refresh(&mut self) {
        if self.method != Method::Trained || self.head.is_some() || self.intents.is_empty() {
            return;
        }
        let l2 = tuning(&self.family, Method::Trained).l2;
        let stress: Vec<f32> = self
            .order
            .iter()
            .map(|text| {
                if self.admin.contains(text) {
                    ADMIN_STRESS
                } else {
                    1.0
                }
            })
            .collect();
        match trained::Head::train(&self.vectors, &self.intents, &stress, l2) {
            Ok(head) => self.head = Some(head),
            // Scores fall back to the nearest examples until the next try.
            Err(e) => tracing::warn!("training the intent classifier failed: {e}"),
        }
    }

    /// The examples not in the index yet (by text), i.e. those to embed.
    pub fn missing<'a>(&self, examples: &'a [Example]) -> Vec<&'a Example> {
        let mut seen = HashSet::new();
        examples
            .iter()
            .filter(|e| !self.texts.contains(&e.text) && seen.insert(&e.text))
            .collect()
    }

    /// Adds an embedded example. A text already present is ignored; a vector
    /// of the wrong length is refused.
    pub fn insert(&mut self, example: &Example, vector: &[f32]) -> bool {
        if vector.len() != DIM || self.texts.contains(&example.text) {
            return false;
        }
        self.texts.insert(example.text.clone());
        self.order.push(example.text.clone());
        self.intents.push(example.intent);
        self.vectors.extend_from_slice(vector);
        self.head = None;
        true
    }

    /// [`IntentIndex::insert`] for an admin's example, which
    /// [`IntentIndex::remove_admin`] can take out again.
    pub fn insert_admin(&mut self, example: &Example, vector: &[f32]) -> bool {
        let added = self.insert(example, vector);
        if added {
            self.admin.insert(example.text.clone());
        }
        added
    }

    /// The admin examples whose text is not in `wanted`.
    pub fn admin_not_in(&self, wanted: &[Example]) -> Vec<String> {
        let wanted: HashSet<&str> = wanted.iter().map(|e| e.text.as_str()).collect();
        self.admin
            .iter()
            .filter(|t| !wanted.contains(t.as_str()))
            .cloned()
            .collect()
    }

    /// Takes out an admin example; shipped examples stay.
    pub fn remove_admin(&mut self, text: &str) -> bool {
        if !self.admin.remove(text) {
            return false;
        }
        let Some(at) = self.order.iter().position(|t| t == text) else {
            return false;
        };
        self.texts.remove(text);
        self.order.remove(at);
        self.intents.remove(at);
        self.vectors.drain(at * DIM..(at + 1) * DIM);
        self.head = None;
        true
    }

    /// How [`IntentIndex::scores`] scores now: [`Method::Nearest`] until the
    /// classifier is trained.
    pub fn scoring(&self) -> Method {
        if self.head.is_some() {
            Method::Trained
        } else {
            Method::Nearest
        }
    }

    /// Each intent's score for a command's unit vector: its probability
    /// when the classifier is trained, else its nearest examples' similarity.
    pub fn scores(&self, query: &[f32]) -> Scores {
        match &self.head {
            Some(head) => head.probabilities(query),
            None => self.nearest(query),
        }
    }

    /// The `k` examples most similar to `query`, most similar first: (text,
    /// intent, similarity, added by an admin).
    pub fn nearest_examples(&self, query: &[f32], k: usize) -> Vec<(String, Intent, f32, bool)> {
        let mut all: Vec<(usize, f32)> = self
            .vectors
            .chunks_exact(DIM)
            .map(|v| v.iter().zip(query).map(|(a, b)| a * b).sum::<f32>())
            .enumerate()
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1));
        all.into_iter()
            .take(k)
            .map(|(i, similarity)| {
                let text = self.order[i].clone();
                let admin = self.admin.contains(&text);
                (text, self.intents[i], similarity, admin)
            })
            .collect()
    }

    /// Each intent's mean similarity to its `TOP_K` nearest examples.
    pub fn nearest(&self, query: &[f32]) -> Scores {
        let mut nearest: [[f32; TOP_K]; Intent::ALL.len()] =
            [[f32::NEG_INFINITY; TOP_K]; Intent::ALL.len()];
        for (intent, vector) in self.intents.iter().zip(self.vectors.chunks_exact(DIM)) {
            let similarity: f32 = vector.iter().zip(query).map(|(a, b)| a * b).sum();
            let top = &mut nearest[slot(*intent)];
            // Keep the top list sorted, best first.
            if similarity > top[TOP_K - 1] {
                top[TOP_K - 1] = similarity;
                top.sort_by(|a, b| b.total_cmp(a));
            }
        }
        let mut scores = Scores::default();
        for intent in Intent::ALL {
            let found: Vec<f32> = nearest[slot(intent)]
                .iter()
                .copied()
                .filter(|s| s.is_finite())
                .collect();
            if !found.is_empty() {
                scores.set(intent, found.iter().sum::<f32>() / found.len() as f32);
            }
        }
        scores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(axis: usize) -> Vec<f32> {
        let mut v = vec![0.0; DIM];
        v[axis] = 1.0;
        v
    }

    fn example(intent: Intent, text: &str) -> Example {
        Example {
            intent,
            text: text.into(),
        }
    }

    #[test]
    fn scores_average_the_nearest_examples_per_intent() {
        let mut index = IntentIndex::default();
        assert!(index.insert(&example(Intent::Backup, "a"), &unit(0)));
        assert!(index.insert(&example(Intent::Backup, "b"), &unit(1)));
        assert!(index.insert(&example(Intent::Cleanup, "c"), &unit(2)));
        assert!(!index.insert(&example(Intent::Cleanup, "c"), &unit(2)));
        assert!(!index.insert(&example(Intent::Cleanup, "short"), &[1.0]));
        let scores = index.scores(&unit(0));
        assert!((scores.get(Intent::Backup) - 0.5).abs() < 1e-6);
        assert_eq!(scores.get(Intent::Cleanup), 0.0);
        assert_eq!(scores.get(Intent::Status), 0.0);
        let new = [example(Intent::Backup, "a"), example(Intent::Sync, "d")];
        assert_eq!(index.missing(&new), vec![&new[1]]);
    }

    #[test]
    fn admin_examples_come_and_go_shipped_ones_stay() {
        let mut index = IntentIndex::default();
        assert!(index.insert(&example(Intent::Backup, "a"), &unit(0)));
        assert!(index.insert_admin(&example(Intent::Sync, "b"), &unit(1)));
        assert!(index.insert_admin(&example(Intent::Status, "c"), &unit(2)));
        assert_eq!(index.admin_not_in(&[example(Intent::Sync, "b")]), vec!["c"]);
        assert!(!index.remove_admin("a"));
        assert!(index.remove_admin("b"));
        assert_eq!(index.len(), 2);
        // The vectors of the rest kept their places.
        assert_eq!(index.scores(&unit(2)).get(Intent::Status), 1.0);
        assert_eq!(index.scores(&unit(0)).get(Intent::Backup), 1.0);
        assert_eq!(index.scores(&unit(1)).get(Intent::Sync), 0.0);
        assert_eq!(index.missing(&[example(Intent::Sync, "b")]).len(), 1);
    }
}
