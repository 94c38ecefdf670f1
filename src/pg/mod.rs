//! Carrying a project to PostgreSQL + pgvector: [`push`] writes the catalog, the item vectors
//! (`vector(n)`, with an HNSW index for cosine distance), the interaction log and the model key
//! into a schema of a PostgreSQL database, idempotently: a second push with nothing changed
//! changes nothing, and one after an edit updates exactly the rows that differ.
//!
//! The connection is given as libpq's key-value string (`host=/tmp/x user=postgres
//! dbname=postgres`) or a `postgresql://` URL ([`Target`]). A password comes from the string,
//! `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`); it is never printed and
//! never stored in the project.
//!
//! Tables in the schema (default `reclab`):
//! * `items`: `item_id` (primary key), `name`, `name_alt`, `category`, `tags text[]`,
//!   `description`, `price`, `stock`, `purchase_limit`, `released_at` / `expires_at` (Unix
//!   seconds), `vertical`, `attrs jsonb` (every other typed column), `embedding vector(n)` (NULL
//!   for an item without a vector).
//! * `interactions`: `seq` (the project's log order), `user_id`, `item_id`, `event_type`, `ts`,
//!   `value`.
//! * `reclab_meta`: `model` (the vectors' key), `dim`, `template`, `pushed_at`.

pub mod parity;
mod remote;

pub use remote::{EF_SEARCH_DEFAULT, EF_SEARCH_MAX, PgIndex, PgInfo};

use crate::catalog::{Interaction, Item};
use crate::embed::{ModelRef, ModelStore, Template, item_texts};
use crate::jobs::ProgressSink;
use crate::store::Project;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error(
        "the connection string is not valid: {0} (use `host=/path/to/socket user=NAME dbname=DB` or a postgresql:// URL)"
    )]
    BadTarget(String),
    #[error("--schema {0}: use lower-case letters, digits and _ (at most 63), starting with a letter or _")]
    BadSchema(String),
    #[error("cannot connect to PostgreSQL at {target}")]
    Connect { target: String, source: postgres::Error },
    #[error("PostgreSQL at {target}, while trying to {action}")]
    Query { target: String, action: String, source: postgres::Error },
    #[error("PostgreSQL at {target}: {message}")]
    Server { target: String, message: String },
    #[error("the project has no vectors yet")]
    NotEmbedded,
    #[error("cancelled; nothing was changed in PostgreSQL")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
    #[error(transparent)]
    Pipeline(#[from] crate::pipeline::PipelineError),
}

impl From<crate::jobs::Cancelled> for PgError {
    fn from(_: crate::jobs::Cancelled) -> Self {
        PgError::Cancelled
    }
}

/// The HNSW parameters of the index [`push`] creates.
pub const HNSW_M: u32 = 16;
pub const HNSW_EF_CONSTRUCTION: u32 = 64;

/// A PostgreSQL database to connect to.
#[derive(Clone)]
pub struct Target {
    config: postgres::Config,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Target {
    /// Parses a libpq key-value string or URL; a missing password is taken from `PGPASSWORD`
    /// or the password file.
    pub fn parse(conn: &str) -> Result<Self, PgError> {
        let mut config = postgres::Config::from_str(conn.trim()).map_err(|e| PgError::BadTarget(e.to_string()))?;
        if config.get_user().is_none()
            && let Some(user) = std::env::var("PGUSER").ok().or_else(|| std::env::var("USER").ok())
        {
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Ok(db) = std::env::var("PGDATABASE")
        {
            config.dbname(&db);
        }
        if config.get_hosts().is_empty() {
            match std::env::var("PGHOST") {
                Ok(h) => config.host(&h),
                Err(_) => config.host("localhost"),
            };
        }
        let mut target = Self { config };
        if target.config.get_password().is_none() {
            let password = std::env::var("PGPASSWORD").ok().or_else(|| target.password_from_file());
            if let Some(p) = password {
                target.config.password(p);
            }
        }
        Ok(target)
    }

    fn host(&self) -> String {
        match self.config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        }
    }

    fn port(&self) -> u16 {
        self.config.get_ports().first().copied().unwrap_or(5432)
    }

    fn user(&self) -> &str {
        self.config.get_user().unwrap_or("")
    }

    fn dbname(&self) -> &str {
        self.config.get_dbname().unwrap_or_else(|| self.user())
    }

    /// Where the server is, without the password: `host=… port=… dbname=… user=…`.
    pub fn describe(&self) -> String {
        format!("host={} port={} dbname={} user={}", self.host(), self.port(), self.dbname(), self.user())
    }

    /// The first matching line of the password file (`host:port:database:user:password`, `*`
    /// matches anything; a unix socket matches `localhost`, as libpq does).
    fn password_from_file(&self) -> Option<String> {
        let path = std::env::var_os("PGPASSFILE")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
        let text = std::fs::read_to_string(path).ok()?;
        let host = match self.config.get_hosts().first() {
            Some(postgres::config::Host::Unix(_)) => "localhost".to_string(),
            _ => self.host(),
        };
        let wanted = [host, self.port().to_string(), self.dbname().to_string(), self.user().to_string()];
        text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4].iter().zip(&wanted).all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4].clone())
        })
    }

    pub fn connect(&self) -> Result<postgres::Client, PgError> {
        self.config.connect(postgres::NoTls).map_err(|source| PgError::Connect { target: self.describe(), source })
    }
}

