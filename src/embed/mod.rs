//! Turning text into vectors: the [`Embedder`] trait, the candle BERT embedder, the built-in
//! lexical embedder, item text templates, the embedding run with its cache, and the model store.

mod bert;
mod fused;
pub mod known;
mod lexical;
mod models;
mod run;
mod template;
pub mod toy;

pub use bert::{BertEmbedder, BertEngine, BertOptions, Pooling};
pub use lexical::{LexicalEmbedder, LexicalFit, LexicalFitReport, LexicalV1Embedder, project_lexical, stored_lexical};
pub use models::{FileEntry, InstalledModel, Manifest, ModelStore, data_dir};
pub use run::{EmbedRunReport, embed_catalog, item_texts};
pub use template::{DEFAULT_TEMPLATE, Template};

use std::path::PathBuf;

/// Whether a text is a query (a search, a user's intent) or a passage (an item). Some models
/// (the E5 family) want a different prefix for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Query,
    Passage,
}

/// Anything that turns texts into unit-length vectors of a fixed dimension.
pub trait Embedder: Send + Sync {
    /// Identifies the model and its weights; the embedding cache is keyed by it.
    fn key(&self) -> &str;
    /// A human-readable name.
    fn name(&self) -> &str;
    fn dim(&self) -> usize;
    /// True for a neural sentence-embedding model, false for the lexical fallback.
    fn is_neural(&self) -> bool;
    /// Embeds `texts`; every vector has length [`Embedder::dim`] and unit L2 norm (or is all
    /// zeros for a text with no features).
    fn embed(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError>;
}

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("model folder {dir} has no {file}")]
    MissingFile { dir: PathBuf, file: String },
    #[error("{file}: {message}")]
    BadConfig { file: PathBuf, message: String },
    #[error("{file}: cannot load the tokenizer: {message}")]
    Tokenizer { file: PathBuf, message: String },
    #[error("{file}: cannot load the weights: {message}")]
    Weights { file: PathBuf, message: String },
    #[error("embedding failed: {0}")]
    Inference(String),
    #[error("cannot tokenize: {0}")]
    Tokenize(String),
    #[error("{file}: sha256 is {actual}, expected {expected}; the file was refused")]
    Checksum { file: PathBuf, expected: String, actual: String },
    #[error("no model named '{name}' is installed{hint}")]
    UnknownModel { name: String, hint: String },
    #[error("{path}: {message}")]
    Source { path: PathBuf, message: String },
    #[error("a model named '{0}' is already installed; remove it first or pick another --name")]
    AlreadyInstalled(String),
    #[error("download of {repo}/{file} failed: {message}")]
    Download { repo: String, file: String, message: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("template: {0}")]
    Template(String),
    #[error(
        "the project has no lexical weights for its vectors {key}; run `reclab embed --model lexical` to fit them and embed again"
    )]
    NoLexicalFit { key: String },
    #[error("--refit is for the lexical embedder; {key} has no weights fitted on the catalog")]
    RefitNotLexical { key: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(
        "the project's vectors come from {project_model} ({project_dim} dimensions) but {requested} gives {requested_dim}; run `reclab embed --model {requested}` to switch the project to it"
    )]
    ModelMismatch { project_model: String, project_dim: usize, requested: String, requested_dim: usize },
}

impl EmbedError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EmbedError::Io { path: path.into(), source }
    }
}

/// L2-normalises a vector in place; a zero vector stays zero.
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// Cosine similarity of two vectors (0 when either is zero).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 { 0.0 } else { dot / (na.sqrt() * nb.sqrt()) }
}

/// Whether a model name given by the user means the built-in lexical embedder (its current
/// version; `lexical-v1` names the one before inverse document frequencies).
pub fn is_lexical(spec: &str) -> bool {
    spec == "lexical" || spec == LexicalEmbedder::KEY || LexicalEmbedder::is_fitted_key(spec)
}

