//! Candidate strategies: how a user's timeline becomes the query vector(s) of the search.

use super::PipelineError;
use super::engine::Engine;
use super::user::{ADD_TO_CART, CLICK, EQUIP, PURCHASE, SEARCH, VIEW, verb};
use crate::store::SimAction;
use crate::util::describe_age;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StrategyKind {
    /// Neighbours of the most recent action (the in-game shop case).
    #[default]
    Latest,
    /// Neighbours of a weighted mean of recent actions: per-event-type weights and
    /// exponential time decay.
    Profile,
    /// Neighbours of each recent action, merged by best score.
    MultiAnchor,
}

impl StrategyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StrategyKind::Latest => "latest",
            StrategyKind::Profile => "profile",
            StrategyKind::MultiAnchor => "multi_anchor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "latest" | "latest_action" => Some(StrategyKind::Latest),
            "profile" | "recency" | "recency_weighted" => Some(StrategyKind::Profile),
            "multi" | "multi_anchor" | "multi-anchor" => Some(StrategyKind::MultiAnchor),
            _ => None,
        }
    }
}

/// A strategy and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Strategy {
    pub kind: StrategyKind,
    /// Weight of each event type in a profile (types not listed weigh 1).
    pub event_weights: BTreeMap<String, f32>,
    /// Half-life of an action's weight, in hours.
    pub half_life_hours: f32,
    /// How many of the most recent actions a profile or multi-anchor uses.
    pub max_actions: usize,
}

impl Default for Strategy {
    fn default() -> Self {
        let event_weights =
            [(VIEW, 0.5), (CLICK, 1.0), (SEARCH, 1.5), (ADD_TO_CART, 2.0), (PURCHASE, 3.0), (EQUIP, 2.5)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        Self { kind: StrategyKind::Latest, event_weights, half_life_hours: 24.0, max_actions: 10 }
    }
}

impl Strategy {
    /// Refuses weights and half-lives that make no sense: NaN, infinite or negative.
    pub fn check(&self) -> Result<(), super::PipelineError> {
        for (event, w) in &self.event_weights {
            if !w.is_finite() || *w < 0.0 {
                return Err(super::PipelineError::Request(format!(
                    "the weight of {event} is {w}: a weight is a finite number, 0 or more"
                )));
            }
        }
        if !self.half_life_hours.is_finite() || self.half_life_hours < 0.0 {
            return Err(super::PipelineError::Request(format!(
                "the half-life is {} hours: it is a finite number of hours, 0 or more",
                self.half_life_hours
            )));
        }
        Ok(())
    }

    pub fn weight_of(&self, event_type: &str) -> f32 {
        self.event_weights.get(event_type).copied().unwrap_or(1.0)
    }

