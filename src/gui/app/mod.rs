//! The application: owns the state, runs jobs, applies commands, lays out the panels.

use super::frames::{FrameTimes, Measurement};
use super::panels::Panels;
use super::state::{AppState, Command, CompareMode, Level, Loaded, Tab};
use super::worker::{self, Ask, Done, Job, Recommender};
use super::{GuiOptions, fonts};
use crate::embed::ModelStore;
use crate::pipeline::{Request, RuleSet};
use crate::store::{Named, Project, SimUser};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

const SETTINGS_KEY: &str = "reclab-settings";

/// Small settings kept between runs in eframe's storage (the project file holds the rest).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Settings {
    last_project: Option<PathBuf>,
    dark: Option<bool>,
    tab: Tab,
}

struct RunningJob {
    id: u64,
    label: String,
    job: Job,
}

/// Screenshot mode: wait for the data and the first result, let a few frames settle, then
/// ask the window for a screenshot, save it and close.
struct Screenshot {
    path: PathBuf,
    settled_frames: u32,
    requested: bool,
}

pub struct ReclabApp {
    pub(crate) state: AppState,
    panels: Panels,
    commands: Vec<Command>,
    jobs: Vec<RunningJob>,
    next_job: u64,
    recommender: Recommender,
    wake: Arc<dyn Fn() + Send + Sync>,
    asked: u64,
    pending_scenario: Option<String>,
    pending_tune: Option<usize>,
    /// `--pg-url`: connect to PostgreSQL once the project is open; `--parity N` then.
    pending_pg: Option<(String, String)>,
    pending_parity: Option<usize>,
    screenshot: Option<Screenshot>,
    outcome: Arc<Mutex<Option<Result<(), String>>>>,
    /// When the current frame started (set in `logic`).
    frame_started: Option<std::time::Instant>,
    frame_times: FrameTimes,
    measure: Option<Measurement>,
    measuring: bool,
    /// A screenshot or a measurement: nothing is remembered for the next session.
    scripted: bool,
    /// Why a screenshot or a measurement cannot be made (the project did not open).
    fatal: Option<String>,
}

impl ReclabApp {
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        options: GuiOptions,
        outcome: Arc<Mutex<Option<Result<(), String>>>>,
    ) -> Self {
        fonts::install(&cc.egui_ctx);
        // A screenshot or a measurement is reproducible: it never depends on what the last
        // session left (project, tab, theme), and it leaves nothing for the next one.
        let scripted = options.screenshot.is_some() || options.measure_frames.is_some();
        let settings: Settings = match cc.storage {
            Some(s) if !scripted => eframe::get_value(s, SETTINGS_KEY).unwrap_or_default(),
            _ => Settings::default(),
        };
        let ctx = cc.egui_ctx.clone();
        let wake: Arc<dyn Fn() + Send + Sync> = Arc::new(move || ctx.request_repaint());
        let remembered = settings.last_project.clone().filter(|p| p.exists());
        let project_path = options.project.clone().or(remembered).unwrap_or_else(super::sample_project_path);
        let mut state = AppState::new(project_path.clone());
        state.dark = options.dark.or(settings.dark).unwrap_or(true);
        state.tab = options.tab.unwrap_or(settings.tab);
        state.board_view = options.board.unwrap_or_default();
        cc.egui_ctx.set_theme(if state.dark { egui::Theme::Dark } else { egui::Theme::Light });
        state.installed_models = ModelStore::default_location().list();
        let recommender = match Recommender::start(wake.clone()) {
            Ok(r) => r,
            Err(e) => {
                state.notify(Level::Error, format!("cannot start the recommender thread: {e}"));
                // Without the thread nothing refreshes; keep the window to show the error.
                Recommender::start(Arc::new(|| {})).unwrap_or_else(|_| std::process::abort())
            }
        };
        let mut app = Self {
            state,
            panels: Panels::default(),
            commands: Vec::new(),
            jobs: Vec::new(),
            next_job: 1,
            recommender,
            wake,
            asked: u64::MAX,
            pending_scenario: options.scenario.clone(),
            pending_tune: options.tune,
            pending_pg: options.pg_url.clone().map(|url| (url, options.pg_schema.clone())),
            pending_parity: options.parity,
            screenshot: options.screenshot.clone().map(|path| Screenshot { path, settled_frames: 0, requested: false }),
            outcome,
            frame_started: None,
            frame_times: FrameTimes::default(),
            measure: options.measure_frames.map(Measurement::new),
            measuring: false,
            scripted,
            fatal: None,
        };
        app.open_project(project_path);
        app
    }

    fn spawn(&mut self, label: &str, job: std::io::Result<Job>) {
        match job {
            Ok(job) => {
                let id = self.next_job;
                self.next_job += 1;
                self.jobs.push(RunningJob { id, label: label.to_string(), job });
            }
            Err(e) => self.state.notify(Level::Error, format!("cannot start {label}: {e}")),
        }
    }

    fn open_project(&mut self, path: PathBuf) {
        self.state.loaded = None;
        self.state.model_missing = None;
        self.state.result = None;
        self.state.projection = None;
        // A database connection and its report belong to the project they were made for.
        self.state.pg = None;
        self.state.pg_push = None;
        self.state.parity = None;
        self.state.project_path = path.clone();
        let job = worker::open(path, self.wake.clone());
        self.spawn("Opening the project", job);
    }

    /// True once the project is open and the current request has its answer.
    pub fn is_settled(&self) -> bool {
        if self.state.model_missing.is_some() {
            return self.jobs.is_empty();
        }
        self.state.loaded.is_some()
            && self.jobs.is_empty()
            && self.state.result.is_some()
            && self.state.result_generation == self.state.generation
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// One step of the app's logic: jobs, answers, commands, and asking for a new result.
    pub fn tick(&mut self, ctx: &egui::Context) {
        self.poll_jobs();
        self.poll_answers();
        // Files dropped on the window are imported.
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw.dropped_files.iter().map(|f| f.path().to_path_buf()).filter(|p| !p.as_os_str().is_empty()).collect()
        });
        for path in dropped {
            self.commands.push(Command::Import(path));
        }
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.apply(c);
        }
        if let Some(e) = self.state.loaded.as_mut().and_then(|l| l.names_error.take()) {
            self.state.notify(Level::Error, e);
        }
        ctx.set_theme(if self.state.dark { egui::Theme::Dark } else { egui::Theme::Light });
        // Information fades after a while; a screenshot shows none.
        let max_age =
            if self.screenshot.is_some() { std::time::Duration::ZERO } else { std::time::Duration::from_secs(8) };
        self.state.expire_notifications(max_age);
        if self.state.notifications.iter().any(|n| n.level == Level::Info) {
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        self.ask_if_needed();
        if !self.jobs.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Lays out the window.
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        let mut out = Vec::new();
        self.panels.show(ui, &self.state, &mut out);
        self.commands.extend(out);
    }
}

