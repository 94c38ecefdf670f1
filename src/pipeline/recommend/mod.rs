//! One recommendation, every stage recorded: candidates → filters → re-rank → top-K.

mod remote;
mod rerank;
mod sources;

use super::PipelineError;
use super::builtin::{Builtin, BuiltinFilters};
use super::engine::Engine;
use super::filter::{Action, BindContext, BoundFilter, EvalContext, Filter, Schema};
use super::rules::{Rule, RuleSet};
use super::sources::{Source, Sources};
use super::strategy::{Anchors, Strategy, StrategyKind, anchors};
use super::user::{SEARCH, UserState, VIEW};
use crate::catalog::Item;
use crate::index::{Hit, sort_hits};
use crate::store::SimAction;
use crate::util::{cmp_ids, format_time, round6};
use serde::{Deserialize, Serialize};

use super::remote::RemoteIndex;
use super::stats::LogStats;
pub use super::trace::{
    AnchorOut, Baseline, BaselineRow, CandidateOut, ClauseOut, Contribution, FilterOut, Recommendation, ResultRow,
    RuleOut, SourceOut, SourceScore,
};
pub use remote::PushedFilter;
use remote::Remote;
use rerank::Ranked;
use sources::UserLog;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Everything that decides a recommendation. Saved as a scenario, it reproduces the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Request {
    /// Who this is (a simulated user's id, or a user of the log); informational.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The timeline the strategy reads, oldest first.
    pub actions: Vec<SimAction>,
    /// The user's whole history for the filters (owned, in cart, …); when empty, `actions`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<SimAction>,
    /// A free-text search, as a search action at `now`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Item-to-item mode: items similar to this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similar_to: Option<String>,
    pub strategy: Strategy,
    /// A filter expression (see [`super::filter`]); empty for none.
    pub filter: String,
    pub params: BTreeMap<String, String>,
    pub builtins: BuiltinFilters,
    pub rules: RuleSet,
    pub k: usize,
    /// How many nearest neighbours to consider before filtering (at least 4 × k).
    pub candidates: usize,
    /// Where candidates come from besides the nearest neighbours (see [`super::sources`]).
    #[serde(skip_serializing_if = "Sources::is_default")]
    pub sources: Sources,
    /// The scenario's time, Unix seconds.
    pub now: i64,
    /// Also compute the co-occurrence baseline.
    pub baseline: bool,
}

impl Default for Request {
    fn default() -> Self {
        Self {
            user: None,
            actions: Vec::new(),
            history: Vec::new(),
            search: None,
            similar_to: None,
            strategy: Strategy::default(),
            filter: String::new(),
            params: BTreeMap::new(),
            builtins: BuiltinFilters::default(),
            rules: RuleSet::default(),
            k: 10,
            candidates: 200,
            sources: Sources::default(),
            now: crate::sample::SAMPLE_NOW,
            baseline: false,
        }
    }
}

/// A candidate on its way through the pipeline.
#[derive(Debug, Clone)]
struct Cand {
    key: u64,
    id: String,
    /// Content similarity to the anchors (0 without one), whichever source proposed it.
    sim: f32,
    /// The query it is most similar to (`usize::MAX` without one).
    anchor: usize,
    /// Every source that proposed it with its raw score, the first one first.
    sources: Vec<(Source, f32)>,
    /// Its place in the merge of the other sources (0 for content): breaks ties in similarity.
    order: u32,
}

impl Cand {
    fn primary(&self) -> Source {
        self.sources.first().map(|s| s.0).unwrap_or(Source::Content)
    }
}

/// One filter step: a built-in or an expression.
enum Step<'a> {
    Builtin(Builtin),
    Expr(usize, &'a super::filter::BoundExpr),
}

/// A request being answered: what every stage reads.
struct Ctx<'a> {
    req: &'a Request,
    /// The interaction statistics the request is answered with (the project's, or an
    /// evaluation's training split).
    stats: &'a LogStats,
    /// The sources in effect (a new user's fallback included).
    sources: Sources,
    log: UserLog<'a>,
    user: UserState,
    anchors: Anchors,
    bound: BoundFilter,
    pins: Vec<(usize, BoundFilter)>,
    /// A database backend serving the content source, with the filters it was given.
    remote: Option<Remote<'a>>,
}

