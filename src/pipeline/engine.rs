//! The loaded state a recommendation runs on: the catalog, its vectors, the vector index,
//! and what the interaction log says about each item.

use super::PipelineError;
use super::stats::LogStats;
use crate::catalog::{AttrKind, Item};
use crate::embed::{Embedder, ModelRef, ModelStore, Template, TextKind, item_texts};
use crate::index::{AnnIndex, IndexMeta, Quantization, VectorMatrix, index_paths};
use crate::jobs::ProgressSink;
use crate::store::Project;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The catalog in memory, addressable by id and by key.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    items: Vec<Item>,
    keys: Vec<u64>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<u64, usize>,
    pub attributes: BTreeMap<String, AttrKind>,
}

impl Catalog {
    pub fn new(rows: Vec<(u64, Item)>, attributes: BTreeMap<String, AttrKind>) -> Self {
        let mut c = Catalog { attributes, ..Default::default() };
        for (key, item) in rows {
            c.upsert(key, item);
        }
        c
    }

    /// Adds or replaces an item.
    pub fn upsert(&mut self, key: u64, item: Item) {
        match self.by_key.get(&key) {
            Some(&i) => {
                self.by_id.remove(&self.items[i].id);
                self.by_id.insert(item.id.clone(), i);
                self.items[i] = item;
            }
            None => {
                let i = self.items.len();
                self.by_id.insert(item.id.clone(), i);
                self.by_key.insert(key, i);
                self.items.push(item);
                self.keys.push(key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    pub fn key_of(&self, id: &str) -> Option<u64> {
        self.by_id.get(id).map(|&i| self.keys[i])
    }

    pub fn by_key(&self, key: u64) -> Option<&Item> {
        self.by_key.get(&key).map(|&i| &self.items[i])
    }

    /// Items whose id, name or second-language name contains `query` (case-insensitive), best
    /// matches (prefix, then shorter names) first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Item> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return self.items.iter().take(limit).collect();
        }
        let mut hits: Vec<(u8, usize, &Item)> = self
            .items
            .iter()
            .filter_map(|it| {
                let name = it.name.to_lowercase();
                let alt = it.name_alt.as_deref().unwrap_or("").to_lowercase();
                let rank = if it.id == query.trim() {
                    0
                } else if name.starts_with(&q) || alt.starts_with(&q) {
                    1
                } else if name.contains(&q) || alt.contains(&q) {
                    2
                } else if it.id.contains(&q) {
                    3
                } else {
                    return None;
                };
                Some((rank, it.name.len(), it))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| crate::util::cmp_ids(&a.2.id, &b.2.id)));
        hits.into_iter().take(limit).map(|h| h.2).collect()
    }
}

/// How to build the index.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub quantization: Quantization,
    /// Skip the approximate index: every search is exact.
    pub exact: bool,
    /// Threads for building the index. One thread (the default) builds the same graph every
    /// time, so results are reproducible byte for byte; more threads build faster, but the
    /// graph (and so, rarely, a neighbour at the edge of the candidate pool) can differ.
    pub threads: usize,
    /// Keep the index file beside the project (off for in-memory projects).
    pub persist: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self { quantization: Quantization::F32, exact: false, threads: 1, persist: true }
    }
}

/// What opening the engine did with the index.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct IndexReport {
    /// "built", "loaded", "updated" or "exact".
    pub action: String,
    pub size: usize,
    pub added: usize,
    pub removed: usize,
    pub seconds: f64,
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
pub struct Engine {
    pub catalog: Catalog,
    pub vectors: VectorMatrix,
    ann: Option<AnnIndex>,
    pub model: ModelRef,
    pub stats: LogStats,
    pub template: Template,
    /// item key → hash of the text its vector embeds
    hashes: HashMap<u64, [u8; 16]>,
    /// Ids of items that have no vector yet (not embedded).
    pub missing: Vec<String>,
    pub index_report: IndexReport,
    options: EngineOptions,
    files: Option<(PathBuf, PathBuf)>,
    embedder: OnceLock<Box<dyn Embedder>>,
    store: ModelStore,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("items", &self.catalog.len()).field("model", &self.model.key).finish()
    }
}

