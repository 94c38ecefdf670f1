//! Work off the UI thread: the recommender thread (always answers the latest request) and
//! one-off jobs (open, import, embed, add items, models, the embedding map).

use crate::catalog::{ImportOptions, ImportReport};
use crate::embed::{InstalledModel, ModelRef, ModelStore, Template, embed_catalog, with_project_weights};
use crate::jobs::{JobHandle, ProgressSink};
use crate::pipeline::{
    AddReport, BuiltIndex, Engine, EngineOptions, IndexBuild, PipelineError, Recommendation, Request,
};
use crate::store::{ImportKind, Project};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, RwLock};

/// What the recommender thread is asked.
pub struct Ask {
    pub generation: u64,
    pub main: Request,
    pub compare: Option<Request>,
    pub selected: Option<Request>,
}

/// What it answers.
pub struct Answer {
    pub generation: u64,
    pub main: Result<Recommendation, String>,
    pub compare: Option<Result<Recommendation, String>>,
    pub selected: Option<Result<Recommendation, String>>,
    pub millis: f64,
}

/// A thread that recommends on the shared engine; when several requests queue up, only the
/// newest is computed.
pub struct Recommender {
    tx: Sender<(Arc<RwLock<Engine>>, Ask)>,
    rx: Receiver<Answer>,
}

fn message(e: PipelineError) -> String {
    e.to_string()
}

