//! reclab: an offline recommendation lab.
//!
//! Load an item catalog, embed it locally with a sentence-embedding model, build a simulated
//! user from recent actions, and see every stage of the recommendation: candidates, filters,
//! re-rank rules and the final top-K, each explained.
//!
//! The core modules never depend on the GUI; the desktop app lives in [`gui`], behind the
//! default `gui` feature.

pub mod bench;
pub mod catalog;
pub mod embed;
pub mod eval;
pub mod export;
pub mod index;
pub mod jobs;
pub mod output;
pub mod pg;
pub mod pipeline;
pub mod sample;
pub mod session;
pub mod store;
pub mod util;

#[cfg(feature = "gui")]
pub mod gui;
