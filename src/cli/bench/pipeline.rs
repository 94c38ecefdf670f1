//! `reclab bench pipeline`: a synthetic catalog embedded, indexed, reopened and served, in
//! phases run as separate processes.

use super::BenchDir;
use super::resolve_embedder;
use anyhow::{Context, Result, bail};
use reclab::bench::{available_memory, check_size, median, peak_rss_mb, percentile, synthetic_vectors};
use reclab::catalog::Item;
use reclab::embed::ModelRef;
use reclab::jobs::ProgressSink;
use reclab::pipeline::user::{PURCHASE, VIEW};
use reclab::pipeline::{Engine, EngineOptions, Request, RuleSet};
use reclab::store::{Project, SimAction};
use std::path::PathBuf;
use std::time::Instant;

/// What `bench pipeline --json` prints.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct PipelineFigures {
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
    /// The index's own top 10 against exact search.
    recall_at_10: f64,
    /// The top 10 of 200 candidates from the index, rescored with the f32 vectors (what a
    /// request serves), against exact search.
    served_recall_at_10: f64,
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
pub(super) fn pipeline(
    n: usize,
    requests: usize,
    keep: Option<PathBuf>,
    embed_with: Option<&str>,
    json: bool,
) -> Result<()> {
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
            "first open: first result after {:.2} s (exact search while the index builds); index of {} shard(s) built and saved in {:.2} s (recall@10 {:.4} of the index, {:.4} of the 200 candidates rescored); serving after {:.2} s; peak memory {:.0} MB",
            first.first_result_s,
            first.index_shards,
            first.index_build_s,
            first.recall_at_10,
            first.served_recall_at_10,
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
        served_recall_at_10: first.served_recall_at_10,
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
            event_type: if i % 3 == 0 { PURCHASE.into() } else { VIEW.into() },
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
        actions: vec![SimAction::on_item(PURCHASE, format!("s{}", (i * 7919) % n), reclab::sample::SAMPLE_NOW - 300)],
        filter: "EXCLUDE ItemID WHERE Items.PRICE > 900".into(),
        rules,
        now: reclab::sample::SAMPLE_NOW,
        ..Request::default()
    }
}

/// Opens the new project as the window does: exact search answers the first request while the
/// index builds on a worker.
pub(super) fn phase_first(path: &std::path::Path, embed_with: Option<&str>) -> Result<PipelineFigures> {
    let model = phase_model(path, embed_with)?;
    let store = reclab::embed::ModelStore::default_location();
    let t = Instant::now();
    let project = Project::open_existing(path)?;
    let options = EngineOptions { background: true, ..EngineOptions::default() };
    let mut engine = Engine::open(&project, model.clone(), store, options, &ProgressSink::none())?;
    let n = engine.catalog().len();
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
    // recall@10 of the built index against exact search, over 200 of the items as queries:
    // the index's own top 10, and the top 10 a request serves (the default 200 candidates
    // rescored with the f32 vectors, as `Engine::recommend` does).
    let keys = engine.vectors().keys();
    let step = (keys.len() / 200).max(1);
    let (mut recall, mut served, mut queries) = (0.0, 0.0, 0);
    for &k in keys.iter().step_by(step).take(200) {
        let Some(q) = engine.vectors().get(k) else { continue };
        let exact = engine.vectors().search(q, 10, |_| true);
        recall += reclab::index::recall_at_k(&exact, &ann.search(q, 10)?, 10);
        let mut rescored: Vec<reclab::index::Hit> = ann
            .search(q, 200)?
            .into_iter()
            .map(|h| reclab::index::Hit { key: h.key, score: engine.vectors().score(q, h.key).unwrap_or(h.score) })
            .collect();
        reclab::index::sort_hits(&mut rescored);
        served += reclab::index::recall_at_k(&exact, &rescored, 10);
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
        served_recall_at_10: if queries == 0 { 0.0 } else { served / queries as f64 },
        first_open_peak_rss_mb: peak_rss_mb().unwrap_or(0.0),
        ..PipelineFigures::default()
    })
}

/// Reopens the project (saved index), serves `requests` recommendations, then adds new items.
pub(super) fn phase_reopen(
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
    let reopen_index = engine.index_report().action.to_string();
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
            let rows = synthetic_rows(&items, &template, engine.model().dim, 7, 99);
            project.put_vectors(&engine.model().key, engine.model().dim, &rows)?;
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
