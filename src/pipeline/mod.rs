//! The recommendation pipeline: `candidates → filters → re-rank → top-K`, every stage
//! recorded so the lab can show what happened and why.

pub mod builtin;
pub mod catalog;
pub mod engine;
pub mod explain;
pub mod filter;
pub mod recommend;
pub mod remote;
pub mod rules;
pub mod sources;
pub mod stats;
pub mod strategy;
pub mod trace;
pub mod user;

pub use builtin::{Builtin, BuiltinFilters};
pub use engine::{
    AddReport, BuiltIndex, Catalog, Engine, EngineOptions, IndexAction, IndexBuild, IndexReport, Serving,
};
pub use filter::{Filter, FilterError, Schema};
pub use recommend::{Recommendation, Request, ResultRow};
pub use remote::{RemoteHits, RemoteIndex};
pub use rules::{Rule, RuleEntry, RuleSet, RulesError};
pub use sources::{Source, Sources};
pub use strategy::{Strategy, StrategyKind};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A filter expression that does not parse or bind: the message shows where, under the
    /// expression (so the filter error is this error's text, not its cause).
    #[error("{}", .error.render(.text))]
    Filter { error: FilterError, text: String },
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error("nothing to recommend from: {0}")]
    NoAnchor(String),
    #[error("{0}")]
    Request(String),
    #[error(
        "the project has no vectors for {model}{}",
        if .others.is_empty() { String::new() } else { format!(" (it has vectors for {})", .others.join(", ")) }
    )]
    NotEmbedded { model: String, others: Vec<String> },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    /// A database backend failed (its error says where and what).
    #[error("the {backend} backend")]
    Remote { backend: &'static str, source: Box<dyn std::error::Error + Send + Sync> },
}

/// The filter fields of a project's catalog.
pub fn project_schema(project: &crate::store::Project) -> Result<Schema, PipelineError> {
    Ok(Schema { attributes: project.attributes()? })
}

/// Saves a rule preset after checking it (pin filters included) against the project's fields.
pub fn save_rule_preset(project: &crate::store::Project, name: &str, rules: &RuleSet) -> Result<(), PipelineError> {
    rules.validate()?;
    rules.check_filters(&project_schema(project)?)?;
    project.save_named(crate::store::Named::RulePreset, name, &rules.to_json())?;
    Ok(())
}

/// Saves a scenario after checking its filter and rules against the project's fields, so that
/// a saved scenario always loads, in the window as on the command line.
pub fn save_scenario(project: &crate::store::Project, name: &str, req: &Request) -> Result<(), PipelineError> {
    let schema = project_schema(project)?;
    Filter::parse(&req.filter, &schema).map_err(|e| PipelineError::Filter { error: e, text: req.filter.clone() })?;
    req.rules.validate()?;
    req.rules.check_filters(&schema)?;
    req.strategy.check()?;
    let body = serde_json::to_string_pretty(req).map_err(|e| PipelineError::Request(e.to_string()))?;
    project.save_named(crate::store::Named::Scenario, name, &body)?;
    Ok(())
}

#[cfg(test)]
mod tests;
