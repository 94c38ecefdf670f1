//! Command-line interface. Every GUI action that involves a dialog has a command here.

mod bench;
mod data;
mod eval;
mod hints;
mod manage;
mod models;
mod pg;
mod recommend;
mod tune;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use reclab::embed::{Embedder, ModelStore, Precision};
use reclab::jobs::{JobHandle, Progress};
use reclab::pipeline::{Engine, EngineOptions};
use reclab::store::Project;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "reclab", version, about = "An offline recommendation lab", long_about = None)]
pub struct Cli {
    /// The project file (an SQLite database). Default: project.reclab in the current folder.
    #[arg(long, global = true, env = "RECLAB_PROJECT")]
    pub project: Option<PathBuf>,

    /// Open the window, render it once the data has loaded, save a PNG here and exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Window size in points, e.g. 1480x920.
    #[arg(long, value_name = "WxH")]
    pub window_size: Option<String>,
    /// A saved scenario to load when the window opens.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Light theme (the default is dark).
    #[arg(long)]
    pub light: bool,
    /// The tab to show: results, effects, compare, catalog, plots, evaluate, tune, board, production or models.
    #[arg(long)]
    pub tab: Option<String>,
    /// How the reaction board shows: table or tiles.
    #[arg(long, value_name = "VIEW")]
    pub board: Option<String>,
    /// Open the window, measure N frames once the data has loaded (walking the tabs while the
    /// results refresh), print the frame times and exit.
    #[arg(long, value_name = "N")]
    pub measure_frames: Option<u64>,
    /// Run the Tune tab's search with N trials once the project is open.
    #[arg(long, value_name = "N")]
    pub tune: Option<usize>,
    /// Serve recommendations from the project pushed to this PostgreSQL (as Project → Connect
    /// to PostgreSQL… does): a libpq key-value string or a postgresql:// URL.
    #[arg(long, value_name = "CONN")]
    pub pg_url: Option<String>,
    /// The schema the project was pushed into.
    #[arg(long, default_value = "reclab", value_name = "NAME")]
    pub pg_schema: String,
    /// With --pg-url: run the Production tab's parity report over N requests once connected.
    #[arg(long, value_name = "N", requires = "pg_url")]
    pub parity: Option<usize>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import a catalog or an interaction log (CSV, JSON array or JSON Lines).
    Import(data::ImportArgs),
    /// Embed every item whose text has no cached vector yet.
    Embed(data::EmbedArgs),
    /// Print the vectors of texts as JSON lines.
    Encode(data::EncodeArgs),
    /// Export vectors.
    #[command(subcommand)]
    Vectors(data::VectorsCommand),
    /// Carry the project to PostgreSQL + pgvector.
    #[command(subcommand)]
    Pg(pg::PgCommand),
    /// Install, list and remove sentence-embedding models.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Recommend for a user (saved, from the log, or given as actions) with the whole trace.
    Recommend(recommend::RecommendArgs),
    /// Items similar to one item.
    Similar(recommend::SimilarArgs),
    /// Simulated users.
    #[command(subcommand)]
    Users(manage::UsersCommand),
    /// Re-rank rule presets.
    #[command(subcommand)]
    Rules(manage::RulesCommand),
    /// Saved scenarios (user + filters + rules).
    #[command(subcommand)]
    Scenarios(manage::ScenariosCommand),
    /// Add (cold start), list and show items.
    #[command(subcommand)]
    Items(manage::ItemsCommand),
    /// Offline evaluation (leave-last-out) of baselines and content pipelines.
    Eval(eval::EvalArgs),
    /// Search strategy, half-life, event weights, candidate sources and rule weights against
    /// the project's log (validation split), then score the best on the test split.
    Tune(tune::TuneArgs),
    /// The product reaction board: views, clicks, carts, orders and ranks over a time window.
    Board(eval::BoardArgs),
    /// Benchmarks: embedding throughput, vector search, the whole pipeline.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Import the bundled sample catalog and interactions into the project.
    Sample(data::SampleArgs),
    /// Show what the project holds.
    Status,
}

