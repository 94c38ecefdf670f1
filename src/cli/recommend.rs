//! `recommend` and `similar`.

use super::{open_engine, open_existing, open_read};
use anyhow::{Context, Result, bail};
use clap::Args;
use reclab::output::Protected;
use reclab::pipeline::user::parse_action;
use reclab::pipeline::{Builtin, Engine, Request, RuleSet, Sources, StrategyKind};
use reclab::session;
use reclab::store::Project;
use std::path::Path;
use std::process::ExitCode;

/// Options shared by `recommend` and `similar`: filters, rules, size, output.
#[derive(Args, Debug, Clone, Default)]
pub struct PipelineArgs {
    /// A filter expression, e.g. 'EXCLUDE ItemID WHERE Items.CATEGORY IN ("Weapon")'.
    #[arg(long)]
    pub filter: Option<String>,
    /// A value for a $PARAM of the filter (repeatable), e.g. --param CATEGORY="Head skin".
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Turn a built-in filter off (repeatable): anchor, owned, in_cart, purchase_limit,
    /// out_of_stock, expired, not_released; `all` turns every one off.
    #[arg(long = "no-builtin", value_name = "ID")]
    pub no_builtin: Vec<String>,
    /// Only these categories pass (repeatable).
    #[arg(long = "include-category")]
    pub include_category: Vec<String>,
    /// These categories never pass (repeatable).
    #[arg(long = "exclude-category")]
    pub exclude_category: Vec<String>,
    /// Re-rank rules: a preset saved in the project, or a JSON/TOML file.
    #[arg(long)]
    pub rules: Option<String>,
    /// How many results.
    #[arg(long)]
    pub k: Option<usize>,
    /// Nearest neighbours considered before filtering.
    #[arg(long)]
    pub candidates: Option<usize>,
    /// Candidate sources, comma-separated: `content` (nearest neighbours, --candidates of
    /// them), `cooccurrence:N`, `popularity:N[@DAYS]`, `new_items:N[@MAX_AGE_DAYS]`; sources not
    /// named are off. Default: content only.
    #[arg(long)]
    pub sources: Option<String>,
    /// The scenario's time (default: the project's `now` setting, else the current time).
    #[arg(long)]
    pub now: Option<String>,
    /// Also show the co-occurrence baseline.
    #[arg(long)]
    pub baseline: bool,
    /// Print the result and its whole trace as JSON (schema in README).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the whole trace as CSV: one row per candidate.
    #[arg(long)]
    pub csv: bool,
    /// Write the output to this file instead of standard output.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
    /// Search the vectors exactly instead of through the index.
    #[arg(long)]
    pub exact: bool,
    /// Where the nearest neighbours come from: `lab` (the project's own index) or `pgvector`
    /// (the project pushed with `reclab pg push`, queried through SQL with the filters in its
    /// WHERE; needs --url).
    #[arg(long, default_value = "lab", value_name = "lab|pgvector")]
    pub backend: String,
    /// The PostgreSQL to query with --backend pgvector: a libpq key-value string or a
    /// postgresql:// URL (a password comes from it, PGPASSWORD or ~/.pgpass).
    #[arg(long)]
    pub url: Option<String>,
    /// The schema the project was pushed into.
    #[arg(long, default_value = "reclab")]
    pub schema: String,
    /// hnsw.ef_search for --backend pgvector (default: each query's LIMIT, at least 40).
    #[arg(long)]
    pub ef_search: Option<u32>,
}

