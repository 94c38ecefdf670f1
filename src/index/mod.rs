//! The vector index: approximate search (usearch HNSW, cosine) in deterministic shards, exact
//! (brute-force) search as ground truth and as the way results are served while an index
//! builds, and the snapshot saved beside a project so that reopening it maps the index and the
//! vectors from disk instead of reading and rebuilding them.

mod ann;
mod matrix;
pub mod snapshot;

pub use ann::{AnnIndex, SHARD_FROM, SHARDS, expansion_add_for, expansion_for, shard_of, shards_for};
pub(crate) use matrix::Frozen;
pub use matrix::{VectorMatrix, dot};

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("vector index: {0}")]
    Usearch(String),
    #[error("vector index {path}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("vector index: a {got}-dimensional vector does not fit this {want}-dimensional index")]
    Dimension { want: usize, got: usize },
    #[error("unknown quantization '{0}': use f32, f16, bf16 or i8")]
    UnknownQuantization(String),
    #[error("the index build was {0}")]
    Cancelled(#[from] crate::jobs::Cancelled),
}

/// How the index stores vectors. The exact path always uses the f32 vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantization {
    #[default]
    F32,
    F16,
    /// bfloat16: f32's range with 8 bits of mantissa; AVX512_BF16 multiplies it at twice f32's rate.
    Bf16,
    /// 8-bit integers: suits cosine similarity only, which is what reclab uses.
    I8,
}

impl Quantization {
    pub fn parse(s: &str) -> Result<Self, IndexError> {
        match s.to_ascii_lowercase().as_str() {
            "f32" => Ok(Quantization::F32),
            "f16" => Ok(Quantization::F16),
            "bf16" => Ok(Quantization::Bf16),
            "i8" => Ok(Quantization::I8),
            _ => Err(IndexError::UnknownQuantization(s.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Quantization::F32 => "f32",
            Quantization::F16 => "f16",
            Quantization::Bf16 => "bf16",
            Quantization::I8 => "i8",
        }
    }

    /// What an index of `n` vectors stores when the caller does not choose: f32 while it is
    /// small (exact enough to be the reference), bf16 from [`ann::SHARD_FROM`] vectors on,
    /// where it halves the index and its build time for a recall@10 above 0.99
    /// (`reclab bench search --quantization f32,bf16`). Candidates are always rescored with
    /// the f32 vectors, so a similarity shown never carries bf16's rounding.
    pub fn for_size(n: usize) -> Self {
        if n >= ann::SHARD_FROM { Quantization::Bf16 } else { Quantization::F32 }
    }

    pub(crate) fn scalar(self) -> usearch::ScalarKind {
        match self {
            Quantization::F32 => usearch::ScalarKind::F32,
            Quantization::F16 => usearch::ScalarKind::F16,
            Quantization::Bf16 => usearch::ScalarKind::BF16,
            Quantization::I8 => usearch::ScalarKind::I8,
        }
    }
}

/// A search hit: item key and cosine similarity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub key: u64,
    pub score: f32,
}

/// Sorts hits by score (descending), then key, so ties always come out the same way.
pub fn sort_hits(hits: &mut [Hit]) {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));
}