/// Resolves a model name given by the user: `lexical`, the name of an installed model, or a
/// path to a model folder. The lexical embedder comes without a fit (see [`project_lexical`]).
pub fn load_embedder(spec: &str, store: &ModelStore) -> Result<Box<dyn Embedder>, EmbedError> {
    if is_lexical(spec) {
        return Ok(Box::new(LexicalEmbedder::new()));
    }
    if spec == LexicalV1Embedder::KEY {
        return Ok(Box::new(LexicalV1Embedder));
    }
    // An installed model's name wins over a folder of the same name in the current directory.
    if store.get(spec).is_ok() {
        return Ok(Box::new(store.load(spec)?));
    }
    let path = std::path::Path::new(spec);
    if path.is_dir() {
        return Ok(Box::new(BertEmbedder::load(path, &BertOptions::from_folder(path)?)?));
    }
    Ok(Box::new(store.load(spec)?))
}

/// `embedder` ready to embed `project`'s catalog: the lexical embedder gets the project's fitted
/// weights (fitted now when needed, or when `refit`; see [`project_lexical`]), any other comes
/// back as it is (and `refit` is an error).
pub fn with_project_weights(
    project: &mut crate::store::Project,
    embedder: Box<dyn Embedder>,
    template: &Template,
    refit: bool,
    sink: &crate::jobs::ProgressSink,
) -> Result<(Box<dyn Embedder>, Option<LexicalFitReport>), EmbedError> {
    if embedder.key() != LexicalEmbedder::KEY {
        if refit {
            return Err(EmbedError::RefitNotLexical { key: embedder.key().to_string() });
        }
        return Ok((embedder, None));
    }
    let (lexical, report) = project_lexical(project, template, refit, sink)?;
    Ok((Box::new(lexical), Some(report)))
}

/// The best embedder available: the project's chosen model if given, else the first installed
/// model (known models first), else the lexical embedder.
pub fn best_embedder(store: &ModelStore) -> Box<dyn Embedder> {
    if let Some(m) = store.best()
        && let Ok(e) = store.load(&m.manifest.name)
    {
        return Box::new(e);
    }
    Box::new(LexicalEmbedder::new())
}

/// Which model a project uses, known without loading its weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRef {
    /// What the user named: `lexical`, an installed model's name, or a folder.
    pub spec: String,
    /// The cache key of its vectors (see [`Embedder::key`]).
    pub key: String,
    pub dim: usize,
    pub neural: bool,
}

impl ModelRef {
    /// The lexical embedder without a fit.
    pub fn lexical() -> Self {
        Self { spec: "lexical".into(), key: LexicalEmbedder::KEY.into(), dim: LexicalEmbedder::DIM, neural: false }
    }

    /// The model `embedder` is, named `spec`.
    pub fn of_embedder(spec: &str, embedder: &dyn Embedder) -> Self {
        Self {
            spec: spec.to_string(),
            key: embedder.key().to_string(),
            dim: embedder.dim(),
            neural: embedder.is_neural(),
        }
    }

    /// The lexical embedder before inverse document frequencies.
    pub fn lexical_v1() -> Self {
        Self {
            spec: LexicalV1Embedder::KEY.into(),
            key: LexicalV1Embedder::KEY.into(),
            dim: LexicalEmbedder::DIM,
            neural: false,
        }
    }

    /// Resolves `spec` in `project`: the lexical embedder with the project's fitted weights
    /// (their key) — or, in a project embedded before they existed and not embedded since,
    /// `lexical-v1`, so that its rankings stay what they were — anything else as
    /// [`ModelRef::resolve`] does.
    pub fn resolve_in(spec: &str, store: &ModelStore, project: &crate::store::Project) -> Result<Self, EmbedError> {
        if !is_lexical(spec) {
            return Self::resolve(spec, store);
        }
        if let Some(fit) = project.lexical_fit()? {
            return Ok(Self { key: fit.model, ..Self::lexical() });
        }
        let v1 = project.vector_models()?.into_iter().any(|(m, _, n)| m == LexicalV1Embedder::KEY && n > 0);
        Ok(if v1 { Self { spec: spec.to_string(), ..Self::lexical_v1() } } else { Self::lexical() })
    }

