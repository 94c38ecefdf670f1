//! `reclab bench …`: measured, reported, never asserted.

use super::resolve_embedder;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use reclab::bench::{bench_texts, embed_throughput, median, peak_rss_mb, percentile, search_bench, synthetic_vectors};
use reclab::catalog::Item;
use reclab::embed::ModelRef;
use reclab::index::Quantization;
use reclab::jobs::ProgressSink;
use reclab::pipeline::{Engine, EngineOptions, Request, RuleSet};
use reclab::store::{Project, SimAction};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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
        #[arg(long, value_delimiter = ',', default_value = "f32,f16,i8")]
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
    /// The whole pipeline on a synthetic project: open time, recommend p50/p99.
    Pipeline {
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Keep the synthetic project here (default: a temporary folder).
        #[arg(long)]
        keep: Option<PathBuf>,
        /// Embed the synthetic catalog with this model (`lexical`, an installed model) instead of
        /// writing clustered synthetic vectors; the kept project then opens in the window.
        #[arg(long)]
        model: Option<String>,
    },
}

pub fn run(cmd: BenchCommand) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Embed { model, texts, n, batch_sizes, threads, repeats, write_texts, single } => {
            let set = bench_texts(&texts, n);
            if set.is_empty() {
                bail!("no texts for set '{texts}'");
            }
            if let Some(p) = &write_texts {
                std::fs::write(p, set.join("\n") + "\n").with_context(|| format!("cannot write {}", p.display()))?;
                eprintln!("wrote {} texts to {}", set.len(), p.display());
            }
            if single {
                let (_, embedder) = resolve_embedder(model.as_deref(), None)?;
                for b in batch_sizes {
                    let (rate, all) = embed_throughput(embedder.as_ref(), &set, b, repeats)?;
                    let runs: Vec<String> = all.iter().map(|r| format!("{r:.1}")).collect();
                    println!(
                        "{}\t{}\t{b}\t{rate:.1}\t{}",
                        embedder.key(),
                        std::env::var("RAYON_NUM_THREADS").unwrap_or_default(),
                        runs.join(",")
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            println!("embedding {} {texts} texts (median of {repeats} runs after a warm-up batch)", set.len());
            println!("{:<34} {:>7} {:>6} {:>10}  runs", "model", "threads", "batch", "items/s");
            let exe = std::env::current_exe().context("cannot find the reclab executable")?;
            for t in threads {
                let mut cmd = std::process::Command::new(&exe);
                cmd.args([
                    "bench",
                    "embed",
                    "--single",
                    "--texts",
                    &texts,
                    "--n",
                    &n.to_string(),
                    "--repeats",
                    &repeats.to_string(),
                ]);
                cmd.arg("--batch-sizes").arg(batch_sizes.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(","));
                if let Some(m) = &model {
                    cmd.args(["--model", m]);
                }
                let out = cmd.env("RAYON_NUM_THREADS", t.to_string()).output().context("cannot run the benchmark")?;
                if !out.status.success() {
                    bail!("the benchmark with {t} thread(s) failed: {}", String::from_utf8_lossy(&out.stderr));
                }
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    let f: Vec<&str> = line.split('\t').collect();
                    if f.len() == 5 {
                        println!("{:<34} {:>7} {:>6} {:>10}  {}", f[0], f[1], f[2], f[3], f[4]);
                    }
                }
            }
        }
        BenchCommand::Search { n, dim, quantization, threads, queries, expansion } => {
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
        BenchCommand::Pipeline { n, requests, keep, model } => pipeline(n, requests, keep, model.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

/// A synthetic project of `n` items in 40 categories with vectors of a made-up model, and a
/// log of 2 events per item, then: first open (index build), second open (index load), and
/// `requests` recommendations with filters and rules.
fn pipeline(n: usize, requests: usize, keep: Option<PathBuf>, embed_with: Option<&str>) -> Result<()> {
    let tmp = tempfile_dir()?;
    let dir = keep.clone().unwrap_or_else(|| tmp.clone());
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("synthetic-{n}.reclab"));
    let _ = std::fs::remove_file(&path);
    for ext in ["-wal", "-shm", ".usearch", ".usearch.meta"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    let store = reclab::embed::ModelStore::default_location();
    let t = Instant::now();
    let model = {
        let mut p = Project::open(&path)?;
        let items = synthetic_items(0..n);
        p.upsert_items(&items)?;
        let template = reclab::embed::Template::default_template();
        let model = match embed_with {
            None => {
                let dim = 384;
                let model = ModelRef { spec: "synthetic".into(), key: "synthetic@0".into(), dim, neural: false };
                let rows = synthetic_rows(&items, &template, dim, 400, 7);
                for chunk in rows.chunks(10_000) {
                    p.put_vectors(&model.key, dim, chunk)?;
                }
                model
            }
            Some(spec) => {
                let (spec, embedder) = resolve_embedder(Some(spec), None)?;
                let (embedder, fit) =
                    reclab::embed::with_project_weights(&mut p, embedder, &template, false, &ProgressSink::none())?;
                if let Some(fit) = fit {
                    println!("{}", fit.describe());
                }
                let report =
                    reclab::embed::embed_catalog(&mut p, embedder.as_ref(), &template, 64, &ProgressSink::none())?;
                println!("embedded {} texts with {} in {:.1} s", report.embedded, report.model, report.seconds);
                p.set_setting("model", &spec)?;
                ModelRef::resolve_in(&spec, &store, &p)?
            }
        };
        let log: Vec<reclab::catalog::Interaction> = (0..2 * n)
            .map(|i| reclab::catalog::Interaction {
                user_id: format!("u{}", i % (n / 20).max(1)),
                item_id: format!("s{}", (i * 7) % n),
                event_type: if i % 3 == 0 { "purchase".into() } else { "view".into() },
                ts: reclab::sample::SAMPLE_NOW - 86_400 + (i as i64 % 86_400),
                value: None,
            })
            .collect();
        p.insert_interactions(&log)?;
        p.set_setting("now", &reclab::util::format_time(reclab::sample::SAMPLE_NOW))?;
        model
    };
    println!(
        "synthetic project: {n} items, {} events, {}-d vectors ({}), written in {:.1} s",
        2 * n,
        model.dim,
        model.key,
        t.elapsed().as_secs_f64()
    );
    let project = Project::open_existing(&path)?;
    let t = Instant::now();
    let first = Engine::open(&project, model.clone(), store.clone(), EngineOptions::default(), &ProgressSink::none())?;
    println!("first open (builds and saves the index, 1 thread): {:.2} s", t.elapsed().as_secs_f64());
    drop(first);
    drop(project);
    let t = Instant::now();
    let project = Project::open_existing(&path)?;
    let engine = Engine::open(&project, model, store, EngineOptions::default(), &ProgressSink::none())?;
    let open_s = t.elapsed().as_secs_f64();
    println!("reopen (loads the saved index, {}): {open_s:.2} s", engine.index_report.action);
    let mut rules = RuleSet::example();
    rules.rules.retain(|r| r.rule.kind() != "popularity");
    let popularity = RuleSet::example();
    let mut latencies = Vec::new();
    let mut with_pop = Vec::new();
    for i in 0..requests {
        let anchor = format!("s{}", (i * 7919) % n);
        let req = Request {
            actions: vec![SimAction {
                event_type: "purchase".into(),
                item_id: Some(anchor),
                query: None,
                ts: reclab::sample::SAMPLE_NOW - 300,
            }],
            filter: "EXCLUDE ItemID WHERE Items.PRICE > 900".into(),
            rules: if i % 2 == 0 { rules.clone() } else { popularity.clone() },
            now: reclab::sample::SAMPLE_NOW,
            ..Request::default()
        };
        let t = Instant::now();
        let rec = engine.recommend(&req)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if rec.results.is_empty() {
            bail!("the synthetic request returned nothing");
        }
        if i % 2 == 0 { latencies.push(ms) } else { with_pop.push(ms) }
    }
    println!(
        "recommend at {n} items (200 candidates, built-in filters, an expression, rules with MMR): p50 {:.2} ms, p99 {:.2} ms over {} requests",
        median(&latencies),
        percentile(&latencies, 99.0),
        latencies.len()
    );
    println!(
        "  the same with a windowed popularity rule: p50 {:.2} ms, p99 {:.2} ms over {} requests",
        median(&with_pop),
        percentile(&with_pop, 99.0),
        with_pop.len()
    );
    // Cold start: new items into the live engine, without a rebuild. Synthetic vectors are
    // cached first (a real model embeds them inside add_items).
    let mut engine = engine;
    let mut project = project;
    let template = reclab::embed::Template::default_template();
    for (start, count) in [(n, 1), (n + 10, 10)] {
        let label = if count == 1 { "1 item".to_string() } else { format!("{count} items") };
        let mut items = synthetic_items(start..start + count);
        for it in &mut items {
            it.id = format!("new-{}", it.id);
        }
        if embed_with.is_none() {
            let rows = synthetic_rows(&items, &template, engine.model.dim, 7, 99);
            project.put_vectors(&engine.model.key, engine.model.dim, &rows)?;
        }
        let t = Instant::now();
        let prepared = engine.prepare_items(&mut project, &items, &ProgressSink::none())?;
        let report = engine.apply_items(prepared)?;
        let live_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        engine.save_index()?;
        println!(
            "incremental add of {label}: saved in the project and in the live index after {live_ms:.1} ms ({} embedded, no rebuild); writing the index file {:.0} ms more",
            report.embedded,
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
    if let Some(mb) = peak_rss_mb() {
        println!("peak memory {mb:.0} MB");
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

/// Clustered synthetic vectors for `items`, keyed by the hash of each item's text.
fn synthetic_rows(
    items: &[Item],
    template: &reclab::embed::Template,
    dim: usize,
    clusters: usize,
    seed: u64,
) -> Vec<([u8; 16], Vec<f32>)> {
    let m = synthetic_vectors(items.len(), dim, clusters, seed);
    reclab::embed::item_texts(items, template)
        .iter()
        .zip(m.keys())
        .map(|((_, h), k)| (*h, m.get(*k).unwrap_or(&[]).to_vec()))
        .collect()
}

/// A deterministic catalog: items number `range`, with varied names, categories, prices,
/// stock and expiry.
fn synthetic_items(range: std::ops::Range<usize>) -> Vec<Item> {
    const ADJ: [&str; 12] = [
        "crimson", "silent", "golden", "frosted", "wild", "midnight", "arctic", "ember", "velvet", "iron", "lunar",
        "spiced",
    ];
    const NOUN: [&str; 10] =
        ["halo", "jacket", "bundle", "noodles", "sneakers", "helmet", "kimchi", "scarf", "blade", "latte"];
    range
        .map(|i| Item {
            id: format!("s{i}"),
            name: format!("{} {} {i}", ADJ[i % ADJ.len()], NOUN[(i / ADJ.len()) % NOUN.len()]),
            category: Some(format!("category {}", i % 40)),
            price: Some((i % 97) as f64 * 10.0),
            stock: Some((i % 13) as i64),
            expires_at: (i % 5 == 0).then_some(reclab::sample::SAMPLE_NOW + ((i % 7) as i64 - 2) * 86_400),
            ..Default::default()
        })
        .collect()
}

fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("reclab-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
