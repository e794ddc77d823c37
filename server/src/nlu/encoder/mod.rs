//! The sentence encoder: a BERT-shaped model on candle (all-MiniLM-L6-v2 by
//! default, or multilingual-e5-small), which turns a command into a
//! 384-dimensional unit vector whose dot product with another is their
//! semantic similarity.

mod cache;
mod grouping;
mod pooling;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use tend_encoder_cpu as cpu;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

pub use cache::EmbeddingCache;
pub use pooling::{l2_normalize, mean_pool};

/// Length of an embedding.
pub const DIM: usize = 384;

/// Tokens kept per command. Commands are a sentence or two; the cut keeps a
/// pasted essay from costing more than a long command.
const MAX_TOKENS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error(
        "the intent model is not in {dir} ({missing} is missing). Run scripts/setup's \
         ensure_model (scripts/start does) or set model_dir / TEND_MODEL_DIR to a \
         Hugging Face-style directory with config.json, tokenizer.json and model.safetensors."
    )]
    Missing { dir: PathBuf, missing: &'static str },
    #[error("cannot read {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("the intent model failed: {0}")]
    Model(#[from] candle_core::Error),
    #[error("the intent model failed: {0}")]
    Cpu(#[from] cpu::Error),
    #[error("cannot tokenize the command: {0}")]
    Tokenize(String),
}

fn load_error(path: &Path, e: impl std::fmt::Display) -> EncoderError {
    EncoderError::Load {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// What a model directory may add in `tend-encoder.json` about how its
/// model is used.
#[derive(Debug, Default, serde::Deserialize)]
struct Usage {
    /// Put before every text: e5 models are trained on "query: …".
    #[serde(default)]
    query_prefix: String,
    /// Which model this is, whatever the directory is called: the tuned
    /// thresholds are looked up by it.
    #[serde(default)]
    family: Option<String>,
    /// Cut each path to its last part before the model reads a text
    /// ([`crate::nlu::slots::paths_shortened`]).
    #[serde(default)]
    shorten_paths: bool,
}

/// Whose forward pass runs the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernels {
    /// [`cpu::Bert`]: packed commands, no padding (the CPU's default).
    Packed,
    /// candle-transformers' BERT: a GPU's, or the CPU's for comparison.
    Candle,
}

enum Model {
    Packed(cpu::Bert),
    Candle(BertModel),
}

/// Most tokens in one packed pass: a pass over all the example phrases at
/// start would otherwise hold a few hundred megabytes of activations.
const TOKENS_PER_PASS: usize = 2048;

pub struct Encoder {
    /// The model directory's name, for logs and `tend eval`.
    name: String,
    /// `tend-encoder.json`'s family, else the directory's name.
    family: String,
    query_prefix: String,
    shorten_paths: bool,
    model: Model,
    tokenizer: Tokenizer,
    device: Device,
    /// config.json, tokenizer.json, model.safetensors: what a cache of
    /// this model's embeddings is fingerprinted by.
    files: [PathBuf; 3],
    /// Example embeddings from earlier runs, when a cache file is set.
    cache: Option<Mutex<EmbeddingCache>>,
    /// Texts run through the model by [`Encoder::embed_examples`].
    examples_embedded: AtomicUsize,
}

impl Encoder {
    /// Loads a Hugging Face-style model directory onto the GPU when this
    /// build has the `cuda` feature and one is present (candle's kernels),
    /// else the CPU (Tend's packed pass).
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let device = Device::cuda_if_available(0)?;
        let kernels = if device.is_cuda() {
            Kernels::Candle
        } else {
            Kernels::Packed
        };
        Encoder::load_on(dir, device, kernels)
    }

    /// Loads the model on the CPU with the given kernels.
    pub fn load_with(dir: &Path, kernels: Kernels) -> Result<Encoder, EncoderError> {
        Encoder::load_on(dir, Device::Cpu, kernels)
    }

    fn load_on(dir: &Path, device: Device, kernels: Kernels) -> Result<Encoder, EncoderError> {
        let file = |name: &'static str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(EncoderError::Missing {
                    dir: dir.to_path_buf(),
                    missing: name,
                })
            }
        };
        let (config_path, tokenizer_path, weights_path) = (
            file("config.json")?,
            file("tokenizer.json")?,
            file("model.safetensors")?,
        );
        let config: BertConfig = std::fs::read_to_string(&config_path)
            .map_err(|e| load_error(&config_path, e))
            .and_then(|text| {
                serde_json::from_str(&text).map_err(|e| load_error(&config_path, e))
            })?;
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| load_error(&tokenizer_path, e))?;
        // The shipped tokenizer pads every input to 128 tokens; a lone command
        // needs no padding, and batches are padded to their longest member.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|e| load_error(&tokenizer_path, e))?;
        let usage_path = dir.join("tend-encoder.json");
        let usage: Usage = match std::fs::read_to_string(&usage_path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| load_error(&usage_path, e))?,
            Err(_) => Usage::default(),
        };
        let model = match kernels {
            Kernels::Packed => Model::Packed(
                cpu::Bert::load(&weights_path, &config)
                    .map_err(|e| load_error(&weights_path, e))?,
            ),
            Kernels::Candle => {
                // SAFETY: the weights file is memory-mapped read-only; Tend
                // never writes it, and setup replaces it only when it is
                // missing.
                let weights = unsafe {
                    VarBuilder::from_mmaped_safetensors(&[&weights_path], DType::F32, &device)
                }
                .map_err(|e| load_error(&weights_path, e))?;
                Model::Candle(
                    BertModel::load(weights, &config).map_err(|e| load_error(&weights_path, e))?,
                )
            }
        };
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| dir.display().to_string());
        Ok(Encoder {
            family: usage.family.unwrap_or_else(|| name.clone()),
            name,
            query_prefix: usage.query_prefix,
            shorten_paths: usage.shorten_paths,
            model,
            tokenizer,
            device,
            files: [config_path, tokenizer_path, weights_path],
            cache: None,
            examples_embedded: AtomicUsize::new(0),
        })
    }

    /// Keeps example embeddings in `file` between runs. A cache that cannot
    /// be opened is left out (with a note in the log): it only saves time.
    pub fn with_cache(mut self, file: PathBuf) -> Encoder {
        let files: Vec<&Path> = self.files.iter().map(PathBuf::as_path).collect();
        match EmbeddingCache::open(file, &files, self.computation()) {
            Ok(cache) => self.cache = Some(Mutex::new(cache)),
            Err(e) => tracing::warn!("embedding cache not used: {e}"),
        }
        self
    }

    /// Embeddings of example phrases: from the cache where it has them, the
    /// rest from the model (and into the cache). Call
    /// [`Encoder::save_cache`] once a set of examples is in.
    pub fn embed_examples(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        let Some(cache) = &self.cache else {
            self.examples_embedded
                .fetch_add(texts.len(), Ordering::Relaxed);
            return self.embed(texts);
        };
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        // Keyed as the model reads it, so a changed prefix is a new text.
        let keys: Vec<String> = texts.iter().map(|t| self.as_read(t)).collect();
        let mut vectors: Vec<Option<Vec<f32>>> = keys.iter().map(|k| cache.get(k)).collect();
        let missing: Vec<usize> = (0..texts.len()).filter(|&i| vectors[i].is_none()).collect();
        if !missing.is_empty() {
            let batch: Vec<&str> = missing.iter().map(|&i| texts[i]).collect();
            let computed = self.embed(&batch)?;
            self.examples_embedded
                .fetch_add(batch.len(), Ordering::Relaxed);
            for (&i, vector) in missing.iter().zip(computed) {
                cache.put(&keys[i], &vector);
                vectors[i] = Some(vector);
            }
        }
        Ok(vectors.into_iter().flatten().collect())
    }

    /// Writes the cache when it changed; a failure only costs time later.
    pub fn save_cache(&self) {
        if let Some(cache) = &self.cache {
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = cache.save() {
                tracing::warn!("embedding cache not saved: {e}");
            }
        }
    }

    /// How many example phrases went through the model (not the cache).
    pub fn examples_embedded(&self) -> usize {
        self.examples_embedded.load(Ordering::Relaxed)
    }

    /// `text` as the model is given it: the prefix, shorthand verbs
    /// written out, and the paths cut short when the model directory asks
    /// for it.
    pub fn as_read(&self, text: &str) -> String {
        let text = crate::nlu::shorthand::expanded(text);
        if self.shorten_paths {
            format!(
                "{}{}",
                self.query_prefix,
                crate::nlu::slots::paths_shortened(&text)
            )
        } else {
            format!("{}{text}", self.query_prefix)
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn family(&self) -> &str {
        &self.family
    }

    /// What computes the embeddings, for the cache's key: the packed pass
    /// and candle's round differently.
    fn computation(&self) -> &'static str {
        match self.model {
            Model::Packed(_) => "cpu-packed",
            Model::Candle(_) => self.device_name(),
        }
    }

    pub fn device_name(&self) -> &'static str {
        if self.device.is_cuda() {
            "cuda"
        } else {
            "cpu"
        }
    }

    /// Unit-length embeddings of `texts`, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let inputs: Vec<String> = texts.iter().map(|t| self.as_read(t)).collect();
        let encodings = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        match &self.model {
            Model::Packed(bert) => Encoder::embed_packed(bert, &encodings),
            Model::Candle(model) => self.embed_padded(model, &encodings),
        }
    }

    /// Passes of at most [`TOKENS_PER_PASS`] tokens, the commands packed.
    fn embed_packed(
        bert: &cpu::Bert,
        encodings: &[Encoding],
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        let mut vectors = Vec::with_capacity(encodings.len());
        let mut pass: Vec<&[u32]> = Vec::new();
        let mut tokens = 0;
        for encoding in encodings {
            let ids = encoding.get_ids();
            if tokens + ids.len() > TOKENS_PER_PASS && !pass.is_empty() {
                vectors.extend(bert.embed(&pass)?);
                pass.clear();
                tokens = 0;
            }
            pass.push(ids);
            tokens += ids.len();
        }
        vectors.extend(bert.embed(&pass)?);
        Ok(vectors)
    }

    /// Commands of similar length share a forward pass ([`grouping`]); each
    /// pass is padded to its longest member and the padding masked out.
    fn embed_padded(
        &self,
        model: &BertModel,
        encodings: &[Encoding],
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        let lengths: Vec<usize> = encodings.iter().map(|e| e.get_ids().len()).collect();
        let mut vectors = vec![Vec::new(); encodings.len()];
        for group in grouping::by_length(&lengths) {
            let members: Vec<&Encoding> = group.iter().map(|&i| &encodings[i]).collect();
            for (i, vector) in group.into_iter().zip(self.forward(model, &members)?) {
                vectors[i] = vector;
            }
        }
        Ok(vectors)
    }

    /// One padded forward pass over `encodings`.
    fn forward(
        &self,
        model: &BertModel,
        encodings: &[&Encoding],
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        let width = encodings
            .iter()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0);
        let mut ids = Vec::with_capacity(encodings.len() * width);
        let mut mask = Vec::with_capacity(encodings.len() * width);
        for encoding in encodings {
            let real = encoding.get_ids();
            ids.extend_from_slice(real);
            mask.extend(std::iter::repeat_n(1u32, real.len()));
            // Padding token 0 ([PAD]), masked out below.
            ids.extend(std::iter::repeat_n(0u32, width - real.len()));
            mask.extend(std::iter::repeat_n(0u32, width - real.len()));
        }
        let shape = (encodings.len(), width);
        let ids = Tensor::from_vec(ids, shape, &self.device)?;
        let mask = Tensor::from_vec(mask, shape, &self.device)?;
        let token_types = ids.zeros_like()?;
        let hidden = model.forward(&ids, &token_types, Some(&mask))?;
        let pooled = l2_normalize(&mean_pool(&hidden, &mask)?)?;
        Ok(pooled.to_dtype(DType::F32)?.to_vec2::<f32>()?)
    }
}
