//! Simulated users: named timelines of actions, saved in the project.

use super::{Project, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// One action of a simulated user: an event on an item, or a free-text search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimAction {
    pub event_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// The text of a `search` action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Unix seconds.
    pub ts: i64,
}

impl SimAction {
    /// An event on an item (not a search).
    pub fn on_item(event_type: impl Into<String>, item_id: impl Into<String>, ts: i64) -> Self {
        SimAction { event_type: event_type.into(), item_id: Some(item_id.into()), query: None, ts }
    }
}

/// A simulated user: a timeline of actions, oldest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SimUser {
    pub id: String,
    #[serde(default)]
    pub note: String,
    pub actions: Vec<SimAction>,
}

impl Project {
    /// Saves a user, replacing any user with the same id.
    pub fn save_user(&mut self, user: &SimUser) -> Result<()> {
        let now = crate::util::now_secs();
        let path = self.path.clone();
        let err = |ctx: &str, e| super::sql(&path, ctx, e);
        let tx = self.write_transaction("save a user")?;
        tx.execute(
            "INSERT INTO users (id, note, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) \
             ON CONFLICT (id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
            params![user.id, user.note, now],
        )
        .map_err(|e| err("save a user", e))?;
        tx.execute("DELETE FROM user_actions WHERE user_id = ?1", [&user.id]).map_err(|e| err("save a user", e))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO user_actions (user_id, pos, event_type, item_id, query, ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(|e| err("save a user", e))?;
            for (pos, a) in user.actions.iter().enumerate() {
                stmt.execute(params![user.id, pos as i64, a.event_type, a.item_id, a.query, a.ts])
                    .map_err(|e| err("save a user's action", e))?;
            }
        }
        tx.commit().map_err(|e| err("save a user", e))
    }

    pub fn load_user(&self, id: &str) -> Result<Option<SimUser>> {
        let note: Option<String> = self
            .conn
            .query_row("SELECT note FROM users WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.err("read a user", e))?;
        let Some(note) = note else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare("SELECT event_type, item_id, query, ts FROM user_actions WHERE user_id = ?1 ORDER BY pos")
            .map_err(|e| self.err("read a user", e))?;
        let actions = stmt
            .query_map([id], |r| {
                Ok(SimAction { event_type: r.get(0)?, item_id: r.get(1)?, query: r.get(2)?, ts: r.get(3)? })
            })
            .map_err(|e| self.err("read a user", e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err("read a user", e))?;
        Ok(Some(SimUser { id: id.to_string(), note, actions }))
    }

    /// Ids of the saved simulated users.
    pub fn list_users(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM users ORDER BY id").map_err(|e| self.err("list users", e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err("list users", e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>().map_err(|e| self.err("list users", e))
    }

    pub fn delete_user(&self, id: &str) -> Result<()> {
        let n = self.conn.execute("DELETE FROM users WHERE id = ?1", [id]).map_err(|e| self.err("delete a user", e))?;
        if n == 0 { Err(StoreError::UnknownUser(id.to_string())) } else { Ok(()) }
    }

    /// A simulated user built from a real user's history in the interaction log (the last
    /// `limit` events).
    pub fn user_from_log(&self, user_id: &str, limit: usize) -> Result<SimUser> {
        let history = self.user_history(user_id)?;
        if history.is_empty() {
            return Err(StoreError::UnknownUser(user_id.to_string()));
        }
        let skip = history.len().saturating_sub(limit);
        let actions = history
            .into_iter()
            .skip(skip)
            .map(|e| SimAction { event_type: e.event_type, item_id: Some(e.item_id), query: None, ts: e.ts })
            .collect();
        Ok(SimUser { id: user_id.to_string(), note: format!("history of {user_id} from the interaction log"), actions })
    }
}
