//! Ranking metrics for leave-last-out evaluation (one relevant item per user).
//!
//! * HR@K: share of users whose test item is in their top K.
//! * NDCG@K: mean of 1 / log2(rank + 1) for hits (the ideal DCG is 1).
//! * MRR: mean of 1 / rank, ranks beyond the largest K evaluated counting 0.
//! * coverage@K: share of the catalog that appears in at least one top K.
//! * intra-list diversity@K: mean over users of 1 − mean pairwise cosine of the top K vectors.
//! * novelty@K: mean self-information −log2((n + 1) / (U + 1)) of recommended items, where n is
//!   the item's number of training users and U the number of training users (add-one smoothed
//!   so that items nobody has seen are finite).
//! * popularity percentile@K: mean mid-rank percentile (0–100) of recommended items by training
//!   users, over the catalog: 100 × (items less popular + ½ × items as popular) / catalog size.
//! * new-item share@K: share of recommended slots holding items with no training interactions.
//! * expired share@K and mean days to expiry@K: at recommendation time, for items with an expiry.

use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What one method did for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserResult {
    pub user: String,
    /// The method's best items, best first (at most the largest K).
    pub top: Vec<String>,
    /// 1-based rank of the test item, if the method ranked it within the largest K.
    pub rank: Option<usize>,
    /// How many items the method could rank for this user (for the random baseline).
    pub universe: usize,
    /// Whether the test item was among them.
    pub test_rankable: bool,
    /// The time the recommendation was made at.
    pub now: i64,
}

/// Per-item facts the beyond-accuracy metrics need.
pub struct Facts<'a> {
    /// Training users per item.
    pub popularity: &'a HashMap<String, u32>,
    /// Number of users with training positives.
    pub users: usize,
    /// The catalog the coverage and percentiles are over.
    pub catalog: &'a [String],
    pub vector: &'a dyn Fn(&str) -> Option<&'a [f32]>,
    pub expires_at: &'a dyn Fn(&str) -> Option<i64>,
}

/// Metrics at one K.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Metrics {
    pub k: usize,
    pub users: usize,
    pub hr: f64,
    pub ndcg: f64,
    pub mrr: f64,
    pub coverage: f64,
    pub diversity: f64,
    pub novelty: f64,
    pub popularity_percentile: f64,
    pub new_item_share: f64,
    pub expired_share: f64,
    pub mean_days_to_expiry: Option<f64>,
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (*x as f64) * (*y as f64)).sum()
}

/// Mid-rank popularity percentile of every catalog item.
pub fn percentiles(popularity: &HashMap<String, u32>, catalog: &[String]) -> HashMap<String, f64> {
    let n = catalog.len() as f64;
    let mut counts: Vec<u32> = catalog.iter().map(|i| popularity.get(i).copied().unwrap_or(0)).collect();
    counts.sort_unstable();
    catalog
        .iter()
        .map(|i| {
            let p = popularity.get(i).copied().unwrap_or(0);
            let less = counts.partition_point(|&c| c < p) as f64;
            let equal = counts.partition_point(|&c| c <= p) as f64 - less;
            (i.clone(), 100.0 * (less + 0.5 * equal) / n)
        })
        .collect()
}

fn mean(sum: f64, n: usize) -> f64 {
    // `+ 0.0` turns the −0.0 of an empty f64 sum into 0.0, so reports never print "-0.0000".
    if n == 0 { 0.0 } else { sum / n as f64 + 0.0 }
}

/// The metrics of `results` at `k`.
pub fn compute(results: &[UserResult], k: usize, facts: &Facts<'_>, percentile: &HashMap<String, f64>) -> Metrics {
    let users = results.len();
    let (mut hr, mut ndcg, mut mrr) = (0.0, 0.0, 0.0);
    let mut shown: HashSet<&str> = HashSet::new();
    let (mut ild_sum, mut ild_n) = (0.0, 0usize);
    let (mut nov, mut pct, mut new, mut expired, mut slots) = (0.0, 0.0, 0usize, 0usize, 0usize);
    let (mut days_sum, mut days_n) = (0.0, 0usize);
    let u = facts.users as f64;
    for r in results {
        if let Some(rank) = r.rank {
            if rank <= k {
                hr += 1.0;
                ndcg += 1.0 / ((rank as f64) + 1.0).log2();
            }
            mrr += 1.0 / rank as f64;
        }
        let top: Vec<&String> = r.top.iter().take(k).collect();
        for id in &top {
            shown.insert(id.as_str());
            slots += 1;
            let n = facts.popularity.get(id.as_str()).copied().unwrap_or(0);
            nov += -(((n as f64) + 1.0) / (u + 1.0)).log2();
            pct += percentile.get(id.as_str()).copied().unwrap_or(0.0);
            if n == 0 {
                new += 1;
            }
            if let Some(t) = (facts.expires_at)(id) {
                if t <= r.now {
                    expired += 1;
                } else {
                    days_sum += (t - r.now) as f64 / 86_400.0;
                    days_n += 1;
                }
            }
        }
        let vecs: Vec<&[f32]> = top.iter().filter_map(|id| (facts.vector)(id)).collect();
        if vecs.len() >= 2 {
            ild_sum += 1.0 - mean_pairwise_dot(&vecs);
            ild_n += 1;
        }
    }
    let catalog: HashSet<&str> = facts.catalog.iter().map(String::as_str).collect();
    let covered = shown.iter().filter(|id| catalog.contains(*id)).count();
    Metrics {
        k,
        users,
        hr: mean(hr, users),
        ndcg: mean(ndcg, users),
        mrr: mean(mrr, users),
        coverage: if catalog.is_empty() { 0.0 } else { covered as f64 / catalog.len() as f64 },
        diversity: mean(ild_sum, ild_n),
        novelty: mean(nov, slots),
        popularity_percentile: mean(pct, slots),
        new_item_share: mean(new as f64, slots),
        expired_share: mean(expired as f64, slots),
        mean_days_to_expiry: (days_n > 0).then(|| days_sum / days_n as f64),
    }
}

