//! Work off the UI thread: the recommender thread (always answers the latest request) and
//! one-off jobs (open, import, embed, add items, models, the embedding map).

use crate::catalog::{ImportOptions, ImportReport};
use crate::embed::{InstalledModel, ModelRef, ModelStore};
use crate::jobs::JobHandle;
use crate::pipeline::{AddReport, BuiltIndex, Engine, EngineOptions, IndexBuild, Recommendation, Request};
use crate::session;
use crate::store::{ImportKind, Project};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, RwLock};

/// What the recommender thread is asked.
pub struct Ask {
    pub generation: u64,
    pub main: Request,
    pub compare: Option<Request>,
    pub selected: Option<Request>,
    /// The database serving the content candidates (Production tab), else the lab's index.
    pub remote: Option<Arc<crate::pg::PgIndex>>,
}

/// What it answers.
pub struct Answer {
    pub generation: u64,
    pub main: Result<Recommendation, String>,
    pub compare: Option<Result<Recommendation, String>>,
    pub selected: Option<Result<Recommendation, String>>,
    pub millis: f64,
}

/// A thread that recommends on the shared engine. The newest request waits in a slot of one
/// (a newer one replaces it, nothing queues up); answers come back over a bounded channel.
pub struct Recommender {
    slot: Arc<Slot>,
    rx: Receiver<Answer>,
}

/// A request for the recommender thread: the engine to ask and what.
type Question = (Arc<RwLock<Engine>>, Ask);

/// The request waiting for the recommender thread, and whether the window has gone.
#[derive(Default)]
struct Slot {
    next: std::sync::Mutex<(Option<Question>, bool)>,
    ready: std::sync::Condvar,
}

