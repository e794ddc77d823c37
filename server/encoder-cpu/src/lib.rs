//! The encoder's forward pass on the CPU, written for what Tend feeds it:
//! a few dozen short commands at a time. candle's BERT (used on a GPU) pads
//! every command of a pass to the longest and makes a tensor for each
//! element-wise step; here the commands' tokens are packed one after the
//! other with no padding, the matrix products run over all of them at once,
//! and attention runs per command. Same weights, same arithmetic up to
//! rounding (the server's `tests/nlu_encoder.rs` compares the two).

mod kernels;

use std::path::Path;

use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device, Tensor};
use candle_transformers::models::bert::{Config as BertConfig, HiddenAct};

use kernels::{Dense, Norm, PassGuard};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Candle(#[from] candle_core::Error),
    #[error("{0}")]
    Shape(String),
}

/// The word embeddings stay in the memory-mapped file (250,000 rows for a
/// multilingual vocabulary, most never read); only a command's rows are
/// copied out.
struct WordEmbeddings {
    file: MmapedSafetensors,
    name: String,
}

struct Layer {
    /// Query, key and value in one product: `3 × width` outputs.
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    up: Dense,
    down: Dense,
    output_norm: Norm,
}

pub struct Bert {
    width: usize,
    heads: usize,
    words: WordEmbeddings,
    /// Position rows, each with token type 0's row already added.
    positions: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

impl Bert {
    pub fn load(weights: &Path, config: &BertConfig) -> Result<Bert, Error> {
        // SAFETY: the weights file is memory-mapped read-only; Tend never
        // writes it, and setup replaces it only when it is missing.
        let file = unsafe { MmapedSafetensors::new(weights)? };
        let prefix = prefix(&file, config)?;
        let width = config.hidden_size;
        let eps = config.layer_norm_eps as f32;
        if !matches!(config.hidden_act, HiddenAct::Gelu)
            || !width.is_multiple_of(config.num_attention_heads)
        {
            return Err(Error::Shape(format!(
                "only BERT models with GELU and heads that divide the width are supported \
                 (hidden_act {:?}, width {width}, heads {})",
                config.hidden_act, config.num_attention_heads
            )));
        }
        let read = |name: &str| -> Result<Vec<f32>, Error> {
            Ok(file
                .load(&format!("{prefix}{name}"), &Device::Cpu)?
                .to_dtype(DType::F32)?
                .flatten_all()?
                .to_vec1::<f32>()?)
        };
        let norm = |name: &str| -> Result<Norm, Error> {
            Ok(Norm {
                weight: read(&format!("{name}.weight"))?,
                bias: read(&format!("{name}.bias"))?,
                eps,
            })
        };
        let dense = |names: &[String], inputs: usize| -> Result<Dense, Error> {
            let mut weight = Vec::new();
            let mut bias = Vec::new();
            for name in names {
                weight.extend(read(&format!("{name}.weight"))?);
                bias.extend(read(&format!("{name}.bias"))?);
            }
            let outputs = bias.len();
            if weight.len() != outputs * inputs {
                return Err(Error::Shape(format!(
                    "{} is not {outputs} × {inputs}",
                    names.join("+")
                )));
            }
            Ok(Dense::from_torch(&weight, bias, outputs, inputs))
        };
        let mut positions = read("embeddings.position_embeddings.weight")?;
        let token_type = read("embeddings.token_type_embeddings.weight")?;
        for row in positions.chunks_exact_mut(width) {
            for (p, t) in row.iter_mut().zip(&token_type[..width]) {
                *p += t;
            }
        }
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let at = |name: &str| format!("encoder.layer.{i}.{name}");
            let intermediate = config.intermediate_size;
            layers.push(Layer {
                qkv: dense(
                    &[
                        at("attention.self.query"),
                        at("attention.self.key"),
                        at("attention.self.value"),
                    ],
                    width,
                )?,
                attention_out: dense(&[at("attention.output.dense")], width)?,
                attention_norm: norm(&at("attention.output.LayerNorm"))?,
                up: dense(&[at("intermediate.dense")], width)?,
                down: dense(&[at("output.dense")], intermediate)?,
                output_norm: norm(&at("output.LayerNorm"))?,
            });
        }
        let embedding_norm = norm("embeddings.LayerNorm")?;
        let words = WordEmbeddings {
            name: format!("{prefix}embeddings.word_embeddings.weight"),
            file,
        };
        Ok(Bert {
            width,
            heads: config.num_attention_heads,
            words,
            positions,
            embedding_norm,
            layers,
        })
    }

