//! Importing catalog and interaction files into a project.

use super::{Project, Result, StoreError};
use crate::catalog::{
    self, ImportOptions, ImportReport, RawTable, UnknownItem, looks_like_interactions, parse_catalog,
    parse_interactions,
};
use crate::jobs::ProgressSink;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportKind {
    /// Decide from the columns: a user, an event type and a timestamp column make an interaction log.
    #[default]
    Auto,
    Catalog,
    Interactions,
}

impl Project {
    /// Imports a catalog or interaction file. Bad rows are listed in the report and never stop
    /// the import; the report is also saved in the project's import history.
    pub fn import_file(
        &mut self,
        path: &Path,
        kind: ImportKind,
        options: &ImportOptions,
        sink: &ProgressSink,
    ) -> Result<ImportReport> {
        let _ = sink.report("reading", 0, 1);
        let bytes =
            std::fs::read(path).map_err(|source| catalog::CatalogError::Io { path: path.to_path_buf(), source })?;
        self.import_bytes(path, &bytes, kind, options, sink)
    }

    /// Imports file contents already in memory; `path` names the file in the report and
    /// decides the format by its extension.
    pub fn import_bytes(
        &mut self,
        path: &Path,
        bytes: &[u8],
        kind: ImportKind,
        options: &ImportOptions,
        sink: &ProgressSink,
    ) -> Result<ImportReport> {
        let table = catalog::read_table_bytes(path, bytes)?;
        let kind = match kind {
            ImportKind::Auto if looks_like_interactions(&table.columns) => ImportKind::Interactions,
            ImportKind::Auto => ImportKind::Catalog,
            k => k,
        };
        let report = match kind {
            ImportKind::Interactions => self.import_interactions_table(path, &table, options, sink)?,
            _ => self.import_catalog_table(path, &table, options, sink)?,
        };
        self.log_import(&report)?;
        Ok(report)
    }

    fn import_catalog_table(
        &mut self,
        path: &Path,
        table: &RawTable,
        options: &ImportOptions,
        sink: &ProgressSink,
    ) -> Result<ImportReport> {
        let parsed = parse_catalog(path, table, options)?;
        let _ = sink.report("saving items", 0, parsed.items.len() as u64);
        let mut notes = parsed.notes;
        notes.extend(self.merge_attributes(&parsed.attributes)?);
        let counts = self.apply_updates(&parsed.items, None, None)?;
        let _ = sink.report("saving items", parsed.items.len() as u64, parsed.items.len() as u64);
        Ok(ImportReport {
            file: path.display().to_string(),
            kind: "catalog".into(),
            format: table.format.map(|f| f.as_str()).unwrap_or("?").into(),
            rows_read: parsed.rows_read,
            added: counts.added,
            updated: counts.updated,
            unchanged: counts.unchanged,
            rejected: parsed.rejected,
            mapping: parsed.mapping,
            attributes: parsed.attributes,
            unknown_items: Vec::new(),
            notes,
        })
    }

    fn import_interactions_table(
        &mut self,
        path: &Path,
        table: &RawTable,
        options: &ImportOptions,
        sink: &ProgressSink,
    ) -> Result<ImportReport> {
        let parsed = parse_interactions(path, table, &options.map)?;
        let _ = sink.report("saving events", 0, parsed.events.len() as u64);
        let (added, present) = self.insert_interactions(&parsed.events)?;
        let _ = sink.report("saving events", parsed.events.len() as u64, parsed.events.len() as u64);
        let known: HashSet<String> = self.load_items()?.into_iter().map(|(_, i)| i.id).collect();
        let mut unknown: BTreeMap<&str, UnknownItem> = BTreeMap::new();
        for (e, &line) in parsed.events.iter().zip(&parsed.lines) {
            if !known.contains(&e.item_id) {
                unknown
                    .entry(&e.item_id)
                    .or_insert_with(|| UnknownItem { item_id: e.item_id.clone(), events: 0, first_line: line })
                    .events += 1;
            }
        }
        let mut unknown_items: Vec<UnknownItem> = unknown.into_values().collect();
        unknown_items.sort_by_key(|a| a.first_line);
        let mut notes = parsed.notes;
        if present > 0 {
            notes.push(format!(
                "{present} events were already in the project (or repeat an identical event) and were stored once"
            ));
        }
        Ok(ImportReport {
            file: path.display().to_string(),
            kind: "interactions".into(),
            format: table.format.map(|f| f.as_str()).unwrap_or("?").into(),
            rows_read: parsed.rows_read,
            added,
            updated: 0,
            unchanged: present,
            rejected: parsed.rejected,
            mapping: parsed.mapping,
            attributes: BTreeMap::new(),
            unknown_items,
            notes,
        })
    }
}

impl From<catalog::CatalogError> for StoreError {
    fn from(e: catalog::CatalogError) -> Self {
        StoreError::Import(e)
    }
}