/// The fields of a password-file line: `:` separates, `\` escapes.
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => fields.last_mut().into_iter().for_each(|f| f.extend(chars.next())),
            ':' => fields.push(String::new()),
            c => fields.last_mut().into_iter().for_each(|f| f.push(c)),
        }
    }
    fields
}

/// A schema name safe to put in SQL unquoted.
pub fn check_schema(schema: &str) -> Result<(), PgError> {
    if crate::export::valid_table_name(schema) { Ok(()) } else { Err(PgError::BadSchema(schema.to_string())) }
}

/// Rows of one table a push wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub removed: u64,
}

/// What [`push`] did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PushReport {
    /// Where (without the password).
    pub target: String,
    pub schema: String,
    pub model: String,
    pub dim: usize,
    pub items: RowCounts,
    /// Items pushed with a vector (the others have `embedding` NULL).
    pub with_vector: u64,
    pub interactions: RowCounts,
    /// The index statement, with its parameters; `None` above pgvector's HNSW limit.
    pub index: Option<String>,
    /// The `maintenance_work_mem` the index was built with (this push's transaction only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_memory: Option<String>,
    pub server_version: String,
    pub pgvector_version: String,
    pub seconds: f64,
}

const ITEM_COLUMNS: &str = "item_id, name, name_alt, category, tags, description, price, stock, purchase_limit, \
                            released_at, expires_at, vertical, attrs, embedding";
const INTERACTION_COLUMNS: &str = "seq, user_id, item_id, event_type, ts, value";