impl Recommender {
    pub fn start(wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Self> {
        let (tx, job_rx) = channel::<(Arc<RwLock<Engine>>, Ask)>();
        let (answer_tx, rx) = channel::<Answer>();
        std::thread::Builder::new().name("reclab-recommend".into()).spawn(move || {
            while let Ok(mut job) = job_rx.recv() {
                // Coalesce: skip to the newest request.
                while let Ok(newer) = job_rx.try_recv() {
                    job = newer;
                }
                let (engine, ask) = job;
                let started = std::time::Instant::now();
                let answer = {
                    let guard = match engine.read() {
                        Ok(g) => g,
                        Err(p) => p.into_inner(),
                    };
                    Answer {
                        generation: ask.generation,
                        main: guard.recommend(&ask.main).map_err(message),
                        compare: ask.compare.as_ref().map(|r| guard.recommend(r).map_err(message)),
                        selected: ask.selected.as_ref().map(|r| guard.recommend(r).map_err(message)),
                        millis: started.elapsed().as_secs_f64() * 1000.0,
                    }
                };
                if answer_tx.send(answer).is_err() {
                    break;
                }
                wake();
            }
        })?;
        Ok(Self { tx, rx })
    }

    pub fn ask(&self, engine: Arc<RwLock<Engine>>, ask: Ask) {
        let _ = self.tx.send((engine, ask));
    }

    /// The newest answer that arrived since the last call.
    pub fn poll(&self) -> Option<Answer> {
        let mut last = None;
        while let Ok(a) = self.rx.try_recv() {
            last = Some(a);
        }
        last
    }
}

/// A project opened on a worker.
pub struct Opened {
    pub path: PathBuf,
    pub engine: Engine,
    pub model: ModelRef,
    pub reports: Vec<ImportReport>,
    pub log: LogSummary,
}

/// What the panels need from the interaction log, computed off the UI thread.
pub struct LogSummary {
    pub board: crate::eval::board::Board,
    /// Known event types first, then the log's others.
    pub event_types: Vec<String>,
    pub users: Vec<(String, u64)>,
}

fn summarize_log(project: &Project) -> Result<LogSummary, String> {
    let log = project.load_interactions().map_err(|e| e.to_string())?;
    let mut event_types: Vec<String> =
        ["view", "click", "search", "add_to_cart", "purchase", "equip"].iter().map(|s| s.to_string()).collect();
    let others: std::collections::BTreeSet<String> =
        log.iter().map(|e| e.event_type.clone()).filter(|t| !event_types.contains(t)).collect();
    event_types.extend(others);
    let users = project.log_users(200).map_err(|e| e.to_string())?;
    Ok(LogSummary { board: crate::eval::board::Board::new(&log), event_types, users })
}

/// The result of a background job.
pub enum Done {
    Opened(Result<Opened, String>),
    /// An import, and the engine reopened on the changed project.
    Imported(Result<(ImportReport, Engine, LogSummary), String>),
    /// An evaluation and the id it was stored under.
    Evaluated(Result<(crate::eval::EvalReport, i64), String>),
    Added(Result<AddReport, String>),
    ModelInstalled(Result<InstalledModel, String>),
    /// The one-click install of the suggested model.
    SuggestedInstalled(Result<InstalledModel, crate::embed::offer::Failure>),
    /// The project now uses another model (re-embedded).
    Switched(Result<(ModelRef, Engine), String>),
    Projection(Vec<(u64, [f32; 2])>),
    Exported(Result<PathBuf, String>),
    /// The vector index, built while exact search served.
    IndexBuilt(Result<BuiltIndex, String>),
    /// The board's hot items the pipeline does not show, for a request generation.
    NotShown(u64, Result<crate::eval::not_shown::NotShownReport, String>),
}

pub type Job = JobHandle<Done>;

/// The window's engine opens at once: a missing index is built on a worker
/// ([`build_index`]) while exact search serves.
fn engine_options() -> EngineOptions {
    EngineOptions { background: true, ..EngineOptions::default() }
}

/// Embeds whatever is missing for `model` and opens the engine (whose `model` is the one to
/// keep: the lexical embedder's key names its fitted weights).
fn embed_and_open(
    project: &mut Project,
    model: &ModelRef,
    store: &ModelStore,
    sink: &ProgressSink,
) -> Result<Engine, String> {
    let attributes = project.attributes().map_err(|e| e.to_string())?;
    let template_src = project
        .setting("template")
        .map_err(|e| e.to_string())?
        .unwrap_or_else(|| crate::embed::DEFAULT_TEMPLATE.into());
    let template = Template::parse(&template_src, &attributes).map_err(|e| e.to_string())?;
    // The lexical embedder comes with the project's fitted weights (fitted now if needed).
    let embedder: Box<dyn crate::embed::Embedder> = if crate::embed::LexicalEmbedder::is_fitted_key(&model.key) {
        Box::new(crate::embed::LexicalEmbedder::new())
    } else {
        model.load(store).map_err(|e| e.to_string())?
    };
    let (embedder, _) = with_project_weights(project, embedder, &template, false, sink).map_err(|e| e.to_string())?;
    let model = ModelRef::of_embedder(&model.spec, embedder.as_ref(), model.precision);
    let report = embed_catalog(project, embedder.as_ref(), &template, 256, sink).map_err(|e| e.to_string())?;
    if report.cancelled {
        return Err("cancelled; the vectors computed so far are saved".into());
    }
    model.save_to(project).map_err(|e| e.to_string())?;
    let mut engine = Engine::open(project, model, store.clone(), engine_options(), sink).map_err(message)?;
    engine.set_embedder(embedder).map_err(message)?;
    // Built here rather than on the first recommendation, which would pay for it.
    let _ = sink.report("counting co-occurrences", 0, 0);
    let _ = engine.stats.cooccurrence();
    Ok(engine)
}

/// Opens `path`; the sample project is created from the bundled data on first start.
pub fn open(path: PathBuf, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("open", Some(wake), move |sink| {
        Done::Opened((|| {
            let mut project = Project::open(&path).map_err(|e| e.to_string())?;
            let mut reports = Vec::new();
            let empty = project.stats().map_err(|e| e.to_string())?.items == 0;
            if empty && path == super::sample_project_path() {
                let _ = sink.report("importing the sample data", 0, 1);
                reports = crate::sample::import_sample(&mut project, sink).map_err(|e| e.to_string())?;
            }
            let store = ModelStore::default_location();
            let model = match ModelRef::of_project(&project, &store) {
                Ok(Some(model)) => model,
                Err(_) => ModelRef::lexical(),
                Ok(None) => match store.best() {
                    Some(m) => ModelRef::resolve(&m.manifest.name, &store).unwrap_or_else(|_| ModelRef::lexical()),
                    None => ModelRef::lexical(),
                },
            };
            let engine = embed_and_open(&mut project, &model, &store, sink)?;
            let log = summarize_log(&project)?;
            Ok(Opened { path: path.clone(), model: engine.model.clone(), engine, reports, log })
        })())
    })
}

/// Imports a file and reopens the engine on the result.
pub fn import(
    path: PathBuf,
    project_path: PathBuf,
    model: ModelRef,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("import", Some(wake), move |sink| {
        Done::Imported((|| {
            let mut project = Project::open_existing(&project_path).map_err(|e| e.to_string())?;
            let report = project
                .import_file(&path, ImportKind::Auto, &ImportOptions::default(), sink)
                .map_err(|e| e.to_string())?;
            let engine = embed_and_open(&mut project, &model, &ModelStore::default_location(), sink)?;
            let log = summarize_log(&project)?;
            Ok((report, engine, log))
        })())
    })
}

/// Adds items to the live engine: embedding under a read lock, the index update under a short
/// write lock, saving the index under a read lock again.
pub fn add_items(
    items: Vec<crate::catalog::ItemUpdate>,
    project_path: PathBuf,
    engine: Arc<RwLock<Engine>>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("add-items", Some(wake), move |sink| {
        Done::Added((|| {
            let mut project = Project::open_existing(&project_path).map_err(|e| e.to_string())?;
            let prepared = {
                let guard = engine.read().map_err(|_| "the engine is unavailable".to_string())?;
                guard.prepare_items(&mut project, &items, sink).map_err(message)?
            };
            let mut guard = engine.write().map_err(|_| "the engine is unavailable".to_string())?;
            guard.apply_items(prepared).map_err(message)
        })())
    })
}

/// Runs an offline evaluation on its own engine (its statistics are replaced by the training
/// split's) and stores the run in the project.
pub fn evaluate(
    config: crate::eval::EvalConfig,
    project_path: PathBuf,
    model: ModelRef,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("eval", Some(wake), move |sink| {
        Done::Evaluated((|| {
            let project = Project::open_existing(&project_path).map_err(|e| e.to_string())?;
            let store = ModelStore::default_location();
            let options = EngineOptions { background: false, ..engine_options() };
            let mut engine = Engine::open(&project, model, store, options, sink).map_err(message)?;
            let log = project.load_interactions().map_err(|e| e.to_string())?;
            let report = crate::eval::evaluate(&mut engine, &log, &config, sink).map_err(|e| e.to_string())?;
            let names: Vec<String> = report.methods.iter().map(|m| m.method.clone()).collect();
            let label = format!(
                "K={} {}{}",
                config.k,
                names.join(" | "),
                config.vertical.as_ref().map(|v| format!(" [{v}]")).unwrap_or_default()
            );
            let params = serde_json::to_string(&config).unwrap_or_default();
            let id = project
                .save_eval_run(&label, &params, &serde_json::to_string(&report).unwrap_or_default())
                .map_err(|e| e.to_string())?;
            Ok((report, id))
        })())
    })
}

pub fn import_model(source: PathBuf, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("model-import", Some(wake), move |sink| {
        let _ = sink.report("checking and installing", 0, 1);
        Done::ModelInstalled(ModelStore::default_location().import(&source, None, None).map_err(|e| e.to_string()))
    })
}

pub fn fetch_model(repo: String, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("model-fetch", Some(wake), move |sink| {
        Done::ModelInstalled(ModelStore::default_location().fetch(&repo, "main", None, sink).map_err(|e| e.to_string()))
    })
}

/// Checks the board's hot items against the pipeline for the log's recent users.
pub fn not_shown(
    engine: Arc<RwLock<Engine>>,
    board: Arc<crate::eval::board::Board>,
    project_path: PathBuf,
    ask: (u64, Request, crate::eval::not_shown::NotShownConfig),
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("board-not-shown", Some(wake), move |sink| {
        let (generation, request, config) = ask;
        let guard = match engine.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let report = crate::eval::not_shown::from_project(&guard, &board, &project_path, &request, &config, sink);
        Done::NotShown(generation, report.map_err(|e| e.to_string()))
    })
}

/// Downloads and installs the suggested model (from `HF_ENDPOINT`, else the hub).
pub fn install_suggested(wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("model-install", Some(wake), move |sink| {
        let store = ModelStore::default_location();
        let result = crate::embed::offer::install(&store, &crate::embed::Hub::default(), sink);
        Done::SuggestedInstalled(result.map_err(|e| crate::embed::offer::Failure::of(&e)))
    })
}

/// Re-embeds the project with another model or precision and reopens the engine.
pub fn switch_model(
    spec: String,
    precision: crate::embed::Precision,
    project_path: PathBuf,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("embed", Some(wake), move |sink| {
        Done::Switched((|| {
            let store = ModelStore::default_location();
            let model = ModelRef::resolve_with(&spec, precision, &store).map_err(|e| e.to_string())?;
            let mut project = Project::open_existing(&project_path).map_err(|e| e.to_string())?;
            let engine = embed_and_open(&mut project, &model, &store, sink)?;
            Ok((engine.model.clone(), engine))
        })())
    })
}

/// Builds the vector index of an engine that is serving exact search meanwhile.
pub fn build_index(build: IndexBuild, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("index", Some(wake), move |sink| Done::IndexBuilt(build.run(sink).map_err(message)))
}

pub fn projection(engine: Arc<RwLock<Engine>>, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("embedding-map", Some(wake), move |sink| {
        let _ = sink.report("projecting vectors", 0, 1);
        let points = match engine.read() {
            Ok(g) => crate::index::pca_2d(&g.vectors),
            Err(_) => Vec::new(),
        };
        Done::Projection(points)
    })
}

/// Writes the pgvector SQL export of the project's vectors.
pub fn export_vectors(
    out: PathBuf,
    project_path: PathBuf,
    engine: Arc<RwLock<Engine>>,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("export", Some(wake), move |_sink| {
        Done::Exported((|| {
            let g = engine.read().map_err(|_| "the engine is unavailable".to_string())?;
            let rows = g
                .catalog
                .items()
                .iter()
                .zip(g.catalog.keys())
                .filter_map(|(item, key)| g.vectors.get(*key).map(|v| (item, v)));
            let sql = crate::export::pgvector_sql("reclab_items", &g.model.key, g.model.dim, rows);
            write_file(&out, sql.as_bytes(), &project_path)?;
            Ok(out.clone())
        })())
    })
}

/// Writes an export, never over the open project or its files.
pub fn write_file(path: &Path, bytes: &[u8], project: &Path) -> Result<(), String> {
    crate::output::write(path, bytes, &crate::output::Protected::project(project)).map_err(|e| e.to_string())
}
