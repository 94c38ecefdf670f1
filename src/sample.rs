//! The bundled sample data (`sample_data/`), compiled into the binary so the lab opens on a
//! ready project wherever it runs.

use crate::catalog::{ImportOptions, ImportReport};
use crate::jobs::ProgressSink;
use crate::store::{ImportKind, Project, StoreError};
use std::path::Path;

pub const CATALOG_CSV: &str = include_str!("../sample_data/catalog.csv");
pub const INTERACTIONS_CSV: &str = include_str!("../sample_data/interactions.csv");
pub const NEW_ITEMS_CSV: &str = include_str!("../sample_data/new_items.csv");

/// The "now" of the sample scenarios: 2026-11-15T12:00:00Z, just after the last logged event.
pub const SAMPLE_NOW: i64 = 1_794_744_000;

/// Imports the sample catalog and interactions into `project` (the new items are left for
/// cold-start demos). Returns the two import reports.
pub fn import_sample(project: &mut Project, sink: &ProgressSink) -> Result<Vec<ImportReport>, StoreError> {
    let opts = ImportOptions::default();
    let catalog = project.import_bytes(
        Path::new("sample_data/catalog.csv"),
        CATALOG_CSV.as_bytes(),
        ImportKind::Catalog,
        &opts,
        sink,
    )?;
    let events = project.import_bytes(
        Path::new("sample_data/interactions.csv"),
        INTERACTIONS_CSV.as_bytes(),
        ImportKind::Interactions,
        &opts,
        sink,
    )?;
    if project.setting("now")?.is_none() {
        project.set_setting("now", &crate::util::format_time(SAMPLE_NOW))?;
    }
    Ok(vec![catalog, events])
}
