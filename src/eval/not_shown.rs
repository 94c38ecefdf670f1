//! "Hot but not shown": the items high on the reaction board that the current pipeline never
//! recommends to the log's recent users, each with what keeps it out: the filter that removes
//! it, the re-rank rule that pushes it below the cut, the cut itself, or that it is never a
//! candidate. Everything is read from the pipeline's own trace, so the reason is the one the
//! pipeline acted on.

use super::board::{Board, BoardSort};
use crate::catalog::Interaction;
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, PipelineError, Request, Rule, RuleEntry, RuleSet};
use crate::store::SimAction;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum NotShownError {
    #[error("no hot items to check: the board is empty in the window ending {0}")]
    EmptyBoard(String),
    #[error("no user of the interaction log has an event before {0}")]
    NoUsers(String),
    #[error("the check of the board's items was cancelled")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("the pipeline failed for user {user}: {source}")]
    Pipeline {
        user: String,
        #[source]
        source: Box<PipelineError>,
    },
}

/// What to check.
#[derive(Debug, Clone, PartialEq)]
pub struct NotShownConfig {
    /// The board's moment and window (the window ends at `at`).
    pub at: i64,
    pub window: i64,
    pub sort: BoardSort,
    /// How many of the board's top items count as "hot".
    pub top: usize,
    /// How many of the log's users, latest active first, get recommendations.
    pub users: usize,
}

impl Default for NotShownConfig {
    fn default() -> Self {
        Self { at: 0, window: 86_400, sort: BoardSort::Orders, top: 20, users: 50 }
    }
}

/// Why an item is not shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// The item is not in the catalog (the log names an item the project does not have).
    NotInCatalog,
    /// A filter removed it (for `users` of the users checked); `example` is its reason for one.
    Filter { id: String, label: String, users: usize, example: String },
    /// It passed the filters within the top K by similarity, and a re-rank rule moved it out.
    Rule { rule: String, users: usize },
    /// It passed the filters but ranked below the top K.
    BelowCut { users: usize, best_rank: usize },
    /// It was never among the nearest candidates of any user checked.
    NotCandidate,
}

impl Why {
    /// One line for people.
    pub fn describe(&self, users_checked: usize, k: usize) -> String {
        match self {
            Why::NotInCatalog => "not in the catalog: the log names an item the project does not have".into(),
            Why::Filter { id, label, users, example } => {
                format!("removed by filter {id} ({label}) for {users} of {users_checked} users, e.g. \"{example}\"")
            }
            Why::Rule { rule, users } => format!(
                "re-rank rule {rule} pushes it out of the top {k} for {users} of {users_checked} users (without it, it is shown)"
            ),
            Why::BelowCut { users, best_rank } => format!(
                "passes the filters for {users} of {users_checked} users but ranks below the top {k} (best: #{best_rank} of the items that pass)"
            ),
            Why::NotCandidate => format!(
                "never among the nearest candidates of the {users_checked} users' recent items (too unlike what they did)"
            ),
        }
    }

    /// A few words: what kind of thing keeps it out.
    pub fn short(&self) -> String {
        match self {
            Why::NotInCatalog => "not in the catalog".into(),
            Why::Filter { label, .. } => format!("filter: {label}"),
            Why::Rule { rule, .. } => format!("rule: {rule}"),
            Why::BelowCut { .. } => "below the top K".into(),
            Why::NotCandidate => "never a candidate".into(),
        }
    }

    /// A pin rule can bring it into the results (a pin picks among the candidates that pass
    /// every filter; it overrides neither a filter nor the candidate search).
    pub fn pin_helps(&self) -> bool {
        matches!(self, Why::Rule { .. } | Why::BelowCut { .. })
    }
}

/// One hot item the pipeline does not show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotShown {
    pub item_id: String,
    pub name: String,
    /// Its rank on the board (by the board's sort).
    pub board_rank: usize,
    pub views: u64,
    pub orders: u64,
    pub order_rate: f64,
    pub why: Why,
    /// `why` in words.
    pub reason: String,
    pub pin_helps: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotShownReport {
    pub at: i64,
    pub window: i64,
    pub sort: BoardSort,
    pub k: usize,
    /// The users checked, latest active first.
    pub users: Vec<String>,
    /// Users with no item that has a vector (they cannot be served).
    pub unserved: usize,
    /// Of the board's top items, how many some user was shown.
    pub hot_shown: usize,
    pub hot: usize,
    pub items: Vec<NotShown>,
}

