//! Embedding a project's catalog, with the (model, text hash) cache: unchanged items are never
//! embedded twice, and every finished batch is committed, so a cancel or a crash keeps what was
//! done.

use super::{EmbedError, Embedder, Template, TextKind};
use crate::catalog::Item;
use crate::jobs::ProgressSink;
use crate::store::Project;
use std::collections::HashSet;

/// What an embedding run did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct EmbedRunReport {
    pub model: String,
    pub items: usize,
    /// Distinct item texts (identical texts share a vector).
    pub unique_texts: usize,
    /// Texts whose vector was already cached.
    pub cached: usize,
    /// Texts embedded by this run.
    pub embedded: usize,
    pub cancelled: bool,
    pub seconds: f64,
}

/// Each item's text under `template`, with its cache hash.
pub fn item_texts<'a>(items: impl IntoIterator<Item = &'a Item>, template: &Template) -> Vec<(String, [u8; 16])> {
    items
        .into_iter()
        .map(|item| {
            let text = template.render(item);
            let hash = crate::util::text_hash(&text);
            (text, hash)
        })
        .collect()
}

/// Embeds every item of `project` whose text has no cached vector for `embedder`, `batch`
/// texts at a time. Progress goes to `sink`; cancelling stops after the current batch.
pub fn embed_catalog(
    project: &mut Project,
    embedder: &dyn Embedder,
    template: &Template,
    batch: usize,
    sink: &ProgressSink,
) -> Result<EmbedRunReport, EmbedError> {
    let started = std::time::Instant::now();
    let items = project.load_items()?;
    let texts = item_texts(items.iter().map(|(_, i)| i), template);
    project.register_model(embedder.key(), embedder.dim())?;
    let cached = project.cached_hashes(embedder.key())?;

    let mut seen = HashSet::new();
    let mut todo: Vec<(&str, [u8; 16])> = Vec::new();
    let mut n_cached = 0;
    for (text, hash) in &texts {
        if !seen.insert(*hash) {
            continue;
        }
        if cached.contains(hash) {
            n_cached += 1;
        } else {
            todo.push((text.as_str(), *hash));
        }
    }
    let mut report = EmbedRunReport {
        model: embedder.key().to_string(),
        items: items.len(),
        unique_texts: seen.len(),
        cached: n_cached,
        ..Default::default()
    };
    // Similar lengths together: less padding per batch.
    todo.sort_by_key(|(t, h)| (t.len(), *h));
    let total = todo.len() as u64;
    let failpoint = failpoint_after_batches();
    if sink.report("embedding", 0, total).is_err() {
        report.cancelled = true;
        return Ok(report);
    }
    for (n, chunk) in todo.chunks(batch.max(1)).enumerate() {
        let batch_texts: Vec<&str> = chunk.iter().map(|(t, _)| *t).collect();
        let vectors = embedder.embed(&batch_texts, TextKind::Passage)?;
        let rows: Vec<_> = chunk.iter().map(|(_, h)| *h).zip(vectors).collect();
        project.put_vectors(embedder.key(), embedder.dim(), &rows)?;
        report.embedded += rows.len();
        if failpoint == Some(n + 1) {
            // Test hook: simulate a crash right after a committed batch.
            std::process::abort();
        }
        if sink.report("embedding", report.embedded as u64, total).is_err() {
            report.cancelled = true;
            break;
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// `RECLAB_FAILPOINT=embed-abort-after-batches:N` aborts the process after the Nth committed
/// batch; the crash-recovery test uses it to stop an embedding run at a known point.
fn failpoint_after_batches() -> Option<usize> {
    std::env::var("RECLAB_FAILPOINT").ok()?.strip_prefix("embed-abort-after-batches:")?.parse().ok()
}
