//! The model store: import from folders and archives, download from a (local) hub, checksums.

use crate::support::{HubServer, Sandbox, read_tree};
use reclab::embed::toy::{ToySpec, ToyTokenizer, write_toy_model};
use std::io::Write;

fn toy_folder(sb: &Sandbox, name: &str, spec: &ToySpec) -> std::path::PathBuf {
    let dir = sb.path(name);
    write_toy_model(&dir, spec).unwrap();
    dir
}

#[test]
fn import_a_folder_list_verify_and_refuse_a_tampered_file() {
    let sb = Sandbox::new();
    let dir = toy_folder(&sb, "toy-bert", &ToySpec::default());
    let out = sb.ok(&["models", "import", dir.to_str().unwrap()]);
    assert!(out.contains("installed toy-bert (8-d)"), "{out}");
    assert!(sb.ok(&["models", "list"]).contains("toy-bert"));
    assert!(sb.ok(&["models", "verify", "toy-bert"]).contains("every file matches"));
    let v = sb.ok(&["encode", "--model", "toy-bert", "serena"]);
    assert!(v.contains("\"model\":\"toy-bert@"), "{v}");

    let installed = sb.home().join("models/toy-bert/tokenizer.json");
    let mut f = std::fs::OpenOptions::new().append(true).open(&installed).unwrap();
    f.write_all(b" ").unwrap();
    let err = sb.fails(&["models", "verify", "toy-bert"]);
    assert!(err.contains("tokenizer.json") && err.contains("was refused"), "{err}");
    let err = sb.fails(&["encode", "--model", "toy-bert", "serena"]);
    assert!(err.contains("tokenizer.json"), "a tampered model is not loaded: {err}");

    let err = sb.fails(&["models", "import", dir.to_str().unwrap()]);
    assert!(err.contains("already installed"), "{err}");
    sb.ok(&["models", "remove", "toy-bert"]);
    assert!(!sb.ok(&["models", "list"]).contains("toy-bert"));
}