    /// Weight of an action at `now`: event weight × 0.5^(age / half-life).
    pub fn decayed_weight(&self, action: &SimAction, now: i64) -> f32 {
        let age_h = ((now - action.ts).max(0)) as f32 / 3600.0;
        let decay = if self.half_life_hours > 0.0 { 0.5f32.powf(age_h / self.half_life_hours) } else { 1.0 };
        self.weight_of(&action.event_type) * decay
    }
}

/// One query vector and where it comes from.
#[derive(Debug, Clone)]
pub struct Anchor {
    pub vector: Vec<f32>,
    /// "Serena (purchased 5 min ago)", "search “winter skin”", "recent activity (4 actions)".
    pub label: String,
    pub item_id: Option<String>,
    pub event_type: String,
    pub ts: i64,
    pub weight: f32,
}

/// The query vectors of a request.
#[derive(Debug, Clone, Default)]
pub struct Anchors {
    /// Searched; a candidate's similarity is its best score over these.
    pub queries: Vec<Anchor>,
    /// The actions a profile is made of (reasons name the closest one).
    pub components: Vec<Anchor>,
    /// The anchor item: the item of the most recent item action (`CurrentItem`).
    pub current_item: Option<String>,
    /// Items acted on (removed by the `anchor` built-in filter).
    pub acted_on: Vec<String>,
    pub notes: Vec<String>,
}

fn action_label(engine: &Engine, a: &SimAction, now: i64) -> String {
    match (&a.item_id, &a.query) {
        (_, Some(q)) if a.event_type == SEARCH || a.item_id.is_none() => {
            format!("search “{q}” ({})", describe_age(a.ts, now))
        }
        (Some(id), _) => {
            let name = engine.catalog.get(id).map(|i| i.display_name().to_string()).unwrap_or_else(|| id.clone());
            format!("{name} ({} {})", verb(&a.event_type), describe_age(a.ts, now))
        }
        _ => a.event_type.clone(),
    }
}

/// The vector of one action: its item's vector, or its search text embedded as a query.
fn action_vector(engine: &Engine, a: &SimAction, notes: &mut Vec<String>) -> Result<Option<Vec<f32>>, PipelineError> {
    if let Some(q) = a.query.as_deref().filter(|q| !q.trim().is_empty())
        && (a.item_id.is_none() || a.event_type == SEARCH)
    {
        return engine.embed_query(q).map(Some);
    }
    let Some(id) = a.item_id.as_deref() else {
        notes.push(format!("a {} action without an item or text was ignored", a.event_type));
        return Ok(None);
    };
    match engine.catalog.key_of(id).and_then(|k| engine.vectors.get(k)) {
        Some(v) => Ok(Some(v.to_vec())),
        None if engine.catalog.get(id).is_some() => {
            notes.push(format!("item {id} has no vector yet (run `reclab embed`); its {} was ignored", a.event_type));
            Ok(None)
        }
        None => {
            notes.push(format!("item {id} is not in the catalog; its {} was ignored", a.event_type));
            Ok(None)
        }
    }
}

/// Turns a timeline (oldest first, already cut at `now`) into query vectors.
pub fn anchors(
    engine: &Engine,
    strategy: &Strategy,
    timeline: &[SimAction],
    now: i64,
) -> Result<Anchors, PipelineError> {
    let mut out = Anchors {
        current_item: timeline.iter().rev().find_map(|a| a.item_id.clone().filter(|_| a.event_type != SEARCH)),
        ..Default::default()
    };
    let recent: Vec<&SimAction> = match strategy.kind {
        StrategyKind::Latest => timeline.last().into_iter().collect(),
        _ => timeline.iter().rev().take(strategy.max_actions.max(1)).collect(),
    };
    let mut components = Vec::new();
    for a in recent {
        let Some(vector) = action_vector(engine, a, &mut out.notes)? else { continue };
        if let Some(id) = &a.item_id {
            out.acted_on.push(id.clone());
        }
        components.push(Anchor {
            vector,
            label: action_label(engine, a, now),
            item_id: a.item_id.clone().filter(|_| a.query.is_none() || a.event_type != SEARCH),
            event_type: a.event_type.clone(),
            ts: a.ts,
            weight: strategy.decayed_weight(a, now),
        });
    }
    if components.is_empty() {
        return Err(PipelineError::NoAnchor(out.notes.join("; ")));
    }
    match strategy.kind {
        StrategyKind::Latest | StrategyKind::MultiAnchor => {
            out.queries = components;
        }
        StrategyKind::Profile => {
            let dim = components[0].vector.len();
            let mut mean = vec![0.0f32; dim];
            let total: f32 = components.iter().map(|c| c.weight).sum();
            for c in &components {
                let w = if total > 0.0 { c.weight / total } else { 1.0 / components.len() as f32 };
                for (m, x) in mean.iter_mut().zip(&c.vector) {
                    *m += w * x;
                }
            }
            crate::embed::normalize(&mut mean);
            let n = components.len();
            out.queries = vec![Anchor {
                vector: mean,
                label: format!("recent activity ({n} action{})", if n == 1 { "" } else { "s" }),
                item_id: None,
                event_type: "profile".into(),
                ts: now,
                weight: 1.0,
            }];
            out.components = components;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decay_halves_per_half_life() {
        let s = Strategy::default();
        let a = SimAction { event_type: "purchase".into(), item_id: Some("x".into()), query: None, ts: 0 };
        assert!((s.decayed_weight(&a, 0) - 3.0).abs() < 1e-6);
        assert!((s.decayed_weight(&a, 24 * 3600) - 1.5).abs() < 1e-5);
        assert!((s.decayed_weight(&a, 48 * 3600) - 0.75).abs() < 1e-5);
        let unknown = SimAction { event_type: "wishlist".into(), ..a };
        assert!((s.decayed_weight(&unknown, 0) - 1.0).abs() < 1e-6);
        assert_eq!(StrategyKind::parse("multi"), Some(StrategyKind::MultiAnchor));
    }
}