    /// Mean-pooled, unit-length embeddings of token sequences.
    pub fn embed(&self, sequences: &[&[u32]]) -> Result<Vec<Vec<f32>>, Error> {
        let _pass = PassGuard::enter();
        let rows: usize = sequences.iter().map(|s| s.len()).sum();
        let mut x = self.embeddings(sequences)?;
        let mut qkv = Vec::new();
        let mut context = vec![0f32; rows * self.width];
        let mut attended = Vec::new();
        let mut up = Vec::new();
        for layer in &self.layers {
            layer.qkv.apply(&x, rows, None, &mut qkv);
            let mut start = 0;
            for sequence in sequences {
                let len = sequence.len();
                kernels::attention(
                    &qkv[start * 3 * self.width..(start + len) * 3 * self.width],
                    len,
                    self.width,
                    self.heads,
                    &mut context[start * self.width..(start + len) * self.width],
                );
                start += len;
            }
            layer
                .attention_out
                .apply(&context, rows, Some(&x), &mut attended);
            layer.attention_norm.apply(&mut attended);
            layer.up.apply(&attended, rows, None, &mut up);
            kernels::gelu(&mut up);
            layer.down.apply(&up, rows, Some(&attended), &mut x);
            layer.output_norm.apply(&mut x);
        }
        Ok(self.pooled(&x, sequences))
    }

    /// Each token's word row plus its position row, normalized.
    fn embeddings(&self, sequences: &[&[u32]]) -> Result<Vec<f32>, Error> {
        let view = self.words.file.get(&self.words.name)?;
        let dtype = DType::try_from(view.dtype())?;
        let data = view.data();
        let vocabulary = view.shape()[0];
        let max_positions = self.positions.len() / self.width;
        let mut x =
            Vec::with_capacity(sequences.iter().map(|s| s.len()).sum::<usize>() * self.width);
        for sequence in sequences {
            if sequence.len() > max_positions {
                return Err(Error::Shape(format!(
                    "{} tokens, the model reads at most {max_positions}",
                    sequence.len()
                )));
            }
            for (position, &id) in sequence.iter().enumerate() {
                let id = id as usize;
                if id >= vocabulary {
                    return Err(Error::Shape(format!(
                        "token {id} is outside the vocabulary ({vocabulary})"
                    )));
                }
                let start = x.len();
                push_row(&mut x, data, dtype, id, self.width)?;
                let position_row = &self.positions[position * self.width..][..self.width];
                for (v, p) in x[start..].iter_mut().zip(position_row) {
                    *v += p;
                }
            }
        }
        self.embedding_norm.apply(&mut x);
        Ok(x)
    }

    /// The mean of each sequence's rows, scaled to unit length (so the sum
    /// serves: the count divides out).
    fn pooled(&self, x: &[f32], sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        let mut start = 0;
        sequences
            .iter()
            .map(|sequence| {
                let rows = &x[start * self.width..(start + sequence.len()) * self.width];
                start += sequence.len();
                let mut sum = vec![0f32; self.width];
                for row in rows.chunks_exact(self.width) {
                    for (s, v) in sum.iter_mut().zip(row) {
                        *s += v;
                    }
                }
                let norm = sum.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                sum.iter_mut().for_each(|s| *s /= norm);
                sum
            })
            .collect()
    }
}

/// Row `id` of a row-major embedding matrix stored as `dtype` in `data`,
/// appended to `x` as `f32`.
fn push_row(
    x: &mut Vec<f32>,
    data: &[u8],
    dtype: DType,
    id: usize,
    width: usize,
) -> Result<(), Error> {
    let size = dtype.size_in_bytes();
    let bytes = &data[id * width * size..(id + 1) * width * size];
    if dtype == DType::F32 {
        x.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    } else {
        let row = Tensor::from_raw_buffer(bytes, dtype, &[width], &Device::Cpu)?;
        x.extend(row.to_dtype(DType::F32)?.to_vec1::<f32>()?);
    }
    Ok(())
}

/// Where the weights' names start: plain (`embeddings.…`), or under the
/// model type (`bert.embeddings.…`), as candle's BERT accepts them.
fn prefix(file: &MmapedSafetensors, config: &BertConfig) -> Result<String, Error> {
    let mut candidates = vec![String::new()];
    if let Some(model_type) = &config.model_type {
        candidates.push(format!("{model_type}."));
    }
    candidates.push("bert.".to_string());
    for candidate in &candidates {
        if file
            .get(&format!("{candidate}embeddings.word_embeddings.weight"))
            .is_ok()
        {
            return Ok(candidate.clone());
        }
    }
    Err(Error::Shape(
        "no embeddings.word_embeddings.weight in the weights file".into(),
    ))
}