impl Ctx<'_> {
    /// Whether the content source runs: it is on and there is something to search from.
    fn content(&self) -> bool {
        self.sources.content && !self.anchors.queries.is_empty()
    }

    fn eval_ctx<R>(&self, f: impl FnOnce(&EvalContext<'_>) -> R) -> R {
        let user_events = |id: &str| self.user.event_types(id);
        let interactions = |id: &str| self.stats.event_count(id);
        let ctx = EvalContext { user_events: &user_events, interactions: &interactions, now: self.req.now };
        f(&ctx)
    }

    fn steps(&self) -> Vec<Step<'_>> {
        let mut steps: Vec<Step<'_>> =
            Builtin::ALL.into_iter().filter(|b| b.enabled(&self.req.builtins)).map(Step::Builtin).collect();
        steps.extend(self.bound.exprs.iter().enumerate().map(|(i, e)| Step::Expr(i, e)));
        steps
    }

    /// The first step that removes `item`, with the reason.
    fn removal(&self, steps: &[Step<'_>], item: &Item, ectx: &EvalContext<'_>) -> Option<(usize, String)> {
        for (i, step) in steps.iter().enumerate() {
            match step {
                Step::Builtin(b) => {
                    if let Some(reason) =
                        b.removes(item, &self.req.builtins, &self.user, &self.anchors.acted_on, self.req.now)
                    {
                        return Some((i, reason));
                    }
                }
                Step::Expr(_, e) => {
                    if !e.keeps(item, ectx) {
                        // Name the clauses that decided it.
                        let want = e.action == Action::Exclude;
                        let clauses: Vec<&str> = (0..e.clause_texts.len())
                            .filter(|&c| e.clause_matches(c, item, ectx) == want)
                            .map(|c| e.clause_texts[c].as_str())
                            .collect();
                        let why = match e.action {
                            Action::Include => format!("does not match {}", clauses.join(" / ")),
                            Action::Exclude => format!("matches {}", clauses.join(" and ")),
                        };
                        return Some((i, why));
                    }
                }
            }
        }
        None
    }
}

fn step_id(step: &Step<'_>) -> String {
    match step {
        Step::Builtin(b) => b.id().to_string(),
        Step::Expr(i, _) => format!("expr{}", i + 1),
    }
}

/// Stage 0's record: the user, the anchors and the filters, bound to the request.
struct Prepared<'a> {
    ctx: Ctx<'a>,
    /// The strategy that ran (item-to-item mode runs `latest` on the item).
    strategy: Strategy,
    notes: Vec<String>,
}

/// Stage 2's record: every candidate (index hits, then fills), which filter removed which, the
/// effect of each filter, and the survivors by similarity.
struct Filtered<'a> {
    steps: Vec<Step<'a>>,
    candidates: Vec<Cand>,
    removed_by: HashMap<u64, (usize, String)>,
    effects: Vec<FilterOut>,
    survivors: Vec<Cand>,
}

/// Each item's best exact score over several queries, and the query that gave it.
#[derive(Default)]
struct Nearest(HashMap<u64, (f32, usize)>);

impl Nearest {
    fn offer(&mut self, key: u64, score: f32, query: usize) {
        let e = self.0.entry(key).or_insert((score, query));
        if score > e.0 {
            *e = (score, query);
        }
    }
}

impl Engine {
    /// Runs the whole pipeline for `req` with the project's interaction statistics.
    pub fn recommend(&self, req: &Request) -> Result<Recommendation, PipelineError> {
        self.recommend_with_stats(req, &self.stats)
    }

    /// Runs the whole pipeline for `req` with `stats` (for example an evaluation's training
    /// split): candidates → filters → re-rank → top-K, each stage a function below. A `k`
    /// above the catalog's size asks for the whole catalog (said in the notes).
    pub fn recommend_with_stats(&self, req: &Request, stats: &LogStats) -> Result<Recommendation, PipelineError> {
        self.run(req, stats, None)
    }

