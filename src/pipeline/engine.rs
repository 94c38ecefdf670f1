//! The loaded state a recommendation runs on: the catalog, its vectors, the vector index,
//! and what the interaction log says about each item.

use super::PipelineError;
pub use super::catalog::Catalog;
use super::stats::LogStats;
use crate::catalog::{Item, ItemUpdate};
use crate::embed::{Embedder, ModelRef, ModelStore, Template, TextKind, item_texts};
use crate::index::snapshot::{Snapshot, SnapshotPaths};
use crate::index::{AnnIndex, Frozen, Quantization, VectorMatrix};
use crate::jobs::ProgressSink;
use crate::store::Project;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// How to open the index.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// What the index stores; `None` chooses by its size ([`Quantization::for_size`]).
    pub quantization: Option<Quantization>,
    /// Skip the approximate index: every search is exact.
    pub exact: bool,
    /// Threads for building the index's shards. The graph does not depend on it: each shard
    /// is built by one thread in key order (see [`crate::index::AnnIndex`]).
    pub threads: usize,
    /// Keep the index and its vectors beside the project (off for in-memory projects).
    pub persist: bool,
    /// When the index has to be built: open at once and serve exact search until
    /// [`Engine::take_index_build`]'s job is installed (the window), or build before
    /// returning (the command line, evaluations, tests).
    pub background: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            quantization: None,
            exact: false,
            threads: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            persist: true,
            background: false,
        }
    }
}

/// What serves the candidate searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Serving {
    /// The approximate index.
    Index,
    /// Exact search while the index is built on a worker.
    ExactWhileBuilding,
    /// Exact search, by request.
    Exact,
}

impl Serving {
    pub fn label(self) -> &'static str {
        match self {
            Serving::Index => "index",
            Serving::ExactWhileBuilding => "exact search while the index builds",
            Serving::Exact => "exact search",
        }
    }
}

/// What opening the engine did with the vector index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndexAction {
    /// Built in this session.
    Built,
    /// A saved index, memory-mapped.
    Loaded,
    /// Loaded, with items added, changed or removed since it was saved searched beside it.
    Updated,
    /// Being built on a worker: exact search serves meanwhile.
    Building,
    /// No index: exact search.
    #[default]
    Exact,
}

impl IndexAction {
    pub fn as_str(self) -> &'static str {
        match self {
            IndexAction::Built => "built",
            IndexAction::Loaded => "loaded",
            IndexAction::Updated => "updated",
            IndexAction::Building => "building",
            IndexAction::Exact => "exact",
        }
    }
}

impl std::fmt::Display for IndexAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What opening the engine did with the index.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IndexReport {
    pub action: IndexAction,
    pub size: usize,
    /// Vectors searched beside the saved shards (added or changed since they were saved).
    pub added: usize,
    /// Saved entries hidden because their items changed or went away.
    pub removed: usize,
    pub shards: usize,
    /// The index and the vectors are read through memory maps of the saved files.
    pub mapped: bool,
    pub seconds: f64,
    /// Why the saved index could not be used, when it was rebuilt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt_because: Option<String>,
}

/// What adding items did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AddReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub embedded: usize,
    pub seconds: f64,
}

/// Catalog, vectors, index and log statistics, ready for recommendations.
/// Its parts are read through methods outside the pipeline; only the pipeline changes them.
pub struct Engine {
    pub(super) catalog: Catalog,
    pub(super) vectors: VectorMatrix,
    ann: Option<AnnIndex>,
    pub(super) model: ModelRef,
    pub(super) stats: LogStats,
    pub(super) template: Template,
    /// item key → hash of the text its vector embeds
    hashes: HashMap<u64, [u8; 16]>,
    /// Ids of items that have no vector yet (not embedded).
    pub(super) missing: Vec<String>,
    pub(super) index_report: IndexReport,
    options: EngineOptions,
    paths: Option<SnapshotPaths>,
    /// A build that has not been started ([`EngineOptions::background`]).
    pending: Option<IndexBuild>,
    /// A build is running for this engine.
    building: bool,
    /// Tells this engine's builds from another's.
    id: u64,
    embedder: OnceLock<Box<dyn Embedder>>,
    store: ModelStore,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("items", &self.catalog.len()).field("model", &self.model.key).finish()
    }
}

