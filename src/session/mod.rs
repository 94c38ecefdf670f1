//! The session layer: what a front end does with a project, decided once for the command line
//! and the window alike. A front end parses or draws, calls these functions, and prints or
//! shows what they return; neither decides on its own which model a project uses, how a user
//! of the log becomes a request, or where a scenario's time comes from.
//!
//! - [`project_model`] / [`model_to_embed`]: the project's model, resolved on this machine
//!   ([`SessionError::ModelMissing`] when it is not installed: the project is never switched to
//!   another model behind the user's back).
//! - [`open_engine`]: the pipeline on that model, with what the user should be told about it.
//! - [`template`], [`scenario_now`], [`load_rules`], [`load_scenario`], [`set_user`],
//!   [`similar_request`], [`start_request`]: the pieces of a request.
//! - [`tune_start`], [`tune`], [`apply_settings`], [`save_tuned`]: the rule tuner, and carrying
//!   a tuned configuration into the current request or a scenario without a user.
//! - [`connect_pgvector`], [`recommend`], [`parity_requests`]: the pushed project in
//!   PostgreSQL + pgvector as the backend of a request, and the requests a parity report runs.

mod embedding;
mod pg;
mod requests;
mod tune;

pub use embedding::embed_and_open;
pub use pg::{Backend, connect_pgvector, parity_requests, recommend};
pub use requests::{
    START_SCENARIO, UserSource, load_rules, load_scenario, scenario_now, set_user, similar_request, start_request,
};
pub use tune::{apply_settings, has_user, save_tuned, settings_only, tune, tune_start};

use crate::embed::{EmbedError, LexicalV1Embedder, ModelRef, ModelStore, Template};
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, EngineOptions, PipelineError};
use crate::store::{Project, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The project's vectors come from a model this machine does not have.
    #[error("the project's model {model} is not installed on this machine")]
    ModelMissing {
        model: String,
        #[source]
        source: Box<EmbedError>,
    },
    #[error("the project has no vectors yet")]
    NotEmbedded,
    #[error("cancelled; the vectors computed so far are saved")]
    Cancelled,
    #[error("no scenario named '{name}'{}", listed("scenarios", .available))]
    NoScenario { name: String, available: Vec<String> },
    #[error("scenario '{name}' is damaged")]
    DamagedScenario {
        name: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("no user '{user}': not a saved simulated user{} and not in the interaction log", parenthesised(.saved))]
    NoUser { user: String, saved: Vec<String> },
    #[error("no rule preset or rules file named '{spec}'{}", parenthesised_presets(.presets))]
    NoRules { spec: String, presets: Vec<String> },
    #[error("cannot read {path}")]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Embed(Box<EmbedError>),
    #[error(transparent)]
    Pipeline(Box<PipelineError>),
    #[error(transparent)]
    Rules(#[from] crate::pipeline::RulesError),
    #[error(transparent)]
    Eval(Box<crate::eval::EvalError>),
    #[error(transparent)]
    Pg(Box<crate::pg::PgError>),
}

impl From<EmbedError> for SessionError {
    fn from(e: EmbedError) -> Self {
        SessionError::Embed(Box::new(e))
    }
}

impl From<PipelineError> for SessionError {
    fn from(e: PipelineError) -> Self {
        SessionError::Pipeline(Box::new(e))
    }
}

fn listed(what: &str, names: &[String]) -> String {
    if names.is_empty() { String::new() } else { format!("; {what}: {}", names.join(", ")) }
}

fn parenthesised(names: &[String]) -> String {
    if names.is_empty() { String::new() } else { format!(" ({})", names.join(", ")) }
}

fn parenthesised_presets(names: &[String]) -> String {
    if names.is_empty() { String::new() } else { format!(" (presets: {})", names.join(", ")) }
}

pub type Result<T, E = SessionError> = std::result::Result<T, E>;

/// The model the project's vectors come from, resolved on this machine.
pub fn project_model(project: &Project, store: &ModelStore) -> Result<ModelRef> {
    let spec = project.setting("model")?.ok_or(SessionError::NotEmbedded)?;
    resolve_project_model(project, store, &spec)
}

fn resolve_project_model(project: &Project, store: &ModelStore, spec: &str) -> Result<ModelRef> {
    match ModelRef::of_project(project, store) {
        Ok(Some(model)) => Ok(model),
        Ok(None) => Err(SessionError::NotEmbedded),
        Err(source @ EmbedError::UnknownModel { .. }) => {
            Err(SessionError::ModelMissing { model: spec.to_string(), source: Box::new(source) })
        }
        Err(e) => Err(e.into()),
    }
}

/// The model to embed the project with when nothing else is asked: the project's own (which
/// must be installed), else — for a project never embedded — the best installed model, else
/// the built-in lexical embedder.
pub fn model_to_embed(project: &Project, store: &ModelStore) -> Result<ModelRef> {
    match project.setting("model")? {
        Some(spec) => resolve_project_model(project, store, &spec),
        None => match store.best() {
            Some(m) => Ok(ModelRef::resolve(&m.manifest.name, store)?),
            None => Ok(ModelRef::lexical()),
        },
    }
}

/// What the user should know about an opened pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The vectors come from the lexical embedder before its fitted word weights.
    LexicalV1,
    /// The vectors come from the built-in lexical embedder.
    Lexical,
    /// Items without a vector yet: they cannot be recommended.
    MissingVectors(usize),
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::LexicalV1 => f.write_str(
                "the project's vectors come from the older lexical embedder (lexical-v1: every word weighted alike)",
            ),
            Notice::Lexical => {
                f.write_str("the project's vectors come from the built-in lexical embedder (spelling, not meaning)")
            }
            Notice::MissingVectors(n) => write!(f, "{n} item(s) have no vector yet and cannot be recommended"),
        }
    }
}

/// The notices for a pipeline on `model` with `missing` items without vectors.
pub fn notices(model: &ModelRef, missing: usize) -> Vec<Notice> {
    let mut out = Vec::new();
    if model.key == LexicalV1Embedder::KEY {
        out.push(Notice::LexicalV1);
    } else if !model.neural {
        out.push(Notice::Lexical);
    }
    if missing > 0 {
        out.push(Notice::MissingVectors(missing));
    }
    out
}

/// Opens the pipeline on the project's model (see [`project_model`]).
pub fn open_engine(
    project: &Project,
    store: ModelStore,
    options: EngineOptions,
    sink: &ProgressSink,
) -> Result<(Engine, Vec<Notice>)> {
    let model = project_model(project, &store)?;
    let engine = Engine::open(project, model, store, options, sink)?;
    let notices = notices(engine.model(), engine.missing().len());
    Ok((engine, notices))
}

/// The project's item template (the default one until the user sets another).
pub fn template(project: &Project) -> Result<Template> {
    let source = project.setting("template")?.unwrap_or_else(|| crate::embed::DEFAULT_TEMPLATE.into());
    Ok(Template::parse(&source, &project.attributes()?)?)
}
