//! The collaborative baselines: popularity, item-item co-occurrence and its normalised form,
//! all from the training split's [`LogStats`] (the pipeline's co-occurrence, uncapped). They
//! need the log only: no vector, no model.

use super::metrics::UserResult;
use super::protocol::UserSplit;
use super::{EvalConfig, Method};
use crate::pipeline::stats::{CoOccurrence, LogStats};
use std::collections::{HashMap, HashSet};

/// One global order of the items seen in training, and each item's place in it.
pub(super) struct Order<'a> {
    items: Vec<&'a str>,
    place: HashMap<&'a str, usize>,
}

impl<'a> Order<'a> {
    pub(super) fn new(items: Vec<&'a str>) -> Self {
        let place = items.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        Self { items, place }
    }
}

/// What the baselines rank with, built once per run.
pub(super) struct Baselines<'a> {
    stats: &'a LogStats,
    co: &'a CoOccurrence,
    /// Training users per item seen in training.
    pub(super) popularity: HashMap<String, u32>,
    /// The orders ranking falls back on: by popularity (then id), and by id.
    by_popularity: Order<'a>,
    by_id: Order<'a>,
}

impl<'a> Baselines<'a> {
    /// `train` holds the training positives only.
    pub(super) fn new(train: &'a LogStats) -> Self {
        let co = train.cooccurrence_uncapped();
        let users = |id: &str| train.item_index(id).and_then(|i| co.users_per_item.get(&i).copied()).unwrap_or(0);
        let mut seen: Vec<&'a str> = train.item_ids().collect();
        seen.sort_by(|a, b| crate::util::cmp_ids(a, b));
        let popularity: HashMap<String, u32> = seen.iter().map(|id| (id.to_string(), users(id))).collect();
        let mut by_popularity = seen.clone();
        by_popularity.sort_by(|a, b| users(b).cmp(&users(a)).then_with(|| crate::util::cmp_ids(a, b)));
        Self { stats: train, co, popularity, by_popularity: Order::new(by_popularity), by_id: Order::new(seen) }
    }

    /// Whether any training row mentions the item.
    pub(super) fn seen(&self, id: &str) -> bool {
        self.popularity.contains_key(id)
    }

    /// One user's ranking by a baseline method (`method` is not [`Method::Content`]).
    pub(super) fn rank(&self, method: &Method, u: &UserSplit, config: &EvalConfig, k_max: usize) -> UserResult {
        let exclude: HashSet<&str> = u.train.iter().map(|p| p.item.as_str()).collect();
        // Popularity ranks by one global order; co-occurrence puts the items that co-occur with
        // the user's first, best first, then the rest by id.
        let (first, rest): (Vec<&str>, _) = match method {
            Method::Popularity => (Vec::new(), &self.by_popularity),
            _ => {
                let normalised = matches!(method, Method::CoOccurrenceNormalized);
                let given: Vec<u32> = u.train.iter().filter_map(|p| self.stats.item_index(&p.item)).collect();
                let mut scored: Vec<(&str, f64)> = self
                    .co
                    .scores(&given, normalised)
                    .into_iter()
                    .map(|(j, v)| (self.stats.item_id(j), v))
                    .filter(|(id, v)| *v > 0.0 && !exclude.contains(id))
                    .collect();
                scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
                (scored.into_iter().map(|(id, _)| id).collect(), &self.by_id)
            }
        };
        let (top, rank, universe) = rank_scored(&first, rest, &exclude, &u.test.item, k_max);
        UserResult {
            user: u.user.clone(),
            top,
            rank,
            universe,
            test_rankable: self.seen(&u.test.item),
            now: config.at.unwrap_or(u.test.ts),
        }
    }
}

/// Ranks items for a CF method without sorting the catalog for every user: `first` (items with
/// a positive score, best first), then every other item in `rest`'s order, leaving out
/// `exclude` (the user's training items, all in `rest`). Returns the top `k_max`, the test
/// item's rank if within `k_max`, and the number of items ranked.
pub(super) fn rank_scored(
    first: &[&str],
    rest: &Order<'_>,
    exclude: &HashSet<&str>,
    test: &str,
    k_max: usize,
) -> (Vec<String>, Option<usize>, usize) {
    let n = rest.items.len().saturating_sub(exclude.iter().filter(|id| rest.place.contains_key(*id)).count());
    let in_first: HashSet<&str> = first.iter().copied().collect();
    let skip = |id: &str| exclude.contains(id) || in_first.contains(id);
    let mut top: Vec<String> = first.iter().take(k_max).map(|s| s.to_string()).collect();
    if top.len() < k_max {
        let need = k_max - top.len();
        top.extend(rest.items.iter().filter(|id| !skip(id)).take(need).map(|s| s.to_string()));
    }
    let rank = match first.iter().position(|id| *id == test) {
        Some(p) => Some(p + 1),
        None => rest.place.get(test).filter(|_| !exclude.contains(test)).map(|&p| {
            // Items of `rest` before the test item that are shown earlier or not at all.
            let skipped =
                exclude.iter().chain(&in_first).filter(|id| rest.place.get(**id).is_some_and(|&q| q < p)).count();
            first.len() + p - skipped + 1
        }),
    };
    (top, rank.filter(|r| *r <= k_max), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_without_a_full_sort_matches_a_full_sort() {
        // Items 1..=12; scores with ties; some excluded.
        let ids: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
        let universe: Vec<&str> = ids.iter().map(String::as_str).collect();
        let scores: HashMap<&str, f64> = [("3", 2.0), ("7", 5.0), ("9", 2.0), ("11", 1.0), ("2", 5.0)].into();
        let exclude: HashSet<&str> = ["9", "4", "12"].into();
        // The full sort: score desc, then id; excluded items left out.
        let mut full: Vec<(&str, f64)> = universe
            .iter()
            .filter(|i| !exclude.contains(*i))
            .map(|i| (*i, scores.get(i).copied().unwrap_or(0.0)))
            .collect();
        full.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        let mut first: Vec<(&str, f64)> =
            scores.iter().filter(|(id, v)| **v > 0.0 && !exclude.contains(*id)).map(|(i, v)| (*i, *v)).collect();
        first.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        let first: Vec<&str> = first.into_iter().map(|(i, _)| i).collect();
        let by_id = Order::new(universe.clone());
        for k_max in [1, 3, 5, 9, 20] {
            for test in ["2", "7", "3", "11", "1", "5", "10", "9", "13"] {
                let (top, rank, n) = rank_scored(&first, &by_id, &exclude, test, k_max);
                let want_top: Vec<String> = full.iter().take(k_max).map(|(i, _)| i.to_string()).collect();
                let want_rank = full.iter().position(|(i, _)| *i == test).map(|p| p + 1).filter(|r| *r <= k_max);
                assert_eq!((top, rank, n), (want_top, want_rank, 9), "k_max {k_max}, test {test}");
            }
        }
    }
}
