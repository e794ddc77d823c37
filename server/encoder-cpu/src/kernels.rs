//! The steps of a BERT layer over plain row-major `f32` buffers. Each one
//! writes in place or into a buffer the caller keeps, so a forward pass
//! allocates a handful of buffers instead of one tensor per element-wise
//! step, and the element-wise loops are written so the compiler vectorizes
//! them (no libm call per element: `erf` and `exp` are polynomials here).

use std::sync::atomic::{AtomicUsize, Ordering};

use gemm::Parallelism;

/// Forward passes running now. A pass that runs alone spreads its matrix
/// products over the cores; when passes overlap (the batcher's threads each
/// took a batch) each keeps to its own core, which is faster than both
/// fighting over all of them.
static PASSES_RUNNING: AtomicUsize = AtomicUsize::new(0);

/// Counts a forward pass for as long as it lives.
pub struct PassGuard;

impl PassGuard {
    pub fn enter() -> PassGuard {
        PASSES_RUNNING.fetch_add(1, Ordering::Relaxed);
        PassGuard
    }
}

impl Drop for PassGuard {
    fn drop(&mut self) {
        PASSES_RUNNING.fetch_sub(1, Ordering::Relaxed);
    }
}

fn parallelism(work: usize) -> Parallelism {
    // Below about a million multiply-adds splitting costs more than it saves.
    let threads = rayon::current_num_threads();
    if threads > 1 && work >= 1 << 20 && PASSES_RUNNING.load(Ordering::Relaxed) <= 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    }
}

/// A linear layer's weights, stored input-major: `weight[i * outputs + o]`.
pub struct Dense {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub inputs: usize,
    pub outputs: usize,
}

impl Dense {
    /// From a PyTorch-layout weight (`outputs` rows of `inputs`).
    pub fn from_torch(weight: &[f32], bias: Vec<f32>, outputs: usize, inputs: usize) -> Dense {
        assert_eq!(weight.len(), outputs * inputs);
        assert_eq!(bias.len(), outputs);
        let mut transposed = vec![0f32; weight.len()];
        for o in 0..outputs {
            for i in 0..inputs {
                transposed[i * outputs + o] = weight[o * inputs + i];
            }
        }
        Dense {
            weight: transposed,
            bias,
            inputs,
            outputs,
        }
    }

    /// `out = x · W + b (+ residual)` for the `rows` rows of `x`.
    pub fn apply(&self, x: &[f32], rows: usize, residual: Option<&[f32]>, out: &mut Vec<f32>) {
        assert_eq!(x.len(), rows * self.inputs);
        out.clear();
        match residual {
            Some(residual) => {
                assert_eq!(residual.len(), rows * self.outputs);
                for row in residual.chunks_exact(self.outputs) {
                    out.extend(row.iter().zip(&self.bias).map(|(r, b)| r + b));
                }
            }
            None => {
                for _ in 0..rows {
                    out.extend_from_slice(&self.bias);
                }
            }
        }
        // SAFETY: every buffer holds exactly the elements its sizes and
        // strides reach (asserted above; `out` was filled to rows × outputs),
        // all row-major with unit column stride, and `out` does not alias
        // `x` or the weights.
        unsafe {
            gemm::gemm(
                rows,
                self.outputs,
                self.inputs,
                out.as_mut_ptr(),
                1,
                self.outputs as isize,
                true,
                x.as_ptr(),
                1,
                self.inputs as isize,
                self.weight.as_ptr(),
                1,
                self.outputs as isize,
                1.0,
                1.0,
                false,
                false,
                false,
                parallelism(rows * self.inputs * self.outputs),
            );
        }
    }
}

/// Layer normalization's scale and shift.
pub struct Norm {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub eps: f32,
}

impl Norm {
    /// Normalizes each row of `x` (rows of `weight.len()`) in place.
    pub fn apply(&self, x: &mut [f32]) {
        let width = self.weight.len();
        for row in x.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let scale = 1.0 / (variance + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * scale * w + b;
            }
        }
    }
}