impl Engine {
    /// Loads everything the pipeline needs from `project`, using the vectors of `model`, and
    /// opens (or builds, or updates) the vector index.
    pub fn open(
        project: &Project,
        model: ModelRef,
        store: ModelStore,
        options: EngineOptions,
        sink: &ProgressSink,
    ) -> Result<Self, PipelineError> {
        let persist = options.persist && project.path().to_str() != Some(":memory:");
        let files = persist.then(|| index_paths(project.path()));
        // The saved index is a file of its own: read it while the catalog comes out of SQLite.
        let preload = match (&files, options.exact) {
            (Some((index_path, meta_path)), false) => {
                let (index_path, meta_path) = (index_path.clone(), meta_path.clone());
                let (key, dim, quant) = (model.key.clone(), model.dim, options.quantization);
                let load = move || load_saved_index(&index_path, &meta_path, &key, dim, quant);
                Some(std::thread::Builder::new().name("reclab-index-load".into()).spawn(load.clone()).map_err(|_| load))
            }
            _ => None,
        };
        let _ = sink.report("loading catalog", 0, 3);
        let rows = project.load_items()?;
        let attributes = project.attributes()?;
        let template_src = project.setting("template")?.unwrap_or_else(|| crate::embed::DEFAULT_TEMPLATE.into());
        let template = Template::parse(&template_src, &attributes)?;
        let texts = item_texts(rows.iter().map(|(_, i)| i), &template);
        let _ = sink.report("loading vectors", 1, 3);
        let cached = project.load_vectors(&model.key)?;
        if cached.is_empty() && !rows.is_empty() {
            let others: Vec<String> =
                project.vector_models()?.into_iter().filter(|(_, _, n)| *n > 0).map(|(m, _, _)| m).collect();
            return Err(PipelineError::NotEmbedded { model: model.key.clone(), others });
        }
        let mut vectors = VectorMatrix::with_capacity(model.dim, rows.len());
        let mut hashes = HashMap::with_capacity(rows.len());
        let mut missing = Vec::new();
        for ((key, item), (_, hash)) in rows.iter().zip(&texts) {
            match cached.get(hash) {
                Some(v) => {
                    vectors.insert(*key, v)?;
                    hashes.insert(*key, *hash);
                }
                None => missing.push(item.id.clone()),
            }
        }
        drop(cached);
        let _ = sink.report("loading interactions", 2, 3);
        let stats = LogStats::new(&project.load_interactions()?);
        let catalog = Catalog::new(rows, attributes);
        let saved = match preload {
            Some(Ok(handle)) => handle.join().ok().flatten(),
            // No thread to be had: read it here.
            Some(Err(load)) => load(),
            None => None,
        };
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
            files,
            embedder: OnceLock::new(),
            store,
        };
        // The lexical embedder's weights live in the project, which the engine does not keep.
        if crate::embed::LexicalEmbedder::is_fitted_key(&engine.model.key) {
            let lexical = crate::embed::stored_lexical(project, &engine.model.key)?;
            let _ = engine.embedder.set(Box::new(lexical));
        }
        let _ = sink.report("opening the index", 3, 3);
        engine.sync_index(saved)?;
        Ok(engine)
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

    /// Brings the index in line with the vectors: loads the saved index and applies the
    /// differences, or builds it when there is nothing usable.
    /// Brings the index up to date with the vectors: the saved one (read by [`load_saved_index`])
    /// with stale entries removed and new ones added, else a fresh build.
    fn sync_index(&mut self, saved: Option<(AnnIndex, IndexMeta)>) -> Result<(), PipelineError> {
        let started = std::time::Instant::now();
        if self.options.exact {
            self.index_report = IndexReport { action: "exact".into(), size: self.vectors.len(), ..Default::default() };
            return Ok(());
        }
        let quant = self.options.quantization;
        let desired: HashMap<u64, String> = self.hashes.iter().map(|(k, h)| (*k, crate::util::hex(h))).collect();
        let (ann, action, added, removed) = match saved {
            Some((ann, meta)) => {
                // Applied in key order, so the updated graph is the same on every machine.
                let mut stale: Vec<u64> =
                    meta.entries.iter().filter(|(k, h)| desired.get(k) != Some(h)).map(|(k, _)| *k).collect();
                stale.sort_unstable();
                for key in &stale {
                    ann.remove(*key)?;
                }
                let removed = stale.len();
                let mut fresh: Vec<u64> =
                    desired.iter().filter(|(k, h)| meta.entries.get(k) != Some(h)).map(|(k, _)| *k).collect();
                fresh.sort_unstable();
                let mut added = 0;
                for key in fresh {
                    if let Some(v) = self.vectors.get(key) {
                        ann.upsert(key, v)?;
                        added += 1;
                    }
                }
                let action = if added + removed == 0 { "loaded" } else { "updated" };
                (ann, action, added, removed)
            }
            None => {
                let ann = AnnIndex::build(&self.vectors, quant, self.options.threads)?;
                let n = ann.len();
                (ann, "built", n, 0)
            }
        };
        self.ann = Some(ann);
        if action != "loaded" {
            self.save_index()?;
        }
        self.index_report = IndexReport {
            action: action.into(),
            size: self.vectors.len(),
            added,
            removed,
            seconds: started.elapsed().as_secs_f64(),
        };
        Ok(())
    }