/// More changes than this since the saved index (added plus removed) and it is rebuilt: the
/// exact overlay would cost more than it saves.
fn rebuild_threshold(n: usize) -> usize {
    (n / 20).max(1_000)
}

static ENGINE_IDS: AtomicU64 = AtomicU64::new(1);

impl Engine {
    /// The items, by id and by key.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The items' vectors (exact search).
    pub fn vectors(&self) -> &VectorMatrix {
        &self.vectors
    }

    /// The model the vectors come from.
    pub fn model(&self) -> &ModelRef {
        &self.model
    }

    /// The interaction log's statistics (popularity, co-occurrence, new items).
    pub fn stats(&self) -> &LogStats {
        &self.stats
    }

    /// The item template the vectors embed.
    pub fn template(&self) -> &Template {
        &self.template
    }

    /// Ids of items without a vector yet.
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// What opening did with the vector index.
    pub fn index_report(&self) -> &IndexReport {
        &self.index_report
    }

    /// Replaces the interaction statistics (tests of what reads them).
    #[cfg(test)]
    pub(crate) fn replace_stats(&mut self, stats: LogStats) {
        self.stats = stats;
    }

    /// Loads everything the pipeline needs from `project`, using the vectors of `model`, and
    /// opens the saved index (memory-mapped, with what changed since searched beside it), or
    /// builds it (now, or on a worker with [`EngineOptions::background`]).
    pub fn open(
        project: &Project,
        model: ModelRef,
        store: ModelStore,
        options: EngineOptions,
        sink: &ProgressSink,
    ) -> Result<Self, PipelineError> {
        let started = std::time::Instant::now();
        let persist = options.persist && project.path().to_str() != Some(":memory:");
        let paths = if persist { SnapshotPaths::new(project.path()) } else { None };
        // The saved snapshot is files of its own: open it while the catalog comes out of SQLite.
        let preload = paths.clone().map(|paths| {
            let (key, dim, quant) = (model.key.clone(), model.dim, options.quantization);
            let open = move || Snapshot::open(&paths, &key, dim, quant);
            std::thread::Builder::new().name("reclab-index-open".into()).spawn(open.clone()).map_err(|_| open)
        });
        // The log and its statistics come from a second, read-only connection at the same time
        // as the catalog (about half of a reopen at 100,000 items).
        let log_reader = project.path().is_file().then(|| {
            let path = project.path().to_path_buf();
            std::thread::Builder::new()
                .name("reclab-log-open".into())
                .spawn(move || -> Result<LogStats, crate::store::StoreError> {
                    Ok(LogStats::new(&Project::open_read_only(&path)?.load_interactions()?))
                })
                .ok()
        });
        let _ = sink.report("loading catalog", 0, 3);
        let rows = project.load_items()?;
        let attributes = project.attributes()?;
        let template_src = project.setting("template")?.unwrap_or_else(|| crate::embed::DEFAULT_TEMPLATE.into());
        let template = Template::parse(&template_src, &attributes)?;
        let texts = item_texts(rows.iter().map(|(_, i)| i), &template);
        let _ = sink.report("loading vectors", 1, 3);
        let snapshot = match preload {
            Some(Ok(handle)) => handle.join().unwrap_or_else(|_| Err("the index reader panicked".into())),
            // No thread to be had: read it here.
            Some(Err(open)) => open(),
            None => Err("the project keeps no index file".into()),
        };
        let not_embedded = || -> Result<(), PipelineError> {
            let others: Vec<String> =
                project.vector_models()?.into_iter().filter(|(_, _, n)| *n > 0).map(|(m, _, _)| m).collect();
            Err(PipelineError::NotEmbedded { model: model.key.clone(), others })
        };
        let mut hashes = HashMap::with_capacity(rows.len());
        let mut missing = Vec::new();
        // The project is the source of truth: a saved vector is used only for an item whose text
        // it embeds, and only while the project still holds that text's vector.
        let (vectors, ann, rebuilt_because) = match snapshot {
            Ok(snap) => {
                let cached = project.cached_hashes(&model.key)?;
                if cached.is_empty() && !rows.is_empty() {
                    not_embedded()?;
                }
                let saved: HashMap<u64, [u8; 16]> =
                    snap.vectors.keys().iter().copied().zip(snap.vectors.hashes().iter().copied()).collect();
                let mut vectors = VectorMatrix::mapped(snap.vectors.clone());
                let mut ann = snap.index;
                let mut fetch = Vec::new();
                for ((key, item), (_, hash)) in rows.iter().zip(&texts) {
                    if !cached.contains(hash) {
                        missing.push(item.id.clone());
                        continue;
                    }
                    hashes.insert(*key, *hash);
                    if saved.get(key) != Some(hash) {
                        fetch.push((*key, *hash));
                    }
                }
                let fresh = project.vectors_for(&model.key, fetch.iter().map(|(_, h)| *h))?;
                for (key, hash) in &fetch {
                    if let Some(v) = fresh.get(hash) {
                        vectors.insert(*key, v)?;
                        ann.upsert(*key, v)?;
                    }
                }
                // Saved rows of items that went away, or whose vector the project no longer has.
                let mut gone: Vec<u64> = saved.keys().filter(|k| !hashes.contains_key(k)).copied().collect();
                gone.sort_unstable();
                for key in gone {
                    vectors.remove(key);
                    ann.remove(key);
                }
                let changes = ann.overlay_len() + ann.hidden_len();
                if changes > rebuild_threshold(vectors.len()) {
                    let why = format!("{changes} items changed since the index was saved");
                    (vectors, None, Some(why))
                } else {
                    (vectors, Some(ann), None)
                }
            }
            Err(why) => {
                let table = project.load_vectors(&model.key)?;
                if table.is_empty() && !rows.is_empty() {
                    not_embedded()?;
                }
                let mut vectors = VectorMatrix::with_capacity(model.dim, rows.len());
                for ((key, item), (_, hash)) in rows.iter().zip(&texts) {
                    match table.get(hash) {
                        Some(v) => {
                            vectors.insert(*key, v)?;
                            hashes.insert(*key, *hash);
                        }
                        None => missing.push(item.id.clone()),
                    }
                }
                (vectors, None, Some(why))
            }
        };
        let _ = sink.report("loading interactions", 2, 3);
        let stats = match log_reader.flatten().map(std::thread::JoinHandle::join) {
            Some(Ok(Ok(stats))) => stats,
            // No second connection to be had (or it failed): read the log here, where an error
            // is reported as any other.
            _ => LogStats::new(&project.load_interactions()?),
        };
        let catalog = Catalog::new(rows, attributes);
        let mut engine = Engine {
            catalog,
            vectors,
            ann: None,
            model,
            stats,
            template,
            hashes,
            missing,
            index_report: IndexReport::default(),
            options,
            paths,
            pending: None,
            building: false,
            id: ENGINE_IDS.fetch_add(1, Ordering::Relaxed),
            embedder: OnceLock::new(),
            store,
        };
        // The lexical embedder's weights live in the project, which the engine does not keep.
        if crate::embed::LexicalEmbedder::is_fitted_key(&engine.model.key) {
            let lexical = crate::embed::stored_lexical(project, &engine.model.key)?;
            let _ = engine.embedder.set(Box::new(lexical));
        }
        let _ = sink.report("opening the index", 3, 3);
        if engine.options.exact {
            engine.index_report =
                IndexReport { action: IndexAction::Exact, size: engine.vectors.len(), ..Default::default() };
            return Ok(engine);
        }
        match ann {
            Some(ann) => {
                let (added, removed) = (ann.overlay_len(), ann.hidden_len());
                engine.index_report = IndexReport {
                    action: if added + removed == 0 { IndexAction::Loaded } else { IndexAction::Updated },
                    size: ann.len(),
                    added,
                    removed,
                    shards: ann.shard_count(),
                    mapped: ann.is_mapped(),
                    seconds: started.elapsed().as_secs_f64(),
                    rebuilt_because: None,
                };
                engine.ann = Some(ann);
            }
            None => {
                let build = engine.plan_build();
                engine.index_report = IndexReport {
                    action: IndexAction::Building,
                    size: engine.vectors.len(),
                    rebuilt_because,
                    ..Default::default()
                };
                if engine.options.background {
                    engine.pending = Some(build);
                } else {
                    engine.building = true;
                    let built = build.run(sink)?;
                    engine.install_index(built);
                }
            }
        }
        Ok(engine)
    }

