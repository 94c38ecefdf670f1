//! The rule tuner: searches strategy, half-life, event weights, candidate sources and rule
//! weights for the configuration that ranks the project's own log best.
//!
//! **Protocol.** The test split is the evaluation's (each user's last item). The tuner never
//! sees it: it scores configurations on a *validation* split — each user's second-to-last
//! item, with everything before it as history and as the statistics (popularity, co-occurrence,
//! "new") — then scores the best configuration once on the test split, next to the baselines
//! and the configuration it started from.
//!
//! **Search.** Successive halving (Jamieson & Talwalkar 2016, the inner loop of Hyperband) over
//! seeded random configurations: every configuration is scored on a small sample of validation
//! users, the best third goes on to three times as many users, and so on until the survivors
//! are scored on all of them. Most random configurations are plainly worse after a few dozen
//! users, so the budget goes to the promising ones; each rung ranks its users on every core;
//! the same seed gives the same trials. Trial 0 is the configuration the search starts from.

mod report;
mod search;
pub mod space;

pub use report::render;
pub use search::pareto_front;
pub use space::{Knob, Rng};

use super::metrics::Metrics;
use super::{EvalReport, UserSplit};
use crate::pipeline::Request;
use serde::{Deserialize, Serialize};

/// What the tuner maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    Hr(usize),
    Ndcg(usize),
    /// Mean reciprocal rank (ranks beyond 20, or K, count 0).
    Mrr,
}

impl Objective {
    /// `hr@10`, `ndcg@20`, `mrr`.
    pub fn parse(s: &str) -> Option<Objective> {
        let s = s.trim().to_ascii_lowercase();
        if s == "mrr" {
            return Some(Objective::Mrr);
        }
        let (name, k) = s.split_once('@')?;
        let k: usize = k.parse().ok().filter(|k| *k >= 1)?;
        match name {
            "hr" => Some(Objective::Hr(k)),
            "ndcg" => Some(Objective::Ndcg(k)),
            _ => None,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Objective::Hr(k) => format!("hr@{k}"),
            Objective::Ndcg(k) => format!("ndcg@{k}"),
            Objective::Mrr => "mrr".into(),
        }
    }

    /// The K the metrics (and the constraints) are computed at.
    pub fn k(&self) -> usize {
        match self {
            Objective::Hr(k) | Objective::Ndcg(k) => *k,
            Objective::Mrr => 10,
        }
    }

    pub fn value(&self, m: &Metrics) -> f64 {
        match self {
            Objective::Hr(_) => m.hr,
            Objective::Ndcg(_) => m.ndcg,
            Objective::Mrr => m.mrr,
        }
    }
}

/// Bounds a configuration must keep, at the objective's K.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Constraints {
    /// Share of recommended slots holding items without interactions, 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_new_share: Option<f64>,
    /// Share of the catalog recommended to someone, 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_coverage: Option<f64>,
    /// Mean popularity percentile of recommended items, 0..100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_popularity_pct: Option<f64>,
}

impl Constraints {
    /// How far `m` is from keeping every bound, each in its own unit's share (0: it keeps them).
    pub fn violation(&self, m: &Metrics) -> f64 {
        let mut v = 0.0;
        if let Some(min) = self.min_new_share {
            v += (min - m.new_item_share).max(0.0);
        }
        if let Some(min) = self.min_coverage {
            v += (min - m.coverage).max(0.0);
        }
        if let Some(max) = self.max_popularity_pct {
            v += (m.popularity_percentile - max).max(0.0) / 100.0;
        }
        v
    }

    pub fn describe(&self) -> String {
        let mut p = Vec::new();
        if let Some(x) = self.min_new_share {
            p.push(format!("new-item share ≥ {x}"));
        }
        if let Some(x) = self.min_coverage {
            p.push(format!("coverage ≥ {x}"));
        }
        if let Some(x) = self.max_popularity_pct {
            p.push(format!("popularity percentile ≤ {x}"));
        }
        if p.is_empty() { "none".into() } else { p.join(", ") }
    }

    /// Refuses bounds outside their metric's range.
    pub fn check(&self) -> Result<(), String> {
        for (name, v, max) in [
            ("--min-new-share", self.min_new_share, 1.0),
            ("--min-coverage", self.min_coverage, 1.0),
            ("--max-popularity-pct", self.max_popularity_pct, 100.0),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && (0.0..=max).contains(&v))
            {
                return Err(format!("{name} {v}: expected a number from 0 to {max}"));
            }
        }
        Ok(())
    }
}

/// What to tune and how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneConfig {
    pub objective: Objective,
    pub constraints: Constraints,
    /// Configurations drawn (trial 0, the starting configuration, included).
    pub trials: usize,
    /// Stop drawing after this many seconds (the best so far is then scored on every
    /// validation user).
    pub time_limit: Option<f64>,
    pub seed: u64,
    /// What may move; everything else stays as in the starting configuration.
    pub knobs: Vec<Knob>,
}

impl Default for TuneConfig {
    fn default() -> Self {
        Self {
            objective: Objective::Hr(10),
            constraints: Constraints::default(),
            trials: 60,
            time_limit: None,
            seed: 1,
            knobs: Knob::ALL.to_vec(),
        }
    }
}

/// One configuration the search scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trial {
    pub id: usize,
    /// The settings (no user): strategy, sources, rules, filters.
    pub request: Request,
    pub summary: String,
    /// The deepest rung it reached (0 = the first), and how many validation users it was
    /// scored on there.
    pub rung: usize,
    pub users: usize,
    pub metrics: Metrics,
    pub objective: f64,
    /// How far it is from keeping the constraints (0: it keeps them).
    pub violation: f64,
    pub feasible: bool,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TuneReport {
    pub config: TuneConfig,
    pub search: String,
    /// Users in the validation split (3 or more distinct items), and the rungs' sizes.
    pub validation_users: usize,
    pub rungs: Vec<usize>,
    /// Every trial, best first (deeper rungs first, then feasible, then by objective).
    pub trials: Vec<Trial>,
    /// The best trial's id; its validation metrics are on every validation user.
    pub best: usize,
    /// The test split: the baselines, the starting configuration and the best one.
    pub test: EvalReport,
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl TuneReport {
    pub fn best_trial(&self) -> Option<&Trial> {
        self.trials.iter().find(|t| t.id == self.best)
    }
}

pub use search::tune;

/// Each user's second-to-last item as the target, everything before it as history (users with
/// fewer than two items before their test item are left out).
pub fn validation_split(test_split: &[UserSplit]) -> Vec<UserSplit> {
    test_split
        .iter()
        .filter(|u| u.train.len() >= 2)
        .map(|u| {
            let n = u.train.len();
            UserSplit { user: u.user.clone(), train: u.train[..n - 1].to_vec(), test: u.train[n - 1].clone() }
        })
        .collect()
}
