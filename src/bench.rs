//! Benchmarks (`reclab bench …`): embedding throughput, vector search, and the end-to-end
//! pipeline on synthetic catalogs. Speed is measured here and reported, never asserted in tests.

use crate::catalog::{ImportOptions, Item};
use crate::embed::{Embedder, TextKind};
use crate::index::{AnnIndex, Hit, Quantization, VectorMatrix, recall_at_k};
use std::time::Instant;

/// Benchmark settings that cannot run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{what} {value} is not a size: it must be at least 1")]
    Zero { what: &'static str, value: usize },
    #[error("{what} {value} is too large: it would need about {need} of memory, and {available}; use a smaller {what}")]
    TooLarge { what: &'static str, value: usize, need: String, available: String },
}

/// Memory this machine has available now (Linux: MemAvailable), in bytes.
pub fn available_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb.saturating_mul(1024))
}

/// Checks a benchmark size before anything is allocated: at least 1, and `value` times
/// `bytes_each` within 80 % of the memory available (`available`, bytes; without it, within 1 TB).
pub fn check_size(what: &'static str, value: usize, bytes_each: u64, available: Option<u64>) -> Result<(), BenchError> {
    if value == 0 {
        return Err(BenchError::Zero { what, value });
    }
    let need = (value as u64).checked_mul(bytes_each);
    let limit = available.map(|a| a / 10 * 8).unwrap_or(1 << 40);
    match need {
        Some(n) if n <= limit => Ok(()),
        _ => Err(BenchError::TooLarge {
            what,
            value,
            need: need.map(gigabytes).unwrap_or_else(|| "more bytes than a 64-bit count holds".into()),
            available: match available {
                Some(a) => format!("this machine has {} available", gigabytes(a)),
                None => "reclab allows at most 1,000 GB".into(),
            },
        }),
    }
}

fn gigabytes(bytes: u64) -> String {
    if bytes >= 1 << 30 { format!("{:.1} GB", bytes as f64 / 1e9) } else { format!("{:.0} MB", bytes as f64 / 1e6) }
}

/// Median of a list of numbers (0 for none).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The p-th percentile (nearest rank) of a list of numbers.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// The fixed text sets: item names (short) and full item texts under the default template
/// (long), from the bundled sample catalog, in file order.
pub fn bench_texts(set: &str, n: usize) -> Vec<String> {
    let table =
        crate::catalog::read_table_bytes(std::path::Path::new("catalog.csv"), crate::sample::CATALOG_CSV.as_bytes());
    let items: Vec<Item> = match table
        .and_then(|t| crate::catalog::parse_catalog(std::path::Path::new("catalog.csv"), &t, &ImportOptions::default()))
    {
        Ok(p) => p.items.into_iter().map(|u| u.item).collect(),
        Err(_) => Vec::new(),
    };
    let template = crate::embed::Template::default_template();
    let short: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
    let long: Vec<String> = items.iter().map(|i| template.render(i)).collect();
    let all: Vec<String> = match set {
        "short" => short,
        "long" => long,
        // Half and half, interleaved: what a real catalog embedding run sees.
        _ => short.into_iter().zip(long).flat_map(|(a, b)| [a, b]).collect(),
    };
    all.into_iter().cycle().take(n).collect()
}

/// Items per second embedding `texts` in batches of `batch`, median of `repeats` runs (after
/// one warm-up batch).
pub fn embed_throughput(
    embedder: &dyn Embedder,
    texts: &[String],
    batch: usize,
    repeats: usize,
) -> Result<(f64, Vec<f64>), crate::embed::EmbedError> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    embedder.embed(&refs[..batch.min(refs.len())], TextKind::Passage)?;
    let mut rates = Vec::new();
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        for chunk in refs.chunks(batch.max(1)) {
            embedder.embed(chunk, TextKind::Passage)?;
        }
        rates.push(refs.len() as f64 / t.elapsed().as_secs_f64());
    }
    Ok((median(&rates), rates))
}