pub fn run(mut cli: Cli) -> Result<ExitCode> {
    let project_path = cli.project.clone().unwrap_or_else(|| PathBuf::from("project.reclab"));
    match cli.command.take() {
        None => gui(cli),
        Some(Command::Import(args)) => data::import(&project_path, args),
        Some(Command::Embed(args)) => data::embed(&project_path, args),
        Some(Command::Encode(args)) => data::encode(args),
        Some(Command::Vectors(cmd)) => data::vectors(&project_path, cmd),
        Some(Command::Pg(cmd)) => pg::run(&project_path, cmd),
        Some(Command::Models(cmd)) => models::run(cmd),
        Some(Command::Recommend(args)) => recommend::recommend(&project_path, args),
        Some(Command::Similar(args)) => recommend::similar(&project_path, args),
        Some(Command::Users(cmd)) => manage::users(&project_path, cmd),
        Some(Command::Rules(cmd)) => manage::rules(&project_path, cmd),
        Some(Command::Scenarios(cmd)) => manage::scenarios(&project_path, cmd),
        Some(Command::Items(cmd)) => manage::items(&project_path, cmd),
        Some(Command::Eval(args)) => eval::eval(&project_path, args),
        Some(Command::Tune(args)) => tune::tune(&project_path, args),
        Some(Command::Board(args)) => eval::board(&project_path, args),
        Some(Command::Bench(cmd)) => bench::run(cmd, &project_path),
        Some(Command::Sample(args)) => data::sample(&project_path, args),
        Some(Command::Status) => data::status(&project_path),
    }
}

