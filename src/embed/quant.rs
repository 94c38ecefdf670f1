//! Reduced-precision linear layers for the fused BERT engine.
//!
//! * **int8**: weights quantised to 8 bits with one scale per output channel and group of 64
//!   inputs; activations quantised per row as each product runs, to 16 bits (±32,767); products
//!   summed exactly in 32-bit integers within a group (64 × 32,767 × 127 < 2³¹), then scaled and
//!   summed in f32, group after group. On x86-64 the integer part runs on AVX2's `vpmaddwd`
//!   (16 multiply-adds per instruction, twice what an f32 FMA does); the portable kernel does
//!   the same arithmetic in the same order, so both give the same bits.
//!
//!   Why 16-bit activations: 8-bit ones (what VNNI's `vpdpbusd` takes) cost too much accuracy
//!   on this model — LayerNorm outputs carry outlier channels, and the reference vectors fell
//!   to a cosine of 0.985 with sentence-transformers' — while on a CPU without VNNI they are no
//!   faster per multiply-add port. Groups of 64 inputs: one scale per output channel left the
//!   feed-forward output layer's weights at a worst cosine of 0.996; groups give 0.9995.
//! * **bf16**: weights and activations rounded to bfloat16 (8 significant bits), products and
//!   sums in f32; the product of two bf16 numbers is exact in f32, so this is what a bf16
//!   dot-product instruction computes, up to the order of the sums. It runs on the f32 kernels
//!   (a CPU without AVX512_BF16 has no faster way).

use super::Precision;

/// Rounds to the nearest bfloat16 (ties to even), kept as an f32.
#[inline]
pub fn round_bf16(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    let bits = x.to_bits();
    let rounded = bits.wrapping_add(0x7FFF + ((bits >> 16) & 1)) & 0xFFFF_0000;
    f32::from_bits(rounded)
}

/// Output channels per packed panel.
const PANEL: usize = 16;
/// Inputs per weight scale.
const GROUP: usize = 64;
/// Activation rows per kernel tile.
const TILE: usize = 6;
/// Largest quantised activation.
const ACT_MAX: f32 = 32767.0;

/// A linear layer's weights, `[n × k]` as PyTorch stores them, in the layer's precision.
pub(crate) enum Weights {
    /// f32 values (bf16-rounded for [`Precision::Bf16`]).
    Float(Vec<f32>),
    Int8(Int8Weights),
}

/// 8-bit weights in panels of 16 output channels. For each pair of inputs, a panel holds 16
/// channels × 2 values, widened to i16 (the operand layout of `vpmaddwd`); for each group of
/// 64 inputs, 16 scales.
pub(crate) struct Int8Weights {
    n: usize,
    /// Inputs, padded to a multiple of [`GROUP`].
    kp: usize,
    /// Channels, padded to a multiple of [`PANEL`].
    np: usize,
    packed: Vec<i16>,
    /// [panel][group][16]
    scales: Vec<f32>,
}

impl Weights {
    /// Converts f32 weights `[n × k]` to `precision`.
    pub fn new(w: Vec<f32>, n: usize, k: usize, precision: Precision) -> Self {
        assert_eq!(w.len(), n * k);
        match precision {
            Precision::F32 => Weights::Float(w),
            Precision::Bf16 => Weights::Float(w.into_iter().map(round_bf16).collect()),
            Precision::Int8 => Weights::Int8(Int8Weights::quantize(&w, n, k)),
        }
    }
}

impl Int8Weights {
    fn quantize(w: &[f32], n: usize, k: usize) -> Self {
        let kp = k.div_ceil(GROUP) * GROUP;
        let np = n.div_ceil(PANEL) * PANEL;
        let groups = kp / GROUP;
        let mut packed = vec![0i16; np * kp];
        let mut scales = vec![1.0f32; np * groups];
        for c in 0..n {
            let row = &w[c * k..(c + 1) * k];
            let (panel, j) = (c / PANEL, c % PANEL);
            for g in 0..groups {
                let part = &row[(g * GROUP).min(k)..((g + 1) * GROUP).min(k)];
                let max = part.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                let s = if max > 0.0 { max / 127.0 } else { 1.0 };
                scales[(panel * groups + g) * PANEL + j] = s;
                for (i, &v) in part.iter().enumerate() {
                    let kk = g * GROUP + i;
                    let q = (v / s).round().clamp(-127.0, 127.0) as i16;
                    packed[((panel * (kp / 2) + kk / 2) * PANEL + j) * 2 + kk % 2] = q;
                }
            }
        }
        Self { n, kp, np, packed, scales }
    }

