//! The approximate index: HNSW (usearch, cosine) in deterministic shards, plus a small exact
//! overlay for vectors added or changed since the shards were built.
//!
//! **Deterministic in parallel.** Each item key belongs to one shard (a fixed hash of the key);
//! each shard is an HNSW graph built by one thread, inserting its keys in ascending order, so
//! its graph is the same on every run whatever else runs beside it. The shards are built at the
//! same time, one per core; a search asks every shard and merges the hits by score, then key.
//! The number of shards depends only on the number of vectors, never on the machine.
//!
//! **Saved shards are never rewritten in place.** An opened snapshot is a read-only memory map;
//! a cold-start item goes to the overlay (searched exactly), and the shards' copy of a changed
//! or removed item is hidden by a filter.

use super::matrix::{Frozen, VectorMatrix};
use super::{Hit, IndexError, Quantization, sort_hits};
use crate::jobs::{Cancelled, ProgressSink};
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

fn usearch_err(e: impl std::fmt::Display) -> IndexError {
    IndexError::Usearch(e.to_string())
}

/// HNSW's neighbours per node.
const CONNECTIVITY: usize = 16;
/// HNSW's candidate list while inserting, for an index of `n` vectors. Measured with
/// `reclab bench search --n 100000 --quantization bf16 --threads 2 --expansion 64,128` on
/// 384-d vectors: 128 built in 17.8 s, 64 in 5.7 s, with the same recall@10 (0.9927 at search
/// ef 128). At 1,000,000 vectors 64 leaves the graph too sparse (recall@10 0.954 at search ef
/// 512, `reclab bench pipeline --n 1000000`), so large indexes keep 128.
pub fn expansion_add_for(n: usize) -> usize {
    if n <= 200_000 { 64 } else { 128 }
}
/// From this many vectors on, the index is split into [`SHARDS`] shards built in parallel.
pub const SHARD_FROM: usize = 20_000;
/// Shards of a large index (two: the cores of the machine reclab is measured on; the count
/// never depends on the machine, so neither does the graph).
pub const SHARDS: usize = 2;

/// How many shards an index of `n` vectors has.
pub fn shards_for(n: usize) -> usize {
    if n >= SHARD_FROM { SHARDS } else { 1 }
}

/// The shard of `key` among `shards` (a fixed mix of the key's bits, so consecutive keys spread).
pub fn shard_of(key: u64, shards: usize) -> usize {
    // splitmix64's finaliser.
    let mut z = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z % shards.max(1) as u64) as usize
}

/// The search expansion (HNSW's ef) for an index of `n` vectors. Measured with
/// `reclab bench search --expansion …` on 384-d vectors: ef 128 finds 99.98% of the exact top 10
/// at 100,000 vectors but 97.4% at 1,000,000, where ef 512 finds 99.7% (p99 3.6 ms).
pub fn expansion_for(n: usize) -> usize {
    if n <= 200_000 { 128 } else { 512 }
}

fn options(dim: usize, quantization: Quantization, n: usize) -> usearch::IndexOptions {
    usearch::IndexOptions {
        dimensions: dim,
        // Every vector reclab indexes is unit length (the embedders normalise, and the exact
        // search relies on it too), so the inner product is the cosine at a third of the work:
        // the cosine kernel also sums both norms on every comparison.
        metric: usearch::MetricKind::IP,
        // Always explicit: an implicit default once returned irrelevant neighbours.
        quantization: quantization.scalar(),
        connectivity: CONNECTIVITY,
        expansion_add: expansion_add_for(n),
        expansion_search: 128,
        multi: false,
    }
}

/// One usearch HNSW graph.
pub(crate) struct Shard {
    index: usearch::Index,
}

impl Shard {
    /// An empty graph of an index that will hold `n` vectors in all (its insertion breadth
    /// depends on that size).
    fn new(dim: usize, quantization: Quantization, n: usize) -> Result<Self, IndexError> {
        Ok(Self { index: usearch::Index::new(&options(dim, quantization, n)).map_err(usearch_err)? })
    }