    /// Saves the index and its sidecar beside the project (in-memory projects have none).
    pub fn save_index(&self) -> Result<(), PipelineError> {
        let (Some((index_path, meta_path)), Some(ann)) = (&self.files, &self.ann) else { return Ok(()) };
        ann.save(index_path)?;
        let meta = IndexMeta {
            model: self.model.key.clone(),
            dim: self.model.dim,
            quantization: self.options.quantization,
            entries: self.hashes.iter().map(|(k, h)| (*k, crate::util::hex(h))).collect(),
        };
        meta.write(meta_path)?;
        Ok(())
    }

    /// Adds (or updates) items: saves them in the project, embeds their text at once, and puts
    /// their vectors in the index without rebuilding it. They can appear in the very next
    /// recommendation.
    pub fn add_items(
        &mut self,
        project: &mut Project,
        items: &[Item],
        sink: &ProgressSink,
    ) -> Result<AddReport, PipelineError> {
        let prepared = self.prepare_items(project, items, sink)?;
        let report = self.apply_items(prepared)?;
        self.save_index()?;
        Ok(report)
    }

    /// The slow half of [`Engine::add_items`], which needs only shared access: saves the items
    /// and embeds their texts.
    pub fn prepare_items(
        &self,
        project: &mut Project,
        items: &[Item],
        sink: &ProgressSink,
    ) -> Result<PreparedItems, PipelineError> {
        let started = std::time::Instant::now();
        project.upsert_items(items)?;
        let texts = item_texts(items, &self.template);
        let mut vectors = project.vectors_for(&self.model.key, texts.iter().map(|(_, h)| *h))?;
        let todo: Vec<&(String, [u8; 16])> = texts.iter().filter(|(_, h)| !vectors.contains_key(h)).collect();
        let _ = sink.report("embedding new items", 0, todo.len() as u64);
        let mut embedded = 0;
        if !todo.is_empty() {
            // Texts already in the cache need no model.
            let embedder = self.embedder()?;
            let batch: Vec<&str> = todo.iter().map(|(t, _)| t.as_str()).collect();
            let vecs = embedder.embed(&batch, TextKind::Passage)?;
            let rows: Vec<([u8; 16], Vec<f32>)> = todo.iter().map(|(_, h)| *h).zip(vecs).collect();
            project.put_vectors(&self.model.key, self.model.dim, &rows)?;
            embedded = rows.len();
            vectors.extend(rows);
        }
        let _ = sink.report("embedding new items", todo.len() as u64, todo.len() as u64);
        let mut rows = Vec::with_capacity(items.len());
        for (item, (_, hash)) in items.iter().zip(&texts) {
            if let Some((key, stored)) = project.item(&item.id)? {
                let v = vectors.get(hash).cloned().unwrap_or_default();
                rows.push((key, stored, *hash, v));
            }
        }
        Ok(PreparedItems { rows, embedded, started })
    }

    /// The fast half of [`Engine::add_items`]: puts prepared items into the catalog and the
    /// index (no rebuild). The index file is not saved: [`Engine::save_index`] does that, and
    /// needs only shared access (at 100,000 items it writes about 300 MB). An unsaved index
    /// is brought up to date on the next open.
    pub fn apply_items(&mut self, prepared: PreparedItems) -> Result<AddReport, PipelineError> {
        let mut report = AddReport { embedded: prepared.embedded, ..Default::default() };
        for (key, item, hash, v) in prepared.rows {
            let existed = self.catalog.by_key(key).is_some();
            self.vectors.insert(key, &v)?;
            if let Some(ann) = &self.ann {
                ann.upsert(key, &v)?;
            }
            self.hashes.insert(key, hash);
            self.missing.retain(|id| id != &item.id);
            if existed {
                report.updated.push(item.id.clone())
            } else {
                report.added.push(item.id.clone())
            }
            self.catalog.upsert(key, item);
        }
        report.seconds = prepared.started.elapsed().as_secs_f64();
        Ok(report)
    }
}

/// Items saved and embedded, waiting to enter the catalog and the index.
#[derive(Debug)]
pub struct PreparedItems {
    rows: Vec<(u64, Item, [u8; 16], Vec<f32>)>,
    embedded: usize,
    started: std::time::Instant,
}

/// The index saved beside a project, if it was built for this model, dimension and
/// quantization and is whole; anything else means it is rebuilt.
fn load_saved_index(
    index_path: &Path,
    meta_path: &Path,
    model_key: &str,
    dim: usize,
    quant: Quantization,
) -> Option<(AnnIndex, IndexMeta)> {
    let meta = IndexMeta::read(meta_path)?;
    if meta.model != model_key || meta.dim != dim || meta.quantization != quant {
        return None;
    }
    let ann = AnnIndex::load(index_path, dim, quant).ok()?;
    (ann.len() == meta.entries.len()).then_some((ann, meta))
}
