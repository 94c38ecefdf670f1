//! What the lab holds, and the commands that change it. Panels read [`AppState`] and push
//! [`Command`]s; [`super::app::ReclabApp`] applies them in one `match`.

use crate::catalog::ImportReport;
use crate::embed::{InstalledModel, ModelRef};
use crate::pipeline::{BuiltinFilters, Engine, Recommendation, Request, RuleSet, Strategy};
use crate::store::{Project, SimAction};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

/// Everything a panel may change goes through one of these.
#[derive(Debug, Clone)]
pub enum Command {
    // The simulated user.
    SetActions(Vec<SimAction>),
    AddAction(SimAction),
    SetSearch(Option<String>),
    SetStrategy(Strategy),
    SetNow(i64),
    LoadUser(String),
    SaveUser(String),
    DeleteUser(String),
    // Filters and rules.
    SetFilter(String),
    SetParams(BTreeMap<String, String>),
    SetBuiltins(BuiltinFilters),
    SetRules(RuleSet),
    SetK(usize),
    SetSources(crate::pipeline::Sources),
    /// How many nearest neighbours the content source proposes.
    SetCandidates(usize),
    SavePreset(String),
    LoadPreset(String),
    DeletePreset(String),
    // Results.
    Select(Option<String>),
    // Compare.
    SetCompare(CompareMode),
    // Catalog.
    Import(PathBuf),
    AddItems(Vec<crate::catalog::ItemUpdate>),
    // Scenarios and exports.
    SaveScenario(String),
    LoadScenario(String),
    ExportResults(PathBuf),
    ExportVectors(PathBuf),
    // Evaluation.
    RunEval(Box<crate::eval::EvalConfig>),
    /// Tune the current pipeline's settings against the project's log.
    RunTune(Box<crate::eval::tune::TuneConfig>),
    /// Load a tuning trial's settings into the current pipeline (the user stays).
    ApplyTrial(usize),
    LoadEvalRun(i64),
    ExportEval(PathBuf),
    // Models.
    ImportModel(PathBuf),
    FetchModel(String),
    /// Download and install the suggested model (the one-click offer).
    InstallSuggested,
    /// Embed the project with a model (`lexical`, an installed model's name) in a precision.
    UseModel(String, crate::embed::Precision),
    RemoveModel(String),
    // The lab.
    OpenProject(PathBuf),
    CancelJob(u64),
    DismissNotification(usize),
    SetDark(bool),
    ShowTab(Tab),
    // The reaction board.
    ShowBoard(BoardView),
    /// Find the board's hot items the current pipeline never shows the log's recent users.
    CheckNotShown(crate::eval::not_shown::NotShownConfig),
    // Production: PostgreSQL + pgvector.
    PushPg {
        url: String,
        schema: String,
    },
    /// Serve the content candidates from the project pushed to this database.
    ConnectPg {
        url: String,
        schema: String,
    },
    DisconnectPg,
    /// The parity report over this many requests.
    RunParity(usize),
}

/// How the reaction board is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BoardView {
    #[default]
    Table,
    Tiles,
}

impl BoardView {
    /// Parses `--board table|tiles`.
    pub fn parse(s: &str) -> Option<BoardView> {
        match s.to_lowercase().as_str() {
            "table" => Some(BoardView::Table),
            "tiles" => Some(BoardView::Tiles),
            _ => None,
        }
    }
}

/// What the Compare tab sets side by side.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CompareMode {
    /// The content pipeline (left) against the item-item co-occurrence baseline (right).
    #[default]
    Baseline,
    /// The current rules (left) against a saved preset (right).
    Preset(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    #[default]
    Results,
    Effects,
    Compare,
    Catalog,
    Plots,
    Evaluate,
    Tune,
    Board,
    Production,
    Models,
}

impl Tab {
    pub const ALL: [Tab; 10] = [
        Tab::Results,
        Tab::Effects,
        Tab::Compare,
        Tab::Catalog,
        Tab::Plots,
        Tab::Evaluate,
        Tab::Tune,
        Tab::Board,
        Tab::Production,
        Tab::Models,
    ];

