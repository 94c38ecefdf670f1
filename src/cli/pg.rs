//! `reclab pg`: the project in PostgreSQL + pgvector.

use super::{open_engine, open_existing, open_read, with_progress};
use anyhow::Result;
use clap::Subcommand;
use reclab::session;
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
    /// Run requests (the saved scenarios, then users of the log) through the lab's own index
    /// and through pgvector, and compare: overlap@K, rank correlation, the items only one side
    /// returned, short results at each hnsw.ef_search tried, the setting to use, and whether
    /// every pushed-down filter removes what the lab's filter removes.
    Parity {
        /// Where the project was pushed (as for `push`).
        #[arg(long)]
        url: String,
        #[arg(long, default_value = "reclab")]
        schema: String,
        /// How many requests.
        #[arg(long, default_value_t = 50)]
        requests: usize,
        /// The hnsw.ef_search values to try, comma-separated.
        #[arg(long, default_value = "40,100,200,400,1000", value_delimiter = ',')]
        ef_search: Vec<u32>,
        #[arg(long)]
        json: bool,
        /// Write the report to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

pub fn run(project_path: &Path, cmd: PgCommand) -> Result<ExitCode> {
    match cmd {
        PgCommand::Push { url, schema, json } => push(project_path, &url, &schema, json),
        PgCommand::Parity { url, schema, requests, ef_search, json, out } => {
            parity(project_path, &url, &schema, requests, &ef_search, json, out.as_deref())
        }
    }
}

fn parity(
    project_path: &Path,
    url: &str,
    schema: &str,
    requests: usize,
    ef_search: &[u32],
    json: bool,
    out: Option<&Path>,
) -> Result<ExitCode> {
    if let Some(out) = out {
        reclab::output::Protected::project(project_path).check(out)?;
    }
    let project = open_read(project_path)?;
    let engine = open_engine(&project, false)?;
    let index = session::connect_pgvector(&engine, url, schema, None)?;
    let requests = session::parity_requests(&project, &engine, requests)?;
    let ef_search = ef_search.to_vec();
    let report = with_progress("reclab-pg-parity", move |sink| {
        reclab::pg::parity::parity(&engine, &index, &requests, &ef_search, sink)
    })??;
    let text = if json { serde_json::to_string_pretty(&report)? + "\n" } else { reclab::pg::parity::render(&report) };
    match out {
        Some(path) => {
            reclab::output::write(path, text.as_bytes(), &reclab::output::Protected::project(project.path()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

fn push(project_path: &Path, url: &str, schema: &str, json: bool) -> Result<ExitCode> {
    let schema = schema.to_string();
    let target = reclab::pg::Target::parse(url)?;
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
    if let Some(mem) = &report.index_memory {
        println!("              built with maintenance_work_mem = {mem} (this push only)");
    }
    Ok(ExitCode::SUCCESS)
}