/// Writes the project's catalog, vectors (of its model), interaction log and model key into
/// `schema` of `target`, in one transaction (nothing changes when it fails or is cancelled).
pub fn push(project: &Project, target: &Target, schema: &str, sink: &ProgressSink) -> Result<PushReport, PgError> {
    check_schema(schema)?;
    let started = std::time::Instant::now();
    let model = ModelRef::of_project(project, &ModelStore::default_location())?.ok_or(PgError::NotEmbedded)?;
    let attributes = project.attributes()?;
    let template_src = project.setting("template")?.unwrap_or_else(|| crate::embed::DEFAULT_TEMPLATE.into());
    let template = Template::parse(&template_src, &attributes)?;
    let items = project.load_items()?;
    let vectors = project.load_vectors(&model.key)?;
    if vectors.is_empty() && !items.is_empty() {
        return Err(PgError::NotEmbedded);
    }
    let texts = item_texts(items.iter().map(|(_, i)| i), &template);
    let log = project.load_interactions()?;

    let _ = sink.report("connecting", 0, 0);
    let mut client = target.connect()?;
    let desc = target.describe();
    let q = |action: &str| {
        let (desc, action) = (desc.clone(), action.to_string());
        move |source| PgError::Query { target: desc, action, source }
    };
    client.batch_execute("SET client_encoding = 'UTF8'").map_err(q("set the client encoding"))?;
    let server_version: String =
        client.query_one("SHOW server_version", &[]).map_err(q("read the server version"))?.get(0);
    let mut tx = client.transaction().map_err(q("begin a transaction"))?;
    tx.batch_execute("CREATE EXTENSION IF NOT EXISTS vector").map_err(q("create the extension vector"))?;
    let pgvector_version: String = tx
        .query_one("SELECT extversion FROM pg_extension WHERE extname = 'vector'", &[])
        .map_err(q("read pgvector's version"))?
        .get(0);
    let dim = model.dim;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         CREATE TABLE IF NOT EXISTS {schema}.reclab_meta (key text PRIMARY KEY, value text NOT NULL);
         CREATE TABLE IF NOT EXISTS {schema}.items (
             item_id text PRIMARY KEY, name text NOT NULL, name_alt text, category text,
             tags text[] NOT NULL DEFAULT '{{}}', description text, price double precision, stock bigint,
             purchase_limit bigint, released_at bigint, expires_at bigint, vertical text,
             attrs jsonb NOT NULL DEFAULT '{{}}', embedding vector({dim}));
         CREATE TABLE IF NOT EXISTS {schema}.interactions (
             seq bigint PRIMARY KEY, user_id text NOT NULL, item_id text NOT NULL, event_type text NOT NULL,
             ts bigint NOT NULL, value double precision);
         CREATE INDEX IF NOT EXISTS interactions_item_event ON {schema}.interactions (item_id, event_type);
         CREATE INDEX IF NOT EXISTS interactions_user ON {schema}.interactions (user_id, ts);"
    ))
    .map_err(q("create the tables"))?;
    // Vectors of another dimension (another model) replace the column and its index.
    let existing_dim: Option<i32> = tx
        .query_opt(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = $1::text::regclass AND attname = 'embedding'",
            &[&format!("{schema}.items")],
        )
        .map_err(q("read the vector column"))?
        .map(|r| r.get(0));
    if existing_dim.is_some_and(|d| d != dim as i32) {
        tx.batch_execute(&format!(
            "DROP INDEX IF EXISTS {schema}.items_embedding_hnsw;
             ALTER TABLE {schema}.items DROP COLUMN embedding;
             ALTER TABLE {schema}.items ADD COLUMN embedding vector({dim});"
        ))
        .map_err(q("replace the vector column"))?;
    }

    // Items: copied into a staging table, then merged.
    let total = (items.len() + log.len()) as u64;
    tx.batch_execute(&format!(
        "CREATE TEMP TABLE reclab_stage_items (LIKE {schema}.items) ON COMMIT DROP;
         CREATE TEMP TABLE reclab_stage_interactions (LIKE {schema}.interactions) ON COMMIT DROP;"
    ))
    .map_err(q("create the staging tables"))?;
    let mut with_vector = 0u64;
    {
        let mut w =
            tx.copy_in(&format!("COPY reclab_stage_items ({ITEM_COLUMNS}) FROM STDIN")).map_err(q("copy the items"))?;
        let mut line = String::new();
        for (n, ((_, item), (_, hash))) in items.iter().zip(&texts).enumerate() {
            let v = vectors.get(hash);
            with_vector += v.is_some() as u64;
            line.clear();
            item_line(&mut line, item, v);
            w.write_all(line.as_bytes())
                .map_err(|e| PgError::Server { target: desc.clone(), message: e.to_string() })?;
            if n % 1000 == 0 {
                sink.report("pushing items", n as u64, total)?;
            }
        }
        w.finish().map_err(q("copy the items"))?;
    }
    {
        let mut w = tx
            .copy_in(&format!("COPY reclab_stage_interactions ({INTERACTION_COLUMNS}) FROM STDIN"))
            .map_err(q("copy the interactions"))?;
        let mut line = String::new();
        for (n, e) in log.iter().enumerate() {
            line.clear();
            interaction_line(&mut line, n, e);
            w.write_all(line.as_bytes())
                .map_err(|e| PgError::Server { target: desc.clone(), message: e.to_string() })?;
            if n % 5000 == 0 {
                sink.report("pushing interactions", (items.len() + n) as u64, total)?;
            }
        }
        w.finish().map_err(q("copy the interactions"))?;
    }
    sink.report("merging", total, total)?;
    let items_counts =
        merge(&mut tx, schema, "items", "item_id", ITEM_COLUMNS, items.len()).map_err(q("merge the items"))?;
    let interaction_counts = merge(&mut tx, schema, "interactions", "seq", INTERACTION_COLUMNS, log.len())
        .map_err(q("merge the interactions"))?;

    let index = (dim <= crate::export::PGVECTOR_HNSW_MAX_DIM).then(|| {
        format!(
            "CREATE INDEX IF NOT EXISTS items_embedding_hnsw ON {schema}.items USING hnsw (embedding vector_cosine_ops) \
             WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})"
        )
    });
    let mut index_memory = None;
    if let Some(sql) = &index {
        sink.report("building the HNSW index", total, total)?;
        // pgvector builds several times faster when the graph fits in maintenance_work_mem;
        // this raises it for this transaction only, never below the server's setting.
        let current: String =
            tx.query_one("SHOW maintenance_work_mem", &[]).map_err(q("read maintenance_work_mem"))?.get(0);
        let wanted = hnsw_build_memory_mb(with_vector, dim);
        if parse_memory_mb(&current).is_some_and(|mb| mb < wanted) {
            tx.batch_execute(&format!("SET LOCAL maintenance_work_mem = '{wanted}MB'"))
                .map_err(q("raise maintenance_work_mem for the index build"))?;
            index_memory = Some(format!("{wanted}MB"));
        } else {
            index_memory = Some(current);
        }
        tx.batch_execute(sql).map_err(q("create the HNSW index"))?;
    }
    let now = crate::util::now_secs().to_string();
    for (key, value) in
        [("model", model.key.as_str()), ("dim", &dim.to_string()), ("template", &template_src), ("pushed_at", &now)]
    {
        tx.execute(
            &format!(
                "INSERT INTO {schema}.reclab_meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            &[&key, &value],
        )
        .map_err(q("write the model key"))?;
    }
    sink.check()?;
    tx.commit().map_err(q("commit"))?;
    client.batch_execute(&format!("ANALYZE {schema}.items; ANALYZE {schema}.interactions")).map_err(q("analyze"))?;
    Ok(PushReport {
        target: desc,
        schema: schema.to_string(),
        model: model.key,
        dim,
        items: items_counts,
        with_vector,
        interactions: interaction_counts,
        index,
        index_memory,
        server_version,
        pgvector_version,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The memory an HNSW build of `n` vectors of `dim` dimensions needs to keep its graph in
/// memory (the vectors, `2 × m` neighbours on layer 0, and pgvector's per-element overhead, with
/// a quarter to spare), in MB, between 64 MB and 2 GB.
pub fn hnsw_build_memory_mb(n: u64, dim: usize) -> u64 {
    let per_element = dim as u64 * 4 + u64::from(HNSW_M) * 2 * 8 + 200;
    (n * per_element * 5 / 4 / (1 << 20)).clamp(64, 2048)
}

/// A PostgreSQL memory setting as `SHOW` prints it (`64MB`, `1GB`, `512kB`), in MB.
fn parse_memory_mb(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    match unit.trim() {
        "kB" => Some(n / 1024),
        "MB" | "" => Some(n),
        "GB" => Some(n * 1024),
        "TB" => Some(n * 1024 * 1024),
        _ => None,
    }
}

/// Merges `reclab_stage_<table>` into `schema.table`: new rows inserted, rows that differ
/// updated, rows no longer staged removed.
fn merge(
    tx: &mut postgres::Transaction<'_>,
    schema: &str,
    table: &str,
    key: &str,
    columns: &str,
    staged: usize,
) -> Result<RowCounts, postgres::Error> {
    let cols: Vec<&str> = columns.split(',').map(str::trim).filter(|c| *c != key).collect();
    let set: Vec<String> = cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    let old: Vec<String> = cols.iter().map(|c| format!("t.{c}")).collect();
    let new: Vec<String> = cols.iter().map(|c| format!("excluded.{c}")).collect();
    let row = tx.query_one(
        &format!(
            "WITH up AS (
                 INSERT INTO {schema}.{table} AS t ({columns}) SELECT {columns} FROM reclab_stage_{table}
                 ON CONFLICT ({key}) DO UPDATE SET {}
                 WHERE ({}) IS DISTINCT FROM ({})
                 RETURNING (xmax = 0) AS inserted)
             SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up",
            set.join(", "),
            old.join(", "),
            new.join(", ")
        ),
        &[],
    )?;
    let (inserted, updated): (i64, i64) = (row.get(0), row.get(1));
    let removed = tx.execute(
        &format!(
            "DELETE FROM {schema}.{table} t WHERE NOT EXISTS (SELECT 1 FROM reclab_stage_{table} s WHERE s.{key} = t.{key})"
        ),
        &[],
    )?;
    Ok(RowCounts {
        inserted: inserted as u64,
        updated: updated as u64,
        unchanged: staged as u64 - (inserted + updated) as u64,
        removed,
    })
}

/// `s` in COPY's text format.
fn copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // PostgreSQL text cannot hold NUL.
            '\0' => {}
            c => out.push(c),
        }
    }
}

