//! `reclab pg`: the project in PostgreSQL + pgvector.

use super::{open_existing, with_progress};
use anyhow::Result;
use clap::Subcommand;
use std::path::Path;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum PgCommand {
    /// Write the catalog, the vectors (with an HNSW index), the interaction log and the model key
    /// into PostgreSQL; running it again updates only what changed.
    Push {
        /// libpq key-value string (`host=/path/to/socket user=postgres dbname=postgres`) or a
        /// postgresql:// URL. A password comes from it, PGPASSWORD or ~/.pgpass; it is never
        /// printed or saved.
        #[arg(long)]
        url: String,
        /// The schema to write into (created when missing).
        #[arg(long, default_value = "reclab")]
        schema: String,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(project_path: &Path, cmd: PgCommand) -> Result<ExitCode> {
    let PgCommand::Push { url, schema, json } = cmd;
    let target = reclab::pg::Target::parse(&url)?;
    reclab::pg::check_schema(&schema)?;
    let project_path = project_path.to_path_buf();
    open_existing(&project_path)?;
    let report = with_progress("reclab-pg-push", move |sink| -> Result<reclab::pg::PushReport> {
        let project = open_existing(&project_path)?;
        Ok(reclab::pg::push(&project, &target, &schema, sink)?)
    })??;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let counts = |c: &reclab::pg::RowCounts| {
        format!("{} inserted, {} updated, {} unchanged, {} removed", c.inserted, c.updated, c.unchanged, c.removed)
    };
    println!(
        "pushed to {} (PostgreSQL {}, pgvector {}), schema {}, in {:.2} s",
        report.target, report.server_version, report.pgvector_version, report.schema, report.seconds
    );
    println!(
        "items         {} ({} with a vector of {}, {} dimensions)",
        counts(&report.items),
        report.with_vector,
        report.model,
        report.dim
    );
    println!("interactions  {}", counts(&report.interactions));
    match &report.index {
        Some(sql) => println!("index         {sql}"),
        None => println!("index         none: pgvector's HNSW takes at most 2000 dimensions; queries scan the table"),
    }
    Ok(ExitCode::SUCCESS)
}