#[cfg(feature = "gui")]
fn gui(cli: Cli) -> Result<ExitCode> {
    let window_size = match &cli.window_size {
        Some(s) => {
            let (w, h) = s
                .split_once(['x', 'X'])
                .with_context(|| format!("--window-size {s}: expected WIDTHxHEIGHT, e.g. 1480x920"))?;
            let w: f32 = w.trim().parse().with_context(|| format!("--window-size {s}: '{w}' is not a number"))?;
            let h: f32 = h.trim().parse().with_context(|| format!("--window-size {s}: '{h}' is not a number"))?;
            Some([w, h])
        }
        None => None,
    };
    let tab = match &cli.tab {
        Some(t) => Some(reclab::gui::Tab::parse(t).with_context(|| {
            format!(
                "--tab {t}: use results, effects, compare, catalog, plots, evaluate, tune, board, production or models"
            )
        })?),
        None => None,
    };
    let board = match &cli.board {
        Some(b) => Some(reclab::gui::BoardView::parse(b).with_context(|| format!("--board {b}: use table or tiles"))?),
        None => None,
    };
    if let Some(shot) = &cli.screenshot {
        // The screenshot must never land on the project the window opens.
        let project = cli.project.clone().unwrap_or_else(reclab::gui::sample_project_path);
        reclab::output::Protected::project(&project).check(shot)?;
    }
    if cli.screenshot.is_some() || cli.measure_frames.is_some() {
        // A scripted window ends only when its data is in: a project that cannot open is an
        // error here, before any window (or display) is needed.
        let project = cli.project.clone().unwrap_or_else(reclab::gui::sample_project_path);
        if std::fs::metadata(&project).is_ok_and(|m| m.len() > 0) {
            Project::open_read_only(&project).with_context(|| format!("cannot open {}", project.display()))?;
        }
    }
    let options = reclab::gui::GuiOptions {
        tab,
        board,
        project: cli.project,
        screenshot: cli.screenshot.clone(),
        window_size,
        scenario: cli.scenario,
        dark: cli.light.then_some(false),
        measure_frames: cli.measure_frames,
        tune: cli.tune,
        pg_url: cli.pg_url,
        pg_schema: cli.pg_schema,
        parity: cli.parity,
    };
    reclab::gui::run(options)?;
    if let Some(p) = cli.screenshot {
        eprintln!("saved {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "gui"))]
fn gui(_cli: Cli) -> Result<ExitCode> {
    anyhow::bail!(
        "this build of reclab has no GUI (built without the `gui` feature); see `reclab --help` for the command line"
    )
}

pub(crate) fn open_project(path: &Path) -> Result<Project> {
    let project = Project::open(path)?;
    note_empty(&project);
    Ok(project)
}

/// Says so when opening made a new project of an empty file.
fn note_empty(project: &Project) {
    if project.was_empty_file() {
        eprintln!("note: {} was an empty file: it is now a new reclab project", project.path().display());
    }
}

/// Opens an existing project to change it.
pub(crate) fn open_existing(path: &Path) -> Result<Project> {
    let project = Project::open_existing(path)?;
    note_empty(&project);
    Ok(project)
}

/// Opens an existing project to read it: nothing is written to it, and a file this user may
/// not write opens too.
pub(crate) fn open_read(path: &Path) -> Result<Project> {
    Ok(Project::open_read_only(path)?)
}

/// Opens the pipeline on the project's model, saying what the user should know about it.
pub(crate) fn open_engine(project: &Project, exact: bool) -> Result<Engine> {
    let options = EngineOptions { exact, ..EngineOptions::default() };
    let (engine, notices) = reclab::session::open_engine(
        project,
        ModelStore::default_location(),
        options,
        &reclab::jobs::ProgressSink::none(),
    )?;
    let (missing, about_model): (Vec<_>, Vec<_>) =
        notices.iter().partition(|n| matches!(n, reclab::session::Notice::MissingVectors(_)));
    for n in about_model {
        eprintln!("note: {}", hints::notice(n));
    }
    let r = &engine.index_report();
    if r.action == reclab::pipeline::IndexAction::Built {
        eprintln!("vector index built: {} vectors in {} shard(s) in {:.2} s", r.size, r.shards, r.seconds);
    }
    for n in missing {
        eprintln!("note: {}", hints::notice(n));
    }
    Ok(engine)
}

/// The instruction that goes with `err`, if the command line has one.
pub fn hint(err: &anyhow::Error) -> Option<String> {
    hints::for_error(err)
}

/// Parses `--precision` (f32, bf16, int8 or fast).
pub(crate) fn parse_precision(s: &str) -> Result<Precision, String> {
    Precision::parse(s).map_err(|e| e.to_string())
}

/// The model a command uses: `--model`, else the project's model, else the best installed one,
/// else the lexical embedder (said plainly on stderr); in `--precision`, else the project's.
pub(crate) fn resolve_embedder(
    requested: Option<&str>,
    precision: Option<Precision>,
    project: Option<&Project>,
) -> Result<(String, Precision, Box<dyn Embedder>)> {
    let store = ModelStore::default_location();
    let project_precision = match project.map(|p| p.setting("precision")).transpose()?.flatten() {
        Some(p) => Some(Precision::parse(&p)?),
        None => None,
    };
    let precision = precision.or(project_precision).unwrap_or_default();
    // The project's model (which must be installed), else the best installed one, else the
    // lexical embedder: the same choice the window makes.
    let spec = match (requested, project) {
        (Some(spec), _) => spec.to_string(),
        (None, Some(p)) => reclab::session::model_to_embed(p, &store)?.spec,
        (None, None) => store.best().map(|m| m.manifest.name.clone()).unwrap_or_else(|| "lexical".to_string()),
    };
    let embedder = reclab::embed::load_embedder(&spec, precision, &store)?;
    if !embedder.is_neural() {
        eprintln!("note: {}", reclab::embed::lexical_notice(spec != "lexical" || requested.is_none()));
    }
    Ok((spec, precision, embedder))
}

/// Runs `work` on a named worker thread and draws its progress on stderr.
pub(crate) fn with_progress<T: Send + 'static>(
    name: &str,
    work: impl FnOnce(&reclab::jobs::ProgressSink) -> T + Send + 'static,
) -> Result<T> {
    let mut job = JobHandle::spawn(name, None, work).context("cannot start a worker thread")?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    while let Some(Progress { stage, done, total }) = job.next_progress() {
        bar.set_message(stage);
        bar.set_length(total);
        bar.set_position(done);
    }
    bar.finish_and_clear();
    job.join().map_err(|_| anyhow::anyhow!("the {name} worker panicked"))
}
