//! Per-item facts from the interaction log: event counts, popularity over time, and the
//! item-item co-occurrence that the collaborative baselines use (the pipeline's, and the
//! evaluation's on its training split).

use crate::catalog::Interaction;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// Item-item co-occurrence: how many users interacted with both items.
#[derive(Debug, Clone, Default)]
pub struct CoOccurrence {
    /// item → [(other item, number of users with both)], sorted by item.
    pub pairs: HashMap<u32, Vec<(u32, u32)>>,
    /// item → number of users who interacted with it.
    pub users_per_item: HashMap<u32, u32>,
}

impl CoOccurrence {
    /// Builds the matrix from per-user item sets. A user's items beyond the `cap` most recent are
    /// left out, so one very active user cannot dominate the quadratic work.
    pub fn build(user_items: &[Vec<u32>], cap: usize) -> Self {
        // Every co-occurring pair once (smaller id first), packed in a u64, then counted by
        // sorting: much faster than hashing each increment.
        let mut packed: Vec<u64> = Vec::new();
        let mut users_per_item: HashMap<u32, u32> = HashMap::new();
        for items in user_items {
            let start = items.len().saturating_sub(cap);
            let mut items = items[start..].to_vec();
            items.sort_unstable();
            items.dedup();
            for &i in &items {
                *users_per_item.entry(i).or_insert(0) += 1;
            }
            for (a, &i) in items.iter().enumerate() {
                for &j in &items[a + 1..] {
                    packed.push(((i as u64) << 32) | j as u64);
                }
            }
        }
        packed.sort_unstable();
        let mut pairs: HashMap<u32, Vec<(u32, u32)>> = HashMap::new();
        let mut k = 0;
        while k < packed.len() {
            let p = packed[k];
            let run = packed[k..].iter().take_while(|&&q| q == p).count() as u32;
            let (i, j) = ((p >> 32) as u32, p as u32);
            pairs.entry(i).or_default().push((j, run));
            pairs.entry(j).or_default().push((i, run));
            k += run as usize;
        }
        for v in pairs.values_mut() {
            v.sort_unstable();
        }
        Self { pairs, users_per_item }
    }

    /// Each item's score against the `given` items (repeats count again): the sum of its
    /// co-occurrence counts with them, or with `normalised`, of count / sqrt(n_i · n_j) where
    /// n is an item's number of users. Items that co-occur with none of them are absent.
    pub fn scores(&self, given: &[u32], normalised: bool) -> HashMap<u32, f64> {
        let users = |i: u32| self.users_per_item.get(&i).copied().unwrap_or(0) as f64;
        let mut scores: HashMap<u32, f64> = HashMap::new();
        for &i in given {
            let ni = users(i);
            for &(j, c) in self.pairs.get(&i).map(Vec::as_slice).unwrap_or(&[]) {
                let v = if normalised { c as f64 / (ni * users(j)).sqrt() } else { c as f64 };
                *scores.entry(j).or_insert(0.0) += v;
            }
        }
        scores
    }

    pub fn count(&self, i: u32, j: u32) -> u32 {
        self.pairs.get(&i).and_then(|v| v.binary_search_by_key(&j, |p| p.0).ok().map(|k| v[k].1)).unwrap_or(0)
    }
}

/// A user's items beyond this many (the most recent) are left out of the pipeline's
/// co-occurrence.
const COOCCURRENCE_CAP: usize = 200;

/// Scaled popularity per item for one (now, window).
type PopularityCache = (i64, Option<i64>, HashMap<u32, f32>);

/// What the log says about each item.
#[derive(Debug, Default)]
pub struct LogStats {
    /// Interned item ids (the log may name items the catalog does not have).
    ids: Vec<String>,
    index: HashMap<String, u32>,
    /// Per item: (time, user) of each event, sorted by time.
    events: Vec<Vec<(i64, u32)>>,
    users: Vec<String>,
    /// Per user: distinct items in first-interaction order.
    user_items: Vec<Vec<u32>>,
    cooccurrence: OnceLock<CoOccurrence>,
    /// Without the cap, when some user is over it (else the capped one is the same).
    cooccurrence_uncapped: OnceLock<CoOccurrence>,
    popularity_cache: Mutex<Option<PopularityCache>>,
}

