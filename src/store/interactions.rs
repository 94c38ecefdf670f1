//! The interaction log in the project file.

use super::{Project, Result};
use crate::catalog::Interaction;
use rusqlite::params;

impl Project {
    /// Appends events; an event identical to one already stored (same user, item, type, time and
    /// value) is not stored twice. Returns (added, already present) counts.
    pub fn insert_interactions(&mut self, events: &[Interaction]) -> Result<(u64, u64)> {
        let path = self.path.clone();
        let err = |ctx: &str, e| super::sql(&path, ctx, e);
        let tx = self.write_transaction("start saving interactions")?;
        let (mut added, mut present) = (0, 0);
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO interactions (user_id, item_id, event_type, ts, value) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(|e| err("save interactions", e))?;
            for e in events {
                let n = insert
                    .execute(params![e.user_id, e.item_id, e.event_type, e.ts, e.value])
                    .map_err(|x| err("save an interaction", x))?;
                if n == 0 { present += 1 } else { added += 1 }
            }
        }
        tx.commit().map_err(|e| err("commit the interactions", e))?;
        Ok((added, present))
    }

    /// The whole interaction log in the order it was imported.
    pub fn load_interactions(&self) -> Result<Vec<Interaction>> {
        let mut stmt = self
            .conn
            .prepare("SELECT user_id, item_id, event_type, ts, value FROM interactions ORDER BY seq")
            .map_err(|e| self.err("read interactions", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Interaction {
                    user_id: r.get(0)?,
                    item_id: r.get(1)?,
                    event_type: r.get(2)?,
                    ts: r.get(3)?,
                    value: r.get(4)?,
                })
            })
            .map_err(|e| self.err("read interactions", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("read interactions", e))
    }

    /// One user's events from the log, oldest first (ties in log order).
    pub fn user_history(&self, user_id: &str) -> Result<Vec<Interaction>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT user_id, item_id, event_type, ts, value FROM interactions WHERE user_id = ?1 ORDER BY ts, seq",
            )
            .map_err(|e| self.err("read a user's history", e))?;
        let rows = stmt
            .query_map([user_id], |r| {
                Ok(Interaction {
                    user_id: r.get(0)?,
                    item_id: r.get(1)?,
                    event_type: r.get(2)?,
                    ts: r.get(3)?,
                    value: r.get(4)?,
                })
            })
            .map_err(|e| self.err("read a user's history", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("read a user's history", e))
    }

    /// Users of the interaction log with their number of events, most active first.
    pub fn log_users(&self, limit: usize) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT user_id, count(*) AS n FROM interactions GROUP BY user_id ORDER BY n DESC, user_id LIMIT ?1",
            )
            .map_err(|e| self.err("list users", e))?;
        let rows = stmt
            .query_map([limit as i64], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(|e| self.err("list users", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("list users", e))
    }

    /// Distinct item ids of the log that name no catalog item.
    pub fn unknown_interaction_items(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT item_id, count(*) FROM interactions WHERE item_id NOT IN (SELECT id FROM items) \
                 GROUP BY item_id ORDER BY item_id",
            )
            .map_err(|e| self.err("check interaction items", e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(|e| self.err("check interaction items", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("check interaction items", e))
    }
}