    /// Parses a tab name as given on the command line (`results`, `effects`, …).
    pub fn parse(s: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.id() == s.to_lowercase())
    }

    pub fn id(self) -> &'static str {
        match self {
            Tab::Results => "results",
            Tab::Effects => "effects",
            Tab::Compare => "compare",
            Tab::Catalog => "catalog",
            Tab::Plots => "plots",
            Tab::Evaluate => "evaluate",
            Tab::Tune => "tune",
            Tab::Board => "board",
            Tab::Production => "production",
            Tab::Models => "models",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Results => "Results",
            Tab::Effects => "Filter effects",
            Tab::Compare => "Compare",
            Tab::Catalog => "Catalog",
            Tab::Plots => "Plots",
            Tab::Evaluate => "Evaluate",
            Tab::Tune => "Tune",
            Tab::Board => "Reaction board",
            Tab::Production => "Production",
            Tab::Models => "Models",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct Notification {
    pub level: Level,
    pub text: String,
    pub at: std::time::Instant,
}

/// A background job as the status bar shows it.
#[derive(Debug, Clone)]
pub struct JobView {
    pub id: u64,
    pub label: String,
    pub stage: String,
    pub done: u64,
    pub total: u64,
}

/// The project once it is open.
pub struct Loaded {
    pub project: Project,
    pub engine: Arc<RwLock<Engine>>,
    pub model: ModelRef,
    /// Saved names, refreshed after every save or delete.
    pub presets: Vec<String>,
    pub scenarios: Vec<String>,
    pub users: Vec<String>,
    pub log_users: Vec<(String, u64)>,
    pub categories: Vec<(String, usize)>,
    pub verticals: Vec<String>,
    pub event_types: Vec<String>,
    /// The interaction log indexed for the reaction board.
    pub board: Arc<crate::eval::board::Board>,
    /// Stored evaluation runs (id, time, label), newest first.
    pub eval_runs: Vec<(i64, i64, String)>,
    /// The last failure to read the saved names, until the app shows it.
    pub names_error: Option<String>,
}

impl Loaded {
    /// Reads the saved names again; a failure keeps the old lists and is kept in
    /// `names_error` for the app to show.
    pub fn refresh_names(&mut self) {
        use crate::store::Named;
        let read = || -> Result<_, crate::store::StoreError> {
            Ok((
                self.project.list_named(Named::RulePreset)?,
                self.project.list_named(Named::Scenario)?,
                self.project.list_users()?,
                self.project.list_eval_runs()?,
            ))
        };
        match read() {
            Ok((presets, scenarios, users, eval_runs)) => {
                (self.presets, self.scenarios, self.users, self.eval_runs) = (presets, scenarios, users, eval_runs);
            }
            Err(e) => self.names_error = Some(format!("cannot read the saved names: {}", crate::util::error_chain(&e))),
        }
    }
}

/// The embedding map: each item key with its 2-D position.
pub type Projection = Vec<(u64, [f32; 2])>;

/// The state every panel reads.
pub struct AppState {
    pub project_path: PathBuf,
    pub loaded: Option<Loaded>,
    /// The project could not open because its model is not installed here: its name. The
    /// window offers to install it or to use another model; it never switches on its own.
    pub model_missing: Option<String>,
    /// The live scenario.
    pub request: Request,
    /// Bumped on every change of `request`; results carry the generation they answer.
    pub generation: u64,
    /// Bumped when `request` is replaced wholesale (scenario, preset, user loaded), so panels
    /// reload their edit buffers.
    pub revision: u64,
    pub result: Option<Result<Recommendation, String>>,
    pub result_generation: u64,
    pub compare: CompareMode,
    pub compare_result: Option<Result<Recommendation, String>>,
    pub selected: Option<String>,
    pub neighbours: Option<Result<Recommendation, String>>,
    pub last_import: Option<ImportReport>,
    /// Counts imports, so the catalog panel can show each new report once.
    pub imports: u64,
    pub projection: Option<Arc<Projection>>,
    pub installed_models: Vec<InstalledModel>,
    /// Why the last one-click install failed.
    pub install_failure: Option<crate::embed::offer::Failure>,
    pub eval_report: Option<crate::eval::EvalReport>,
    /// The last tuning run, and the trial loaded from it.
    pub tune_report: Option<Box<crate::eval::tune::TuneReport>>,
    pub applied_trial: Option<usize>,
    /// The pushed project in PostgreSQL + pgvector, when the window is connected to it: it
    /// serves the content candidates.
    pub pg: Option<Arc<crate::pg::PgIndex>>,
    /// The last push, and the last parity report.
    pub pg_push: Option<crate::pg::PushReport>,
    pub parity: Option<Box<crate::pg::parity::ParityReport>>,
    pub notifications: Vec<Notification>,
    pub jobs: Vec<JobView>,
    pub tab: Tab,
    pub board_view: BoardView,
    /// The last "hot but not shown" check, and the request generation it was made for.
    pub not_shown: Option<(u64, Result<crate::eval::not_shown::NotShownReport, String>)>,
    pub dark: bool,
    /// The last recommendation took this long (for the status bar).
    pub last_latency_ms: Option<f64>,
    /// Median and maximum CPU time of the recent frames, in milliseconds.
    pub frame_ms: Option<(f64, f64)>,
}

impl AppState {
    pub fn new(project_path: PathBuf) -> Self {
        Self {
            project_path,
            loaded: None,
            model_missing: None,
            request: Request::default(),
            generation: 0,
            revision: 0,
            result: None,
            result_generation: 0,
            compare: CompareMode::default(),
            compare_result: None,
            selected: None,
            neighbours: None,
            last_import: None,
            imports: 0,
            projection: None,
            installed_models: Vec::new(),
            install_failure: None,
            eval_report: None,
            tune_report: None,
            applied_trial: None,
            pg: None,
            pg_push: None,
            parity: None,
            notifications: Vec::new(),
            jobs: Vec::new(),
            tab: Tab::default(),
            board_view: BoardView::default(),
            not_shown: None,
            dark: true,
            last_latency_ms: None,
            frame_ms: None,
        }
    }

    /// The current recommendation, if it answered the current request.
    pub fn current(&self) -> Option<&Recommendation> {
        match &self.result {
            Some(Ok(r)) => Some(r),
            _ => None,
        }
    }

    /// Drops information messages older than `max_age` (errors stay until dismissed).
    pub fn expire_notifications(&mut self, max_age: std::time::Duration) {
        self.notifications.retain(|n| n.level == Level::Error || n.at.elapsed() < max_age);
    }

    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty()
    }

    pub fn notify(&mut self, level: Level, text: impl Into<String>) {
        self.notifications.push(Notification { level, text: text.into(), at: std::time::Instant::now() });
        if self.notifications.len() > 6 {
            self.notifications.remove(0);
        }
    }
}
