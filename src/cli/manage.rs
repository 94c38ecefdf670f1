//! `users`, `rules`, `scenarios` and `items`.

use super::recommend::scenario_now;
use super::{open_engine, open_existing, open_read};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use reclab::catalog::{AttrValue, Field, ImportOptions, Item, ItemUpdate};
use reclab::jobs::ProgressSink;
use reclab::pipeline::RuleSet;
use reclab::pipeline::user::{parse_action, verb};
use reclab::store::{Named, SimUser};
use reclab::util::{describe_age, format_time};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// Saved simulated users, and the most active users of the interaction log.
    List {
        #[arg(long, default_value_t = 10)]
        log_users: usize,
    },
    /// A user's timeline (saved, or from the log).
    Show {
        user: String,
    },
    /// Create (or replace) a simulated user from actions, oldest first.
    Create {
        user: String,
        /// TYPE:ITEM[@AGE|@TIME], repeatable.
        #[arg(long = "action", value_name = "TYPE:ITEM[@AGE]", required = true)]
        actions: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Add actions to a simulated user.
    AddAction {
        user: String,
        #[arg(long = "action", value_name = "TYPE:ITEM[@AGE]", required = true)]
        actions: Vec<String>,
    },
    /// Remove a simulated user's action by its position (1 = oldest).
    RemoveAction {
        user: String,
        position: usize,
    },
    /// Save a simulated user made of a log user's latest events.
    FromLog {
        user: String,
        /// Name of the simulated user (default: the log user's id).
        #[arg(long = "as")]
        name: Option<String>,
        #[arg(long, default_value_t = 20)]
        last: usize,
    },
    Delete {
        user: String,
    },
}