/// Deterministic unit vectors around `clusters` centres (a crude stand-in for item embeddings).
pub fn synthetic_vectors(n: usize, dim: usize, clusters: usize, seed: u64) -> VectorMatrix {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 / (1u64 << 53) as f64) as f32 - 0.5
    };
    let centres: Vec<Vec<f32>> = (0..clusters.max(1)).map(|_| (0..dim).map(|_| next()).collect()).collect();
    let mut m = VectorMatrix::new(dim);
    for key in 0..n as u64 {
        let c = &centres[(key as usize * 7919) % centres.len()];
        let mut v: Vec<f32> = c.iter().map(|x| x + 0.7 * next()).collect();
        crate::embed::normalize(&mut v);
        let _ = m.insert(key + 1, &v);
    }
    m
}

/// Search figures at one size and quantisation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchBench {
    pub n: usize,
    pub dim: usize,
    pub quantization: String,
    pub threads: usize,
    /// HNSW's search expansion (ef).
    pub expansion: usize,
    pub build_seconds: f64,
    pub query_p50_ms: f64,
    pub query_p99_ms: f64,
    pub exact_p50_ms: f64,
    pub recall_at_10: f64,
    pub index_mb: f64,
}

/// Builds an index over `m` once and, for each search expansion in `expansions`, measures
/// `queries` searches against exact search.
pub fn search_bench(
    m: &VectorMatrix,
    q: Quantization,
    threads: usize,
    queries: usize,
    expansions: &[usize],
) -> Result<Vec<SearchBench>, crate::index::IndexError> {
    let t = Instant::now();
    let ann = AnnIndex::build(m, q, threads)?;
    let build_seconds = t.elapsed().as_secs_f64();
    let keys = m.keys();
    let step = (keys.len() / queries.max(1)).max(1);
    let picked: Vec<Vec<f32>> =
        keys.iter().step_by(step).take(queries).map(|&k| m.get(k).map(|v| v.to_vec()).unwrap_or_default()).collect();
    let mut exact = Vec::with_capacity(picked.len());
    let mut exact_times = Vec::with_capacity(picked.len());
    for query in &picked {
        let t = Instant::now();
        exact.push(m.search(query, 10, |_| true));
        exact_times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut out = Vec::new();
    for &ef in expansions {
        ann.set_expansion_search(ef);
        let (mut times, mut recall) = (Vec::with_capacity(picked.len()), 0.0);
        for (query, truth) in picked.iter().zip(&exact) {
            let t = Instant::now();
            let approx: Vec<Hit> = ann.search(query, 10)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            recall += recall_at_k(truth, &approx, 10);
        }
        out.push(SearchBench {
            n: m.len(),
            dim: m.dim(),
            quantization: q.as_str().into(),
            threads,
            expansion: ef,
            build_seconds,
            query_p50_ms: percentile(&times, 50.0),
            query_p99_ms: percentile(&times, 99.0),
            exact_p50_ms: percentile(&exact_times, 50.0),
            recall_at_10: if picked.is_empty() { 0.0 } else { recall / picked.len() as f64 },
            index_mb: ann.memory_bytes() as f64 / 1e6,
        });
    }
    Ok(out)
}

/// Peak resident memory of this process, from /proc (Linux), in MB.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_nearest_rank() {
        let v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(percentile(&v, 99.0), 5.0);
        assert_eq!(percentile(&v, 20.0), 1.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }

    #[test]
    fn sizes_are_checked_before_anything_is_allocated() {
        assert!(matches!(check_size("--n", 0, 8, Some(1 << 30)), Err(BenchError::Zero { .. })));
        let err = check_size("--n", 1_000_000_000, 8192, Some(16 << 30)).unwrap_err().to_string();
        assert!(
            err.contains("--n 1000000000 is too large")
                && err.contains("8192.0 GB")
                && err.contains("17.2 GB available"),
            "{err}"
        );
        assert!(check_size("--dim", usize::MAX, 12, None).unwrap_err().to_string().contains("64-bit"));
        assert!(check_size("--n", 100_000, 8192, Some(16 << 30)).is_ok());
    }

    #[test]
    fn bench_texts_are_fixed() {
        let a = bench_texts("mixed", 10);
        assert_eq!(a, bench_texts("mixed", 10));
        assert_eq!(a[0], "Serena");
        assert!(a[1].starts_with("Serena | Descendant | serena"));
        assert_eq!(bench_texts("short", 3000).len(), 3000, "cycles past the catalog");
    }
}