    /// Freezes the current vectors for a build.
    fn plan_build(&mut self) -> IndexBuild {
        let frozen = self.vectors.frozen();
        let hashes = frozen.keys.iter().map(|k| self.hashes.get(k).copied().unwrap_or_default()).collect();
        let quantization = self.options.quantization.unwrap_or_else(|| Quantization::for_size(frozen.len()));
        IndexBuild {
            engine: self.id,
            frozen,
            hashes,
            quantization,
            threads: self.options.threads,
            model: self.model.key.clone(),
            paths: self.paths.clone(),
        }
    }

    /// The index build this engine is waiting for, to run on a worker ([`IndexBuild::run`]);
    /// until its result is given to [`Engine::install_index`], exact search serves.
    pub fn take_index_build(&mut self) -> Option<IndexBuild> {
        let build = self.pending.take()?;
        self.building = true;
        Some(build)
    }

    /// What serves the candidate searches now.
    pub fn serving(&self) -> Serving {
        if self.ann.is_some() {
            Serving::Index
        } else if self.building || self.pending.is_some() {
            Serving::ExactWhileBuilding
        } else {
            Serving::Exact
        }
    }

    /// Puts a finished build in place (a build for another engine is ignored: false). Items
    /// added, changed or removed while it ran are applied to it.
    pub fn install_index(&mut self, built: BuiltIndex) -> bool {
        if built.engine != self.id {
            return false;
        }
        let BuiltIndex { mut index, keys, hashes, vectors, seconds, .. } = built;
        let at_build: HashMap<u64, [u8; 16]> = keys.iter().copied().zip(hashes).collect();
        let mut changed: Vec<u64> =
            self.hashes.iter().filter(|(k, h)| at_build.get(k) != Some(h)).map(|(k, _)| *k).collect();
        changed.sort_unstable();
        let mut gone: Vec<u64> = keys.iter().copied().filter(|k| !self.hashes.contains_key(k)).collect();
        gone.sort_unstable();
        if let Some(file) = vectors {
            // The saved rows are the ones built from: read them through the map from now on.
            let mut mapped = VectorMatrix::mapped(file);
            for &key in &changed {
                if let Some(v) = self.vectors.get(key) {
                    let _ = mapped.insert(key, v);
                }
            }
            for &key in &gone {
                mapped.remove(key);
            }
            self.vectors = mapped;
        }
        for &key in &changed {
            if let Some(v) = self.vectors.get(key) {
                let _ = index.upsert(key, v);
            }
        }
        for &key in &gone {
            index.remove(key);
        }
        self.index_report = IndexReport {
            action: IndexAction::Built,
            size: index.len(),
            added: index.len(),
            removed: 0,
            shards: index.shard_count(),
            mapped: index.is_mapped(),
            seconds,
            rebuilt_because: self.index_report.rebuilt_because.take(),
        };
        self.ann = Some(index);
        self.building = false;
        true
    }

