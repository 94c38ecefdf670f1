//! What a recommendation returns: the results with the whole trace of how they came about
//! (anchors, candidates, filter effects, rules, notes). Its JSON form is reclab's stable
//! `recommend --json` schema.

use serde::Serialize;

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
    /// What each candidate source proposed and what became of it.
    pub sources: Vec<SourceOut>,
    pub candidates: Vec<CandidateOut>,
    pub filters: Vec<FilterOut>,
    pub rules: Vec<RuleOut>,
    pub results: Vec<ResultRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// Where the content candidates came from when it is not the lab's own index (pgvector):
    /// the statements sent and which filters ran in the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<BackendOut>,
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
    /// The source that proposed it first: "content" (nearest neighbours), "cooccurrence",
    /// "popularity", "new_items", or "fill" (searched among items that pass every filter,
    /// because the filters removed too many).
    pub source: &'static str,
    /// Every source that proposed it, with that source's raw score.
    pub sources: Vec<SourceScore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal_reason: Option<String>,
}

/// A source's raw score for one candidate (content: cosine similarity; co-occurrence and
/// popularity: 0..1; new items: freshness, 1 on the release day, halving each week).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceScore {
    pub source: &'static str,
    pub score: f64,
}

/// One candidate source's part in a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceOut {
    pub source: &'static str,
    /// How many it may propose.
    pub quota: usize,
    /// Candidates it proposed, and of those, how many no other source proposed.
    pub proposed: usize,
    pub only_here: usize,
    /// Of its candidates: removed by a filter, and in the results.
    pub removed: usize,
    pub in_results: usize,
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
    /// The SQL condition this filter became in the database's `WHERE` (pushed down), when the
    /// backend is a database and the filter could be written in SQL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
}

/// A database backend's part of a recommendation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendOut {
    /// `pgvector`.
    pub name: &'static str,
    /// Where (host, database, schema; never a password).
    pub target: String,
    /// Filters compiled into the `WHERE` (their ids), and those evaluated in the lab with why.
    pub pushed_down: Vec<String>,
    pub in_lab: Vec<InLabOut>,
    /// Every statement sent, in order.
    pub queries: Vec<QueryOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InLabOut {
    pub id: String,
    pub why: String,
}

/// One nearest-neighbour statement sent to the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryOut {
    /// The query it searched for (an anchor's label), and whether it was the first search or
    /// the fill after the filters.
    pub anchor: String,
    pub purpose: &'static str,
    /// The statement, exactly as sent; `$1` is the query vector.
    pub sql: String,
    pub ef_search: u32,
    /// Rows asked for (`LIMIT`) and rows returned.
    pub limit: usize,
    pub rows: usize,
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
    /// The sources that proposed it, with their raw scores.
    pub sources: Vec<SourceScore>,
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
