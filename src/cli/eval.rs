//! `eval` and `board`.

use super::recommend::{load_rules, scenario_now};
use super::{open_engine, open_existing, open_read, with_progress};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use reclab::embed::{ModelRef, ModelStore};
use reclab::eval::board::{Board, BoardSort};
use reclab::eval::not_shown::NotShownConfig;
use reclab::eval::{EvalBasis, EvalConfig, EvalError, EvalReport, Method};
use reclab::pipeline::{Builtin, BuiltinFilters, Catalog, Request, RuleSet, Sources, Strategy, StrategyKind};
use reclab::store::Project;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EvalArgs {
    #[command(subcommand)]
    pub cmd: Option<EvalCommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Subcommand, Debug)]
pub enum EvalCommand {
    /// Stored evaluation runs, newest first.
    Runs,
    /// A stored run.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// K of the headline metrics.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// The metric curve goes from K = 1 to this.
    #[arg(long, default_value_t = 20)]
    pub k_max: usize,
    /// Methods, comma-separated: popularity, cooccurrence, cooccurrence-norm, content.
    #[arg(long, value_delimiter = ',', default_value = "popularity,cooccurrence,cooccurrence-norm,content")]
    pub methods: Vec<String>,
    /// The content method's strategy: latest, profile or multi.
    #[arg(long, default_value = "profile")]
    pub strategy: String,
    /// The content method's re-rank rules (a preset or a file).
    #[arg(long)]
    pub rules: Option<String>,
    /// The content method's filter expression.
    #[arg(long)]
    pub filter: Option<String>,
    /// Built-in filters to turn off for the content method (repeatable, or `all`).
    #[arg(long = "no-builtin")]
    pub no_builtin: Vec<String>,
    /// The content method's candidate sources, e.g. `content,cooccurrence:100,new_items:20`
    /// (see `reclab recommend --help`).
    #[arg(long)]
    pub sources: Option<String>,
    /// Take the content method's settings (strategy, filters, rules) from a saved scenario.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Add a second content method (B) from a saved scenario, and compare it with the first.
    #[arg(long)]
    pub compare_scenario: Option<String>,
    /// Add a second content method (B): the first with these rules instead; `none` for none.
    #[arg(long)]
    pub compare_rules: Option<String>,
    /// Only this vertical's items and events.
    #[arg(long)]
    pub vertical: Option<String>,
    /// Recommend for every user at this time (default: just before each test event).
    #[arg(long, conflicts_with = "at_now")]
    pub at: Option<String>,
    /// Recommend for every user at the project's now.
    #[arg(long)]
    pub at_now: bool,
    /// Evaluate this interaction file instead of the project's log.
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// A name for the stored run.
    #[arg(long)]
    pub label: Option<String>,
    /// Do not store the run in the project.
    #[arg(long)]
    pub no_save: bool,
    #[arg(long)]
    pub json: bool,
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// What `reclab eval` ranks with: the engine, or the catalog of a project without vectors.
enum Ranker {
    Engine(Box<reclab::pipeline::Engine>),
    Catalog(Catalog),
}

fn content_method(project: &Project, args: &RunArgs) -> Result<Method> {
    if let Some(name) = &args.scenario {
        return Ok(Method::from_request(&format!("content ({name})"), &load_scenario(project, name)?));
    }
    let kind = StrategyKind::parse(&args.strategy)
        .with_context(|| format!("--strategy {}: use latest, profile or multi", args.strategy))?;
    let mut builtins = BuiltinFilters::default();
    for id in &args.no_builtin {
        if id == "all" {
            Builtin::ALL.iter().for_each(|b| b.set(&mut builtins, false));
            continue;
        }
        Builtin::from_id(id)
            .with_context(|| format!("--no-builtin {id}: unknown built-in filter"))?
            .set(&mut builtins, false);
    }
    let rules = match &args.rules {
        Some(r) => load_rules(project, r)?,
        None => RuleSet::default(),
    };
    let label = format!(
        "content ({}{})",
        kind.as_str(),
        rules
            .name
            .as_ref()
            .map(|n| format!(", {n}"))
            .or_else(|| args.rules.as_ref().map(|r| format!(", {r}")))
            .unwrap_or_default()
    );
    Ok(Method::Content {
        label,
        strategy: Strategy { kind, ..Strategy::default() },
        filter: args.filter.clone().unwrap_or_default(),
        params: Default::default(),
        builtins,
        rules,
        sources: match &args.sources {
            Some(spec) => Sources::parse_list(spec).map_err(|e| anyhow::anyhow!("--sources {spec}: {e}"))?,
            None => Sources::default(),
        },
    })
}

fn load_scenario(project: &Project, name: &str) -> Result<Request> {
    Ok(reclab::session::load_scenario(project, name)?)
}

fn print_report(project: &Project, report: &EvalReport, json: bool, csv: bool, out: &Option<PathBuf>) -> Result<()> {
    let text = if json {
        serde_json::to_string_pretty(report)? + "\n"
    } else if csv {
        reclab::eval::to_csv(report)
    } else {
        reclab::eval::render(report)
    };
    match out {
        Some(p) => {
            reclab::output::write(p, text.as_bytes(), &reclab::output::Protected::project(project.path()))?;
            eprintln!("wrote {}", p.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

pub fn eval(project_path: &Path, args: EvalArgs) -> Result<ExitCode> {
    if let Some(out) = &args.run.out {
        reclab::output::Protected::project(project_path).check(out)?;
    }
    // Only storing the run writes to the project.
    let project =
        if args.cmd.is_none() && !args.run.no_save { open_existing(project_path)? } else { open_read(project_path)? };
    match args.cmd {
        Some(EvalCommand::Runs) => {
            let runs = project.list_eval_runs()?;
            if runs.is_empty() {
                println!("no stored runs; `reclab eval` makes one");
            }
            for (id, at, label) in runs {
                println!("{id:>4}  {}  {label}", reclab::util::format_time(at));
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(EvalCommand::Show { id, json, csv }) => {
            let run = project.eval_run(id)?.with_context(|| format!("no stored run {id}"))?;
            let report: EvalReport = serde_json::from_str(&run.report).context("the stored report is damaged")?;
            print_report(&project, &report, json, csv, &None)?;
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
    }
    let a = args.run;
    let mut methods = Vec::new();
    for m in &a.methods {
        methods.push(match m.trim() {
            "popularity" => Method::Popularity,
            "cooccurrence" | "co-occurrence" => Method::CoOccurrence,
            "cooccurrence-norm" | "cooccurrence-normalized" => Method::CoOccurrenceNormalized,
            "content" => content_method(&project, &a)?,
            other => {
                bail!("--methods: unknown method '{other}'; use popularity, cooccurrence, cooccurrence-norm, content")
            }
        });
    }
    // B is compared with A, the content method: it is there even when --methods left it out.
    let compared = a.compare_scenario.is_some() || a.compare_rules.is_some();
    if compared && !methods.iter().any(|m| matches!(m, Method::Content { .. })) {
        methods.push(content_method(&project, &a)?);
    }
    if let Some(name) = &a.compare_scenario {
        methods.push(Method::from_request(&format!("content ({name})"), &load_scenario(&project, name)?));
    } else if let Some(r) = &a.compare_rules {
        let mut b = content_method(&project, &a)?;
        if let Method::Content { label, rules, .. } = &mut b {
            *rules = if r == "none" { RuleSet::default() } else { load_rules(&project, r)? };
            *label = format!("{label} → rules {r}");
        }
        methods.push(b);
    }
    let at = if a.at_now {
        Some(scenario_now(&project, None)?)
    } else {
        a.at.as_deref().map(|t| scenario_now(&project, Some(t))).transpose()?
    };
    let (log, source) = match &a.log {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let table = reclab::catalog::read_table_bytes(path, &bytes)?;
            let parsed = reclab::catalog::parse_interactions(path, &table, &[])?;
            for r in &parsed.rejected {
                eprintln!("{}: line {}: {} (row left out)", path.display(), r.line, r.reason);
            }
            (parsed.events, path.display().to_string())
        }
        None => (project.load_interactions()?, "the project's interaction log".to_string()),
    };
    let config =
        EvalConfig { k: a.k.max(1), k_max: a.k_max.max(a.k).max(1), methods, vertical: a.vertical.clone(), at, source };
    // The baselines need only the catalog and the log: without vectors, content is skipped.
    let ranker = match ModelRef::of_project(&project, &ModelStore::default_location())? {
        Some(_) => Ranker::Engine(Box::new(open_engine(&project, false)?)),
        None => Ranker::Catalog(Catalog::new(project.load_items()?, project.attributes()?)),
    };
    let config2 = config.clone();
    let report = with_progress("eval", move |sink| {
        let basis = match &ranker {
            Ranker::Engine(e) => EvalBasis::Engine(e),
            Ranker::Catalog(c) => EvalBasis::without_vectors(c),
        };
        reclab::eval::evaluate(basis, &log, &config2, sink)
    })?
    .map_err(|e| match e {
        EvalError::NothingRan(_) => anyhow::anyhow!("{e} (`reclab embed` gives the items vectors)"),
        e => e.into(),
    })?;
    for m in &report.skipped {
        eprintln!("note: {} skipped: {} (`reclab embed` gives the items vectors)", m.method, m.reason);
    }
    if !a.no_save {
        let label = a.label.clone().unwrap_or_else(|| {
            let names: Vec<String> = report.methods.iter().map(|m| m.method.clone()).collect();
            format!(
                "K={} {}{}",
                report.config.k,
                names.join(" | "),
                report.config.vertical.as_ref().map(|v| format!(" [{v}]")).unwrap_or_default()
            )
        });
        let id = project.save_eval_run(&label, &serde_json::to_string(&config)?, &serde_json::to_string(&report)?)?;
        eprintln!("stored as run {id} (`reclab eval show {id}`)");
    }
    print_report(&project, &report, a.json, a.csv, &a.out)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct BoardArgs {
    /// The end of the window (default: the project's now).
    #[arg(long)]
    pub at: Option<String>,
    /// The window's length, e.g. 24h or 7d.
    #[arg(long, default_value = "24h")]
    pub window: String,
    /// Rank by views, clicks, carts, orders or rate.
    #[arg(long, default_value = "orders")]
    pub sort: String,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    #[arg(long)]
    pub json: bool,
    /// List the board's top items that the pipeline never recommends to the log's latest
    /// users, each with what keeps it out (filter, rule, the cut, or not a candidate).
    #[arg(long)]
    pub not_shown: bool,
    /// With --not-shown: the pipeline (filters, rules, strategy, K) of this saved scenario
    /// (default: the default pipeline).
    #[arg(long, requires = "not_shown")]
    pub scenario: Option<String>,
    /// With --not-shown: how many of the log's latest active users to recommend for.
    #[arg(long, default_value_t = 50, requires = "not_shown")]
    pub users: usize,
}

pub fn board(project_path: &Path, args: BoardArgs) -> Result<ExitCode> {
    let project = open_read(project_path)?;
    let at = scenario_now(&project, args.at.as_deref())?;
    let window = reclab::util::parse_duration(&args.window)
        .with_context(|| format!("--window {}: expected a duration such as 24h", args.window))?;
    let sort = BoardSort::parse(&args.sort)
        .with_context(|| format!("--sort {}: use views, clicks, carts, orders or rate", args.sort))?;
    let log = project.load_interactions()?;
    let board = Board::new(&log);
    if args.not_shown {
        let config = NotShownConfig { at, window, sort, top: args.top, users: args.users };
        return not_shown(&project, &board, &log, &config, args.scenario.as_deref(), args.json);
    }
    let rows = board.at(at, window, sort);
    let names: std::collections::HashMap<String, String> =
        project.load_items()?.into_iter().map(|(_, i)| (i.id.clone(), i.display_name().to_string())).collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows.iter().take(args.top).collect::<Vec<_>>())?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "reaction board for ({}, {}], ranked by {}; log from {} to {}",
        reclab::util::format_time(at - window),
        reclab::util::format_time(at),
        sort.label(),
        reclab::util::format_time(board.first),
        reclab::util::format_time(board.last)
    );
    println!(
        "{:>4}  {}  {:>6} {:>6} {:>6} {:>6} {:>6}  {:>5} {:>5} {:>5} {:>5} {:>5}",
        "#",
        reclab::pipeline::explain::fit("item", 36),
        "views",
        "clicks",
        "carts",
        "orders",
        "rate",
        "#v",
        "#c",
        "#a",
        "#o",
        "#r"
    );
    for (i, r) in rows.iter().take(args.top).enumerate() {
        let name = format!("{} {}", r.item_id, names.get(&r.item_id).map(String::as_str).unwrap_or("(not in catalog)"));
        println!(
            "{:>4}  {}  {:>6} {:>6} {:>6} {:>6} {:>5.1}%  {:>5} {:>5} {:>5} {:>5} {:>5}{}",
            i + 1,
            reclab::pipeline::explain::fit(&name, 36),
            r.views,
            r.clicks,
            r.carts,
            r.orders,
            100.0 * r.order_rate,
            r.ranks[0],
            r.ranks[1],
            r.ranks[2],
            r.ranks[3],
            r.ranks[4],
            if r.hot {
                format!("  ▲ hot: {} events, {} the window before", r.events, r.previous)
            } else {
                String::new()
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn not_shown(
    project: &Project,
    board: &Board,
    log: &[reclab::catalog::Interaction],
    config: &NotShownConfig,
    scenario: Option<&str>,
    json: bool,
) -> Result<ExitCode> {
    let base = match scenario {
        Some(name) => load_scenario(project, name)?,
        None => Request::default(),
    };
    let engine = open_engine(project, false)?;
    let report =
        reclab::eval::not_shown::not_shown(&engine, board, log, &base, config, &reclab::jobs::ProgressSink::none())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "hot but not shown: of the board's top {} by {} in ({}, {}], {} reach some of the {} latest users' top {}; {} never{}",
        report.hot,
        report.sort.label(),
        reclab::util::format_time(report.at - report.window),
        reclab::util::format_time(report.at),
        report.hot_shown,
        report.users.len(),
        report.k,
        report.items.len(),
        if report.unserved > 0 { format!(" ({} users could not be served)", report.unserved) } else { String::new() }
    );
    for i in &report.items {
        println!(
            "{:>4}  {}  {:>5} views {:>4} orders  {}",
            format!("#{}", i.board_rank),
            reclab::pipeline::explain::fit(&format!("{} {}", i.item_id, i.name), 36),
            i.views,
            i.orders,
            i.reason
        );
    }
    Ok(ExitCode::SUCCESS)
}
