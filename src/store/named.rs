//! Named JSON documents kept in the project: rule presets and scenarios.

use super::{Project, Result};
use rusqlite::{OptionalExtension, params};

/// Which kind of named document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    RulePreset,
    Scenario,
}

impl Named {
    fn table(self) -> &'static str {
        match self {
            Named::RulePreset => "rule_presets",
            Named::Scenario => "scenarios",
        }
    }

    pub fn what(self) -> &'static str {
        match self {
            Named::RulePreset => "rule preset",
            Named::Scenario => "scenario",
        }
    }
}

impl Project {
    /// Saves (or replaces) a named document.
    pub fn save_named(&self, kind: Named, name: &str, body: &str) -> Result<()> {
        let sql = format!(
            "INSERT INTO {} (name, body, updated_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            kind.table()
        );
        self.conn
            .execute(&sql, params![name, body, crate::util::now_secs()])
            .map(|_| ())
            .map_err(|e| self.err(&format!("save a {}", kind.what()), e))
    }

    pub fn load_named(&self, kind: Named, name: &str) -> Result<Option<String>> {
        let sql = format!("SELECT body FROM {} WHERE name = ?1", kind.table());
        self.conn
            .query_row(&sql, [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(&format!("read a {}", kind.what()), e))
    }

    pub fn list_named(&self, kind: Named) -> Result<Vec<String>> {
        let sql = format!("SELECT name FROM {} ORDER BY name", kind.table());
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(&format!("list {}s", kind.what()), e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.err(&format!("list {}s", kind.what()), e))?;
        rows.collect::<rusqlite::Result<Vec<String>>>().map_err(|e| self.err(&format!("list {}s", kind.what()), e))
    }

    /// Deletes a named document; returns whether it existed.
    pub fn delete_named(&self, kind: Named, name: &str) -> Result<bool> {
        let sql = format!("DELETE FROM {} WHERE name = ?1", kind.table());
        self.conn.execute(&sql, [name]).map(|n| n > 0).map_err(|e| self.err(&format!("delete a {}", kind.what()), e))
    }
}
