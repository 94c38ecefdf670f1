//! Offline evaluation: leave-last-out with full-catalog ranking, metrics at K and over K,
//! baselines (popularity, item-item co-occurrence, its normalised form) and reclab's content
//! pipeline under any strategy, filters and rules; A/B comparison of two pipelines.

pub mod board;
mod metrics;
pub mod not_shown;
mod protocol;
pub mod tiles;

pub use metrics::{Metrics, UserResult};
pub use protocol::{Positive, Split, UserSplit, leave_last_out};

use crate::catalog::Interaction;
use crate::jobs::ProgressSink;
use crate::pipeline::stats::{CoOccurrence, LogStats};
use crate::pipeline::{BuiltinFilters, Engine, PipelineError, Request, RuleSet, Strategy};
use crate::store::SimAction;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("nothing to evaluate: {0}")]
    Empty(String),
    #[error("the evaluation was cancelled")]
    Cancelled,
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// A way of ranking items for a user. (A handful of these exist per run, so the size of the
/// content variant does not matter.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// Items by number of training users.
    Popularity,
    /// Items by the sum of their co-occurrence counts with the user's training items.
    CoOccurrence,
    /// The same, each count divided by sqrt(n_i · n_j).
    CoOccurrenceNormalized,
    /// reclab's content pipeline with these settings (the user's training items are always
    /// excluded).
    Content {
        label: String,
        #[serde(default)]
        strategy: Strategy,
        #[serde(default)]
        filter: String,
        #[serde(default)]
        params: std::collections::BTreeMap<String, String>,
        #[serde(default)]
        builtins: BuiltinFilters,
        #[serde(default)]
        rules: RuleSet,
    },
}

impl Method {
    pub fn label(&self) -> String {
        match self {
            Method::Popularity => "popularity".into(),
            Method::CoOccurrence => "co-occurrence".into(),
            Method::CoOccurrenceNormalized => "co-occurrence (normalised)".into(),
            Method::Content { label, .. } => label.clone(),
        }
    }

    /// The content pipeline with the settings of a saved scenario (its user is ignored).
    pub fn from_request(label: &str, r: &Request) -> Method {
        Method::Content {
            label: label.to_string(),
            strategy: r.strategy.clone(),
            filter: r.filter.clone(),
            params: r.params.clone(),
            builtins: r.builtins.clone(),
            rules: r.rules.clone(),
        }
    }
}

/// What to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalConfig {
    /// The K of the headline metrics; the curve goes from 1 to `k_max`.
    pub k: usize,
    pub k_max: usize,
    pub methods: Vec<Method>,
    /// Only items of this vertical (and events on them).
    #[serde(default)]
    pub vertical: Option<String>,
    /// Recommend at this time for every user instead of just before each test event.
    #[serde(default)]
    pub at: Option<i64>,
    /// Where the log came from (informational).
    #[serde(default)]
    pub source: String,
}

impl Default for EvalConfig {
    fn default() -> Self {
        Self {
            k: 10,
            k_max: 20,
            methods: vec![Method::Popularity, Method::CoOccurrence, Method::CoOccurrenceNormalized],
            vertical: None,
            at: None,
            source: String::new(),
        }
    }
}

/// One method's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodReport {
    pub method: String,
    pub at_k: Metrics,
    /// HR and NDCG for K = 1 … k_max.
    pub curve: Vec<(usize, f64, f64)>,
    pub random_hr: f64,
    /// Per user: the test item's rank (if within k_max) and the top K, in user order.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub per_user: Vec<(String, Option<usize>, Vec<String>)>,
}