/// Lists up to this long get the mean of their pairwise dot products pair by pair; longer ones
/// (K in the hundreds or thousands) through the sum of their vectors, which is the same number
/// up to rounding, in O(K) instead of O(K²).
const PAIRWISE_UP_TO: usize = 64;

/// The mean dot product over the pairs of `vecs` (at least two).
fn mean_pairwise_dot(vecs: &[&[f32]]) -> f64 {
    let n = vecs.len();
    let pairs = (n * (n - 1) / 2) as f64;
    if n <= PAIRWISE_UP_TO {
        let mut s = 0.0;
        for a in 0..n {
            for b in a + 1..n {
                s += dot(vecs[a], vecs[b]);
            }
        }
        return s / pairs;
    }
    // Σ_{a<b} va·vb = (|Σ v|² − Σ |v|²) / 2
    let dim = vecs.iter().map(|v| v.len()).max().unwrap_or(0);
    let mut sum = vec![0.0f64; dim];
    let mut squares = 0.0;
    for v in vecs {
        for (acc, x) in sum.iter_mut().zip(v.iter()) {
            *acc += *x as f64;
        }
        squares += v.iter().map(|x| (*x as f64) * (*x as f64)).sum::<f64>();
    }
    let total: f64 = sum.iter().map(|x| x * x).sum();
    (total - squares) / 2.0 / pairs
}

/// HR@K and NDCG@K for K = 1 … `k_max`, in one pass over the users: the same numbers as
/// [`compute`] at each K, added up in the same (user) order.
pub fn curve(results: &[UserResult], k_max: usize) -> Vec<(usize, f64, f64)> {
    let users = results.len();
    // Users' hits only change the sums at the ranks that occur.
    let mut ranks: Vec<usize> = results.iter().filter_map(|r| r.rank).filter(|&r| r <= k_max).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let mut hits = vec![0.0f64; ranks.len()];
    let mut gains = vec![0.0f64; ranks.len()];
    for r in results {
        let Some(rank) = r.rank.filter(|&r| r <= k_max) else { continue };
        let first = ranks.partition_point(|&x| x < rank);
        let gain = 1.0 / ((rank as f64) + 1.0).log2();
        for (h, g) in hits[first..].iter_mut().zip(&mut gains[first..]) {
            *h += 1.0;
            *g += gain;
        }
    }
    let mut out = Vec::with_capacity(k_max);
    let mut j = 0;
    for k in 1..=k_max {
        while j < ranks.len() && ranks[j] <= k {
            j += 1;
        }
        let (hr, ndcg) = if j == 0 { (0.0, 0.0) } else { (hits[j - 1], gains[j - 1]) };
        out.push((k, mean(hr, users), mean(ndcg, users)));
    }
    out
}

