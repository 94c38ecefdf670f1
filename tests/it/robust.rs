//! Hostile but realistic input: partial updates, output paths, quoting, bounded work, locks and
//! read-only projects. Each test reproduces a case of issue 10.

use crate::support::Sandbox;
use serde_json::Value;

const CATALOG: &str = "id,name,category,tags,description,price,released_at,expires_at,rarity\n\
    1001,Serena,Descendant,serena|launch,\"Serena, the newest Descendant, flies.\",1800,2026-11-10,2026-12-31,Ultimate\n\
    1002,Peony,Descendant,peony,Heals her allies.,1500,2026-10-01,,Rare\n";

/// A project with the small catalog above, embedded with the lexical embedder.
fn small_project() -> Sandbox {
    let sb = Sandbox::new();
    let file = sb.write("items.csv", CATALOG);
    sb.ok(&["import", file.to_str().unwrap()]);
    sb.ok(&["embed", "--model", "lexical"]);
    sb
}

fn show(sb: &Sandbox, id: &str) -> String {
    sb.ok(&["items", "show", id])
}

fn embed_report(sb: &Sandbox) -> Value {
    serde_json::from_str(&sb.ok(&["embed", "--model", "lexical", "--json"])).expect("embed --json")
}

#[test]
fn a_reimport_with_some_columns_changes_only_those_columns() {
    let sb = small_project();
    let before = show(&sb, "1001");
    let u = sb.write("u.csv", "id,price\n1001,1900\n");
    let report: Value = serde_json::from_str(&sb.ok(&["import", u.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!((report["updated"].as_u64(), report["unchanged"].as_u64()), (Some(1), Some(0)));
    let after = show(&sb, "1001");
    assert_eq!(after, before.replace("1800", "1900"), "only the price changed:\n{before}\n{after}");
    for kept in ["Serena", "Descendant", "serena, launch", "newest Descendant", "2026-11-10", "2026-12-31", "Ultimate"]
    {
        assert!(after.contains(kept), "{kept} kept:\n{after}");
    }
    // The text (name, category, tags, description) did not change: the vector is still there.
    let again = embed_report(&sb);
    assert_eq!(again["embedded"].as_u64(), Some(0), "{again}");

    // An empty cell in a present column clears that field, and the text changed: one new vector.
    let c = sb.write("c.csv", "id,description,rarity\n1001,,\n");
    sb.ok(&["import", c.to_str().unwrap()]);
    let cleared = show(&sb, "1001");
    assert!(!cleared.contains("newest Descendant") && !cleared.contains("Ultimate"), "{cleared}");
    assert!(cleared.contains("Serena") && cleared.contains("1900"), "{cleared}");
    assert_eq!(embed_report(&sb)["embedded"].as_u64(), Some(1));
}

#[test]
fn a_json_object_without_a_key_leaves_that_field_alone() {
    let sb = small_project();
    let j = sb.write(
        "u.jsonl",
        "{\"id\": \"1002\", \"price\": 1600}\n{\"id\": \"1001\", \"name\": \"Serena Prime\", \"rarity\": null}\n",
    );
    sb.ok(&["import", j.to_str().unwrap()]);
    let peony = show(&sb, "1002");
    assert!(peony.contains("Peony") && peony.contains("1600") && peony.contains("Rare"), "{peony}");
    let serena = show(&sb, "1001");
    assert!(serena.contains("Serena Prime") && serena.contains("1800") && !serena.contains("Ultimate"), "{serena}");
}

#[test]
fn items_add_changes_only_the_options_given() {
    let sb = small_project();
    let before = show(&sb, "1001");
    let out = sb.ok(&["items", "add", "--id", "1001", "--name", "Serena X"]);
    assert!(out.contains("updated 1"), "{out}");
    let after = show(&sb, "1001");
    assert_eq!(after, before.replace("Serena\n", "Serena X\n"), "released_at and the rest are kept");
    // A new item gets the scenario's time as its release time.
    sb.ok(&["items", "add", "--id", "1003", "--name", "Bunny"]);
    assert!(show(&sb, "1003").contains("released_at"));
    // Not a number the catalog can hold.
    let err = sb.fails(&["items", "add", "--id", "1004", "--name", "Broken", "--price", "NaN"]);
    assert!(err.contains("price NaN is not a finite number"), "{err}");
    assert!(sb.fails(&["items", "show", "1004"]).contains("no item '1004'"));
}

#[test]
fn no_output_path_can_overwrite_the_project_or_its_files() {
    let sb = small_project();
    sb.ok(&["recommend", "--action", "purchase:1001"]); // builds the index beside the project
    let project = sb.project();
    let before = std::fs::read(&project).unwrap();
    let p = project.to_str().unwrap().to_string();
    // The index snapshot: its sidecar and the vectors file it names.
    let index = format!("{p}.usearch.meta");
    let index_before = std::fs::read(&index).unwrap();
    let stem = format!("{}.vectors.", project.file_name().unwrap().to_str().unwrap());
    let vectors_file = std::fs::read_dir(project.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(&stem)))
        .expect("a saved vectors file")
        .path();
    let vectors_before = std::fs::read(&vectors_file).unwrap();
    let vectors_file = vectors_file.to_str().unwrap().to_string();
    // The same file under another name.
    let link = sb.path("link.reclab");
    std::os::unix::fs::symlink(&project, &link).unwrap();
    let link = link.to_str().unwrap().to_string();
    let attempts: Vec<Vec<&str>> = vec![
        vec!["recommend", "--action", "purchase:1001", "--json", "--out", &p],
        vec!["recommend", "--action", "purchase:1001", "--csv", "--out", &link],
        vec!["similar", "1001", "--out", &index],
        vec!["similar", "1001", "--json", "--out", &vectors_file],
        vec!["eval", "--no-save", "--methods", "popularity", "--out", &p],
        vec!["vectors", "export", "--out", &p],
        vec!["vectors", "export", "--format", "pgvector", "--out", &index],
        vec!["bench", "embed", "--single", "--model", "lexical", "--n", "2", "--batch-sizes", "2", "--write-texts", &p],
        vec!["--screenshot", &p],
    ];
    for args in &attempts {
        let err = sb.fails(args);
        assert!(err.contains("refusing to write") && err.contains("project"), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read(&project).unwrap(), before, "the project is untouched");
    assert_eq!(std::fs::read(&index).unwrap(), index_before, "the index is untouched");
    assert_eq!(std::fs::read(&vectors_file).unwrap(), vectors_before, "the saved vectors are untouched");
    sb.ok(&["status"]);
    // Other paths still work, and leave no temporary file behind.
    let out = sb.path("rec.json");
    sb.ok(&["recommend", "--action", "purchase:1001", "--json", "--out", out.to_str().unwrap()]);
    assert!(serde_json::from_slice::<Value>(&std::fs::read(&out).unwrap()).is_ok());
    let leftovers: Vec<String> = std::fs::read_dir(sb.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn deeply_nested_filters_are_refused_everywhere_they_can_come_from() {
    let sb = small_project();
    let deep = format!("{}Items.PRICE < 3{}", "(".repeat(8_000), ")".repeat(8_000));
    let out = sb.run(&["recommend", "--action", "purchase:1001", "--filter", &deep]);
    assert_eq!(out.status.code(), Some(1), "an error, not an abort: {:?}", out.status);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("filter error at position 64") && err.contains("nest more than 64 deep"), "{err}");
    // Not saved as a scenario either.
    let err = sb.fails(&["recommend", "--action", "purchase:1001", "--filter", &deep, "--save-scenario", "deep"]);
    assert!(err.contains("nest more than 64"), "{err}");
    assert!(!sb.ok(&["scenarios", "list"]).contains("deep"));
    // A rule preset's pin filter is parsed before it is saved.
    let rules = sb.write("pin.toml", format!("[[rules]]\nkind = \"pin\"\nslots = [1]\nfilter = '{deep}'\n"));
    let err = sb.fails(&["rules", "save", "deep", rules.to_str().unwrap()]);
    assert!(err.contains("rule 1 (pin)") && err.contains("nest more than 64"), "{err}");
    let typo = sb.write("typo.toml", "[[rules]]\nkind = \"pin\"\nslots = [1]\nfilter = 'Items.CATEGROY = \"x\"'\n");
    let err = sb.fails(&["rules", "save", "typo", typo.to_str().unwrap()]);
    assert!(err.contains("unknown field Items.CATEGROY"), "{err}");
    assert!(!sb.ok(&["rules", "list"]).contains("typo"));
}

#[test]
fn profile_weights_must_be_finite_and_not_negative() {
    let sb = small_project();
    for w in ["purchase=NaN", "purchase=inf", "view=-1"] {
        let err = sb.fails(&["recommend", "--action", "purchase:1001", "--strategy", "profile", "--weight", w]);
        assert!(err.contains("a weight is a finite number, 0 or more"), "{w}: {err}");
    }
    sb.ok(&["recommend", "--action", "purchase:1001", "--strategy", "profile", "--weight", "view=0"]);
}

/// True when this process runs as root (where file modes do not stop writes).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

#[test]
fn a_read_only_project_answers_read_only_commands_and_refuses_writes() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let sb = small_project();
    let project = sb.project();
    sb.ok(&["status"]);
    let before = std::fs::read(&project).unwrap();
    // The project and its folder become read-only; as root, where modes do not stop writes,
    // reclab runs as the unprivileged user `nobody`, as a user without write access would.
    std::fs::set_permissions(&project, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(sb.dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let run = |args: &[&str]| {
        let mut c = sb.cmd();
        if is_root() {
            c.uid(65534).gid(65534);
        }
        c.args(args).output().expect("run reclab")
    };
    let listing = || {
        let mut v: Vec<String> =
            std::fs::read_dir(sb.dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        v.sort();
        v
    };
    let files = listing();
    for args in [
        &["status"][..],
        &["items", "show", "1001"],
        &["items", "list"],
        &["recommend", "--action", "purchase:1001"],
        &["similar", "1002"],
        &["rules", "list"],
        &["eval", "runs"],
    ] {
        let out = run(args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = run(&["import", sb.path("items.csv").to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("the file is read-only"), "{err}");
    let out = run(&["items", "add", "--id", "1", "--name", "x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
    std::fs::set_permissions(sb.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(std::fs::read(&project).unwrap(), before, "the project is untouched");
    assert_eq!(listing(), files, "nothing was created beside it");
}

#[test]
fn an_empty_file_is_said_to_become_a_project_and_odd_schema_versions_are_refused() {
    let sb = Sandbox::new();
    std::fs::write(sb.project(), b"").unwrap();
    let err = sb.fails(&["status"]);
    assert!(err.contains("is an empty file, not a reclab project yet"), "{err}");
    let file = sb.write("items.csv", CATALOG);
    let out = sb.run(&["import", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("was an empty file: it is now a new reclab project"));
    let c = rusqlite_free_user_version(&sb.project(), -1);
    assert!(c.contains("schema version is -1"), "{c}");
}

/// Sets `PRAGMA user_version` through reclab's own schema test hook: the file's header holds it
/// at byte 60 (big-endian), so it is written directly; returns the error reclab then gives.
fn rusqlite_free_user_version(path: &std::path::Path, version: i32) -> String {
    let sb_cmd = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_reclab"))
            .args(args)
            .env("RECLAB_PROJECT", path)
            .env("RECLAB_HOME", path.with_extension("home"))
            .output()
            .expect("run reclab")
    };
    let mut bytes = std::fs::read(path).unwrap();
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(path, &bytes).unwrap();
    let out = sb_cmd(&["status"]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(path).unwrap(), bytes, "left untouched");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn concurrent_item_adds_on_one_project_all_succeed() {
    let sb = small_project();
    sb.ok(&["recommend", "--action", "purchase:1001"]); // the index exists
    let children: Vec<_> = (0..12)
        .map(|i| {
            let id = format!("{}", 5000 + i);
            let name = format!("Concurrent item {i}");
            sb.cmd().args(["items", "add", "--id", &id, "--name", &name]).spawn().expect("spawn reclab")
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let list = sb.ok(&["items", "list", "Concurrent", "--limit", "50"]);
    assert_eq!(list.lines().count(), 12, "{list}");
    // The saved index and its sidecar agree: it loads without a rebuild and finds them all.
    let out = sb.run(&["similar", "5003", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_unterminated_quote_is_reported_where_it_opened_and_swallows_nothing() {
    let sb = Sandbox::new();
    let q = sb.write("q.csv", "id,name,category\n1,a,\"x\n2,b,Y\n3,c,Z\n");
    let report: Value = serde_json::from_str(&sb.ok(&["import", q.to_str().unwrap(), "--json"])).unwrap();
    let rejected = report["rejected"].as_array().expect("rejected rows");
    assert_eq!(rejected.len(), 1, "{report}");
    assert_eq!(rejected[0]["line"].as_u64(), Some(2), "{report}");
    let reason = rejected[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("the quote that opens column 'category' is never closed"), "{reason}");
    assert_eq!(report["added"].as_u64(), Some(2), "{report}");
    assert!(show(&sb, "3").contains('Z'));
    // The plain report says it too.
    let out = sb.ok(&["import", q.to_str().unwrap()]);
    assert!(out.contains("line 2") && out.contains("never closed"), "{out}");
}

#[test]
fn benchmark_sizes_are_checked_and_their_folders_always_go() {
    let sb = Sandbox::new();
    for (args, expect) in [
        (&["bench", "pipeline", "--n", "0"][..], "--n 0 is not a size"),
        (&["bench", "pipeline", "--n", "100000000000000"], "--n 100000000000000 is too large"),
        (&["bench", "search", "--n", "10", "--dim", "100000000000"], "--dim 100000000000 is too large"),
        (&["bench", "search", "--n", "0"], "--n 0 is not a size"),
        (&["bench", "search", "--n", "18446744073709551615", "--dim", "384"], "is too large"),
        (&["bench", "embed", "--single", "--model", "lexical", "--n", "0"], "--n 0 is not a size"),
        (&["bench", "embed", "--single", "--model", "lexical", "--n", "1000000000000"], "is too large"),
    ] {
        let out = sb.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: an error, not an abort or a panic: {:?}", out.status);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{args:?}: {err}");
    }
    // The temporary folder goes after a run, after a failed run, and after a run that was
    // killed (its folder is removed by the next run).
    let tmp = sb.path("tmp");
    std::fs::create_dir_all(tmp.join("reclab-bench-999999999")).unwrap();
    let bench_dirs = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("reclab-bench-"))
            .collect::<Vec<_>>()
    };
    let out =
        sb.cmd().env("TMPDIR", &tmp).args(["bench", "pipeline", "--n", "60", "--requests", "4"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("recommend at 60 items"));
    assert_eq!(bench_dirs(), Vec::<String>::new());
    let out = sb
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["bench", "pipeline", "--n", "60", "--model", "no-such-model"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(bench_dirs(), Vec::<String>::new());
}

#[test]
fn a_screenshot_of_a_project_that_cannot_open_prints_the_error_and_exits() {
    let sb = Sandbox::new();
    let shot = sb.path("shot.png");
    let random: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let truncated = {
        let p = small_project();
        let bytes = std::fs::read(p.project()).unwrap();
        bytes[..bytes.len() / 3].to_vec()
    };
    let newer = {
        let p = small_project();
        let mut bytes = std::fs::read(p.project()).unwrap();
        bytes[60..64].copy_from_slice(&999i32.to_be_bytes());
        bytes
    };
    for (name, bytes) in [("random", random), ("truncated", truncated), ("newer", newer)] {
        std::fs::write(sb.project(), &bytes).unwrap();
        for args in [&["--screenshot", shot.to_str().unwrap()][..], &["--measure-frames", "5"]] {
            // Bounded: a hang would fail here instead of blocking the suite.
            let mut child = sb.cmd().args(args).stderr(std::process::Stdio::piped()).spawn().unwrap();
            let started = std::time::Instant::now();
            let status = loop {
                if let Some(s) = child.try_wait().unwrap() {
                    break s;
                }
                if started.elapsed() > std::time::Duration::from_secs(60) {
                    let _ = child.kill();
                    panic!("{name} {args:?}: still running after 60 s");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            };
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(status.code(), Some(1), "{name} {args:?}: {err}");
            assert!(err.contains("cannot open") && err.contains("test.reclab"), "{name} {args:?}: {err}");
            assert!(!shot.exists());
            assert_eq!(std::fs::read(sb.project()).unwrap(), bytes, "{name}: the file was left alone");
        }
    }
}

#[test]
fn json_ids_beyond_64_bits_stay_apart_and_bad_elements_are_rejected_alone() {
    let sb = Sandbox::new();
    let j = sb.write(
        "big.json",
        "[\n{\"id\": 12345678901234567890123, \"name\": \"A\"},\n{\"id\": 12345678901234567890124, \"name\": \"B\"},\n\
         {\"id\": 3, \"name\": \"C\", \"price\": 1e999},\n{\"id\": 4, \"name\": \"D\"}\n]",
    );
    let report: Value = serde_json::from_str(&sb.ok(&["import", j.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(report["added"].as_u64(), Some(3), "{report}");
    let rejected = report["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 1, "{report}");
    assert_eq!(rejected[0]["line"].as_u64(), Some(4), "{report}");
    assert!(show(&sb, "12345678901234567890123").contains('A'));
    assert!(show(&sb, "12345678901234567890124").contains('B'));
    assert!(show(&sb, "4").contains('D'));
}

#[test]
fn unix_times_read_as_milliseconds_are_said_to_be() {
    let sb = small_project();
    let c =
        sb.write("ms.csv", "id,released_at,first_seen\n1001,1794744000000,1794744000000\n1002,2026-10-01,1794744000\n");
    let report: Value = serde_json::from_str(&sb.ok(&["import", c.to_str().unwrap(), "--json"])).unwrap();
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("column 'released_at': 1 Unix time above 10^11 (the first on line 2) was read as milliseconds"),
        "{notes}"
    );
    assert!(show(&sb, "1001").contains("2026-11-15"), "{}", show(&sb, "1001"));
    let e = sb.write(
        "events.csv",
        "user_id,item_id,event_type,timestamp\nu1,1001,view,1794744000000\nu1,1002,view,1794744000001\nu2,1002,view,1794744000\n",
    );
    let out = sb.ok(&["import", e.to_str().unwrap()]);
    assert!(
        out.contains("column 'timestamp': 2 Unix times above 10^11 (the first on line 2) were read as milliseconds"),
        "{out}"
    );
    // Seconds alone get no note.
    let s = sb.write("s.csv", "user_id,item_id,event_type,timestamp\nu3,1001,view,1794744000\n");
    assert!(!sb.ok(&["import", s.to_str().unwrap()]).contains("milliseconds"));
}

#[test]
fn embedding_with_the_lexical_embedder_asked_for_says_so() {
    let sb = Sandbox::new();
    let file = sb.write("items.csv", CATALOG);
    sb.ok(&["import", file.to_str().unwrap()]);
    let out = sb.run(&["embed", "--model", "lexical"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("using the built-in lexical embedder, as asked"), "{err}");
    assert!(!err.contains("no sentence-embedding model is selected"), "{err}");
}

#[test]
fn a_header_of_many_columns_is_read_in_linear_time_and_printed_short() {
    let sb = Sandbox::new();
    let header: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
    let wide = sb.write("wide.csv", format!("{}\n", header.join(",")));
    let err = sb.fails(&["import", wide.to_str().unwrap()]);
    assert!(err.contains("no column for the item id") && err.contains("c19 … and 199980 more"), "{err}");
    assert!(err.len() < 2_000, "{} bytes of error", err.len());
    let long = sb.write("long.csv", format!("id,{}\n1,2\n", "x".repeat(50_000)));
    let err = sb.fails(&["import", long.to_str().unwrap()]);
    assert!(err.contains("has a name of 50000 bytes") && err.len() < 2_000, "{err}");
}
