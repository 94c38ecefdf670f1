//! A BERT encoder forward pass written for throughput on the CPU.
//!
//! The same arithmetic as candle-transformers' BERT (and PyTorch's), organised differently:
//!
//! * **packed sequences**: the tokens of all texts of a batch are stacked into one matrix with
//!   no padding at all, so the dense layers (Q/K/V, attention output, the feed-forward pair) are
//!   four large matrix products per layer and no work is spent on padding;
//! * attention runs per (text, head) on both cores, with the softmax done in place;
//! * residual + layer norm and bias + GELU are fused single passes, and GELU's erf uses a
//!   branch-free approximation (|error| < 1.2e-7) that the compiler vectorises;
//! * matrix products go to gemm (the library candle uses), its AVX-512 kernels where the CPU
//!   has them.
//!
//! Weights are read from `model.safetensors` with candle. The four linear layers of each block
//! run in the chosen [`Precision`] (see [`super::quant`]); embeddings, layer norms, attention
//! and activations stay f32.

use super::quant::{Weights, int8_matmul, round_bf16};
use super::{EmbedError, Pooling, Precision};
use candle_core::{DType, Device, Tensor};
use gemm::Parallelism;
use std::collections::HashMap;
use std::path::Path;

/// The activation of the feed-forward layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Gelu,
    GeluTanh,
    Relu,
}

struct Layer {
    /// [3H, H]: the query, key and value projections stacked.
    qkv_w: Weights,
    qkv_b: Vec<f32>,
    out_w: Weights,
    out_b: Vec<f32>,
    ln1_w: Vec<f32>,
    ln1_b: Vec<f32>,
    ffn_in_w: Weights,
    ffn_in_b: Vec<f32>,
    ffn_out_w: Weights,
    ffn_out_b: Vec<f32>,
    ln2_w: Vec<f32>,
    ln2_b: Vec<f32>,
}

/// The encoder's weights and shape.
pub struct FusedBert {
    hidden: usize,
    heads: usize,
    inter: usize,
    eps: f32,
    max_positions: usize,
    vocab: usize,
    act: Activation,
    precision: Precision,
    word: Vec<f32>,
    position: Vec<f32>,
    token_type: Vec<f32>,
    emb_ln_w: Vec<f32>,
    emb_ln_b: Vec<f32>,
    layers: Vec<Layer>,
}

/// Shape parameters from `config.json`.
pub struct Shape {
    pub hidden: usize,
    pub heads: usize,
    pub layers: usize,
    pub intermediate: usize,
    pub eps: f64,
    pub max_positions: usize,
    pub vocab: usize,
    pub activation: Activation,
}

fn weights_err(path: &Path, message: String) -> EmbedError {
    EmbedError::Weights { file: path.to_path_buf(), message }
}

