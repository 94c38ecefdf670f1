//! A real PostgreSQL 16 + pgvector server for the tests, from the binaries that
//! `scripts/fetch-pgserver.sh` unpacks (the Python package pgserver==0.1.4).
//!
//! [`PgServer::start`] creates a throw-away cluster in a temporary folder and starts it on a unix
//! socket only (no TCP port); dropping the guard stops the server and removes the folder, also
//! when the test panics. PostgreSQL refuses to run as root, so when the tests run as root (as in
//! CI) the server runs as an unprivileged user, created with `useradd` when missing. A server
//! that cannot be started fails the test with the reason: these tests never skip.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The unprivileged user the server runs as when the tests run as root.
const PG_USER: &str = "reclab-pg";

/// Where `scripts/fetch-pgserver.sh` unpacks the binaries (or `$RECLAB_PGSERVER`).
pub fn pgserver_root() -> PathBuf {
    std::env::var_os("RECLAB_PGSERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/tmp/reclab-pgserver-0.1.4"))
}

/// A running PostgreSQL cluster; dropping it stops the server and deletes the cluster.
pub struct PgServer {
    bin: PathBuf,
    /// Holds the cluster (`data/`), the server log and the socket. Deleted on drop.
    dir: tempfile::TempDir,
    /// The uid and gid the server runs as, when it is not the current user.
    run_as: Option<(u32, u32)>,
    started: bool,
}

impl PgServer {
    /// Initialises and starts a cluster; panics with the reason when it cannot.
    pub fn start() -> Self {
        let root = pgserver_root();
        let bin = root.join("pgserver/pginstall/bin");
        for tool in ["initdb", "pg_ctl", "postgres", "psql"] {
            assert!(
                bin.join(tool).is_file(),
                "PostgreSQL for the tests is not installed: {} is missing. Run `scripts/fetch-pgserver.sh` \
                 (or `scripts/test.sh`, which runs it) first",
                bin.join(tool).display()
            );
        }
        let run_as = if current_uid() == 0 { Some(unprivileged_user()) } else { None };
        let dir = tempfile::Builder::new().prefix("reclab-pg-").tempdir().expect("create a folder for the cluster");
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .unwrap_or_else(|e| panic!("cannot give {} to user {PG_USER}: {e}", dir.path().display()));
        }
        let mut server = PgServer { bin, dir, run_as, started: false };
        let data = server.data_dir();
        let initdb = server
            .as_server_user(&server.bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "--no-locale", "-E", "UTF8", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .expect("run initdb");
        server.check(&initdb, "initdb");
        let options = format!(
            "-k {} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            server.socket_dir().display()
        );
        let start = server
            .as_server_user(&server.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(server.log_file())
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .expect("run pg_ctl start");
        server.started = true;
        server.check(&start, "pg_ctl start");
        server
    }

    /// The folder holding the server's unix socket (libpq's `host`).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// A libpq key-value connection string for the server's `postgres` database.
    pub fn conn_str(&self) -> String {
        format!("host={} user=postgres dbname=postgres", self.socket_dir().display())
    }

    /// A client connected to the `postgres` database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.conn_str(), postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test server ({}): {e}", self.conn_str()))
    }

    /// `psql` on the `postgres` database, stopping at the first error, showing warnings and
    /// errors but no notices; add the arguments.
    pub fn psql(&self) -> Command {
        let mut c = Command::new(self.bin.join("psql"));
        c.env("PGOPTIONS", "-c client_min_messages=warning")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.socket_dir())
            .args(["-U", "postgres", "-d", "postgres"]);
        c
    }

    /// The postmaster's process id, from its lock file.
    pub fn pid(&self) -> u32 {
        let pidfile = std::fs::read_to_string(self.data_dir().join("postmaster.pid")).expect("read postmaster.pid");
        pidfile.lines().next().and_then(|l| l.trim().parse().ok()).expect("a pid in postmaster.pid")
    }

    /// `program` run as the server's user (in the cluster's folder, with a neutral environment).
    fn as_server_user(&self, program: &Path) -> Command {
        let mut c = Command::new(program);
        c.current_dir(self.dir.path()).env("LC_ALL", "C").env_remove("PGDATA").env_remove("PGHOST");
        if let Some((uid, gid)) = self.run_as {
            c.uid(uid).gid(gid).env("HOME", self.dir.path()).env("USER", PG_USER);
        }
        c
    }

    /// Panics with everything that says why `step` failed.
    fn check(&self, out: &Output, step: &str) {
        if out.status.success() {
            return;
        }
        let log = std::fs::read_to_string(self.log_file()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect();
        panic!(
            "cannot start the test PostgreSQL: {step} failed ({}){}\nstdout:\n{}\nstderr:\n{}\nserver log:\n{}",
            out.status,
            self.run_as.map(|(uid, _)| format!(" running as {PG_USER} (uid {uid})")).unwrap_or_default(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            tail.join("\n")
        );
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        if self.started {
            // An immediate stop: the cluster is thrown away anyway. The folder goes with `dir`.
            let _ = self
                .as_server_user(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.data_dir())
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}

fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's effective user.
    std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX)
}

/// The uid and gid of [`PG_USER`], created first when missing.
fn unprivileged_user() -> (u32, u32) {
    if let Some(ids) = user_ids(PG_USER) {
        return ids;
    }
    let out = Command::new("useradd")
        .args(["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent"])
        .args(["--shell", "/usr/sbin/nologin", PG_USER])
        .output();
    // Another test may have created it meanwhile: look again before failing.
    if let Some(ids) = user_ids(PG_USER) {
        return ids;
    }
    match out {
        Ok(o) => panic!(
            "PostgreSQL refuses to run as root, and `useradd {PG_USER}` failed ({}): {}",
            o.status,
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("PostgreSQL refuses to run as root, and `useradd` cannot be run to create {PG_USER}: {e}"),
    }
}

fn user_ids(name: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, name]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}
