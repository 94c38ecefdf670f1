//! Stage 3: re-ranking. Every enabled rule adds its contribution to the similarity (the sum
//! is the score), pins move matching items up, MMR diversifies; then the reasons.

use super::{Cand, Ctx};
use crate::catalog::Item;
use crate::index::dot;
use crate::pipeline::PipelineError;
use crate::pipeline::engine::Engine;
use crate::pipeline::rules::Rule;
use crate::pipeline::sources::Source;
use crate::pipeline::user::SEARCH;
use crate::util::cmp_ids;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A candidate after re-ranking.
pub(super) struct Ranked {
    pub(super) cand: Cand,
    pub(super) score: f32,
    pub(super) contributions: Vec<(String, f32)>,
    pub(super) pinned_by: Option<String>,
}

impl Engine {
    pub(super) fn rerank(
        &self,
        ctx: &Ctx<'_>,
        survivors: &[Cand],
        notes: &mut Vec<String>,
    ) -> Result<Vec<Ranked>, PipelineError> {
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
                        if ctx.stats.event_count(&item.id) == 0 && fresh_enough { *weight } else { 0.0 }
                    }
                    Rule::Popularity { weight, window_days } => {
                        weight * ctx.stats.popularity(&item.id, now, window_days.map(|d| (d * 86_400.0) as i64))
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
                    Rule::Cooccurrence { weight } => {
                        weight * ctx.log.cooccurrence.get(item.id.as_str()).copied().unwrap_or(0.0)
                    }
                    Rule::CategoryAffinity { weight } => weight * ctx.log.share_of(item.category.as_deref()),
                    Rule::Mmr { .. } | Rule::Pin { .. } => continue,
                };
                r.contributions.push((name.clone(), v));
                r.score += v;
            }
        }
        ranked.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.cand.order.cmp(&b.cand.order))
                .then_with(|| cmp_ids(&a.cand.id, &b.cand.id))
        });

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

    /// What the sources other than content say about a result: whom it co-occurs with, how
    /// popular it is, when it came out.
    fn source_reasons(&self, ctx: &Ctx<'_>, r: &Ranked, item: &Item) -> Vec<String> {
        let name = |id: &str| self.catalog.get(id).map(|i| i.display_name().to_string()).unwrap_or(id.to_string());
        r.cand
            .sources
            .iter()
            .filter_map(|(s, raw)| match s {
                Source::CoOccurrence => Some(match self.cooccurs_most_with(ctx, &item.id) {
                    Some(with) => format!("often acted on with {}", name(with)),
                    None => "acted on with your recent items".to_string(),
                }),
                Source::Popularity => Some(match ctx.sources.popularity_window_days {
                    Some(d) => format!("popular in the last {d} days ({raw:.2})"),
                    None => format!("popular ({raw:.2})"),
                }),
                Source::NewItems => Some(match item.released_at {
                    Some(t) => format!("released {}", crate::util::describe_age(t, ctx.req.now)),
                    None => "newly added".to_string(),
                }),
                Source::Content | Source::Fill => None,
            })
            .collect()
    }

    /// The anchor item a candidate is closest to (for the same-category rule and reasons).
    fn anchor_item<'a>(&'a self, ctx: &Ctx<'_>, cand: &Cand) -> Option<&'a Item> {
        let closest = self.closest_component(ctx, cand.key).or_else(|| ctx.anchors.queries.get(cand.anchor));
        closest.and_then(|a| a.item_id.as_deref()).and_then(|id| self.catalog.get(id))
    }

    /// For a profile: the component whose weighted similarity to the item is highest.
    fn closest_component<'a>(&self, ctx: &'a Ctx<'_>, key: u64) -> Option<&'a crate::pipeline::strategy::Anchor> {
        let v = self.vectors.get(key)?;
        ctx.anchors
            .components
            .iter()
            .map(|c| (c.weight * dot(v, &c.vector), c))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    }

    pub(super) fn reason(&self, ctx: &Ctx<'_>, r: &Ranked, item: &Item) -> String {
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
        // Only a content candidate is there for its similarity.
        if r.cand.sources.iter().any(|(s, _)| matches!(s, Source::Content | Source::Fill)) {
            parts.push(base);
        }
        parts.extend(self.source_reasons(ctx, r, item));
        for (name, v) in &r.contributions {
            if v.abs() >= 0.0005 {
                parts.push(format!("{name} {}{:.3}", if *v >= 0.0 { "+" } else { "−" }, v.abs()));
            }
        }
        if ctx.stats.event_count(&item.id) == 0 {
            parts.push("new: no interactions yet".into());
        }
        if let Some(p) = &r.pinned_by {
            parts.push(format!("pinned by {p}"));
        }
        parts.join("; ")
    }
}
