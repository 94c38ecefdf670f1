//! reclab against a real PostgreSQL 16 + pgvector (see `pgserver.rs`).

use crate::pgserver::PgServer;
use crate::support::Sandbox;
use serde_json::Value;
use std::path::PathBuf;

#[test]
fn the_test_server_runs_postgresql_16_with_pgvector() {
    let pg = PgServer::start();
    let mut client = pg.client();
    client.batch_execute("CREATE EXTENSION vector").unwrap();
    let server: String = client.query_one("SHOW server_version", &[]).unwrap().get(0);
    let vector: String =
        client.query_one("SELECT extversion FROM pg_extension WHERE extname = 'vector'", &[]).unwrap().get(0);
    assert_eq!((server.as_str(), vector.as_str()), ("16.2", "0.6.2"));
    let listen: String = client.query_one("SHOW listen_addresses", &[]).unwrap().get(0);
    assert_eq!(listen, "", "unix socket only, no TCP port");
}

#[test]
fn the_test_server_is_stopped_and_removed_when_a_test_panics() {
    let (tx, rx) = std::sync::mpsc::channel::<(PathBuf, u32)>();
    let failed = std::thread::spawn(move || {
        let pg = PgServer::start();
        tx.send((pg.data_dir(), pg.pid())).unwrap();
        panic!("a failing test");
    })
    .join();
    assert!(failed.is_err(), "the test thread panicked");
    let (data, pid) = rx.recv().expect("the server started before the panic");
    assert!(!data.exists(), "the cluster {} was removed", data.display());
    assert!(!running(pid), "the postmaster (pid {pid}) was stopped");
}

