//! `reclab bench …`: measured, reported, never asserted.

mod embed;
mod pipeline;

use super::resolve_embedder;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use embed::{EmbedBenchArgs, StRun, embed_compare, embed_single};
use pipeline::{phase_first, phase_reopen, pipeline};
use reclab::bench::{available_memory, bench_texts, check_size, peak_rss_mb, search_bench, synthetic_vectors};
use reclab::embed::Precision;
use reclab::index::Quantization;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum BenchCommand {
    /// Embedding throughput (items/s) over a fixed text set from the sample catalog.
    Embed {
        #[arg(long)]
        model: Option<String>,
        /// short (item names), long (full item texts) or mixed.
        #[arg(long, default_value = "mixed")]
        texts: String,
        #[arg(long, default_value_t = 512)]
        n: usize,
        #[arg(long, value_delimiter = ',', default_value = "16,32,64")]
        batch_sizes: Vec<usize>,
        /// Thread counts to try (each in a fresh process, RAYON_NUM_THREADS set).
        #[arg(long, value_delimiter = ',', default_value = "1,2")]
        threads: Vec<usize>,
        #[arg(long, default_value_t = 3)]
        repeats: usize,
        /// Write the texts (one per line) for the sentence-transformers comparison script.
        #[arg(long)]
        write_texts: Option<PathBuf>,
        /// Precisions to measure (f32, bf16, int8, fast); each also reports its vectors' least
        /// cosine to the f32 ones.
        #[arg(long, value_delimiter = ',', default_value = "f32,int8")]
        precision: Vec<String>,
        /// A Python with sentence-transformers: run scripts/bench-sentence-transformers.py on
        /// the same texts, threads and batch sizes, alternating with reclab for --rounds rounds,
        /// and report the ratio of the medians.
        #[arg(long, value_name = "PYTHON")]
        sentence_transformers: Option<PathBuf>,
        /// The comparison script.
        #[arg(long, default_value = "scripts/bench-sentence-transformers.py")]
        st_script: PathBuf,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        /// One JSON object per precision (and one for sentence-transformers).
        #[arg(long)]
        json: bool,
        /// Internal: measure in this process only.
        #[arg(long, hide = true)]
        single: bool,
    },
    /// Vector search on synthetic vectors: build time, query p50/p99, recall@10, memory.
    Search {
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        n: Vec<usize>,
        #[arg(long, default_value_t = 384)]
        dim: usize,
        #[arg(long, value_delimiter = ',', default_value = "f32,f16,bf16,i8")]
        quantization: Vec<String>,
        #[arg(long, default_value_t = 1)]
        threads: usize,
        #[arg(long, default_value_t = 1000)]
        queries: usize,
        /// Search expansions (HNSW ef) to measure on each index (default: reclab's choice for the
        /// index size, 128 up to 200,000 vectors and 512 beyond).
        #[arg(long, value_delimiter = ',')]
        expansion: Vec<usize>,
    },
    /// The whole pipeline on a synthetic project: first open (first result while the index
    /// builds, the build), reopen, recommend p50/p99, peak memory, file sizes. Each phase runs
    /// in a fresh process, so its peak memory is its own.
    Pipeline {
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Keep the synthetic project here (default: a temporary folder). A kept project has a
        /// model set (the lexical embedder unless --model says another), so `reclab recommend`
        /// and the window work on it.
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Embed the synthetic catalog with this model (`lexical`, an installed model) instead of
        /// writing clustered synthetic vectors.
        #[arg(long)]
        model: Option<String>,
        /// Print one JSON object instead of the table.
        #[arg(long)]
        json: bool,
        /// Internal: run one phase (first, reopen) on the project at --project-file.
        #[arg(long, hide = true)]
        phase: Option<String>,
        #[arg(long, hide = true)]
        project_file: Option<PathBuf>,
    },
}