impl LogStats {
    pub fn new(log: &[Interaction]) -> Self {
        let mut s = LogStats::default();
        let mut user_index: HashMap<&str, u32> = HashMap::new();
        let mut seen: Vec<std::collections::HashSet<u32>> = Vec::new();
        for e in log {
            let item = s.intern(&e.item_id);
            let user = *user_index.entry(e.user_id.as_str()).or_insert_with(|| {
                s.users.push(e.user_id.clone());
                s.user_items.push(Vec::new());
                seen.push(Default::default());
                (s.users.len() - 1) as u32
            });
            s.events[item as usize].push((e.ts, user));
            if seen[user as usize].insert(item) {
                s.user_items[user as usize].push(item);
            }
        }
        for ev in &mut s.events {
            ev.sort_unstable();
        }
        s
    }

    /// The log's users, in order of first appearance.
    pub fn users(&self) -> &[String] {
        &self.users
    }

    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.push(id.to_string());
        self.index.insert(id.to_string(), i);
        self.events.push(Vec::new());
        i
    }

    pub fn item_index(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    pub fn item_id(&self, index: u32) -> &str {
        &self.ids[index as usize]
    }

    /// Every item the log names, in order of first appearance.
    pub fn item_ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// Number of logged events of an item.
    pub fn event_count(&self, id: &str) -> u64 {
        self.item_index(id).map(|i| self.events[i as usize].len() as u64).unwrap_or(0)
    }

    /// Number of distinct users with an event on the item in [from, to].
    pub fn distinct_users(&self, id: &str, from: Option<i64>, to: i64) -> u32 {
        let Some(i) = self.item_index(id) else { return 0 };
        distinct_in(&self.events[i as usize], from, to)
    }

    /// Popularity in 0..1: ln(1 + distinct users in the window) over the catalog maximum.
    /// Cached for the last (now, window) asked.
    pub fn popularity(&self, id: &str, now: i64, window_secs: Option<i64>) -> f32 {
        let Some(i) = self.item_index(id) else { return 0.0 };
        self.with_popularity(now, window_secs, |m| m.get(&i).copied().unwrap_or(0.0))
    }

    /// The `n` most popular items at `now` (popularity as [`Self::popularity`], above 0), best
    /// first, ties by id.
    pub fn most_popular_at(&self, now: i64, window_secs: Option<i64>, n: usize) -> Vec<(&str, f32)> {
        let mut v: Vec<(&str, f32)> = self.with_popularity(now, window_secs, |m| {
            m.iter().filter(|(_, p)| **p > 0.0).map(|(j, p)| (self.ids[*j as usize].as_str(), *p)).collect()
        });
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(a.0, b.0)));
        v.truncate(n);
        v
    }

    fn with_popularity<R>(&self, now: i64, window_secs: Option<i64>, f: impl FnOnce(&HashMap<u32, f32>) -> R) -> R {
        let mut cache = self.popularity_cache.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = matches!(&*cache, Some((n, w, _)) if *n == now && *w == window_secs);
        if !fresh {
            let from = window_secs.map(|w| now - w);
            let raw: HashMap<u32, f32> = (0..self.ids.len() as u32)
                .map(|j| (j, (1.0 + distinct_in(&self.events[j as usize], from, now) as f32).ln()))
                .collect();
            let max = raw.values().copied().fold(0.0f32, f32::max);
            let scaled = raw.into_iter().map(|(j, v)| (j, if max > 0.0 { v / max } else { 0.0 })).collect();
            *cache = Some((now, window_secs, scaled));
        }
        match cache.as_ref() {
            Some((_, _, m)) => f(m),
            None => f(&HashMap::new()),
        }
    }

    /// Normalised co-occurrence with `recent` items: per item, the mean over the recent items of
    /// count / √(n_i · n_j), in 0..1 (the recent items themselves are left out).
    pub fn cooccurrence_with(&self, recent: &[&str]) -> HashMap<&str, f32> {
        let given: Vec<u32> = recent.iter().filter_map(|id| self.item_index(id)).collect();
        if recent.is_empty() {
            return HashMap::new();
        }
        let n = recent.len() as f64;
        self.cooccurrence()
            .scores(&given, true)
            .into_iter()
            .filter(|(j, v)| *v > 0.0 && !given.contains(j))
            .map(|(j, v)| (self.ids[j as usize].as_str(), (v / n) as f32))
            .collect()
    }

    /// Items by number of distinct users (all time), most popular first, ties by id.
    pub fn most_popular(&self) -> Vec<(String, u32)> {
        let mut v: Vec<(String, u32)> = self
            .ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), distinct_in(&self.events[i], None, i64::MAX)))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| crate::util::cmp_ids(&a.0, &b.0)));
        v
    }

    pub fn cooccurrence(&self) -> &CoOccurrence {
        self.cooccurrence.get_or_init(|| CoOccurrence::build(&self.user_items, COOCCURRENCE_CAP))
    }

    /// The co-occurrence of every user's items, however many (what the evaluation's baselines
    /// use on the training split).
    pub fn cooccurrence_uncapped(&self) -> &CoOccurrence {
        if self.user_items.iter().all(|items| items.len() <= COOCCURRENCE_CAP) {
            return self.cooccurrence();
        }
        self.cooccurrence_uncapped.get_or_init(|| CoOccurrence::build(&self.user_items, usize::MAX))
    }

    /// The collaborative baseline: for each item, the sum of its co-occurrence counts with the
    /// given items; the given items themselves are left out. Best first, ties by id.
    pub fn cooccurrence_scores(&self, item_ids: &[&str]) -> Vec<(String, f32)> {
        let given: Vec<u32> = item_ids.iter().filter_map(|id| self.item_index(id)).collect();
        // Whole counts: their sum is exact in f64 and in f32 alike.
        let scores = self.cooccurrence().scores(&given, false);
        let mut out: Vec<(String, f32)> = scores
            .into_iter()
            .filter(|(j, _)| !given.contains(j))
            .map(|(j, s)| (self.ids[j as usize].clone(), s as f32))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| crate::util::cmp_ids(&a.0, &b.0)));
        out
    }
}

