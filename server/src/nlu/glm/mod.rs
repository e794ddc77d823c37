//! The GLM backend: a GLM-4 causal language model (candle-transformers'
//! `glm4_new`) used as a zero-shot intent classifier. An instruction lists
//! the intents with their descriptions and a few example phrases; each
//! intent's label is scored by its mean log-likelihood after the prompt, and
//! the best label wins unless out of scope scores within a margin of it.
//!
//! The instruction is the same for every command, so it runs through the
//! model once (again when admins change the examples), and its key/value
//! cache is kept. A command runs only its own tokens after it; each label
//! then continues from a copy of the model whose cache holds the whole
//! prompt (candle's tensors are shared, so a copy is cheap).

mod random;

pub use random::{Shape, GLM4_9B};

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor, D};
use candle_nn::VarBuilder;
use candle_transformers::models::glm4_new::{Config, ModelForCausalLM};
use tokenizers::Tokenizer;

use super::classifier::Example;
use super::Intent;

/// Out of scope wins when the best intent beats it by no more than this (mean
/// log-likelihood per label token).
const OUT_OF_SCOPE_MARGIN: f32 = 0.0;
/// Examples per intent shown in the prompt.
const EXAMPLES_PER_INTENT: usize = 2;
/// Longest command text put into the prompt, in tokens.
const MAX_COMMAND_TOKENS: usize = 96;