pub fn run(cmd: BenchCommand, project: &std::path::Path) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Embed {
            model,
            texts,
            n,
            batch_sizes,
            threads,
            repeats,
            write_texts,
            precision,
            sentence_transformers,
            st_script,
            rounds,
            json,
            single,
        } => {
            // A text, its tokens and its vector.
            check_size("--n", n, 4096, available_memory())?;
            for &b in &batch_sizes {
                check_size("--batch-sizes", b, 0, None)?;
            }
            check_size("--repeats", repeats, 0, None)?;
            let set = bench_texts(&texts, n);
            if set.is_empty() {
                bail!("no texts for set '{texts}'");
            }
            if let Some(p) = &write_texts {
                let text = set.join("\n") + "\n";
                reclab::output::write(p, text.as_bytes(), &reclab::output::Protected::project(project))?;
                eprintln!("wrote {} texts to {}", set.len(), p.display());
            }
            let precisions: Vec<(String, Precision)> = precision
                .iter()
                .map(|p| Ok((p.clone(), Precision::parse(p)?)))
                .collect::<Result<_, reclab::embed::EmbedError>>()?;
            if single {
                embed_single(model.as_deref(), &set, &batch_sizes, repeats, &precisions)?;
                return Ok(ExitCode::SUCCESS);
            }
            let st = sentence_transformers.map(|python| StRun { python, script: st_script, texts: set.clone() });
            let args = EmbedBenchArgs { model, texts, n, batch_sizes, threads, repeats, precision, rounds };
            embed_compare(&args, st.as_ref(), json)?;
        }
        BenchCommand::Search { n, dim, quantization, threads, queries, expansion } => {
            // Each vector is held three times (the matrix, the index, the exact search's
            // copy), with the index's links; the cluster centres are up to 2,000 more vectors.
            let available = available_memory();
            let smallest = n.iter().copied().min().unwrap_or(1);
            check_size("--dim", dim, 12 * (smallest.min(10_000) as u64 + 2000), available)?;
            for &size in &n {
                check_size("--n", size, (dim as u64).saturating_mul(12).saturating_add(256), available)?;
            }
            println!(
                "{:>9} {:>4} {:>5} {:>7} {:>4} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
                "vectors",
                "dim",
                "quant",
                "threads",
                "ef",
                "build s",
                "p50 ms",
                "p99 ms",
                "exact ms",
                "recall@10",
                "index MB"
            );
            for size in n {
                let m = synthetic_vectors(size, dim, (size / 500).clamp(16, 2000), 42);
                for q in &quantization {
                    let q = Quantization::parse(q)?;
                    let expansion =
                        if expansion.is_empty() { vec![reclab::index::expansion_for(size)] } else { expansion.clone() };
                    for r in search_bench(&m, q, threads, queries, &expansion)? {
                        println!(
                            "{:>9} {:>4} {:>5} {:>7} {:>4} {:>9.2} {:>9.3} {:>9.3} {:>9.2} {:>9.4} {:>9.1}",
                            r.n,
                            r.dim,
                            r.quantization,
                            r.threads,
                            r.expansion,
                            r.build_seconds,
                            r.query_p50_ms,
                            r.query_p99_ms,
                            r.exact_p50_ms,
                            r.recall_at_10,
                            r.index_mb
                        );
                    }
                }
            }
            if let Some(mb) = peak_rss_mb() {
                println!("peak memory {mb:.0} MB");
            }
        }
        BenchCommand::Pipeline { n, requests, keep, model, json, phase: None, .. } => {
            pipeline(n, requests, keep, model.as_deref(), json)?;
        }
        BenchCommand::Pipeline { n, requests, model, phase: Some(phase), project_file, .. } => {
            let path = project_file.context("--phase needs --project-file")?;
            let out = match phase.as_str() {
                "first" => phase_first(&path, model.as_deref())?,
                "reopen" => phase_reopen(&path, n, requests, model.as_deref())?,
                other => bail!("unknown phase '{other}'"),
            };
            println!("{}", serde_json::to_string(&out)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The benchmark's temporary folder, `reclab-bench-PID`: removed when dropped (on errors
/// too), and folders that runs killed before they could clean up left are removed when the
/// next one starts.
pub(super) struct BenchDir(pub(super) PathBuf);

impl BenchDir {
    pub(super) fn create() -> Result<Self> {
        let tmp = std::env::temp_dir();
        if let Ok(entries) = std::fs::read_dir(&tmp) {
            for e in entries.flatten() {
                let name = e.file_name();
                let pid =
                    name.to_str().and_then(|n| n.strip_prefix("reclab-bench-")).and_then(|p| p.parse::<u32>().ok());
                if let Some(pid) = pid
                    && pid != std::process::id()
                    && !std::path::Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = tmp.join(format!("reclab-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self(dir))
    }
}

impl Drop for BenchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
