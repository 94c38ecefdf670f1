//! One recommendation, every stage recorded: candidates → filters → re-rank → top-K.

use super::PipelineError;
use super::builtin::{Builtin, BuiltinFilters};
use super::engine::Engine;
use super::filter::{Action, BindContext, BoundFilter, EvalContext, Filter, Schema};
use super::rules::{Rule, RuleSet};
use super::strategy::{Anchors, Strategy, StrategyKind, anchors};
use super::user::{SEARCH, UserState};
use crate::catalog::Item;
use crate::index::{Hit, dot, sort_hits};
use crate::store::SimAction;
use crate::util::{cmp_ids, format_time, round6};
use serde::{Deserialize, Serialize};
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
            now: crate::sample::SAMPLE_NOW,
            baseline: false,
        }
    }
}

/// The output, with its whole trace. Its JSON form is reclab's stable `recommend --json` schema
/// (see README, "JSON output").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    pub schema: u32,
    pub model: String,
    pub strategy: String,
    pub now: String,
    pub k: usize,
    pub anchors: Vec<AnchorOut>,
    pub candidates: Vec<CandidateOut>,
    pub filters: Vec<FilterOut>,
    pub rules: Vec<RuleOut>,
    pub results: Vec<ResultRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// Fewer than k items could pass the filters.
    pub short: bool,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnchorOut {
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    pub event_type: String,
    pub at: String,
    pub weight: f64,
    /// "query" (searched) or "component" (part of a profile).
    pub role: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateOut {
    pub item_id: String,
    pub name: String,
    pub similarity: f64,
    /// 1-based rank by similarity among all candidates.
    pub rank: usize,
    /// Label of the anchor that found it.
    pub anchor: String,
    /// "index" (nearest neighbours) or "fill" (searched among items that pass every filter,
    /// because the filters removed too many).
    pub source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClauseOut {
    pub text: String,
    /// Candidates the clause matches on its own.
    pub matched: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterOut {
    /// `owned`, `in_cart`, … for built-ins; `expr1`, `expr2`, … for expressions.
    pub id: String,
    pub label: String,
    /// "builtin" or "expression".
    pub kind: &'static str,
    /// Candidates that reached this filter, and how many it removed.
    pub input: usize,
    pub removed: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<ClauseOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleOut {
    pub name: String,
    pub kind: &'static str,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub rule: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultRow {
    pub rank: usize,
    pub item_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_alt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub similarity: f64,
    /// Similarity plus every contribution.
    pub score: f64,
    pub contributions: Vec<Contribution>,
    /// 1-based rank by similarity among the items that passed the filters.
    pub rank_before: usize,
    /// rank_before − rank: positive when re-ranking moved the item up.
    pub rank_change: i64,
    /// No logged interactions (cold start).
    pub is_new: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned_by: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub method: &'static str,
    pub results: Vec<BaselineRow>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineRow {
    pub rank: usize,
    pub item_id: String,
    pub name: String,
    pub score: f64,
    pub is_new: bool,
}

/// A candidate on its way through the pipeline.
#[derive(Debug, Clone)]
struct Cand {
    key: u64,
    id: String,
    sim: f32,
    anchor: usize,
    fill: bool,
}

/// One filter step: a built-in or an expression.
enum Step<'a> {
    Builtin(Builtin),
    Expr(usize, &'a super::filter::BoundExpr),
}

struct Ctx<'a> {
    engine: &'a Engine,
    req: &'a Request,
    user: UserState,
    anchors: Anchors,
    bound: BoundFilter,
    pins: Vec<(usize, BoundFilter)>,
}

impl Ctx<'_> {
    fn eval_ctx<R>(&self, f: impl FnOnce(&EvalContext<'_>) -> R) -> R {
        let user_events = |id: &str| self.user.event_types(id);
        let interactions = |id: &str| self.engine.stats.event_count(id);
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

impl Engine {
    /// Runs the whole pipeline for `req`. A `k` above the catalog's size asks for the whole
    /// catalog (said in the notes).
    pub fn recommend(&self, req: &Request) -> Result<Recommendation, PipelineError> {
        let n = self.catalog.len().max(1);
        if req.k > n {
            let bounded = Request { k: n, ..req.clone() };
            let mut rec = self.recommend(&bounded)?;
            rec.notes.insert(0, format!("k = {} is more than the catalog's {n} items: k = {n} was used", req.k));
            return Ok(rec);
        }
        if req.k == 0 {
            return Err(PipelineError::Request("k must be at least 1".into()));
        }
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
                timeline =
                    vec![SimAction { event_type: "view".into(), item_id: Some(id.clone()), query: None, ts: now }];
                Strategy { kind: StrategyKind::Latest, ..req.strategy.clone() }
            }
            None => req.strategy.clone(),
        };
        if timeline.is_empty() {
            return Err(PipelineError::NoAnchor("the user has no actions and there is no search text".into()));
        }
        let mut anchors = anchors(self, &strategy, &timeline, now)?;
        notes.append(&mut anchors.notes);
        let history = if req.history.is_empty() { &req.actions } else { &req.history };
        let user = if req.similar_to.is_some() && req.actions.is_empty() {
            UserState::default()
        } else {
            UserState::from_actions(history, now)
        };

        // Filters, bound to this request.
        let schema = Schema { attributes: self.catalog.attributes.clone() };
        let filter = Filter::parse(&req.filter, &schema)
            .map_err(|e| PipelineError::Filter { source: e, text: req.filter.clone() })?;
        let current = anchors.current_item.as_deref().and_then(|id| self.catalog.get(id));
        let bind = BindContext { params: &req.params, current, now };
        let bound = filter.bind(&bind).map_err(|e| PipelineError::Filter { source: e, text: req.filter.clone() })?;
        let mut pins = Vec::new();
        for (i, entry) in req.rules.rules.iter().enumerate() {
            if let (true, Rule::Pin { filter, .. }) = (entry.enabled, &entry.rule) {
                let f = Filter::parse(filter, &schema)
                    .map_err(|e| PipelineError::Filter { source: e, text: filter.clone() })?;
                let b = f.bind(&bind).map_err(|e| PipelineError::Filter { source: e, text: filter.clone() })?;
                pins.push((i, b));
            }
        }
        let ctx = Ctx { engine: self, req, user, anchors, bound, pins };

        // 1. Candidates: nearest neighbours of each query, merged by best score.
        let pool = req.candidates.max(req.k.saturating_mul(4)).min(self.vectors.len());
        let mut cands = self.retrieve(&ctx.anchors, pool, None)?;

        // 2. Filters, in order; each removed candidate records the first filter that removed it.
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
        let mut filter_outs: Vec<FilterOut> = Vec::new();
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
            filter_outs.push(FilterOut { id: step_id(step), label, kind, input: remaining, removed, clauses });
            remaining -= removed;
        }

        // 3. Too few left: search again among items that pass every filter.
        let wanted = req.k.saturating_mul(3).max(req.k.saturating_add(10));
        let mut survivors: Vec<Cand> = cands.iter().filter(|c| !removed_by.contains_key(&c.key)).cloned().collect();
        if survivors.len() < wanted && cands.len() < self.vectors.len() {
            let seen: HashSet<u64> = cands.iter().map(|c| c.key).collect();
            let extra = ctx.eval_ctx(|ectx| {
                let passes = |key: u64| -> bool {
                    !seen.contains(&key)
                        && self.catalog.by_key(key).is_some_and(|item| ctx.removal(&steps, item, ectx).is_none())
                };
                self.retrieve(&ctx.anchors, wanted - survivors.len(), Some(&passes))
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
                c.fill = true;
                survivors.push(c.clone());
                cands.push(c);
            }
        }
        sort_cands(&mut survivors);

        // 4. Re-rank.
        let reranked = self.rerank(&ctx, &survivors, &mut notes)?;
        let short = reranked.len() < req.k;
        if short {
            notes.push(format!("only {} item(s) pass the filters, fewer than k = {}", reranked.len(), req.k));
        }

        // 5. Output.
        let rank_before: HashMap<u64, usize> = survivors.iter().enumerate().map(|(i, c)| (c.key, i + 1)).collect();
        let labels: Vec<String> = ctx.anchors.queries.iter().map(|a| a.label.clone()).collect();
        let mut all = cands.clone();
        sort_cands(&mut all);
        let candidates = all
            .iter()
            .enumerate()
            .map(|(i, c)| CandidateOut {
                item_id: c.id.clone(),
                name: self.catalog.by_key(c.key).map(|it| it.display_name().to_string()).unwrap_or_default(),
                similarity: round6(c.sim),
                rank: i + 1,
                anchor: labels.get(c.anchor).cloned().unwrap_or_default(),
                source: if c.fill { "fill" } else { "index" },
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
                    score: round6(r.score),
                    contributions: r
                        .contributions
                        .iter()
                        .map(|(n, v)| Contribution { rule: n.clone(), value: round6(*v) })
                        .collect(),
                    rank_before: before,
                    rank_change: before as i64 - (i as i64 + 1),
                    is_new: self.stats.event_count(&item.id) == 0,
                    pinned_by: r.pinned_by.clone(),
                    reason: self.reason(&ctx, r, item),
                })
            })
            .collect();
        let baseline = req.baseline.then(|| self.baseline(&ctx, req.k));
        let mut anchor_outs: Vec<AnchorOut> = ctx
            .anchors
            .queries
            .iter()
            .map(|a| AnchorOut {
                label: a.label.clone(),
                item_id: a.item_id.clone(),
                event_type: a.event_type.clone(),
                at: format_time(a.ts),
                weight: round6(a.weight),
                role: "query",
            })
            .collect();
        anchor_outs.extend(ctx.anchors.components.iter().map(|a| AnchorOut {
            label: a.label.clone(),
            item_id: a.item_id.clone(),
            event_type: a.event_type.clone(),
            at: format_time(a.ts),
            weight: round6(a.weight),
            role: "component",
        }));
        let rules = req
            .rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, e)| RuleOut { name: e.name(i, &req.rules), kind: e.rule.kind(), enabled: e.enabled })
            .collect();
        Ok(Recommendation {
            schema: 1,
            model: self.model.key.clone(),
            strategy: if req.similar_to.is_some() { "similar_items".into() } else { strategy.kind.as_str().into() },
            now: format_time(now),
            k: req.k,
            anchors: anchor_outs,
            candidates,
            filters: filter_outs,
            rules,
            results,
            baseline,
            short,
            notes,
        })
    }

    /// The `n` best items for the queries (best score over queries), exact scores, optionally
    /// restricted to keys that pass `allow`.
    fn retrieve(
        &self,
        anchors: &Anchors,
        n: usize,
        allow: Option<&dyn Fn(u64) -> bool>,
    ) -> Result<Vec<Cand>, PipelineError> {
        let mut best: HashMap<u64, (f32, usize)> = HashMap::new();
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
                let score = self.vectors.score(&a.vector, h.key).unwrap_or(h.score);
                let e = best.entry(h.key).or_insert((score, ai));
                if score > e.0 {
                    *e = (score, ai);
                }
            }
        }
        // Several queries: the union of their neighbours.
        let mut hits: Vec<Hit> = best.iter().map(|(k, (s, _))| Hit { key: *k, score: *s }).collect();
        sort_hits(&mut hits);
        Ok(hits
            .into_iter()
            .filter_map(|h| {
                let id = self.catalog.by_key(h.key)?.id.clone();
                Some(Cand { key: h.key, id, sim: h.score, anchor: best[&h.key].1, fill: false })
            })
            .collect())
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
        let scored = self.stats.cooccurrence_scores(&ids);
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
                    is_new: self.stats.event_count(&item.id) == 0,
                })
                .collect()
        });
        let new_items = self.catalog.items().iter().filter(|i| self.stats.event_count(&i.id) == 0).count();
        Baseline {
            method: "item-item co-occurrence",
            note: format!(
                "scores are numbers of users who interacted with both items; the {new_items} catalog item(s) with no interactions can never appear here"
            ),
            results: rows,
        }
    }
}

