//! reclab's content pipeline as an evaluated method: each user's training positives become the
//! request's actions, at the time just before the test event (or the run's fixed time).

use super::metrics::UserResult;
use super::pool::{Progress, map_users};
use super::protocol::UserSplit;
use super::{EvalConfig, EvalError};
use crate::pipeline::stats::LogStats;
use crate::pipeline::{BuiltinFilters, Engine, PipelineError, Request, RuleSet, Sources, Strategy};
use crate::store::SimAction;
use std::collections::{BTreeMap, BTreeSet};

/// A content method's settings (from [`super::Method::Content`]).
pub(super) struct Settings<'a> {
    pub label: &'a str,
    pub strategy: &'a Strategy,
    pub filter: &'a str,
    pub params: &'a BTreeMap<String, String>,
    pub builtins: &'a BuiltinFilters,
    pub rules: &'a RuleSet,
    pub sources: &'a Sources,
}

/// What every content method of a run ranks with.
pub(super) struct ContentRun<'a> {
    pub engine: &'a Engine,
    /// The training split's statistics: popularity and "new" must not see the test items.
    pub train: &'a LogStats,
    pub config: &'a EvalConfig,
    pub k_max: usize,
    /// The catalog items in the run's scope.
    pub catalog: &'a [String],
}

impl ContentRun<'_> {
    /// Every user's ranking by one content method, on the worker pool.
    pub(super) fn rank_users(
        &self,
        settings: &Settings<'_>,
        users: &[UserSplit],
        progress: &Progress<'_>,
    ) -> Result<Vec<UserResult>, EvalError> {
        map_users(users, |u| {
            let r = self.rank(settings, u)?;
            progress.tick(settings.label, 16)?;
            Ok(r)
        })
    }

    /// The content pipeline's ranking for one user.
    fn rank(&self, s: &Settings<'_>, u: &UserSplit) -> Result<UserResult, EvalError> {
        let (config, k_max, engine, catalog) = (self.config, self.k_max, self.engine, self.catalog);
        let now = config.at.unwrap_or(u.test.ts);
        let actions: Vec<SimAction> =
            u.train.iter().map(|p| SimAction::on_item(p.event_type.as_str(), p.item.as_str(), p.ts)).collect();
        // The protocol: the user's own training items are never ranked.
        let types: BTreeSet<&str> = u.train.iter().map(|p| p.event_type.as_str()).collect();
        let quoted: Vec<String> = types.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect();
        let mut full = format!("EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ({})", quoted.join(", "));
        if let Some(v) = &config.vertical {
            full.push_str(&format!(" | INCLUDE ItemID WHERE Items.VERTICAL = \"{}\"", v.replace('"', "")));
        }
        if !s.filter.trim().is_empty() {
            full.push_str(" | ");
            full.push_str(s.filter);
        }
        let req = Request {
            actions: actions.clone(),
            history: actions,
            strategy: s.strategy.clone(),
            filter: full,
            params: s.params.clone(),
            builtins: BuiltinFilters { anchor: true, ..s.builtins.clone() },
            rules: s.rules.clone(),
            sources: s.sources.clone(),
            k: k_max,
            candidates: k_max.saturating_mul(10).max(200),
            now,
            ..Request::default()
        };
        let rec = match engine.recommend_with_stats(&req, self.train) {
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
            test_rankable: engine.catalog().get(&u.test.item).is_some(),
            now,
        })
    }
}
