//! The bundled sample data (`sample_data/`), compiled into the binary so the lab opens on a
//! ready project wherever it runs.

use crate::catalog::{ImportOptions, ImportReport};
use crate::jobs::ProgressSink;
use crate::pipeline::user::{ADD_TO_CART, PURCHASE, VIEW};
use crate::pipeline::{BuiltinFilters, Request, Rule, RuleEntry, RuleSet, Strategy, StrategyKind};
use crate::store::{ImportKind, Named, Project, SimAction, StoreError};
use std::path::Path;

pub const CATALOG_CSV: &str = include_str!("../sample_data/catalog.csv");
pub const INTERACTIONS_CSV: &str = include_str!("../sample_data/interactions.csv");
pub const NEW_ITEMS_CSV: &str = include_str!("../sample_data/new_items.csv");

/// The "now" of the sample scenarios: 2026-11-15T12:00:00Z, just after the last logged event.
pub const SAMPLE_NOW: i64 = 1_794_744_000;

/// Imports the sample catalog and interactions into `project` (the new items are left for
/// cold-start demos). Returns the two import reports.
pub fn import_sample(project: &mut Project, sink: &ProgressSink) -> Result<Vec<ImportReport>, StoreError> {
    let opts = ImportOptions::default();
    let catalog = project.import_bytes(
        Path::new("sample_data/catalog.csv"),
        CATALOG_CSV.as_bytes(),
        ImportKind::Catalog,
        &opts,
        sink,
    )?;
    let events = project.import_bytes(
        Path::new("sample_data/interactions.csv"),
        INTERACTIONS_CSV.as_bytes(),
        ImportKind::Interactions,
        &opts,
        sink,
    )?;
    if project.setting("now")?.is_none() {
        project.set_setting("now", &crate::util::format_time(SAMPLE_NOW))?;
    }
    install_examples(project)?;
    // The window opens on the in-game shop launch.
    if project.setting(crate::session::START_SCENARIO)?.is_none() {
        project.set_setting(crate::session::START_SCENARIO, LAUNCH_SCENARIO)?;
    }
    Ok(vec![catalog, events])
}

/// The scenario a window opens the sample with: Serena bought a few minutes ago.
pub const LAUNCH_SCENARIO: &str = "shop-launch";

fn act(event: &str, item: &str, minutes_ago: i64) -> SimAction {
    SimAction::on_item(event, item, SAMPLE_NOW - minutes_ago * 60)
}

/// Rule presets and scenarios that show the lab at work on the sample data. Existing ones with
/// the same names are left alone.
pub fn install_examples(project: &Project) -> Result<(), StoreError> {
    let launch_week = RuleSet {
        name: Some("launch-week".into()),
        rules: vec![
            RuleEntry::new(Rule::Popularity { weight: 0.06, window_days: Some(7.0) }),
            RuleEntry::new(Rule::NewItem { weight: 0.08, max_age_days: Some(14.0) }),
            RuleEntry::new(Rule::Mmr { lambda: 0.75 }),
            RuleEntry {
                label: Some("promote helpers".into()),
                ..RuleEntry::new(Rule::Pin {
                    filter: r#"INCLUDE ItemID WHERE Items.CATEGORY = "Helper""#.into(),
                    slots: vec![3],
                })
            },
        ],
    };
    let fresh_first = RuleSet {
        name: Some("fresh-first".into()),
        rules: vec![
            RuleEntry::new(Rule::Freshness { weight: 0.08, horizon_days: 3.0 }),
            RuleEntry::new(Rule::SameCategory { weight: -0.03 }),
            RuleEntry::new(Rule::Popularity { weight: 0.03, window_days: Some(14.0) }),
        ],
    };
    let scenarios = [
        (
            LAUNCH_SCENARIO,
            Request { user: Some("launch-demo".into()), actions: vec![act(PURCHASE, "1001", 5)], ..Request::default() },
        ),
        (
            "serena-launch",
            Request {
                user: Some("launch-demo".into()),
                actions: vec![act(VIEW, "1003", 12), act(PURCHASE, "1001", 5)],
                filter: r#"EXCLUDE ItemID WHERE Items.CATEGORY = "Descendant""#.into(),
                rules: launch_week.clone(),
                ..Request::default()
            },
        ),
        (
            "korean-bbq-basket",
            Request {
                user: Some("bbq-shopper".into()),
                actions: vec![act(PURCHASE, "2086", 2 * 24 * 60), act(VIEW, "2330", 90), act(ADD_TO_CART, "2225", 30)],
                strategy: Strategy { kind: StrategyKind::Profile, half_life_hours: 12.0, ..Strategy::default() },
                builtins: BuiltinFilters { owned: false, ..BuiltinFilters::default() },
                filter: "EXCLUDE ItemID WHERE Items.DAYS_TO_EXPIRY < 1".into(),
                rules: fresh_first.clone(),
                ..Request::default()
            },
        ),
        (
            // For `reclab eval --vertical grocery --at-now`: the same pipeline without and
            // with the expiry filter and the freshness boost.
            "grocery-no-freshness",
            Request {
                strategy: Strategy { kind: StrategyKind::Profile, ..Strategy::default() },
                builtins: BuiltinFilters { owned: false, expired: false, ..BuiltinFilters::default() },
                ..Request::default()
            },
        ),
        (
            "grocery-freshness",
            Request {
                strategy: Strategy { kind: StrategyKind::Profile, ..Strategy::default() },
                builtins: BuiltinFilters { owned: false, ..BuiltinFilters::default() },
                rules: RuleSet {
                    name: Some("freshness".into()),
                    rules: vec![RuleEntry::new(Rule::Freshness { weight: 0.08, horizon_days: 3.0 })],
                },
                ..Request::default()
            },
        ),
        (
            "winter-search",
            Request {
                user: Some("searcher".into()),
                search: Some("warm winter jacket".into()),
                builtins: BuiltinFilters { include_categories: vec!["Outerwear".into()], ..BuiltinFilters::default() },
                ..Request::default()
            },
        ),
    ];
    for set in [&launch_week, &fresh_first] {
        let name = set.name.clone().unwrap_or_default();
        if project.load_named(Named::RulePreset, &name)?.is_none() {
            project.save_named(Named::RulePreset, &name, &set.to_json())?;
        }
    }
    for (name, req) in scenarios {
        if project.load_named(Named::Scenario, name)?.is_none() {
            project.save_named(Named::Scenario, name, &serde_json::to_string_pretty(&req).unwrap_or_default())?;
        }
    }
    Ok(())
}
