//! Unit-length f32 vectors addressed by item key: the exact search path and the source of the
//! vectors the pipeline needs (profiles, rescoring, MMR, plots).
//!
//! The rows live in two parts: a shared, immutable *base* (the vectors read when the project
//! opened: on the heap, or memory-mapped from the snapshot file beside the project so that a
//! page is only read when a row on it is used) and a small owned *tail* for rows added or
//! replaced since. A background index build reads the base while the tail changes.

use super::snapshot::VectorFile;
use super::{Hit, IndexError, sort_hits};
use std::collections::HashMap;
use std::sync::Arc;

/// The immutable rows a matrix starts from.
#[derive(Clone, Default)]
pub(crate) enum Base {
    #[default]
    Empty,
    Heap(Arc<Vec<f32>>),
    Mapped(Arc<VectorFile>),
}

impl Base {
    fn data(&self) -> &[f32] {
        match self {
            Base::Empty => &[],
            Base::Heap(v) => v,
            Base::Mapped(f) => f.data(),
        }
    }
}

impl std::fmt::Debug for Base {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Base::Empty => write!(f, "Empty"),
            Base::Heap(v) => write!(f, "Heap({} floats)", v.len()),
            Base::Mapped(m) => write!(f, "Mapped({} rows)", m.len()),
        }
    }
}

/// Vectors by key (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct VectorMatrix {
    dim: usize,
    base: Base,
    /// Rows in `base`.
    base_rows: usize,
    /// Rows after the base, `dim` floats each.
    tail: Vec<f32>,
    /// The key of every row, base rows first. A replaced or removed base row keeps its key
    /// here and is marked in `dead`.
    row_keys: Vec<u64>,
    dead: Vec<bool>,
    dead_count: usize,
    row_of: HashMap<u64, usize>,
}

impl VectorMatrix {
    pub fn new(dim: usize) -> Self {
        Self { dim, ..Default::default() }
    }

    /// An empty matrix with room for `rows` vectors.
    pub fn with_capacity(dim: usize, rows: usize) -> Self {
        Self {
            dim,
            tail: Vec::with_capacity(rows * dim),
            row_keys: Vec::with_capacity(rows),
            row_of: HashMap::with_capacity(rows),
            ..Default::default()
        }
    }

    /// A matrix over the rows of a snapshot file (read lazily through its memory map).
    pub(crate) fn mapped(file: Arc<VectorFile>) -> Self {
        Self::from_base(file.dim(), file.keys().to_vec(), Base::Mapped(file))
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    /// True when the rows come from a memory-mapped snapshot.
    pub fn is_mapped(&self) -> bool {
        matches!(self.base, Base::Mapped(_))
    }

    fn is_live(&self, row: usize) -> bool {
        self.dead.get(row).is_none_or(|d| !d)
    }

    fn row(&self, row: usize) -> &[f32] {
        let d = self.dim;
        if row < self.base_rows {
            &self.base.data()[row * d..(row + 1) * d]
        } else {
            let r = row - self.base_rows;
            &self.tail[r * d..(r + 1) * d]
        }
    }

    /// The keys, in row order.
    pub fn keys(&self) -> Vec<u64> {
        self.iter().map(|(k, _)| k).collect()
    }

    /// Every (key, vector), in row order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[f32])> + '_ {
        self.row_keys.iter().enumerate().filter(|(row, _)| self.is_live(*row)).map(|(row, &k)| (k, self.row(row)))
    }

    fn kill(&mut self, row: usize) {
        if self.dead.len() < self.base_rows {
            self.dead.resize(self.base_rows, false);
        }
        if !self.dead[row] {
            self.dead[row] = true;
            self.dead_count += 1;
        }
    }

    /// Inserts or replaces the vector of `key`.
    pub fn insert(&mut self, key: u64, v: &[f32]) -> Result<(), IndexError> {
        if v.len() != self.dim {
            return Err(IndexError::Dimension { want: self.dim, got: v.len() });
        }
        match self.row_of.get(&key).copied() {
            Some(row) if row >= self.base_rows => {
                let r = row - self.base_rows;
                self.tail[r * self.dim..(r + 1) * self.dim].copy_from_slice(v);
            }
            existing => {
                if let Some(row) = existing {
                    // A base row is immutable: it dies and the new vector goes to the tail.
                    self.kill(row);
                }
                self.row_of.insert(key, self.row_keys.len());
                self.row_keys.push(key);
                self.tail.extend_from_slice(v);
            }
        }
        Ok(())
    }