#[derive(Args, Debug)]
pub struct RecommendArgs {
    /// A saved simulated user, else a user of the interaction log.
    #[arg(long)]
    pub user: Option<String>,
    /// An action (repeatable, oldest first): TYPE:ITEM[@AGE|@TIME], e.g. purchase:1001@5m.
    #[arg(long = "action", value_name = "TYPE:ITEM[@AGE]")]
    pub actions: Vec<String>,
    /// A free-text search, as the user's latest action.
    #[arg(long)]
    pub search: Option<String>,
    /// A user with no history at all: served by popularity and new items (their quotas from
    /// --sources, else 50 popular items of the last 30 days and the 20 newest).
    #[arg(long, conflicts_with_all = ["user", "actions", "search", "scenario"])]
    pub new_user: bool,
    /// latest, profile or multi.
    #[arg(long)]
    pub strategy: Option<String>,
    /// Half-life of a profile's time decay, e.g. 24h.
    #[arg(long)]
    pub half_life: Option<String>,
    /// Weight of an event type in a profile (repeatable), e.g. --weight purchase=3.
    #[arg(long = "weight", value_name = "TYPE=W")]
    pub weights: Vec<String>,
    /// How many recent actions a profile or multi-anchor uses.
    #[arg(long)]
    pub max_actions: Option<usize>,
    /// Start from a saved scenario; other options change it.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Save the request as a scenario under this name.
    #[arg(long)]
    pub save_scenario: Option<String>,
    #[command(flatten)]
    pub common: PipelineArgs,
}

#[derive(Args, Debug)]
pub struct SimilarArgs {
    /// The item id.
    pub item: String,
    #[command(flatten)]
    pub common: PipelineArgs,
}

/// The scenario's time: `--now`, else the project's `now` setting, else the current time.
pub fn scenario_now(project: &Project, now: Option<&str>) -> Result<i64> {
    let explicit = match now {
        Some(t) => Some(
            reclab::util::parse_time(t)
                .with_context(|| format!("--now '{t}' is not a time ({})", reclab::util::TIME_FORMATS))?,
        ),
        None => None,
    };
    Ok(session::scenario_now(project, explicit)?)
}

pub fn load_rules(project: &Project, spec: &str) -> Result<RuleSet> {
    Ok(session::load_rules(project, spec)?)
}

fn key_value(spec: &str, flag: &str) -> Result<(String, String)> {
    let (k, v) = spec.split_once('=').with_context(|| format!("{flag} {spec}: expected NAME=VALUE"))?;
    Ok((k.trim().to_string(), v.trim().to_string()))
}

/// Applies the shared options to a request.
fn apply_common(project: &Project, req: &mut Request, args: &PipelineArgs) -> Result<()> {
    if let Some(f) = &args.filter {
        req.filter = f.clone();
    }
    for p in &args.params {
        let (k, v) = key_value(p, "--param")?;
        req.params.insert(k.trim_start_matches('$').to_ascii_uppercase(), v);
    }
    for id in &args.no_builtin {
        if id == "all" {
            for b in Builtin::ALL {
                b.set(&mut req.builtins, false);
            }
            continue;
        }
        let b = Builtin::from_id(id).with_context(|| {
            let ids: Vec<&str> = Builtin::ALL.iter().map(|b| b.id()).collect();
            format!("--no-builtin {id}: unknown filter; built-in filters are {}", ids.join(", "))
        })?;
        b.set(&mut req.builtins, false);
    }
    req.builtins.include_categories.extend(args.include_category.iter().cloned());
    req.builtins.exclude_categories.extend(args.exclude_category.iter().cloned());
    if let Some(r) = &args.rules {
        req.rules = load_rules(project, r)?;
    }
    if let Some(k) = args.k {
        req.k = k;
    }
    if let Some(c) = args.candidates {
        req.candidates = c;
    }
    if let Some(spec) = &args.sources {
        req.sources = Sources::parse_list(spec).map_err(|e| anyhow::anyhow!("--sources {spec}: {e}"))?;
    }
    if args.now.is_some() {
        req.now = scenario_now(project, args.now.as_deref())?;
    }
    req.baseline |= args.baseline;
    Ok(())
}

/// Refuses an output path that is the project or one of its files, before any work.
fn check_out(project: &Path, args: &PipelineArgs) -> Result<()> {
    if let Some(out) = &args.out {
        Protected::project(project).check(out)?;
    }
    Ok(())
}

