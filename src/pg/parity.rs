//! The parity report: the same requests through the lab's own index and through pgvector,
//! compared — overlap@K, rank correlation, the items only one side returned — at each
//! `hnsw.ef_search` tried, with the number of short results (an HNSW scan with a selective
//! `WHERE` returns fewer rows than asked for: it post-filters the `ef_search` rows it found),
//! the setting reclab recommends, and a check that every pushed-down filter removes exactly
//! what the lab's own filter removes from the whole catalog.

use super::{PgError, PgIndex};
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, Recommendation, Request};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The `ef_search` values tried unless told otherwise.
pub const EF_SEARCH_TRIED: [u32; 5] = [40, 100, 200, 400, 1000];

/// One request at one `ef_search`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestParity {
    /// `scenario NAME` or `user ID`.
    pub request: String,
    pub k: usize,
    /// |lab's top K ∩ pgvector's top K| / the longer list (1 when both are empty).
    pub overlap_at_k: f64,
    /// Kendall's tau over the items both returned (`None` with fewer than two).
    pub rank_correlation: Option<f64>,
    pub only_lab: Vec<String>,
    pub only_pgvector: Vec<String>,
    /// pgvector's list is shorter than the lab's.
    pub short: bool,
    /// Rows pgvector returned and the LIMITs asked for, over the request's statements.
    pub rows: usize,
    pub limit: usize,
    pub pushed_down: Vec<String>,
    pub in_lab: Vec<String>,
    pub pgvector_ms: f64,
    /// Whether the planner answers the request's first statement with the HNSW index (else an
    /// exact scan: a selective WHERE, or a small table); `None` when the server cannot say.
    pub hnsw: Option<bool>,
}

/// All requests at one `ef_search`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EfSearchRow {
    pub ef_search: u32,
    pub mean_overlap_at_k: f64,
    pub min_overlap_at_k: f64,
    /// Requests whose pgvector result is shorter than the lab's.
    pub short_results: usize,
    /// Requests with a statement that returned fewer rows than its LIMIT.
    pub short_scans: usize,
    pub median_ms: f64,
}

/// A pushed-down filter checked over the whole catalog: every distinct SQL it became over the
/// requests (a user's owned items differ from another's), summed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushdownCheck {
    pub id: String,
    pub label: String,
    /// The distinct statements checked, and the first of them.
    pub variants: usize,
    pub sql: String,
    pub lab_removes: usize,
    pub sql_removes: usize,
    /// Items one side removes and the other keeps (at most 20 shown).
    pub differ: Vec<String>,
    pub differ_count: usize,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ParityReport {
    pub target: String,
    pub schema: String,
    pub pgvector_version: String,
    pub requests: usize,
    /// The setting reclab recommends: the smallest `ef_search` tried with no short result and
    /// the best mean overlap.
    pub recommended_ef_search: u32,
    /// Overall, at the recommended setting.
    pub mean_overlap_at_k: f64,
    pub mean_rank_correlation: Option<f64>,
    pub iterative_scan: String,
    /// The median time of a request through the lab's own index, beside each row's
    /// `median_ms` through pgvector (the whole pipeline either way).
    pub lab_median_ms: f64,
    /// Requests whose first statement the HNSW index answers (the others are exact scans,
    /// which no ef_search changes).
    pub hnsw_requests: usize,
    pub ef_search: Vec<EfSearchRow>,
    /// Per request, at the recommended setting.
    pub per_request: Vec<RequestParity>,
    pub pushdown: Vec<PushdownCheck>,
    pub pushdown_mismatches: usize,
}

fn ids(rec: &Recommendation) -> Vec<String> {
    rec.results.iter().map(|r| r.item_id.clone()).collect()
}

/// Kendall's tau-a of the items both lists hold, by their ranks in each.
pub fn kendall_tau(a: &[String], b: &[String]) -> Option<f64> {
    let rank_b: HashMap<&str, usize> = b.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    let common: Vec<usize> = a.iter().filter_map(|id| rank_b.get(id.as_str()).copied()).collect();
    let n = common.len();
    if n < 2 {
        return None;
    }
    let mut score = 0i64;
    for i in 0..n {
        for j in i + 1..n {
            score += if common[i] < common[j] { 1 } else { -1 };
        }
    }
    Some(score as f64 / (n * (n - 1) / 2) as f64)
}

/// |a ∩ b| / the longer list; 1 when both are empty.
pub fn overlap(a: &[String], b: &[String]) -> f64 {
    let longer = a.len().max(b.len());
    if longer == 0 {
        return 1.0;
    }
    let set: HashSet<&String> = a.iter().collect();
    b.iter().filter(|id| set.contains(id)).count() as f64 / longer as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { (v[m - 1] + v[m]) / 2.0 }
}