fn sort_cands(c: &mut [Cand]) {
    c.sort_by(|a, b| b.sim.total_cmp(&a.sim).then_with(|| cmp_ids(&a.id, &b.id)));
}

/// A candidate after re-ranking.
struct Ranked {
    cand: Cand,
    score: f32,
    contributions: Vec<(String, f32)>,
    pinned_by: Option<String>,
}

impl Engine {
    fn rerank(&self, ctx: &Ctx<'_>, survivors: &[Cand], notes: &mut Vec<String>) -> Result<Vec<Ranked>, PipelineError> {
        let req = ctx.req;
        let now = req.now;
        let rules = &req.rules;
        let mut ranked: Vec<Ranked> = survivors
            .iter()
            .map(|c| Ranked { cand: c.clone(), score: c.sim, contributions: Vec::new(), pinned_by: None })
            .collect();
        // Additive rules.
        for (ri, entry) in rules.rules.iter().enumerate() {
            if !entry.enabled {
                continue;
            }
            let name = entry.name(ri, rules);
            for r in ranked.iter_mut() {
                let Some(item) = self.catalog.by_key(r.cand.key) else { continue };
                let v = match &entry.rule {
                    Rule::SameCategory { weight } => {
                        let anchor_cat = self.anchor_item(ctx, &r.cand).and_then(|a| a.category.clone());
                        match (anchor_cat, &item.category) {
                            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => *weight,
                            _ => 0.0,
                        }
                    }
                    Rule::NewItem { weight, max_age_days } => {
                        let fresh_enough = match (max_age_days, item.released_at) {
                            (Some(days), Some(t)) => (now - t) as f32 <= days * 86_400.0,
                            _ => true,
                        };
                        if self.stats.event_count(&item.id) == 0 && fresh_enough { *weight } else { 0.0 }
                    }
                    Rule::Popularity { weight, window_days } => {
                        weight * self.stats.popularity(&item.id, now, window_days.map(|d| (d * 86_400.0) as i64))
                    }
                    Rule::PriceBand { weight, min, max, outside } => match item.price {
                        Some(p) => {
                            let inside = min.is_none_or(|m| p >= m) && max.is_none_or(|m| p <= m);
                            if inside != *outside { *weight } else { 0.0 }
                        }
                        None => 0.0,
                    },
                    Rule::Freshness { weight, horizon_days } => match item.expires_at {
                        Some(t) if t > now => weight * (((t - now) as f32 / 86_400.0) / horizon_days).min(1.0),
                        _ => 0.0,
                    },
                    Rule::Mmr { .. } | Rule::Pin { .. } => continue,
                };
                r.contributions.push((name.clone(), v));
                r.score += v;
            }
        }
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| cmp_ids(&a.cand.id, &b.cand.id)));

        // MMR, over a bounded pool of the best.
        if let Some((ri, lambda)) = rules.rules.iter().enumerate().find_map(|(i, e)| match e.rule {
            Rule::Mmr { lambda } if e.enabled => Some((i, lambda)),
            _ => None,
        }) {
            let name = rules.rules[ri].name(ri, rules);
            let pool_n = ranked.len().min(req.k.saturating_mul(5).max(50));
            let mut pool: Vec<Ranked> = ranked.drain(..pool_n).collect();
            let rest = std::mem::take(&mut ranked);
            let mut picked: Vec<Ranked> = Vec::new();
            let factor = (1.0 - lambda) / lambda;
            // Each candidate's highest similarity to the items picked so far, brought up to
            // date with every pick: O(k · pool) dot products instead of O(k² · pool). The max
            // runs over the picks in the same order as a full recount, so it is the same number.
            let mut max_sim: Vec<f32> = vec![0.0; pool.len()];
            while !pool.is_empty() && picked.len() < req.k {
                let mut best: Option<(usize, f32, f32)> = None;
                for (i, r) in pool.iter().enumerate() {
                    let mmr = r.score - factor * max_sim[i];
                    let better = match best {
                        None => true,
                        Some((bi, bm, _)) => mmr > bm || (mmr == bm && cmp_ids(&r.cand.id, &pool[bi].cand.id).is_lt()),
                    };
                    if better {
                        best = Some((i, mmr, max_sim[i]));
                    }
                }
                let Some((i, _, best_sim)) = best else { break };
                let mut r = pool.remove(i);
                max_sim.remove(i);
                if let Some(chosen) = self.vectors.get(r.cand.key) {
                    for (q, m) in pool.iter().zip(max_sim.iter_mut()) {
                        if let Some(v) = self.vectors.get(q.cand.key) {
                            *m = m.max(dot(v, chosen));
                        }
                    }
                }
                let penalty = -factor * best_sim;
                r.contributions.push((name.clone(), penalty));
                r.score += penalty;
                picked.push(r);
            }
            // Items not picked keep their order after the picked ones.
            picked.extend(pool);
            picked.extend(rest);
            ranked = picked;
        }

        // Pins: the best matching items into their slots.
        let k = req.k;
        let mut slots: BTreeMap<usize, (usize, String)> = BTreeMap::new();
        for (ri, bound) in &ctx.pins {
            let entry = &rules.rules[*ri];
            let Rule::Pin { slots: wanted, .. } = &entry.rule else { continue };
            let name = entry.name(*ri, rules);
            let matching: Vec<usize> = ctx.eval_ctx(|ectx| {
                ranked
                    .iter()
                    .enumerate()
                    .filter(|(i, r)| {
                        !slots.values().any(|(j, _)| j == i)
                            && self.catalog.by_key(r.cand.key).is_some_and(|it| bound.first_removal(it, ectx).is_none())
                    })
                    .map(|(i, _)| i)
                    .collect()
            });
            let mut m = matching.into_iter();
            for &slot in wanted {
                if slot > k || slots.contains_key(&slot) {
                    continue;
                }
                match m.next() {
                    Some(i) => {
                        slots.insert(slot, (i, name.clone()));
                    }
                    None => {
                        notes.push(format!("rule {name}: no candidate matches its filter for slot {slot}"));
                        break;
                    }
                }
            }
        }
        if !slots.is_empty() {
            let pinned: HashSet<usize> = slots.values().map(|(i, _)| *i).collect();
            let mut free = ranked.iter().enumerate().filter(|(i, _)| !pinned.contains(i)).map(|(i, _)| i);
            let mut order = Vec::with_capacity(ranked.len());
            for pos in 1..=ranked.len() {
                match slots.get(&pos) {
                    Some((i, _)) => order.push(*i),
                    None => match free.next() {
                        Some(i) => order.push(i),
                        None => break,
                    },
                }
            }
            let mut taken: Vec<Option<Ranked>> = ranked.into_iter().map(Some).collect();
            let by_index: HashMap<usize, String> = slots.values().cloned().collect();
            ranked = order
                .into_iter()
                .filter_map(|i| {
                    let mut r = taken[i].take()?;
                    r.pinned_by = by_index.get(&i).cloned();
                    Some(r)
                })
                .collect();
        }
        ranked.truncate(k);
        Ok(ranked)
    }

    /// The anchor item a candidate is closest to (for the same-category rule and reasons).
    fn anchor_item<'a>(&'a self, ctx: &Ctx<'_>, cand: &Cand) -> Option<&'a Item> {
        let closest = self.closest_component(ctx, cand.key).or_else(|| ctx.anchors.queries.get(cand.anchor));
        closest.and_then(|a| a.item_id.as_deref()).and_then(|id| self.catalog.get(id))
    }

    /// For a profile: the component whose weighted similarity to the item is highest.
    fn closest_component<'a>(&self, ctx: &'a Ctx<'_>, key: u64) -> Option<&'a super::strategy::Anchor> {
        let v = self.vectors.get(key)?;
        ctx.anchors
            .components
            .iter()
            .map(|c| (c.weight * dot(v, &c.vector), c))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    }

    fn reason(&self, ctx: &Ctx<'_>, r: &Ranked, item: &Item) -> String {
        let mut parts = Vec::new();
        let base = if ctx.req.similar_to.is_some() {
            format!(
                "similar to {}",
                ctx.anchors
                    .queries
                    .first()
                    .and_then(|a| a.item_id.as_deref())
                    .and_then(|id| self.catalog.get(id))
                    .map(|i| i.display_name())
                    .unwrap_or("the item")
            )
        } else if let Some(c) = self.closest_component(ctx, r.cand.key) {
            format!("close to your recent activity, mostly {}", c.label)
        } else {
            match ctx.anchors.queries.get(r.cand.anchor) {
                Some(a) if a.item_id.is_none() && a.event_type == SEARCH => format!("matches your {}", a.label),
                Some(a) => format!("similar to {}", a.label),
                None => "similar".to_string(),
            }
        };
        parts.push(base);
        for (name, v) in &r.contributions {
            if v.abs() >= 0.0005 {
                parts.push(format!("{name} {}{:.3}", if *v >= 0.0 { "+" } else { "−" }, v.abs()));
            }
        }
        if self.stats.event_count(&item.id) == 0 {
            parts.push("new: no interactions yet".into());
        }
        if let Some(p) = &r.pinned_by {
            parts.push(format!("pinned by {p}"));
        }
        parts.join("; ")
    }
}
