//! `import`, `embed`, `encode`, `vectors`, `sample` and `status`.

use super::{open_existing, open_project, open_read, resolve_embedder, with_progress};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use reclab::catalog::ImportOptions;
use reclab::embed::{DEFAULT_TEMPLATE, Template, TextKind, embed_catalog, item_texts};
use reclab::store::ImportKind;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The file to import.
    pub file: PathBuf,
    /// What the file holds; by default decided from its columns.
    #[arg(long, value_enum, default_value_t = KindArg::Auto)]
    pub kind: KindArg,
    /// Use COLUMN for FIELD, overriding the automatic mapping (repeatable), e.g. --map name=title.
    /// Fields: id, name, name_alt, category, tags, description, price, stock, purchase_limit,
    /// released_at, expires_at, vertical; for interactions: user_id, item_id, event_type, timestamp, value.
    #[arg(long = "map", value_name = "FIELD=COLUMN")]
    pub map: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum KindArg {
    Auto,
    Catalog,
    Interactions,
}

pub fn import(project_path: &Path, args: ImportArgs) -> Result<ExitCode> {
    let mut project = open_project(project_path)?;
    let kind = match args.kind {
        KindArg::Auto => ImportKind::Auto,
        KindArg::Catalog => ImportKind::Catalog,
        KindArg::Interactions => ImportKind::Interactions,
    };
    let options = ImportOptions { map: args.map };
    let file = args.file.clone();
    let report = with_progress("import", move |sink| project.import_file(&file, kind, &options, sink))??;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct EmbedArgs {
    /// An installed model's name, a model folder, or `lexical`. Default: the project's model,
    /// else the best installed model.
    #[arg(long)]
    pub model: Option<String>,
    /// The item text template, saved in the project (default `{name} | {category} | {tags} | {description}`).
    #[arg(long)]
    pub template: Option<String>,
    /// Texts per batch (each batch is saved as soon as it is embedded).
    #[arg(long, default_value_t = 256)]
    pub batch_size: usize,
    /// Drop this model's cached vectors first and embed everything again.
    #[arg(long)]
    pub reset: bool,
    /// The arithmetic of a neural model: f32 (the reference), bf16, int8, or fast (the fastest
    /// this CPU runs within the accuracy bar). Saved in the project; default: the project's.
    #[arg(long, value_parser = super::parse_precision)]
    pub precision: Option<reclab::embed::Precision>,
    /// Lexical embedder only: fit its word weights (inverse document frequencies) again on the
    /// current catalog. Weights that change give the vectors a new key: everything is embedded
    /// again and the old fit's vectors are removed.
    #[arg(long)]
    pub refit: bool,
    /// Print the run's report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The project's item template (validated against its attributes).
pub fn project_template(project: &reclab::store::Project) -> Result<Template> {
    let source = project.setting("template")?.unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
    Ok(Template::parse(&source, &project.attributes()?)?)
}

pub fn embed(project_path: &Path, args: EmbedArgs) -> Result<ExitCode> {
    let mut project = open_existing(project_path)?;
    if let Some(t) = &args.template {
        Template::parse(t, &project.attributes()?)?;
        project.set_setting("template", t)?;
    }
    let template = project_template(&project)?;
    let (spec, precision, embedder) = resolve_embedder(args.model.as_deref(), args.precision, Some(&project))?;
    let (embedder, fit) = reclab::embed::with_project_weights(
        &mut project,
        embedder,
        &template,
        args.refit,
        &reclab::jobs::ProgressSink::none(),
    )?;
    if let Some(fit) = fit {
        eprintln!("{}", fit.describe());
    }
    if args.reset {
        let n = project.clear_vectors(embedder.key())?;
        eprintln!("dropped {n} cached vectors of {}", embedder.key());
    }
    let batch = args.batch_size;
    let (project, report) = with_progress("embed", move |sink| {
        let r = embed_catalog(&mut project, embedder.as_ref(), &template, batch, sink);
        (project, r)
    })?;
    let report = report?;
    reclab::embed::save_model_choice(&project, &spec, precision)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}: {} items, {} distinct texts: {} already cached, {} embedded in {:.1} s{}",
            report.model,
            report.items,
            report.unique_texts,
            report.cached,
            report.embedded,
            report.seconds,
            if report.cancelled { " (cancelled; the vectors so far are saved)" } else { "" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct EncodeArgs {
    /// Texts to embed.
    #[arg(required = true)]
    pub texts: Vec<String>,
    /// An installed model's name, a model folder, or `lexical`.
    #[arg(long)]
    pub model: Option<String>,
    /// Embed as queries (with the model's query prefix) instead of passages.
    #[arg(long)]
    pub query: bool,
    /// f32 (default), bf16, int8, or fast (the fastest this CPU runs within the accuracy bar).
    #[arg(long, value_parser = super::parse_precision)]
    pub precision: Option<reclab::embed::Precision>,
}

pub fn encode(args: EncodeArgs) -> Result<ExitCode> {
    let (_, _, embedder) = resolve_embedder(args.model.as_deref(), args.precision, None)?;
    let kind = if args.query { TextKind::Query } else { TextKind::Passage };
    let texts: Vec<&str> = args.texts.iter().map(String::as_str).collect();
    let vectors = embedder.embed(&texts, kind)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (text, vector) in texts.iter().zip(&vectors) {
        let line = VectorLine { id: None, model: embedder.key(), text, vector };
        writeln!(out, "{}", serde_json::to_string(&line)?)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of `encode` and `vectors export --format jsonl` output.
#[derive(serde::Serialize)]
struct VectorLine<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    model: &'a str,
    text: &'a str,
    vector: &'a [f32],
}

#[derive(Subcommand, Debug)]
pub enum VectorsCommand {
    /// Write every item's vector.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value_t = VectorFormat::Jsonl)]
        format: VectorFormat,
        /// Output file (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The model whose vectors to export (default: the project's model).
        #[arg(long)]
        model: Option<String>,
        /// Table name for the pgvector format.
        #[arg(long, default_value = "reclab_items")]
        table: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum VectorFormat {
    /// One JSON object per line: id, model, text, vector.
    Jsonl,
    /// A SQL script for PostgreSQL + pgvector: CREATE TABLE … embedding vector(n), the rows,
    /// and an HNSW cosine index.
    Pgvector,
}

pub fn vectors(project_path: &Path, cmd: VectorsCommand) -> Result<ExitCode> {
    let VectorsCommand::Export { format, out, model, table } = cmd;
    let project = open_read(project_path)?;
    let store = reclab::embed::ModelStore::default_location();
    let model = match model {
        Some(m) => reclab::embed::ModelRef::resolve_in(&m, reclab::embed::Precision::F32, &store, &project)?,
        None => reclab::embed::ModelRef::of_project(&project, &store)?
            .context("the project has no vectors yet: run `reclab embed` first")?,
    };
    let template = project_template(&project)?;
    let items = project.load_items()?;
    let vectors = project.load_vectors(&model.key)?;
    if vectors.is_empty() {
        bail!("the project has no vectors for {}; run `reclab embed` first", model.key);
    }
    let texts = item_texts(items.iter().map(|(_, i)| i), &template);
    let rows: Vec<(&reclab::catalog::Item, &str, &[f32])> = items
        .iter()
        .zip(&texts)
        .filter_map(|((_, item), (text, hash))| vectors.get(hash).map(|v| (item, text.as_str(), v)))
        .collect();
    let missing = items.len() - rows.len();
    let mut file = match &out {
        Some(path) => {
            Some(reclab::output::AtomicFile::create(path, &reclab::output::Protected::project(project_path))?)
        }
        None => None,
    };
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let sink: &mut dyn Write = match &mut file {
        Some(f) => f,
        None => &mut stdout,
    };
    match format {
        VectorFormat::Jsonl => {
            for (item, text, v) in &rows {
                let line = VectorLine { id: Some(&item.id), model: &model.key, text, vector: v };
                writeln!(sink, "{}", serde_json::to_string(&line)?)?;
            }
        }
        VectorFormat::Pgvector => {
            if !reclab::export::valid_table_name(&table) {
                bail!("--table {table}: use lower-case letters, digits and _ (at most 63), starting with a letter");
            }
            let sql =
                reclab::export::pgvector_sql(&table, &model.key, model.dim, rows.iter().map(|(i, _, v)| (*i, *v)));
            sink.write_all(sql.as_bytes())?;
        }
    }
    sink.flush()?;
    if let Some(f) = file {
        f.commit()?;
    }
    eprintln!(
        "exported {} vectors of {}{}",
        rows.len(),
        model.key,
        if missing > 0 { format!("; {missing} items have no vector yet (run `reclab embed`)") } else { String::new() }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct SampleArgs {
    /// Embed the sample catalog right away with the best available model.
    #[arg(long)]
    pub embed: bool,
}

pub fn sample(project_path: &Path, args: SampleArgs) -> Result<ExitCode> {
    let mut project = open_project(project_path)?;
    let (project, reports) = with_progress("sample", move |sink| {
        let r = reclab::sample::import_sample(&mut project, sink);
        (project, r)
    })?;
    for r in reports? {
        print!("{}", r.render());
    }
    drop(project);
    if args.embed {
        embed(
            project_path,
            EmbedArgs {
                model: None,
                template: None,
                batch_size: 256,
                reset: false,
                precision: None,
                refit: false,
                json: false,
            },
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn status(project_path: &Path) -> Result<ExitCode> {
    let project = open_read(project_path)?;
    let stats = project.stats()?;
    println!("project      {}", project_path.display());
    println!("schema       version {}", project.schema_version()?);
    println!("items        {}", stats.items);
    println!("interactions {} events from {} users", stats.interactions, stats.interaction_users);
    println!("sim. users   {}", stats.simulated_users);
    println!("model        {}", project.setting("model")?.unwrap_or_else(|| "(none chosen yet)".into()));
    println!("precision    {}", project.setting("precision")?.unwrap_or_else(|| "f32".into()));
    println!("template     {}", project.setting("template")?.unwrap_or_else(|| DEFAULT_TEMPLATE.into()));
    for (model, dim, n) in project.vector_models()? {
        println!("vectors      {model}: {n} cached, {dim} dimensions");
    }
    if let Some(fit) = project.lexical_fit()? {
        println!("lexical fit  {}: weights fitted on {} distinct texts of the catalog", fit.model, fit.texts);
    }
    Ok(ExitCode::SUCCESS)
}
