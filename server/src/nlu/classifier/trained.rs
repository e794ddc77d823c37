//! Intent by a trained classifier: multinomial logistic regression over the
//! example phrases' embeddings, out of scope a class of its own, trained
//! with candle whenever the examples change.
//!
//! Against "mean of the nearest examples" it weighs every example and every
//! dimension: a phrase far from any single example but on the right side of
//! the boundary between two intents is still placed, and one odd example
//! moves the boundary a little instead of claiming its neighbourhood.

use candle_core::{DType, Device, Tensor, Var, D};
use candle_nn::{ops, AdamW, Optimizer, ParamsAdamW};

use super::{slot, Scores};
use crate::nlu::encoder::DIM;
use crate::nlu::Intent;

const CLASSES: usize = Intent::ALL.len();

/// Full-batch steps. The loss is convex and the weights start at zero, so
/// the result depends only on the examples.
const STEPS: usize = 500;
const LEARNING_RATE: f64 = 0.05;

/// The trained weights: a row of `DIM` per intent, in [`Intent::ALL`] order,
/// and a bias per intent.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    weights: Vec<f32>,
    bias: [f32; CLASSES],
}

impl Head {
    /// Trains on unit vectors (`DIM` floats each) and their intents, with
    /// an L2 penalty of `l2` on the weights (wider boundaries: phrasing the
    /// examples do not cover still lands by its overall direction). Each
    /// intent weighs the same in the loss however many examples it has.
    /// `stress` multiplies each example's weight: an admin's example
    /// counts as many shipped ones, so that one phrase moves the boundary
    /// far enough for similar wording to follow it.
    pub fn train(
        vectors: &[f32],
        intents: &[Intent],
        stress: &[f32],
        l2: f64,
    ) -> candle_core::Result<Head> {
        let device = Device::Cpu;
        let n = intents.len();
        let x = Tensor::from_slice(vectors, (n, DIM), &device)?;
        let labels: Vec<u32> = intents.iter().map(|&i| slot(i) as u32).collect();
        let y = Tensor::from_vec(labels, (n, 1), &device)?;
        let weights: Vec<f32> = class_weights(intents)
            .into_iter()
            .zip(stress.iter().chain(std::iter::repeat(&1.0)))
            .map(|(w, s)| w * s)
            .collect();
        let weight_of_each = Tensor::from_vec(weights, n, &device)?;
        let w = Var::zeros((DIM, CLASSES), DType::F32, &device)?;
        let b = Var::zeros(CLASSES, DType::F32, &device)?;
        let params = ParamsAdamW {
            lr: LEARNING_RATE,
            weight_decay: 0.0,
            ..ParamsAdamW::default()
        };
        let mut optimizer = AdamW::new(vec![w.clone(), b.clone()], params)?;
        for _ in 0..STEPS {
            let logits = x.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
            let log_p = ops::log_softmax(&logits, D::Minus1)?;
            let nll = log_p.gather(&y, 1)?.squeeze(1)?.neg()?;
            let data = (nll * &weight_of_each)?.mean(0)?;
            let penalty = (w.as_tensor().sqr()?.sum_all()? * l2)?;
            optimizer.backward_step(&(data + penalty)?)?;
        }
        // Stored per intent (transposed) so a command is seven dot products.
        let weights = w.as_tensor().t()?.contiguous()?.flatten_all()?.to_vec1()?;
        let bias: Vec<f32> = b.as_tensor().to_vec1()?;
        Ok(Head {
            weights,
            bias: bias.try_into().unwrap_or([0.0; CLASSES]),
        })
    }

    /// The probability of each intent for a unit vector.
    pub fn probabilities(&self, query: &[f32]) -> Scores {
        let mut logits = self.bias;
        for (logit, row) in logits.iter_mut().zip(self.weights.chunks_exact(DIM)) {
            *logit += row.iter().zip(query).map(|(a, b)| a * b).sum::<f32>();
        }
        let top = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = logits.iter().map(|l| (l - top).exp()).collect();
        let sum: f32 = exp.iter().sum();
        let mut scores = Scores::default();
        for (intent, e) in Intent::ALL.into_iter().zip(exp) {
            scores.set(intent, e / sum);
        }
        scores
    }
}

/// Each example's weight: the inverse of its intent's share, scaled so the
/// weights average one.
fn class_weights(intents: &[Intent]) -> Vec<f32> {
    let mut counts = [0usize; CLASSES];
    for &i in intents {
        counts[slot(i)] += 1;
    }
    let present = counts.iter().filter(|&&c| c > 0).count().max(1);
    let n = intents.len() as f32;
    intents
        .iter()
        .map(|&i| n / (present as f32 * counts[slot(i)] as f32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direction(axis: usize, tilt: usize, amount: f32) -> Vec<f32> {
        let mut v = vec![0.0; DIM];
        v[axis] = 1.0;
        v[tilt] = amount;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect()
    }

    #[test]
    fn learns_which_side_of_the_boundary_a_new_phrase_is_on() {
        let mut vectors = Vec::new();
        let mut intents = Vec::new();
        for k in 0..5 {
            vectors.extend(direction(0, 10 + k, 0.3));
            intents.push(Intent::Backup);
            vectors.extend(direction(1, 10 + k, 0.3));
            intents.push(Intent::Restore);
        }
        // One out-of-scope example: class weights keep it from being drowned.
        vectors.extend(direction(2, 3, 0.1));
        intents.push(Intent::OutOfScope);
        let head = Head::train(&vectors, &intents, &[], 1e-4).unwrap();
        // Unseen tilts, nearer one axis than the other.
        let backup = head.probabilities(&direction(0, 50, 0.8));
        assert!(backup.get(Intent::Backup) > 0.5, "{backup:?}");
        let restore = head.probabilities(&direction(1, 60, 0.8));
        assert!(restore.get(Intent::Restore) > 0.5, "{restore:?}");
        let oos = head.probabilities(&direction(2, 70, 0.2));
        assert!(oos.get(Intent::OutOfScope) > 0.5, "{oos:?}");
        let total: f32 = Intent::ALL.iter().map(|&i| backup.get(i)).sum();
        assert!((total - 1.0).abs() < 1e-4);
    }

    #[test]
    fn training_twice_on_the_same_examples_gives_the_same_head() {
        let vectors: Vec<f32> = [direction(0, 5, 0.2), direction(1, 6, 0.2)].concat();
        let intents = [Intent::Cleanup, Intent::Status];
        let a = Head::train(&vectors, &intents, &[], 1e-4).unwrap();
        let b = Head::train(&vectors, &intents, &[], 1e-4).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_rare_intent_weighs_as_much_as_a_common_one() {
        let intents = [
            Intent::Backup,
            Intent::Backup,
            Intent::Backup,
            Intent::Cancel,
        ];
        let w = class_weights(&intents);
        let backup: f32 = w[..3].iter().sum();
        assert!((backup - w[3]).abs() < 1e-5);
        assert!((w.iter().sum::<f32>() - 4.0).abs() < 1e-5);
    }
}
