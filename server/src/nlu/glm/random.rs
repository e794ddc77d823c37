//! GLM-4 models with random weights, made on the device without any file:
//! timing the GLM backend at full size needs the shape, not the trained
//! weights (which cannot be downloaded here, and are 18 GB).

use candle_core::{DType, Device, Shape as Dims, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{Init, VarBuilder};
use candle_transformers::models::glm4_new::Config;

/// GLM-4-9B's shape, as in the `config.json` of THUDM/GLM-4-9B-0414 (the
/// layout candle-transformers' `glm4_new` reads): 40 layers, 4096 wide,
/// 151,552 tokens, grouped-query attention with 2 key/value heads.
pub const GLM4_9B: &str = r#"{
    "vocab_size": 151552,
    "hidden_size": 4096,
    "intermediate_size": 13696,
    "num_hidden_layers": 40,
    "num_attention_heads": 32,
    "num_key_value_heads": 2,
    "head_dim": 128,
    "partial_rotary_factor": 0.5,
    "attention_bias": true,
    "max_position_embeddings": 32768,
    "sliding_window": null,
    "tie_word_embeddings": false,
    "rope_theta": 10000.0,
    "rms_norm_eps": 1e-5,
    "hidden_act": "silu",
    "eos_token_id": null
}"#;

/// A model shape `tend bench glm` can time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// GLM-4-9B ([`GLM4_9B`]): about 9.4 billion weights, 19 GB in BF16.
    Glm4_9b,
    /// Two layers 64 wide: checks the path on a CPU in a moment.
    Tiny,
}

impl std::str::FromStr for Shape {
    type Err = String;
    fn from_str(s: &str) -> Result<Shape, String> {
        match s {
            "glm-4-9b" => Ok(Shape::Glm4_9b),
            "tiny" => Ok(Shape::Tiny),
            other => Err(format!("unknown model shape {other:?}: glm-4-9b or tiny")),
        }
    }
}

impl Shape {
    /// The model's config; `vocab` is the tokenizer's size, which the
    /// model's vocabulary must cover (GLM-4-9B's 151,552 covers any
    /// stand-in tokenizer).
    pub fn config(self, vocab: usize) -> Config {
        let mut json: serde_json::Value =
            serde_json::from_str(GLM4_9B).expect("the GLM-4-9B config parses");
        json["vocab_size"] = json["vocab_size"]
            .as_u64()
            .unwrap_or(0)
            .max(vocab as u64)
            .into();
        if self == Shape::Tiny {
            for (key, value) in [
                ("hidden_size", 64),
                ("intermediate_size", 128),
                ("num_hidden_layers", 2),
                ("num_attention_heads", 4),
                ("num_key_value_heads", 2),
                ("head_dim", 16),
            ] {
                json[key] = value.into();
            }
            json["vocab_size"] = vocab.into();
        }
        serde_json::from_value(json).expect("a GLM-4 config deserializes")
    }
}

/// Weights drawn as the model asks (norms get their constant), the rest
/// normal with a small spread so activations stay finite over 40 layers.
/// Drawn in F32 and converted: candle's CUDA backend draws no BF16.
struct RandomWeights;

impl SimpleBackend for RandomWeights {
    fn get(
        &self,
        dims: Dims,
        _name: &str,
        init: Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        match init {
            Init::Const(value) => (Tensor::ones(dims, DType::F32, device)? * value)?,
            _ => Tensor::randn(0f32, 0.02, dims, device)?,
        }
        .to_dtype(dtype)
    }

    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> candle_core::Result<Tensor> {
        candle_core::bail!("random weights have no shape for {name}")
    }

    fn contains_tensor(&self, _name: &str) -> bool {
        true
    }
}

pub(super) fn weights(dtype: DType, device: &Device) -> VarBuilder<'static> {
    VarBuilder::from_backend(Box::new(RandomWeights), dtype, device.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_shape_has_nine_billion_weights() {
        let c = Shape::Glm4_9b.config(30_522);
        assert_eq!(c.vocab_size, 151_552);
        let head = c.head_dim.unwrap_or(c.hidden_size / c.num_attention_heads);
        let attention = c.hidden_size * c.num_attention_heads * head * 2
            + c.hidden_size * c.num_key_value_heads * head * 2;
        let mlp = c.hidden_size * c.intermediate_size * 3;
        let total = c.num_hidden_layers * (attention + mlp) + 2 * c.vocab_size * c.hidden_size;
        assert!((9_000_000_000..10_000_000_000).contains(&total), "{total}");
        assert_eq!(Shape::Tiny.config(500).vocab_size, 500);
        assert_eq!("glm-4-9b".parse(), Ok(Shape::Glm4_9b));
        assert!("glm-5".parse::<Shape>().is_err());
    }

    #[test]
    fn weights_follow_the_models_hints() {
        let vb = weights(DType::F32, &Device::Cpu);
        let norm = vb.get_with_hints(8, "norm", Init::Const(1.0)).unwrap();
        assert_eq!(norm.to_vec1::<f32>().unwrap(), vec![1.0; 8]);
        let w = vb
            .get_with_hints((64, 64), "w", candle_nn::init::DEFAULT_KAIMING_NORMAL)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let mean = w.iter().sum::<f32>() / w.len() as f32;
        let spread = (w.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / w.len() as f32).sqrt();
        assert!(
            mean.abs() < 0.005 && (0.015..0.025).contains(&spread),
            "{mean} {spread}"
        );
    }
}