    fn groups(&self) -> usize {
        self.kp / GROUP
    }

    /// Panel `p`'s packed weights and scales.
    fn panel(&self, p: usize) -> (&[i16], &[f32]) {
        let (w, s) = (self.kp * PANEL, self.groups() * PANEL);
        (&self.packed[p * w..(p + 1) * w], &self.scales[p * s..(p + 1) * s])
    }
}

/// Quantises one row to ±32,767 (round to nearest, ties to even); returns its scale. One
/// function for every caller, so every kernel sees the same integers.
#[inline(always)]
fn quantize_row(row: &[f32], out: &mut [i16]) -> f32 {
    let max = row.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if max == 0.0 || !max.is_finite() {
        out.iter_mut().for_each(|q| *q = 0);
        return if max.is_finite() { 1.0 } else { f32::NAN };
    }
    let inv = ACT_MAX / max;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer (ties to even) for |v| < 2²²
    // without a call to roundf, so the loop vectorises.
    const MAGIC: f32 = 12_582_912.0;
    for (q, &v) in out.iter_mut().zip(row) {
        *q = (((v * inv) + MAGIC) - MAGIC) as i16;
    }
    max / ACT_MAX
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn quantize_row_avx2(row: &[f32], out: &mut [i16]) -> f32 {
    quantize_row(row, out)
}

/// out[t×n] = x[t×k] · wᵀ + b for int8 weights; rows split over `threads` threads, each
/// quantising its own rows.
#[allow(clippy::too_many_arguments)]
pub(crate) fn int8_matmul(
    x: &[f32],
    w: &Int8Weights,
    b: &[f32],
    out: &mut [f32],
    t: usize,
    k: usize,
    threads: usize,
    scratch: &mut Vec<i16>,
) {
    assert!(w.kp >= k && w.kp < k + GROUP && b.len() == w.n && x.len() >= t * k && out.len() >= t * w.n);
    let n = w.n;
    let kernel = Kernel::detect();
    scratch.clear();
    scratch.resize(t * w.kp, 0);
    let threads = threads.clamp(1, t.div_ceil(TILE).max(1));
    let per = t.div_ceil(TILE).div_ceil(threads) * TILE;
    let band = |rows: std::ops::Range<usize>, q: &mut [i16], out: &mut [f32]| {
        let mut scales = Vec::with_capacity(rows.len());
        for (i, r) in rows.clone().enumerate() {
            let (src, dst) = (&x[r * k..(r + 1) * k], &mut q[i * w.kp..i * w.kp + k]);
            scales.push(kernel.quantize(src, dst));
        }
        rows_block(kernel, q, &scales, w, b, out);
    };
    if threads == 1 {
        band(0..t, &mut scratch[..], &mut out[..t * n]);
        return;
    }
    // Bands of whole tiles: disjoint slices of the activations and of the output.
    std::thread::scope(|s| {
        let (mut q, mut o) = (&mut scratch[..], &mut out[..t * n]);
        let mut r0 = 0;
        while r0 < t {
            let r1 = (r0 + per).min(t);
            let (qb, qt) = q.split_at_mut((r1 - r0) * w.kp);
            let (ob, ot) = o.split_at_mut((r1 - r0) * n);
            (q, o) = (qt, ot);
            let band = &band;
            crate::util::spawn_named(s, format!("reclab-quant-{}", r0 / per), move || band(r0..r1, qb, ob));
            r0 = r1;
        }
    });
}

#[derive(Clone, Copy)]
enum Kernel {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Kernel::Avx2;
            }
        }
        Kernel::Portable
    }

    fn quantize(self, row: &[f32], out: &mut [i16]) -> f32 {
        match self {
            Kernel::Portable => quantize_row(row, out),
            // SAFETY: `detect` picked this kernel only on a CPU with AVX2.
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => unsafe { quantize_row_avx2(row, out) },
        }
    }
}

