//! The settings chosen for each model and method, on the dev set
//! (`tend eval server/eval/intents-dev.jsonl --tune`), never on held-out or
//! the blind sets. How they were chosen and how they scored:
//! docs/understanding.md.

use super::{Method, Thresholds};

/// What a model and method need besides the examples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// The trained classifier's L2 penalty ([`super::trained`]).
    pub l2: f64,
    pub thresholds: Thresholds,
}

/// The model family the multilingual tunings are for: what
/// `tend-encoder.json` names, or the model directory's name.
pub const MULTILINGUAL_E5_SMALL: &str = "multilingual-e5-small";

/// The tuning for `family` (see [`MULTILINGUAL_E5_SMALL`]) scored by
/// `method`. Any other model gets all-MiniLM-L6-v2's.
pub fn tuning(family: &str, method: Method) -> Tuning {
    match (family == MULTILINGUAL_E5_SMALL, method) {
        (true, Method::Trained) => E5_TRAINED,
        (true, Method::Nearest) => E5_NEAREST,
        (false, Method::Trained) => MINILM_TRAINED,
        (false, Method::Nearest) => MINILM_NEAREST,
    }
}

/// multilingual-e5-small, trained classifier: the default. Its scores are
/// probabilities, so `min_similarity` is the least probability an intent
/// needs, and `min_margin` how far it must be ahead of out of scope. The
/// sweep's best on dev.
const E5_TRAINED: Tuning = Tuning {
    l2: 1e-5,
    thresholds: Thresholds {
        min_similarity: 0.34,
        min_margin: 0.15,
        keyword_weight: 0.30,
        ungrounded_keyword_weight: 0.04,
        close_margin: 0.2,
    },
};

/// multilingual-e5-small by nearest examples. Its similarities crowd
/// between 0.7 and 0.9, so the keyword cue weighs little.
const E5_NEAREST: Tuning = Tuning {
    l2: 0.0,
    thresholds: Thresholds {
        min_similarity: 0.2,
        min_margin: 0.01,
        keyword_weight: 0.02,
        ungrounded_keyword_weight: 0.0,
        close_margin: 0.0,
    },
};

/// all-MiniLM-L6-v2, trained classifier.
const MINILM_TRAINED: Tuning = Tuning {
    l2: 1e-4,
    thresholds: Thresholds {
        min_similarity: 0.2,
        min_margin: 0.13,
        keyword_weight: 0.26,
        ungrounded_keyword_weight: 0.1,
        close_margin: 0.0,
    },
};

/// all-MiniLM-L6-v2 by nearest examples: the settings Tend shipped with
/// before the trained classifier, kept while they stayed within an item of
/// the sweep's best. The two out-of-scope thresholds sit at the bottom of
/// their range: out of scope is decided by the out-of-scope examples
/// winning, not by a similarity floor; the keyword cue counts for much less
/// when the command names nothing Tend acts on.
const MINILM_NEAREST: Tuning = Tuning {
    l2: 0.0,
    thresholds: Thresholds {
        min_similarity: 0.2,
        min_margin: 0.0,
        keyword_weight: 0.12,
        ungrounded_keyword_weight: 0.02,
        close_margin: 0.0,
    },
};