/// GELU as BERT defines it, `x/2 · (1 + erf(x/√2))`, in place.
pub fn gelu(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// `erf` to within a few units in the last place of an `f32`: the rational
/// approximation Eigen and XLA use for single precision. Branch-free, so a
/// loop over it vectorizes.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn erf(x: f32) -> f32 {
    // Beyond ±4 erf is ±1 in single precision.
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = -2.72614225801306e-10_f32;
    p = p * x2 + 2.77068142495902e-08;
    p = p * x2 - 2.10102402082508e-06;
    p = p * x2 - 5.69250639462346e-05;
    p = p * x2 - 7.34990630326855e-04;
    p = p * x2 - 2.95459980854025e-03;
    p = p * x2 - 1.60960333262415e-02;
    let mut q = -1.45660718464996e-05_f32;
    q = q * x2 - 2.13374055278905e-04;
    q = q * x2 - 1.68282697438203e-03;
    q = q * x2 - 7.37332916720468e-03;
    q = q * x2 - 1.42647390514189e-02;
    x * p / q
}

/// `e^x` to about two units in the last place, for softmax's inputs (at
/// most 0, since the row's maximum is taken off first). Branch-free.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    // Below -87 the result is under f32's smallest normal: call it 0.
    let x = x.max(-87.0);
    // x = n·ln2 + r with |r| ≤ ln2/2; n rounded by the 1.5·2²³ trick.
    const ROUND: f32 = 12_582_912.0;
    let rounded = x * std::f32::consts::LOG2_E + ROUND;
    let n = rounded - ROUND;
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    // Taylor terms to r⁶/6!: error below 2⁻²³ for |r| ≤ ln2/2.
    let mut p = 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // n's bits are the low bits of `rounded`'s: 2ⁿ without a float-to-int
    // conversion, which would not vectorize as well.
    let n_bits = rounded.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(n_bits.wrapping_add(127) << 23);
    p * scale
}

/// Softmax of one row, in place.
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = exp(*v - max);
        sum += *v;
    }
    let inverse = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inverse;
    }
}

