//! The project file: one SQLite database holding the catalog, its attributes, cached
//! embeddings, the interaction log, simulated users, and settings.
//!
//! Opening never damages a file: a file that is not a reclab project, or that was written by a
//! newer reclab, is refused before anything is written to it.

mod embeddings;
mod import;
mod interactions;
mod items;
mod lexical;
mod named;
pub mod schema;
mod users;

pub use embeddings::{VectorRow, VectorTable};
pub use import::ImportKind;
pub use items::{UpsertCounts, VectorBatch};
pub use lexical::StoredLexicalFit;
pub use named::{EvalRunRow, Named};
pub use users::{SimAction, SimUser};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open {path}: it is not a reclab project ({reason}); the file was left untouched")]
    NotAProject { path: PathBuf, reason: String },
    #[error(
        "cannot open {path}: it was written by a newer reclab (schema version {found}; this build reads up to {supported}); the file was left untouched"
    )]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("{path} does not exist")]
    Missing { path: PathBuf },
    #[error("project file {path}: {context}")]
    Sqlite { path: PathBuf, context: String, source: rusqlite::Error },
    #[error("cannot read {path}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("no item with id '{0}' in the catalog")]
    UnknownItem(String),
    #[error("no user '{0}' in the project")]
    UnknownUser(String),
    #[error(
        "model {model} gives {given}-dimensional vectors, but this project already holds {stored}-dimensional vectors for it"
    )]
    DimensionMismatch { model: String, stored: usize, given: usize },
    #[error(transparent)]
    Import(crate::catalog::CatalogError),
    #[error("project file {path}: stored {what} is damaged: {message}")]
    Damaged { path: PathBuf, what: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("another reclab is writing this project ({path}); nothing was saved: try again when it has finished")]
    Busy { path: PathBuf },
    #[error("cannot write to {path}: the file is read-only ({context}); nothing was changed")]
    ReadOnly { path: PathBuf, context: String },
    #[error("item {id} changed in {path} while it was being saved; nothing was saved")]
    Changed { path: PathBuf, id: String },
    #[error(
        "cannot open {path} read-only: it was written by an older reclab (schema version {found}) and needs upgrading, which needs write access"
    )]
    NeedsUpgrade { path: PathBuf, found: i64 },
    #[error("cannot open {path}: it is an empty file, not a reclab project yet")]
    EmptyFile { path: PathBuf },
    #[error("cannot lock {path}")]
    Lock { path: PathBuf, source: std::io::Error },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open project file.
