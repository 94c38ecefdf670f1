//! Stage 1's other sources: co-occurrence, popularity and new items, merged with the content
//! candidates (see [`crate::pipeline::sources`]), and what the log says about the user for the
//! `cooccurrence` and `category_affinity` rules.

use super::{Cand, Ctx};
use crate::pipeline::engine::Engine;
use crate::pipeline::sources::{Source, Sources};
use crate::pipeline::stats::LogStats;
use crate::pipeline::strategy::Anchors;
use crate::store::SimAction;
use std::collections::HashMap;

/// What the rules and sources read from the log about one user, computed once per request.
#[derive(Default)]
pub(super) struct UserLog<'a> {
    /// The user's most recent distinct items, most recent first.
    pub(super) recent: Vec<String>,
    /// Normalised co-occurrence with `recent`, per item (only when a source or rule needs it).
    pub(super) cooccurrence: HashMap<&'a str, f32>,
    /// Share of the user's history per category (lower case; only when a rule needs it).
    pub(super) category_share: HashMap<String, f32>,
}

impl<'a> UserLog<'a> {
    pub(super) fn new(
        engine: &Engine,
        stats: &'a LogStats,
        timeline: &[SimAction],
        history: &[SimAction],
        now: i64,
        sources: &Sources,
        wants: (bool, bool),
    ) -> Self {
        let (cooccurrence_rule, affinity_rule) = wants;
        let mut recent: Vec<String> = Vec::new();
        for id in timeline.iter().rev().filter(|a| a.ts <= now).filter_map(|a| a.item_id.as_deref()) {
            if recent.len() >= sources.recent_items {
                break;
            }
            if !recent.iter().any(|r| r == id) {
                recent.push(id.to_string());
            }
        }
        let cooccurrence = if sources.cooccurrence > 0 || cooccurrence_rule {
            let ids: Vec<&str> = recent.iter().map(String::as_str).collect();
            stats.cooccurrence_with(&ids)
        } else {
            HashMap::new()
        };
        let mut category_share = HashMap::new();
        if affinity_rule {
            let items: Vec<_> = history
                .iter()
                .filter(|a| a.ts <= now)
                .filter_map(|a| a.item_id.as_deref().and_then(|id| engine.catalog().get(id)))
                .collect();
            for item in &items {
                if let Some(c) = &item.category {
                    *category_share.entry(c.to_lowercase()).or_insert(0.0) += 1.0 / items.len() as f32;
                }
            }
        }
        Self { recent, cooccurrence, category_share }
    }

    pub(super) fn share_of(&self, category: Option<&str>) -> f32 {
        category.and_then(|c| self.category_share.get(&c.to_lowercase())).copied().unwrap_or(0.0)
    }
}

/// The freshness of a new item as its raw score: 1 on its release day, halving every week.
fn freshness(released_at: Option<i64>, now: i64) -> f32 {
    match released_at {
        Some(t) => 0.5f32.powf(((now - t).max(0) as f32 / 86_400.0) / 7.0),
        None => 0.0,
    }
}

impl Engine {
    /// The ranked proposals of one non-content source: (item id, raw score), best first.
    fn proposals<'s>(&'s self, ctx: &'s Ctx<'_>, source: Source) -> Vec<(&'s str, f32)> {
        let (req, s) = (ctx.req, &ctx.sources);
        let quota = s.quota(source, 0);
        if quota == 0 {
            return Vec::new();
        }
        let days = |d: Option<f32>| d.map(|d| (d * 86_400.0) as i64);
        let mut out: Vec<(&str, f32)> = match source {
            Source::CoOccurrence => ctx.log.cooccurrence.iter().map(|(id, v)| (*id, *v)).collect(),
            Source::Popularity => ctx.stats.most_popular_at(req.now, days(s.popularity_window_days), quota),
            Source::NewItems => {
                let max_age = days(s.new_max_age_days);
                self.catalog()
                    .items()
                    .iter()
                    .filter(|it| it.released_at.is_none_or(|t| t <= req.now))
                    .filter(|it| match (max_age, it.released_at) {
                        (Some(m), Some(t)) => req.now - t <= m,
                        (Some(_), None) => false,
                        (None, _) => true,
                    })
                    .filter(|it| ctx.stats.event_count(&it.id) == 0)
                    .map(|it| (it.id.as_str(), freshness(it.released_at, req.now)))
                    .collect()
            }
            Source::Content | Source::Fill => Vec::new(),
        };
        // Popularity comes sorted; the others are sorted here, newest (freshest) first for new
        // items, then undated ones by id.
        if source != Source::Popularity {
            out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        }
        out.truncate(quota);
        out
    }

    /// Adds every non-content source's proposals to `cands` (the content candidates): a
    /// candidate proposed again records the source too; a new one gets its similarity to the
    /// anchors and its place in the merge, the sources taking turns.
    pub(super) fn merge_sources(&self, ctx: &Ctx<'_>, cands: &mut Vec<Cand>) {
        let lists: Vec<(Source, Vec<(&str, f32)>)> = [Source::CoOccurrence, Source::Popularity, Source::NewItems]
            .into_iter()
            .map(|s| (s, self.proposals(ctx, s)))
            .filter(|(_, l)| !l.is_empty())
            .collect();
        if lists.is_empty() {
            return;
        }
        let mut at: HashMap<u64, usize> = cands.iter().enumerate().map(|(i, c)| (c.key, i)).collect();
        let longest = lists.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
        let mut order = 0u32;
        for rank in 0..longest {
            for (source, list) in &lists {
                let Some(&(id, raw)) = list.get(rank) else { continue };
                let Some(key) = self.catalog().key_of(id) else { continue };
                match at.get(&key) {
                    Some(&i) => cands[i].sources.push((*source, raw)),
                    None => {
                        order += 1;
                        let (sim, anchor) = self.best_similarity(&ctx.anchors, key);
                        at.insert(key, cands.len());
                        cands.push(Cand { key, id: id.to_string(), sim, anchor, sources: vec![(*source, raw)], order });
                    }
                }
            }
        }
    }

    /// An item's best similarity over the queries, and which query (0 and none without one).
    fn best_similarity(&self, anchors: &Anchors, key: u64) -> (f32, usize) {
        let mut best = (0.0f32, usize::MAX);
        for (i, q) in anchors.queries.iter().enumerate() {
            if let Some(s) = self.vectors().score(&q.vector, key)
                && (best.1 == usize::MAX || s > best.0)
            {
                best = (s, i);
            }
        }
        best
    }

    /// The recent item a co-occurrence candidate co-occurs with most (for its reason).
    pub(super) fn cooccurs_most_with<'c>(&self, ctx: &'c Ctx<'_>, id: &str) -> Option<&'c str> {
        let stats = ctx.stats;
        let j = stats.item_index(id)?;
        let co = stats.cooccurrence();
        ctx.log
            .recent
            .iter()
            .filter_map(|r| Some((r.as_str(), co.count(stats.item_index(r)?, j))))
            .filter(|(_, c)| *c > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| crate::util::cmp_ids(b.0, a.0)))
            .map(|(r, _)| r)
    }
}
