//! reclab's integration tests: one test binary, one module per area.

mod embedding;
mod eval;
mod fuzz;
mod import;
mod models;
mod pgserver;
mod pgvector;
mod pipeline;
mod postgres;
mod robust;
mod session;
mod support;
mod tune;
