//! The pushed project as the lab's nearest-neighbour backend ([`RemoteIndex`]): `reclab
//! recommend --backend pgvector` sends each query vector as
//!
//! ```sql
//! SET LOCAL hnsw.ef_search = 200;
//! SELECT i.item_id, 1 - (i.embedding <=> $1) FROM reclab.items i
//! WHERE i.embedding IS NOT NULL AND <the filters written in SQL>
//! ORDER BY i.embedding <=> $1 LIMIT 200
//! ```
//!
//! `ef_search` bounds what an HNSW scan returns: with `LIMIT n` above it, or a selective
//! `WHERE` (applied to the scan's rows afterwards), fewer than `n` rows come back. Unless told
//! otherwise a query runs at `ef_search` = its `LIMIT` (40 at least, pgvector's default; 1000
//! at most, its maximum).

use super::{PgError, Target, check_schema};
use crate::pipeline::filter::id_list;
use crate::pipeline::{PipelineError, RemoteHits, RemoteIndex};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// pgvector's default and largest `hnsw.ef_search`.
pub const EF_SEARCH_DEFAULT: u32 = 40;
pub const EF_SEARCH_MAX: u32 = 1000;

/// What the connection found in the schema.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PgInfo {
    pub target: String,
    pub schema: String,
    pub server_version: String,
    pub pgvector_version: String,
    /// The model key of the pushed vectors.
    pub model: String,
    pub items: i64,
    pub with_vector: i64,
}

impl PgInfo {
    /// Whether the server's pgvector has `hnsw.iterative_scan` (0.8 and newer).
    pub fn has_iterative_scan(&self) -> bool {
        let mut parts = self.pgvector_version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0)) >= (0, 8)
    }
}

/// A connection to a pushed project, answering the pipeline's nearest-neighbour queries.
pub struct PgIndex {
    info: PgInfo,
    client: Mutex<postgres::Client>,
    /// The `ef_search` every query runs with; 0: the query's `LIMIT` (see the module).
    ef_search: AtomicU32,
}

impl std::fmt::Debug for PgIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgIndex").field("info", &self.info).finish_non_exhaustive()
    }
}