impl Slot {
    /// The next request, waiting for one; `None` once the recommender is dropped.
    fn take(&self) -> Option<Question> {
        let mut guard = self.next.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if guard.1 {
                return None;
            }
            if let Some(job) = guard.0.take() {
                return Some(job);
            }
            guard = self.ready.wait(guard).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn put(&self, job: Option<Question>) {
        let mut guard = self.next.lock().unwrap_or_else(|p| p.into_inner());
        match job {
            Some(job) => guard.0 = Some(job),
            None => guard.1 = true,
        }
        self.ready.notify_one();
    }
}

impl Recommender {
    pub fn start(wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Self> {
        let slot = Arc::new(Slot::default());
        let (answer_tx, rx) = sync_channel::<Answer>(4);
        let thread_slot = slot.clone();
        std::thread::Builder::new().name("reclab-recommend".into()).spawn(move || {
            while let Some((engine, ask)) = thread_slot.take() {
                let started = std::time::Instant::now();
                let answer = {
                    let guard = match engine.read() {
                        Ok(g) => g,
                        Err(p) => p.into_inner(),
                    };
                    let remote = ask.remote.as_deref().map(|r| r as &dyn crate::pipeline::RemoteIndex);
                    let run = |r: &Request| session::recommend(&guard, r, remote).map_err(|e| message(&e));
                    Answer {
                        generation: ask.generation,
                        main: run(&ask.main),
                        compare: ask.compare.as_ref().map(run),
                        selected: ask.selected.as_ref().map(run),
                        millis: started.elapsed().as_secs_f64() * 1000.0,
                    }
                };
                if answer_tx.send(answer).is_err() {
                    break;
                }
                wake();
            }
        })?;
        Ok(Self { slot, rx })
    }

    /// Asks for `ask` on `engine`; a request still waiting is replaced.
    pub fn ask(&self, engine: Arc<RwLock<Engine>>, ask: Ask) {
        self.slot.put(Some((engine, ask)));
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

/// A recommendation's error as the results panel shows it: with its causes, once.
fn message(e: &session::SessionError) -> String {
    crate::util::error_chain(e)
}

impl Drop for Recommender {
    fn drop(&mut self) {
        self.slot.put(None);
    }
}

/// A project opened on a worker.
pub struct Opened {
    pub path: PathBuf,
    pub engine: Engine,
    pub model: ModelRef,
    pub reports: Vec<ImportReport>,
    pub log: LogSummary,
    /// The request the window starts with (see [`session::start_request`]).
    pub start: Result<Request>,
}

/// What the panels need from the interaction log, computed off the UI thread.
pub struct LogSummary {
    pub board: crate::eval::board::Board,
    /// Known event types first, then the log's others.
    pub event_types: Vec<String>,
    pub users: Vec<(String, u64)>,
}

fn summarize_log(project: &Project) -> Result<LogSummary> {
    let log = project.load_interactions()?;
    let mut event_types: Vec<String> = crate::pipeline::user::KNOWN_EVENT_TYPES.iter().map(|s| s.to_string()).collect();
    let others: std::collections::BTreeSet<String> =
        log.iter().map(|e| e.event_type.clone()).filter(|t| !event_types.contains(t)).collect();
    event_types.extend(others);
    let users = project.log_users(200)?;
    Ok(LogSummary { board: crate::eval::board::Board::new(&log), event_types, users })
}

/// The result of a background job: a typed error with its causes when it failed.
pub enum Done {
    Opened(Result<Box<Opened>>),
    /// An import, and the engine reopened on the changed project.
    Imported(Result<Box<(ImportReport, Engine, LogSummary)>>),
    /// An evaluation and the id it was stored under.
    Evaluated(Result<(crate::eval::EvalReport, i64)>),
    Tuned(Result<Box<crate::eval::tune::TuneReport>>),
    Added(Result<AddReport>),
    ModelInstalled(Result<InstalledModel>),
    /// The one-click install of the suggested model.
    SuggestedInstalled(Result<InstalledModel, crate::embed::offer::Failure>),
    /// The project now uses another model (re-embedded).
    Switched(Result<Box<(ModelRef, Engine)>>),
    Projection(Vec<(u64, [f32; 2])>),
    Exported(Result<PathBuf>),
    /// The vector index, built while exact search served.
    IndexBuilt(Result<BuiltIndex>),
    /// The board's hot items the pipeline does not show, for a request generation.
    NotShown(u64, Result<crate::eval::not_shown::NotShownReport>),
    /// The project pushed to PostgreSQL.
    Pushed(Result<crate::pg::PushReport>),
    /// Connected to the pushed project: it serves the content candidates from now on.
    PgConnected(Result<Arc<crate::pg::PgIndex>>),
    Parity(Result<Box<crate::pg::parity::ParityReport>>),
}

/// Pushes the project to `url`'s `schema` (`reclab pg push`).
pub fn pg_push(
    project_path: PathBuf,
    url: String,
    schema: String,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("pg-push", Some(wake), move |sink| {
        Done::Pushed((|| {
            let target = crate::pg::Target::parse(&url)?;
            let project = Project::open_read_only(&project_path)?;
            Ok(crate::pg::push(&project, &target, &schema, sink)?)
        })())
    })
}

/// Connects to the push of the project in `url`'s `schema`, for the engine's model.
pub fn pg_connect(
    engine: Arc<RwLock<Engine>>,
    url: String,
    schema: String,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("pg-connect", Some(wake), move |sink| {
        Done::PgConnected((|| {
            sink.report("connecting", 0, 0)?;
            let guard = engine.read().unwrap_or_else(|p| p.into_inner());
            Ok(Arc::new(session::connect_pgvector(&guard, &url, &schema, None)?))
        })())
    })
}

/// The parity report of `requests` requests, the lab's index against `index`.
pub fn parity(
    engine: Arc<RwLock<Engine>>,
    index: Arc<crate::pg::PgIndex>,
    project_path: PathBuf,
    requests: usize,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("parity", Some(wake), move |sink| {
        Done::Parity((|| {
            let project = Project::open_read_only(&project_path)?;
            let guard = engine.read().unwrap_or_else(|p| p.into_inner());
            let requests = session::parity_requests(&project, &guard, requests)?;
            let tried = crate::pg::parity::EF_SEARCH_TRIED;
            Ok(Box::new(crate::pg::parity::parity(&guard, &index, &requests, &tried, sink)?))
        })())
    })
}

pub type Job = JobHandle<Done>;

/// The window's engine opens at once: a missing index is built on a worker
/// ([`build_index`]) while exact search serves.
fn engine_options() -> EngineOptions {
    EngineOptions { background: true, ..EngineOptions::default() }
}

/// Opens `path`; the sample project is created from the bundled data on first start. The
/// project keeps its model: when that model is not installed here, the job fails with
/// [`session::SessionError::ModelMissing`] and the window offers to install it or to use another.
pub fn open(path: PathBuf, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("open", Some(wake), move |sink| {
        Done::Opened((|| {
            let mut project = Project::open(&path)?;
            let mut reports = Vec::new();
            let empty = project.stats()?.items == 0;
            if empty && path == super::sample_project_path() {
                let _ = sink.report("importing the sample data", 0, 1);
                reports = crate::sample::import_sample(&mut project, sink)?;
            }
            let store = ModelStore::default_location();
            let model = session::model_to_embed(&project, &store)?;
            let engine = session::embed_and_open(&mut project, &model, &store, engine_options(), sink)?;
            let log = summarize_log(&project)?;
            let start = session::start_request(&project).map_err(Into::into);
            Ok(Box::new(Opened { path: path.clone(), model: engine.model().clone(), engine, reports, log, start }))
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
            let mut project = Project::open_existing(&project_path)?;
            let report = project.import_file(&path, ImportKind::Auto, &ImportOptions::default(), sink)?;
            let store = ModelStore::default_location();
            let engine = session::embed_and_open(&mut project, &model, &store, engine_options(), sink)?;
            let log = summarize_log(&project)?;
            Ok(Box::new((report, engine, log)))
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
            let mut project = Project::open_existing(&project_path)?;
            let prepared = {
                let guard = engine.read().map_err(|_| unavailable())?;
                guard.prepare_items(&mut project, &items, sink)?
            };
            let mut guard = engine.write().map_err(|_| unavailable())?;
            Ok(guard.apply_items(prepared)?)
        })())
    })
}

/// An engine of a job's own on `project` (its index opened or built before the job goes on).
fn job_engine(project: &Project, model: ModelRef, sink: &crate::jobs::ProgressSink) -> Result<Engine> {
    let options = EngineOptions { background: false, ..engine_options() };
    Ok(Engine::open(project, model, ModelStore::default_location(), options, sink)?)
}

/// Tunes `start`'s settings on the project's log, on an engine of its own.
pub fn tune(
    config: crate::eval::tune::TuneConfig,
    start: crate::pipeline::Request,
    project_path: PathBuf,
    model: ModelRef,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("tune", Some(wake), move |sink| {
        Done::Tuned((|| {
            let project = Project::open_read_only(&project_path)?;
            let engine = job_engine(&project, model, sink)?;
            let start = crate::session::settings_only(&start);
            Ok(Box::new(crate::session::tune(&project, &engine, &start, &config, sink)?))
        })())
    })
}

/// Runs an offline evaluation on its own engine and stores the run in the project.
pub fn evaluate(
    config: crate::eval::EvalConfig,
    project_path: PathBuf,
    model: ModelRef,
    wake: Arc<dyn Fn() + Send + Sync>,
) -> std::io::Result<Job> {
    JobHandle::spawn("eval", Some(wake), move |sink| {
        Done::Evaluated((|| {
            let project = Project::open_existing(&project_path)?;
            let engine = job_engine(&project, model, sink)?;
            let log = project.load_interactions()?;
            let report = crate::eval::evaluate(crate::eval::EvalBasis::Engine(&engine), &log, &config, sink)?;
            let names: Vec<String> = report.methods.iter().map(|m| m.method.clone()).collect();
            let label = format!(
                "K={} {}{}",
                config.k,
                names.join(" | "),
                config.vertical.as_ref().map(|v| format!(" [{v}]")).unwrap_or_default()
            );
            let params = serde_json::to_string(&config)?;
            let id = project.save_eval_run(&label, &params, &serde_json::to_string(&report)?)?;
            Ok((report, id))
        })())
    })
}

pub fn import_model(source: PathBuf, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("model-import", Some(wake), move |sink| {
        let _ = sink.report("checking and installing", 0, 1);
        Done::ModelInstalled(ModelStore::default_location().import(&source, None, None).map_err(Into::into))
    })
}

pub fn fetch_model(repo: String, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("model-fetch", Some(wake), move |sink| {
        Done::ModelInstalled(ModelStore::default_location().fetch(&repo, "main", None, sink).map_err(Into::into))
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
        Done::NotShown(generation, report.map_err(Into::into))
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
            let model = ModelRef::resolve_with(&spec, precision, &store)?;
            let mut project = Project::open_existing(&project_path)?;
            let engine = session::embed_and_open(&mut project, &model, &store, engine_options(), sink)?;
            Ok(Box::new((engine.model().clone(), engine)))
        })())
    })
}

/// Builds the vector index of an engine that is serving exact search meanwhile.
pub fn build_index(build: IndexBuild, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("index", Some(wake), move |sink| Done::IndexBuilt(build.run(sink).map_err(Into::into)))
}

pub fn projection(engine: Arc<RwLock<Engine>>, wake: Arc<dyn Fn() + Send + Sync>) -> std::io::Result<Job> {
    JobHandle::spawn("embedding-map", Some(wake), move |sink| {
        let _ = sink.report("projecting vectors", 0, 1);
        let points = match engine.read() {
            Ok(g) => crate::index::pca_2d(g.vectors()),
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
            let g = engine.read().map_err(|_| unavailable())?;
            let rows = g
                .catalog()
                .items()
                .iter()
                .zip(g.catalog().keys())
                .filter_map(|(item, key)| g.vectors().get(*key).map(|v| (item, v)));
            let sql = crate::export::pgvector_sql("reclab_items", &g.model().key, g.model().dim, rows);
            write_file(&out, sql.as_bytes(), &project_path)?;
            Ok(out.clone())
        })())
    })
}

/// Writes an export, never over the open project or its files.
pub fn write_file(path: &Path, bytes: &[u8], project: &Path) -> Result<()> {
    Ok(crate::output::write(path, bytes, &crate::output::Protected::project(project))?)
}

/// A lock poisoned by a panicked worker.
fn unavailable() -> anyhow::Error {
    anyhow::anyhow!("the engine is unavailable: a worker panicked while changing it")
}
