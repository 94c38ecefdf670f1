//! The leave-last-out split.
//!
//! Every interaction row is an implicit positive. A (user, item) pair counts once, at its
//! earliest timestamp (ties: the earlier row). Users with fewer than 2 distinct items are left
//! out. Each user's items are ordered by (timestamp, row order in the log); the last is the test
//! item, the others are training.

use crate::catalog::Interaction;
use std::collections::HashMap;

/// One (user, item) positive, as the split sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Positive {
    pub item: String,
    pub event_type: String,
    pub ts: i64,
    /// Position of the row in the log.
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserSplit {
    pub user: String,
    /// Training positives, oldest first.
    pub train: Vec<Positive>,
    pub test: Positive,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Split {
    /// Users in order of first appearance in the log.
    pub users: Vec<UserSplit>,
    /// Users left out for having fewer than 2 distinct items.
    pub single_item_users: usize,
    /// Rows that repeated a (user, item) pair already seen.
    pub duplicate_rows: usize,
}

impl Split {
    /// The training positives of every user, as interactions (for statistics and baselines).
    pub fn training_log(&self) -> Vec<Interaction> {
        let mut rows: Vec<(usize, Interaction)> = self
            .users
            .iter()
            .flat_map(|u| {
                u.train.iter().map(|p| {
                    (
                        p.row,
                        Interaction {
                            user_id: u.user.clone(),
                            item_id: p.item.clone(),
                            event_type: p.event_type.clone(),
                            ts: p.ts,
                            value: None,
                        },
                    )
                })
            })
            .collect();
        rows.sort_by_key(|(row, _)| *row);
        rows.into_iter().map(|(_, i)| i).collect()
    }
}

/// Splits a log (in file order) leave-last-out.
pub fn leave_last_out(log: &[Interaction]) -> Split {
    let mut order: Vec<&str> = Vec::new();
    let mut per_user: HashMap<&str, HashMap<&str, Positive>> = HashMap::new();
    let mut split = Split::default();
    for (row, e) in log.iter().enumerate() {
        let items = per_user.entry(e.user_id.as_str()).or_insert_with(|| {
            order.push(e.user_id.as_str());
            HashMap::new()
        });
        match items.get_mut(e.item_id.as_str()) {
            Some(p) => {
                split.duplicate_rows += 1;
                if e.ts < p.ts {
                    *p = Positive { item: e.item_id.clone(), event_type: e.event_type.clone(), ts: e.ts, row };
                }
            }
            None => {
                items.insert(
                    &e.item_id,
                    Positive { item: e.item_id.clone(), event_type: e.event_type.clone(), ts: e.ts, row },
                );
            }
        }
    }
    for user in order {
        let Some(items) = per_user.remove(user) else { continue };
        if items.len() < 2 {
            split.single_item_users += 1;
            continue;
        }
        let mut positives: Vec<Positive> = items.into_values().collect();
        positives.sort_by_key(|p| (p.ts, p.row));
        let test = positives.pop().expect("at least two positives");
        split.users.push(UserSplit { user: user.to_string(), train: positives, test });
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(user: &str, item: &str, ts: i64) -> Interaction {
        Interaction { user_id: user.into(), item_id: item.into(), event_type: "click".into(), ts, value: None }
    }

    #[test]
    fn dedupes_orders_by_time_then_row_and_skips_single_item_users() {
        let log = vec![
            ev("u1", "a", 10),
            ev("u1", "b", 20),
            ev("u1", "a", 30), // repeat of (u1, a): the earliest stays
            ev("u2", "x", 5),  // u2 has one distinct item
            ev("u2", "x", 6),
            ev("u3", "p", 50),
            ev("u3", "q", 50), // tie at the last timestamp: the later row is the test
            ev("u4", "m", 9),
            ev("u4", "n", 1), // out-of-order rows: time decides
        ];
        let s = leave_last_out(&log);
        assert_eq!(s.single_item_users, 1);
        assert_eq!(s.duplicate_rows, 2);
        let users: Vec<&str> = s.users.iter().map(|u| u.user.as_str()).collect();
        assert_eq!(users, vec!["u1", "u3", "u4"]);
        assert_eq!(s.users[0].test.item, "b");
        assert_eq!(s.users[0].train.iter().map(|p| (p.item.as_str(), p.ts)).collect::<Vec<_>>(), vec![("a", 10)]);
        assert_eq!(s.users[1].test.item, "q");
        assert_eq!(s.users[2].test.item, "m");
        assert_eq!(s.training_log().iter().map(|i| i.item_id.as_str()).collect::<Vec<_>>(), vec!["a", "p", "n"]);
    }
}