/// Projects every vector onto the first two principal components (power iteration with
/// deflation, deterministic start), for the embedding map. Returns (key, [x, y]) in matrix order.
pub fn pca_2d(m: &VectorMatrix) -> Vec<(u64, [f32; 2])> {
    let (n, dim) = (m.len(), m.dim());
    if n == 0 || dim == 0 {
        return Vec::new();
    }
    let mut mean = vec![0.0f64; dim];
    for (_, row) in m.iter() {
        for (a, x) in mean.iter_mut().zip(row) {
            *a += *x as f64;
        }
    }
    mean.iter_mut().for_each(|a| *a /= n as f64);
    let centred = |row: &[f32], j: usize| row[j] as f64 - mean[j];
    let mut components: Vec<Vec<f64>> = Vec::new();
    for c in 0..2 {
        // A fixed, non-degenerate start keeps the map the same from run to run.
        let mut v: Vec<f64> = (0..dim).map(|j| 1.0 + ((j * 7 + c * 13) % 11) as f64 / 11.0).collect();
        for _ in 0..50 {
            let mut next = vec![0.0f64; dim];
            for (_, row) in m.iter() {
                let proj: f64 = (0..dim).map(|j| centred(row, j) * v[j]).sum();
                for (j, nx) in next.iter_mut().enumerate() {
                    *nx += proj * centred(row, j);
                }
            }
            for prev in &components {
                let d: f64 = next.iter().zip(prev).map(|(a, b)| a * b).sum();
                next.iter_mut().zip(prev).for_each(|(a, b)| *a -= d * b);
            }
            let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm == 0.0 {
                break;
            }
            next.iter_mut().for_each(|x| *x /= norm);
            v = next;
        }
        // Fix the sign so the largest coordinate is positive.
        if let Some(big) = v.iter().copied().max_by(|a, b| a.abs().total_cmp(&b.abs()))
            && big < 0.0
        {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        components.push(v);
    }
    m.iter()
        .map(|(k, row)| {
            let p = |c: &[f64]| (0..dim).map(|j| centred(row, j) * c[j]).sum::<f64>() as f32;
            (k, [p(&components[0]), p(&components[1])])
        })
        .collect()
}

/// recall@k of `approx` against `exact` result lists.
pub fn recall_at_k(exact: &[Hit], approx: &[Hit], k: usize) -> f64 {
    let truth: std::collections::HashSet<u64> = exact.iter().take(k).map(|h| h.key).collect();
    if truth.is_empty() {
        return 1.0;
    }
    let found = approx.iter().take(k).filter(|h| truth.contains(&h.key)).count();
    found as f64 / truth.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random unit vectors with some cluster structure.
    pub(crate) fn random_matrix(n: usize, dim: usize, seed: u64) -> VectorMatrix {
        let mut state = seed;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let centres: Vec<Vec<f32>> = (0..16).map(|_| (0..dim).map(|_| next()).collect()).collect();
        let mut m = VectorMatrix::new(dim);
        for key in 0..n as u64 {
            let c = &centres[(key % 16) as usize];
            let mut v: Vec<f32> = c.iter().map(|x| x + 0.6 * next()).collect();
            crate::embed::normalize(&mut v);
            m.insert(key + 1, &v).unwrap();
        }
        m
    }

    #[test]
    fn the_index_stores_f32_while_small_and_bf16_from_the_shard_size_on() {
        assert_eq!(Quantization::for_size(0), Quantization::F32);
        assert_eq!(Quantization::for_size(ann::SHARD_FROM - 1), Quantization::F32);
        assert_eq!(Quantization::for_size(ann::SHARD_FROM), Quantization::Bf16);
        for q in [Quantization::F32, Quantization::F16, Quantization::Bf16, Quantization::I8] {
            assert_eq!(Quantization::parse(q.as_str()).unwrap(), q);
        }
        assert!(Quantization::parse("bf8").unwrap_err().to_string().contains("bf8"));
    }

    #[test]
    fn pca_separates_clusters_along_the_first_axis() {
        let mut m = VectorMatrix::new(3);
        for i in 0..20 {
            let t = i as f32 * 0.01;
            m.insert(i, &[1.0, t, 0.0]).unwrap();
            m.insert(100 + i, &[-1.0, t, 0.0]).unwrap();
        }
        let p = pca_2d(&m);
        assert_eq!(p.len(), 40);
        let left: Vec<f32> = p.iter().filter(|(k, _)| *k < 100).map(|(_, xy)| xy[0]).collect();
        let right: Vec<f32> = p.iter().filter(|(k, _)| *k >= 100).map(|(_, xy)| xy[0]).collect();
        assert!(
            left.iter().all(|x| (x - 1.0).abs() < 1e-3) && right.iter().all(|x| (x + 1.0).abs() < 1e-3),
            "{left:?}"
        );
        assert_eq!(p, pca_2d(&m), "deterministic");
    }
}