    /// Runs the pipeline for `req` with the content candidates from a database backend (see
    /// [`super::remote`]): the filters that can be written in SQL go into its `WHERE`, the
    /// others and the re-ranking run here, and the trace shows the statements sent.
    pub fn recommend_remote(&self, req: &Request, remote: &dyn RemoteIndex) -> Result<Recommendation, PipelineError> {
        self.run(req, &self.stats, Some(remote))
    }

    fn run(
        &self,
        req: &Request,
        stats: &LogStats,
        remote: Option<&dyn RemoteIndex>,
    ) -> Result<Recommendation, PipelineError> {
        let n = self.catalog.len().max(1);
        if req.k > n {
            let bounded = Request { k: n, ..req.clone() };
            let mut rec = self.run(&bounded, stats, remote)?;
            rec.notes.insert(0, format!("k = {} is more than the catalog's {n} items: k = {n} was used", req.k));
            return Ok(rec);
        }
        if req.k == 0 {
            return Err(PipelineError::Request("k must be at least 1".into()));
        }
        let Prepared { mut ctx, strategy, mut notes } = self.prepare(req, stats)?;
        ctx.remote = remote.map(|r| Remote::new(r, &ctx));
        let candidates = self.candidates(&ctx)?;
        let filtered = self.filter(&ctx, candidates, &mut notes)?;
        let reranked = self.rerank(&ctx, &filtered.survivors, &mut notes)?;
        Ok(self.top_k(&ctx, &strategy, filtered, reranked, notes))
    }