    /// Builds a graph of `rows` (indexes into `frozen`, ascending keys) on the calling thread.
    fn build(
        frozen: &Frozen,
        rows: &[usize],
        quantization: Quantization,
        done: &AtomicUsize,
        sink: &ProgressSink,
    ) -> Result<Self, IndexError> {
        let shard = Self::new(frozen.dim, quantization, frozen.len())?;
        // One thread context: inserts happen in exactly this order, so the graph is reproducible.
        shard.index.reserve_capacity_and_threads(rows.len().max(1), 1).map_err(usearch_err)?;
        for (i, &row) in rows.iter().enumerate() {
            shard.index.add(frozen.keys[row], frozen.row(row)).map_err(usearch_err)?;
            if i % 1024 == 1023 {
                done.fetch_add(1024, Ordering::Relaxed);
                if sink.is_cancelled() {
                    return Err(IndexError::Cancelled(Cancelled));
                }
            }
        }
        done.fetch_add(rows.len() % 1024, Ordering::Relaxed);
        Ok(shard)
    }

    /// Opens a saved shard as a read-only memory map.
    fn view(path: &Path, dim: usize, quantization: Quantization, expected: usize) -> Result<Self, IndexError> {
        let path_str = utf8(path)?;
        let meta = usearch::Index::metadata(path_str).map_err(usearch_err)?;
        if meta.dimensions as usize != dim || meta.quantization != quantization.scalar() {
            return Err(IndexError::Usearch(format!(
                "{} holds {}-dimensional {:?} vectors, expected {dim}-dimensional {}",
                path.display(),
                meta.dimensions,
                meta.quantization,
                quantization.as_str()
            )));
        }
        // A view is only searched: its insertion breadth does not matter.
        let shard = Self::new(dim, quantization, expected)?;
        shard.index.view(path_str).map_err(usearch_err)?;
        if shard.index.size() != expected {
            return Err(IndexError::Usearch(format!(
                "{} holds {} vectors, its sidecar says {expected}",
                path.display(),
                shard.index.size()
            )));
        }
        Ok(shard)
    }

    fn save(&self, path: &Path) -> Result<(), IndexError> {
        self.index.save(utf8(path)?).map_err(usearch_err)
    }

    fn hits(m: usearch::ffi::Matches) -> Vec<Hit> {
        m.keys.into_iter().zip(m.distances).map(|(key, d)| Hit { key, score: 1.0 - d }).collect()
    }
}

fn utf8(path: &Path) -> Result<&str, IndexError> {
    path.to_str().ok_or_else(|| IndexError::Usearch(format!("{} is not valid UTF-8", path.display())))
}

/// The approximate index (see the module documentation).
pub struct AnnIndex {
    dim: usize,
    quantization: Quantization,
    shards: Vec<Shard>,
    /// Keys whose copy in the shards is out of date or removed.
    hidden: HashSet<u64>,
    /// Vectors added or changed since the shards were built, searched exactly.
    overlay: VectorMatrix,
    /// The shards are memory-mapped views of files.
    mapped: bool,
}

impl std::fmt::Debug for AnnIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnnIndex")
            .field("dim", &self.dim)
            .field("shards", &self.shards.len())
            .field("size", &self.len())
            .finish()
    }
}

impl AnnIndex {
    /// An index with no vectors.
    pub fn new(dim: usize, quantization: Quantization) -> Result<Self, IndexError> {
        Ok(Self {
            dim,
            quantization,
            shards: vec![Shard::new(dim, quantization, 0)?],
            hidden: HashSet::new(),
            overlay: VectorMatrix::new(dim),
            mapped: false,
        })
    }

    /// Builds an index over every vector of `matrix`, its shards on up to `threads` threads.
    /// The result does not depend on `threads`.
    pub fn build(matrix: &VectorMatrix, quantization: Quantization, threads: usize) -> Result<Self, IndexError> {
        let frozen = matrix.clone().frozen();
        Self::build_frozen(&frozen, quantization, threads, &ProgressSink::none())
    }