impl eframe::App for ReclabApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_started = Some(std::time::Instant::now());
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        self.draw(ui);
        self.fatal_step(ui);
        self.screenshot_step(ui);
        if let Some(started) = self.frame_started.take() {
            let app_ms = started.elapsed().as_secs_f64() * 1000.0;
            self.frame_times.push(app_ms);
            self.state.frame_ms = self.frame_times.summary();
            let frame_cpu_ms = frame.info().cpu_usage.map(|s| f64::from(s) * 1000.0);
            self.measure_step(ui, started, app_ms, frame_cpu_ms);
        }
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        // A screenshot shows no hover effects from wherever the pointer happens to be.
        if self.screenshot.is_some() {
            raw_input.events.retain(|e| {
                !matches!(
                    e,
                    egui::Event::PointerMoved(_) | egui::Event::PointerButton { .. } | egui::Event::MouseMoved(_)
                )
            });
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.scripted {
            return;
        }
        let settings = Settings {
            last_project: Some(self.state.project_path.clone()),
            dark: Some(self.state.dark),
            tab: self.state.tab,
        };
        eframe::set_value(storage, SETTINGS_KEY, &settings);
    }
}

/// An export's text: CSV when the file name ends in `.csv`, else pretty JSON.
fn export_text<T: serde::Serialize>(path: &std::path::Path, value: &T, csv: impl FnOnce(&T) -> String) -> String {
    let is_csv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv { csv(value) } else { serde_json::to_string_pretty(value).unwrap_or_default() }
}

/// Categories with their item counts, and the verticals, of the catalog.
fn catalog_facets(engine: &crate::pipeline::Engine) -> (Vec<(String, usize)>, Vec<String>) {
    let mut counts: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut verticals = std::collections::BTreeSet::new();
    for item in engine.catalog().items() {
        *counts.entry(item.category.clone().unwrap_or_else(|| "(none)".into())).or_insert(0) += 1;
        if let Some(v) = &item.vertical {
            verticals.insert(v.clone());
        }
    }
    (counts.into_iter().collect(), verticals.into_iter().collect())
}

mod commands;
mod jobs;
mod scripted;
#[cfg(test)]
mod tests;
