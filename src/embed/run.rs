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
/// texts at a time. Progress goes to `sink`; cancelling stops after the current batch. When
/// another reclab changes the catalog during the run (an import), the texts are worked out
/// again before the next batch is saved: vectors of texts no item has any more are not saved,
/// and the new texts are embedded too.
pub fn embed_catalog(
    project: &mut Project,
    embedder: &dyn Embedder,
    template: &Template,
    batch: usize,
    sink: &ProgressSink,
) -> Result<EmbedRunReport, EmbedError> {
    let started = std::time::Instant::now();
    project.register_model(embedder.key(), embedder.dim())?;
    let mut revision = project.catalog_revision()?;
    let items = project.load_items()?;
    let texts = item_texts(items.iter().map(|(_, i)| i), template);
    let cached = project.cached_hashes(embedder.key())?;
    let (mut todo, unique, n_cached) = plan(&texts, &cached, &HashSet::new());
    let mut report = EmbedRunReport {
        model: embedder.key().to_string(),
        items: items.len(),
        unique_texts: unique,
        cached: n_cached,
        ..Default::default()
    };
    let mut total = todo.len() as u64;
    let failpoint = failpoint_after_batches();
    if sink.report("embedding", 0, total).is_err() {
        report.cancelled = true;
        return Ok(report);
    }
    let mut done: HashSet<[u8; 16]> = HashSet::new();
    let mut n = 0;
    while !todo.is_empty() {
        let take = batch.max(1).min(todo.len());
        let chunk: Vec<(String, [u8; 16])> = todo.drain(..take).collect();
        let batch_texts: Vec<&str> = chunk.iter().map(|(t, _)| t.as_str()).collect();
        let vectors = embedder.embed(&batch_texts, TextKind::Passage)?;
        let mut rows: Vec<_> = chunk.iter().map(|(_, h)| *h).zip(vectors).collect();
        let now = project.catalog_revision()?;
        if now != revision {
            // The catalog changed under this run: keep only what its items still need.
            revision = now;
            let items = project.load_items()?;
            let texts = item_texts(items.iter().map(|(_, i)| i), template);
            let wanted: HashSet<[u8; 16]> = texts.iter().map(|(_, h)| *h).collect();
            rows.retain(|(h, _)| wanted.contains(h));
            done.extend(rows.iter().map(|(h, _)| *h));
            let cached = project.cached_hashes(embedder.key())?;
            let (fresh, unique, _) = plan(&texts, &cached, &done);
            report.items = items.len();
            report.unique_texts = unique;
            todo = fresh;
            total = report.embedded as u64 + rows.len() as u64 + todo.len() as u64;
        } else {
            done.extend(rows.iter().map(|(h, _)| *h));
        }
        project.put_vectors(embedder.key(), embedder.dim(), &rows)?;
        report.embedded += rows.len();
        n += 1;
        if failpoint == Some(n) {
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

/// The distinct texts still to embed (not cached, not `done`), shortest first so that a batch
/// holds texts of similar length; with the number of distinct texts and of cached ones.
fn plan(
    texts: &[(String, [u8; 16])],
    cached: &HashSet<[u8; 16]>,
    done: &HashSet<[u8; 16]>,
) -> (Vec<(String, [u8; 16])>, usize, usize) {
    let mut seen = HashSet::new();
    let mut todo = Vec::new();
    let mut n_cached = 0;
    for (text, hash) in texts {
        if !seen.insert(*hash) {
            continue;
        }
        if cached.contains(hash) {
            n_cached += 1;
        } else if !done.contains(hash) {
            todo.push((text.clone(), *hash));
        }
    }
    todo.sort_by(|(a, ha), (b, hb)| (a.len(), ha).cmp(&(b.len(), hb)));
    (todo, seen.len(), n_cached)
}

/// `RECLAB_FAILPOINT=embed-abort-after-batches:N` aborts the process after the Nth committed
/// batch; the crash-recovery test uses it to stop an embedding run at a known point.
fn failpoint_after_batches() -> Option<usize> {
    std::env::var("RECLAB_FAILPOINT").ok()?.strip_prefix("embed-abort-after-batches:")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Item;

    /// The lexical embedder, and on its first batch another reclab renames every item.
    struct RacingImport {
        inner: super::super::LexicalEmbedder,
        path: std::path::PathBuf,
        raced: std::sync::atomic::AtomicBool,
    }

    impl Embedder for RacingImport {
        fn key(&self) -> &str {
            self.inner.key()
        }
        fn name(&self) -> &str {
            "racing"
        }
        fn dim(&self) -> usize {
            self.inner.dim()
        }
        fn is_neural(&self) -> bool {
            false
        }
        fn embed(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
            if !self.raced.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let mut other = Project::open_existing(&self.path).unwrap();
                other.upsert_items(&items("renamed")).unwrap();
            }
            self.inner.embed(texts, kind)
        }
    }

    fn items(word: &str) -> Vec<Item> {
        (0..10).map(|i| Item { id: i.to_string(), name: format!("{word} item {i}"), ..Default::default() }).collect()
    }

    #[test]
    fn an_import_during_an_embedding_run_gets_its_texts_embedded_and_not_the_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.reclab");
        let mut p = Project::open(&path).unwrap();
        p.upsert_items(&items("original")).unwrap();
        let e = RacingImport { inner: super::super::LexicalEmbedder::new(), path: path.clone(), raced: false.into() };
        let template = Template::default_template();
        let report = embed_catalog(&mut p, &e, &template, 3, &ProgressSink::none()).unwrap();
        let now: HashSet<[u8; 16]> =
            item_texts(p.load_items().unwrap().iter().map(|(_, i)| i), &template).into_iter().map(|(_, h)| h).collect();
        let cached = p.cached_hashes(e.key()).unwrap();
        assert!(now.iter().all(|h| cached.contains(h)), "every current text has its vector");
        let old: HashSet<[u8; 16]> = item_texts(&items("original"), &template).into_iter().map(|(_, h)| h).collect();
        assert!(cached.iter().all(|h| !old.contains(h)), "no vector of a replaced text was saved");
        assert_eq!(report.embedded, 10, "{report:?}");
    }
}
