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

/// A stored evaluation run (its parameters and report are JSON documents).
#[derive(Debug, Clone, PartialEq)]
pub struct EvalRunRow {
    pub id: i64,
    pub created_at: i64,
    pub label: String,
    pub params: String,
    pub report: String,
}

impl Project {
    /// Stores an evaluation run; returns its id.
    pub fn save_eval_run(&self, label: &str, params: &str, report: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO eval_runs (created_at, label, params, report) VALUES (?1, ?2, ?3, ?4)",
                params![crate::util::now_secs(), label, params, report],
            )
            .map_err(|e| self.err("save an evaluation run", e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stored runs, newest first (id, time, label).
    pub fn list_eval_runs(&self) -> Result<Vec<(i64, i64, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, created_at, label FROM eval_runs ORDER BY id DESC")
            .map_err(|e| self.err("list evaluation runs", e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.err("list evaluation runs", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("list evaluation runs", e))
    }

    pub fn eval_run(&self, id: i64) -> Result<Option<EvalRunRow>> {
        self.conn
            .query_row("SELECT id, created_at, label, params, report FROM eval_runs WHERE id = ?1", [id], |r| {
                Ok(EvalRunRow {
                    id: r.get(0)?,
                    created_at: r.get(1)?,
                    label: r.get(2)?,
                    params: r.get(3)?,
                    report: r.get(4)?,
                })
            })
            .optional()
            .map_err(|e| self.err("read an evaluation run", e))
    }
}
