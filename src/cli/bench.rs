//! `reclab bench …`: measured, reported, never asserted.

use super::resolve_embedder;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use reclab::bench::{
    available_memory, bench_texts, check_size, embed_throughput, median, peak_rss_mb, percentile, search_bench,
    synthetic_vectors,
};
use reclab::catalog::Item;
use reclab::embed::{Embedder, ModelRef, Precision};
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
            pipeline(n, requests, keep, model.as_deref(), json)?
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

/// What `bench pipeline --json` prints.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct PipelineFigures {
    n: usize,
    model: String,
    /// Seconds from opening the new project to its first recommendation (exact search serves
    /// while the index builds).
    first_result_s: f64,
    /// Building the index on a worker and saving it.
    index_build_s: f64,
    /// Opening the new project until the index serves.
    first_open_s: f64,
    index_shards: usize,
    recall_at_10: f64,
    first_open_peak_rss_mb: f64,
    /// Opening the project again (the saved index and vectors memory-mapped).
    reopen_s: f64,
    reopen_index: String,
    recommend_p50_ms: f64,
    recommend_p99_ms: f64,
    recommend_popularity_p50_ms: f64,
    recommend_popularity_p99_ms: f64,
    add_1_item_ms: f64,
    add_10_items_ms: f64,
    /// Peak memory of the reopened project serving the requests.
    peak_rss_mb: f64,
    project_file_mb: f64,
    index_files_mb: f64,
    write_s: f64,
}

