//! A nearest-neighbour backend outside the lab: a database that holds the pushed catalog and
//! its vectors (PostgreSQL + pgvector, `crate::pg::PgIndex`). The pipeline sends it the query
//! vector, a `WHERE` made of the filters that could be written in SQL, and the items to leave
//! out; everything else — the other filters, re-ranking, the trace — stays in the lab, so a
//! request gets the same explanations whichever backend serves it.

use super::PipelineError;

/// What a database returned for one query.
#[derive(Debug, Clone, Default)]
pub struct RemoteHits {
    /// Item ids with the database's similarity, best first.
    pub rows: Vec<(String, f32)>,
    /// The statement exactly as sent (`$1` is the query vector).
    pub sql: String,
    /// The HNSW `ef_search` it ran with.
    pub ef_search: u32,
}

/// A database that answers nearest-neighbour queries over the pushed items (alias `i` in
/// `WHERE` conditions).
pub trait RemoteIndex: Send + Sync {
    /// `pgvector`.
    fn name(&self) -> &'static str;
    /// Where it is, without credentials.
    fn target(&self) -> String;
    /// The schema the items live in (sub-queries over its `interactions` use it).
    fn schema(&self) -> &str;
    /// The `limit` items nearest `query` that satisfy every condition of `keep`, except the
    /// ids in `exclude`.
    fn nearest(
        &self,
        query: &[f32],
        limit: usize,
        keep: &[String],
        exclude: &[&str],
    ) -> Result<RemoteHits, PipelineError>;
}