/// The rows of `q` (quantised, `kp` each, scales `sx`) times the weights, into `out`.
fn rows_block(kernel: Kernel, q: &[i16], sx: &[f32], w: &Int8Weights, b: &[f32], out: &mut [f32]) {
    let (n, t) = (w.n, sx.len());
    assert!(q.len() == t * w.kp && out.len() == t * n);
    // Blocks of rows keep their activations in the L2 cache while every panel passes.
    const BLOCK: usize = 8 * TILE;
    let mut acc = [[0.0f32; PANEL]; TILE];
    for b0 in (0..t).step_by(BLOCK) {
        let b1 = (b0 + BLOCK).min(t);
        for p in 0..w.np / PANEL {
            for r in (b0..b1).step_by(TILE) {
                let rows = (b1 - r).min(TILE);
                let tile = &q[r * w.kp..(r + rows) * w.kp];
                match kernel {
                    Kernel::Portable => tile_portable(tile, rows, w, p, &mut acc),
                    // SAFETY: `detect` picked this kernel only on a CPU with AVX2.
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Avx2 => unsafe { tile_avx2(tile, rows, w, p, &mut acc) },
                }
                for (i, acc) in acc.iter().enumerate().take(rows) {
                    let out_row = &mut out[(r + i) * n..(r + i + 1) * n];
                    for (j, &a) in acc.iter().enumerate() {
                        let c = p * PANEL + j;
                        if c < n {
                            out_row[c] = a * sx[r + i] + b[c];
                        }
                    }
                }
            }
        }
    }
}

/// Panel `p` times `rows` quantised rows (`tile`, `kp` each): per group, the exact integer
/// sums, then `acc += sum as f32 * scale` group by group.
fn tile_portable(tile: &[i16], rows: usize, w: &Int8Weights, p: usize, acc: &mut [[f32; PANEL]; TILE]) {
    let (wp, sp) = w.panel(p);
    for (i, acc) in acc.iter_mut().enumerate().take(rows) {
        let xr = &tile[i * w.kp..(i + 1) * w.kp];
        *acc = [0.0; PANEL];
        for g in 0..w.groups() {
            let mut sum = [0i32; PANEL];
            for pair in g * GROUP / 2..(g + 1) * GROUP / 2 {
                let (x0, x1) = (xr[2 * pair] as i32, xr[2 * pair + 1] as i32);
                let wq = &wp[pair * PANEL * 2..(pair + 1) * PANEL * 2];
                for (j, s) in sum.iter_mut().enumerate() {
                    *s += x0 * wq[2 * j] as i32 + x1 * wq[2 * j + 1] as i32;
                }
            }
            let scales = &sp[g * PANEL..(g + 1) * PANEL];
            for ((a, s), sc) in acc.iter_mut().zip(sum).zip(scales) {
                *a += s as f32 * sc;
            }
        }
    }
}

