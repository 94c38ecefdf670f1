//! pgvector as the backend of a request: the filters pushed into the SQL `WHERE`, the rest and
//! the re-ranking in the lab, and the parity report (see `pgserver.rs` for the server).

use crate::pgserver::PgServer;
use crate::support::Sandbox;
use serde_json::Value;

fn ids(rec: &Value) -> Vec<String> {
    rec["results"].as_array().unwrap().iter().map(|r| r["item_id"].as_str().unwrap().to_string()).collect()
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn the_launch_scenario_through_pgvector_gives_the_labs_top_10_and_shows_the_sql_it_sent() {
    let sb = Sandbox::with_reference_project();
    let pg = PgServer::start();
    let url = pg.conn_str();
    sb.ok(&["pg", "push", "--url", &url]);
    let lab = json(&sb.ok(&["recommend", "--scenario", "shop-launch", "--json"]));
    let via =
        json(&sb.ok(&["recommend", "--scenario", "shop-launch", "--backend", "pgvector", "--url", &url, "--json"]));
    assert_eq!(ids(&via), ids(&lab), "the same top 10 through pgvector");
    assert_eq!(ids(&lab).len(), 10);
    for (a, b) in via["results"].as_array().unwrap().iter().zip(lab["results"].as_array().unwrap()) {
        assert_eq!((&a["similarity"], &a["score"], &a["reason"]), (&b["similarity"], &b["score"], &b["reason"]));
    }
    assert!(lab.get("backend").is_none(), "the lab's own index has no backend section");

    // Which filters went into the WHERE, each with its SQL, and the statement as sent.
    let backend = &via["backend"];
    assert_eq!(backend["name"], "pgvector");
    let pushed: Vec<&str> = backend["pushed_down"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for id in ["anchor", "owned", "in_cart", "purchase_limit", "out_of_stock", "expired", "not_released"] {
        assert!(pushed.contains(&id), "{id} pushed down: {pushed:?}");
    }
    for f in via["filters"].as_array().unwrap() {
        assert!(f["sql"].is_string(), "filter {} carries its SQL", f["id"]);
        assert_eq!(f["removed"], 0, "a pushed filter leaves nothing for the lab to remove: {f}");
    }
    let query = &backend["queries"][0];
    let sql = query["sql"].as_str().unwrap();
    assert!(sql.starts_with("SELECT i.item_id, 1 - (i.embedding <=> $1) AS similarity FROM reclab.items i"), "{sql}");
    assert!(sql.ends_with("ORDER BY i.embedding <=> $1 LIMIT 200"), "{sql}");
    assert!(sql.contains("COALESCE(i.stock > 0, TRUE)"), "{sql}");
    assert_eq!((query["limit"].as_u64(), query["ef_search"].as_u64()), (Some(200), Some(200)));

    // That statement, run as shown with Serena's vector, returns the rows the trace counted,
    // the lab's candidates in the same order.
    let mut client = pg.client();
    let serena: pgvector::Vector =
        client.query_one("SELECT embedding FROM reclab.items WHERE item_id = '1001'", &[]).unwrap().get(0);
    let mut tx = client.transaction().unwrap();
    tx.batch_execute("SET LOCAL hnsw.ef_search = 200").unwrap();
    let rows: Vec<String> = tx.query(sql, &[&serena]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(rows.len() as u64, query["rows"].as_u64().unwrap());
    let candidates: Vec<&str> =
        via["candidates"].as_array().unwrap().iter().map(|c| c["item_id"].as_str().unwrap()).collect();
    assert_eq!(&rows[..10], &candidates[..10]);
    drop(tx);

    // The text form says where the candidates came from.
    let text = sb.ok(&["recommend", "--scenario", "shop-launch", "--backend", "pgvector", "--url", &url]);
    assert!(text.contains("backend: pgvector at host="), "{text}");
    assert!(text.contains("pushed down into the WHERE: anchor, owned"), "{text}");
    assert!(text.contains("→ owned in SQL"), "{text}");

    // A user of the log and an event-type filter: the filter becomes a sub-query over the
    // pushed interactions, and the answer is still the lab's.
    let filter = r#"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click", "purchase")"#;
    let args = |backend: &[&'static str]| {
        let mut a = vec!["recommend", "--user", "u0007", "--filter", filter, "--json"];
        a.extend_from_slice(backend);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run = |a: Vec<String>| json(&sb.ok(&a.iter().map(String::as_str).collect::<Vec<_>>()));
    let lab = run(args(&[]));
    let via = run([args(&["--backend", "pgvector", "--url"]), vec![url.clone()]].concat());
    assert_eq!(ids(&via), ids(&lab));
    let sql = via["backend"]["queries"][0]["sql"].as_str().unwrap();
    assert!(sql.contains("FROM reclab.interactions x WHERE x.item_id = i.item_id AND x.user_id = 'u0007'"), "{sql}");

    // The HNSW pitfall: a scan returns at most hnsw.ef_search rows, whatever the LIMIT; the
    // trace counts them and says so.
    let short = json(&sb.ok(&[
        "similar",
        "1001",
        "--no-builtin",
        "all",
        "--backend",
        "pgvector",
        "--url",
        &url,
        "--ef-search",
        "40",
        "--json",
    ]));
    let q = &short["backend"]["queries"][0];
    assert_eq!((q["limit"].as_u64(), q["rows"].as_u64(), q["ef_search"].as_u64()), (Some(200), Some(40), Some(40)));
    let notes = short["notes"].to_string();
    assert!(notes.contains("pgvector returned 40 of the 200 rows asked for"), "{notes}");

    // Mistakes say what is wrong.
    let err = sb.fails(&["recommend", "--scenario", "shop-launch", "--backend", "pgvector"]);
    assert!(err.contains("--backend pgvector needs --url"), "{err}");
    let err = sb.fails(&[
        "recommend",
        "--scenario",
        "shop-launch",
        "--backend",
        "pgvector",
        "--url",
        &url,
        "--schema",
        "nowhere",
    ]);
    assert!(err.contains("schema nowhere holds no pushed project"), "{err}");
    let err = sb.fails(&["recommend", "--scenario", "shop-launch", "--backend", "milvus"]);
    assert!(err.contains("--backend milvus: use lab or pgvector"), "{err}");
}

/// Filters over every kind of field, the built-ins, and both forms of
/// `Interactions.EVENT_TYPE`: what the SQL removes from the pushed catalog is exactly what the
/// lab's filter removes from its own.
#[test]
fn every_pushed_down_filter_removes_exactly_what_the_labs_filter_removes_on_the_sample() {
    let sb = Sandbox::with_reference_project();
    let pg = PgServer::start();
    sb.ok(&["pg", "push", "--url", &pg.conn_str()]);
    let (project, engine) = sb.open_engine();
    let index = reclab::session::connect_pgvector(&engine, &pg.conn_str(), "reclab", None).unwrap();

    let filters = [
        r#"EXCLUDE ItemID WHERE Items.CATEGORY IN ("Descendant", "weapon")"#,
        r#"INCLUDE ItemID WHERE Items.TAGS IN ("LIMITED") AND Items.PRICE < 3000"#,
        r#"Items.CATEGORY NOT IN ("Makeup") AND (Items.PRICE >= 1000 OR Items.RARITY = "ultimate")"#,
        r#"EXCLUDE ItemID WHERE Items.CATEGORY = CurrentItem.CATEGORY"#,
        r#"Items.DAYS_TO_EXPIRY >= 1 | EXCLUDE ItemID WHERE Items.AGE_DAYS < 3"#,
        "Items.INTERACTIONS = 0",
        "Items.INTERACTIONS > 40",
        "Items.STOCK <= 5",
        "Items.STOCK != 0",
        r#"Items.ORGANIC = true OR Items.RATING > 4.5"#,
        r#"Items.CALORIES < 300 AND Items.BRAND NOT IN ("Oakfield")"#,
        r#"Items.SIZE IN ("M", "L") OR Items.CURRENCY != "caliber""#,
        r#"Items.RELEASED_AT > "2026-11-01" AND Items.EXPIRES_AT != "2026-12-01""#,
        r#"Items.NAME = "Snowflake" OR Items.ID IN ("1002", 1185) OR Items.VERTICAL = "GROCERY""#,
        r#"EXCLUDE ItemID WHERE Items.DESCRIPTION IN ("x") OR Items.NAME_ALT = "눈송이""#,
        r#"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "add_to_cart")"#,
        r#"INCLUDE ItemID WHERE Interactions.EVENT_TYPE NOT IN ("click")"#,
        r#"EXCLUDE ItemID WHERE Items.PRICE > $MAX"#,
    ];
    let launch = reclab::session::load_scenario(&project, "shop-launch").unwrap();
    let mut log_user = launch.clone();
    reclab::session::set_user(&project, &mut log_user, "u0007").unwrap();
    let mut checked = 0;
    // Each expression removes some items and keeps others, for one user or the other.
    let mut decisive = vec![false; filters.len()];
    for base in [&launch, &log_user] {
        for (n, f) in filters.iter().enumerate() {
            let mut req = base.clone();
            req.filter = f.to_string();
            req.params.insert("MAX".into(), "1500".into());
            if n % 3 == 0 {
                req.builtins.include_categories = vec!["premium SKIN".into(), "Makeup".into(), "Descendant".into()];
            } else if n % 3 == 1 {
                req.builtins.exclude_categories = vec!["helper".into()];
            }
            let pushed = engine.pushed_filters(&req, &index).unwrap();
            let steps = engine.recommend(&req).unwrap().filters.len();
            assert_eq!(pushed.len(), steps, "{f}: every filter step is pushed down");
            for p in pushed {
                let sql_removes = index.removed_by(&p.sql).unwrap();
                assert_eq!(sql_removes, p.lab_removes, "{f}, {} ({}):\n{}", p.id, p.label, p.sql);
                checked += 1;
                if p.id.starts_with("expr") && !p.lab_removes.is_empty() && p.lab_removes.len() < 1744 {
                    decisive[n] = true;
                }
            }
        }
    }
    eprintln!("{checked} pushed-down filters checked");
    assert!(checked >= 2 * filters.len() * 8, "{checked} filters checked");
    let idle: Vec<&str> = filters.iter().zip(&decisive).filter(|(_, d)| !**d).map(|(f, _)| *f).collect();
    assert!(idle.is_empty(), "filters that removed nothing or everything: {idle:?}");
}

#[test]
fn the_parity_report_over_50_requests_agrees_at_the_setting_it_recommends() {
    let sb = Sandbox::with_reference_project();
    let pg = PgServer::start();
    sb.ok(&["pg", "push", "--url", &pg.conn_str()]);
    let report = json(&sb.ok(&["pg", "parity", "--url", &pg.conn_str(), "--requests", "50", "--json"]));
    assert_eq!(report["requests"], 50);
    let per_request = report["per_request"].as_array().unwrap();
    assert_eq!(per_request.len(), 50);
    // Scenarios of settings only (no user) are not requests; the others come first.
    assert_eq!(per_request[0]["request"], "scenario korean-bbq-basket");
    assert!(per_request.iter().any(|r| r["request"].as_str().unwrap().starts_with("user ")));
    let mean = report["mean_overlap_at_k"].as_f64().unwrap();
    assert!(mean >= 0.9, "mean overlap@10 {mean}");
    let rows = report["ef_search"].as_array().unwrap();
    let tried: Vec<u64> = rows.iter().map(|r| r["ef_search"].as_u64().unwrap()).collect();
    assert_eq!(tried, [40, 100, 200, 400, 1000]);
    let recommended = report["recommended_ef_search"].as_u64().unwrap();
    let row = rows.iter().find(|r| r["ef_search"].as_u64() == Some(recommended)).unwrap();
    assert_eq!(row["mean_overlap_at_k"], report["mean_overlap_at_k"]);
    assert_eq!(row["short_results"], 0, "{row}");
    assert!(report["iterative_scan"].as_str().unwrap().contains("pgvector 0.6.2 has no hnsw.iterative_scan"));
    assert_eq!(report["pushdown_mismatches"], 0, "{}", report["pushdown"]);
    // Whether the HNSW index answered is known for every request that searched the vectors.
    let searched: Vec<&Value> = per_request.iter().filter(|r| r["limit"].as_u64() > Some(0)).collect();
    assert!(searched.len() >= 45 && searched.iter().all(|r| r["hnsw"].is_boolean()), "{searched:?}");
    let hnsw = searched.iter().filter(|r| r["hnsw"] == true).count();
    assert_eq!(report["hnsw_requests"].as_u64(), Some(hnsw as u64));
    let checks = report["pushdown"].as_array().unwrap();
    assert!(checks.iter().any(|c| c["id"] == "owned" && c["variants"].as_u64().unwrap() > 1), "{checks:?}");
    for r in per_request {
        let overlap = r["overlap_at_k"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&overlap));
        if overlap < 1.0 {
            assert!(!r["only_lab"].as_array().unwrap().is_empty(), "{r}");
        }
    }

    let text = sb.ok(&["pg", "parity", "--url", &pg.conn_str(), "--requests", "8", "--ef-search", "40,200"]);
    assert!(text.contains("parity of 8 request(s)"), "{text}");
    assert!(text.contains("<- recommended"), "{text}");
    assert!(text.contains("pushed-down filters, checked over the whole catalog"), "{text}");
}
