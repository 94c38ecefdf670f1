//! Writing what a command outputs (a trace, a report, vectors, a screenshot): never over the
//! project it reads, and never half a file. Every output goes to a temporary file in the same
//! folder and is renamed into place once it is whole.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write {path}: it is {what}; choose another output file")]
    Protected { path: PathBuf, what: String },
    #[error("cannot write {path}: it is a folder")]
    IsDir { path: PathBuf },
    #[error("cannot write {path}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Files an output must never replace: a project and everything that lives beside it.
#[derive(Debug, Clone, Default)]
pub struct Protected {
    files: Vec<(PathBuf, String)>,
}

impl Protected {
    /// Nothing is protected.
    pub fn none() -> Self {
        Self::default()
    }

    /// The project file at `project`, its SQLite sidecars, its vector index and lock.
    pub fn project(project: &Path) -> Self {
        let mut p = Self::default();
        p.add_project(project);
        p
    }

    /// Adds a project and its sidecars.
    pub fn add_project(&mut self, project: &Path) {
        let with = |suffix: &str| {
            let mut s = project.as_os_str().to_owned();
            s.push(suffix);
            PathBuf::from(s)
        };
        let shown = project.display().to_string();
        self.files.push((project.to_path_buf(), format!("the project {shown}")));
        for suffix in ["-wal", "-shm", "-journal", ".usearch", ".usearch.meta", ".usearch.tmp", ".lock"] {
            self.files.push((with(suffix), format!("a file of the project {shown} ({suffix})")));
        }
        // The vector index snapshot: every generation's vectors and shard files.
        if let Some(paths) = crate::index::snapshot::SnapshotPaths::new(project) {
            for file in paths.all_files() {
                self.files.push((file, format!("a vector index file of the project {shown}")));
            }
        }
    }

    /// Refuses `path` when it names (through any symbolic or hard link) a protected file.
    pub fn check(&self, path: &Path) -> Result<(), OutputError> {
        if path.is_dir() {
            return Err(OutputError::IsDir { path: path.to_path_buf() });
        }
        let target = canonical(path);
        let target_id = file_id(path);
        for (file, what) in &self.files {
            let same_inode = target_id.is_some() && target_id == file_id(file);
            if same_inode || canonical(file) == target {
                return Err(OutputError::Protected { path: path.to_path_buf(), what: what.clone() });
            }
        }
        Ok(())
    }
}

/// The path with its folder resolved (the file itself need not exist; a link is followed).
fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let base = std::fs::canonicalize(parent).unwrap_or_else(|_| std::path::absolute(parent).unwrap_or_default());
    match path.file_name() {
        Some(name) => base.join(name),
        None => base,
    }
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_path: &Path) -> Option<(u64, u64)> {
    None
}

/// An output being written: a temporary file beside `path`, renamed onto it by
/// [`AtomicFile::commit`]; dropped without a commit, it is removed and `path` is untouched.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicFile {
    /// Starts writing `path` after checking it against `protected`.
    pub fn create(path: &Path, protected: &Protected) -> Result<Self, OutputError> {
        protected.check(path)?;
        let io = |source| OutputError::Io { path: path.to_path_buf(), source };
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io)?;
        let tmp = temp_path(path);
        let file = std::fs::File::create(&tmp).map_err(io)?;
        Ok(Self { path: path.to_path_buf(), tmp, file: Some(std::io::BufWriter::new(file)) })
    }

    /// Flushes the file to disk and renames it into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let io = |source| OutputError::Io { path: self.path.clone(), source };
        if let Some(w) = self.file.take() {
            let file = w.into_inner().map_err(|e| io(e.into_error()))?;
            file.sync_all().map_err(io)?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(io)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the output was already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A temporary name beside `path`, unique to this process and call.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    parent.join(format!(".{name}.tmp{}-{n}", std::process::id()))
}

/// Writes a whole output file: checked against `protected`, then atomically.
pub fn write(path: &Path, bytes: &[u8], protected: &Protected) -> Result<(), OutputError> {
    let mut f = AtomicFile::create(path, protected)?;
    f.write_all(bytes).map_err(|source| OutputError::Io { path: path.to_path_buf(), source })?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_and_its_sidecars_are_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("S");
        std::fs::write(&project, b"project").unwrap();
        let guard = Protected::project(&project);
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        let relative_again = sub.join("..").join("S");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&project, &link).unwrap();
        let hard = dir.path().join("hard");
        std::fs::hard_link(&project, &hard).unwrap();
        for p in [project.clone(), relative_again, link, hard, dir.path().join("S.usearch"), dir.path().join("S-wal")] {
            let err = write(&p, b"{}", &guard).unwrap_err().to_string();
            assert!(err.contains("refusing to write") && err.contains("project"), "{}: {err}", p.display());
        }
        assert_eq!(std::fs::read(&project).unwrap(), b"project");
        assert!(write(&dir.path().join("S.json"), b"{}", &guard).is_ok());
        assert!(matches!(write(&sub, b"x", &guard), Err(OutputError::IsDir { .. })));
        // Nothing but the project, the one output and the links is left behind.
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, ["S", "S.json", "hard", "link", "sub"]);
    }

    #[test]
    fn an_output_dropped_before_its_commit_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        std::fs::write(&out, b"old").unwrap();
        {
            let mut f = AtomicFile::create(&out, &Protected::none()).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read(&out).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "the temporary file is gone");
    }
}
