//! Sentence vectors from token vectors, as sentence-transformers builds them
//! for all-MiniLM-L6-v2: the mean over real (unmasked) tokens, scaled to
//! unit length so a dot product is the cosine similarity.

use candle_core::{DType, Result, Tensor, D};

/// `hidden` is (batch, tokens, dim); `mask` is (batch, tokens) with 1 for a
/// real token and 0 for padding. Returns (batch, dim).
pub fn mean_pool(hidden: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let mask = mask.to_dtype(hidden.dtype())?.unsqueeze(D::Minus1)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    // A row with no real token would divide by zero; it cannot come from the
    // tokenizer ([CLS] is always there) but costs nothing to guard.
    let counts = mask.sum(1)?.maximum(1e-9)?;
    summed.broadcast_div(&counts)
}

/// Scales each row of a (batch, dim) tensor to unit L2 norm.
pub fn l2_normalize(rows: &Tensor) -> Result<Tensor> {
    let norms = rows
        .to_dtype(DType::F32)?
        .sqr()?
        .sum_keepdim(D::Minus1)?
        .sqrt()?
        .maximum(1e-12)?;
    rows.broadcast_div(&norms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn padding_is_left_out_of_the_mean() {
        let hidden = Tensor::new(
            &[
                [[1f32, 2.0], [3.0, 4.0], [100.0, 100.0]],
                [[2.0, 0.0], [0.0, 0.0], [0.0, 0.0]],
            ],
            &Device::Cpu,
        )
        .unwrap();
        let mask = Tensor::new(&[[1u32, 1, 0], [1, 0, 0]], &Device::Cpu).unwrap();
        let pooled = mean_pool(&hidden, &mask).unwrap().to_vec2::<f32>().unwrap();
        assert_eq!(pooled, vec![vec![2.0, 3.0], vec![2.0, 0.0]]);
    }

    #[test]
    fn rows_come_out_with_unit_length() {
        let rows = Tensor::new(&[[3f32, 4.0], [0.0, -2.0]], &Device::Cpu).unwrap();
        let unit = l2_normalize(&rows).unwrap().to_vec2::<f32>().unwrap();
        assert_eq!(unit, vec![vec![0.6, 0.8], vec![0.0, -1.0]]);
        let zero = Tensor::zeros((1, 3), DType::F32, &Device::Cpu).unwrap();
        let zero = l2_normalize(&zero).unwrap().to_vec2::<f32>().unwrap();
        assert!(zero[0].iter().all(|x| x.is_finite()), "{zero:?}");
    }
}
