//! The product reaction board (the shop-builder case): per item, views, clicks, add-to-carts,
//! orders and the order rate over a time window, a rank by each, and the items whose activity
//! jumped compared with the window before. Replaying the log is moving the window's end.

use crate::catalog::Interaction;
use serde::Serialize;
use std::collections::HashMap;

/// Events of one item, by kind, as sorted timestamps.
#[derive(Debug, Default, Clone)]
struct ItemEvents {
    views: Vec<i64>,
    clicks: Vec<i64>,
    carts: Vec<i64>,
    orders: Vec<i64>,
    all: Vec<i64>,
}

fn count(ts: &[i64], from: i64, to: i64) -> u64 {
    (ts.partition_point(|&t| t <= to) - ts.partition_point(|&t| t <= from)) as u64
}

/// Which column ranks the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardSort {
    Views,
    Clicks,
    Carts,
    #[default]
    Orders,
    OrderRate,
}

impl BoardSort {
    pub const ALL: [BoardSort; 5] =
        [BoardSort::Views, BoardSort::Clicks, BoardSort::Carts, BoardSort::Orders, BoardSort::OrderRate];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "views" => Some(BoardSort::Views),
            "clicks" => Some(BoardSort::Clicks),
            "carts" | "add_to_cart" => Some(BoardSort::Carts),
            "orders" | "purchases" => Some(BoardSort::Orders),
            "rate" | "order_rate" => Some(BoardSort::OrderRate),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BoardSort::Views => "views",
            BoardSort::Clicks => "clicks",
            BoardSort::Carts => "add-to-carts",
            BoardSort::Orders => "orders",
            BoardSort::OrderRate => "order rate",
        }
    }
}

/// One item on the board at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardRow {
    pub item_id: String,
    pub views: u64,
    pub clicks: u64,
    pub carts: u64,
    pub orders: u64,
    /// orders / views (0 without views).
    pub order_rate: f64,
    /// Rank (1 = top) by views, clicks, carts, orders and order rate.
    pub ranks: [usize; 5],
    /// Events in the window, and in the window before it.
    pub events: u64,
    pub previous: u64,
    /// The activity jumped: at least 5 events and at least twice the window before.
    pub hot: bool,
}

/// The log indexed for fast windows.
#[derive(Debug, Default, Clone)]
pub struct Board {
    items: Vec<(String, ItemEvents)>,
    pub first: i64,
    pub last: i64,
}

impl Board {
    pub fn new(log: &[Interaction]) -> Self {
        let mut map: HashMap<&str, ItemEvents> = HashMap::new();
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for e in log {
            first = first.min(e.ts);
            last = last.max(e.ts);
            let ev = map.entry(e.item_id.as_str()).or_default();
            ev.all.push(e.ts);
            match e.event_type.as_str() {
                "view" => ev.views.push(e.ts),
                "click" => ev.clicks.push(e.ts),
                "add_to_cart" => ev.carts.push(e.ts),
                "purchase" | "order" => ev.orders.push(e.ts),
                _ => {}
            }
        }
        let mut items: Vec<(String, ItemEvents)> = map
            .into_iter()
            .map(|(k, mut v)| {
                for list in [&mut v.views, &mut v.clicks, &mut v.carts, &mut v.orders, &mut v.all] {
                    list.sort_unstable();
                }
                (k.to_string(), v)
            })
            .collect();
        items.sort_by(|a, b| crate::util::cmp_ids(&a.0, &b.0));
        if items.is_empty() {
            first = 0;
            last = 0;
        }
        Self { items, first, last }
    }