/// A and B side by side: metric deltas and the users whose results changed most.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    /// (metric, A, B, B − A)
    pub deltas: Vec<(String, f64, f64, f64)>,
    pub changed: Vec<UserChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserChange {
    pub user: String,
    /// Items both top-K lists share.
    pub overlap: usize,
    pub rank_a: Option<usize>,
    pub rank_b: Option<usize>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub config: EvalConfig,
    pub users: usize,
    pub single_item_users: usize,
    pub duplicate_rows: usize,
    /// Test items that no training row mentions (baselines can never rank them).
    pub test_items_unseen_in_training: usize,
    pub catalog_items: usize,
    pub methods: Vec<MethodReport>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comparison: Option<Comparison>,
    /// Anything worth knowing about the run (a K bounded by the catalog).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    pub seconds: f64,
}

/// One global order of the items seen in training, and each item's place in it.
struct Order<'a> {
    items: Vec<&'a str>,
    place: HashMap<&'a str, usize>,
}

impl<'a> Order<'a> {
    fn new(items: Vec<&'a str>) -> Self {
        let place = items.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        Self { items, place }
    }
}

/// Ranks items for a CF method without sorting the catalog for every user: `first` (items with
/// a positive score, best first), then every other item in `rest`'s order, leaving out
/// `exclude` (the user's training items, all in `rest`). Returns the top `k_max`, the test
/// item's rank if within `k_max`, and the number of items ranked.
fn rank_scored(
    first: &[&str],
    rest: &Order<'_>,
    exclude: &HashSet<&str>,
    test: &str,
    k_max: usize,
) -> (Vec<String>, Option<usize>, usize) {
    let n = rest.items.len().saturating_sub(exclude.iter().filter(|id| rest.place.contains_key(*id)).count());
    let in_first: HashSet<&str> = first.iter().copied().collect();
    let skip = |id: &str| exclude.contains(id) || in_first.contains(id);
    let mut top: Vec<String> = first.iter().take(k_max).map(|s| s.to_string()).collect();
    if top.len() < k_max {
        let need = k_max - top.len();
        top.extend(rest.items.iter().filter(|id| !skip(id)).take(need).map(|s| s.to_string()));
    }
    let rank = match first.iter().position(|id| *id == test) {
        Some(p) => Some(p + 1),
        None => rest.place.get(test).filter(|_| !exclude.contains(test)).map(|&p| {
            // Items of `rest` before the test item that are shown earlier or not at all.
            let skipped =
                exclude.iter().chain(&in_first).filter(|id| rest.place.get(**id).is_some_and(|&q| q < p)).count();
            first.len() + p - skipped + 1
        }),
    };
    (top, rank.filter(|r| *r <= k_max), n)
}