#[derive(Debug, thiserror::Error)]
pub enum GlmError {
    #[error("the GLM model is not in {dir} ({missing} is missing); set glm_dir / TEND_GLM_DIR to a directory with config.json, tokenizer.json and *.safetensors")]
    Missing { dir: PathBuf, missing: &'static str },
    #[error("cannot read {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("the GLM model failed: {0}")]
    Model(#[from] candle_core::Error),
    #[error("cannot tokenize: {0}")]
    Tokenize(String),
}

fn intent_description(intent: Intent) -> &'static str {
    match intent {
        Intent::Backup => "make a backup snapshot of a directory into a repository",
        Intent::Restore => "restore files from a backup, or undo a cleanup",
        Intent::Sync => "mirror or copy a directory to another place",
        Intent::Cleanup => "delete or clean up old, temporary or large files",
        Intent::Status => "ask how tasks are doing",
        Intent::Cancel => "stop or cancel a running task",
        Intent::OutOfScope => "anything else",
        Intent::Retry => "run a failed task again",
    }
}

pub struct GlmScorer {
    /// Its key/value cache holds the instruction's `prefix_tokens`.
    model: ModelForCausalLM,
    tokenizer: Tokenizer,
    device: Device,
    /// The instruction, up to where the command goes.
    prefix: String,
    prefix_tokens: usize,
    /// Each intent's label as tokens (with a leading space, as it follows "Intent:").
    labels: Vec<(Intent, Vec<u32>)>,
}

/// The GPU when built with `cuda` and one is present (BF16), else the CPU (F32).
fn device_and_dtype() -> Result<(Device, DType), GlmError> {
    let device = Device::cuda_if_available(0)?;
    let dtype = if device.is_cuda() {
        DType::BF16
    } else {
        DType::F32
    };
    Ok((device, dtype))
}

/// Every intent's score (mean label log-likelihood), best first.
pub type Ranking = Vec<(Intent, f32)>;

impl GlmScorer {
    /// Loads `config.json`, `tokenizer.json` and every `*.safetensors` shard
    /// in `dir`, onto the GPU when built with `cuda` and one is present.
    pub fn load(dir: &Path, examples: &[Example]) -> Result<GlmScorer, GlmError> {
        let need = |name: &'static str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(GlmError::Missing {
                    dir: dir.to_path_buf(),
                    missing: name,
                })
            }
        };
        let load_error = |path: &Path, e: &dyn std::fmt::Display| GlmError::Load {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let config_path = need("config.json")?;
        let tokenizer_path = need("tokenizer.json")?;
        let config: Config = std::fs::read_to_string(&config_path)
            .map_err(|e| load_error(&config_path, &e))
            .and_then(|t| serde_json::from_str(&t).map_err(|e| load_error(&config_path, &e)))?;
        let tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| load_error(&tokenizer_path, &e))?;
        let mut shards: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| load_error(dir, &e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "safetensors"))
            .collect();
        shards.sort();
        if shards.is_empty() {
            return Err(GlmError::Missing {
                dir: dir.to_path_buf(),
                missing: "*.safetensors",
            });
        }
        let (device, dtype) = device_and_dtype()?;
        // SAFETY: the shards are memory-mapped read-only and not modified
        // while Tend runs.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&shards, dtype, &device) }
            .map_err(|e| load_error(dir, &e))?;
        let model = ModelForCausalLM::new(&config, vb).map_err(|e| load_error(dir, &e))?;
        GlmScorer::new(model, tokenizer, device, examples)
    }

    /// A model of `config`'s shape with random weights, made on the device
    /// without any file: for timing the backend at full size (`tend bench
    /// glm`), not for understanding anything.
    pub fn random(
        config: &Config,
        tokenizer: Tokenizer,
        examples: &[Example],
    ) -> Result<GlmScorer, GlmError> {
        let (device, dtype) = device_and_dtype()?;
        let model = ModelForCausalLM::new(config, random::weights(dtype, &device))?;
        GlmScorer::new(model, tokenizer, device, examples)
    }

    fn new(
        model: ModelForCausalLM,
        tokenizer: Tokenizer,
        device: Device,
        examples: &[Example],
    ) -> Result<GlmScorer, GlmError> {
        let mut scorer = GlmScorer {
            model,
            tokenizer,
            device,
            prefix: String::new(),
            prefix_tokens: 0,
            labels: Vec::new(),
        };
        for intent in Intent::ALL {
            let tokens = scorer.tokens(&format!(" {}", intent.as_str()))?;
            scorer.labels.push((intent, tokens));
        }
        scorer.set_examples(examples)?;
        Ok(scorer)
    }

    /// Rebuilds the instruction with another set of example phrases
    /// (shipped plus admins') and runs it through the model once.
    pub fn set_examples(&mut self, examples: &[Example]) -> Result<(), GlmError> {
        let prefix = prompt_prefix(examples);
        let tokens = self.tokens(&prefix)?;
        self.model.clear_kv_cache();
        // Until the new cache is complete, no command may use a stale one.
        self.prefix_tokens = 0;
        self.prefix.clear();
        if !tokens.is_empty() {
            let input = Tensor::new(tokens.as_slice(), &self.device)?.unsqueeze(0)?;
            self.model.forward(&input, 0)?;
        }
        self.prefix = prefix;
        self.prefix_tokens = tokens.len();
        Ok(())
    }

    pub fn device_name(&self) -> &'static str {
        if self.device.is_cuda() {
            "cuda"
        } else {
            "cpu"
        }
    }

    fn tokens(&self, text: &str) -> Result<Vec<u32>, GlmError> {
        self.tokenizer
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| GlmError::Tokenize(e.to_string()))
    }

    /// Scores every intent for `command`; best first.
    pub fn rank(&mut self, command: &str) -> Result<Ranking, GlmError> {
        let mut rest = self.tokens(command)?;
        rest.truncate(MAX_COMMAND_TOKENS);
        rest.extend(self.tokens("\nIntent:")?);
        // The instruction is in the cache already; only the rest runs.
        let mut prompted = self.model.clone();
        let input = Tensor::new(rest.as_slice(), &self.device)?.unsqueeze(0)?;
        let after_prompt = log_probs(&prompted.forward(&input, self.prefix_tokens)?)?;
        let prompt_len = self.prefix_tokens + rest.len();
        let mut ranking = Vec::with_capacity(self.labels.len());
        for (intent, label) in &self.labels {
            let mut model = prompted.clone();
            let mut total = 0f32;
            let mut next = after_prompt.clone();
            for (i, &token) in label.iter().enumerate() {
                total += next
                    .get(token as usize)
                    .copied()
                    .unwrap_or(f32::NEG_INFINITY);
                if i + 1 < label.len() {
                    let step = Tensor::new(&[token], &self.device)?.unsqueeze(0)?;
                    next = log_probs(&model.forward(&step, prompt_len + i)?)?;
                }
            }
            ranking.push((*intent, total / label.len().max(1) as f32));
        }
        ranking.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(ranking)
    }

    /// The intent and a confidence in [0, 1] (softmax over the scores).
    pub fn classify(&mut self, command: &str) -> Result<(Intent, f32), GlmError> {
        let ranking = self.rank(command)?;
        Ok(decide(&ranking))
    }
}

