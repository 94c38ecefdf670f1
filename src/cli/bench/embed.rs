//! `reclab bench embed`: embedding throughput per batch size, thread count and precision, and
//! the comparison with sentence-transformers.

use super::BenchDir;
use super::resolve_embedder;
use anyhow::{Context, Result, bail};
use reclab::bench::{embed_throughput, median};
use reclab::embed::{Embedder, Precision};
use std::path::PathBuf;

/// What `bench embed` measures, as given on its command line.
pub(super) struct EmbedBenchArgs {
    pub(super) model: Option<String>,
    pub(super) texts: String,
    pub(super) n: usize,
    pub(super) batch_sizes: Vec<usize>,
    pub(super) threads: Vec<usize>,
    pub(super) repeats: usize,
    pub(super) precision: Vec<String>,
    pub(super) rounds: usize,
}

/// The sentence-transformers side of the comparison.
pub(super) struct StRun {
    pub(super) python: PathBuf,
    pub(super) script: PathBuf,
    pub(super) texts: Vec<String>,
}

/// In this process: the f32 vectors of the texts once, then for each precision its vectors'
/// least cosine to them and its throughput at each batch size. One tab-separated line each:
/// precision as asked, model key, threads, batch, items/s, the runs, least cosine.
pub(super) fn embed_single(
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
pub(super) fn embed_compare(args: &EmbedBenchArgs, st: Option<&StRun>, json: bool) -> Result<()> {
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