/// The `n` users of the log with the latest event at or before `at`, latest first (ties by
/// user id), each with their events up to `at`, oldest first.
fn recent_users(log: &[Interaction], at: i64, n: usize) -> Vec<(String, Vec<SimAction>)> {
    let mut by_user: BTreeMap<&str, Vec<&Interaction>> = BTreeMap::new();
    for e in log.iter().filter(|e| e.ts <= at) {
        by_user.entry(e.user_id.as_str()).or_default().push(e);
    }
    let mut users: Vec<(&str, i64, Vec<&Interaction>)> = by_user
        .into_iter()
        .map(|(u, mut evs)| {
            // Stable: events at the same second keep the log's order.
            evs.sort_by_key(|e| e.ts);
            let last = evs.last().map(|e| e.ts).unwrap_or(i64::MIN);
            (u, last, evs)
        })
        .collect();
    users.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
    users
        .into_iter()
        .take(n)
        .map(|(u, _, evs)| {
            let actions =
                evs.into_iter().map(|e| SimAction::on_item(e.event_type.as_str(), e.item_id.as_str(), e.ts)).collect();
            (u.to_string(), actions)
        })
        .collect()
}

/// What the trace says about one hot item, over the users.
#[derive(Default)]
struct Tally {
    shown: bool,
    /// filter id → (label, users, example reason)
    filters: BTreeMap<String, (String, usize, String)>,
    /// Passed the filters within the top K by similarity, yet not shown: (user index).
    ruled_out: Vec<usize>,
    below: usize,
    best_rank: usize,
}

/// Checks the board's `top` items against the pipeline `base` (its filters, rules, strategy
/// and K; its actions are replaced by each user's history up to `at`).
pub fn not_shown(
    engine: &Engine,
    board: &Board,
    log: &[Interaction],
    base: &Request,
    config: &NotShownConfig,
    sink: &ProgressSink,
) -> Result<NotShownReport, NotShownError> {
    let at_text = crate::util::format_time(config.at);
    let rows = board.at(config.at, config.window, config.sort);
    let col = BoardSort::ALL.iter().position(|s| *s == config.sort).unwrap_or(3);
    let hot: Vec<_> = rows.into_iter().filter(|r| r.events > 0).take(config.top).collect();
    if hot.is_empty() {
        return Err(NotShownError::EmptyBoard(at_text));
    }
    let users = recent_users(log, config.at, config.users);
    if users.is_empty() {
        return Err(NotShownError::NoUsers(at_text));
    }
    let request_for = |actions: &[SimAction], rules: &RuleSet| Request {
        user: None,
        actions: actions.to_vec(),
        history: actions.to_vec(),
        search: None,
        similar_to: None,
        rules: rules.clone(),
        now: config.at,
        baseline: false,
        ..base.clone()
    };
    let hot_ids: HashSet<&str> = hot.iter().map(|r| r.item_id.as_str()).collect();
    let mut tally: HashMap<&str, Tally> = hot_ids.iter().map(|id| (*id, Tally::default())).collect();
    let mut unserved = 0;
    let total = users.len() as u64;
    for (ui, (user, actions)) in users.iter().enumerate() {
        sink.report(&format!("recommending for {user}"), ui as u64, total).map_err(|_| NotShownError::Cancelled)?;
        let rec = match engine.recommend(&request_for(actions, &base.rules)) {
            Ok(r) => r,
            Err(PipelineError::NoAnchor(_)) => {
                unserved += 1;
                continue;
            }
            Err(source) => return Err(NotShownError::Pipeline { user: user.clone(), source: Box::new(source) }),
        };
        for r in &rec.results {
            if let Some(t) = tally.get_mut(r.item_id.as_str()) {
                t.shown = true;
            }
        }
        let labels: HashMap<&str, &str> = rec.filters.iter().map(|f| (f.id.as_str(), f.label.as_str())).collect();
        // Rank among the candidates that passed every filter, by similarity.
        let mut passed = 0;
        for c in &rec.candidates {
            let Some(t) = tally.get_mut(c.item_id.as_str()) else {
                if c.removed_by.is_none() {
                    passed += 1;
                }
                continue;
            };
            match &c.removed_by {
                Some(id) => {
                    let entry = t.filters.entry(id.clone()).or_insert_with(|| {
                        (
                            labels.get(id.as_str()).copied().unwrap_or(id).to_string(),
                            0,
                            c.removal_reason.clone().unwrap_or_default(),
                        )
                    });
                    entry.1 += 1;
                }
                None => {
                    passed += 1;
                    if rec.results.iter().any(|r| r.item_id == c.item_id) {
                        continue;
                    }
                    if passed <= rec.k {
                        t.ruled_out.push(ui);
                    } else {
                        t.below += 1;
                    }
                    if t.best_rank == 0 || passed < t.best_rank {
                        t.best_rank = passed;
                    }
                }
            }
        }
    }
    let _ = sink.report("explaining", total, total);
    let k = base.k;
    let users_checked = users.len() - unserved;
    let mut hot_shown = 0;
    let mut items = Vec::new();
    for row in &hot {
        let Some(t) = tally.get(row.item_id.as_str()) else { continue };
        if t.shown {
            hot_shown += 1;
            continue;
        }
        let item = engine.catalog().get(&row.item_id);
        let why = if item.is_none() {
            Why::NotInCatalog
        } else {
            // The reason that holds for the most users; filters first on ties (they act first).
            let filter = t
                .filters
                .iter()
                .max_by(|a, b| a.1.1.cmp(&b.1.1).then_with(|| b.0.cmp(a.0)))
                .map(|(id, (label, users, example))| (id, label, *users, example));
            let ruled = t.ruled_out.len();
            match filter {
                Some((id, label, users, example)) if users >= ruled && users >= t.below => {
                    Why::Filter { id: id.clone(), label: label.clone(), users, example: example.clone() }
                }
                _ if ruled > 0 && ruled >= t.below => {
                    match culprit_rule(engine, &users_of(&users, &t.ruled_out), &row.item_id, &request_for, &base.rules)
                    {
                        Some(rule) => Why::Rule { rule, users: ruled },
                        None => Why::BelowCut { users: ruled + t.below, best_rank: t.best_rank },
                    }
                }
                _ if t.below > 0 || ruled > 0 => Why::BelowCut { users: ruled + t.below, best_rank: t.best_rank },
                _ => Why::NotCandidate,
            }
        };
        let reason = why.describe(users_checked, k);
        items.push(NotShown {
            item_id: row.item_id.clone(),
            name: item.map(|i| i.display_name().to_string()).unwrap_or_default(),
            board_rank: row.ranks[col],
            views: row.views,
            orders: row.orders,
            order_rate: row.order_rate,
            pin_helps: why.pin_helps(),
            why,
            reason,
        });
    }
    Ok(NotShownReport {
        at: config.at,
        window: config.window,
        sort: config.sort,
        k,
        users: users.iter().map(|u| u.0.clone()).collect(),
        unserved,
        hot_shown,
        hot: hot.len(),
        items,
    })
}