#[test]
fn import_from_a_zip_with_a_unigram_model() {
    let sb = Sandbox::new();
    let spec = ToySpec {
        tokenizer: ToyTokenizer::Unigram,
        prompts: Some(("query: ".into(), "passage: ".into())),
        ..Default::default()
    };
    let dir = toy_folder(&sb, "src", &spec);
    let zip_path = sb.path("e5-toy.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for (rel, bytes) in read_tree(&dir) {
        zip.start_file(format!("pkg/e5-toy/{rel}"), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap();
    let out = sb.ok(&["models", "import", zip_path.to_str().unwrap()]);
    assert!(out.contains("installed e5-toy (8-d)"), "{out}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sb.home().join("models/e5-toy/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["query_prefix"], "query: ");
    assert_eq!(manifest["files"]["model.safetensors"]["sha256"].as_str().unwrap().len(), 64);
    let q = sb.ok(&["encode", "--model", "e5-toy", "--query", "세레나"]);
    let p = sb.ok(&["encode", "--model", "e5-toy", "세레나"]);
    assert_ne!(q, p, "query and passage prefixes differ");
}

#[test]
fn broken_model_folders_name_the_problem() {
    let sb = Sandbox::new();
    let dir = toy_folder(&sb, "no-weights", &ToySpec::default());
    std::fs::remove_file(dir.join("model.safetensors")).unwrap();
    let err = sb.fails(&["models", "import", dir.to_str().unwrap()]);
    assert!(err.contains("model.safetensors"), "{err}");

    let dir = toy_folder(&sb, "no-tokenizer", &ToySpec::default());
    std::fs::remove_file(dir.join("tokenizer.json")).unwrap();
    let err = sb.fails(&["models", "import", dir.to_str().unwrap()]);
    assert!(err.contains("has no tokenizer.json"), "{err}");

    let dir = toy_folder(&sb, "bad-config", &ToySpec::default());
    std::fs::write(dir.join("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 8}").unwrap();
    let err = sb.fails(&["models", "import", dir.to_str().unwrap()]);
    assert!(err.contains("config.json") && err.contains("not a BERT configuration"), "{err}");

    let not_zip = sb.write("model.zip", "hello");
    let err = sb.fails(&["models", "import", not_zip.to_str().unwrap()]);
    assert!(err.contains("model.zip") && err.contains("not a model folder, zip or wheel"), "{err}");

    let err = sb.fails(&["encode", "--model", "nothing-here", "x"]);
    assert!(err.contains("no model named 'nothing-here' is installed"), "{err}");

    let dir = toy_folder(&sb, "pinned", &ToySpec::default());
    let err = sb.fails(&["models", "import", dir.to_str().unwrap(), "--sha256", &"0".repeat(64)]);
    assert!(err.contains("expected 0000") && err.contains("was refused"), "{err}");
}

#[test]
fn fetch_downloads_from_the_endpoint_into_the_standard_cache() {
    let sb = Sandbox::new();
    let dir = toy_folder(&sb, "served", &ToySpec::default());
    let server = HubServer::start("acme/toy-bert", read_tree(&dir));
    let out = sb.cmd().args(["models", "fetch", "acme/toy-bert"]).env("HF_ENDPOINT", &server.url).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("installed toy-bert (8-d)"));
    let cached = sb.path("hf/hub/models--acme--toy-bert");
    assert!(cached.join("refs/main").is_file(), "hf-hub's cache layout under HF_HOME");
    let requests = server.requests.lock().unwrap().clone();
    assert!(requests.iter().any(|r| r == "/acme/toy-bert/resolve/main/model.safetensors"), "{requests:?}");
    assert!(sb.ok(&["models", "verify", "toy-bert"]).contains("every file matches"));

    // A second fetch under another name is served from the cache.
    let before = server.requests.lock().unwrap().len();
    let out = sb
        .cmd()
        .args(["models", "fetch", "acme/toy-bert", "--name", "toy2"])
        .env("HF_ENDPOINT", &server.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = server.requests.lock().unwrap().len();
    let downloaded: Vec<String> = server.requests.lock().unwrap()[before..after].to_vec();
    assert!(
        !downloaded.iter().any(|r| r.ends_with("model.safetensors")),
        "cached files are not downloaded again: {downloaded:?}"
    );
}

#[test]
fn fetch_errors_are_clear() {
    let sb = Sandbox::new();
    let dir = toy_folder(&sb, "served", &ToySpec::default());
    let mut files = read_tree(&dir);
    files.remove("tokenizer.json");
    let server = HubServer::start("acme/broken", files);
    let out = sb.cmd().args(["models", "fetch", "acme/broken"]).env("HF_ENDPOINT", &server.url).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("acme/broken/tokenizer.json") && err.contains("404"), "{err}");

    // Weights served under a known model's name must have that model's sha256.
    let server = HubServer::start("sentence-transformers/all-MiniLM-L6-v2", read_tree(&dir));
    let out = sb
        .cmd()
        .args(["models", "fetch", "sentence-transformers/all-MiniLM-L6-v2"])
        .env("HF_ENDPOINT", &server.url)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("expected 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"), "{err}");
    assert!(!sb.ok(&["models", "list"]).contains("all-MiniLM-L6-v2"), "the refused model is not installed");
}

/// A zip bomb: a tokenizer.json of zeros that inflates past what any model's tokenizer has.
/// It is refused before anything is inflated, and no staging folder is left behind.
#[test]
fn an_archive_entry_that_inflates_too_far_is_refused_and_leaves_nothing() {
    let sb = Sandbox::new();
    let dir = toy_folder(&sb, "src", &ToySpec::default());
    let zip_path = sb.path("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    for (rel, bytes) in read_tree(&dir) {
        zip.start_file(format!("bomb/{rel}"), options).unwrap();
        if rel == "tokenizer.json" {
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..(reclab::embed::MAX_MODEL_FILE_BYTES >> 20) + 1 {
                zip.write_all(&zeros).unwrap();
            }
        } else {
            zip.write_all(&bytes).unwrap();
        }
    }
    zip.finish().unwrap();
    assert!(std::fs::metadata(&zip_path).unwrap().len() < 8 << 20, "the archive itself is small");
    let err = sb.fails(&["models", "import", zip_path.to_str().unwrap()]);
    assert!(err.contains("bomb/tokenizer.json would inflate to") && err.contains("more than the"), "{err}");
    let models = sb.home().join("models");
    let left: Vec<String> = std::fs::read_dir(&models)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(left.iter().all(|n| !n.starts_with(".staging") && n != "bomb"), "{left:?}");
    assert!(!sb.ok(&["models", "list"]).contains("bomb"));
}

/// The one-click offer's download, against a local stand-in for the hub: the real reference
/// model is fetched, its pinned sha256 checked, and installed under its known name.
#[test]
fn the_suggested_model_installs_from_the_configured_hub() {
    use reclab::embed::{Hub, ModelStore, offer};
    let sb = Sandbox::new();
    let server =
        HubServer::start("sentence-transformers/all-MiniLM-L6-v2", read_tree(&crate::support::reference_model()));
    let store = ModelStore::at(sb.path("models"));
    let hub = Hub { endpoint: Some(server.url.clone()), cache_dir: Some(sb.path("hf-cache")) };
    let job = reclab::jobs::JobHandle::spawn("offer-test", None, move |sink| offer::install(&store, &hub, sink))
        .expect("spawn the install");
    let installed = job.join().expect("the install thread").expect("installed");
    assert_eq!(installed.manifest.name, "all-MiniLM-L6-v2");
    assert_eq!(installed.manifest.weights_sha256(), offer::suggested().weights_sha256.unwrap());
    assert_eq!(installed.manifest.dim, 384);
    let requests = server.requests.lock().unwrap().clone();
    assert!(
        requests.iter().any(|r| r == "/sentence-transformers/all-MiniLM-L6-v2/resolve/main/model.safetensors"),
        "{requests:?}"
    );
    // Installed, the offer becomes re-embedding.
    let store = ModelStore::at(sb.path("models"));
    match offer::next_step(&store.list(), &reclab::embed::ModelRef::lexical()) {
        offer::Step::ReEmbed { model, .. } => assert_eq!(model, "all-MiniLM-L6-v2"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_suggested_model_is_refused_on_a_sha256_mismatch_and_offline_names_the_other_ways() {
    use reclab::embed::{EmbedError, Hub, ModelStore, offer};
    let sb = Sandbox::new();
    // Other weights served under the suggested model's repository.
    let dir = toy_folder(&sb, "impostor", &ToySpec::default());
    let server = HubServer::start("sentence-transformers/all-MiniLM-L6-v2", read_tree(&dir));
    let store = ModelStore::at(sb.path("models"));
    let hub = Hub { endpoint: Some(server.url.clone()), cache_dir: Some(sb.path("hf-cache")) };
    let err = offer::install(&store, &hub, &reclab::jobs::ProgressSink::none()).unwrap_err();
    assert!(matches!(err, EmbedError::Checksum { .. }), "{err}");
    assert!(err.to_string().contains("expected 53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"));
    assert!(store.list().is_empty(), "nothing installed");

    // A port nothing listens on: the hub is unreachable.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hub = Hub { endpoint: Some(format!("http://127.0.0.1:{port}")), cache_dir: Some(sb.path("hf-cache-2")) };
    let err = offer::install(&store, &hub, &reclab::jobs::ProgressSink::none()).unwrap_err();
    assert!(matches!(err, EmbedError::HubUnreachable { .. }), "{err}");
    let failure = offer::Failure::of(&err);
    assert!(failure.unreachable, "{failure:?}");
    assert!(
        failure.message.contains("unreachable") && failure.message.contains("reclab models import"),
        "{}",
        failure.message
    );
    assert!(store.list().is_empty());
}

/// A hub that accepts the connection and never answers: cancelling returns at once.
#[test]
fn cancelling_the_suggested_download_returns_at_once() {
    use reclab::embed::{Hub, ModelStore, offer};
    let sb = Sandbox::new();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let store = ModelStore::at(sb.path("models"));
    let hub = Hub { endpoint: Some(url), cache_dir: Some(sb.path("hf-cache")) };
    let job = reclab::jobs::JobHandle::spawn("offer-cancel", None, move |sink| offer::install(&store, &hub, sink))
        .expect("spawn the install");
    // Wait until it is downloading (the first request reached the silent server).
    let (_conn, _) = listener.accept().unwrap();
    job.cancel();
    let err = job.join().expect("the install thread").unwrap_err();
    let failure = offer::Failure::of(&err);
    assert!(failure.cancelled, "{err}");
    assert!(ModelStore::at(sb.path("models")).list().is_empty());
}
