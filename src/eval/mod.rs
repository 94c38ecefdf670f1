//! Offline evaluation: leave-last-out with full-catalog ranking, metrics at K and over K,
//! baselines (popularity, item-item co-occurrence, its normalised form) and reclab's content
//! pipeline under any strategy, filters and rules; A/B comparison of two pipelines.

mod baselines;
pub mod board;
mod content;
mod metrics;
pub mod not_shown;
mod pool;
mod protocol;
mod report;
pub mod tiles;
pub mod tune;

pub use metrics::{Metrics, UserResult};
pub use protocol::{Positive, Split, UserSplit, leave_last_out};
pub use report::{render, to_csv};

use crate::catalog::Interaction;
use crate::jobs::ProgressSink;
use crate::pipeline::stats::LogStats;
use crate::pipeline::{BuiltinFilters, Catalog, Engine, PipelineError, Request, RuleSet, Sources, Strategy};
use baselines::Baselines;
use content::{ContentRun, Settings};
use pool::Progress;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("nothing to evaluate: {0}")]
    Empty(String),
    #[error("the evaluation was cancelled")]
    Cancelled,
    /// Every method asked for was skipped (their reasons are in the message).
    #[error("no method could run: {0}")]
    NothingRan(String),
    #[error("cannot start an evaluation thread")]
    Thread(#[source] std::io::Error),
    #[error("an evaluation worker panicked: {0}")]
    WorkerPanicked(String),
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
        /// Candidate sources besides content (content only, when absent).
        #[serde(default, skip_serializing_if = "Sources::is_default")]
        sources: Sources,
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
            sources: r.sources.clone(),
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
    /// Methods that could not run, with the reason (content methods without vectors).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub skipped: Vec<SkippedMethod>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comparison: Option<Comparison>,
    /// Anything worth knowing about the run (a K bounded by the catalog).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<String>,
    pub seconds: f64,
}

/// A method that did not run, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedMethod {
    pub method: String,
    pub reason: String,
}

