//! Successive halving over seeded random configurations, on the validation split.

use super::space::{self, Rng};
use super::{Trial, TuneConfig, TuneReport, validation_split};
use crate::catalog::Interaction;
use crate::eval::baselines::Baselines;
use crate::eval::content::{ContentRun, Settings};
use crate::eval::metrics::{self, Metrics, UserResult};
use crate::eval::pool::Progress;
use crate::eval::protocol::{Split, UserSplit, leave_last_out};
use crate::eval::{EvalBasis, EvalConfig, EvalError, Method, evaluate};
use crate::jobs::ProgressSink;
use crate::pipeline::stats::LogStats;
use crate::pipeline::{Engine, Request};
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

/// Each rung keeps the best third.
const ETA: usize = 3;
/// The first rung scores at least this many users (all of them, when there are fewer).
const MIN_RUNG_USERS: usize = 60;

/// What every trial is scored against: the validation split's statistics and facts.
struct Scorer<'a> {
    engine: &'a Engine,
    stats: &'a LogStats,
    popularity: HashMap<String, u32>,
    percentiles: HashMap<String, f64>,
    catalog: Vec<String>,
    config: EvalConfig,
    users: Vec<UserSplit>,
}

impl Scorer<'_> {
    /// Ranks `users[from..to]` for a configuration.
    fn rank(
        &self,
        req: &Request,
        from: usize,
        to: usize,
        progress: &Progress<'_>,
        label: &str,
    ) -> Result<Vec<UserResult>, EvalError> {
        let run = ContentRun {
            engine: self.engine,
            train: self.stats,
            config: &self.config,
            k_max: self.config.k_max,
            catalog: &self.catalog,
        };
        let settings = Settings {
            label,
            strategy: &req.strategy,
            filter: &req.filter,
            params: &req.params,
            builtins: &req.builtins,
            rules: &req.rules,
            sources: &req.sources,
        };
        run.rank_users(&settings, &self.users[from..to], progress)
    }

    fn metrics(&self, results: &[UserResult]) -> Metrics {
        let engine = self.engine;
        let vector = |id: &str| engine.catalog().key_of(id).and_then(|k| engine.vectors().get(k));
        let expires = |id: &str| engine.catalog().get(id).and_then(|i| i.expires_at);
        let facts = metrics::Facts {
            popularity: &self.popularity,
            users: self.users.len(),
            catalog: &self.catalog,
            vector: &vector,
            expires_at: &expires,
        };
        metrics::compute(results, self.config.k, &facts, &self.percentiles)
    }
}

/// A trial being searched: its per-user results so far (a prefix of the shuffled users).
struct Live {
    trial: Trial,
    results: Vec<UserResult>,
}

/// The rungs' user counts for `n` configurations and `users` validation users: the last is
/// every user, each earlier one a third of the next, the first at least [`MIN_RUNG_USERS`].
pub(super) fn rung_sizes(n: usize, users: usize) -> Vec<usize> {
    let mut rungs = vec![users];
    let mut configs = n;
    while configs >= ETA && rungs[0] / ETA >= MIN_RUNG_USERS.min(users) && rungs[0] / ETA > 0 {
        rungs.insert(0, rungs[0] / ETA);
        configs /= ETA;
    }
    rungs
}

/// Better first: feasible before not, then by objective (or by how little it violates), then
/// the earlier trial.
fn order(a: &Trial, b: &Trial) -> std::cmp::Ordering {
    b.feasible
        .cmp(&a.feasible)
        .then_with(|| a.violation.total_cmp(&b.violation))
        .then_with(|| b.objective.total_cmp(&a.objective))
        .then(a.id.cmp(&b.id))
}

/// The points on the upper-right front of (x, y) pairs: no other point is at least as good in
/// both and better in one.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    points.iter().map(|&(x, y)| !points.iter().any(|&(a, b)| a >= x && b >= y && (a > x || b > y))).collect()
}