/// HR@K a random ranking would get: for each user, K / (items it could rank), if the test item
/// is among them.
pub fn random_hr(results: &[UserResult], k: usize) -> f64 {
    let sum: f64 = results
        .iter()
        .filter(|r| r.test_rankable && r.universe > 0)
        .map(|r| (k.min(r.universe)) as f64 / r.universe as f64)
        .sum();
    mean(sum, results.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(user: &str, top: &[&str], rank: Option<usize>) -> UserResult {
        UserResult {
            user: user.into(),
            top: top.iter().map(|s| s.to_string()).collect(),
            rank,
            universe: 4,
            test_rankable: true,
            now: 100,
        }
    }

    /// Two users, items a–d, by hand:
    /// u1: top [a, b, c], test at rank 2. u2: top [c, d, a], test not ranked.
    /// Training users: a 2, b 1, c 1, d 0 of U = 3.
    #[test]
    fn a_random_ranking_of_nothing_rankable_is_plain_zero() {
        let mut unrankable = r("u1", &["a"], None);
        unrankable.test_rankable = false;
        let hr = random_hr(&[unrankable], 10);
        assert_eq!(format!("{hr:.4}"), "0.0000");
    }

    #[test]
    fn long_lists_get_the_same_diversity_through_the_sum_of_vectors() {
        let vs: Vec<Vec<f32>> = (0..200).map(|i| vec![(i as f32).sin(), (i as f32 * 0.7).cos(), 0.3]).collect();
        let refs: Vec<&[f32]> = vs.iter().map(Vec::as_slice).collect();
        let mut s = 0.0;
        for a in 0..refs.len() {
            for b in a + 1..refs.len() {
                s += dot(refs[a], refs[b]);
            }
        }
        let pairwise = s / (200.0 * 199.0 / 2.0);
        assert!((mean_pairwise_dot(&refs) - pairwise).abs() < 1e-9);
    }

    #[test]
    fn every_metric_matches_a_hand_computation() {
        let results = vec![r("u1", &["a", "b", "c"], Some(2)), r("u2", &["c", "d", "a"], None)];
        let popularity: HashMap<String, u32> =
            [("a", 2), ("b", 1), ("c", 1)].iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let catalog: Vec<String> = ["a", "b", "c", "d", "e"].iter().map(|s| s.to_string()).collect();
        let vecs: HashMap<&str, Vec<f32>> =
            [("a", vec![1.0, 0.0]), ("b", vec![0.0, 1.0]), ("c", vec![1.0, 0.0]), ("d", vec![0.6, 0.8])]
                .into_iter()
                .collect();
        let vector = |id: &str| vecs.get(id).map(|v| v.as_slice());
        let expires = |id: &str| match id {
            "b" => Some(50),               // expired at now = 100
            "d" => Some(100 + 2 * 86_400), // 2 days left
            _ => None,
        };
        let facts =
            Facts { popularity: &popularity, users: 3, catalog: &catalog, vector: &vector, expires_at: &expires };
        let pct = percentiles(&popularity, &catalog);
        // Percentiles: counts sorted [0 (d), 0 (e), 1 (b), 1 (c), 2 (a)].
        assert!((pct["a"] - 90.0).abs() < 1e-9); // 4 less, 1 equal: (4 + 0.5) / 5
        assert!((pct["b"] - 60.0).abs() < 1e-9); // 2 less, 2 equal: (2 + 1) / 5
        assert!((pct["d"] - 20.0).abs() < 1e-9); // 0 less, 2 equal: 1 / 5

        let m = compute(&results, 2, &facts, &pct);
        assert_eq!(m.users, 2);
        assert!((m.hr - 0.5).abs() < 1e-12);
        assert!((m.ndcg - 0.5 / 3f64.log2()).abs() < 1e-12, "1/log2(3) for u1, 0 for u2, halved");
        assert!((m.mrr - 0.25).abs() < 1e-12);
        // Top 2 lists: [a, b] and [c, d]: 4 of 5 catalog items.
        assert!((m.coverage - 0.8).abs() < 1e-12);
        // ILD: u1 cos(a, b) = 0 → 1; u2 cos(c, d) = 0.6 → 0.4; mean 0.7.
        assert!((m.diversity - 0.7).abs() < 1e-6);
        // Novelty: −log2((n + 1) / 4) for a (3/4), b (2/4), c (2/4), d (1/4).
        let want = (-(0.75f64).log2() + 1.0 + 1.0 + 2.0) / 4.0;
        assert!((m.novelty - want).abs() < 1e-12, "{} vs {want}", m.novelty);
        assert!((m.popularity_percentile - (90.0 + 60.0 + 60.0 + 20.0) / 4.0).abs() < 1e-9);
        assert!((m.new_item_share - 0.25).abs() < 1e-12, "d has no training users");
        assert!((m.expired_share - 0.25).abs() < 1e-12, "b expired before now");
        assert!((m.mean_days_to_expiry.unwrap() - 2.0).abs() < 1e-12);

        let m3 = compute(&results, 3, &facts, &pct);
        assert!((m3.hr - 0.5).abs() < 1e-12);
        // The one-pass curve gives exactly what compute gives at every K.
        let mut more = results.clone();
        more.extend([r("u3", &["b"], Some(1)), r("u4", &["a"], Some(3)), r("u5", &["c"], Some(2))]);
        let c = curve(&more, 5);
        for (k, hr, ndcg) in c {
            let m = compute(&more, k, &facts, &pct);
            assert_eq!((hr.to_bits(), ndcg.to_bits()), (m.hr.to_bits(), m.ndcg.to_bits()), "K = {k}");
        }
        assert!((random_hr(&results, 2) - 0.5).abs() < 1e-12, "2 of 4 rankable items, both users");
        assert!((random_hr(&results, 10) - 1.0).abs() < 1e-12);
    }
}
