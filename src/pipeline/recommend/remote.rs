//! Stage 1 through a database backend ([`RemoteIndex`]): which filters go into the SQL
//! `WHERE` (pushed down) and which stay in the lab, the nearest-neighbour statements, and the
//! backend's part of the trace.

use super::{Cand, Ctx, Step, step_id};
use crate::pipeline::PipelineError;
use crate::pipeline::engine::Engine;
use crate::pipeline::filter::SqlContext;
use crate::pipeline::remote::RemoteIndex;
use crate::pipeline::trace::{BackendOut, InLabOut, QueryOut};
use std::cell::RefCell;

/// A request's database backend: the filters as SQL, and the statements sent so far.
pub(super) struct Remote<'a> {
    pub(super) index: &'a dyn RemoteIndex,
    /// Per filter step: its SQL condition (pushed down), or why it stays in the lab.
    pub(super) pushed: Vec<Result<String, String>>,
    queries: RefCell<Vec<QueryOut>>,
}

impl<'a> Remote<'a> {
    /// Compiles every filter step of `ctx` for `index`.
    pub(super) fn new(index: &'a dyn RemoteIndex, ctx: &Ctx<'_>) -> Self {
        let req = ctx.req;
        // A user of the log whose history is the request's: the database has their events.
        let log_user = req
            .user
            .as_deref()
            .filter(|_| !req.history.is_empty() && req.history == req.actions && req.similar_to.is_none());
        let cx = SqlContext { schema: index.schema(), now: req.now, user_events: &ctx.user.events, log_user };
        let pushed = ctx
            .steps()
            .iter()
            .map(|step| match step {
                Step::Builtin(b) => Ok(b.keep_sql(&req.builtins, &ctx.user, &ctx.anchors.acted_on, req.now)),
                Step::Expr(_, e) => e.keep_sql(&cx),
            })
            .collect();
        Self { index, pushed, queries: RefCell::new(Vec::new()) }
    }

    /// The SQL of step `i`, when it was pushed down.
    pub(super) fn sql(&self, i: usize) -> Option<String> {
        self.pushed.get(i).and_then(|p| p.as_ref().ok().cloned())
    }

    fn keep(&self) -> Vec<String> {
        self.pushed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect()
    }

    pub(super) fn out(&self, steps: &[Step<'_>]) -> BackendOut {
        let mut pushed_down = Vec::new();
        let mut in_lab = Vec::new();
        for (step, p) in steps.iter().zip(&self.pushed) {
            match p {
                Ok(_) => pushed_down.push(step_id(step)),
                Err(why) => in_lab.push(InLabOut { id: step_id(step), why: why.clone() }),
            }
        }
        BackendOut {
            name: self.index.name(),
            target: self.index.target(),
            pushed_down,
            in_lab,
            queries: self.queries.borrow().clone(),
        }
    }

    /// Rows the statements returned and asked for, over all of them.
    pub(super) fn rows(&self) -> (usize, usize) {
        let q = self.queries.borrow();
        (q.iter().map(|q| q.rows).sum(), q.iter().map(|q| q.limit).sum())
    }
}

impl Engine {
    /// The `n` nearest items for the queries from the database, among the items the pushed
    /// filters keep, leaving out `exclude`; scored exactly with the lab's own vectors (as the
    /// lab's index is), best score over queries.
    pub(super) fn retrieve_remote(
        &self,
        ctx: &Ctx<'_>,
        remote: &Remote<'_>,
        n: usize,
        exclude: &[&str],
        purpose: &'static str,
    ) -> Result<Vec<Cand>, PipelineError> {
        let keep = remote.keep();
        let mut best = super::Nearest::default();
        for (ai, a) in ctx.anchors.queries.iter().enumerate() {
            let hits = remote.index.nearest(&a.vector, n, &keep, exclude)?;
            remote.queries.borrow_mut().push(QueryOut {
                anchor: a.label.clone(),
                purpose,
                sql: hits.sql,
                ef_search: hits.ef_search,
                limit: n,
                rows: hits.rows.len(),
            });
            for (id, remote_score) in hits.rows {
                // An item the project no longer has: the pushed catalog is older.
                let Some(key) = self.catalog.key_of(&id) else { continue };
                best.offer(key, self.vectors.score(&a.vector, key).unwrap_or(remote_score), ai);
            }
        }
        Ok(self.content_candidates(&best))
    }
}

/// A filter of a request that a backend takes in SQL, with the items of the whole catalog the
/// lab's own filter removes: running `NOT (sql)` over the pushed items must give the same.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PushedFilter {
    pub id: String,
    pub label: String,
    pub sql: String,
    /// Sorted ids (byte order).
    pub lab_removes: Vec<String>,
}

impl Engine {
    /// The filters of `req` that `remote` would take in its `WHERE`, each with what the lab's
    /// filter alone removes from the catalog.
    pub fn pushed_filters(
        &self,
        req: &super::Request,
        remote: &dyn RemoteIndex,
    ) -> Result<Vec<PushedFilter>, PipelineError> {
        let ctx = self.prepare(req, &self.stats)?.ctx;
        let pushed = Remote::new(remote, &ctx).pushed;
        let steps = ctx.steps();
        Ok(ctx.eval_ctx(|ectx| {
            steps
                .iter()
                .zip(pushed)
                .filter_map(|(step, sql)| {
                    let sql = sql.ok()?;
                    let mut lab_removes: Vec<String> = self
                        .catalog
                        .items()
                        .iter()
                        .filter(|item| ctx.removal(std::slice::from_ref(step), item, ectx).is_some())
                        .map(|item| item.id.clone())
                        .collect();
                    lab_removes.sort_unstable();
                    let label = match step {
                        Step::Builtin(b) => b.label().to_string(),
                        Step::Expr(_, e) => e.text.clone(),
                    };
                    Some(PushedFilter { id: step_id(step), label, sql, lab_removes })
                })
                .collect()
        }))
    }
}