pub struct Project {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// The file existed with no bytes at all and was made a new project.
    was_empty_file: bool,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project").field("path", &self.path).finish()
    }
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a command waits for another reclab's write to finish before it gives up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl Project {
    /// Opens a project file for writing, creating it when it does not exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path.as_ref(), true)
    }

    /// Opens an existing project file for writing; a missing file is an error.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path.as_ref(), false)
    }

    /// Opens an existing project file for reading only: nothing is written to it (a project
    /// of an older schema is upgraded first when the file can be written). Works on a file
    /// this user may not write.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        if check_header(path)? {
            return Err(StoreError::EmptyFile { path: path.to_path_buf() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sql(path, "open", e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| sql(path, "configure", e))?;
        let project = Self { conn, path: path.to_path_buf(), read_only: true, was_empty_file: false };
        let version = match project.check_identity() {
            Ok(v) => v,
            // A WAL project in a folder this user may not write cannot get its shared-memory
            // file; opened as immutable it is read as it is on disk.
            Err(StoreError::NotAProject { reason, .. }) if reason.contains("unable to open") => {
                return Self::open_immutable(path);
            }
            Err(e) => return Err(e),
        };
        if version < schema::LATEST {
            drop(project);
            return match Self::open_existing(path) {
                Ok(p) => {
                    drop(p);
                    Self::open_read_only(path)
                }
                Err(StoreError::ReadOnly { .. }) => {
                    Err(StoreError::NeedsUpgrade { path: path.to_path_buf(), found: version })
                }
                Err(e) => Err(e),
            };
        }
        Ok(project)
    }

    fn open_immutable(path: &Path) -> Result<Self> {
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&uri, flags).map_err(|e| sql(path, "open", e))?;
        let project = Self { conn, path: path.to_path_buf(), read_only: true, was_empty_file: false };
        let version = project.check_identity()?;
        if version < schema::LATEST {
            return Err(StoreError::NeedsUpgrade { path: path.to_path_buf(), found: version });
        }
        Ok(project)
    }

    /// A project that lives in memory only (tests, benchmarks).
    pub fn in_memory() -> Result<Self> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| sql(&path, "open", e))?;
        let mut p = Self { conn, path, read_only: false, was_empty_file: false };
        p.migrate()?;
        Ok(p)
    }

    fn open_with(path: &Path, create: bool) -> Result<Self> {
        let exists = path.exists();
        if !exists && !create {
            return Err(StoreError::Missing { path: path.to_path_buf() });
        }
        let mut was_empty_file = false;
        if exists {
            was_empty_file = check_header(path)?;
        } else if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io { path: parent.to_path_buf(), source })?;
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sql(path, "open", e))?;
        // Before anything else: every statement below may meet another reclab's write.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| sql(path, "configure", e))?;
        let mut project = Self { conn, path: path.to_path_buf(), read_only: false, was_empty_file };
        project.check_identity()?;
        // SQLite opens a file it may not write read-only without saying so: say it here.
        if project.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                context: "this user may not write it; read-only commands such as `reclab status` still work".into(),
            });
        }
        // A new file gets 16 KB pages: a 384- or 512-dimensional vector row then shares its
        // page with others instead of wasting a quarter to a half of one (SQLite fixes the page
        // size when the first table is created; existing files keep theirs).
        if !exists || was_empty_file {
            project.conn.execute_batch("PRAGMA page_size = 16384;").map_err(|e| sql(path, "configure", e))?;
        }
        // Reads through a memory map: loading 100,000 cached vectors takes a third less time.
        project
            .conn
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = 1073741824;",
            )
            .map_err(|e| sql(path, "configure", e))?;
        project.migrate()?;
        Ok(project)
    }

    /// True for a project opened with [`Project::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// True when the file existed with no bytes at all and opening made it a new project.
    pub fn was_empty_file(&self) -> bool {
        self.was_empty_file
    }

    /// Starts a write transaction that takes the write lock at once (waiting for another
    /// writer up to the busy timeout), so that a read inside it never meets a newer version
    /// of the file when it turns into a write.
    pub(crate) fn write_transaction(&mut self, context: &str) -> Result<rusqlite::Transaction<'_>> {
        let path = self.path.clone();
        self.conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| sql(&path, context, e))
    }

    /// The advisory lock file beside the project that orders writes of the vector index.
    pub fn lock_path(&self) -> PathBuf {
        let mut p = self.path.as_os_str().to_owned();
        p.push(".lock");
        PathBuf::from(p)
    }

    /// Takes the project's index lock (shared to read the index files, exclusive to write
    /// them); it is released when the guard is dropped. In-memory projects need none.
    pub fn lock_index(&self, exclusive: bool) -> Result<Option<std::fs::File>> {
        if self.path.to_str() == Some(":memory:") {
            return Ok(None);
        }
        let path = self.lock_path();
        let opened = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path);
        let file = match opened {
            Ok(f) => f,
            // A read-only folder: nobody can write the index there either.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) => {
                return Ok(None);
            }
            Err(source) => return Err(StoreError::Lock { path, source }),
        };
        let locked = if exclusive { file.lock() } else { file.lock_shared() };
        locked.map_err(|source| StoreError::Lock { path, source })?;
        Ok(Some(file))
    }

    /// Refuses files that are not ours or are too new, without writing anything; returns the
    /// schema version.
    fn check_identity(&self) -> Result<i64> {
        let path = &self.path;
        let not_ours = |reason: String| StoreError::NotAProject { path: path.clone(), reason };
        let app_id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| not_ours(format!("SQLite cannot read it: {e}")))?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| not_ours(format!("SQLite cannot read it: {e}")))?;
        let tables: i64 = self
            .conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(|e| not_ours(format!("SQLite cannot read it: {e}")))?;
        if app_id != schema::APPLICATION_ID && (tables > 0 || version != 0) {
            return Err(not_ours(format!(
                "it is an SQLite database of another application (application_id {app_id:#x}, {tables} schema objects)"
            )));
        }
        if version > schema::LATEST {
            return Err(StoreError::TooNew { path: path.clone(), found: version, supported: schema::LATEST });
        }
        if version < 0 {
            return Err(not_ours(format!("its schema version is {version}, which no reclab ever wrote")));
        }
        Ok(version)
    }

    fn migrate(&mut self) -> Result<()> {
        let before = self.schema_version()?;
        migrate_to(&mut self.conn, &self.path, schema::LATEST)?;
        if (1..6).contains(&before) {
            self.compact();
        }
        Ok(())
    }

    /// Once, after migration 6 moved the vectors: rewrites the file with 16 KB pages and without
    /// the pages the old vector table left free (a 100,000-item project goes from 700 MB to about
    /// 200 MB). Only space is at stake, so a failure (another connection holds the file, the disk
    /// is full) leaves the file as it is, fully usable, and is not an error.
    fn compact(&mut self) {
        let _ = self.conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM;");
        let _ = self.conn.execute_batch("PRAGMA journal_mode = WAL;");
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| self.err("read the schema version", e))
    }

    pub(crate) fn err(&self, context: &str, e: rusqlite::Error) -> StoreError {
        sql(&self.path, context, e)
    }

    /// A project-level setting (item text template, active model, …).
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err("read a setting", e))
    }

    /// The project's scenario time (the `now` setting), when it has one that reads as a time.
    pub fn now_setting(&self) -> Result<Option<i64>> {
        Ok(self.setting("now")?.and_then(|t| crate::util::parse_time(&t)))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.err("save a setting", e))
    }

    pub fn remove_setting(&self, key: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM settings WHERE key = ?1", [key])
            .map(|_| ())
            .map_err(|e| self.err("remove a setting", e))
    }

    /// Records an import report in the project's history.
    pub fn log_import(&self, report: &crate::catalog::ImportReport) -> Result<()> {
        let json = serde_json::to_string(report).unwrap_or_default();
        self.conn
            .execute(
                "INSERT INTO imports (kind, file, at, report) VALUES (?1, ?2, ?3, ?4)",
                params![report.kind, report.file, crate::util::now_secs(), json],
            )
            .map(|_| ())
            .map_err(|e| self.err("save the import report", e))
    }

    /// The most recent import reports, newest first.
    pub fn import_history(&self, limit: usize) -> Result<Vec<crate::catalog::ImportReport>> {
        let mut stmt = self
            .conn
            .prepare("SELECT report FROM imports ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.err("read the import history", e))?;
        let rows = stmt
            .query_map([limit as i64], |r| r.get::<_, String>(0))
            .map_err(|e| self.err("read the import history", e))?;
        let mut out = Vec::new();
        for json in rows {
            let json = json.map_err(|e| self.err("read the import history", e))?;
            if let Ok(report) = serde_json::from_str(&json) {
                out.push(report);
            }
        }
        Ok(out)
    }

    /// A number that grows with every change of any item (added, updated or removed).
    pub fn catalog_revision(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT value FROM revisions WHERE name = 'items'", [], |r| r.get(0))
            .map_err(|e| self.err("read the catalog revision", e))
    }

    /// Counts for a status line.
    pub fn stats(&self) -> Result<ProjectStats> {
        let count = |sql_text: &str| -> Result<u64> {
            self.conn
                .query_row(sql_text, [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.err("count rows", e))
        };
        Ok(ProjectStats {
            items: count("SELECT count(*) FROM items")?,
            interactions: count("SELECT count(*) FROM interactions")?,
            interaction_users: count("SELECT count(DISTINCT user_id) FROM interactions")?,
            simulated_users: count("SELECT count(*) FROM users")?,
            cached_vectors: count("SELECT count(*) FROM embeddings")?,
        })
    }
}

/// Row counts of a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ProjectStats {
    pub items: u64,
    pub interactions: u64,
    pub interaction_users: u64,
    pub simulated_users: u64,
    pub cached_vectors: u64,
}