fn copy_opt_text(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => copy_text(out, s),
        None => out.push_str("\\N"),
    }
}

fn copy_opt<T: std::fmt::Display>(out: &mut String, v: Option<T>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("\\N"),
    }
}

/// One COPY line of `items` (columns [`ITEM_COLUMNS`]).
fn item_line(out: &mut String, item: &Item, vector: Option<&[f32]>) {
    copy_text(out, &item.id);
    out.push('\t');
    copy_text(out, &item.name);
    out.push('\t');
    copy_opt_text(out, item.name_alt.as_deref());
    out.push('\t');
    copy_opt_text(out, item.category.as_deref());
    out.push('\t');
    let tags: Vec<String> =
        item.tags.iter().map(|t| format!("\"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""))).collect();
    copy_text(out, &format!("{{{}}}", tags.join(",")));
    out.push('\t');
    copy_opt_text(out, item.description.as_deref());
    out.push('\t');
    copy_opt(out, item.price.filter(|p| p.is_finite()));
    out.push('\t');
    copy_opt(out, item.stock);
    out.push('\t');
    copy_opt(out, item.purchase_limit);
    out.push('\t');
    copy_opt(out, item.released_at);
    out.push('\t');
    copy_opt(out, item.expires_at);
    out.push('\t');
    copy_opt_text(out, item.vertical.as_deref());
    out.push('\t');
    copy_text(out, &serde_json::to_string(&item.attrs).unwrap_or_else(|_| "{}".into()));
    out.push('\t');
    match vector {
        Some(v) => {
            out.push('[');
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{x}");
            }
            out.push(']');
        }
        None => out.push_str("\\N"),
    }
    out.push('\n');
}

/// One COPY line of `interactions` (columns [`INTERACTION_COLUMNS`]).
fn interaction_line(out: &mut String, seq: usize, e: &Interaction) {
    let _ = write!(out, "{seq}\t");
    copy_text(out, &e.user_id);
    out.push('\t');
    copy_text(out, &e.item_id);
    out.push('\t');
    copy_text(out, &e.event_type);
    let _ = write!(out, "\t{}\t", e.ts);
    copy_opt(out, e.value.filter(|v| v.is_finite()));
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_lines_escape_what_the_text_format_needs() {
        let item = Item {
            id: "a\tb".into(),
            name: "Serena's \\ \"Exo\"\nSister".into(),
            tags: vec!["x,y".into(), "q\"".into()],
            price: Some(f64::NAN),
            stock: Some(3),
            ..Default::default()
        };
        let mut line = String::new();
        item_line(&mut line, &item, Some(&[0.5, -1.0]));
        let fields: Vec<&str> = line.trim_end_matches('\n').split('\t').collect();
        assert_eq!(fields.len(), ITEM_COLUMNS.split(',').count(), "{line}");
        assert_eq!(fields[0], "a\\tb");
        assert_eq!(fields[1], "Serena's \\\\ \"Exo\"\\nSister");
        assert_eq!(fields[4], "{\"x,y\",\"q\\\\\"\"}");
        assert_eq!((fields[6], fields[7], fields[13]), ("\\N", "3", "[0.5,-1]"));
    }

    #[test]
    fn the_index_build_memory_fits_the_graph_within_bounds() {
        assert_eq!(parse_memory_mb("64MB"), Some(64));
        assert_eq!(parse_memory_mb("1GB"), Some(1024));
        assert_eq!(parse_memory_mb("512kB"), Some(0));
        assert_eq!(parse_memory_mb("lots"), None);
        assert_eq!(hnsw_build_memory_mb(1744, 384), 64, "a small catalog needs no more than the default");
        // 100,000 × 512-d: 2 KB of vector and about 450 B of graph and overhead each.
        assert_eq!(hnsw_build_memory_mb(100_000, 512), 298);
        assert_eq!(hnsw_build_memory_mb(10_000_000, 1024), 2048);
    }

    #[test]
    fn a_target_describes_itself_without_its_password() {
        let t = Target::parse("host=/tmp/sock port=5433 user=alice dbname=shop password=hunter2").unwrap();
        assert_eq!(t.describe(), "host=/tmp/sock port=5433 dbname=shop user=alice");
        assert!(!format!("{t:?}").contains("hunter2"));
        let u = Target::parse("postgresql://bob:secret@db.example:6543/catalog").unwrap();
        assert_eq!(u.describe(), "host=db.example port=6543 dbname=catalog user=bob");
        assert!(matches!(Target::parse("host=/tmp port=notaport"), Err(PgError::BadTarget(_))));
        assert!(matches!(check_schema("Robert'); DROP"), Err(PgError::BadSchema(_))));
    }

    #[test]
    fn password_file_fields_split_on_unescaped_colons() {
        assert_eq!(split_pgpass("localhost:*:db:u:p\\:w"), vec!["localhost", "*", "db", "u", "p:w"]);
    }
}