pub fn users(project_path: &Path, cmd: UsersCommand) -> Result<ExitCode> {
    let mut project = match cmd {
        UsersCommand::List { .. } | UsersCommand::Show { .. } => open_read(project_path)?,
        _ => open_existing(project_path)?,
    };
    let now = scenario_now(&project, None)?;
    match cmd {
        UsersCommand::List { log_users } => {
            let saved = project.list_users()?;
            println!("simulated users: {}", if saved.is_empty() { "(none)".to_string() } else { saved.join(", ") });
            let top = project.log_users(log_users)?;
            if !top.is_empty() {
                println!("most active users of the interaction log:");
                for (u, n) in top {
                    println!("  {u:<12} {n} events");
                }
            }
        }
        UsersCommand::Show { user } => {
            let u = match project.load_user(&user)? {
                Some(u) => u,
                None => project.user_from_log(&user, usize::MAX)?,
            };
            if !u.note.is_empty() {
                println!("{}: {}", u.id, u.note);
            }
            for (i, a) in u.actions.iter().enumerate() {
                let what = match (&a.item_id, &a.query) {
                    (_, Some(q)) => format!("“{q}”"),
                    (Some(id), None) => {
                        let name = project
                            .item(id)?
                            .map(|(_, it)| it.display_name().to_string())
                            .unwrap_or_else(|| "(not in the catalog)".into());
                        format!("{id} {name}")
                    }
                    (None, None) => String::new(),
                };
                println!(
                    "{:>3}  {}  {:<14} {}  ({})",
                    i + 1,
                    format_time(a.ts),
                    verb(&a.event_type),
                    what,
                    describe_age(a.ts, now)
                );
            }
        }
        UsersCommand::Create { user, actions, note } => {
            let actions = parse_actions(&actions, now)?;
            check_items(&project, &actions)?;
            project.save_user(&SimUser { id: user.clone(), note, actions })?;
            println!("saved simulated user {user}");
        }
        UsersCommand::AddAction { user, actions } => {
            let mut u = project
                .load_user(&user)?
                .with_context(|| format!("no simulated user '{user}' (create it with `reclab users create`)"))?;
            let new = parse_actions(&actions, now)?;
            check_items(&project, &new)?;
            u.actions.extend(new);
            u.actions.sort_by_key(|a| a.ts);
            project.save_user(&u)?;
            println!("{user} now has {} actions", u.actions.len());
        }
        UsersCommand::RemoveAction { user, position } => {
            let mut u = project.load_user(&user)?.with_context(|| format!("no simulated user '{user}'"))?;
            if position == 0 || position > u.actions.len() {
                bail!("{user} has {} actions; position {position} is out of range (1 = oldest)", u.actions.len());
            }
            u.actions.remove(position - 1);
            project.save_user(&u)?;
            println!("{user} now has {} actions", u.actions.len());
        }
        UsersCommand::FromLog { user, name, last } => {
            let mut u = project.user_from_log(&user, last)?;
            if let Some(n) = name {
                u.id = n;
            }
            project.save_user(&u)?;
            println!("saved simulated user {} with the last {} events of {user}", u.id, u.actions.len());
        }
        UsersCommand::Delete { user } => {
            project.delete_user(&user)?;
            println!("deleted {user}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_actions(specs: &[String], now: i64) -> Result<Vec<reclab::store::SimAction>> {
    let n = specs.len() as i64;
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| parse_action(s, now, now - (n - i as i64) * 60).map_err(anyhow::Error::msg))
        .collect()
}

fn check_items(project: &reclab::store::Project, actions: &[reclab::store::SimAction]) -> Result<()> {
    for a in actions {
        if let Some(id) = &a.item_id
            && project.item(id)?.is_none()
        {
            bail!("item {id} is not in the catalog");
        }
    }
    Ok(())
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum RulesFormat {
    Toml,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Rule presets saved in the project.
    List,
    /// Print a preset.
    Show {
        name: String,
        #[arg(long, value_enum, default_value_t = RulesFormat::Toml)]
        format: RulesFormat,
    },
    /// Save rules from a JSON or TOML file as a preset.
    Save {
        name: String,
        file: PathBuf,
    },
    Delete {
        name: String,
    },
    /// Print an example rule set to start from.
    Example {
        #[arg(long, value_enum, default_value_t = RulesFormat::Toml)]
        format: RulesFormat,
    },
}

pub fn rules(project_path: &Path, cmd: RulesCommand) -> Result<ExitCode> {
    let print = |set: &RuleSet, format: RulesFormat| match format {
        RulesFormat::Toml => print!("{}", set.to_toml()),
        RulesFormat::Json => println!("{}", set.to_json()),
    };
    if let RulesCommand::Example { format } = cmd {
        print(&RuleSet::example(), format);
        return Ok(ExitCode::SUCCESS);
    }
    let project = match cmd {
        RulesCommand::List | RulesCommand::Show { .. } => open_read(project_path)?,
        _ => open_existing(project_path)?,
    };
    match cmd {
        RulesCommand::List => {
            for name in project.list_named(Named::RulePreset)? {
                let set = project.load_named(Named::RulePreset, &name)?.and_then(|b| RuleSet::parse(&b, &name).ok());
                let kinds: Vec<&str> = set.iter().flat_map(|s| s.rules.iter().map(|r| r.rule.kind())).collect();
                println!("{name:<20} {}", kinds.join(", "));
            }
        }
        RulesCommand::Show { name, format } => {
            let body =
                project.load_named(Named::RulePreset, &name)?.with_context(|| format!("no rule preset '{name}'"))?;
            print(&RuleSet::parse(&body, &name)?, format);
        }
        RulesCommand::Save { name, file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut set = RuleSet::parse(&text, &file.display().to_string())?;
            set.name = Some(name.clone());
            reclab::pipeline::save_rule_preset(&project, &name, &set)?;
            println!("saved rule preset {name} ({} rules)", set.rules.len());
        }
        RulesCommand::Delete { name } => {
            if !project.delete_named(Named::RulePreset, &name)? {
                bail!("no rule preset '{name}'");
            }
            println!("deleted {name}");
        }
        RulesCommand::Example { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum ScenariosCommand {
    /// Scenarios saved in the project (`recommend --save-scenario NAME`).
    List,
    /// Print a scenario as JSON.
    Show {
        name: String,
    },
    Delete {
        name: String,
    },
}

pub fn scenarios(project_path: &Path, cmd: ScenariosCommand) -> Result<ExitCode> {
    let project = match cmd {
        ScenariosCommand::Delete { .. } => open_existing(project_path)?,
        _ => open_read(project_path)?,
    };
    match cmd {
        ScenariosCommand::List => {
            for name in project.list_named(Named::Scenario)? {
                println!("{name}");
            }
        }
        ScenariosCommand::Show { name } => {
            println!(
                "{}",
                project.load_named(Named::Scenario, &name)?.with_context(|| format!("no scenario '{name}'"))?
            );
        }
        ScenariosCommand::Delete { name } => {
            if !project.delete_named(Named::Scenario, &name)? {
                bail!("no scenario '{name}'");
            }
            println!("deleted {name}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum ItemsCommand {
    /// Add items (cold start): from a file, or one item from options. They are embedded and
    /// indexed at once and can appear in the very next recommendation.
    Add(Box<AddItemArgs>),
    /// Items whose name or id contains the text.
    List {
        #[arg(default_value = "")]
        search: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Every field of one item.
    Show { id: String },
}

#[derive(Args, Debug)]
pub struct AddItemArgs {
    /// A catalog file (CSV, JSON, JSON Lines) of new or changed items.
    #[arg(long, conflicts_with = "id")]
    pub file: Option<PathBuf>,
    #[arg(long, required_unless_present = "file")]
    pub id: Option<String>,
    #[arg(long, required_unless_present = "file")]
    pub name: Option<String>,
    #[arg(long)]
    pub name_alt: Option<String>,
    #[arg(long)]
    pub category: Option<String>,
    /// Comma- or |-separated tags.
    #[arg(long)]
    pub tags: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub price: Option<f64>,
    #[arg(long)]
    pub stock: Option<i64>,
    #[arg(long)]
    pub purchase_limit: Option<i64>,
    /// Release time (default: now).
    #[arg(long)]
    pub released_at: Option<String>,
    #[arg(long)]
    pub expires_at: Option<String>,
    #[arg(long)]
    pub vertical: Option<String>,
    /// An attribute (repeatable): NAME=VALUE.
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    pub attrs: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

fn time_arg(flag: &str, v: &Option<String>) -> Result<Option<i64>> {
    v.as_deref()
        .map(|t| {
            reclab::util::parse_time(t)
                .with_context(|| format!("--{flag} '{t}' is not a time ({})", reclab::util::TIME_FORMATS))
        })
        .transpose()
}

pub fn items(project_path: &Path, cmd: ItemsCommand) -> Result<ExitCode> {
    let mut project = match cmd {
        ItemsCommand::Add(_) => open_existing(project_path)?,
        _ => open_read(project_path)?,
    };
    match cmd {
        ItemsCommand::Add(a) => {
            let now = scenario_now(&project, None)?;
            let items: Vec<ItemUpdate> = match &a.file {
                Some(file) => {
                    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
                    let table = reclab::catalog::read_table_bytes(file, &bytes)?;
                    let parsed = reclab::catalog::parse_catalog(file, &table, &ImportOptions::default())?;
                    for r in &parsed.rejected {
                        eprintln!("rejected line {}: {}", r.line, r.reason);
                    }
                    project.merge_attributes(&parsed.attributes)?;
                    parsed.items
                }
                None => {
                    let item = Item {
                        id: a.id.clone().unwrap_or_default(),
                        name: a.name.clone().unwrap_or_default(),
                        name_alt: a.name_alt.clone().filter(|s| !s.is_empty()),
                        category: a.category.clone().filter(|s| !s.is_empty()),
                        tags: a
                            .tags
                            .as_deref()
                            .map(|t| reclab::catalog::parse_tags(&reclab::catalog::RawValue::Text(t.into())))
                            .unwrap_or_default(),
                        description: a.description.clone().filter(|s| !s.is_empty()),
                        price: a.price,
                        stock: a.stock,
                        purchase_limit: a.purchase_limit,
                        released_at: time_arg("released-at", &a.released_at)?,
                        expires_at: time_arg("expires-at", &a.expires_at)?,
                        vertical: a.vertical.clone().filter(|s| !s.is_empty()),
                        ..Default::default()
                    };
                    if item.id.trim().is_empty() {
                        bail!("--id is empty");
                    }
                    // Only the options given change the item (an empty value clears a field).
                    let given = [
                        (Field::Name, a.name.is_some()),
                        (Field::NameAlt, a.name_alt.is_some()),
                        (Field::Category, a.category.is_some()),
                        (Field::Tags, a.tags.is_some()),
                        (Field::Description, a.description.is_some()),
                        (Field::Price, a.price.is_some()),
                        (Field::Stock, a.stock.is_some()),
                        (Field::PurchaseLimit, a.purchase_limit.is_some()),
                        (Field::ReleasedAt, a.released_at.is_some()),
                        (Field::ExpiresAt, a.expires_at.is_some()),
                        (Field::Vertical, a.vertical.is_some()),
                    ];
                    let fields = given.into_iter().filter(|(_, g)| *g).map(|(f, _)| f);
                    let mut update = ItemUpdate::of_fields(item, fields, now);
                    for kv in &a.attrs {
                        let (k, v) = kv.split_once('=').with_context(|| format!("--attr {kv}: expected NAME=VALUE"))?;
                        let value = match v.trim() {
                            "" => None,
                            "true" | "false" => Some(AttrValue::Bool(v.trim() == "true")),
                            t => Some(
                                t.parse::<i64>()
                                    .map(AttrValue::Int)
                                    .or_else(|_| t.parse::<f64>().map(AttrValue::Float))
                                    .unwrap_or(AttrValue::Text(t.into())),
                            ),
                        };
                        update.attrs.insert(k.trim().to_string());
                        if let Some(value) = value {
                            update.item.attrs.insert(k.trim().to_string(), value);
                        }
                    }
                    vec![update]
                }
            };
            if items.is_empty() {
                bail!("no items to add");
            }
            let mut engine = open_engine(&project, false)?;
            let report = engine.add_items(&mut project, &items, &ProgressSink::none())?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!(
                    "added {} and updated {} item(s); embedded {} text(s) and indexed them in {:.2} s (no rebuild)",
                    report.added.len(),
                    report.updated.len(),
                    report.embedded,
                    report.seconds
                );
            }
        }
        ItemsCommand::List { search, limit } => {
            let rows = project.load_items()?;
            let catalog = reclab::pipeline::Catalog::new(rows, Default::default());
            for it in catalog.search(&search, limit) {
                println!(
                    "{:<8} {}  {}",
                    it.id,
                    reclab::pipeline::explain::fit(
                        &format!(
                            "{}{}",
                            it.name,
                            it.name_alt.as_deref().map(|a| format!(" / {a}")).unwrap_or_default()
                        ),
                        48
                    ),
                    it.category.as_deref().unwrap_or("")
                );
            }
        }
        ItemsCommand::Show { id } => {
            let (key, item) = project.item(&id)?.with_context(|| format!("no item '{id}' in the catalog"))?;
            let kinds = project.attributes()?;
            println!("{:<16} {}", "id", item.id);
            println!("{:<16} {key}", "key");
            println!("{:<16} {}", "name", item.name);
            let opt = |label: &str, v: Option<String>| {
                if let Some(v) = v {
                    println!("{label:<16} {v}");
                }
            };
            opt("name_alt", item.name_alt.clone());
            opt("category", item.category.clone());
            opt("tags", (!item.tags.is_empty()).then(|| item.tags.join(", ")));
            opt("description", item.description.clone());
            opt("price", item.price.map(|p| p.to_string()));
            opt("stock", item.stock.map(|p| p.to_string()));
            opt("purchase_limit", item.purchase_limit.map(|p| p.to_string()));
            opt("released_at", item.released_at.map(format_time));
            opt("expires_at", item.expires_at.map(format_time));
            opt("vertical", item.vertical.clone());
            for (k, v) in &item.attrs {
                println!("{k:<16} {}", v.display(kinds.get(k).copied().unwrap_or(reclab::catalog::AttrKind::Text)));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