    /// Uses `embedder` for query texts instead of loading the model on first use.
    pub fn set_embedder(&mut self, embedder: Box<dyn Embedder>) -> Result<(), PipelineError> {
        if embedder.key() != self.model.key || embedder.dim() != self.model.dim {
            return Err(crate::embed::EmbedError::ModelMismatch {
                project_model: self.model.key.clone(),
                project_dim: self.model.dim,
                requested: embedder.key().to_string(),
                requested_dim: embedder.dim(),
            }
            .into());
        }
        self.embedder = OnceLock::new();
        let _ = self.embedder.set(embedder);
        Ok(())
    }

    /// The embedder of the project's model, loaded on first use.
    pub fn embedder(&self) -> Result<&dyn Embedder, PipelineError> {
        if let Some(e) = self.embedder.get() {
            return Ok(e.as_ref());
        }
        let e = self.model.load(&self.store)?;
        Ok(self.embedder.get_or_init(|| e).as_ref())
    }

    /// Embeds a free-text query with the model's query prefix.
    pub fn embed_query(&self, text: &str) -> Result<Vec<f32>, PipelineError> {
        let e = self.embedder()?;
        let mut v = e.embed(&[text], TextKind::Query)?.into_iter().next().unwrap_or_default();
        if v.len() != self.model.dim {
            return Err(crate::embed::EmbedError::ModelMismatch {
                project_model: self.model.key.clone(),
                project_dim: self.model.dim,
                requested: e.key().to_string(),
                requested_dim: v.len(),
            }
            .into());
        }
        crate::embed::normalize(&mut v);
        Ok(v)
    }