/// Runs the evaluation of `log` (in file order) on `engine`'s catalog and vectors.
pub fn evaluate(
    engine: &mut Engine,
    log: &[Interaction],
    config: &EvalConfig,
    sink: &ProgressSink,
) -> Result<EvalReport, EvalError> {
    let started = std::time::Instant::now();
    // K beyond the catalog ranks nothing more: the whole catalog is the longest list there is.
    let mut notes = Vec::new();
    let n_items = engine.catalog.len().max(1);
    let mut config = config.clone();
    if config.k > n_items || config.k_max > n_items {
        notes.push(format!(
            "K = {} and K max = {} are bounded by the catalog's {n_items} items",
            config.k, config.k_max
        ));
        config.k = config.k.clamp(1, n_items);
        config.k_max = config.k_max.clamp(1, n_items);
    }
    let config = &config;
    let k_max = config.k_max.max(config.k).max(1);
    // Restrict to a vertical: its items and the events on them.
    let in_scope = |id: &str| match &config.vertical {
        None => true,
        Some(v) => {
            engine.catalog.get(id).and_then(|i| i.vertical.as_deref()).is_some_and(|iv| iv.eq_ignore_ascii_case(v))
        }
    };
    let log: Vec<Interaction> = log.iter().filter(|e| in_scope(&e.item_id)).cloned().collect();
    let split = leave_last_out(&log);
    if split.users.is_empty() {
        return Err(EvalError::Empty(format!(
            "no user has 2 or more distinct items{}",
            config.vertical.as_ref().map(|v| format!(" in vertical {v}")).unwrap_or_default()
        )));
    }
    let train_log = split.training_log();
    let mut popularity: HashMap<String, u32> = HashMap::new();
    for u in &split.users {
        for p in &u.train {
            *popularity.entry(p.item.clone()).or_insert(0) += 1;
        }
    }
    let seen: Vec<String> = {
        let mut v: Vec<String> = popularity.keys().cloned().collect();
        v.sort_by(|a, b| crate::util::cmp_ids(a, b));
        v
    };
    let seen_refs: Vec<&str> = seen.iter().map(String::as_str).collect();
    let unseen_tests = split.users.iter().filter(|u| !popularity.contains_key(&u.test.item)).count();
    // Co-occurrence from training only.
    let index: HashMap<&str, u32> = seen_refs.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
    let user_items: Vec<Vec<u32>> = split
        .users
        .iter()
        .map(|u| u.train.iter().filter_map(|p| index.get(p.item.as_str()).copied()).collect())
        .collect();
    let co = CoOccurrence::build(&user_items, usize::MAX);
    // The engine sees only training data: popularity and "new" must not leak the test items.
    engine.stats = LogStats::new(&train_log);
    let catalog: Vec<String> =
        engine.catalog.items().iter().filter(|i| in_scope(&i.id)).map(|i| i.id.clone()).collect();
    let percentiles = metrics::percentiles(&popularity, &catalog);

    let total = (split.users.len() * config.methods.len()) as u64;
    let done = AtomicUsize::new(0);
    let mut reports = Vec::new();
    // The orders ranking falls back on: by popularity (then id), and by id.
    let by_popularity = {
        let mut v = seen_refs.clone();
        v.sort_by(|a, b| popularity[*b].cmp(&popularity[*a]).then_with(|| crate::util::cmp_ids(a, b)));
        Order::new(v)
    };
    let by_id = Order::new(seen_refs.clone());
    for method in &config.methods {
        let results: Vec<UserResult> = match method {
            Method::Popularity | Method::CoOccurrence | Method::CoOccurrenceNormalized => {
                let mut out = Vec::with_capacity(split.users.len());
                for u in &split.users {
                    let exclude: HashSet<&str> = u.train.iter().map(|p| p.item.as_str()).collect();
                    // Popularity ranks by one global order; co-occurrence puts the items that
                    // co-occur with the user's first, best first, then the rest by id.
                    let (first, rest): (Vec<&str>, _) = match method {
                        Method::Popularity => (Vec::new(), &by_popularity),
                        _ => {
                            let normalise = matches!(method, Method::CoOccurrenceNormalized);
                            let mut scores: HashMap<&str, f64> = HashMap::new();
                            for p in &u.train {
                                let Some(&i) = index.get(p.item.as_str()) else { continue };
                                let ni = co.users_per_item.get(&i).copied().unwrap_or(0) as f64;
                                for &(j, c) in co.pairs.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
                                    let v = if normalise {
                                        let nj = co.users_per_item.get(&j).copied().unwrap_or(0) as f64;
                                        c as f64 / (ni * nj).sqrt()
                                    } else {
                                        c as f64
                                    };
                                    *scores.entry(seen_refs[j as usize]).or_insert(0.0) += v;
                                }
                            }
                            let mut scored: Vec<(&str, f64)> =
                                scores.into_iter().filter(|(id, v)| *v > 0.0 && !exclude.contains(id)).collect();
                            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
                            (scored.into_iter().map(|(id, _)| id).collect(), &by_id)
                        }
                    };
                    let (top, rank, universe) = rank_scored(&first, rest, &exclude, &u.test.item, k_max);
                    let rankable = popularity.contains_key(&u.test.item);
                    out.push(UserResult {
                        user: u.user.clone(),
                        top,
                        rank,
                        universe,
                        test_rankable: rankable,
                        now: config.at.unwrap_or(u.test.ts),
                    });
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n.is_multiple_of(64) {
                        sink.report(&format!("evaluating {}", method.label()), n as u64, total)
                            .map_err(|_| EvalError::Cancelled)?;
                    }
                }
                out
            }
            Method::Content { strategy, filter, params, builtins, rules, label } => {
                let engine_ref: &Engine = engine;
                let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
                let chunk = split.users.len().div_ceil(threads).max(1);
                let cancelled = std::sync::atomic::AtomicBool::new(false);
                let results: Result<Vec<Vec<UserResult>>, EvalError> = std::thread::scope(|s| {
                    let handles: Vec<_> = split
                        .users
                        .chunks(chunk)
                        .map(|users| {
                            let done = &done;
                            let cancelled = &cancelled;
                            let catalog = &catalog;
                            s.spawn(move || -> Result<Vec<UserResult>, EvalError> {
                                let mut out = Vec::with_capacity(users.len());
                                for u in users {
                                    if cancelled.load(Ordering::Relaxed) {
                                        return Err(EvalError::Cancelled);
                                    }
                                    out.push(content_result(
                                        engine_ref, u, strategy, filter, params, builtins, rules, config, k_max,
                                        catalog,
                                    )?);
                                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                                    if n.is_multiple_of(16)
                                        && sink.report(&format!("evaluating {label}"), n as u64, total).is_err()
                                    {
                                        cancelled.store(true, Ordering::Relaxed);
                                    }
                                }
                                Ok(out)
                            })
                        })
                        .collect();
                    handles.into_iter().map(|h| h.join().unwrap_or(Err(EvalError::Cancelled))).collect()
                });
                results?.into_iter().flatten().collect()
            }
        };
        let vector = |id: &str| engine.catalog.key_of(id).and_then(|k| engine.vectors.get(k));
        let expires = |id: &str| engine.catalog.get(id).and_then(|i| i.expires_at);
        let facts = metrics::Facts {
            popularity: &popularity,
            users: split.users.len(),
            catalog: &catalog,
            vector: &vector,
            expires_at: &expires,
        };
        let at_k = metrics::compute(&results, config.k, &facts, &percentiles);
        let curve = metrics::curve(&results, k_max);
        reports.push(MethodReport {
            method: method.label(),
            at_k,
            curve,
            random_hr: metrics::random_hr(&results, config.k),
            per_user: results
                .into_iter()
                .map(|r| (r.user, r.rank, r.top.into_iter().take(config.k).collect()))
                .collect(),
        });
    }
    let comparison = compare_content(&reports, config);
    let _ = sink.report("done", total, total);
    Ok(EvalReport {
        config: config.clone(),
        users: split.users.len(),
        single_item_users: split.single_item_users,
        duplicate_rows: split.duplicate_rows,
        test_items_unseen_in_training: unseen_tests,
        catalog_items: catalog.len(),
        methods: reports,
        comparison,
        notes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The content pipeline's ranking for one user.
#[allow(clippy::too_many_arguments)]
fn content_result(
    engine: &Engine,
    u: &UserSplit,
    strategy: &Strategy,
    filter: &str,
    params: &std::collections::BTreeMap<String, String>,
    builtins: &BuiltinFilters,
    rules: &RuleSet,
    config: &EvalConfig,
    k_max: usize,
    catalog: &[String],
) -> Result<UserResult, EvalError> {
    let now = config.at.unwrap_or(u.test.ts);
    let actions: Vec<SimAction> = u
        .train
        .iter()
        .map(|p| SimAction { event_type: p.event_type.clone(), item_id: Some(p.item.clone()), query: None, ts: p.ts })
        .collect();
    // The protocol: the user's own training items are never ranked.
    let types: BTreeSet<&str> = u.train.iter().map(|p| p.event_type.as_str()).collect();
    let quoted: Vec<String> = types.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect();
    let mut full = format!("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ({})", quoted.join(", "));
    if let Some(v) = &config.vertical {
        full.push_str(&format!(" | INCLUDE ItemID WHERE Items.VERTICAL = \"{}\"", v.replace('"', "")));
    }
    if !filter.trim().is_empty() {
        full.push_str(" | ");
        full.push_str(filter);
    }
    let req = Request {
        actions: actions.clone(),
        history: actions,
        strategy: strategy.clone(),
        filter: full,
        params: params.clone(),
        builtins: BuiltinFilters { anchor: true, ..builtins.clone() },
        rules: rules.clone(),
        k: k_max,
        candidates: k_max.saturating_mul(10).max(200),
        now,
        ..Request::default()
    };
    let rec = match engine.recommend(&req) {
        Ok(r) => r,
        // A user whose items all lack vectors cannot be served: a miss, not a failure.
        Err(PipelineError::NoAnchor(_)) => {
            return Ok(UserResult {
                user: u.user.clone(),
                top: Vec::new(),
                rank: None,
                universe: catalog.len(),
                test_rankable: true,
                now,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let top: Vec<String> = rec.results.iter().map(|r| r.item_id.clone()).collect();
    let rank = top.iter().position(|i| *i == u.test.item).map(|p| p + 1);
    let universe = catalog.len().saturating_sub(u.train.len());
    Ok(UserResult {
        user: u.user.clone(),
        top,
        rank,
        universe,
        test_rankable: engine.catalog.get(&u.test.item).is_some(),
        now,
    })
}

/// Compares the first two content methods, if there are two.
fn compare_content(reports: &[MethodReport], config: &EvalConfig) -> Option<Comparison> {
    let content: Vec<usize> = config
        .methods
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Method::Content { .. }))
        .map(|(i, _)| i)
        .collect();
    let (&ia, &ib) = (content.first()?, content.get(1)?);
    let (a, b) = (&reports[ia], &reports[ib]);
    let pairs = [
        ("HR", a.at_k.hr, b.at_k.hr),
        ("NDCG", a.at_k.ndcg, b.at_k.ndcg),
        ("MRR", a.at_k.mrr, b.at_k.mrr),
        ("coverage", a.at_k.coverage, b.at_k.coverage),
        ("diversity", a.at_k.diversity, b.at_k.diversity),
        ("novelty", a.at_k.novelty, b.at_k.novelty),
        ("popularity percentile", a.at_k.popularity_percentile, b.at_k.popularity_percentile),
        ("new-item share", a.at_k.new_item_share, b.at_k.new_item_share),
        ("expired share", a.at_k.expired_share, b.at_k.expired_share),
        ("mean days to expiry", a.at_k.mean_days_to_expiry.unwrap_or(0.0), b.at_k.mean_days_to_expiry.unwrap_or(0.0)),
    ];
    let deltas = pairs.iter().map(|(n, x, y)| (n.to_string(), *x, *y, y - x)).collect();
    let mut changed: Vec<UserChange> = a
        .per_user
        .iter()
        .zip(&b.per_user)
        .map(|((user, ra, ta), (_, rb, tb))| {
            let sa: HashSet<&String> = ta.iter().collect();
            let sb: HashSet<&String> = tb.iter().collect();
            UserChange {
                user: user.clone(),
                overlap: sa.intersection(&sb).count(),
                rank_a: *ra,
                rank_b: *rb,
                only_a: ta.iter().filter(|i| !sb.contains(i)).cloned().collect(),
                only_b: tb.iter().filter(|i| !sa.contains(i)).cloned().collect(),
            }
        })
        .filter(|c| !c.only_a.is_empty() || c.rank_a != c.rank_b)
        .collect();
    // Users whose test item moved come first, then those whose lists changed most.
    changed.sort_by(|x, y| {
        (x.rank_a == x.rank_b)
            .cmp(&(y.rank_a == y.rank_b))
            .then(x.overlap.cmp(&y.overlap))
            .then_with(|| x.user.cmp(&y.user))
    });
    changed.truncate(20);
    Some(Comparison { a: a.method.clone(), b: b.method.clone(), deltas, changed })
}

/// A plain-text table of the report.
pub fn render(report: &EvalReport) -> String {
    use crate::pipeline::explain::fit;
    use std::fmt::Write;
    let mut s = String::new();
    let c = &report.config;
    let _ = writeln!(
        s,
        "leave-last-out on {}{}: {} users evaluated ({} with a single item left out), {} catalog items; recommendations made {}",
        if c.source.is_empty() { "the interaction log" } else { &c.source },
        c.vertical.as_ref().map(|v| format!(" (vertical {v})")).unwrap_or_default(),
        report.users,
        report.single_item_users,
        report.catalog_items,
        match c.at {
            Some(t) => format!("at {}", crate::util::format_time(t)),
            None => "just before each test event".into(),
        }
    );
    let _ = writeln!(
        s,
        "{} test items never appear in training: no collaborative method can rank them",
        report.test_items_unseen_in_training
    );
    let k = c.k;
    let _ = writeln!(
        s,
        "\n{}  {:>7} {:>7} {:>7} {:>8} {:>8} {:>7} {:>8} {:>6} {:>8}",
        fit("method", 30),
        format!("HR@{k}"),
        format!("NDCG@{k}"),
        "MRR",
        "coverage",
        "divers.",
        "novelty",
        "pop.pct",
        "new%",
        "expired%"
    );
    for m in &report.methods {
        let a = &m.at_k;
        let _ = writeln!(
            s,
            "{}  {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>8.4} {:>7.3} {:>8.1} {:>6.1} {:>8.1}",
            fit(&m.method, 30),
            a.hr,
            a.ndcg,
            a.mrr,
            a.coverage,
            a.diversity,
            a.novelty,
            a.popularity_percentile,
            100.0 * a.new_item_share,
            100.0 * a.expired_share
        );
    }
    if let Some(m) = report.methods.first() {
        let _ = writeln!(s, "a random ranking would reach HR@{k} ≈ {:.4}", m.random_hr);
    }
    if let Some(cmp) = &report.comparison {
        let _ = writeln!(s, "\nA = {}   B = {}", cmp.a, cmp.b);
        for (name, a, b, d) in &cmp.deltas {
            let _ = writeln!(s, "  {:<24} {a:>9.4} → {b:>9.4}   ({d:+.4})", name);
        }
        if !cmp.changed.is_empty() {
            let _ = writeln!(s, "users whose top {k} changed most:");
            for u in cmp.changed.iter().take(10) {
                let r = |x: Option<usize>| x.map(|r| format!("#{r}")).unwrap_or_else(|| "miss".into());
                let _ = writeln!(
                    s,
                    "  {:<10} overlap {}/{k}, test item {} → {}; only in A: {}; only in B: {}",
                    u.user,
                    u.overlap,
                    r(u.rank_a),
                    r(u.rank_b),
                    u.only_a.join(" "),
                    u.only_b.join(" ")
                );
            }
        }
    }
    for n in &report.notes {
        let _ = writeln!(s, "note: {n}");
    }
    let _ = writeln!(s, "\n{:.1} s", report.seconds);
    s
}

/// The metrics of a report as CSV: one row per method, plus the curve.
pub fn to_csv(report: &EvalReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "method",
        "k",
        "hr",
        "ndcg",
        "mrr",
        "coverage",
        "diversity",
        "novelty",
        "popularity_percentile",
        "new_item_share",
        "expired_share",
        "mean_days_to_expiry",
        "random_hr",
    ]);
    for m in &report.methods {
        let a = &m.at_k;
        let _ = w.write_record([
            m.method.clone(),
            a.k.to_string(),
            a.hr.to_string(),
            a.ndcg.to_string(),
            a.mrr.to_string(),
            a.coverage.to_string(),
            a.diversity.to_string(),
            a.novelty.to_string(),
            a.popularity_percentile.to_string(),
            a.new_item_share.to_string(),
            a.expired_share.to_string(),
            a.mean_days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
            m.random_hr.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Item;
    use crate::embed::{LexicalEmbedder, ModelRef, ModelStore, Template, embed_catalog};
    use crate::pipeline::{EngineOptions, StrategyKind};
    use crate::store::Project;

    fn item(id: &str, name: &str) -> Item {
        Item { id: id.into(), name: name.into(), ..Default::default() }
    }

    fn ev(user: &str, item: &str, ts: i64) -> Interaction {
        Interaction { user_id: user.into(), item_id: item.into(), event_type: "purchase".into(), ts, value: None }
    }

    fn engine() -> Engine {
        let mut p = Project::in_memory().unwrap();
        p.upsert_items(&[
            item("a", "blue denim jacket"),
            item("b", "green wool scarf"),
            item("c", "red apple box"),
            item("d", "red apple crate"),
            item("e", "steel rifle"),
        ])
        .unwrap();
        embed_catalog(&mut p, &LexicalEmbedder::new(), &Template::default_template(), 8, &ProgressSink::none())
            .unwrap();
        Engine::open(
            &p,
            ModelRef::lexical(),
            ModelStore::at("/nonexistent"),
            EngineOptions { persist: false, ..Default::default() },
            &ProgressSink::none(),
        )
        .unwrap()
    }

    /// u1: a b | c; u2: a c | d (d only in test); u3: b | a; u4: one item, left out.
    fn log() -> Vec<Interaction> {
        vec![
            ev("u1", "a", 1),
            ev("u2", "a", 1),
            ev("u3", "b", 1),
            ev("u4", "x", 1),
            ev("u1", "b", 2),
            ev("u2", "c", 2),
            ev("u3", "a", 2),
            ev("u1", "c", 3),
            ev("u2", "d", 5),
        ]
    }

    fn content() -> Method {
        Method::Content {
            label: "content".into(),
            strategy: Strategy { kind: StrategyKind::Latest, ..Strategy::default() },
            filter: String::new(),
            params: Default::default(),
            builtins: BuiltinFilters::default(),
            rules: RuleSet::default(),
        }
    }

    #[test]
    fn baselines_match_a_hand_computation() {
        let mut e = engine();
        let config = EvalConfig {
            k: 1,
            k_max: 3,
            methods: vec![Method::Popularity, Method::CoOccurrence, Method::CoOccurrenceNormalized, content()],
            ..Default::default()
        };
        let r = evaluate(&mut e, &log(), &config, &ProgressSink::none()).unwrap();
        assert_eq!((r.users, r.single_item_users, r.test_items_unseen_in_training), (3, 1, 1));
        let pop = &r.methods[0];
        // Popularity a 2, b 2, c 1: u1 gets [c] (hit), u2 [b] (d unseen: miss), u3 [a, c] (hit).
        assert!((pop.at_k.hr - 2.0 / 3.0).abs() < 1e-12);
        assert!((pop.at_k.mrr - 2.0 / 3.0).abs() < 1e-12);
        assert!((pop.at_k.coverage - 3.0 / 5.0).abs() < 1e-12, "c, b, a of 5 catalog items");
        assert!((pop.random_hr - 0.5).abs() < 1e-12, "(1/1 + 0 + 1/2) / 3");
        assert_eq!(pop.per_user[2].2, vec!["a".to_string()]);
        let co = &r.methods[1];
        assert!((co.at_k.hr - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(co.per_user[1].2, vec!["b".to_string()], "u2: b co-occurs with a once");
        assert_eq!(co.curve.len(), 3);
        // The content pipeline can rank d, which no training row mentions.
        let c = &r.methods[3];
        assert!(c.per_user[1].1.is_some(), "u2's test item d is close to c: {:?}", c.per_user[1]);
        assert_eq!(c.per_user[1].1, Some(1));
    }

    #[test]
    fn k_and_k_max_are_bounded_by_the_catalog() {
        let mut e = engine();
        for k_max in [6, 1_000_000, usize::MAX] {
            let config =
                EvalConfig { k: 10, k_max, methods: vec![Method::Popularity, content()], ..Default::default() };
            let r = evaluate(&mut e, &log(), &config, &ProgressSink::none()).unwrap();
            assert_eq!((r.config.k, r.config.k_max), (5, 5), "the catalog has 5 items");
            assert!(r.notes[0].contains("bounded by the catalog's 5 items"), "{:?}", r.notes);
            assert_eq!(r.methods[0].curve.len(), 5);
        }
    }

    #[test]
    fn ranking_without_a_full_sort_matches_a_full_sort() {
        // Items 1..=12; scores with ties; some excluded.
        let ids: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
        let universe: Vec<&str> = ids.iter().map(String::as_str).collect();
        let scores: HashMap<&str, f64> = [("3", 2.0), ("7", 5.0), ("9", 2.0), ("11", 1.0), ("2", 5.0)].into();
        let exclude: HashSet<&str> = ["9", "4", "12"].into();
        // The full sort: score desc, then id; excluded items left out.
        let mut full: Vec<(&str, f64)> = universe
            .iter()
            .filter(|i| !exclude.contains(*i))
            .map(|i| (*i, scores.get(i).copied().unwrap_or(0.0)))
            .collect();
        full.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        let mut first: Vec<(&str, f64)> =
            scores.iter().filter(|(id, v)| **v > 0.0 && !exclude.contains(*id)).map(|(i, v)| (*i, *v)).collect();
        first.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        let first: Vec<&str> = first.into_iter().map(|(i, _)| i).collect();
        let by_id = Order::new(universe.clone());
        for k_max in [1, 3, 5, 9, 20] {
            for test in ["2", "7", "3", "11", "1", "5", "10", "9", "13"] {
                let (top, rank, n) = rank_scored(&first, &by_id, &exclude, test, k_max);
                let want_top: Vec<String> = full.iter().take(k_max).map(|(i, _)| i.to_string()).collect();
                let want_rank = full.iter().position(|(i, _)| *i == test).map(|p| p + 1).filter(|r| *r <= k_max);
                assert_eq!((top, rank, n), (want_top, want_rank, 9), "k_max {k_max}, test {test}");
            }
        }
    }

    #[test]
    fn the_same_log_gives_the_same_numbers() {
        let config = EvalConfig {
            k: 2,
            k_max: 4,
            methods: vec![Method::Popularity, Method::CoOccurrenceNormalized, content()],
            ..Default::default()
        };
        let mut a = evaluate(&mut engine(), &log(), &config, &ProgressSink::none()).unwrap();
        let mut b = evaluate(&mut engine(), &log(), &config, &ProgressSink::none()).unwrap();
        a.seconds = 0.0;
        b.seconds = 0.0;
        assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        assert!(render(&a).contains("HR@2"));
        assert!(to_csv(&a).lines().count() == 4);
    }

    #[test]
    fn two_content_settings_are_compared() {
        let mut b = content();
        if let Method::Content { label, rules, .. } = &mut b {
            *label = "with mmr".into();
            rules.rules.push(crate::pipeline::RuleEntry::new(crate::pipeline::Rule::Mmr { lambda: 0.3 }));
        }
        let config = EvalConfig { k: 3, k_max: 3, methods: vec![content(), b], ..Default::default() };
        let r = evaluate(&mut engine(), &log(), &config, &ProgressSink::none()).unwrap();
        let cmp = r.comparison.expect("a comparison");
        assert_eq!((cmp.a.as_str(), cmp.b.as_str()), ("content", "with mmr"));
        assert_eq!(cmp.deltas[0].0, "HR");
        assert!((cmp.deltas[0].3 - (cmp.deltas[0].2 - cmp.deltas[0].1)).abs() < 1e-12);
    }

    #[test]
    fn no_user_with_two_items_is_a_clear_error() {
        let err = evaluate(&mut engine(), &[ev("u", "a", 1)], &EvalConfig::default(), &ProgressSink::none())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no user has 2 or more distinct items"), "{err}");
    }
}