    /// Each item's rank by `sort` alone in the window (at − window, at]: the same ranks as that
    /// column of [`Board::at`], without counting and sorting the other four columns.
    pub fn ranks_at(&self, at: i64, window: i64, sort: BoardSort) -> HashMap<&str, usize> {
        let from = at - window;
        // Items with an event in this window or the one before, as in `at`.
        let mut keyed: Vec<(usize, f64)> = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, (_, e))| count(&e.all, from - window, at) > 0)
            .map(|(i, (_, e))| {
                let key = match sort {
                    BoardSort::Views => count(&e.views, from, at) as f64,
                    BoardSort::Clicks => count(&e.clicks, from, at) as f64,
                    BoardSort::Carts => count(&e.carts, from, at) as f64,
                    BoardSort::Orders => count(&e.orders, from, at) as f64,
                    BoardSort::OrderRate => {
                        let views = count(&e.views, from, at);
                        if views > 0 { count(&e.orders, from, at) as f64 / views as f64 } else { 0.0 }
                    }
                };
                (i, key)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        keyed.into_iter().enumerate().map(|(rank, (i, _))| (self.items[i].0.as_str(), rank + 1)).collect()
    }

    fn events_of(&self, item_id: &str) -> Option<&ItemEvents> {
        self.items.binary_search_by(|(id, _)| crate::util::cmp_ids(id, item_id)).ok().map(|i| &self.items[i].1)
    }

    /// One item's events per hour for the `hours` hours ending at `at`, oldest first.
    pub fn sparkline(&self, item_id: &str, at: i64, hours: usize) -> Vec<u64> {
        let Some(e) = self.events_of(item_id) else { return vec![0; hours] };
        (0..hours as i64).rev().map(|h| count(&e.all, at - (h + 1) * 3600, at - h * 3600)).collect()
    }

    /// One item's views and orders in (from, to]: what arrived between two replay moments.
    pub fn arrived(&self, item_id: &str, from: i64, to: i64) -> (u64, u64) {
        match self.events_of(item_id) {
            Some(e) if to > from => (count(&e.views, from, to), count(&e.orders, from, to)),
            _ => (0, 0),
        }
    }

    /// The board for the window (at − window, at], ranked by `sort` (ties by item id).
    pub fn at(&self, at: i64, window: i64, sort: BoardSort) -> Vec<BoardRow> {
        let from = at - window;
        let mut rows: Vec<BoardRow> = self
            .items
            .iter()
            .map(|(id, e)| {
                let views = count(&e.views, from, at);
                let orders = count(&e.orders, from, at);
                let events = count(&e.all, from, at);
                let previous = count(&e.all, from - window, from);
                BoardRow {
                    item_id: id.clone(),
                    views,
                    clicks: count(&e.clicks, from, at),
                    carts: count(&e.carts, from, at),
                    orders,
                    order_rate: if views > 0 { orders as f64 / views as f64 } else { 0.0 },
                    ranks: [0; 5],
                    events,
                    previous,
                    hot: events >= 5 && events >= 2 * previous.max(1),
                }
            })
            .filter(|r| r.events > 0 || r.previous > 0)
            .collect();
        let key = |r: &BoardRow, s: BoardSort| match s {
            BoardSort::Views => r.views as f64,
            BoardSort::Clicks => r.clicks as f64,
            BoardSort::Carts => r.carts as f64,
            BoardSort::Orders => r.orders as f64,
            BoardSort::OrderRate => r.order_rate,
        };
        for (col, s) in BoardSort::ALL.into_iter().enumerate() {
            // Rows are in item id order already, so the row index breaks ties by id.
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_unstable_by(|&a, &b| key(&rows[b], s).total_cmp(&key(&rows[a], s)).then(a.cmp(&b)));
            for (rank, i) in order.into_iter().enumerate() {
                rows[i].ranks[col] = rank + 1;
            }
        }
        let col = BoardSort::ALL.iter().position(|s| *s == sort).unwrap_or(3);
        rows.sort_by_key(|r| r.ranks[col]);
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(item: &str, event: &str, ts: i64) -> Interaction {
        Interaction { user_id: "u".into(), item_id: item.into(), event_type: event.into(), ts, value: None }
    }

    #[test]
    fn one_column_ranks_match_the_whole_board() {
        let mut log = Vec::new();
        for (i, item) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            for t in 0..(i as i64 + 2) {
                log.push(ev(
                    item,
                    ["view", "click", "add_to_cart", "purchase"][(t as usize + i) % 4],
                    10 + 37 * t + i as i64,
                ));
            }
        }
        let board = Board::new(&log);
        for at in [50, 120, 200, 400] {
            for (col, sort) in BoardSort::ALL.into_iter().enumerate() {
                let full: HashMap<String, usize> =
                    board.at(at, 100, sort).into_iter().map(|r| (r.item_id, r.ranks[col])).collect();
                let one: HashMap<String, usize> =
                    board.ranks_at(at, 100, sort).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
                assert_eq!(one, full, "at {at}, {sort:?}");
            }
        }
    }

    #[test]
    fn sparkline_and_arrivals_count_by_hour() {
        let log = vec![ev("a", "view", 100), ev("a", "view", 3700), ev("a", "purchase", 3800), ev("a", "view", 7300)];
        let board = Board::new(&log);
        // Hours (0, 3600], (3600, 7200], (7200, 10800].
        assert_eq!(board.sparkline("a", 10_800, 3), vec![1, 2, 1]);
        assert_eq!(board.sparkline("a", 10_800, 4), vec![0, 1, 2, 1]);
        assert_eq!(board.sparkline("zz", 10_800, 2), vec![0, 0], "an item without events");
        assert_eq!(board.arrived("a", 3600, 7200), (1, 1));
        assert_eq!(board.arrived("a", 7200, 3600), (0, 0), "nothing arrives going back");
    }

    #[test]
    fn counts_ranks_and_jumps_in_a_window() {
        let mut log = vec![ev("a", "view", 10), ev("a", "view", 20), ev("a", "purchase", 30), ev("b", "view", 15)];
        // b explodes in the second window (100, 200].
        for t in 0..6 {
            log.push(ev("b", "view", 150 + t));
        }
        log.push(ev("b", "purchase", 190));
        let board = Board::new(&log);
        assert_eq!((board.first, board.last), (10, 190));
        let first = board.at(100, 100, BoardSort::Orders);
        let a = first.iter().find(|r| r.item_id == "a").unwrap();
        assert_eq!((a.views, a.orders, a.ranks[3]), (2, 1, 1));
        assert!((a.order_rate - 0.5).abs() < 1e-12);
        let second = board.at(200, 100, BoardSort::Views);
        assert_eq!(second[0].item_id, "b");
        let b = &second[0];
        assert_eq!((b.views, b.orders, b.events, b.previous), (6, 1, 7, 1));
        assert!(b.hot, "7 events after 1 the window before");
        assert!(!second.iter().find(|r| r.item_id == "a").unwrap().hot);
    }
}