/// The best intent, unless out of scope is within the margin of it.
pub fn decide(ranking: &Ranking) -> (Intent, f32) {
    let Some(&(best, best_score)) = ranking.first() else {
        return (Intent::OutOfScope, 1.0);
    };
    let out_of_scope = ranking
        .iter()
        .find(|(i, _)| *i == Intent::OutOfScope)
        .map_or(f32::NEG_INFINITY, |(_, s)| *s);
    let sum: f32 = ranking.iter().map(|(_, s)| (s - best_score).exp()).sum();
    let confidence = 1.0 / sum.max(1.0);
    if best != Intent::OutOfScope && best_score - out_of_scope <= OUT_OF_SCOPE_MARGIN {
        (Intent::OutOfScope, confidence)
    } else {
        (best, confidence)
    }
}

/// Log-probabilities of the next token from `[1, 1, vocab]` logits.
fn log_probs(logits: &Tensor) -> Result<Vec<f32>, candle_core::Error> {
    let logits = logits.squeeze(0)?.squeeze(0)?.to_dtype(DType::F32)?;
    candle_nn::ops::log_softmax(&logits, D::Minus1)?.to_vec1::<f32>()
}

/// The instruction: intents with descriptions and a few examples each.
fn prompt_prefix(examples: &[Example]) -> String {
    let mut prompt = String::from(
        "Classify the request to a file-management assistant into one intent.\nIntents:\n",
    );
    for intent in Intent::ALL {
        prompt.push_str(&format!(
            "- {}: {}\n",
            intent.as_str(),
            intent_description(intent)
        ));
    }
    prompt.push_str("Examples:\n");
    for intent in Intent::ALL {
        for example in examples
            .iter()
            .filter(|e| e.intent == intent)
            .take(EXAMPLES_PER_INTENT)
        {
            prompt.push_str(&format!(
                "Request: {}\nIntent: {}\n",
                example.text,
                intent.as_str()
            ));
        }
    }
    prompt.push_str("Request: ");
    prompt
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-layer GLM-4 with random weights that reads one character per
    /// token, so every label is several tokens long.
    fn tiny_scorer() -> GlmScorer {
        use tokenizers::models::wordlevel::WordLevel;
        use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
        use tokenizers::SplitDelimiterBehavior;
        let mut vocab: Vec<(String, u32)> = vec![("[UNK]".into(), 0)];
        for (i, c) in (' '..='~').chain(['\n']).enumerate() {
            vocab.push((c.to_string(), i as u32 + 1));
        }
        let size = vocab.len();
        let model = WordLevel::builder()
            .vocab(vocab.into_iter().collect())
            .unk_token("[UNK]".into())
            .build()
            .unwrap();
        let mut tokenizer = Tokenizer::new(model);
        let chars = Split::new(
            SplitPattern::Regex("(?s).".into()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .unwrap();
        tokenizer.with_pre_tokenizer(Some(chars));
        let config = Shape::Tiny.config(size);
        let examples = vec![Example {
            intent: Intent::Cleanup,
            text: "delete *.tmp in /srv".into(),
        }];
        GlmScorer::random(&config, tokenizer, &examples).unwrap()
    }

    /// What `rank` computes, with the whole prompt run from scratch.
    fn rank_from_scratch(scorer: &GlmScorer, command: &str) -> Ranking {
        let mut prompt = scorer.tokens(&scorer.prefix).unwrap();
        prompt.extend(scorer.tokens(command).unwrap());
        prompt.extend(scorer.tokens("\nIntent:").unwrap());
        let mut model = scorer.model.clone();
        model.clear_kv_cache();
        let input = Tensor::new(prompt.as_slice(), &scorer.device)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let after = log_probs(&model.forward(&input, 0).unwrap()).unwrap();
        let mut ranking = Vec::new();
        for (intent, label) in &scorer.labels {
            let mut m = model.clone();
            let (mut total, mut next) = (0f32, after.clone());
            for (i, &token) in label.iter().enumerate() {
                total += next[token as usize];
                let step = Tensor::new(&[token], &scorer.device)
                    .unwrap()
                    .unsqueeze(0)
                    .unwrap();
                next = log_probs(&m.forward(&step, prompt.len() + i).unwrap()).unwrap();
            }
            ranking.push((*intent, total / label.len() as f32));
        }
        ranking.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranking
    }

    #[test]
    fn the_cached_instruction_scores_as_the_whole_prompt_does() {
        let mut scorer = tiny_scorer();
        assert!(scorer.prefix_tokens > 100, "{}", scorer.prefix_tokens);
        assert!(scorer.labels.iter().all(|(_, l)| l.len() > 4));
        let commands = ["back up /srv to /mnt/nas", "mount the usb drive", ""];
        let first: Vec<Ranking> = commands.iter().map(|c| scorer.rank(c).unwrap()).collect();
        for (command, ranking) in commands.iter().zip(&first) {
            let expected = rank_from_scratch(&scorer, command);
            assert_eq!(ranking.len(), expected.len());
            for ((i, a), (j, b)) in ranking.iter().zip(&expected) {
                assert_eq!(i, j, "{command:?}: {ranking:?} vs {expected:?}");
                assert!((a - b).abs() < 1e-4, "{command:?}: {a} vs {b}");
            }
            // Scoring other commands in between leaves the cache as it was.
            assert_eq!(ranking, &scorer.rank(command).unwrap());
        }
        // New examples: a new instruction in the cache, and other scores.
        scorer
            .set_examples(&[Example {
                intent: Intent::Sync,
                text: "mirror /a to /b".into(),
            }])
            .unwrap();
        assert!(scorer.prefix.contains("mirror /a to /b"));
        let after = scorer.rank(commands[0]).unwrap();
        assert_ne!(after, first[0]);
        let expected = rank_from_scratch(&scorer, commands[0]);
        assert!(after
            .iter()
            .zip(&expected)
            .all(|((i, a), (j, b))| i == j && (a - b).abs() < 1e-4));
    }

    #[test]
    fn out_of_scope_wins_ties_and_confidence_is_a_probability() {
        let ranking = vec![
            (Intent::Backup, -1.0),
            (Intent::OutOfScope, -1.0),
            (Intent::Sync, -3.0),
        ];
        let (intent, confidence) = decide(&ranking);
        assert_eq!(intent, Intent::OutOfScope);
        assert!(confidence > 0.0 && confidence <= 1.0);
        let clear = vec![(Intent::Sync, -0.5), (Intent::OutOfScope, -4.0)];
        assert_eq!(decide(&clear).0, Intent::Sync);
    }

    #[test]
    fn the_prompt_lists_every_intent_and_ends_where_the_request_goes() {
        let examples = vec![Example {
            intent: Intent::Cleanup,
            text: "delete *.tmp in /srv".into(),
        }];
        let prompt = prompt_prefix(&examples);
        for intent in Intent::ALL {
            assert!(prompt.contains(&format!("- {}:", intent.as_str())));
        }
        assert!(prompt.contains("Request: delete *.tmp in /srv\nIntent: cleanup\n"));
        assert!(prompt.ends_with("Request: "));
    }
}