/// A synthetic project of `n` items in 40 categories with clustered vectors of a made-up model
/// (or embedded with `embed_with`), and a log of 2 events per item; then, each in a fresh
/// process: the first open, and the reopen serving `requests` recommendations.
fn pipeline(n: usize, requests: usize, keep: Option<PathBuf>, embed_with: Option<&str>, json: bool) -> Result<()> {
    // An item, its text, its vector (in the project, the matrix and the index) and its events.
    check_size("--n", n, 8192, available_memory())?;
    check_size("--requests", requests, 0, None)?;
    let tmp = BenchDir::create()?;
    let dir = keep.clone().unwrap_or_else(|| tmp.0.clone());
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("synthetic-{n}.reclab"));
    let _ = std::fs::remove_file(&path);
    for ext in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(ext);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    if let Some(paths) = reclab::index::snapshot::SnapshotPaths::new(&path) {
        paths.remove_all();
    }
    // A kept project must open in the window and in `reclab recommend`: it needs a real model.
    let embed_with = embed_with.or(keep.is_some().then_some("lexical"));
    let t = Instant::now();
    let model = write_synthetic(&path, n, embed_with)?;
    let write_s = t.elapsed().as_secs_f64();
    if !json {
        println!(
            "synthetic project: {n} items, {} events, {}-d vectors ({}), written in {write_s:.1} s",
            2 * n,
            model.dim,
            model.key
        );
    }
    let exe = std::env::current_exe().context("cannot find the reclab executable")?;
    let run_phase = |phase: &str| -> Result<PipelineFigures> {
        let mut cmd = std::process::Command::new(&exe);
        cmd.args(["bench", "pipeline", "--phase", phase, "--n", &n.to_string(), "--requests", &requests.to_string()]);
        cmd.arg("--project-file").arg(&path);
        if let Some(m) = embed_with {
            cmd.args(["--model", m]);
        }
        let out = cmd.output().context("cannot run a benchmark phase")?;
        if !out.status.success() {
            bail!("the {phase} phase failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        serde_json::from_slice(&out.stdout).with_context(|| format!("the {phase} phase printed no figures"))
    };
    let first = run_phase("first")?;
    if !json {
        println!(
            "first open: first result after {:.2} s (exact search while the index builds); index of {} shard(s) built and saved in {:.2} s (recall@10 {:.4}); serving after {:.2} s; peak memory {:.0} MB",
            first.first_result_s,
            first.index_shards,
            first.index_build_s,
            first.recall_at_10,
            first.first_open_s,
            first.first_open_peak_rss_mb
        );
    }
    let again = run_phase("reopen")?;
    let file_mb = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let project_file_mb = file_mb(&path) + file_mb(std::path::Path::new(&wal));
    let index_files_mb = reclab::index::snapshot::SnapshotPaths::new(&path)
        .map(|p| p.all_files().iter().map(|f| file_mb(f)).sum::<f64>())
        .unwrap_or(0.0);
    let figures = PipelineFigures {
        n,
        model: model.key.clone(),
        write_s,
        project_file_mb,
        index_files_mb,
        first_result_s: first.first_result_s,
        index_build_s: first.index_build_s,
        first_open_s: first.first_open_s,
        index_shards: first.index_shards,
        recall_at_10: first.recall_at_10,
        first_open_peak_rss_mb: first.first_open_peak_rss_mb,
        ..again
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        println!(
            "reopen ({}): {:.2} s; project file {:.0} MB, saved index and vectors {:.0} MB",
            figures.reopen_index, figures.reopen_s, figures.project_file_mb, figures.index_files_mb
        );
        println!(
            "recommend at {n} items (200 candidates, built-in filters, an expression, rules with MMR): p50 {:.2} ms, p99 {:.2} ms over {} requests",
            figures.recommend_p50_ms,
            figures.recommend_p99_ms,
            requests.div_ceil(2)
        );
        println!(
            "  the same with a windowed popularity rule: p50 {:.2} ms, p99 {:.2} ms over {} requests",
            figures.recommend_popularity_p50_ms,
            figures.recommend_popularity_p99_ms,
            requests / 2
        );
        println!(
            "incremental add (saved in the project and searchable in the live index, no rebuild): 1 item {:.1} ms, 10 items {:.1} ms",
            figures.add_1_item_ms, figures.add_10_items_ms
        );
        println!("peak memory of the reopened project serving: {:.0} MB", figures.peak_rss_mb);
    }
    // The temporary folder goes when `tmp` is dropped, on every way out of here.
    drop(tmp);
    Ok(())
}

/// Writes the synthetic project; returns its model.
fn write_synthetic(path: &std::path::Path, n: usize, embed_with: Option<&str>) -> Result<ModelRef> {
    let store = reclab::embed::ModelStore::default_location();
    let mut p = Project::open(path)?;
    let items = synthetic_items(0..n);
    p.upsert_items(&items)?;
    let template = reclab::embed::Template::default_template();
    let model = match embed_with {
        None => {
            let dim = 384;
            let model = synthetic_model(dim);
            let rows = synthetic_rows(&items, &template, dim, 400, 7);
            for chunk in rows.chunks(10_000) {
                p.put_vectors(&model.key, dim, chunk)?;
            }
            model
        }
        Some(spec) => {
            let (spec, precision, embedder) = resolve_embedder(Some(spec), None, None)?;
            let (embedder, fit) =
                reclab::embed::with_project_weights(&mut p, embedder, &template, false, &ProgressSink::none())?;
            if let Some(fit) = fit {
                eprintln!("{}", fit.describe());
            }
            let report = reclab::embed::embed_catalog(&mut p, embedder.as_ref(), &template, 64, &ProgressSink::none())?;
            eprintln!("embedded {} texts with {} in {:.1} s", report.embedded, report.model, report.seconds);
            reclab::embed::save_model_choice(&p, &spec, precision)?;
            ModelRef::of_project(&p, &store)?.context("the synthetic project has no model")?
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
    Ok(model)
}

/// The made-up model of the synthetic vectors (no weights: nothing can embed a query with it).
fn synthetic_model(dim: usize) -> ModelRef {
    ModelRef {
        spec: "synthetic".into(),
        key: "synthetic@0".into(),
        dim,
        neural: false,
        precision: reclab::embed::Precision::F32,
    }
}

/// The model of the synthetic project at `path` (as saved in it when it was embedded).
fn phase_model(path: &std::path::Path, embed_with: Option<&str>) -> Result<ModelRef> {
    if embed_with.is_none() {
        return Ok(synthetic_model(384));
    }
    let project = Project::open_read_only(path)?;
    ModelRef::of_project(&project, &reclab::embed::ModelStore::default_location())?
        .context("the synthetic project has no model")
}

/// The `i`-th benchmark request: a purchase of one item, an expression filter, and rules
/// (the popularity rule on odd requests).
fn synthetic_request(i: usize, n: usize) -> Request {
    let mut rules = RuleSet::example();
    if i.is_multiple_of(2) {
        rules.rules.retain(|r| r.rule.kind() != "popularity");
    }
    Request {
        actions: vec![SimAction {
            event_type: "purchase".into(),
            item_id: Some(format!("s{}", (i * 7919) % n)),
            query: None,
            ts: reclab::sample::SAMPLE_NOW - 300,
        }],
        filter: "EXCLUDE ItemID WHERE Items.PRICE > 900".into(),
        rules,
        now: reclab::sample::SAMPLE_NOW,
        ..Request::default()
    }
}

/// Opens the new project as the window does: exact search answers the first request while the
/// index builds on a worker.
fn phase_first(path: &std::path::Path, embed_with: Option<&str>) -> Result<PipelineFigures> {
    let model = phase_model(path, embed_with)?;
    let store = reclab::embed::ModelStore::default_location();
    let t = Instant::now();
    let project = Project::open_existing(path)?;
    let options = EngineOptions { background: true, ..EngineOptions::default() };
    let mut engine = Engine::open(&project, model.clone(), store, options, &ProgressSink::none())?;
    let n = engine.catalog.len();
    let build = engine.take_index_build().context("a new project has no saved index: it must be built")?;
    let worker = std::thread::Builder::new()
        .name("reclab-index".into())
        .spawn(move || build.run(&ProgressSink::none()))
        .context("cannot start the index worker")?;
    let first = engine.recommend(&synthetic_request(0, n))?;
    let first_result_s = t.elapsed().as_secs_f64();
    if first.results.is_empty() {
        bail!("the first request returned nothing");
    }
    let built = worker.join().map_err(|_| anyhow::anyhow!("the index worker panicked"))??;
    let index_build_s = built.seconds;
    engine.install_index(built);
    let first_open_s = t.elapsed().as_secs_f64();
    let ann = engine.ann().context("the index was not installed")?;
    // recall@10 of the built index against exact search, over 200 of the items as queries.
    let keys = engine.vectors.keys();
    let step = (keys.len() / 200).max(1);
    let (mut recall, mut queries) = (0.0, 0);
    for &k in keys.iter().step_by(step).take(200) {
        let Some(q) = engine.vectors.get(k) else { continue };
        let exact = engine.vectors.search(q, 10, |_| true);
        recall += reclab::index::recall_at_k(&exact, &ann.search(q, 10)?, 10);
        queries += 1;
    }
    Ok(PipelineFigures {
        n,
        model: model.key,
        first_result_s,
        index_build_s,
        first_open_s,
        index_shards: ann.shard_count(),
        recall_at_10: if queries == 0 { 0.0 } else { recall / queries as f64 },
        first_open_peak_rss_mb: peak_rss_mb().unwrap_or(0.0),
        ..PipelineFigures::default()
    })
}

/// Reopens the project (saved index), serves `requests` recommendations, then adds new items.
fn phase_reopen(
    path: &std::path::Path,
    n: usize,
    requests: usize,
    embed_with: Option<&str>,
) -> Result<PipelineFigures> {
    let model = phase_model(path, embed_with)?;
    let store = reclab::embed::ModelStore::default_location();
    let t = Instant::now();
    let mut project = Project::open_existing(path)?;
    let mut engine = Engine::open(&project, model.clone(), store, EngineOptions::default(), &ProgressSink::none())?;
    let reopen_s = t.elapsed().as_secs_f64();
    let reopen_index = engine.index_report.action.to_string();
    let (mut plain, mut popularity) = (Vec::new(), Vec::new());
    for i in 0..requests {
        let req = synthetic_request(i, n);
        let t = Instant::now();
        let rec = engine.recommend(&req)?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if rec.results.is_empty() {
            bail!("the synthetic request returned nothing");
        }
        if i % 2 == 0 { plain.push(ms) } else { popularity.push(ms) }
    }
    let peak = peak_rss_mb().unwrap_or(0.0);
    // Cold start: new items into the live engine, without a rebuild. Synthetic vectors are
    // cached first (a real model embeds them inside add_items).
    let template = reclab::embed::Template::default_template();
    let mut add_ms = Vec::new();
    for (start, count) in [(n, 1), (n + 10, 10)] {
        let mut items = synthetic_items(start..start + count);
        for it in &mut items {
            it.id = format!("new-{}", it.id);
        }
        if embed_with.is_none() {
            let rows = synthetic_rows(&items, &template, engine.model.dim, 7, 99);
            project.put_vectors(&engine.model.key, engine.model.dim, &rows)?;
        }
        let t = Instant::now();
        let updates: Vec<reclab::catalog::ItemUpdate> =
            items.iter().cloned().map(reclab::catalog::ItemUpdate::replace).collect();
        let prepared = engine.prepare_items(&mut project, &updates, &ProgressSink::none())?;
        engine.apply_items(prepared)?;
        add_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(PipelineFigures {
        n,
        model: model.key,
        reopen_s,
        reopen_index,
        recommend_p50_ms: median(&plain),
        recommend_p99_ms: percentile(&plain, 99.0),
        recommend_popularity_p50_ms: median(&popularity),
        recommend_popularity_p99_ms: percentile(&popularity, 99.0),
        add_1_item_ms: add_ms[0],
        add_10_items_ms: add_ms[1],
        peak_rss_mb: peak,
        ..PipelineFigures::default()
    })
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
    reclab::embed::item_texts(items, template).iter().zip(m.iter()).map(|((_, h), (_, v))| (*h, v.to_vec())).collect()
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

/// The benchmark's temporary folder, `reclab-bench-PID`: removed when dropped (on errors
/// too), and folders that runs killed before they could clean up left are removed when the
/// next one starts.
struct BenchDir(PathBuf);

impl BenchDir {
    fn create() -> Result<Self> {
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

/// What `bench embed` measures, as given on its command line.
struct EmbedBenchArgs {
    model: Option<String>,
    texts: String,
    n: usize,
    batch_sizes: Vec<usize>,
    threads: Vec<usize>,
    repeats: usize,
    precision: Vec<String>,
    rounds: usize,
}

/// The sentence-transformers side of the comparison.
struct StRun {
    python: PathBuf,
    script: PathBuf,
    texts: Vec<String>,
}

/// In this process: the f32 vectors of the texts once, then for each precision its vectors'
/// least cosine to them and its throughput at each batch size. One tab-separated line each:
/// precision as asked, model key, threads, batch, items/s, the runs, least cosine.
fn embed_single(
    model: Option<&str>,
    set: &[String],
    batch_sizes: &[usize],
    repeats: usize,
    precisions: &[(String, Precision)],
) -> Result<()> {
    let (spec, _, reference) = resolve_embedder(model, Some(Precision::F32), None)?;
    let refs: Vec<&str> = set.iter().map(String::as_str).collect();
    let want = reference.embed(&refs, reclab::embed::TextKind::Passage)?;
    let store = reclab::embed::ModelStore::default_location();
    let threads = std::env::var("RAYON_NUM_THREADS").unwrap_or_default();
    for (label, p) in precisions {
        let other;
        let embedder: &dyn Embedder = if *p == Precision::F32 {
            reference.as_ref()
        } else {
            other = reclab::embed::load_embedder(&spec, *p, &store)?;
            other.as_ref()
        };
        let got = embedder.embed(&refs, reclab::embed::TextKind::Passage)?;
        let least = want.iter().zip(&got).map(|(a, b)| reclab::embed::cosine(a, b)).fold(1.0f32, f32::min);
        for &b in batch_sizes {
            let (rate, all) = embed_throughput(embedder, set, b, repeats)?;
            let runs: Vec<String> = all.iter().map(|r| format!("{r:.1}")).collect();
            println!("{label}\t{}\t{threads}\t{b}\t{rate:.1}\t{}\t{least:.7}", embedder.key(), runs.join(","));
        }
    }
    Ok(())
}

/// One (precision, threads, batch) cell over the rounds.
#[derive(Debug, Clone, serde::Serialize)]
struct EmbedCell {
    threads: usize,
    batch: usize,
    /// Median over the rounds (each round's figure is itself the median of --repeats runs).
    items_per_s: f64,
    rounds: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sentence_transformers_items_per_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ratio: Option<f64>,
}

/// The 1-minute load average, to show how busy the machine was.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// Items per second by (threads, batch), one figure per round.
type Rates = std::collections::BTreeMap<(usize, usize), Vec<f64>>;

/// Measures each thread count in a fresh process, alternating with sentence-transformers
/// (when given) round by round, and prints the medians and their ratios.
fn embed_compare(args: &EmbedBenchArgs, st: Option<&StRun>, json: bool) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the reclab executable")?;
    let scratch = match st {
        Some(_) => Some(BenchDir::create()?),
        None => None,
    };
    let texts_file = match (st, &scratch) {
        (Some(st), Some(dir)) => {
            let path = dir.0.join("bench-texts.txt");
            std::fs::write(&path, st.texts.join("\n") + "\n")?;
            Some(path)
        }
        _ => None,
    };
    let st_model_dir = match (st, &args.model) {
        (None, _) => None,
        (Some(_), Some(spec)) if std::path::Path::new(spec).is_dir() => Some(PathBuf::from(spec)),
        (Some(_), spec) => {
            let store = reclab::embed::ModelStore::default_location();
            let name = match spec {
                Some(s) => s.clone(),
                None => store.best().map(|m| m.manifest.name.clone()).context("no model is installed")?,
            };
            Some(store.get(&name)?.dir)
        }
    };
    let batches = args.batch_sizes.iter().map(|b| b.to_string()).collect::<Vec<_>>().join(",");
    // (precision label) → (key, least cosine, (threads, batch) → rates per round)
    let mut ours: Vec<(String, String, f64, Rates)> = Vec::new();
    let mut theirs: Rates = Default::default();
    let mut loads = Vec::new();
    for round in 0..args.rounds.max(1) {
        loads.push(load_average().unwrap_or(f64::NAN));
        for &t in &args.threads {
            let mut cmd = std::process::Command::new(&exe);
            cmd.args(["bench", "embed", "--single", "--texts", &args.texts]);
            cmd.args(["--n", &args.n.to_string(), "--repeats", &args.repeats.to_string()]);
            cmd.args(["--batch-sizes", &batches, "--precision", &args.precision.join(",")]);
            if let Some(m) = &args.model {
                cmd.args(["--model", m]);
            }
            let out = cmd.env("RAYON_NUM_THREADS", t.to_string()).output().context("cannot run the benchmark")?;
            if !out.status.success() {
                bail!("the benchmark with {t} thread(s) failed: {}", String::from_utf8_lossy(&out.stderr));
            }
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let f: Vec<&str> = line.split('\t').collect();
                let [label, key, _, b, rate, _, least] = f[..] else { continue };
                let (b, rate, least): (usize, f64, f64) = (b.parse()?, rate.parse()?, least.parse()?);
                let i = match ours.iter().position(|o| o.0 == label) {
                    Some(i) => i,
                    None => {
                        ours.push((label.to_string(), key.to_string(), least, Default::default()));
                        ours.len() - 1
                    }
                };
                ours[i].3.entry((t, b)).or_default().push(rate);
            }
            if let (Some(st), Some(file), Some(dir)) = (st, &texts_file, &st_model_dir) {
                let out = std::process::Command::new(&st.python)
                    .arg(&st.script)
                    .arg(dir)
                    .arg(file)
                    .args(["--threads", &t.to_string(), "--batch-sizes", &batches])
                    .args(["--repeats", &args.repeats.to_string(), "--json"])
                    .output()
                    .with_context(|| format!("cannot run {}", st.python.display()))?;
                if !out.status.success() {
                    bail!("sentence-transformers failed: {}", String::from_utf8_lossy(&out.stderr));
                }
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
                    if let (Some(b), Some(r)) = (v["batch"].as_u64(), v["items_per_s"].as_f64()) {
                        theirs.entry((t, b as usize)).or_default().push(r);
                    }
                }
            }
        }
        if !json {
            eprintln!("round {} of {} done (load average {:.2})", round + 1, args.rounds, loads[round]);
        }
    }
    let st_median = |cell: &(usize, usize)| theirs.get(cell).map(|r| median(r));
    let cells = |rates: &Rates| -> Vec<EmbedCell> {
        rates
            .iter()
            .map(|(cell, r)| {
                let m = median(r);
                let theirs = st_median(cell);
                EmbedCell {
                    threads: cell.0,
                    batch: cell.1,
                    items_per_s: m,
                    rounds: r.clone(),
                    sentence_transformers_items_per_s: theirs,
                    ratio: theirs.map(|s| m / s),
                }
            })
            .collect()
    };
    if json {
        for (label, key, least, rates) in &ours {
            let cells = cells(rates);
            let best = cells.iter().max_by(|a, b| a.items_per_s.total_cmp(&b.items_per_s)).cloned();
            let obj = serde_json::json!({
                "precision": label,
                "resolved": Precision::parse(label).map(|p| p.as_str()).unwrap_or("?"),
                "model": key,
                "texts": args.texts,
                "n": args.n,
                "min_cosine_to_f32": least,
                "items_per_s": best.as_ref().map(|c| c.items_per_s),
                "threads": best.as_ref().map(|c| c.threads),
                "batch": best.as_ref().map(|c| c.batch),
                "vs_sentence_transformers": best.as_ref().and_then(|c| c.ratio),
                "load_average": loads,
                "cells": cells,
            });
            println!("{obj}");
        }
        if !theirs.is_empty() {
            let cells: Vec<serde_json::Value> = theirs
                .iter()
                .map(|((t, b), r)| serde_json::json!({"threads": t, "batch": b, "items_per_s": median(r), "rounds": r}))
                .collect();
            println!(
                "{}",
                serde_json::json!({"sentence_transformers": true, "texts": args.texts, "n": args.n, "cells": cells})
            );
        }
        return Ok(());
    }
    println!(
        "embedding {} {} texts: median of {} rounds (each the median of {} runs after a warm-up batch)",
        args.n, args.texts, args.rounds, args.repeats
    );
    println!(
        "{:<6} {:<36} {:>9} {:>7} {:>6} {:>10} {:>10} {:>7}",
        "prec.", "model", "cos≥", "threads", "batch", "items/s", "ST items/s", "ratio"
    );
    for (label, key, least, rates) in &ours {
        for c in cells(rates) {
            println!(
                "{:<6} {:<36} {:>9.6} {:>7} {:>6} {:>10.1} {:>10} {:>7}",
                label,
                key,
                least,
                c.threads,
                c.batch,
                c.items_per_s,
                c.sentence_transformers_items_per_s.map(|s| format!("{s:.1}")).unwrap_or_default(),
                c.ratio.map(|r| format!("{r:.2}×")).unwrap_or_default()
            );
        }
    }
    Ok(())
}