fn distinct_in(events: &[(i64, u32)], from: Option<i64>, to: i64) -> u32 {
    let lo = from.map(|f| events.partition_point(|e| e.0 < f)).unwrap_or(0);
    let hi = events.partition_point(|e| e.0 <= to);
    let mut users: Vec<u32> = events[lo..hi.max(lo)].iter().map(|e| e.1).collect();
    users.sort_unstable();
    users.dedup();
    users.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(user: &str, item: &str, ts: i64) -> Interaction {
        Interaction { user_id: user.into(), item_id: item.into(), event_type: "click".into(), ts, value: None }
    }

    #[test]
    fn counts_popularity_and_cooccurrence() {
        let log = vec![
            ev("u1", "a", 1),
            ev("u1", "b", 2),
            ev("u2", "a", 3),
            ev("u2", "b", 4),
            ev("u2", "c", 5),
            ev("u3", "a", 10),
            ev("u3", "a", 11),
        ];
        let s = LogStats::new(&log);
        assert_eq!(s.event_count("a"), 4);
        assert_eq!(s.event_count("zzz"), 0);
        assert_eq!(s.distinct_users("a", None, 100), 3);
        assert_eq!(s.distinct_users("a", Some(5), 100), 1);
        assert!((s.popularity("a", 100, None) - 1.0).abs() < 1e-6);
        let pb = s.popularity("b", 100, None);
        assert!((pb - 3f32.ln() / 4f32.ln()).abs() < 1e-6, "{pb}");
        assert_eq!(s.popularity("b", 100, Some(2)), 0.0, "b had no events in the last 2 s");
        let co = s.cooccurrence();
        let (a, b, c) = (s.item_index("a").unwrap(), s.item_index("b").unwrap(), s.item_index("c").unwrap());
        assert_eq!((co.count(a, b), co.count(a, c), co.count(b, c)), (2, 1, 1));
        let rec = s.cooccurrence_scores(&["a"]);
        assert_eq!(rec, vec![("b".to_string(), 2.0), ("c".to_string(), 1.0)]);
        assert_eq!(s.most_popular()[0], ("a".to_string(), 3));
    }
}
