//! reclab's integration tests: one test binary, one module per area.

mod embedding;
mod import;
mod models;
mod pipeline;
mod support;
