//! `reclab tune`: search the pipeline's settings against the project's own log.

use super::{open_engine, open_existing, open_read, with_progress};
use anyhow::{Context, Result, anyhow};
use clap::Args;
use reclab::eval::tune::{Constraints, Knob, Objective, TuneConfig};
use reclab::output::Protected;
use reclab::session;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// What to maximise: hr@K, ndcg@K or mrr.
    #[arg(long, default_value = "hr@10")]
    pub objective: String,
    /// Keep at least this share (0–1) of recommended slots for items without interactions.
    #[arg(long)]
    pub min_new_share: Option<f64>,
    /// Recommend at least this share (0–1) of the catalog to someone.
    #[arg(long)]
    pub min_coverage: Option<f64>,
    /// Keep the mean popularity percentile (0–100) of recommended items at most this.
    #[arg(long)]
    pub max_popularity_pct: Option<f64>,
    /// How many configurations to draw (the starting one included).
    #[arg(long, default_value_t = 60)]
    pub trials: usize,
    /// Stop drawing after this long, e.g. 90s or 5m.
    #[arg(long)]
    pub time_limit: Option<String>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// What may move, comma-separated: strategy, half_life, event_weights, sources, rules.
    /// Default: all of them.
    #[arg(long)]
    pub knobs: Option<String>,
    /// Start from this saved scenario's settings (its user is ignored).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Save the best configuration as a scenario without a user.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// Leaderboard rows to print.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[arg(long)]
    pub json: bool,
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn config(args: &TuneArgs) -> Result<TuneConfig> {
    let objective = Objective::parse(&args.objective)
        .with_context(|| format!("--objective {}: use hr@K, ndcg@K or mrr (K a whole number)", args.objective))?;
    let constraints = Constraints {
        min_new_share: args.min_new_share,
        min_coverage: args.min_coverage,
        max_popularity_pct: args.max_popularity_pct,
    };
    constraints.check().map_err(|e| anyhow!(e))?;
    let time_limit = match &args.time_limit {
        Some(t) => Some(
            reclab::util::parse_duration(t)
                .with_context(|| format!("--time-limit {t}: expected a duration such as 90s or 5m"))?
                as f64,
        ),
        None => None,
    };
    let knobs = match &args.knobs {
        Some(spec) => spec
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                Knob::parse(s).with_context(|| {
                    format!(
                        "--knobs: '{}' is not a knob; use strategy, half_life, event_weights, sources, rules",
                        s.trim()
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?,
        None => Knob::ALL.to_vec(),
    };
    Ok(TuneConfig { objective, constraints, trials: args.trials, time_limit, seed: args.seed, knobs })
}

pub fn tune(project_path: &Path, args: TuneArgs) -> Result<ExitCode> {
    if let Some(out) = &args.out {
        Protected::project(project_path).check(out)?;
    }
    let config = config(&args)?;
    // Only saving writes to the project.
    let project = if args.save.is_some() { open_existing(project_path)? } else { open_read(project_path)? };
    let start = session::tune_start(&project, args.scenario.as_deref())?;
    let engine = open_engine(&project, false)?;
    let path = project.path().to_path_buf();
    let (config2, start2) = (config.clone(), start.clone());
    let report = with_progress("tune", move |sink| -> Result<_> {
        // The worker opens its own read-only connection: the project stays with this thread.
        let project = reclab::store::Project::open_read_only(&path)?;
        Ok(session::tune(&project, &engine, &start2, &config2, sink)?)
    })??;
    let text = if args.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        reclab::eval::tune::render(&report, args.top)
    };
    match &args.out {
        Some(p) => {
            reclab::output::write(p, text.as_bytes(), &Protected::project(project.path()))?;
            eprintln!("wrote {}", p.display());
        }
        None => print!("{text}"),
    }
    if let Some(name) = &args.save {
        let best = report.best_trial().context("the search found no trial to save")?;
        session::save_tuned(&project, name, &best.request)?;
        eprintln!(
            "saved the best configuration as scenario '{name}' (reclab eval --scenario {name}, or load it in the window)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
