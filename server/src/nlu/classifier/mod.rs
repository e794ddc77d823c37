//! Intent by nearest examples: each intent (out-of-scope included) is
//! scored by the mean cosine similarity of its few most similar example
//! phrases; [`decision`] turns the scores into an intent.

mod decision;
mod examples;
pub mod tune;

use std::collections::HashSet;

pub use decision::{decide, Thresholds, TUNED};
pub use examples::{defaults as default_examples, parse as parse_examples, Example, ExampleError};

use crate::nlu::encoder::DIM;
use crate::nlu::Intent;

/// How many nearest examples of an intent make its score: more than one so
/// a single odd example cannot decide alone.
const TOP_K: usize = 3;

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
    intents: Vec<Intent>,
    /// Unit vectors, `DIM` floats per example, in `intents` order.
    vectors: Vec<f32>,
}

impl IntentIndex {
    pub fn len(&self) -> usize {
        self.intents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.intents.is_empty()
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
        self.intents.push(example.intent);
        self.vectors.extend_from_slice(vector);
        true
    }

    /// Each intent's mean similarity to its `TOP_K` nearest examples.
    pub fn scores(&self, query: &[f32]) -> Scores {
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
}