    /// Removes `key` (in the tail, the last row moves into its place).
    pub fn remove(&mut self, key: u64) {
        let Some(row) = self.row_of.remove(&key) else { return };
        if row < self.base_rows {
            self.kill(row);
            return;
        }
        let last = self.row_keys.len() - 1;
        let d = self.dim;
        if row != last {
            let moved = self.row_keys[last];
            let (r, l) = (row - self.base_rows, last - self.base_rows);
            let (head, tail) = self.tail.split_at_mut(l * d);
            head[r * d..(r + 1) * d].copy_from_slice(&tail[..d]);
            self.row_keys[row] = moved;
            self.row_of.insert(moved, row);
        }
        self.row_keys.pop();
        self.tail.truncate((last - self.base_rows) * d);
    }

    pub fn get(&self, key: u64) -> Option<&[f32]> {
        self.row_of.get(&key).map(|&r| self.row(r))
    }

    pub fn contains(&self, key: u64) -> bool {
        self.row_of.contains_key(&key)
    }

    /// Cosine similarity of `query` (unit length) with the vector of `key`.
    pub fn score(&self, query: &[f32], key: u64) -> Option<f32> {
        self.get(key).map(|v| dot(query, v))
    }

    /// Exact top-`k` among the keys that pass `allow`, by score then key.
    pub fn search(&self, query: &[f32], k: usize, allow: impl Fn(u64) -> bool) -> Vec<Hit> {
        if k == 0 || query.len() != self.dim {
            return Vec::new();
        }
        let mut heap = TopK::new(k);
        let kernel = DotKernel::detect();
        for (row, &key) in self.row_keys.iter().enumerate() {
            if self.is_live(row) && allow(key) {
                heap.push(Hit { key, score: kernel.dot(query, self.row(row)) });
            }
        }
        heap.into_sorted()
    }

    /// The rows, sorted by key, as one shared immutable block: the input of an index build.
    /// Rows added or replaced since the matrix was made are folded into a new base first (a
    /// copy), so the build sees a consistent set while the matrix goes on changing.
    pub(crate) fn frozen(&mut self) -> Frozen {
        let sorted = self.row_keys.windows(2).all(|w| w[0] < w[1]);
        if self.tail.is_empty() && self.dead_count == 0 && sorted {
            return Frozen { dim: self.dim, keys: Arc::new(self.row_keys.clone()), base: self.base.clone() };
        }
        let mut keys: Vec<u64> = self.row_of.keys().copied().collect();
        keys.sort_unstable();
        let mut data = Vec::with_capacity(keys.len() * self.dim);
        for &k in &keys {
            data.extend_from_slice(self.row(self.row_of[&k]));
        }
        let base = Base::Heap(Arc::new(data));
        *self = Self::from_base(self.dim, keys.clone(), base.clone());
        Frozen { dim: self.dim, keys: Arc::new(keys), base }
    }

    fn from_base(dim: usize, keys: Vec<u64>, base: Base) -> Self {
        let row_of = keys.iter().enumerate().map(|(row, &k)| (k, row)).collect();
        Self { dim, base_rows: keys.len(), row_keys: keys, row_of, base, ..Default::default() }
    }
}

/// An immutable set of rows sorted by key, shared with a build thread.
#[derive(Clone)]
pub(crate) struct Frozen {
    pub dim: usize,
    pub keys: Arc<Vec<u64>>,
    base: Base,
}

impl Frozen {
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.base.data()[i * self.dim..(i + 1) * self.dim]
    }
}

/// Dot product; for unit vectors, the cosine similarity.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    DotKernel::detect().dot(a, b)
}

/// The widest dot-product loop the CPU runs, chosen once per scan. Every kernel sums in the
/// same order on a given CPU, so a score is the same wherever it is computed.
#[derive(Clone, Copy)]
enum DotKernel {
    Generic,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
}

impl DotKernel {
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                return DotKernel::Avx2Fma;
            }
        }
        DotKernel::Generic
    }

    #[inline]
    fn dot(self, a: &[f32], b: &[f32]) -> f32 {
        match self {
            DotKernel::Generic => dot_generic(a, b),
            // SAFETY: `detect` chose this kernel only on a CPU with AVX2 and FMA.
            #[cfg(target_arch = "x86_64")]
            DotKernel::Avx2Fma => unsafe { dot_avx2(a, b) },
        }
    }
}