/// The database backend `--backend` asks for, connected (`None` for the lab's own index).
fn remote(engine: &Engine, args: &PipelineArgs) -> Result<Option<reclab::pg::PgIndex>> {
    match session::Backend::parse(&args.backend) {
        Some(session::Backend::Lab) => Ok(None),
        Some(session::Backend::Pgvector) => {
            let url =
                args.url.as_deref().context("--backend pgvector needs --url CONN (where the project was pushed)")?;
            Ok(Some(session::connect_pgvector(engine, url, &args.schema, args.ef_search)?))
        }
        None => bail!("--backend {}: use lab or pgvector", args.backend),
    }
}

fn output(project: &Project, engine: &Engine, req: &Request, args: &PipelineArgs) -> Result<ExitCode> {
    let remote = remote(engine, args)?;
    let rec = session::recommend(engine, req, remote.as_ref().map(|r| r as &dyn reclab::pipeline::RemoteIndex))?;
    let text = if args.json {
        serde_json::to_string_pretty(&rec)? + "\n"
    } else if args.csv {
        reclab::export::trace_csv(&rec)
    } else {
        reclab::pipeline::explain::render(&rec, 5)
    };
    match &args.out {
        Some(path) => {
            reclab::output::write(path, text.as_bytes(), &Protected::project(project.path()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn recommend(project_path: &Path, args: RecommendArgs) -> Result<ExitCode> {
    check_out(project_path, &args.common)?;
    // Only saving a scenario writes to the project.
    let project = if args.save_scenario.is_some() { open_existing(project_path)? } else { open_read(project_path)? };
    let mut req = match &args.scenario {
        Some(name) => session::load_scenario(&project, name)?,
        None => Request { now: scenario_now(&project, args.common.now.as_deref())?, ..Request::default() },
    };
    apply_common(&project, &mut req, &args.common)?;
    let now = req.now;
    if let Some(user) = &args.user {
        session::set_user(&project, &mut req, user)?;
    }
    if !args.actions.is_empty() {
        let n = args.actions.len() as i64;
        req.actions = args
            .actions
            .iter()
            .enumerate()
            .map(|(i, spec)| parse_action(spec, now, now - (n - i as i64) * 60).map_err(anyhow::Error::msg))
            .collect::<Result<_>>()?;
        req.history.clear();
    }
    if let Some(q) = &args.search {
        req.search = Some(q.clone());
    }
    if let Some(s) = &args.strategy {
        req.strategy.kind =
            StrategyKind::parse(s).with_context(|| format!("--strategy {s}: use latest, profile or multi"))?;
    }
    if let Some(h) = &args.half_life {
        let secs = reclab::util::parse_duration(h)
            .with_context(|| format!("--half-life {h}: expected a duration such as 24h or 3d"))?;
        req.strategy.half_life_hours = secs as f32 / 3600.0;
    }
    for w in &args.weights {
        let (k, v) = key_value(w, "--weight")?;
        let v: f32 = v.parse().with_context(|| format!("--weight {w}: '{v}' is not a number"))?;
        req.strategy.event_weights.insert(reclab::catalog::normalize_event_type(&k), v);
    }
    if let Some(m) = args.max_actions {
        req.strategy.max_actions = m;
    }
    if req.actions.is_empty() && req.search.is_none() && !args.new_user {
        bail!(
            "say who to recommend for: --user U, --action TYPE:ITEM (repeatable), --search TEXT, --scenario NAME or --new-user"
        );
    }
    let engine = open_engine(&project, args.common.exact)?;
    if let Some(name) = &args.save_scenario {
        // Validate by running it before saving.
        engine.recommend(&req)?;
        reclab::pipeline::save_scenario(&project, name, &req)?;
        eprintln!("saved scenario '{name}'");
    }
    output(&project, &engine, &req, &args.common)
}

pub fn similar(project_path: &Path, args: SimilarArgs) -> Result<ExitCode> {
    check_out(project_path, &args.common)?;
    let project = open_read(project_path)?;
    let mut req = session::similar_request(&args.item, scenario_now(&project, args.common.now.as_deref())?);
    apply_common(&project, &mut req, &args.common)?;
    let engine = open_engine(&project, args.common.exact)?;
    output(&project, &engine, &req, &args.common)
}