    /// Stage 0: the timeline up to `now` (and the search), the anchors the strategy reads from
    /// it, the user's state for the built-in filters, and the filters bound to the request.
    fn prepare<'a>(&self, req: &'a Request, stats: &'a LogStats) -> Result<Prepared<'a>, PipelineError> {
        req.strategy.check()?;
        let now = req.now;
        let mut timeline: Vec<SimAction> = req.actions.iter().filter(|a| a.ts <= now).cloned().collect();
        timeline.sort_by_key(|a| a.ts);
        let mut notes = Vec::new();
        let future = req.actions.len() - timeline.len();
        if future > 0 {
            notes.push(format!("{future} action(s) after now ({}) were ignored", format_time(now)));
        }
        if let Some(q) = req.search.as_deref().filter(|q| !q.trim().is_empty()) {
            timeline.push(SimAction { event_type: SEARCH.into(), item_id: None, query: Some(q.to_string()), ts: now });
        }
        let strategy = match &req.similar_to {
            Some(id) => {
                if self.catalog.get(id).is_none() {
                    return Err(crate::store::StoreError::UnknownItem(id.clone()).into());
                }
                timeline = vec![SimAction::on_item(VIEW, id.as_str(), now)];
                Strategy { kind: StrategyKind::Latest, ..req.strategy.clone() }
            }
            None => req.strategy.clone(),
        };
        req.sources.check()?;
        let mut sources = req.sources.clone();
        let mut anchors = if timeline.is_empty() {
            // A new user: nothing to search from, so popularity and new items serve them.
            if sources.popularity == 0 && sources.new_items == 0 {
                (sources.popularity, sources.new_items) = Sources::COLD_USER;
                sources.popularity_window_days = Some(30.0);
            }
            notes.push(format!(
                "no actions and no search text: a new user, served by popularity ({}) and new items ({})",
                sources.popularity, sources.new_items
            ));
            super::strategy::Anchors::default()
        } else {
            anchors(self, &strategy, &timeline, now)?
        };
        notes.append(&mut anchors.notes);
        let history = if req.history.is_empty() { &req.actions } else { &req.history };
        let user = if req.similar_to.is_some() && req.actions.is_empty() {
            UserState::default()
        } else {
            UserState::from_actions(history, now)
        };
        let enabled = |kind: &str| req.rules.rules.iter().any(|e| e.enabled && e.rule.kind() == kind);
        let wants = (enabled("cooccurrence"), enabled("category_affinity"));
        let log = UserLog::new(self, stats, &timeline, history, now, &sources, wants);

        let schema = Schema { attributes: self.catalog.attributes.clone() };
        fn filter_error(text: &str) -> impl Fn(super::FilterError) -> PipelineError + '_ {
            move |e| PipelineError::Filter { error: e, text: text.to_string() }
        }
        let filter = Filter::parse(&req.filter, &schema).map_err(filter_error(&req.filter))?;
        let current = anchors.current_item.as_deref().and_then(|id| self.catalog.get(id));
        let bind = BindContext { params: &req.params, current, now };
        let bound = filter.bind(&bind).map_err(filter_error(&req.filter))?;
        let mut pins = Vec::new();
        for (i, entry) in req.rules.rules.iter().enumerate() {
            if let (true, Rule::Pin { filter, .. }) = (entry.enabled, &entry.rule) {
                let f = Filter::parse(filter, &schema).map_err(filter_error(filter))?;
                pins.push((i, f.bind(&bind).map_err(filter_error(filter))?));
            }
        }
        Ok(Prepared {
            ctx: Ctx { req, stats, sources, log, user, anchors, bound, pins, remote: None },
            strategy,
            notes,
        })
    }

    /// Stage 1: the nearest neighbours of each query, merged by best score; then the other
    /// sources' proposals.
    fn candidates(&self, ctx: &Ctx<'_>) -> Result<Vec<Cand>, PipelineError> {
        let req = ctx.req;
        let pool = req.candidates.max(req.k.saturating_mul(4)).min(self.vectors.len());
        let mut cands = match (&ctx.remote, ctx.content()) {
            (_, false) => Vec::new(),
            (Some(remote), true) => self.retrieve_remote(ctx, remote, pool, &[], "candidates")?,
            (None, true) => self.retrieve(&ctx.anchors, pool, None)?,
        };
        self.merge_sources(ctx, &mut cands);
        Ok(cands)
    }

    /// Stage 2: the filters, in order (each removed candidate records the first filter that
    /// removed it); when too few survive, a search among items that pass every filter.
    fn filter<'c>(
        &self,
        ctx: &'c Ctx<'_>,
        mut cands: Vec<Cand>,
        notes: &mut Vec<String>,
    ) -> Result<Filtered<'c>, PipelineError> {
        let req = ctx.req;
        let steps = ctx.steps();
        let mut removed_by: HashMap<u64, (usize, String)> = HashMap::new();
        ctx.eval_ctx(|ectx| {
            for c in &cands {
                if let Some(item) = self.catalog.by_key(c.key)
                    && let Some(r) = ctx.removal(&steps, item, ectx)
                {
                    removed_by.insert(c.key, r);
                }
            }
        });
        let effects = self.filter_effects(ctx, &steps, &cands, &removed_by);

        let wanted = req.k.saturating_mul(3).max(req.k.saturating_add(10));
        let mut survivors: Vec<Cand> = cands.iter().filter(|c| !removed_by.contains_key(&c.key)).cloned().collect();
        if ctx.content() && survivors.len() < wanted && cands.len() < self.vectors.len() {
            let seen: HashSet<u64> = cands.iter().map(|c| c.key).collect();
            let extra = ctx.eval_ctx(|ectx| {
                let passes = |key: u64| -> bool {
                    !seen.contains(&key)
                        && self.catalog.by_key(key).is_some_and(|item| ctx.removal(&steps, item, ectx).is_none())
                };
                match &ctx.remote {
                    // The database fills among what its WHERE keeps; the lab's own filters
                    // then judge what comes back.
                    Some(remote) => {
                        let exclude: Vec<&str> = cands.iter().map(|c| c.id.as_str()).collect();
                        let more = self.retrieve_remote(ctx, remote, wanted - survivors.len(), &exclude, "fill")?;
                        Ok(more.into_iter().filter(|c| passes(c.key)).collect())
                    }
                    None => self.retrieve(&ctx.anchors, wanted - survivors.len(), Some(&passes)),
                }
            })?;
            if !extra.is_empty() {
                notes.push(format!(
                    "the filters left {} of {} candidates; {} more came from a search among items that pass every filter",
                    survivors.len(),
                    cands.len(),
                    extra.len()
                ));
            }
            for mut c in extra {
                c.sources = vec![(Source::Fill, c.sim)];
                survivors.push(c.clone());
                cands.push(c);
            }
        }
        sort_cands(&mut survivors);
        Ok(Filtered { steps, candidates: cands, removed_by, effects, survivors })
    }

    /// What each filter step did to the candidates that reached it.
    fn filter_effects(
        &self,
        ctx: &Ctx<'_>,
        steps: &[Step<'_>],
        cands: &[Cand],
        removed_by: &HashMap<u64, (usize, String)>,
    ) -> Vec<FilterOut> {
        let mut effects = Vec::with_capacity(steps.len());
        let mut remaining = cands.len();
        for (i, step) in steps.iter().enumerate() {
            let removed = removed_by.values().filter(|(s, _)| *s == i).count();
            let (label, kind, clauses) = match step {
                Step::Builtin(b) => (b.label().to_string(), "builtin", Vec::new()),
                Step::Expr(_, e) => {
                    let clauses = ctx.eval_ctx(|ectx| {
                        e.clause_texts
                            .iter()
                            .enumerate()
                            .map(|(ci, text)| ClauseOut {
                                text: text.clone(),
                                matched: cands
                                    .iter()
                                    .filter(|c| {
                                        self.catalog.by_key(c.key).is_some_and(|it| e.clause_matches(ci, it, ectx))
                                    })
                                    .count(),
                            })
                            .collect()
                    });
                    (e.text.clone(), "expression", clauses)
                }
            };
            let sql = ctx.remote.as_ref().and_then(|r| r.sql(i));
            effects.push(FilterOut { id: step_id(step), label, kind, input: remaining, removed, clauses, sql });
            remaining -= removed;
        }
        effects
    }

    /// Stage 4: the top K with their scores, reasons and the whole trace.
    fn top_k(
        &self,
        ctx: &Ctx<'_>,
        strategy: &Strategy,
        filtered: Filtered<'_>,
        reranked: Vec<Ranked>,
        mut notes: Vec<String>,
    ) -> Recommendation {
        let req = ctx.req;
        let short = reranked.len() < req.k;
        if short {
            notes.push(format!("only {} item(s) pass the filters, fewer than k = {}", reranked.len(), req.k));
        }
        let Filtered { steps, candidates: mut all, removed_by, effects, survivors } = filtered;
        let rank_before: HashMap<u64, usize> = survivors.iter().enumerate().map(|(i, c)| (c.key, i + 1)).collect();
        let labels: Vec<String> = ctx.anchors.queries.iter().map(|a| a.label.clone()).collect();
        sort_cands(&mut all);
        let in_results: HashSet<u64> = reranked.iter().map(|r| r.cand.key).collect();
        let sources = Source::ALL
            .into_iter()
            .filter_map(|s| {
                let of: Vec<&Cand> = all.iter().filter(|c| c.sources.iter().any(|x| x.0 == s)).collect();
                let quota = ctx.sources.quota(s, req.candidates.max(req.k.saturating_mul(4)));
                (quota > 0 || !of.is_empty()).then(|| SourceOut {
                    source: s.as_str(),
                    quota,
                    proposed: of.len(),
                    only_here: of.iter().filter(|c| c.sources.len() == 1).count(),
                    removed: of.iter().filter(|c| removed_by.contains_key(&c.key)).count(),
                    in_results: of.iter().filter(|c| in_results.contains(&c.key)).count(),
                })
            })
            .collect();
        let candidates = all
            .iter()
            .enumerate()
            .map(|(i, c)| CandidateOut {
                item_id: c.id.clone(),
                name: self.catalog.by_key(c.key).map(|it| it.display_name().to_string()).unwrap_or_default(),
                similarity: round6(c.sim),
                rank: i + 1,
                anchor: labels.get(c.anchor).cloned().unwrap_or_default(),
                source: c.primary().as_str(),
                sources: source_scores(c),
                removed_by: removed_by.get(&c.key).map(|(s, _)| step_id(&steps[*s])),
                removal_reason: removed_by.get(&c.key).map(|(_, r)| r.clone()),
            })
            .collect();
        let results = reranked
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let item = self.catalog.by_key(r.cand.key)?;
                let before = rank_before.get(&r.cand.key).copied().unwrap_or(i + 1);
                Some(ResultRow {
                    rank: i + 1,
                    item_id: item.id.clone(),
                    name: item.display_name().to_string(),
                    name_alt: item.name_alt.clone(),
                    category: item.category.clone(),
                    similarity: round6(r.cand.sim),
                    sources: source_scores(&r.cand),
                    score: round6(r.score),
                    contributions: r
                        .contributions
                        .iter()
                        .map(|(n, v)| Contribution { rule: n.clone(), value: round6(*v) })
                        .collect(),
                    rank_before: before,
                    rank_change: before as i64 - (i as i64 + 1),
                    is_new: ctx.stats.event_count(&item.id) == 0,
                    pinned_by: r.pinned_by.clone(),
                    reason: self.reason(ctx, r, item),
                })
            })
            .collect();
        let baseline = req.baseline.then(|| self.baseline(ctx, req.k));
        if let Some(remote) = &ctx.remote {
            notes.extend(remote_notes(remote, &steps, &removed_by, ctx));
        }
        let backend = ctx.remote.as_ref().map(|r| r.out(&steps));
        let anchor_out = |a: &super::strategy::Anchor, role| AnchorOut {
            label: a.label.clone(),
            item_id: a.item_id.clone(),
            event_type: a.event_type.clone(),
            at: format_time(a.ts),
            weight: round6(a.weight),
            role,
        };
        let mut anchor_outs: Vec<AnchorOut> = ctx.anchors.queries.iter().map(|a| anchor_out(a, "query")).collect();
        anchor_outs.extend(ctx.anchors.components.iter().map(|a| anchor_out(a, "component")));
        let rules = req
            .rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, e)| RuleOut { name: e.name(i, &req.rules), kind: e.rule.kind(), enabled: e.enabled })
            .collect();
        Recommendation {
            schema: 1,
            model: self.model.key.clone(),
            strategy: if req.similar_to.is_some() { "similar_items".into() } else { strategy.kind.as_str().into() },
            now: format_time(req.now),
            k: req.k,
            anchors: anchor_outs,
            sources,
            candidates,
            filters: effects,
            rules,
            results,
            baseline,
            backend,
            short,
            notes,
        }
    }

    /// The `n` best items for the queries (best score over queries), exact scores, optionally
    /// restricted to keys that pass `allow`.
    fn retrieve(
        &self,
        anchors: &Anchors,
        n: usize,
        allow: Option<&dyn Fn(u64) -> bool>,
    ) -> Result<Vec<Cand>, PipelineError> {
        let mut best = Nearest::default();
        for (ai, a) in anchors.queries.iter().enumerate() {
            let hits: Vec<Hit> = match (self.ann(), allow) {
                (Some(ann), None) => ann.search(&a.vector, n)?,
                (Some(ann), Some(f)) => {
                    let mut h = ann.filtered_search(&a.vector, n, f)?;
                    if h.len() < n {
                        // HNSW may miss allowed items behind a very selective filter: scan.
                        h = self.vectors.search(&a.vector, n, f);
                    }
                    h
                }
                (None, None) => self.vectors.search(&a.vector, n, |_| true),
                (None, Some(f)) => self.vectors.search(&a.vector, n, f),
            };
            for h in hits {
                // Exact f32 scores, whatever the index's quantisation.
                best.offer(h.key, self.vectors.score(&a.vector, h.key).unwrap_or(h.score), ai);
            }
        }
        Ok(self.content_candidates(&best))
    }

    /// Content candidates from the best score of each item over the queries, best first.
    fn content_candidates(&self, best: &Nearest) -> Vec<Cand> {
        // Several queries: the union of their neighbours.
        let mut hits: Vec<Hit> = best.0.iter().map(|(k, (s, _))| Hit { key: *k, score: *s }).collect();
        sort_hits(&mut hits);
        hits.into_iter()
            .filter_map(|h| {
                let id = self.catalog.by_key(h.key)?.id.clone();
                let sources = vec![(Source::Content, h.score)];
                Some(Cand { key: h.key, id, sim: h.score, anchor: best.0[&h.key].1, sources, order: 0 })
            })
            .collect()
    }

    /// The co-occurrence baseline for the same user (it cannot know items without interactions).
    fn baseline(&self, ctx: &Ctx<'_>, k: usize) -> Baseline {
        // Every item the user acted on, as the collaborative recommender sees a user.
        let history = if ctx.req.history.is_empty() { &ctx.req.actions } else { &ctx.req.history };
        let mut seen = BTreeSet::new();
        let ids: Vec<&str> = history
            .iter()
            .filter(|a| a.ts <= ctx.req.now)
            .filter_map(|a| a.item_id.as_deref())
            .chain(ctx.req.similar_to.as_deref())
            .filter(|id| seen.insert(*id))
            .collect();
        let scored = ctx.stats.cooccurrence_scores(&ids);
        let steps = ctx.steps();
        let rows: Vec<BaselineRow> = ctx.eval_ctx(|ectx| {
            scored
                .iter()
                .filter_map(|(id, s)| {
                    let item = self.catalog.get(id)?;
                    ctx.removal(&steps, item, ectx).is_none().then_some((item, *s))
                })
                .take(k)
                .enumerate()
                .map(|(i, (item, s))| BaselineRow {
                    rank: i + 1,
                    item_id: item.id.clone(),
                    name: item.display_name().to_string(),
                    score: round6(s),
                    is_new: ctx.stats.event_count(&item.id) == 0,
                })
                .collect()
        });
        let new_items = self.catalog.items().iter().filter(|i| ctx.stats.event_count(&i.id) == 0).count();
        Baseline {
            method: "item-item co-occurrence",
            note: format!(
                "scores are numbers of users who interacted with both items; the {new_items} catalog item(s) with no interactions can never appear here"
            ),
            results: rows,
        }
    }
}

