//! The recommendation pipeline: `candidates → filters → re-rank → top-K`, every stage
//! recorded so the lab can show what happened and why.

pub mod builtin;
pub mod engine;
pub mod explain;
pub mod filter;
pub mod recommend;
pub mod rules;
pub mod stats;
pub mod strategy;
pub mod user;

pub use builtin::{Builtin, BuiltinFilters};
pub use engine::{AddReport, BuiltIndex, Catalog, Engine, EngineOptions, IndexBuild, IndexReport, Serving};
pub use filter::{Filter, FilterError, Schema};
pub use recommend::{Recommendation, Request, ResultRow};
pub use rules::{Rule, RuleEntry, RuleSet, RulesError};
pub use strategy::{Strategy, StrategyKind};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("{}", .source.render(.text))]
    Filter { source: FilterError, text: String },
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error("nothing to recommend from: {0}")]
    NoAnchor(String),
    #[error("{0}")]
    Request(String),
    #[error(
        "the project has no vectors for {model}{}; run `reclab embed` first",
        if .others.is_empty() { String::new() } else { format!(" (it has vectors for {})", .others.join(", ")) }
    )]
    NotEmbedded { model: String, others: Vec<String> },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

#[cfg(test)]
mod tests;