/// Tunes `base` (its filters, parameters and built-ins stay; `config.knobs` move) on `log`, then
/// scores the best configuration on the test split. The engine is not changed.
pub fn tune(
    engine: &Engine,
    log: &[Interaction],
    base: &Request,
    config: &TuneConfig,
    sink: &ProgressSink,
) -> Result<TuneReport, EvalError> {
    let started = Instant::now();
    config.constraints.check().map_err(EvalError::Empty)?;
    if config.trials == 0 {
        return Err(EvalError::Empty("--trials 0: ask for at least one trial".into()));
    }
    let test_split = leave_last_out(log);
    let mut users = validation_split(&test_split.users);
    if users.is_empty() {
        return Err(EvalError::Empty(
            "no user has 3 or more distinct items: the validation split needs a second-to-last item with history before it".into(),
        ));
    }
    // The validation split's statistics: nobody's last two items.
    let val = Split { users: users.clone(), ..Split::default() };
    let stats = LogStats::new(&val.training_log());
    let popularity = Baselines::new(&stats).popularity;
    let catalog: Vec<String> = engine.catalog().items().iter().map(|i| i.id.clone()).collect();
    let percentiles = metrics::percentiles(&popularity, &catalog);
    let k = config.objective.k().min(catalog.len().max(1));
    let eval_config =
        EvalConfig { k, k_max: k.max(20).min(catalog.len().max(1)), methods: Vec::new(), ..EvalConfig::default() };
    let mut rng = Rng::new(config.seed);
    rng.shuffle(&mut users);
    let event_types: Vec<String> =
        log.iter().map(|e| e.event_type.clone()).collect::<BTreeSet<_>>().into_iter().collect();

    // Trial 0 is the starting point; the rest are drawn.
    let mut live: Vec<Live> = (0..config.trials)
        .map(|id| {
            let request =
                if id == 0 { base.clone() } else { space::sample(&mut rng, base, &config.knobs, &event_types) };
            let summary = space::describe(&request, &config.knobs);
            Live {
                trial: Trial {
                    id,
                    request,
                    summary,
                    rung: 0,
                    users: 0,
                    metrics: empty_metrics(k),
                    objective: 0.0,
                    violation: 0.0,
                    feasible: false,
                },
                results: Vec::new(),
            }
        })
        .collect();
    let scorer = Scorer { engine, stats: &stats, popularity, percentiles, catalog, config: eval_config, users };
    let rungs = rung_sizes(config.trials, scorer.users.len());
    // Work units: user rankings over every rung.
    let mut total = 0u64;
    let mut alive = config.trials;
    let mut prev = 0;
    for &r in &rungs {
        total += (alive * (r - prev)) as u64;
        prev = r;
        alive = alive.div_ceil(ETA);
    }
    let progress = Progress::new(sink, total);
    let label = config.objective.label();
    let mut notes = Vec::new();
    let mut best_so_far: Option<f64> = None;
    let mut timed_out = false;
    let mut survivors: Vec<usize> = (0..live.len()).collect();
    for (ri, &size) in rungs.iter().enumerate() {
        let mut scored = Vec::new();
        for &t in &survivors {
            // Each rung scores at least one trial, so a search always has a best.
            if !scored.is_empty() && config.time_limit.is_some_and(|s| started.elapsed().as_secs_f64() > s) {
                timed_out = true;
                break;
            }
            let l = &mut live[t];
            let from = l.results.len();
            let tag = format!(
                "trial {} of {} · rung {}/{} ({size} users) · best {label} {}",
                l.trial.id + 1,
                config.trials,
                ri + 1,
                rungs.len(),
                best_so_far.map(|b| format!("{b:.4}")).unwrap_or_else(|| "–".into())
            );
            let mut more = scorer.rank(&l.trial.request, from, size, &progress, &tag)?;
            l.results.append(&mut more);
            l.trial.score(scorer.metrics(&l.results), ri, size, config);
            if l.trial.feasible {
                best_so_far = Some(best_so_far.map_or(l.trial.objective, |b| b.max(l.trial.objective)));
            }
            scored.push(t);
        }
        scored.sort_by(|&a, &b| order(&live[a].trial, &live[b].trial));
        if timed_out {
            notes.push(format!(
                "the time limit stopped the search in rung {} of {}; the best trial so far is scored on every validation user",
                ri + 1,
                rungs.len()
            ));
            survivors = scored.into_iter().take(1).collect();
            break;
        }
        let keep = if ri + 1 < rungs.len() { scored.len().div_ceil(ETA) } else { scored.len() };
        survivors = scored.into_iter().take(keep).collect();
    }
    let Some(&best) = survivors.first() else {
        return Err(EvalError::Empty("no trial was scored".into()));
    };
    // The best is reported on every validation user.
    let all = scorer.users.len();
    if live[best].trial.users < all {
        let l = &mut live[best];
        let mut more =
            scorer.rank(&l.trial.request, l.results.len(), all, &progress, "the best trial on every user")?;
        l.results.append(&mut more);
        l.trial.score(scorer.metrics(&l.results), rungs.len() - 1, all, config);
    }
    if !live[best].trial.feasible {
        notes.push(format!(
            "no trial keeps the constraints ({}): the best shown is the one that comes closest",
            config.constraints.describe()
        ));
    }
    let best_id = live[best].trial.id;
    let best_request = live[best].trial.request.clone();
    let mut trials: Vec<Trial> = live.into_iter().map(|l| l.trial).collect();
    trials.sort_by(|a, b| b.rung.cmp(&a.rung).then_with(|| order(a, b)));
    progress.finish();

    // Only now, the test split: the baselines, where the search started, and where it ended.
    let test_config = EvalConfig {
        k,
        k_max: scorer.config.k_max,
        methods: vec![
            Method::Popularity,
            Method::CoOccurrence,
            Method::CoOccurrenceNormalized,
            Method::from_request("starting configuration", base),
            Method::from_request("tuned", &best_request),
        ],
        ..EvalConfig::default()
    };
    let test = evaluate(EvalBasis::Engine(engine), log, &test_config, &ProgressSink::none())?;
    Ok(TuneReport {
        config: config.clone(),
        search: format!(
            "successive halving (η = {ETA}) over {} seeded random configurations (seed {})",
            config.trials, config.seed
        ),
        validation_users: all,
        rungs,
        trials,
        best: best_id,
        test,
        notes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

impl Trial {
    fn score(&mut self, m: Metrics, rung: usize, users: usize, config: &TuneConfig) {
        self.objective = config.objective.value(&m);
        self.violation = config.constraints.violation(&m);
        self.feasible = self.violation == 0.0;
        (self.rung, self.users, self.metrics) = (rung, users, m);
    }
}

fn empty_metrics(k: usize) -> Metrics {
    Metrics {
        k,
        users: 0,
        hr: 0.0,
        ndcg: 0.0,
        mrr: 0.0,
        coverage: 0.0,
        diversity: 0.0,
        novelty: 0.0,
        popularity_percentile: 0.0,
        new_item_share: 0.0,
        expired_share: 0.0,
        mean_days_to_expiry: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Item;
    use crate::embed::{LexicalEmbedder, ModelRef, ModelStore, Template, embed_catalog};
    use crate::eval::tune::Objective;
    use crate::pipeline::EngineOptions;
    use crate::store::Project;

    /// 30 items in 3 families; 45 users who each stay mostly in one family, 4 to 6 items each.
    fn fixture() -> (Engine, Vec<Interaction>) {
        let families = ["red apple fruit box", "steel rifle weapon", "silk scarf fashion"];
        let items: Vec<Item> = (0..30)
            .map(|i| Item {
                id: format!("i{i:02}"),
                name: format!("{} {i}", families[i % 3]),
                category: Some(families[i % 3].split(' ').next_back().unwrap_or("x").to_string()),
                ..Default::default()
            })
            .collect();
        let mut p = Project::in_memory().unwrap();
        p.upsert_items(&items).unwrap();
        embed_catalog(&mut p, &LexicalEmbedder::new(), &Template::default_template(), 16, &ProgressSink::none())
            .unwrap();
        let engine = Engine::open(
            &p,
            ModelRef::lexical(),
            ModelStore::at("/nonexistent"),
            EngineOptions { persist: false, ..Default::default() },
            &ProgressSink::none(),
        )
        .unwrap();
        let mut rng = Rng::new(42);
        let mut log = Vec::new();
        for u in 0..45 {
            let family = u % 3;
            let n = 4 + rng.below(3);
            for e in 0..n {
                let f = if rng.unit() < 0.8 { family } else { rng.below(3) };
                let item = f + 3 * rng.below(10);
                log.push(Interaction {
                    user_id: format!("u{u:02}"),
                    item_id: format!("i{item:02}"),
                    event_type: if e % 2 == 0 { "click".into() } else { "purchase".into() },
                    ts: 1_000 + (u * 100 + e) as i64,
                    value: None,
                });
            }
        }
        (engine, log)
    }

    fn config() -> TuneConfig {
        TuneConfig { objective: Objective::Hr(5), trials: 8, seed: 5, ..TuneConfig::default() }
    }

    #[test]
    fn the_search_never_sees_the_test_items_and_repeats_itself_for_a_seed() {
        let (engine, log) = fixture();
        let base = Request { now: 100_000, ..Request::default() };
        let sink = ProgressSink::none();
        let a = tune(&engine, &log, &base, &config(), &sink).unwrap();
        assert_eq!(a.trials.len(), 8);
        assert!(a.validation_users > 0 && a.best_trial().is_some());
        assert!(a.trials.iter().any(|t| t.objective > 0.0), "something ranks the validation items");
        // Same seed, same trials, same order, same numbers.
        let b = tune(&engine, &log, &base, &config(), &sink).unwrap();
        assert_eq!(serde_json::to_string(&a.trials).unwrap(), serde_json::to_string(&b.trials).unwrap());

        // Every user's test item (their last) replaced by an item nobody else has: the search
        // must not change at all, only the test split's scores.
        let split = leave_last_out(&log);
        let test_pairs: std::collections::HashSet<(String, String)> =
            split.users.iter().map(|u| (u.user.clone(), u.test.item.clone())).collect();
        let mut hidden = log.clone();
        for e in hidden.iter_mut() {
            if test_pairs.contains(&(e.user_id.clone(), e.item_id.clone())) {
                e.item_id = format!("unseen-{}", e.user_id);
            }
        }
        let c = tune(&engine, &hidden, &base, &config(), &sink).unwrap();
        assert_eq!(serde_json::to_string(&a.trials).unwrap(), serde_json::to_string(&c.trials).unwrap());
        let tuned_hr = |r: &TuneReport| r.test.methods.iter().find(|m| m.method == "tuned").unwrap().at_k.hr;
        assert_eq!(tuned_hr(&c), 0.0, "nothing can rank an item that is not in the catalog");
        assert!(tuned_hr(&a) > 0.0);
        // The test split holds the baselines, the start and the best.
        let methods: Vec<&str> = a.test.methods.iter().map(|m| m.method.as_str()).collect();
        assert_eq!(
            methods,
            ["popularity", "co-occurrence", "co-occurrence (normalised)", "starting configuration", "tuned"]
        );
    }

    #[test]
    fn a_time_limit_stops_the_search_and_the_best_so_far_is_scored_on_everyone() {
        let (engine, log) = fixture();
        let base = Request { now: 100_000, ..Request::default() };
        let r = tune(&engine, &log, &base, &TuneConfig { time_limit: Some(0.0), ..config() }, &ProgressSink::none())
            .unwrap();
        assert!(r.notes.iter().any(|n| n.contains("the time limit stopped the search")), "{:?}", r.notes);
        let best = r.best_trial().unwrap();
        assert_eq!((best.id, best.users), (0, r.validation_users), "only the starting trial was scored");
        assert!(r.trials.iter().filter(|t| t.id != 0).all(|t| t.users == 0), "no other trial ran");
    }

    #[test]
    fn constraints_decide_before_the_objective() {
        let (engine, log) = fixture();
        let base = Request { now: 100_000, ..Request::default() };
        let strict = TuneConfig {
            constraints: super::super::Constraints { min_new_share: Some(1.0), ..Default::default() },
            ..config()
        };
        let r = tune(&engine, &log, &base, &strict, &ProgressSink::none()).unwrap();
        // Every item has interactions in the validation statistics but a few: no trial fills
        // every slot with new items, and the report says so.
        assert!(r.trials.iter().all(|t| !t.feasible && t.violation > 0.0));
        assert!(r.notes.iter().any(|n| n.contains("no trial keeps the constraints")), "{:?}", r.notes);
        let e = tune(&engine, &log, &base, &TuneConfig { trials: 0, ..config() }, &ProgressSink::none()).unwrap_err();
        assert!(e.to_string().contains("at least one trial"), "{e}");
    }

    #[test]
    fn rungs_shrink_by_thirds_down_to_a_readable_sample() {
        assert_eq!(rung_sizes(60, 700), vec![77, 233, 700]);
        assert_eq!(rung_sizes(60, 100), vec![100]);
        assert_eq!(rung_sizes(2, 5000), vec![5000]);
        assert_eq!(rung_sizes(9, 5000), vec![555, 1666, 5000]);
    }

    #[test]
    fn the_pareto_front_is_what_nothing_beats_in_both() {
        let front = pareto_front(&[(0.3, 0.0), (0.2, 0.1), (0.1, 0.1), (0.25, 0.05), (0.1, 0.3)]);
        assert_eq!(front, vec![true, true, false, true, true]);
    }
}