impl PgIndex {
    /// Connects to `schema` of `target` and checks that it holds a push of vectors of `model`
    /// (the project's: vectors of another model would answer another question).
    pub fn connect(target: &Target, schema: &str, model: &str) -> Result<Self, PgError> {
        check_schema(schema)?;
        let mut client = target.connect()?;
        let desc = target.describe();
        let q = |action: &'static str| {
            let desc = desc.clone();
            move |source| PgError::Query { target: desc, action: action.to_string(), source }
        };
        client.batch_execute("SET client_encoding = 'UTF8'").map_err(q("set the client encoding"))?;
        let server_version: String =
            client.query_one("SHOW server_version", &[]).map_err(q("read the server version"))?.get(0);
        let pushed: Option<String> = client
            .query_opt(
                "SELECT to_regclass($1)::text IS NOT NULL AND to_regclass($2)::text IS NOT NULL",
                &[&format!("{schema}.reclab_meta"), &format!("{schema}.items")],
            )
            .map_err(q("look for the pushed tables"))?
            .and_then(|r| r.get::<_, Option<bool>>(0))
            .filter(|b| *b)
            .map(|_| String::new());
        let not_pushed = || PgError::Server {
            target: desc.clone(),
            message: format!("schema {schema} holds no pushed project (push it first: reclab pg push)"),
        };
        pushed.ok_or_else(not_pushed)?;
        let pushed_model: String = client
            .query_opt(&format!("SELECT value FROM {schema}.reclab_meta WHERE key = 'model'"), &[])
            .map_err(q("read the pushed model key"))?
            .map(|r| r.get(0))
            .ok_or_else(not_pushed)?;
        if pushed_model != model {
            return Err(PgError::Server {
                target: desc.clone(),
                message: format!(
                    "schema {schema} holds vectors of {pushed_model}, the project's are {model} (push the project again)"
                ),
            });
        }
        let pgvector_version: String = client
            .query_one("SELECT extversion FROM pg_extension WHERE extname = 'vector'", &[])
            .map_err(q("read pgvector's version"))?
            .get(0);
        let counts = client
            .query_one(&format!("SELECT count(*), count(embedding) FROM {schema}.items"), &[])
            .map_err(q("count the pushed items"))?;
        let info = PgInfo {
            target: desc.clone(),
            schema: schema.to_string(),
            server_version,
            pgvector_version,
            model: pushed_model,
            items: counts.get(0),
            with_vector: counts.get(1),
        };
        Ok(Self { info, client: Mutex::new(client), ef_search: AtomicU32::new(0) })
    }

    pub fn info(&self) -> &PgInfo {
        &self.info
    }

    /// Every query from now on runs at `ef` (clamped to 1..=1000); `None`: at its `LIMIT`.
    pub fn set_ef_search(&self, ef: Option<u32>) {
        self.ef_search.store(ef.map(|e| e.clamp(1, EF_SEARCH_MAX)).unwrap_or(0), Ordering::Relaxed);
    }

    /// The `ef_search` a query with `limit` runs at.
    pub fn ef_search_for(&self, limit: usize) -> u32 {
        match self.ef_search.load(Ordering::Relaxed) {
            0 => (limit.min(EF_SEARCH_MAX as usize) as u32).max(EF_SEARCH_DEFAULT),
            ef => ef,
        }
    }

    fn error(&self, action: &str, source: postgres::Error) -> PipelineError {
        let e = PgError::Query { target: self.info.target.clone(), action: action.to_string(), source };
        PipelineError::Remote { backend: "pgvector", source: Box::new(e) }
    }

    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, PipelineError>,
    ) -> Result<T, PipelineError> {
        let mut client = self.client.lock().map_err(|_| PipelineError::Remote {
            backend: "pgvector",
            source: "an earlier query panicked while holding the connection".into(),
        })?;
        f(&mut client)
    }

    /// Whether the planner answers `sql` (a statement of [`RemoteIndex::nearest`]) with the
    /// HNSW index rather than an exact scan and sort, from its generic plan (`EXPLAIN
    /// (GENERIC_PLAN)`, PostgreSQL 16 and newer); `None` when the server cannot say.
    pub fn uses_hnsw(&self, sql: &str) -> Option<bool> {
        let explain = format!("EXPLAIN (GENERIC_PLAN) {sql}");
        // The simple protocol: the statement's `$1` stays unbound, as a generic plan wants.
        self.with_client(|c| {
            let messages = c.simple_query(&explain).map_err(|e| self.error("explain a statement", e))?;
            Ok(messages.iter().any(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => r.get(0).is_some_and(|line| line.contains("hnsw")),
                _ => false,
            }))
        })
        .ok()
    }

    /// The ids of the pushed items a `WHERE` condition (over `i`) does not keep, sorted: what
    /// a pushed-down filter removes from the whole catalog.
    pub fn removed_by(&self, keep: &str) -> Result<Vec<String>, PipelineError> {
        let sql = format!(
            "SELECT i.item_id FROM {}.items i WHERE NOT ({keep}) ORDER BY i.item_id COLLATE \"C\"",
            self.info.schema
        );
        self.with_client(|c| {
            let rows = c.query(&sql, &[]).map_err(|e| self.error("evaluate a pushed-down filter", e))?;
            Ok(rows.iter().map(|r| r.get(0)).collect())
        })
    }
}

impl RemoteIndex for PgIndex {
    fn name(&self) -> &'static str {
        "pgvector"
    }

    fn target(&self) -> String {
        format!("{} schema={}", self.info.target, self.info.schema)
    }

    fn schema(&self) -> &str {
        &self.info.schema
    }

    fn nearest(
        &self,
        query: &[f32],
        limit: usize,
        keep: &[String],
        exclude: &[&str],
    ) -> Result<RemoteHits, PipelineError> {
        let ef_search = self.ef_search_for(limit);
        let mut conds = vec!["i.embedding IS NOT NULL".to_string()];
        conds.extend(keep.iter().filter(|k| k.as_str() != "TRUE").cloned());
        if !exclude.is_empty() {
            conds.push(id_list("i.item_id", exclude, true));
        }
        let sql = format!(
            "SELECT i.item_id, 1 - (i.embedding <=> $1) AS similarity FROM {}.items i\nWHERE {}\nORDER BY i.embedding <=> $1 LIMIT {limit}",
            self.info.schema,
            conds.join("\n  AND ")
        );
        let vector = pgvector::Vector::from(query.to_vec());
        let rows = self.with_client(|c| {
            let mut tx = c.transaction().map_err(|e| self.error("begin a transaction", e))?;
            tx.batch_execute(&format!("SET LOCAL hnsw.ef_search = {ef_search}"))
                .map_err(|e| self.error("set hnsw.ef_search", e))?;
            let rows = tx.query(&sql, &[&vector]).map_err(|e| self.error("run the nearest-neighbour query", e))?;
            tx.commit().map_err(|e| self.error("end the transaction", e))?;
            Ok(rows)
        })?;
        let rows = rows.iter().map(|r| (r.get::<_, String>(0), r.get::<_, f64>(1) as f32)).collect();
        Ok(RemoteHits { rows, sql, ef_search })
    }
}