fn compare(name: &str, lab: &Recommendation, pg: &Recommendation, ms: f64) -> RequestParity {
    let (l, p) = (ids(lab), ids(pg));
    let backend = pg.backend.as_ref();
    let (rows, limit) = backend
        .map(|b| (b.queries.iter().map(|q| q.rows).sum(), b.queries.iter().map(|q| q.limit).sum()))
        .unwrap_or((0, 0));
    RequestParity {
        request: name.to_string(),
        k: lab.k,
        overlap_at_k: overlap(&l, &p),
        rank_correlation: kendall_tau(&l, &p),
        only_lab: l.iter().filter(|id| !p.contains(id)).cloned().collect(),
        only_pgvector: p.iter().filter(|id| !l.contains(id)).cloned().collect(),
        short: p.len() < l.len(),
        rows,
        limit,
        pushed_down: backend.map(|b| b.pushed_down.clone()).unwrap_or_default(),
        in_lab: backend.map(|b| b.in_lab.iter().map(|x| x.id.clone()).collect()).unwrap_or_default(),
        pgvector_ms: ms,
        hnsw: None,
    }
}

/// Runs `requests` through the lab and through `index` at each `ef_search` of `tried`.
pub fn parity(
    engine: &Engine,
    index: &PgIndex,
    requests: &[(String, Request)],
    tried: &[u32],
    sink: &ProgressSink,
) -> Result<ParityReport, PgError> {
    let mut tried: Vec<u32> = tried.iter().map(|e| (*e).clamp(1, super::EF_SEARCH_MAX)).collect();
    tried.sort_unstable();
    tried.dedup();
    if tried.is_empty() {
        tried = EF_SEARCH_TRIED.to_vec();
    }
    let total = (requests.len() * (tried.len() + 1)) as u64;
    let mut per_ef: Vec<Vec<RequestParity>> = vec![Vec::new(); tried.len()];
    let mut checks: BTreeMap<(String, String), PushdownCheck> = BTreeMap::new();
    let mut checked: HashSet<String> = HashSet::new();
    let mut lab_ms = Vec::with_capacity(requests.len());
    let outcome = (|| -> Result<(), PgError> {
        for (n, (name, req)) in requests.iter().enumerate() {
            sink.report(&format!("request {} of {}", n + 1, requests.len()), (n * (tried.len() + 1)) as u64, total)?;
            let started = std::time::Instant::now();
            let lab = engine.recommend(req)?;
            lab_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            for (e, ef) in tried.iter().enumerate() {
                index.set_ef_search(Some(*ef));
                let started = std::time::Instant::now();
                let pg = engine.recommend_remote(req, index)?;
                let mut parity = compare(name, &lab, &pg, started.elapsed().as_secs_f64() * 1000.0);
                parity.hnsw = pg.backend.as_ref().and_then(|b| b.queries.first()).and_then(|q| index.uses_hnsw(&q.sql));
                per_ef[e].push(parity);
            }
            for f in engine.pushed_filters(req, index)? {
                if !checked.insert(f.sql.clone()) {
                    continue;
                }
                let sql_removes = index.removed_by(&f.sql)?;
                let lab: HashSet<&String> = f.lab_removes.iter().collect();
                let sql: HashSet<&String> = sql_removes.iter().collect();
                let mut differ: Vec<String> = lab.symmetric_difference(&sql).map(|s| s.to_string()).collect();
                differ.sort_unstable();
                let c = checks.entry((f.id.clone(), f.label.clone())).or_insert_with(|| PushdownCheck {
                    id: f.id,
                    label: f.label,
                    variants: 0,
                    sql: f.sql.clone(),
                    lab_removes: 0,
                    sql_removes: 0,
                    differ: Vec::new(),
                    differ_count: 0,
                });
                c.variants += 1;
                c.lab_removes += f.lab_removes.len();
                c.sql_removes += sql_removes.len();
                c.differ_count += differ.len();
                c.differ.extend(differ);
                c.differ.truncate(20);
            }
        }
        Ok(())
    })();
    index.set_ef_search(None);
    outcome?;

    let rows: Vec<EfSearchRow> = tried
        .iter()
        .zip(&per_ef)
        .map(|(ef, rs)| EfSearchRow {
            ef_search: *ef,
            mean_overlap_at_k: mean(rs.iter().map(|r| r.overlap_at_k)).unwrap_or(1.0),
            min_overlap_at_k: rs.iter().map(|r| r.overlap_at_k).fold(1.0, f64::min),
            short_results: rs.iter().filter(|r| r.short).count(),
            short_scans: rs.iter().filter(|r| r.rows < r.limit).count(),
            median_ms: median(rs.iter().map(|r| r.pgvector_ms).collect()),
        })
        .collect();
    let best = recommended(&rows);
    let info = index.info();
    let iterative_scan = if info.has_iterative_scan() {
        "SET hnsw.iterative_scan = relaxed_order: the scan goes on until LIMIT rows pass the WHERE".to_string()
    } else {
        format!(
            "pgvector {} has no hnsw.iterative_scan (0.8 and newer): raise hnsw.ef_search instead",
            info.pgvector_version
        )
    };
    let per_request = per_ef.swap_remove(best);
    let pushdown: Vec<PushdownCheck> = checks.into_values().collect();
    Ok(ParityReport {
        target: info.target.clone(),
        schema: info.schema.clone(),
        pgvector_version: info.pgvector_version.clone(),
        requests: requests.len(),
        recommended_ef_search: rows[best].ef_search,
        mean_overlap_at_k: rows[best].mean_overlap_at_k,
        mean_rank_correlation: mean(per_request.iter().filter_map(|r| r.rank_correlation)),
        iterative_scan,
        lab_median_ms: median(lab_ms),
        hnsw_requests: per_request.iter().filter(|r| r.hnsw == Some(true)).count(),
        ef_search: rows,
        per_request,
        pushdown_mismatches: pushdown.iter().filter(|c| c.differ_count > 0).count(),
        pushdown,
    })
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The smallest setting with the fewest short results and, among those, the best mean overlap.
fn recommended(rows: &[EfSearchRow]) -> usize {
    let fewest = rows.iter().map(|r| r.short_results).min().unwrap_or(0);
    let best = rows.iter().filter(|r| r.short_results == fewest).map(|r| r.mean_overlap_at_k).fold(0.0, f64::max);
    rows.iter().position(|r| r.short_results == fewest && r.mean_overlap_at_k >= best - 1e-9).unwrap_or(0)
}

/// The report as text.
pub fn render(r: &ParityReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "parity of {} request(s): the lab's own index vs pgvector {} at {} (schema {})",
        r.requests, r.pgvector_version, r.target, r.schema
    );
    let _ = writeln!(out, "\nthe lab's own index: median {:.2} ms a request", r.lab_median_ms);
    let _ = writeln!(out, "\n  ef_search  mean overlap@K  min overlap@K  short results  short scans  median ms");
    for row in &r.ef_search {
        let mark = if row.ef_search == r.recommended_ef_search { "  <- recommended" } else { "" };
        let _ = writeln!(
            out,
            "  {:>9}  {:>14.4}  {:>13.4}  {:>13}  {:>11}  {:>9.2}{mark}",
            row.ef_search,
            row.mean_overlap_at_k,
            row.min_overlap_at_k,
            row.short_results,
            row.short_scans,
            row.median_ms
        );
    }
    let _ = writeln!(
        out,
        "\nat hnsw.ef_search = {}: mean overlap@K {:.4}, mean rank correlation (Kendall's tau) {}",
        r.recommended_ef_search,
        r.mean_overlap_at_k,
        r.mean_rank_correlation.map(|t| format!("{t:.4}")).unwrap_or_else(|| "-".into())
    );
    let _ = writeln!(
        out,
        "the HNSW index answers {} of the {} requests; the planner answers the others with an exact scan (a selective WHERE or a small table), where ef_search changes nothing",
        r.hnsw_requests, r.requests
    );
    let _ = writeln!(out, "{}", r.iterative_scan);
    let differing: Vec<&RequestParity> = r.per_request.iter().filter(|p| p.overlap_at_k < 1.0 || p.short).collect();
    if differing.is_empty() {
        let _ = writeln!(out, "every request returned the same items through both");
    } else {
        let _ = writeln!(out, "\nrequests that differ:");
        for p in differing {
            let _ = writeln!(
                out,
                "  {:<28} overlap {:.2}  only lab: {}  only pgvector: {}{}",
                p.request,
                p.overlap_at_k,
                if p.only_lab.is_empty() { "-".into() } else { p.only_lab.join(" ") },
                if p.only_pgvector.is_empty() { "-".into() } else { p.only_pgvector.join(" ") },
                if p.short { "  (short)" } else { "" }
            );
        }
    }
    let _ = writeln!(out, "\npushed-down filters, checked over the whole catalog:");
    for c in &r.pushdown {
        let verdict = if c.differ_count == 0 {
            "same".to_string()
        } else {
            format!("DIFFER on {} item(s): {}", c.differ_count, c.differ.join(" "))
        };
        let _ = writeln!(
            out,
            "  {:<16} {} {:>3} variant(s): lab removes {:>5}, SQL removes {:>5}: {verdict}",
            c.id,
            crate::pipeline::explain::fit(&c.label, 44),
            c.variants,
            c.lab_removes,
            c.sql_removes
        );
    }
    out
}