    pub fn ann(&self) -> Option<&AnnIndex> {
        self.ann.as_ref()
    }

    /// Adds (or updates) items: saves them in the project, embeds their text at once, and puts
    /// their vectors in the index without rebuilding it. They can appear in the very next
    /// recommendation. Each update changes only the fields it names.
    pub fn add_items(
        &mut self,
        project: &mut Project,
        items: &[ItemUpdate],
        sink: &ProgressSink,
    ) -> Result<AddReport, PipelineError> {
        let prepared = self.prepare_items(project, items, sink)?;
        self.apply_items(prepared)
    }

    /// The slow half of [`Engine::add_items`], which needs only shared access: embeds the
    /// texts the items will have, then saves the items and their vectors in one transaction,
    /// so that no item is ever saved without its vector.
    pub fn prepare_items(
        &self,
        project: &mut Project,
        items: &[ItemUpdate],
        sink: &ProgressSink,
    ) -> Result<PreparedItems, PipelineError> {
        let started = std::time::Instant::now();
        let mut embedded = 0;
        // Another reclab may change these items between the embedding and the save: then the
        // texts are worked out again (a few times at most).
        let mut attempt = 0;
        let (texts, vectors) = loop {
            attempt += 1;
            let merged = project.preview_updates(items)?;
            let texts = item_texts(&merged, &self.template);
            let mut vectors = project.vectors_for(&self.model.key, texts.iter().map(|(_, h)| *h))?;
            let mut seen = std::collections::HashSet::new();
            let todo: Vec<&(String, [u8; 16])> =
                texts.iter().filter(|(_, h)| !vectors.contains_key(h) && seen.insert(*h)).collect();
            let _ = sink.report("embedding new items", 0, todo.len() as u64);
            let mut rows: Vec<([u8; 16], Vec<f32>)> = Vec::new();
            if !todo.is_empty() {
                // Texts already in the cache need no model.
                let embedder = self.embedder()?;
                let batch: Vec<&str> = todo.iter().map(|(t, _)| t.as_str()).collect();
                let vecs = embedder.embed(&batch, TextKind::Passage)?;
                rows = todo.iter().map(|(_, h)| *h).zip(vecs).collect();
            }
            let _ = sink.report("embedding new items", todo.len() as u64, todo.len() as u64);
            let batch = crate::store::VectorBatch { model: &self.model.key, dim: self.model.dim, rows: &rows };
            let expected = (attempt < 4).then_some(merged.as_slice());
            match project.apply_updates(items, Some(batch), expected) {
                Err(crate::store::StoreError::Changed { .. }) => continue,
                Err(e) => return Err(e.into()),
                Ok(_) => {}
            }
            embedded += rows.len();
            vectors.extend(rows);
            break (texts, vectors);
        };
        drop(texts);
        let mut rows = Vec::with_capacity(items.len());
        for update in items {
            if let Some((key, stored)) = project.item(&update.item.id)? {
                // The saved item's own text: it has no vector here only when another reclab
                // changed the item after the last attempt (`reclab embed` then gives it one).
                let (_, hash) = item_texts([&stored], &self.template).pop().unwrap_or_default();
                rows.push((key, stored, hash, vectors.get(&hash).cloned()));
            }
        }
        Ok(PreparedItems { rows, embedded, started })
    }