/// What an evaluation ranks with.
pub enum EvalBasis<'a> {
    /// The engine's catalog and vectors: every method runs.
    Engine(&'a Engine),
    /// A catalog without vectors: the baselines run, content methods are skipped for `reason`.
    CatalogOnly { catalog: &'a Catalog, reason: String },
}

/// Why content methods are skipped on a project whose items have no vectors.
pub const NO_VECTORS: &str = "the project has no vectors";

impl<'a> EvalBasis<'a> {
    /// The catalog of a project without vectors.
    pub fn without_vectors(catalog: &'a Catalog) -> Self {
        EvalBasis::CatalogOnly { catalog, reason: NO_VECTORS.into() }
    }

    fn catalog(&self) -> &Catalog {
        match self {
            EvalBasis::Engine(e) => e.catalog(),
            EvalBasis::CatalogOnly { catalog, .. } => catalog,
        }
    }
}

/// Runs the evaluation of `log` (in file order) on `basis`. The baselines need only the
/// catalog and the log; content methods need the engine, and are skipped (with the reason in
/// [`EvalReport::skipped`]) without one. The engine is not changed: its requests see the
/// training split's statistics. Fails when no method can run.
pub fn evaluate(
    basis: EvalBasis<'_>,
    log: &[Interaction],
    config: &EvalConfig,
    sink: &ProgressSink,
) -> Result<EvalReport, EvalError> {
    let started = std::time::Instant::now();
    let all_items = basis.catalog();
    // K beyond the catalog ranks nothing more: the whole catalog is the longest list there is.
    let mut notes = Vec::new();
    let n_items = all_items.len().max(1);
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
    // Which methods run: content methods need the engine.
    let mut ran: Vec<&Method> = Vec::new();
    let mut skipped = Vec::new();
    for m in &config.methods {
        match (&basis, m) {
            (EvalBasis::CatalogOnly { reason, .. }, Method::Content { .. }) => {
                skipped.push(SkippedMethod { method: m.label(), reason: reason.clone() });
            }
            _ => ran.push(m),
        }
    }
    if ran.is_empty() {
        let why: Vec<String> = skipped.iter().map(|s| format!("{}: {}", s.method, s.reason)).collect();
        return Err(EvalError::NothingRan(if why.is_empty() {
            "no method was asked for".into()
        } else {
            why.join("; ")
        }));
    }
    // Restrict to a vertical: its items and the events on them.
    let in_scope = |id: &str| match &config.vertical {
        None => true,
        Some(v) => all_items.get(id).and_then(|i| i.vertical.as_deref()).is_some_and(|iv| iv.eq_ignore_ascii_case(v)),
    };
    let log: Vec<Interaction> = log.iter().filter(|e| in_scope(&e.item_id)).cloned().collect();
    let split = leave_last_out(&log);
    if split.users.is_empty() {
        return Err(EvalError::Empty(format!(
            "no user has 2 or more distinct items{}",
            config.vertical.as_ref().map(|v| format!(" in vertical {v}")).unwrap_or_default()
        )));
    }
    // Everything learnt from the log comes from training only.
    let train = LogStats::new(&split.training_log());
    let baselines = Baselines::new(&train);
    let unseen_tests = split.users.iter().filter(|u| !baselines.seen(&u.test.item)).count();
    let catalog: Vec<String> = all_items.items().iter().filter(|i| in_scope(&i.id)).map(|i| i.id.clone()).collect();
    let percentiles = metrics::percentiles(&baselines.popularity, &catalog);
    let engine = match &basis {
        EvalBasis::Engine(e) => Some(*e),
        EvalBasis::CatalogOnly { .. } => {
            notes.push("diversity needs item vectors, and there are none: it is shown as 0".into());
            None
        }
    };
    let progress = Progress::new(sink, (split.users.len() * ran.len()) as u64);
    let mut reports = Vec::new();
    for &method in &ran {
        let results: Vec<UserResult> = match (method, engine) {
            (Method::Content { label, strategy, filter, params, builtins, rules, sources }, Some(engine)) => {
                let run = ContentRun { engine, train: &train, config, k_max, catalog: &catalog };
                let settings = Settings { label, strategy, filter, params, builtins, rules, sources };
                run.rank_users(&settings, &split.users, &progress)?
            }
            _ => {
                let mut out = Vec::with_capacity(split.users.len());
                for u in &split.users {
                    out.push(baselines.rank(method, u, config, k_max));
                    progress.tick(&method.label(), 64)?;
                }
                out
            }
        };
        let vector = |id: &str| engine.and_then(|e| e.catalog().key_of(id).and_then(|k| e.vectors().get(k)));
        let expires = |id: &str| all_items.get(id).and_then(|i| i.expires_at);
        let facts = metrics::Facts {
            popularity: &baselines.popularity,
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
    let comparison = report::compare_content(&ran, &reports);
    progress.finish();
    Ok(EvalReport {
        config: config.clone(),
        users: split.users.len(),
        single_item_users: split.single_item_users,
        duplicate_rows: split.duplicate_rows,
        test_items_unseen_in_training: unseen_tests,
        catalog_items: catalog.len(),
        methods: reports,
        skipped,
        comparison,
        notes,
        seconds: started.elapsed().as_secs_f64(),
    })
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
            sources: Sources::default(),
        }
    }

    #[test]
    fn baselines_match_a_hand_computation() {
        let e = engine();
        let config = EvalConfig {
            k: 1,
            k_max: 3,
            methods: vec![Method::Popularity, Method::CoOccurrence, Method::CoOccurrenceNormalized, content()],
            ..Default::default()
        };
        let r = evaluate(EvalBasis::Engine(&e), &log(), &config, &ProgressSink::none()).unwrap();
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
        let e = engine();
        for k_max in [6, 1_000_000, usize::MAX] {
            let config =
                EvalConfig { k: 10, k_max, methods: vec![Method::Popularity, content()], ..Default::default() };
            let r = evaluate(EvalBasis::Engine(&e), &log(), &config, &ProgressSink::none()).unwrap();
            assert_eq!((r.config.k, r.config.k_max), (5, 5), "the catalog has 5 items");
            assert!(r.notes[0].contains("bounded by the catalog's 5 items"), "{:?}", r.notes);
            assert_eq!(r.methods[0].curve.len(), 5);
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
        let mut a = evaluate(EvalBasis::Engine(&engine()), &log(), &config, &ProgressSink::none()).unwrap();
        let mut b = evaluate(EvalBasis::Engine(&engine()), &log(), &config, &ProgressSink::none()).unwrap();
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
        let r = evaluate(EvalBasis::Engine(&engine()), &log(), &config, &ProgressSink::none()).unwrap();
        let cmp = r.comparison.expect("a comparison");
        assert_eq!((cmp.a.as_str(), cmp.b.as_str()), ("content", "with mmr"));
        assert_eq!(cmp.deltas[0].0, "HR");
        assert!((cmp.deltas[0].3 - (cmp.deltas[0].2 - cmp.deltas[0].1)).abs() < 1e-12);
    }

    #[test]
    fn no_user_with_two_items_is_a_clear_error() {
        let err =
            evaluate(EvalBasis::Engine(&engine()), &[ev("u", "a", 1)], &EvalConfig::default(), &ProgressSink::none())
                .unwrap_err()
                .to_string();
        assert!(err.contains("no user has 2 or more distinct items"), "{err}");
    }

    #[test]
    fn without_vectors_the_baselines_give_the_same_numbers_and_content_is_skipped() {
        let e = engine();
        let methods = vec![Method::Popularity, content(), Method::CoOccurrence, Method::CoOccurrenceNormalized];
        let config = EvalConfig { k: 2, k_max: 4, methods, ..Default::default() };
        let with = evaluate(EvalBasis::Engine(&e), &log(), &config, &ProgressSink::none()).unwrap();
        let without =
            evaluate(EvalBasis::without_vectors(e.catalog()), &log(), &config, &ProgressSink::none()).unwrap();
        assert!(with.skipped.is_empty());
        assert_eq!(without.skipped, vec![SkippedMethod { method: "content".into(), reason: NO_VECTORS.into() }]);
        let names = |r: &EvalReport| r.methods.iter().map(|m| m.method.clone()).collect::<Vec<_>>();
        assert_eq!(names(&without), ["popularity", "co-occurrence", "co-occurrence (normalised)"]);
        for m in &without.methods {
            let w = with.methods.iter().find(|x| x.method == m.method).unwrap();
            assert_eq!((&m.per_user, &m.curve, m.at_k.hr, m.at_k.mrr), (&w.per_user, &w.curve, w.at_k.hr, w.at_k.mrr));
            assert_eq!(m.at_k.diversity, 0.0, "no vectors: no diversity");
        }
        assert!(without.notes.iter().any(|n| n.contains("diversity needs item vectors")), "{:?}", without.notes);
        assert!(render(&without).contains("content                         skipped: the project has no vectors"));
        let csv = to_csv(&without);
        assert!(csv.lines().next().unwrap().ends_with(",skipped"), "{csv}");
        assert!(csv.lines().last().unwrap().starts_with("content,2,,"), "{csv}");
        // Only content asked for: nothing can run.
        let only = EvalConfig { methods: vec![content()], ..config };
        let err = evaluate(EvalBasis::without_vectors(e.catalog()), &log(), &only, &ProgressSink::none()).unwrap_err();
        assert!(
            matches!(err, EvalError::NothingRan(ref m) if m.contains("content: the project has no vectors")),
            "{err}"
        );
    }

    #[test]
    fn the_engine_keeps_its_own_statistics() {
        let mut e = engine();
        e.replace_stats(LogStats::new(&log()));
        let before = e.stats().most_popular();
        let config = EvalConfig { k: 2, k_max: 3, methods: vec![Method::Popularity, content()], ..Default::default() };
        evaluate(EvalBasis::Engine(&e), &log(), &config, &ProgressSink::none()).unwrap();
        assert_eq!(e.stats().most_popular(), before, "the whole log, not the training split");
        assert_eq!(e.stats().event_count("d"), 1, "the test event is still counted");
    }
}