    /// Builds from rows sorted by key, reporting progress ("building the vector index") to
    /// `sink`; cancelling stops the build.
    pub(crate) fn build_frozen(
        frozen: &Frozen,
        quantization: Quantization,
        threads: usize,
        sink: &ProgressSink,
    ) -> Result<Self, IndexError> {
        let n = frozen.len();
        let shards = shards_for(n);
        let mut rows: Vec<Vec<usize>> = vec![Vec::with_capacity(n / shards + 1); shards];
        for (row, &key) in frozen.keys.iter().enumerate() {
            rows[shard_of(key, shards)].push(row);
        }
        let threads = threads.clamp(1, shards);
        let done = AtomicUsize::new(0);
        let built: Vec<Result<Shard, IndexError>> = std::thread::scope(|s| {
            // Thread t builds shards t, t + threads, … in that order.
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (rows, done) = (&rows, &done);
                    std::thread::Builder::new().name(format!("reclab-index-build-{t}")).spawn_scoped(s, move || {
                        (t..shards)
                            .step_by(threads)
                            .map(|sh| (sh, Shard::build(frozen, &rows[sh], quantization, done, sink)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            // Progress from here while the builders work.
            let mut started: Vec<_> = Vec::new();
            let mut failed = None;
            for h in handles {
                match h {
                    Ok(h) => started.push(h),
                    Err(e) => failed = Some(IndexError::Usearch(format!("cannot start an index build thread: {e}"))),
                }
            }
            while started.iter().any(|h| !h.is_finished()) {
                let _ = sink.report("building the vector index", done.load(Ordering::Relaxed) as u64, n as u64);
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let mut out: Vec<Option<Result<Shard, IndexError>>> = (0..shards).map(|_| None).collect();
            for h in started {
                match h.join() {
                    Ok(list) => {
                        for (sh, r) in list {
                            out[sh] = Some(r);
                        }
                    }
                    Err(_) => failed = Some(IndexError::Usearch("an index build thread panicked".into())),
                }
            }
            if let Some(e) = failed {
                return vec![Err(e)];
            }
            out.into_iter()
                .map(|r| r.unwrap_or_else(|| Err(IndexError::Usearch("an index shard was not built".into()))))
                .collect()
        });
        let shards = built.into_iter().collect::<Result<Vec<_>, _>>()?;
        let index = Self {
            dim: frozen.dim,
            quantization,
            shards,
            hidden: HashSet::new(),
            overlay: VectorMatrix::new(frozen.dim),
            mapped: false,
        };
        index.set_expansion_search(expansion_for(n));
        Ok(index)
    }

    /// Opens saved shards (memory-mapped, read-only). `files` are (path, vectors in it).
    pub(crate) fn view(files: &[(std::path::PathBuf, usize)], dim: usize, q: Quantization) -> Result<Self, IndexError> {
        let shards = files.iter().map(|(p, n)| Shard::view(p, dim, q, *n)).collect::<Result<Vec<_>, _>>()?;
        if shards.is_empty() {
            return Err(IndexError::Usearch("a saved index without shards".into()));
        }
        let index = Self {
            dim,
            quantization: q,
            shards,
            hidden: HashSet::new(),
            overlay: VectorMatrix::new(dim),
            mapped: true,
        };
        index.set_expansion_search(expansion_for(index.len()));
        Ok(index)
    }

    /// Saves each shard to its path (`paths[s]` for shard `s`). Only a freshly built index
    /// (nothing in the overlay) can be saved.
    pub(crate) fn save_shards(&self, paths: &[std::path::PathBuf]) -> Result<(), IndexError> {
        if !self.hidden.is_empty() || !self.overlay.is_empty() || paths.len() != self.shards.len() {
            return Err(IndexError::Usearch("only a freshly built index can be saved".into()));
        }
        for (shard, path) in self.shards.iter().zip(paths) {
            shard.save(path)?;
        }
        Ok(())
    }

    /// The vectors in each shard.
    pub fn shard_sizes(&self) -> Vec<usize> {
        self.shards.iter().map(|s| s.index.size()).collect()
    }

    /// Each shard serialised (graph and vectors): equal bytes, equal graphs.
    pub fn shard_bytes(&self) -> Result<Vec<Vec<u8>>, IndexError> {
        self.shards
            .iter()
            .map(|s| {
                let mut buf = vec![0u8; s.index.serialized_length()];
                s.index.save_to_buffer(&mut buf).map_err(usearch_err)?;
                Ok(buf)
            })
            .collect()
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn quantization(&self) -> Quantization {
        self.quantization
    }

    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// True when the shards are memory-mapped from saved files.
    pub fn is_mapped(&self) -> bool {
        self.mapped
    }

    /// Vectors added or changed since the shards were built (searched exactly).
    pub fn overlay_len(&self) -> usize {
        self.overlay.len()
    }

    /// Shard entries hidden because they are out of date.
    pub fn hidden_len(&self) -> usize {
        self.hidden.len()
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| s.index.size()).sum::<usize>() - self.hidden.len() + self.overlay.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn in_shards(&self, key: u64) -> bool {
        self.shards.iter().any(|s| s.index.contains(key))
    }

    pub fn contains(&self, key: u64) -> bool {
        self.overlay.contains(key) || (!self.hidden.contains(&key) && self.in_shards(key))
    }

    /// Adds or replaces one vector (in the overlay; the shards' old copy is hidden).
    pub fn upsert(&mut self, key: u64, v: &[f32]) -> Result<(), IndexError> {
        if v.len() != self.dim {
            return Err(IndexError::Dimension { want: self.dim, got: v.len() });
        }
        if self.in_shards(key) {
            self.hidden.insert(key);
        }
        self.overlay.insert(key, v)
    }

    pub fn remove(&mut self, key: u64) {
        if self.in_shards(key) {
            self.hidden.insert(key);
        }
        self.overlay.remove(key);
    }

    /// How many candidates a search explores (HNSW's ef): more is slower and finds more of the
    /// true nearest neighbours.
    pub fn set_expansion_search(&self, ef: usize) {
        for s in &self.shards {
            s.index.change_expansion_search(ef.max(1));
        }
    }

    /// Approximate top-`k`. Scores are cosine similarities as usearch computes them (in the
    /// index's quantisation); callers that need exact scores rescore with the f32 vectors.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, IndexError> {
        self.collect(query, k, None)
    }

    /// Approximate top-`k` among keys that pass `allow`.
    pub fn filtered_search(
        &self,
        query: &[f32],
        k: usize,
        allow: impl Fn(u64) -> bool,
    ) -> Result<Vec<Hit>, IndexError> {
        self.collect(query, k, Some(&allow))
    }

    fn collect(&self, query: &[f32], k: usize, allow: Option<&dyn Fn(u64) -> bool>) -> Result<Vec<Hit>, IndexError> {
        if query.len() != self.dim {
            return Err(IndexError::Dimension { want: self.dim, got: query.len() });
        }
        if k == 0 || self.is_empty() {
            return Ok(Vec::new());
        }
        let mut hits = Vec::with_capacity(k * (self.shards.len() + 1));
        for s in &self.shards {
            if s.index.size() == 0 {
                continue;
            }
            let m = match allow {
                None if self.hidden.is_empty() => s.index.search(query, k),
                _ => {
                    s.index.filtered_search(query, k, |key| !self.hidden.contains(&key) && allow.is_none_or(|f| f(key)))
                }
            }
            .map_err(usearch_err)?;
            hits.extend(Shard::hits(m));
        }
        if !self.overlay.is_empty() {
            hits.extend(self.overlay.search(query, k, |key| allow.is_none_or(|f| f(key))));
        }
        sort_hits(&mut hits);
        hits.truncate(k);
        Ok(hits)
    }

    pub fn memory_bytes(&self) -> usize {
        self.shards.iter().map(|s| s.index.memory_usage()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::recall_at_k;
    use crate::index::tests::random_matrix;

    #[test]
    fn shards_split_keys_evenly_and_by_key_alone() {
        let mut counts = [0usize; 2];
        for k in 1..=10_000u64 {
            counts[shard_of(k, 2)] += 1;
        }
        assert!(counts.iter().all(|&c| (4_800..=5_200).contains(&c)), "{counts:?}");
        assert_eq!(shard_of(12345, 2), shard_of(12345, 2));
        assert_eq!(shards_for(SHARD_FROM - 1), 1);
        assert_eq!(shards_for(SHARD_FROM), SHARDS);
    }

    /// Builds twice on two threads, at a size with two shards: the same bytes, shard by shard,
    /// and so the same ranking for every query; and the same as a build on one thread.
    #[test]
    fn a_parallel_build_is_the_same_on_every_run() {
        let m = random_matrix(SHARD_FROM + 500, 24, 11);
        for q in [Quantization::F32, Quantization::Bf16] {
            let a = AnnIndex::build(&m, q, 2).unwrap();
            let b = AnnIndex::build(&m, q, 2).unwrap();
            let one = AnnIndex::build(&m, q, 1).unwrap();
            assert_eq!(a.shard_count(), 2);
            assert_eq!(a.len(), m.len());
            let bytes = a.shard_bytes().unwrap();
            assert_eq!(bytes, b.shard_bytes().unwrap(), "{q:?}: two parallel builds, two different graphs");
            assert_eq!(bytes, one.shard_bytes().unwrap(), "{q:?}: the thread count changed the graph");
            for key in (1..=m.len() as u64).step_by(97) {
                let v = m.get(key).unwrap();
                assert_eq!(a.search(v, 10).unwrap(), b.search(v, 10).unwrap(), "{q:?}: query {key}");
            }
        }
    }

    #[test]
    fn the_overlay_serves_new_vectors_and_hides_old_ones() {
        let m = random_matrix(300, 16, 7);
        let mut ann = AnnIndex::build(&m, Quantization::F32, 1).unwrap();
        let v = m.get(5).unwrap().to_vec();
        ann.remove(5);
        assert!(!ann.contains(5));
        assert_eq!(ann.len(), 299);
        assert!(ann.search(&v, 5).unwrap().iter().all(|h| h.key != 5));
        ann.upsert(9999, &v).unwrap();
        assert_eq!(ann.search(&v, 1).unwrap()[0].key, 9999);
        // Replacing a key hides its old copy: it appears once, with the new vector.
        let w = m.get(6).unwrap().to_vec();
        ann.upsert(7, &w).unwrap();
        let hits = ann.search(&w, 10).unwrap();
        assert_eq!(hits.iter().filter(|h| h.key == 7).count(), 1);
        assert!(hits.iter().take(2).any(|h| h.key == 7), "{hits:?}");
        assert_eq!(ann.filtered_search(&w, 10, |k| k != 7).unwrap().iter().filter(|h| h.key == 7).count(), 0);
        assert!(ann.upsert(1, &[0.0; 3]).is_err());
        assert_eq!((ann.overlay_len(), ann.hidden_len()), (2, 2));
    }

    #[test]
    fn saved_shards_open_as_views_and_agree_with_exact_search() {
        for q in [Quantization::F32, Quantization::F16, Quantization::Bf16, Quantization::I8] {
            let m = random_matrix(3000, 64, 42);
            let ann = AnnIndex::build(&m, q, 2).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let paths = vec![dir.path().join("x.0")];
            ann.save_shards(&paths).unwrap();
            let viewed = AnnIndex::view(&[(paths[0].clone(), 3000)], 64, q).unwrap();
            assert!(viewed.is_mapped());
            assert_eq!(viewed.len(), 3000);
            let mut recall = 0.0;
            let queries = 50;
            for i in 0..queries {
                let query = m.get(i * 37 + 1).unwrap().to_vec();
                let exact = m.search(&query, 10, |_| true);
                let approx = viewed.search(&query, 10).unwrap();
                assert_eq!(approx, ann.search(&query, 10).unwrap(), "a view answers as the built index");
                recall += recall_at_k(&exact, &approx, 10);
                let exact_f = m.search(&query, 10, |k| k % 2 == 0);
                let approx_f = viewed.filtered_search(&query, 10, |k| k % 2 == 0).unwrap();
                assert!(approx_f.iter().all(|h| h.key % 2 == 0));
                assert!(recall_at_k(&exact_f, &approx_f, 10) >= 0.7);
            }
            let recall = recall / queries as f64;
            // i8 keeps 8 bits per dimension: on these synthetic vectors it loses a little.
            let floor = if q == Quantization::I8 { 0.85 } else { 0.95 };
            assert!(recall >= floor, "{q:?}: recall@10 {recall}");
            assert!(AnnIndex::view(&[(paths[0].clone(), 3000)], 32, q).is_err(), "a dimension mismatch is refused");
            assert!(AnnIndex::view(&[(paths[0].clone(), 2999)], 64, q).is_err(), "a size mismatch is refused");
        }
    }
}