/// What a reader of a database-served result should know: a scan that returned fewer rows than
/// asked for, and pushed filters that let through items the lab removes (a stale push).
fn remote_notes(
    remote: &Remote<'_>,
    steps: &[Step<'_>],
    removed_by: &HashMap<u64, (usize, String)>,
    ctx: &Ctx<'_>,
) -> Vec<String> {
    let mut notes = Vec::new();
    let (rows, asked) = remote.rows();
    if rows < asked && ctx.content() {
        notes.push(format!(
            "{} returned {rows} of the {asked} rows asked for: an HNSW scan stops at hnsw.ef_search candidates and its WHERE filters them afterwards (raise --ef-search, or see `reclab pg parity`)",
            remote.index.name()
        ));
    }
    for (i, step) in steps.iter().enumerate() {
        let let_through = removed_by.values().filter(|(s, _)| *s == i).count();
        if remote.sql(i).is_some() && let_through > 0 {
            notes.push(format!(
                "{let_through} item(s) the database's WHERE kept were removed by {} here: the pushed catalog differs from the project (push it again)",
                step_id(step)
            ));
        }
    }
    notes
}

/// By similarity, then the other sources' merge order (a new user's candidates all have
/// similarity 0), then id.
fn sort_cands(c: &mut [Cand]) {
    c.sort_by(|a, b| b.sim.total_cmp(&a.sim).then(a.order.cmp(&b.order)).then_with(|| cmp_ids(&a.id, &b.id)));
}

fn source_scores(c: &Cand) -> Vec<SourceScore> {
    c.sources.iter().map(|(s, v)| SourceScore { source: s.as_str(), score: round6(*v) }).collect()
}
