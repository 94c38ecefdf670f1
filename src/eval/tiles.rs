//! The reaction board as tiles, like a stock-exchange board: per item the views and orders in
//! the window, the order rate and the rank, what arrived since the previous replay moment (the
//! tile flashes), and its events per hour over the last 24 hours. Everything here depends on
//! the log and the moments asked for only; the animation's clock lives in the GUI.

use super::board::{Board, BoardSort};
use crate::catalog::Item;
use serde::Serialize;

/// Hours in a tile's sparkline.
pub const SPARK_HOURS: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum TilesError {
    #[error("the replay speed must be a positive number of log seconds per second, not {0}")]
    Speed(f64),
}

/// One tile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tile {
    pub item_id: String,
    pub name: String,
    pub category: Option<String>,
    pub vertical: Option<String>,
    /// Rank by the board's sort (1 = top), among all items on the board.
    pub rank: usize,
    pub views: u64,
    pub orders: u64,
    pub order_rate: f64,
    pub hot: bool,
    /// Views and orders that arrived in (since, at].
    pub new_views: u64,
    pub new_orders: u64,
    /// Events per hour, the last [`SPARK_HOURS`] hours up to `at`, oldest first.
    pub spark: Vec<u64>,
}

/// Which tiles to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TileFilter {
    pub vertical: Option<String>,
    pub category: Option<String>,
    /// At most this many tiles (the board's top ones); 0 for all.
    pub limit: usize,
}

/// The tiles for the window (at − window, at] ranked by `sort` (items with events in it),
/// filtered; `since` is the
/// previous replay moment (what arrived after it flashes). `item` looks an item up in the
/// catalog (items not in it keep their id as the name and match no vertical or category).
pub fn tiles<'a>(
    board: &Board,
    at: i64,
    window: i64,
    sort: BoardSort,
    since: Option<i64>,
    filter: &TileFilter,
    item: impl Fn(&str) -> Option<&'a Item>,
) -> Vec<Tile> {
    let col = BoardSort::ALL.iter().position(|s| *s == sort).unwrap_or(3);
    let mut out = Vec::new();
    // Only items with events in the window get a tile (the board also lists those active
    // in the window before).
    for r in board.at(at, window, sort).into_iter().filter(|r| r.events > 0) {
        let it = item(&r.item_id);
        let category = it.and_then(|i| i.category.clone());
        let vertical = it.and_then(|i| i.vertical.clone());
        if filter.vertical.is_some() && filter.vertical != vertical {
            continue;
        }
        if filter.category.is_some() && filter.category != category {
            continue;
        }
        let (new_views, new_orders) = since.map(|s| board.arrived(&r.item_id, s, at)).unwrap_or((0, 0));
        out.push(Tile {
            name: it.map(|i| i.display_name().to_string()).unwrap_or_else(|| r.item_id.clone()),
            category,
            vertical,
            rank: r.ranks[col],
            views: r.views,
            orders: r.orders,
            order_rate: r.order_rate,
            hot: r.hot,
            new_views,
            new_orders,
            spark: board.sparkline(&r.item_id, at, SPARK_HOURS),
            item_id: r.item_id,
        });
        if filter.limit > 0 && out.len() >= filter.limit {
            break;
        }
    }
    out
}

/// The replay's next moment: `speed` log seconds per second of wall time, `dt` seconds later,
/// stopping at `end`. Returns the moment and whether the replay reached the end.
pub fn advance(at: i64, speed: f64, dt: f64, end: i64) -> Result<(i64, bool), TilesError> {
    if !(speed.is_finite() && speed > 0.0) {
        return Err(TilesError::Speed(speed));
    }
    let step = (speed * dt.max(0.0)).round() as i64;
    let next = at.saturating_add(step.max(1)).min(end);
    Ok((next, next >= end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Interaction;

    fn ev(item: &str, event: &str, ts: i64) -> Interaction {
        Interaction { user_id: "u".into(), item_id: item.into(), event_type: event.into(), ts, value: None }
    }

    #[test]
    fn tiles_rank_flash_and_filter() {
        let h = 3600;
        let log = vec![
            ev("1", "view", 10 * h),
            ev("1", "view", 20 * h),
            ev("1", "purchase", 20 * h + 5),
            ev("2", "view", 21 * h),
            ev("2", "view", 22 * h),
            ev("2", "view", 23 * h),
        ];
        let board = Board::new(&log);
        let filter = TileFilter::default();
        let t = tiles(&board, 24 * h, 24 * h, BoardSort::Views, Some(22 * h), &filter, |_| None);
        assert_eq!(t.iter().map(|t| (t.item_id.as_str(), t.rank)).collect::<Vec<_>>(), vec![("2", 1), ("1", 2)]);
        assert_eq!((t[0].new_views, t[0].new_orders), (1, 0), "one view of 2 arrived after 22h");
        assert_eq!((t[1].views, t[1].orders, t[1].new_views), (2, 1, 0));
        assert_eq!(t[1].spark.len(), SPARK_HOURS);
        assert_eq!(t[1].spark.iter().sum::<u64>(), 3);
        // Later, item 1 is only in the window before: no tile.
        let later = tiles(&board, 46 * h, 24 * h, BoardSort::Views, None, &filter, |_| None);
        assert_eq!(later.iter().map(|t| t.item_id.as_str()).collect::<Vec<_>>(), vec!["2"]);
        // By orders, item 1 leads.
        let t = tiles(&board, 24 * h, 24 * h, BoardSort::Orders, None, &filter, |_| None);
        assert_eq!(t[0].item_id, "1");
        // Same inputs, same tiles.
        assert_eq!(t, tiles(&board, 24 * h, 24 * h, BoardSort::Orders, None, &filter, |_| None));
        // A category filter with no catalog keeps nothing; a limit keeps the top.
        let only = TileFilter { category: Some("Fruit".into()), ..Default::default() };
        assert!(tiles(&board, 24 * h, 24 * h, BoardSort::Views, None, &only, |_| None).is_empty());
        let one = TileFilter { limit: 1, ..Default::default() };
        assert_eq!(tiles(&board, 24 * h, 24 * h, BoardSort::Views, None, &one, |_| None).len(), 1);
    }

    #[test]
    fn the_replay_advances_by_speed_and_stops_at_the_end() {
        assert_eq!(advance(100, 3600.0, 0.5, 10_000).unwrap(), (1900, false));
        assert_eq!(advance(9_000, 3600.0, 1.0, 10_000).unwrap(), (10_000, true));
        assert_eq!(advance(100, 1.0, 0.0, 10_000).unwrap(), (101, false), "always moves");
        assert!(advance(100, 0.0, 1.0, 10_000).unwrap_err().to_string().contains("positive"));
    }
}