/// [`tile_portable`] with AVX2: per pair of inputs, 16 channels' weights are two registers and
/// each row's pair is broadcast; `vpmaddwd` multiplies and adds the pairs into 32-bit sums.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn tile_avx2(tile: &[i16], rows: usize, w: &Int8Weights, p: usize, acc: &mut [[f32; PANEL]; TILE]) {
    use std::arch::x86_64::*;
    let (wp, sp) = w.panel(p);
    let kp = w.kp;
    assert!((1..=TILE).contains(&rows) && tile.len() == rows * kp);
    assert!(wp.len() == kp * PANEL && sp.len() == w.groups() * PANEL && kp.is_multiple_of(GROUP));
    // Rows past `rows` repeat the last one (valid memory); their sums are not stored.
    let start = |i: usize| i.min(rows - 1) * kp;
    let starts = [start(0), start(1), start(2), start(3), start(4), start(5)];
    let mut facc = [[_mm256_setzero_ps(); 2]; TILE];
    for g in 0..kp / GROUP {
        let mut sum = [[_mm256_setzero_si256(); 2]; TILE];
        for pair in g * GROUP / 2..(g + 1) * GROUP / 2 {
            // SAFETY: pair < kp / 2, so the 32 i16s at pair * 32 lie inside `wp` (kp * 16 long).
            let (w0, w1) = unsafe {
                let ptr = wp.as_ptr().add(pair * PANEL * 2);
                (_mm256_loadu_si256(ptr.cast()), _mm256_loadu_si256(ptr.add(16).cast()))
            };
            for (i, &s0) in starts.iter().enumerate() {
                // SAFETY: s0 + 2 * pair + 2 <= (rows - 1) * kp + kp == tile.len(): 2 i16s.
                let xp = unsafe { std::ptr::read_unaligned(tile.as_ptr().add(s0 + 2 * pair).cast::<i32>()) };
                let xb = _mm256_set1_epi32(xp);
                sum[i][0] = _mm256_add_epi32(sum[i][0], _mm256_madd_epi16(xb, w0));
                sum[i][1] = _mm256_add_epi32(sum[i][1], _mm256_madd_epi16(xb, w1));
            }
        }
        // SAFETY: the group's 16 scales lie inside `sp` (groups * 16 long).
        let (s0, s1) = unsafe {
            let ptr = sp.as_ptr().add(g * PANEL);
            (_mm256_loadu_ps(ptr), _mm256_loadu_ps(ptr.add(8)))
        };
        for (f, s) in facc.iter_mut().zip(&sum) {
            f[0] = _mm256_add_ps(f[0], _mm256_mul_ps(_mm256_cvtepi32_ps(s[0]), s0));
            f[1] = _mm256_add_ps(f[1], _mm256_mul_ps(_mm256_cvtepi32_ps(s[1]), s1));
        }
    }
    for (a, f) in acc.iter_mut().zip(&facc).take(rows) {
        // SAFETY: each row of `acc` is 16 floats; two unaligned stores of 8.
        unsafe {
            _mm256_storeu_ps(a.as_mut_ptr(), f[0]);
            _mm256_storeu_ps(a.as_mut_ptr().add(8), f[1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 33) as f32 / (1u64 << 31) as f32) - 0.5
    }

    #[test]
    fn bf16_rounding_keeps_eight_significant_bits() {
        assert_eq!(round_bf16(1.0), 1.0);
        assert_eq!(round_bf16(1.0 + 1.0 / 256.0), 1.0, "a tie goes to even");
        assert_eq!(round_bf16(1.0 + 3.0 / 256.0), 1.0 + 4.0 / 256.0, "a tie goes to even");
        assert_eq!(round_bf16(-2.5), -2.5);
        assert!((round_bf16(0.1) - 0.1).abs() < 0.1 / 128.0);
        assert!(round_bf16(f32::NAN).is_nan());
    }

    #[test]
    fn activations_round_to_nearest_even_and_zero_rows_stay_zero() {
        let mut q = [0i16; 4];
        assert_eq!(quantize_row(&[1.0, -0.5, 0.25, 0.0], &mut q), 1.0 / ACT_MAX);
        assert_eq!(q, [32767, -16384, 8192, 0], "0.5 · 32767 = 16383.5 rounds to even");
        assert_eq!(quantize_row(&[0.0; 4], &mut q), 1.0);
        assert_eq!(q, [0; 4]);
    }

    /// The kernels agree bit for bit with each other, and with f32 to within the quantisation.
    #[test]
    fn int8_products_are_the_same_on_every_kernel_and_close_to_f32() {
        let mut seed = 7;
        for (t, k, n) in [(1, 8, 16), (7, 30, 19), (13, 384, 48), (3, 130, 1), (20, 1536, 32)] {
            let x: Vec<f32> = (0..t * k).map(|_| lcg(&mut seed) * 4.0).collect();
            let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut seed) * 0.2).collect();
            let b: Vec<f32> = (0..n).map(|_| lcg(&mut seed)).collect();
            let Weights::Int8(q) = Weights::new(w.clone(), n, k, Precision::Int8) else { unreachable!() };
            let mut scratch = Vec::new();
            let mut fast = vec![0.0; t * n];
            int8_matmul(&x, &q, &b, &mut fast, t, k, 2, &mut scratch);
            // The portable kernel on one thread.
            let mut qx = vec![0i16; t * q.kp];
            let sx: Vec<f32> =
                (0..t).map(|r| quantize_row(&x[r * k..(r + 1) * k], &mut qx[r * q.kp..r * q.kp + k])).collect();
            let mut portable = vec![0.0; t * n];
            rows_block(Kernel::Portable, &qx, &sx, &q, &b, &mut portable);
            assert_eq!(fast, portable, "{t}×{k}×{n}: the kernels disagree");
            for r in 0..t {
                for c in 0..n {
                    let want: f32 = (0..k).map(|i| x[r * k + i] * w[c * k + i]).sum::<f32>() + b[c];
                    let scale: f32 = (0..k).map(|i| (x[r * k + i] * w[c * k + i]).abs()).sum::<f32>();
                    assert!(
                        (fast[r * n + c] - want).abs() <= 0.01 * scale + 1e-5,
                        "{t}×{k}×{n} [{r},{c}]: {} vs {want}",
                        fast[r * n + c]
                    );
                }
            }
        }
    }
}