fn sql(path: &Path, context: &str, source: rusqlite::Error) -> StoreError {
    use rusqlite::ErrorCode;
    match source.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { path: path.to_path_buf() },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path: path.to_path_buf(), context: context.to_string() },
        _ => StoreError::Sqlite { path: path.to_path_buf(), context: context.to_string(), source },
    }
}

/// A path as the path part of an SQLite `file:` URI.
fn uri_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' | 0x80.. => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out
}

/// Checks the first bytes of an existing file before SQLite touches it; true for an empty file.
fn check_header(path: &Path) -> Result<bool> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|source| StoreError::Io { path: path.to_path_buf(), source })?;
    let mut head = [0u8; 16];
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(source) => return Err(StoreError::Io { path: path.to_path_buf(), source }),
        }
    }
    if n == 0 {
        return Ok(true); // an empty file can become a new project
    }
    if n < head.len() || &head != SQLITE_MAGIC {
        return Err(StoreError::NotAProject {
            path: path.to_path_buf(),
            reason: "it is not an SQLite database".to_string(),
        });
    }
    Ok(false)
}

/// Migrates `conn` up to `target` in one transaction. Exposed for tests that need an older schema.
pub fn migrate_to(conn: &mut Connection, path: &Path, target: i64) -> Result<()> {
    let current: i64 =
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| sql(path, "read the schema version", e))?;
    if current >= target {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(|e| sql(path, "start the migration", e))?;
    // Another reclab may have migrated the file while this one waited for the write lock.
    let current: i64 =
        tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| sql(path, "read the schema version", e))?;
    if current >= target {
        return Ok(());
    }
    for (i, step) in schema::MIGRATIONS.iter().enumerate().take(target as usize).skip(current as usize) {
        tx.execute_batch(step)
            .map_err(|e| sql(path, &format!("migrate the schema from version {i} to {}", i + 1), e))?;
    }
    tx.execute_batch(&format!("PRAGMA application_id = {}; PRAGMA user_version = {target};", schema::APPLICATION_ID))
        .map_err(|e| sql(path, "record the schema version", e))?;
    tx.commit().map_err(|e| sql(path, "commit the migration", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_and_reopens_a_project() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.reclab");
        {
            let p = Project::open(&path).unwrap();
            assert_eq!(p.schema_version().unwrap(), schema::LATEST);
            p.set_setting("template", "{name}").unwrap();
        }
        let p = Project::open_existing(&path).unwrap();
        assert_eq!(p.setting("template").unwrap().as_deref(), Some("{name}"));
        let mode: String = p.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn refuses_a_file_that_is_not_sqlite_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.reclab");
        std::fs::write(&path, "id,name\n1,Serena\n").unwrap();
        let err = Project::open(&path).unwrap_err().to_string();
        assert!(err.contains("not a reclab project") && err.contains("not an SQLite database"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "id,name\n1,Serena\n");
    }

    #[test]
    fn refuses_another_applications_database_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.db");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Project::open(&path).unwrap_err().to_string();
        assert!(err.contains("another application"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("other.db-wal").exists(), "no WAL file was created");
    }

    #[test]
    fn refuses_a_newer_schema_and_leaves_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.reclab");
        drop(Project::open(&path).unwrap());
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch(&format!("PRAGMA user_version = {}", schema::LATEST + 1)).unwrap();
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Project::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found, .. } if found == schema::LATEST + 1), "{err}");
        assert!(err.to_string().contains("newer reclab"));
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn migrates_a_version_1_project_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.reclab");
        {
            let mut c = Connection::open(&path).unwrap();
            migrate_to(&mut c, &path, 1).unwrap();
            c.execute(
                "INSERT INTO items (id, name, content_hash, added_at, updated_at) VALUES ('1001', 'Serena', 'h', 0, 0)",
                [],
            )
            .unwrap();
            c.execute("INSERT INTO settings (key, value) VALUES ('template', '{name}')", []).unwrap();
            let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(v, 1);
            let users: i64 =
                c.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 'users'", [], |r| r.get(0)).unwrap();
            assert_eq!(users, 0, "version 1 has no users table");
        }
        let mut p = Project::open(&path).unwrap();
        assert_eq!(p.schema_version().unwrap(), schema::LATEST);
        let items = p.load_items().unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].1.name, "Serena");
        assert_eq!(p.setting("template").unwrap().as_deref(), Some("{name}"));
        let user = SimUser {
            id: "demo".into(),
            note: String::new(),
            actions: vec![SimAction {
                event_type: "purchase".into(),
                item_id: Some("1001".into()),
                query: None,
                ts: 5,
            }],
        };
        p.save_user(&user).unwrap();
        assert_eq!(p.load_user("demo").unwrap(), Some(user));
    }

    /// Version 6 moved the vectors to a table keyed by a model number: a version-4 project's
    /// cached vectors of every model come through, and its file still opens and embeds.
    #[test]
    fn migrates_version_4_vectors_to_the_model_numbered_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.reclab");
        let blob = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        {
            let mut c = Connection::open(&path).unwrap();
            migrate_to(&mut c, &path, 4).unwrap();
            c.execute_batch("INSERT INTO embedding_models (model, dim) VALUES ('b@2', 2), ('a@1', 3);").unwrap();
            for (model, hash, v) in [
                ("a@1", [1u8; 16], vec![1.0f32, 0.0, 0.0]),
                ("a@1", [2; 16], vec![0.0, 1.0, 0.0]),
                ("b@2", [1; 16], vec![0.6, 0.8]),
            ] {
                c.execute(
                    "INSERT INTO embeddings (model, text_hash, vector) VALUES (?1, ?2, ?3)",
                    rusqlite::params![model, &hash[..], blob(&v)],
                )
                .unwrap();
            }
        }
        let mut p = Project::open(&path).unwrap();
        assert_eq!(p.schema_version().unwrap(), schema::LATEST);
        assert_eq!(p.vector_models().unwrap(), vec![("a@1".to_string(), 3, 2), ("b@2".to_string(), 2, 1)]);
        let a = p.load_vectors("a@1").unwrap();
        assert_eq!((a.len(), a.get(&[2; 16])), (2, Some(&[0.0, 1.0, 0.0][..])));
        assert_eq!(p.load_vectors("b@2").unwrap().get(&[1; 16]), Some(&[0.6, 0.8][..]));
        assert_eq!(p.cached_hashes("a@1").unwrap().len(), 2);
        // Replacing a vector keeps one row per (model, text).
        p.put_vectors("a@1", 3, &[([2; 16], vec![0.0, 0.0, 1.0])]).unwrap();
        assert_eq!(p.vector_models().unwrap()[0], ("a@1".to_string(), 3, 2));
        assert_eq!(p.vectors_for("a@1", [[2; 16]]).unwrap()[&[2; 16]], vec![0.0, 0.0, 1.0]);
        assert_eq!(p.clear_vectors("b@2").unwrap(), 1);
        assert_eq!(p.vector_models().unwrap().len(), 1);
        // The migrated file was rewritten with 16 KB pages and no free pages, and stays in WAL mode.
        let page_size: i64 = p.conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        let free: i64 = p.conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap();
        let journal: String = p.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!((page_size, free, journal.as_str()), (16384, 0, "wal"));
        drop(p);
        let p = Project::open(&path).unwrap();
        assert_eq!(p.load_vectors("a@1").unwrap().len(), 2, "reopened after compaction");
    }

    #[test]
    fn a_failed_migration_leaves_the_file_at_its_old_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.reclab");
        let mut c = Connection::open(&path).unwrap();
        migrate_to(&mut c, &path, 1).unwrap();
        // Something in the way of migration 2: a table it wants to create already exists.
        c.execute_batch("CREATE TABLE users (x)").unwrap();
        let err = migrate_to(&mut c, &path, schema::LATEST).unwrap_err().to_string();
        assert!(err.contains("migrate the schema from version 1 to 2"), "{err}");
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, 1, "the transaction rolled back");
    }

    #[test]
    fn vectors_keep_their_model_dimension() {
        let mut p = Project::in_memory().unwrap();
        p.put_vectors("m@1", 3, &[([1; 16], vec![1.0, 0.0, 0.0])]).unwrap();
        let err = p.put_vectors("m@1", 4, &[([2; 16], vec![0.0; 4])]).unwrap_err().to_string();
        assert!(err.contains("gives 4-dimensional vectors") && err.contains("3-dimensional"), "{err}");
        let loaded = p.load_vectors("m@1").unwrap();
        assert_eq!(loaded.get(&[1; 16]), Some(&[1.0, 0.0, 0.0][..]));
        assert_eq!((loaded.len(), loaded.dim()), (1, 3));
        assert_eq!(p.clear_vectors("m@1").unwrap(), 1);
        p.put_vectors("m@1", 4, &[([2; 16], vec![0.0; 4])]).unwrap();
    }

    #[test]
    fn a_truncated_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short.reclab");
        std::fs::write(&path, b"SQLite").unwrap();
        assert!(matches!(Project::open(&path), Err(StoreError::NotAProject { .. })));
    }
}