/// Whether process `pid` is alive (not gone, not a zombie waiting to be reaped).
fn running(pid: u32) -> bool {
    // `pg_ctl stop -w` returns once the lock file is gone, a moment before the process is.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
        if matches!(state, None | Some("Z") | Some("X")) {
            return false;
        }
        if std::time::Instant::now() > deadline {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The lab's nearest neighbours of `item` (the similarity ranking before any filter), from
/// `reclab similar ITEM --json`: (item id, similarity) by rank, without the item itself.
fn lab_neighbours(sb: &Sandbox, item: &str, k: usize) -> Vec<(String, f64)> {
    let json: Value = serde_json::from_str(&sb.ok(&["similar", item, "--k", "10", "--json"])).unwrap();
    let mut candidates: Vec<&Value> = json["candidates"].as_array().unwrap().iter().collect();
    candidates.sort_by_key(|c| c["rank"].as_u64().unwrap());
    candidates
        .into_iter()
        .filter(|c| c["item_id"] != item)
        .take(k)
        .map(|c| (c["item_id"].as_str().unwrap().to_string(), c["similarity"].as_f64().unwrap()))
        .collect()
}

/// The lab's vector of `item`, from `reclab vectors export --format jsonl`.
fn lab_vector(sb: &Sandbox, item: &str) -> Vec<f32> {
    let jsonl = sb.ok(&["vectors", "export", "--format", "jsonl"]);
    jsonl
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["id"] == item)
        .map(|v| v["vector"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect())
        .unwrap_or_else(|| panic!("{item} in the JSON lines export"))
}

/// The query at the end of the export (its commented-out last lines), runnable.
fn documented_query(sql: &str) -> String {
    let tail = sql.split("-- Nearest neighbours of an item").nth(1).expect("the export documents its query");
    tail.lines().skip(1).filter_map(|l| l.strip_prefix("-- ")).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_pgvector_export_loads_and_gives_the_labs_nearest_neighbours() {
    let sb = Sandbox::with_reference_project();
    let sql_path = sb.path("items.sql");
    sb.ok(&["vectors", "export", "--format", "pgvector", "--out", sql_path.to_str().unwrap()]);
    let pg = PgServer::start();
    // A psql whose locale is not UTF-8 (the export must say its encoding, or Hangul arrives
    // garbled).
    let loaded = pg.psql().env("PGCLIENTENCODING", "LATIN1").arg("-f").arg(&sql_path).output().unwrap();
    assert!(
        loaded.status.success() && loaded.stderr.is_empty(),
        "psql -f of the export failed or complained:\n{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    let mut client = pg.client();
    let rows: i64 = client.query_one("SELECT count(*) FROM reclab_items", &[]).unwrap().get(0);
    assert_eq!(rows, 1744, "every sample item with its vector");
    let name_alt: String =
        client.query_one("SELECT name_alt FROM reclab_items WHERE item_id = '1002'", &[]).unwrap().get(0);
    assert_eq!(name_alt, "세레나의 엑소 시스터");
    let comment: String = client.query_one("SELECT col_description('reclab_items'::regclass, 6)", &[]).unwrap().get(0);
    assert!(comment.starts_with("reclab model all-MiniLM-L6-v2@"), "{comment}");

    // The vectors arrive intact: 1001's is the lab's, float for float.
    let lab_vector = lab_vector(&sb, "1001");
    let anchor: pgvector::Vector =
        client.query_one("SELECT embedding FROM reclab_items WHERE item_id = '1001'", &[]).unwrap().get(0);
    assert_eq!(anchor.as_slice(), lab_vector.as_slice());

    // The query production runs, answered by the export's HNSW index: the lab's top 10.
    let query = "SELECT item_id, 1 - (embedding <=> $1) FROM reclab_items WHERE item_id <> '1001' \
                 ORDER BY embedding <=> $1 LIMIT 10";
    let plan = explain(&mut client, query, &[&anchor]);
    assert!(plan.contains("Index Scan using reclab_items_embedding_idx"), "the HNSW index answers:\n{plan}");
    let pg_top: Vec<(String, f64)> =
        client.query(query, &[&anchor]).unwrap().iter().map(|r| (r.get(0), r.get(1))).collect();
    let lab_top = lab_neighbours(&sb, "1001", 10);
    let ids = |v: &[(String, f64)]| v.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&pg_top), ids(&lab_top), "pgvector's top 10 for Serena (1001) is the lab's");
    for ((id, a), (_, b)) in pg_top.iter().zip(&lab_top) {
        assert!((a - b).abs() < 1e-5, "{id}: similarity {a} in PostgreSQL, {b} in the lab");
    }

    // The launch scenario (Serena bought 5 min ago, the built-in filters, no rules): its top 10
    // is pgvector's nearest neighbours of Serena from the export, less what the lab's filters
    // removed.
    let launch: Value = serde_json::from_str(&sb.ok(&["recommend", "--scenario", "shop-launch", "--json"])).unwrap();
    let removed: std::collections::HashSet<&str> = launch["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["removed_by"].is_string())
        .map(|c| c["item_id"].as_str().unwrap())
        .collect();
    assert!(!removed.is_empty(), "the launch scenario's filters remove something");
    let nearest = "SELECT item_id FROM reclab_items ORDER BY embedding <=> $1 LIMIT 40";
    let pg_launch: Vec<String> = client
        .query(nearest, &[&anchor])
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .filter(|id| !removed.contains(id.as_str()))
        .take(10)
        .collect();
    let lab_launch: Vec<String> =
        launch["results"].as_array().unwrap().iter().map(|r| r["item_id"].as_str().unwrap().to_string()).collect();
    assert_eq!(pg_launch, lab_launch, "the export answers the launch scenario as the lab does");

    // The query the file documents (for the first item it exports) gives the lab's top 10 of
    // that item, through the index too.
    let sql = std::fs::read_to_string(&sql_path).unwrap();
    let (documented, first) = (documented_query(&sql), first_exported_id(&sql));
    let plan = explain(&mut client, documented.trim_end_matches(';'), &[]);
    assert!(plan.contains("Index Scan using reclab_items_embedding_idx"), "{documented}\n{plan}");
    let doc_ids: Vec<String> = client.query(documented.as_str(), &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(doc_ids, ids(&lab_neighbours(&sb, &first, 10)), "{documented}");
}

/// The id of the first row the export inserts (the one its documented query uses).
fn first_exported_id(sql: &str) -> String {
    let values = sql.split(" VALUES\n  ('").nth(1).expect("an INSERT in the export");
    values.split('\'').next().unwrap().to_string()
}

fn explain(client: &mut postgres::Client, query: &str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> String {
    let rows = client.query(&format!("EXPLAIN {query}"), params).unwrap();
    rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>().join("\n")
}

#[test]
fn pg_push_writes_the_project_and_a_second_push_changes_only_what_changed() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    sb.ok(&["embed"]);
    let pg = PgServer::start();
    // The trust server ignores the password: it must still never be printed.
    let url = format!("{} password=sekret-pw", pg.conn_str());
    let out = sb.run(&["pg", "push", "--url", &url, "--json"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("sekret") && !stderr.contains("sekret"), "the password is never printed");
    let first: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(first["items"]["inserted"], 1744);
    assert_eq!(first["with_vector"], 1744);
    assert_eq!((first["server_version"].as_str(), first["pgvector_version"].as_str()), (Some("16.2"), Some("0.6.2")));
    let index = first["index"].as_str().unwrap();
    assert!(index.contains("hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)"), "{index}");
    let events = first["interactions"]["inserted"].as_u64().unwrap();
    let status = sb.ok(&["status"]);
    assert!(status.contains(&format!("interactions {events} events")), "{status}");

    let mut client = pg.client();
    let count = |c: &mut postgres::Client, t: &str| -> i64 {
        c.query_one(&format!("SELECT count(*) FROM reclab.{t}"), &[]).unwrap().get(0)
    };
    assert_eq!((count(&mut client, "items"), count(&mut client, "interactions")), (1744, events as i64));
    let model: String =
        client.query_one("SELECT value FROM reclab.reclab_meta WHERE key = 'model'", &[]).unwrap().get(0);
    assert_eq!(model, first["model"].as_str().unwrap());
    assert!(model.starts_with("lexical-v2@"), "{model}");
    let row = client
        .query_one("SELECT name_alt, category, stock, embedding FROM reclab.items WHERE item_id = '1002'", &[])
        .unwrap();
    assert_eq!(row.get::<_, Option<String>>(0).as_deref(), Some("세레나의 엑소 시스터"));
    let shown = sb.ok(&["items", "show", "1002"]);
    let field = |name: &str| {
        shown.lines().find_map(|l| l.strip_prefix(name).filter(|r| r.starts_with(' ')).map(|r| r.trim().to_string()))
    };
    assert_eq!(row.get::<_, Option<String>>(1), field("category"));
    assert_eq!(row.get::<_, Option<i64>>(2).map(|s| s.to_string()), field("stock"));
    let lab = lab_vector(&sb, "1002");
    assert_eq!(row.get::<_, pgvector::Vector>(3).as_slice(), lab.as_slice(), "the vector arrives intact");

    // Through the pushed HNSW index, pgvector's neighbours of Serena are the lab's.
    let query = "SELECT item_id FROM reclab.items WHERE item_id <> '1001' ORDER BY embedding <=> \
                 (SELECT embedding FROM reclab.items WHERE item_id = '1001') LIMIT 10";
    assert!(explain(&mut client, query, &[]).contains("items_embedding_hnsw"));
    let pg_top: Vec<String> = client.query(query, &[]).unwrap().iter().map(|r| r.get(0)).collect();
    let lab_top: Vec<String> = lab_neighbours(&sb, "1001", 10).into_iter().map(|(id, _)| id).collect();
    assert_eq!(pg_top, lab_top);

    // Nothing changed: nothing written. One new item: one row inserted.
    let again: Value = serde_json::from_str(&sb.ok(&["pg", "push", "--url", &pg.conn_str(), "--json"])).unwrap();
    assert_eq!(again["items"], serde_json::json!({"inserted": 0, "updated": 0, "unchanged": 1744, "removed": 0}));
    assert_eq!(again["interactions"]["unchanged"].as_u64(), Some(events));
    sb.ok(&["items", "add", "--id", "1901", "--name", "Serena's Winter Bloom", "--category", "Premium skin"]);
    let third: Value = serde_json::from_str(&sb.ok(&["pg", "push", "--url", &pg.conn_str(), "--json"])).unwrap();
    assert_eq!(third["items"], serde_json::json!({"inserted": 1, "updated": 0, "unchanged": 1744, "removed": 0}));
    let v: Option<pgvector::Vector> =
        client.query_one("SELECT embedding FROM reclab.items WHERE item_id = '1901'", &[]).unwrap().get(0);
    assert!(v.is_some(), "the cold-start item arrives with its vector");

    // Bad input says what is wrong, and PostgreSQL is left as it was.
    let err = sb.fails(&["pg", "push", "--url", &pg.conn_str(), "--schema", "Shop; DROP"]);
    assert!(err.contains("--schema Shop; DROP"), "{err}");
    let err = sb.fails(&["pg", "push", "--url", "host=/nonexistent-socket-dir user=postgres password=sekret-pw"]);
    assert!(
        err.contains("cannot connect to PostgreSQL at host=/nonexistent-socket-dir") && !err.contains("sekret"),
        "{err}"
    );
    assert_eq!(count(&mut client, "items"), 1745);
}