impl FusedBert {
    pub fn load(path: &Path, shape: &Shape, precision: Precision) -> Result<Self, EmbedError> {
        let tensors: HashMap<String, Tensor> =
            candle_core::safetensors::load(path, &Device::Cpu).map_err(|e| weights_err(path, e.to_string()))?;
        // Some checkpoints prefix every name with "bert.".
        let prefix = if tensors.keys().any(|k| k.starts_with("bert.embeddings.")) { "bert." } else { "" };
        let get = |name: &str, len: usize| -> Result<Vec<f32>, EmbedError> {
            let full = format!("{prefix}{name}");
            let t = tensors.get(&full).ok_or_else(|| weights_err(path, format!("no tensor named {full}")))?;
            let v: Vec<f32> = t
                .to_dtype(DType::F32)
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1())
                .map_err(|e| weights_err(path, format!("{full}: {e}")))?;
            if v.len() != len {
                return Err(weights_err(path, format!("{full} has {} values, expected {len}", v.len())));
            }
            Ok(v)
        };
        let (h, i) = (shape.hidden, shape.intermediate);
        let token_types = tensors
            .get(&format!("{prefix}embeddings.token_type_embeddings.weight"))
            .map(|t| t.elem_count() / h)
            .unwrap_or(1)
            .max(1);
        let mut layers = Vec::with_capacity(shape.layers);
        for l in 0..shape.layers {
            let p = format!("encoder.layer.{l}");
            let mut qkv_w = get(&format!("{p}.attention.self.query.weight"), h * h)?;
            qkv_w.extend(get(&format!("{p}.attention.self.key.weight"), h * h)?);
            qkv_w.extend(get(&format!("{p}.attention.self.value.weight"), h * h)?);
            let mut qkv_b = get(&format!("{p}.attention.self.query.bias"), h)?;
            qkv_b.extend(get(&format!("{p}.attention.self.key.bias"), h)?);
            qkv_b.extend(get(&format!("{p}.attention.self.value.bias"), h)?);
            let weights = |w: Vec<f32>, n: usize, k: usize| Weights::new(w, n, k, precision);
            layers.push(Layer {
                qkv_w: weights(qkv_w, 3 * h, h),
                qkv_b,
                out_w: weights(get(&format!("{p}.attention.output.dense.weight"), h * h)?, h, h),
                out_b: get(&format!("{p}.attention.output.dense.bias"), h)?,
                ln1_w: get(&format!("{p}.attention.output.LayerNorm.weight"), h)?,
                ln1_b: get(&format!("{p}.attention.output.LayerNorm.bias"), h)?,
                ffn_in_w: weights(get(&format!("{p}.intermediate.dense.weight"), i * h)?, i, h),
                ffn_in_b: get(&format!("{p}.intermediate.dense.bias"), i)?,
                ffn_out_w: weights(get(&format!("{p}.output.dense.weight"), h * i)?, h, i),
                ffn_out_b: get(&format!("{p}.output.dense.bias"), h)?,
                ln2_w: get(&format!("{p}.output.LayerNorm.weight"), h)?,
                ln2_b: get(&format!("{p}.output.LayerNorm.bias"), h)?,
            });
        }
        Ok(Self {
            hidden: h,
            heads: shape.heads,
            inter: i,
            eps: shape.eps as f32,
            max_positions: shape.max_positions,
            vocab: shape.vocab,
            act: shape.activation,
            precision,
            word: get("embeddings.word_embeddings.weight", shape.vocab * h)?,
            position: get("embeddings.position_embeddings.weight", shape.max_positions * h)?,
            token_type: get("embeddings.token_type_embeddings.weight", token_types * h)?,
            emb_ln_w: get("embeddings.LayerNorm.weight", h)?,
            emb_ln_b: get("embeddings.LayerNorm.bias", h)?,
            layers,
        })
    }

    /// Pooled, L2-normalised sentence vectors of token-id sequences (special tokens included).
    ///
    /// A sequence longer than the model's positions, or a token id beyond its vocabulary, is an
    /// error: neither is clamped to something the model did not mean.
    pub fn embed(&self, seqs: &[Vec<u32>], pooling: Pooling, threads: usize) -> Result<Vec<Vec<f32>>, EmbedError> {
        for seq in seqs {
            if seq.len() > self.max_positions {
                return Err(EmbedError::Inference(format!(
                    "a text has {} tokens, more than the {} positions the model has",
                    seq.len(),
                    self.max_positions
                )));
            }
            if let Some(&id) = seq.iter().find(|&&id| id as usize >= self.vocab) {
                return Err(EmbedError::Inference(format!(
                    "token id {id} is beyond the model's vocabulary of {} tokens",
                    self.vocab
                )));
            }
        }
        Ok(self.embed_checked(seqs, pooling, threads))
    }

    fn embed_checked(&self, seqs: &[Vec<u32>], pooling: Pooling, threads: usize) -> Vec<Vec<f32>> {
        let h = self.hidden;
        let offsets: Vec<usize> = std::iter::once(0)
            .chain(seqs.iter().scan(0, |acc, s| {
                *acc += s.len();
                Some(*acc)
            }))
            .collect();
        let t = *offsets.last().unwrap_or(&0);
        if t == 0 {
            return seqs.iter().map(|_| vec![0.0; h]).collect();
        }
        let par = if threads > 1 { Parallelism::Rayon(threads) } else { Parallelism::None };
        // Embeddings.
        let mut x = vec![0.0f32; t * h];
        for (s, seq) in seqs.iter().enumerate() {
            for (p, &id) in seq.iter().enumerate() {
                let row = &mut x[(offsets[s] + p) * h..(offsets[s] + p + 1) * h];
                let id = id as usize;
                let w = &self.word[id * h..(id + 1) * h];
                let pe = &self.position[p * h..(p + 1) * h];
                let te = &self.token_type[..h];
                for j in 0..h {
                    row[j] = w[j] + pe[j] + te[j];
                }
            }
        }
        layer_norm_rows(&mut x, None, &self.emb_ln_w, &self.emb_ln_b, h, self.eps);
        let mut qkv = vec![0.0f32; t * 3 * h];
        let mut ctx = vec![0.0f32; t * h];
        let mut tmp = vec![0.0f32; t * h];
        let mut ffn = vec![0.0f32; t * self.inter];
        let mut scratch = Scratch::default();
        let inter = self.inter;
        for layer in &self.layers {
            self.linear(&x, &layer.qkv_w, &layer.qkv_b, &mut qkv, (t, h, 3 * h), par, threads, &mut scratch);
            self.attention(&qkv, &mut ctx, &offsets, threads);
            self.linear(&ctx, &layer.out_w, &layer.out_b, &mut tmp, (t, h, h), par, threads, &mut scratch);
            layer_norm_rows(&mut x, Some(&tmp), &layer.ln1_w, &layer.ln1_b, h, self.eps);
            self.linear(&x, &layer.ffn_in_w, &layer.ffn_in_b, &mut ffn, (t, h, inter), par, threads, &mut scratch);
            activate(&mut ffn, self.act, threads);
            self.linear(&ffn, &layer.ffn_out_w, &layer.ffn_out_b, &mut tmp, (t, inter, h), par, threads, &mut scratch);
            layer_norm_rows(&mut x, Some(&tmp), &layer.ln2_w, &layer.ln2_b, h, self.eps);
        }
        // Pooling, then unit length.
        (0..seqs.len())
            .map(|s| {
                let rows = &x[offsets[s] * h..offsets[s + 1] * h];
                let mut v = vec![0.0f32; h];
                let n = offsets[s + 1] - offsets[s];
                match pooling {
                    Pooling::Cls => v.copy_from_slice(&rows[..h]),
                    Pooling::Mean => {
                        for row in rows.chunks_exact(h) {
                            for (a, b) in v.iter_mut().zip(row) {
                                *a += b;
                            }
                        }
                        v.iter_mut().for_each(|a| *a /= n.max(1) as f32);
                    }
                    Pooling::Max => {
                        v.iter_mut().for_each(|a| *a = f32::NEG_INFINITY);
                        for row in rows.chunks_exact(h) {
                            for (a, b) in v.iter_mut().zip(row) {
                                *a = a.max(*b);
                            }
                        }
                    }
                }
                super::normalize(&mut v);
                v
            })
            .collect()
    }

    /// out[t×n] = x[t×k] · wᵀ + b in the layer's precision.
    #[allow(clippy::too_many_arguments)]
    fn linear(
        &self,
        x: &[f32],
        w: &Weights,
        b: &[f32],
        out: &mut [f32],
        (t, k, n): (usize, usize, usize),
        par: Parallelism,
        threads: usize,
        scratch: &mut Scratch,
    ) {
        match w {
            Weights::Float(w) if self.precision == Precision::Bf16 => {
                scratch.rounded.clear();
                scratch.rounded.extend(x[..t * k].iter().map(|&v| round_bf16(v)));
                matmul_bias(&scratch.rounded, w, b, out, t, k, n, par);
            }
            Weights::Float(w) => matmul_bias(x, w, b, out, t, k, n, par),
            Weights::Int8(q) => int8_matmul(x, q, b, out, t, k, threads, &mut scratch.quant),
        }
    }

    /// Self-attention of every text and head; `qkv` rows are [q | k | v] per token.
    fn attention(&self, qkv: &[f32], ctx: &mut [f32], offsets: &[usize], threads: usize) {
        let h = self.hidden;
        let heads = self.heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let n_seqs = offsets.len() - 1;
        // Jobs: (text, head), ordered by text so each worker writes disjoint rows of ctx.
        let work = |s: usize, ctx_rows: &mut [f32], scores: &mut Vec<f32>| {
            let (o, l) = (offsets[s], offsets[s + 1] - offsets[s]);
            scores.resize(l * l, 0.0);
            let row = (3 * h) as isize;
            // The text's l rows of [q | k | v] (3h wide), its l×l scores and l rows of ctx.
            assert!((o + l) * 3 * h <= qkv.len() && scores.len() >= l * l && ctx_rows.len() >= l * h);
            assert!(heads * d <= h);
            for head in 0..heads {
                let q = qkv[o * 3 * h + head * d..].as_ptr();
                let k = qkv[o * 3 * h + h + head * d..].as_ptr();
                let v = qkv[o * 3 * h + 2 * h + head * d..].as_ptr();
                // scores = Q·Kᵀ × scale (Kᵀ read through strides, no copy).
                // SAFETY: q, k and v start at o·3h + {0, h, 2h} + head·d; gemm reads l rows
                // (stride 3h) of d floats from q and k, the last float below (o + l − 1)·3h + 2h
                // + heads·d ≤ (o + l)·3h ≤ qkv.len(), and writes l×l floats of `scores`
                // (asserted above).
                unsafe {
                    gemm::gemm(
                        l,
                        l,
                        d,
                        scores.as_mut_ptr(),
                        1,
                        l as isize,
                        false,
                        q,
                        1,
                        row,
                        k,
                        row,
                        1,
                        0.0,
                        scale,
                        false,
                        false,
                        false,
                        Parallelism::None,
                    );
                }
                for r in scores.chunks_exact_mut(l) {
                    softmax_in_place(r);
                }
                // ctx = P·V, into this head's columns.
                let dst = ctx_rows[head * d..].as_mut_ptr();
                // SAFETY: reads l×l of `scores` and l rows (stride 3h) of d floats of `v`, inside
                // `qkv` as above; writes l rows (stride h) of d floats from head·d, the last one
                // below (l − 1)·h + heads·d ≤ l·h ≤ ctx_rows.len() (asserted above).
                unsafe {
                    gemm::gemm(
                        l,
                        d,
                        l,
                        dst,
                        1,
                        h as isize,
                        false,
                        scores.as_ptr(),
                        1,
                        l as isize,
                        v,
                        1,
                        row,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        Parallelism::None,
                    );
                }
            }
        };
        if threads <= 1 || n_seqs < 2 {
            let mut scores = Vec::new();
            let mut rest = &mut ctx[..];
            for s in 0..n_seqs {
                let len = (offsets[s + 1] - offsets[s]) * h;
                let (rows, tail) = rest.split_at_mut(len);
                work(s, rows, &mut scores);
                rest = tail;
            }
            return;
        }
        // Split the texts into `threads` groups of about equal attention cost (sum of l²).
        let cost: Vec<usize> = (0..n_seqs).map(|s| (offsets[s + 1] - offsets[s]).pow(2)).collect();
        let total: usize = cost.iter().sum();
        let mut bounds = vec![0];
        let mut acc = 0;
        for (s, c) in cost.iter().enumerate() {
            acc += c;
            if acc * threads >= total * bounds.len() && bounds.len() < threads && s + 1 < n_seqs {
                bounds.push(s + 1);
            }
        }
        bounds.push(n_seqs);
        std::thread::scope(|scope| {
            let mut rest = &mut ctx[..];
            for (t, w) in bounds.windows(2).enumerate() {
                let (a, b) = (w[0], w[1]);
                let len = (offsets[b] - offsets[a]) * h;
                let (rows, tail) = rest.split_at_mut(len);
                rest = tail;
                let work = &work;
                crate::util::spawn_named(scope, format!("reclab-attention-{t}"), move || {
                    let mut scores = Vec::new();
                    let mut rows = rows;
                    for s in a..b {
                        let len = (offsets[s + 1] - offsets[s]) * h;
                        let (mine, tail) = rows.split_at_mut(len);
                        work(s, mine, &mut scores);
                        rows = tail;
                    }
                });
            }
        });
    }
}