/// Self-attention of one sequence. `qkv` holds its `len` rows of query,
/// key and value side by side (`3 × width` each); the context goes into
/// `out`'s `len` rows of `width`. No mask: a sequence holds only its own
/// tokens, never padding.
pub fn attention(qkv: &[f32], len: usize, width: usize, heads: usize, out: &mut [f32]) {
    let size = width / heads;
    let scale = 1.0 / (size as f32).sqrt();
    let stride = 3 * width;
    let mut scores = vec![0f32; len];
    for head in 0..heads {
        let (q_at, k_at, v_at) = (head * size, width + head * size, 2 * width + head * size);
        for i in 0..len {
            let q = &qkv[i * stride + q_at..][..size];
            for (j, score) in scores.iter_mut().enumerate() {
                let k = &qkv[j * stride + k_at..][..size];
                *score = dot(q, k) * scale;
            }
            softmax(&mut scores);
            let context = &mut out[i * width + head * size..][..size];
            context.fill(0.0);
            for (j, &p) in scores.iter().enumerate() {
                let v = &qkv[j * stride + v_at..][..size];
                for (c, v) in context.iter_mut().zip(v) {
                    *c += p * v;
                }
            }
        }
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Eight running sums let the loop vectorize (one sum would fix the
    // order of the additions).
    let mut sums = [0f32; 8];
    let (a8, a_rest) = a.split_at(a.len() / 8 * 8);
    let (b8, b_rest) = b.split_at(a8.len());
    for (x, y) in a8.chunks_exact(8).zip(b8.chunks_exact(8)) {
        for k in 0..8 {
            sums[k] += x[k] * y[k];
        }
    }
    let rest: f32 = a_rest.iter().zip(b_rest).map(|(x, y)| x * y).sum();
    sums.iter().sum::<f32>() + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn libm_erf(x: f64) -> f64 {
        // A series that converges for |x| ≤ 4 in f64: the reference.
        let mut term = x;
        let mut sum = x;
        let mut n = 0.0;
        while term.abs() > 1e-17 * sum.abs().max(1e-300) {
            n += 1.0;
            term *= -x * x / n;
            sum += term / (2.0 * n + 1.0);
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn erf_matches_the_series_to_single_precision() {
        let mut worst = 0f64;
        for i in -4000..=4000 {
            let x = i as f64 / 1000.0;
            let error = (erf(x as f32) as f64 - libm_erf(x)).abs();
            worst = worst.max(error);
        }
        assert!(worst < 5e-7, "worst error {worst}");
        assert_eq!(erf(10.0), 1.0);
        assert_eq!(erf(-10.0), -1.0);
    }

    #[test]
    fn exp_matches_std_to_a_few_ulps() {
        for i in -87_000..=0 {
            let x = i as f32 / 1000.0;
            let (ours, std) = (exp(x), x.exp());
            assert!(
                ((ours - std) / std).abs() < 4.0 * f32::EPSILON,
                "exp({x}) = {ours}, std {std}"
            );
        }
        assert_eq!(exp(-1000.0), exp(-87.0));
    }

    #[test]
    fn a_dense_layer_adds_its_bias_and_the_residual() {
        // W (2 outputs × 3 inputs) in PyTorch's layout.
        let dense = Dense::from_torch(&[1.0, 2.0, 3.0, 0.0, -1.0, 1.0], vec![10.0, 20.0], 2, 3);
        let x = [1.0, 1.0, 1.0, 2.0, 0.0, 1.0];
        let mut out = Vec::new();
        dense.apply(&x, 2, None, &mut out);
        assert_eq!(out, [16.0, 20.0, 15.0, 21.0]);
        dense.apply(&x, 2, Some(&[1.0, 1.0, -1.0, -1.0]), &mut out);
        assert_eq!(out, [17.0, 21.0, 14.0, 20.0]);
    }

    #[test]
    fn norm_gives_rows_zero_mean_and_unit_variance() {
        let norm = Norm {
            weight: vec![1.0; 4],
            bias: vec![0.0; 4],
            eps: 1e-12,
        };
        let mut x = [1.0, 2.0, 3.0, 4.0, 10.0, 10.0, 10.0, 14.0];
        norm.apply(&mut x);
        for row in x.chunks(4) {
            let mean: f32 = row.iter().sum::<f32>() / 4.0;
            let var: f32 = row.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 4.0;
            assert!(mean.abs() < 1e-6 && (var - 1.0).abs() < 1e-5, "{row:?}");
        }
    }

    #[test]
    fn attention_weighs_values_by_softmax_of_scaled_dot_products() {
        // One head of width 2, two tokens.
        let qkv = [
            1.0, 0.0, 1.0, 0.0, 1.0, 2.0, // token 0: q, k, v
            0.0, 1.0, 0.0, 1.0, 3.0, 4.0, // token 1
        ];
        let mut out = [0f32; 4];
        attention(&qkv, 2, 2, 1, &mut out);
        let s = 1.0 / 2f32.sqrt();
        let p = |a: f32, b: f32| (a.exp() / (a.exp() + b.exp()), b.exp() / (a.exp() + b.exp()));
        let (p00, p01) = p(s, 0.0);
        let (p10, p11) = p(0.0, s);
        let expected = [
            p00 * 1.0 + p01 * 3.0,
            p00 * 2.0 + p01 * 4.0,
            p10 * 1.0 + p11 * 3.0,
            p10 * 2.0 + p11 * 4.0,
        ];
        for (a, b) in out.iter().zip(expected) {
            assert!((a - b).abs() < 1e-6, "{out:?} vs {expected:?}");
        }
    }
}
