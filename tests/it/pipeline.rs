//! The recommendation pipeline through the CLI, on the sample data embedded with the
//! reference model.

use crate::support::{Sandbox, sample};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

fn recommend(sb: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["recommend", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&sb.ok(&all)).expect("recommend --json prints JSON")
}

fn ids(rec: &Value) -> Vec<String> {
    rec["results"].as_array().unwrap().iter().map(|r| r["item_id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn the_launch_scenario_recommends_serena_items_first() {
    let sb = Sandbox::with_reference_project();
    let rec = recommend(&sb, &["--action", "purchase:1001@5m"]);
    let top = ids(&rec);
    let serena: HashSet<&str> = ["1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010"].into();
    let hits = top.iter().take(5).filter(|id| serena.contains(id.as_str())).count();
    assert!(hits >= 4, "at least 4 of the top 5 are Serena's launch items: {top:?}");
    assert_eq!(top[0], "1002", "her premium skin comes first: {top:?}");
    assert!(!top.contains(&"1001".to_string()), "the item just bought is not recommended");
    let c = rec["candidates"].as_array().unwrap().iter().find(|c| c["item_id"] == "1001").unwrap();
    assert_eq!(c["removed_by"], "anchor");
    assert!(rec["results"][0]["reason"].as_str().unwrap().starts_with("similar to Serena (purchased 5 min ago)"));
    assert_eq!(rec["now"], "2026-11-15T12:00:00Z", "the sample project's now");
}

#[test]
fn filters_trace_what_they_removed() {
    let sb = Sandbox::with_reference_project();
    let rec = recommend(
        &sb,
        &[
            "--action",
            "purchase:1001@5m",
            "--filter",
            r#"EXCLUDE ItemID WHERE Items.CATEGORY IN ("Makeup", "Head skin")"#,
        ],
    );
    let results = rec["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    assert!(results.iter().all(|r| r["category"] != "Makeup" && r["category"] != "Head skin"));
    let expr = rec["filters"].as_array().unwrap().iter().find(|f| f["id"] == "expr1").unwrap();
    let removed: Vec<&Value> =
        rec["candidates"].as_array().unwrap().iter().filter(|c| c["removed_by"] == "expr1").collect();
    assert_eq!(expr["removed"].as_u64().unwrap() as usize, removed.len());
    assert!(removed.iter().any(|c| c["item_id"] == "1007"), "Peony (Makeup) was a candidate and was removed");
    assert_eq!(expr["clauses"][0]["text"], r#"Items.CATEGORY IN ("Makeup", "Head skin")"#);
    // Each filter's input is the previous one's output.
    let filters = rec["filters"].as_array().unwrap();
    for w in filters.windows(2) {
        assert_eq!(
            w[1]["input"].as_u64().unwrap(),
            w[0]["input"].as_u64().unwrap() - w[0]["removed"].as_u64().unwrap()
        );
    }
    // The text output names the removed items too.
    let text = sb.ok(&[
        "recommend",
        "--action",
        "purchase:1001@5m",
        "--filter",
        r#"EXCLUDE ItemID WHERE Items.CATEGORY IN ("Makeup")"#,
    ]);
    assert!(text.contains("expr1 removed: ") && text.contains("Peony"), "{text}");
}

#[test]
fn rule_contributions_add_up_and_mmr_spreads_categories() {
    let sb = Sandbox::with_reference_project();
    let with_rules = recommend(&sb, &["--action", "purchase:1001@5m", "--rules", "launch-week"]);
    for r in with_rules["results"].as_array().unwrap() {
        let sum: f64 = r["similarity"].as_f64().unwrap()
            + r["contributions"].as_array().unwrap().iter().map(|c| c["value"].as_f64().unwrap()).sum::<f64>();
        assert!((sum - r["score"].as_f64().unwrap()).abs() < 1e-5, "{r}");
    }
    assert!(
        with_rules["results"].as_array().unwrap().iter().any(|r| r["rank_change"].as_i64().unwrap() != 0),
        "the rules moved something"
    );
    assert_eq!(with_rules["results"][2]["pinned_by"], "promote helpers", "the preset pins a helper into slot 3");

    let repeats = |rec: &Value| {
        let mut per: BTreeMap<String, usize> = BTreeMap::new();
        for r in rec["results"].as_array().unwrap() {
            *per.entry(r["category"].as_str().unwrap_or("").to_string()).or_default() += 1;
        }
        per.values().map(|n| n - 1).sum::<usize>()
    };
    let plain = recommend(&sb, &["--action", "purchase:1001@5m"]);
    let mmr_file = sb.write("mmr.toml", "[[rules]]\nkind = \"mmr\"\nlambda = 0.5\n");
    let diverse = recommend(&sb, &["--action", "purchase:1001@5m", "--rules", mmr_file.to_str().unwrap()]);
    assert!(
        repeats(&diverse) < repeats(&plain),
        "MMR: {} same-category repeats vs {}",
        repeats(&diverse),
        repeats(&plain)
    );
}

#[test]
fn an_item_added_after_indexing_is_recommended_without_a_rebuild() {
    let sb = Sandbox::with_reference_project();
    // Build the index once.
    recommend(&sb, &["--action", "purchase:1001@5m"]);
    let out = sb.cmd().args(["items", "add", "--file", sample("new_items.csv").to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("added 17 and updated 0 item(s); embedded 17 text(s)"), "{stdout}");
    assert!(!stderr.contains("vector index built"), "no rebuild: {stderr}");
    let rec = recommend(&sb, &["--action", "purchase:1001@5m", "--baseline"]);
    let row = rec["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item_id"] == "1901")
        .expect("Serena's Winter Bloom is recommended at once");
    assert_eq!(row["is_new"], true);
    assert!(row["reason"].as_str().unwrap().contains("new: no interactions yet"));
    let baseline = rec["baseline"]["results"].as_array().unwrap();
    assert!(!baseline.is_empty());
    assert!(
        baseline.iter().all(|r| r["item_id"] != "1901" && r["is_new"] == false),
        "co-occurrence cannot recommend a new item"
    );
    // Reopening maps the saved index and searches the new items beside it: no rebuild.
    let out = sb.cmd().args(["recommend", "--action", "purchase:1001@5m", "--json"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("vector index built"), "no rebuild on reopen");
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(again["results"].as_array().unwrap().iter().any(|r| r["item_id"] == "1901"), "still recommended");
}

#[test]
fn index_recall_at_10_against_exact_search_on_the_sample_catalog() {
    let sb = Sandbox::with_reference_project();
    let (_project, engine) = sb.open_engine();
    let ann = engine.ann().unwrap();
    let keys = engine.vectors().keys().to_vec();
    let mut recall = 0.0;
    for &k in &keys {
        let q = engine.vectors().get(k).unwrap().to_vec();
        let exact = engine.vectors().search(&q, 10, |_| true);
        let approx = ann.search(&q, 10).unwrap();
        recall += reclab::index::recall_at_k(&exact, &approx, 10);
    }
    let recall = recall / keys.len() as f64;
    eprintln!("recall@10 over {} queries: {recall:.4}", keys.len());
    assert!(recall >= 0.99, "recall@10 {recall}");
}

#[test]
fn a_malformed_filter_gets_a_positioned_error() {
    let sb = Sandbox::with_reference_project();
    let err = sb.fails(&[
        "recommend",
        "--action",
        "purchase:1001",
        "--filter",
        r#"EXCLUDE ItemID WHERE Items.CATEGORY INN ("x")"#,
    ]);
    assert!(
        err.contains("filter error at position 36: expected IN, NOT IN or a comparison (=, !=, <, <=, >, >=) after Items.CATEGORY, found 'INN'"),
        "{err}"
    );
    assert!(err.contains(&format!("\n  {}^^^", " ".repeat(36))), "a caret marks the spot:\n{err}");
    assert_eq!(err.matches("filter error at position 36").count(), 1, "the error is printed once:\n{err}");
    let err = sb.fails(&["recommend", "--action", "purchase:1001", "--filter", "Items.RARTY = \"Ultimate\""]);
    assert!(err.contains("unknown field Items.RARTY") && err.contains("did you mean RARITY?"), "{err}");
    let err = sb.fails(&["recommend", "--action", "purchase:1001", "--filter", "Items.CATEGORY IN ($CATEGORY)"]);
    assert!(err.contains("$CATEGORY has no value: pass it with the request (--param CATEGORY=…)"), "{err}");
    let ok = recommend(
        &sb,
        &[
            "--action",
            "purchase:1001",
            "--filter",
            "INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)",
            "--param",
            "CATEGORY=\"Head skin\",\"Makeup\"",
        ],
    );
    assert!(
        ok["results"].as_array().unwrap().iter().all(|r| r["category"] == "Head skin" || r["category"] == "Makeup")
    );
}

#[test]
fn the_same_request_twice_gives_byte_identical_json() {
    let sb = Sandbox::with_reference_project();
    let args =
        ["recommend", "--json", "--user", "u0001", "--strategy", "profile", "--rules", "launch-week", "--baseline"];
    let a = sb.ok(&args);
    let b = sb.ok(&args);
    assert_eq!(a, b);
    assert!(a.len() > 1000);
}

#[test]
fn similar_items_users_rules_and_scenarios_from_the_cli() {
    let sb = Sandbox::with_reference_project();
    let sim: Value = serde_json::from_str(&sb.ok(&["similar", "2001", "--json", "--k", "5"])).unwrap();
    assert_eq!(sim["strategy"], "similar_items");
    assert_eq!(sim["results"].as_array().unwrap().len(), 5);
    assert!(
        sim["results"].as_array().unwrap().iter().all(|r| r["item_id"].as_str().unwrap().starts_with('2')),
        "{sim}"
    );

    sb.ok(&["users", "create", "demo", "--action", "view:1003@30m", "--action", "purchase:1001@5m"]);
    let shown = sb.ok(&["users", "show", "demo"]);
    assert!(shown.contains("purchased") && shown.contains("1001 Serena") && shown.contains("5 min ago"), "{shown}");
    let by_user = recommend(&sb, &["--user", "demo"]);
    let by_actions = recommend(&sb, &["--action", "view:1003@30m", "--action", "purchase:1001@5m"]);
    assert_eq!(ids(&by_user), ids(&by_actions));
    let err = sb.fails(&["users", "create", "x", "--action", "purchase:nope"]);
    assert!(err.contains("item nope is not in the catalog"), "{err}");

    let rules = sb.write("r.toml", "[[rules]]\nkind = \"new_item\"\nweight = 0.2\n");
    sb.ok(&["rules", "save", "cold", rules.to_str().unwrap()]);
    assert!(sb.ok(&["rules", "list"]).contains("cold"));
    assert!(sb.ok(&["rules", "show", "cold"]).contains("kind = \"new_item\""));
    let err = sb.fails(&[
        "rules",
        "save",
        "bad",
        sb.write("bad.toml", "[[rules]]\nkind = \"mmr\"\nlambda = 2\n").to_str().unwrap(),
    ]);
    assert!(err.contains("lambda must be between 0 and 1"), "{err}");

    sb.ok(&["recommend", "--user", "demo", "--rules", "cold", "--save-scenario", "demo-cold"]);
    let from_scenario = recommend(&sb, &["--scenario", "demo-cold"]);
    let direct = recommend(&sb, &["--user", "demo", "--rules", "cold"]);
    assert_eq!(from_scenario["results"], direct["results"]);
    assert!(sb.ok(&["scenarios", "list"]).contains("serena-launch"), "the sample scenarios are there");
}

#[test]
fn exports_trace_csv_and_pgvector_sql() {
    let sb = Sandbox::with_reference_project();
    let csv_path = sb.path("trace.csv");
    sb.ok(&[
        "recommend",
        "--action",
        "purchase:1001@5m",
        "--rules",
        "launch-week",
        "--csv",
        "--out",
        csv_path.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert!(
        header.contains(&"removed_by".to_string()) && header.contains(&"contribution:popularity".to_string()),
        "{header:?}"
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert!(rows.len() >= 200);
    assert!(rows.iter().any(|r| &r[5] == "anchor" && &r[1] == "1001"));
    assert_eq!(rows.iter().filter(|r| !r[8].is_empty()).count(), 10, "ten ranked rows");
    let sources = header.iter().position(|h| h == "sources").expect("a sources column");
    assert!(rows.iter().all(|r| r[sources].starts_with("content:")), "the content source proposed every candidate");

    let sql_path = sb.path("items.sql");
    sb.ok(&["vectors", "export", "--format", "pgvector", "--out", sql_path.to_str().unwrap()]);
    let sql = std::fs::read_to_string(&sql_path).unwrap();
    assert!(sql.contains("embedding vector(384) NOT NULL"));
    assert!(sql.contains("('1002', 'Serena''s Exo Sister', '세레나의 엑소 시스터', 'Premium skin', 2800, '["));
    assert_eq!(sql.matches("\n  ('").count(), 1744);
}