    /// The fast half of [`Engine::add_items`]: puts prepared items into the catalog and the
    /// index (no rebuild; the saved index files are not rewritten: the next open finds the
    /// new items in the project and searches them beside the saved shards).
    pub fn apply_items(&mut self, prepared: PreparedItems) -> Result<AddReport, PipelineError> {
        let mut report = AddReport { embedded: prepared.embedded, ..Default::default() };
        for (key, item, hash, v) in prepared.rows {
            let existed = self.catalog.by_key(key).is_some();
            match v {
                Some(v) => {
                    self.vectors.insert(key, &v)?;
                    if let Some(ann) = &mut self.ann {
                        ann.upsert(key, &v)?;
                    }
                    self.hashes.insert(key, hash);
                    self.missing.retain(|id| id != &item.id);
                }
                None => {
                    // Its text changed and it has no vector for the new one yet.
                    self.vectors.remove(key);
                    if let Some(ann) = &mut self.ann {
                        ann.remove(key);
                    }
                    self.hashes.remove(&key);
                    if !self.missing.contains(&item.id) {
                        self.missing.push(item.id.clone());
                    }
                }
            }
            if existed {
                report.updated.push(item.id.clone());
            } else {
                report.added.push(item.id.clone());
            }
            self.catalog.upsert(key, item);
        }
        report.seconds = prepared.started.elapsed().as_secs_f64();
        Ok(report)
    }
}

/// An item saved: its key, itself, its text's hash and its new vector (when its text changed).
type PreparedRow = (u64, Item, [u8; 16], Option<Vec<f32>>);

/// Items saved and embedded, waiting to enter the catalog and the index.
#[derive(Debug)]
pub struct PreparedItems {
    rows: Vec<PreparedRow>,
    embedded: usize,
    started: std::time::Instant,
}

/// An index build: the vectors as they were when it was planned, sorted by key.
pub struct IndexBuild {
    engine: u64,
    frozen: Frozen,
    hashes: Vec<[u8; 16]>,
    quantization: Quantization,
    threads: usize,
    model: String,
    paths: Option<SnapshotPaths>,
}

impl std::fmt::Debug for IndexBuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexBuild").field("vectors", &self.frozen.len()).finish()
    }
}

/// A finished build, for [`Engine::install_index`].
pub struct BuiltIndex {
    engine: u64,
    index: AnnIndex,
    keys: std::sync::Arc<Vec<u64>>,
    hashes: Vec<[u8; 16]>,
    /// The saved vectors file, when the build was saved.
    vectors: Option<std::sync::Arc<crate::index::snapshot::VectorFile>>,
    pub seconds: f64,
}

impl std::fmt::Debug for BuiltIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuiltIndex").field("size", &self.index.len()).field("seconds", &self.seconds).finish()
    }
}

impl IndexBuild {
    pub fn len(&self) -> usize {
        self.frozen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frozen.len() == 0
    }

    /// Builds the shards in parallel (progress and cancel through `sink`) and saves the
    /// snapshot beside the project, then reopens it as memory maps so the built graph's memory
    /// is given back. A save that fails only costs the next open a rebuild.
    pub fn run(self, sink: &ProgressSink) -> Result<BuiltIndex, PipelineError> {
        let started = std::time::Instant::now();
        let mut index = AnnIndex::build_frozen(&self.frozen, self.quantization, self.threads, sink)?;
        let mut vectors = None;
        if let Some(paths) = &self.paths {
            let _ = sink.report("saving the vector index", 0, 1);
            if let Ok(meta) = Snapshot::write(paths, &self.model, &self.frozen, &self.hashes, &index)
                && let Ok(snap) = Snapshot::open(paths, &self.model, self.frozen.dim, Some(self.quantization))
                // Another process may have saved a newer one meanwhile: only ours matches `frozen`.
                && snap.meta.generation == meta.generation
            {
                index = snap.index;
                vectors = Some(snap.vectors);
            }
        }
        Ok(BuiltIndex {
            engine: self.engine,
            index,
            keys: self.frozen.keys.clone(),
            hashes: self.hashes,
            vectors,
            seconds: started.elapsed().as_secs_f64(),
        })
    }
}