fn dot_generic(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    // Eight independent accumulators let the compiler vectorise the loop.
    let mut acc = [0.0f32; 8];
    let chunks = n / 8;
    for i in 0..chunks {
        for j in 0..8 {
            acc[j] += a[i * 8 + j] * b[i * 8 + j];
        }
    }
    let mut sum: f32 = acc.iter().sum();
    for i in chunks * 8..n {
        sum += a[i] * b[i];
    }
    sum
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::*;
    let n = a.len().min(b.len());
    let blocks = n / 32;
    let mut acc = [_mm256_setzero_ps(); 4];
    for i in 0..blocks {
        for (j, acc) in acc.iter_mut().enumerate() {
            let at = i * 32 + j * 8;
            assert!(at + 8 <= n);
            // SAFETY: `at + 8 <= n <= a.len(), b.len()` (asserted), unaligned loads.
            let (x, y) = unsafe { (_mm256_loadu_ps(a.as_ptr().add(at)), _mm256_loadu_ps(b.as_ptr().add(at))) };
            *acc = _mm256_fmadd_ps(x, y, *acc);
        }
    }
    let s = _mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]));
    let mut lanes = [0.0f32; 8];
    // SAFETY: `lanes` holds exactly 8 floats.
    unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), s) };
    let mut sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
    for i in blocks * 32..n {
        sum += a[i] * b[i];
    }
    sum
}

/// Keeps the best `k` hits seen (by score, then key).
pub(crate) struct TopK {
    k: usize,
    hits: Vec<Hit>,
    /// The k-th best score so far: anything below cannot enter.
    floor: f32,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self { k, hits: Vec::with_capacity(2 * k.max(16)), floor: f32::NEG_INFINITY }
    }

    #[inline]
    pub fn push(&mut self, hit: Hit) {
        if hit.score < self.floor {
            return;
        }
        self.hits.push(hit);
        if self.hits.len() >= 2 * self.k.max(16) {
            sort_hits(&mut self.hits);
            self.hits.truncate(self.k);
            self.floor = self.hits[self.k - 1].score;
        }
    }

    pub fn into_sorted(mut self) -> Vec<Hit> {
        sort_hits(&mut self.hits);
        self.hits.truncate(self.k);
        self.hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_replace_remove() {
        let mut m = VectorMatrix::new(2);
        m.insert(10, &[1.0, 0.0]).unwrap();
        m.insert(20, &[0.0, 1.0]).unwrap();
        m.insert(30, &[0.6, 0.8]).unwrap();
        m.insert(10, &[0.0, -1.0]).unwrap();
        assert_eq!(m.len(), 3);
        m.remove(10);
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(30), Some(&[0.6, 0.8][..]));
        assert_eq!(m.get(10), None);
        let hits = m.search(&[0.0, 1.0], 5, |_| true);
        assert_eq!(hits.iter().map(|h| h.key).collect::<Vec<_>>(), vec![20, 30]);
        assert!(m.insert(40, &[1.0]).is_err());
    }

    #[test]
    fn a_frozen_base_stays_put_while_the_tail_changes() {
        let mut m = VectorMatrix::new(2);
        for (k, v) in [(3, [1.0, 0.0]), (1, [0.0, 1.0]), (2, [0.6, 0.8])] {
            m.insert(k, &v).unwrap();
        }
        let frozen = m.frozen();
        assert_eq!(*frozen.keys, vec![1, 2, 3], "sorted by key");
        assert_eq!(frozen.row(2), &[1.0, 0.0]);
        // Replacing and removing base rows leaves the frozen rows alone.
        m.insert(3, &[-1.0, 0.0]).unwrap();
        m.remove(1);
        m.insert(4, &[0.0, -1.0]).unwrap();
        assert_eq!(frozen.row(2), &[1.0, 0.0]);
        assert_eq!(frozen.row(0), &[0.0, 1.0]);
        assert_eq!(m.get(3), Some(&[-1.0, 0.0][..]));
        assert_eq!(m.get(1), None);
        assert_eq!(m.len(), 3);
        assert_eq!(m.keys(), vec![2, 3, 4]);
        let hits = m.search(&[-1.0, 0.0], 10, |_| true);
        assert_eq!(hits[0], Hit { key: 3, score: 1.0 });
        assert_eq!(hits.len(), 3);
        // Freezing again folds the changes into a new base.
        let again = m.frozen();
        assert_eq!(*again.keys, vec![2, 3, 4]);
        assert_eq!(again.row(1), &[-1.0, 0.0]);
        assert_eq!(m.get(4), Some(&[0.0, -1.0][..]));
    }

    #[test]
    fn the_simd_dot_product_agrees_with_the_plain_one() {
        let a: Vec<f32> = (0..389).map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0).collect();
        let b: Vec<f32> = (0..389).map(|i| ((i * 53 % 97) as f32 - 48.0) / 48.0).collect();
        let want: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
        assert!((dot(&a, &b) as f64 - want).abs() < 1e-3, "{} vs {want}", dot(&a, &b));
        assert!((dot_generic(&a, &b) as f64 - want).abs() < 1e-3);
    }
}