/// [`not_shown`] over the interaction log of the project at `project_path` (opened read-only).
pub fn from_project(
    engine: &Engine,
    board: &Board,
    project_path: &std::path::Path,
    base: &Request,
    config: &NotShownConfig,
    sink: &ProgressSink,
) -> Result<NotShownReport, NotShownError> {
    let log = crate::store::Project::open_read_only(project_path)?.load_interactions()?;
    not_shown(engine, board, &log, base, config, sink)
}

fn users_of<'a>(users: &'a [(String, Vec<SimAction>)], which: &[usize]) -> Vec<&'a [SimAction]> {
    which.iter().filter_map(|&i| users.get(i)).map(|u| u.1.as_slice()).collect()
}

/// The first enabled rule (in order) without which the item is shown to the first of these
/// users.
fn culprit_rule(
    engine: &Engine,
    users: &[&[SimAction]],
    item_id: &str,
    request_for: &dyn Fn(&[SimAction], &RuleSet) -> Request,
    rules: &RuleSet,
) -> Option<String> {
    let actions = users.first()?;
    for (i, entry) in rules.rules.iter().enumerate() {
        if !entry.enabled {
            continue;
        }
        let mut without = rules.clone();
        without.rules[i].enabled = false;
        let rec = engine.recommend(&request_for(actions, &without)).ok()?;
        if rec.results.iter().any(|r| r.item_id == item_id) {
            return Some(entry.name(i, rules));
        }
    }
    None
}

/// `rules` with one more pin rule that puts `item_id` into the first slot no enabled pin
/// already claims (within `k`; the last slot when all are taken).
pub fn with_pin(rules: &RuleSet, item_id: &str, k: usize) -> RuleSet {
    let taken: HashSet<usize> = rules
        .rules
        .iter()
        .filter(|e| e.enabled)
        .filter_map(|e| match &e.rule {
            Rule::Pin { slots, .. } => Some(slots.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let k = k.max(1);
    let slot = (1..=k).find(|s| !taken.contains(s)).unwrap_or(k);
    let mut out = rules.clone();
    let mut entry = RuleEntry::new(Rule::Pin {
        filter: format!("Items.ID IN (\"{}\")", item_id.replace('\\', "\\\\").replace('"', "\\\"")),
        slots: vec![slot],
    });
    entry.label = Some(format!("pinned from the board: {item_id}"));
    out.rules.push(entry);
    out
}