/// Buffers reused by every layer of a forward pass.
#[derive(Default)]
struct Scratch {
    rounded: Vec<f32>,
    quant: Vec<i16>,
}

/// out[t×n] = x[t×k] · wᵀ (w is [n×k], as PyTorch stores linear layers) + b.
#[allow(clippy::too_many_arguments)]
fn matmul_bias(x: &[f32], w: &[f32], b: &[f32], out: &mut [f32], t: usize, k: usize, n: usize, par: Parallelism) {
    assert!(x.len() >= t * k && w.len() >= n * k && out.len() >= t * n && b.len() == n);
    for row in out[..t * n].chunks_exact_mut(n) {
        row.copy_from_slice(b);
    }
    // dst = 1·dst + 1·x·wᵀ; rhs element (kk, nn) lives at w[nn·k + kk].
    // SAFETY: gemm reads t×k floats of `x` (row stride k), n×k of `w` and writes t×n of `out`
    // (row stride n), all within the slices (asserted above).
    unsafe {
        gemm::gemm(
            t,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            true,
            x.as_ptr(),
            1,
            k as isize,
            w.as_ptr(),
            k as isize,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            par,
        );
    }
}

/// x = LayerNorm(x + residual) row by row (or LayerNorm(x) without a residual).
fn layer_norm_rows(x: &mut [f32], residual: Option<&[f32]>, w: &[f32], b: &[f32], h: usize, eps: f32) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the instructions the function is compiled for.
            return unsafe { layer_norm_avx512(x, residual, w, b, h, eps) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { layer_norm_avx2(x, residual, w, b, h, eps) };
        }
    }
    layer_norm_generic(x, residual, w, b, h, eps);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn layer_norm_avx512(x: &mut [f32], residual: Option<&[f32]>, w: &[f32], b: &[f32], h: usize, eps: f32) {
    layer_norm_generic(x, residual, w, b, h, eps);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn layer_norm_avx2(x: &mut [f32], residual: Option<&[f32]>, w: &[f32], b: &[f32], h: usize, eps: f32) {
    layer_norm_generic(x, residual, w, b, h, eps);
}

#[inline(always)]
fn layer_norm_generic(x: &mut [f32], residual: Option<&[f32]>, w: &[f32], b: &[f32], h: usize, eps: f32) {
    for (r, row) in x.chunks_exact_mut(h).enumerate() {
        if let Some(res) = residual {
            for (a, c) in row.iter_mut().zip(&res[r * h..(r + 1) * h]) {
                *a += c;
            }
        }
        let mean = row.iter().sum::<f32>() / h as f32;
        let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / h as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((a, g), bb) in row.iter_mut().zip(w).zip(b) {
            *a = (*a - mean) * inv * g + bb;
        }
    }
}

/// Applies the activation in place, split over `threads` threads.
fn activate(x: &mut [f32], act: Activation, threads: usize) {
    let chunk = x.len().div_ceil(threads.max(1)).max(4096);
    if threads <= 1 || x.len() <= chunk {
        activate_slice(x, act);
        return;
    }
    std::thread::scope(|s| {
        for (t, part) in x.chunks_mut(chunk).enumerate() {
            crate::util::spawn_named(s, format!("reclab-activate-{t}"), move || activate_slice(part, act));
        }
    });
}

/// Picks the widest vector instructions the CPU has for the activation loop: the loop body is
/// inlined into a function compiled for those instructions, and the compiler vectorises it.
fn activate_slice(x: &mut [f32], act: Activation) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the instructions the function is compiled for.
            return unsafe { activate_avx512(x, act) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { activate_avx2(x, act) };
        }
    }
    activate_generic(x, act);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn activate_avx512(x: &mut [f32], act: Activation) {
    activate_generic(x, act);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn activate_avx2(x: &mut [f32], act: Activation) {
    activate_generic(x, act);
}

#[inline(always)]
fn activate_generic(x: &mut [f32], act: Activation) {
    match act {
        Activation::Gelu => {
            for v in x.iter_mut() {
                *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
            }
        }
        Activation::GeluTanh => {
            for v in x.iter_mut() {
                // tanh(u) = 1 − 2 / (e^{2u} + 1)
                let u = 0.797_884_6 * (*v + 0.044_715 * *v * *v * *v);
                let t = 1.0 - 2.0 / (exp(2.0 * u) + 1.0);
                *v = 0.5 * *v * (1.0 + t);
            }
        }
        Activation::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
    }
}

/// e^x without branches (Cephes-style range reduction and a degree-7 polynomial), relative
/// error below 5e-7 over the range softmax and erf use.
#[inline(always)]
fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.3, 88.7);
    // Round to nearest with the 1.5·2²³ trick: no call to roundf, so the loop vectorises.
    const MAGIC: f32 = 12_582_912.0;
    let n = (x * std::f32::consts::LOG2_E + MAGIC) - MAGIC;
    // ln 2 = C1 + C2 with C1 short enough that n·C1 is exact (Cephes).
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    // Taylor terms to r⁷ (|r| ≤ ln 2 / 2): truncation below 1e-8, f32 rounding dominates.
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// erf(x), |error| < 1.2e-7 (Numerical Recipes' erfc with Chebyshev coefficients).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_2
        + t * (1.000_023_7
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_204 + t * (1.488_515_9 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * exp(poly);
    let r = 1.0 - erfc;
    if x >= 0.0 { r } else { -r }
}

fn softmax_in_place(row: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU supports the instructions the function is compiled for.
            return unsafe { softmax_avx512(row) };
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { softmax_avx2(row) };
        }
    }
    softmax_generic(row);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn softmax_avx512(row: &mut [f32]) {
    softmax_generic(row);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn softmax_avx2(row: &mut [f32]) {
    softmax_generic(row);
}

#[inline(always)]
fn softmax_generic(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = exp(*v - max);
        sum += *v;
    }
    let inv = 1.0 / sum;
    row.iter_mut().for_each(|v| *v *= inv);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_and_erf_are_accurate() {
        let mut worst_exp = 0.0f64;
        let mut worst_erf = 0.0f64;
        let mut x = -20.0f64;
        while x < 20.0 {
            // Compare at the f32 input, so the test measures exp and not the input's rounding.
            let xf = x as f32;
            let want = (xf as f64).exp();
            let e = (exp(xf) as f64 - want).abs() / want;
            worst_exp = worst_exp.max(e);
            x += 0.01;
        }
        let mut x = -6.0f64;
        while x < 6.0 {
            let xf = x as f32;
            let want = libm_erf(xf as f64);
            worst_erf = worst_erf.max((erf(xf) as f64 - want).abs());
            x += 0.001;
        }
        assert!(worst_exp < 5e-7, "exp relative error {worst_exp}");
        assert!(worst_erf < 3e-7, "erf absolute error {worst_erf}");
    }

    fn libm_erf(x: f64) -> f64 {
        libm::erf(x)
    }

    #[test]
    fn softmax_sums_to_one() {
        let mut r = vec![1.0, 2.0, 3.0, -50.0];
        softmax_in_place(&mut r);
        assert!((r.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(r[2] > r[1] && r[1] > r[0] && r[3] < 1e-20);
    }
}