    /// Resolves `spec` cheaply: from the manifest of an installed model, or by hashing a
    /// folder's weights. The lexical embedder resolves without a fit (see
    /// [`ModelRef::resolve_in`]).
    pub fn resolve(spec: &str, store: &ModelStore) -> Result<Self, EmbedError> {
        if is_lexical(spec) {
            return Ok(Self::lexical());
        }
        if spec == LexicalV1Embedder::KEY {
            return Ok(Self::lexical_v1());
        }
        match store.get(spec) {
            Ok(m) => {
                let sha = m.manifest.weights_sha256();
                Ok(Self {
                    spec: spec.to_string(),
                    key: format!("{}@{}", m.manifest.name, &sha[..sha.len().min(12)]),
                    dim: m.manifest.dim,
                    neural: true,
                })
            }
            Err(not_installed) => {
                let dir = std::path::Path::new(spec);
                if !dir.is_dir() {
                    return Err(not_installed);
                }
                // Loading is the only reliable way to learn a folder's key and dimension.
                let e = BertEmbedder::load(dir, &BertOptions::from_folder(dir)?)?;
                Ok(Self { spec: spec.to_string(), key: e.key().to_string(), dim: e.dim(), neural: true })
            }
        }
    }

    /// Loads the embedder this reference names (a fitted lexical embedder needs its project:
    /// [`stored_lexical`]).
    pub fn load(&self, store: &ModelStore) -> Result<Box<dyn Embedder>, EmbedError> {
        let e: Box<dyn Embedder> = if self.key == LexicalV1Embedder::KEY {
            Box::new(LexicalV1Embedder)
        } else {
            load_embedder(&self.spec, store)?
        };
        if e.key() != self.key || e.dim() != self.dim {
            return Err(EmbedError::ModelMismatch {
                project_model: self.key.clone(),
                project_dim: self.dim,
                requested: e.key().to_string(),
                requested_dim: e.dim(),
            });
        }
        Ok(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Project;

    /// A project embedded before the lexical weights existed: `model` = `lexical`, vectors under
    /// `lexical-v1`, no fit. It resolves to `lexical-v1` (its rankings stay) until it is embedded
    /// again, which fits weights; `lexical-v1` stays available by name.
    #[test]
    fn a_project_embedded_with_lexical_v1_resolves_to_it_until_fitted() {
        let store = ModelStore::at(std::env::temp_dir().join("reclab-no-models-here"));
        let mut p = Project::in_memory().unwrap();
        assert_eq!(ModelRef::resolve_in("lexical", &store, &p).unwrap(), ModelRef::lexical());
        let v = LexicalV1Embedder.embed_one("Serena");
        p.put_vectors(LexicalV1Embedder::KEY, LexicalEmbedder::DIM, &[([1; 16], v.clone())]).unwrap();
        let old = ModelRef::resolve_in("lexical", &store, &p).unwrap();
        assert_eq!((old.spec.as_str(), old.key.as_str()), ("lexical", LexicalV1Embedder::KEY));
        let e = old.load(&store).unwrap();
        assert_eq!(e.embed(&["Serena"], TextKind::Query).unwrap()[0], v);

        let fit = LexicalFit::fit(["Serena", "Ines"]);
        p.replace_lexical_fit(&crate::store::StoredLexicalFit {
            model: fit.key(),
            template: "{name}".into(),
            texts: 2,
            weights: fit.to_bytes(),
        })
        .unwrap();
        assert_eq!(ModelRef::resolve_in("lexical", &store, &p).unwrap().key, fit.key());
        assert_eq!(ModelRef::resolve_in("lexical-v1", &store, &p).unwrap(), ModelRef::lexical_v1());
        assert_eq!(p.load_vectors(LexicalV1Embedder::KEY).unwrap().len(), 1, "a fit leaves lexical-v1 alone");
    }
}
