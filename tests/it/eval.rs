//! Offline evaluation and the reaction board through the CLI.

use crate::support::Sandbox;
use serde_json::Value;

fn eval_json(sb: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["eval", "--json"];
    all.extend_from_slice(args);
    let mut v: Value = serde_json::from_str(&sb.ok(&all)).expect("eval --json prints JSON");
    v["seconds"] = Value::Null;
    v
}

#[test]
fn baselines_and_content_on_the_sample_log_are_deterministic_and_stored() {
    let sb = Sandbox::with_reference_project();
    let a = eval_json(&sb, &["--methods", "popularity,cooccurrence,cooccurrence-norm,content", "--k", "10"]);
    let b =
        eval_json(&sb, &["--methods", "popularity,cooccurrence,cooccurrence-norm,content", "--k", "10", "--no-save"]);
    assert_eq!(a, b, "same log, same numbers");
    assert!(a["users"].as_u64().unwrap() > 500);
    let methods = a["methods"].as_array().unwrap();
    assert_eq!(methods.len(), 4);
    let hr = |i: usize| methods[i]["at_k"]["hr"].as_f64().unwrap();
    let random = methods[0]["random_hr"].as_f64().unwrap();
    for (i, m) in methods.iter().enumerate() {
        assert!(hr(i) > 5.0 * random, "{} beats random by far: {} vs {random}", m["method"], hr(i));
    }
    assert!(hr(1) > hr(0), "co-occurrence beats popularity on this log");
    assert_eq!(methods[3]["curve"].as_array().unwrap().len(), 20);
    let runs = sb.ok(&["eval", "runs"]);
    assert_eq!(runs.lines().count(), 1, "only the first run was stored: {runs}");
    let id = runs.split_whitespace().next().unwrap();
    let csv = sb.ok(&["eval", "show", id, "--csv"]);
    assert!(csv.starts_with("method,k,hr,ndcg,mrr,coverage"), "{csv}");
    assert_eq!(csv.lines().count(), 5);
    let text = sb.ok(&["eval", "show", id]);
    assert!(text.contains("a random ranking would reach HR@10"), "{text}");
}

#[test]
fn the_freshness_rules_show_their_effect_on_the_grocery_vertical() {
    let sb = Sandbox::with_reference_project();
    let r = eval_json(
        &sb,
        &[
            "--vertical",
            "grocery",
            "--at-now",
            "--methods",
            "content",
            "--scenario",
            "grocery-no-freshness",
            "--compare-scenario",
            "grocery-freshness",
            "--no-save",
        ],
    );
    let cmp = &r["comparison"];
    let delta = |name: &str| cmp["deltas"].as_array().unwrap().iter().find(|d| d[0] == name).unwrap().clone();
    let expired = delta("expired share");
    assert!(
        expired[1].as_f64().unwrap() > 0.0,
        "without the filter some recommended groceries have expired: {expired}"
    );
    assert_eq!(expired[2].as_f64().unwrap(), 0.0, "with it none has");
    let days = delta("mean days to expiry");
    assert!(days[3].as_f64().unwrap() > 0.0, "the freshness boost favours fresher items: {days}");
    assert!(
        r["catalog_items"].as_u64().unwrap() > 400 && r["catalog_items"].as_u64().unwrap() < 700,
        "grocery items only"
    );
}

#[test]
fn an_interaction_file_with_crlf_and_quoted_commas_can_be_evaluated() {
    let sb = Sandbox::with_reference_project();
    let log = sb.write(
        "log.csv",
        "user_id,item_id,event_type,timestamp,note\r\n\
         u1,1001,purchase,2026-11-10T10:00:00Z,\"launch, day one\"\r\n\
         u1,1002,purchase,2026-11-10T10:05:00Z,\"skin, premium\"\r\n\
         u2,2001,purchase,2026-11-11T09:00:00Z,\r\n\
         u2,2004,purchase,2026-11-11T09:00:00Z,\"same time, later row\"\r\n\
         u3,1001,view,2026-11-12T09:00:00Z,single\r\n",
    );
    let r =
        eval_json(&sb, &["--log", log.to_str().unwrap(), "--methods", "popularity,content", "--k", "5", "--no-save"]);
    assert_eq!(r["users"], 2);
    assert_eq!(r["single_item_users"], 1);
    // Each test item appears only in its user's test: popularity cannot rank it.
    assert_eq!(r["test_items_unseen_in_training"], 2);
    assert_eq!(r["methods"][0]["at_k"]["hr"].as_f64(), Some(0.0));
    let content_ranks: Vec<Value> =
        r["methods"][1]["per_user"].as_array().unwrap().iter().map(|u| u[1].clone()).collect();
    assert!(
        content_ranks.iter().any(|r| !r.is_null()),
        "content can rank items never seen in training: {content_ranks:?}"
    );
}

#[test]
fn the_reaction_board_ranks_items_and_flags_the_launch_spike() {
    let sb = Sandbox::with_reference_project();
    let rows: Value = serde_json::from_str(&sb.ok(&[
        "board",
        "--at",
        "2026-11-11T00:00:00Z",
        "--window",
        "24h",
        "--sort",
        "views",
        "--json",
    ]))
    .unwrap();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    let top = &rows[0];
    assert_eq!(top["ranks"][0], 1);
    assert!(rows.windows(2).all(|w| w[0]["views"].as_u64() >= w[1]["views"].as_u64()), "ranked by views");
    assert!(
        rows.iter()
            .take(10)
            .any(|r| ["1001", "1002", "1003", "1009", "1010"].contains(&r["item_id"].as_str().unwrap())),
        "launch items lead the day after launch"
    );
    assert!(rows.iter().any(|r| r["hot"] == true), "the launch makes activity jump");
    let text = sb.ok(&["board", "--at", "2026-11-11T00:00:00Z", "--top", "5"]);
    assert!(
        text.contains("reaction board for (2026-11-10T00:00:00Z, 2026-11-11T00:00:00Z], ranked by orders"),
        "{text}"
    );
    let err = sb.fails(&["board", "--sort", "likes"]);
    assert!(err.contains("--sort likes"), "{err}");
}

#[test]
fn a_project_with_a_log_and_no_vectors_evaluates_the_baselines_and_skips_content() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    // The default methods: the three baselines and the content method.
    let out = sb.run(&["eval", "--json", "--no-save"]);
    assert!(out.status.success(), "exit 0 when a method ran: {}", String::from_utf8_lossy(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).expect("eval --json prints JSON");
    let ran: Vec<&str> = r["methods"].as_array().unwrap().iter().map(|m| m["method"].as_str().unwrap()).collect();
    assert_eq!(ran, ["popularity", "co-occurrence", "co-occurrence (normalised)"]);
    assert!(r["users"].as_u64().unwrap() > 500, "{}", r["users"]);
    let hr = r["methods"][1]["at_k"]["hr"].as_f64().unwrap();
    assert!(hr > 5.0 * r["methods"][1]["random_hr"].as_f64().unwrap(), "co-occurrence ranks: {hr}");
    let skipped = r["skipped"].as_array().expect("a skipped list");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0]["method"], "content (profile)");
    assert!(skipped[0]["reason"].as_str().unwrap().contains("no vectors"), "{skipped:?}");

    // The same in the text report and the CSV.
    let text = sb.ok(&["eval", "--no-save", "--methods", "popularity,content"]);
    assert!(text.lines().any(|l| l.starts_with("popularity ")), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("content (profile)") && l.contains("skipped: the project has no vectors")),
        "{text}"
    );
    let csv = sb.ok(&["eval", "--no-save", "--csv", "--methods", "cooccurrence,content"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].ends_with(",random_hr,skipped"), "{csv}");
    assert!(lines[1].starts_with("co-occurrence,10,") && lines[1].ends_with(','), "{csv}");
    assert!(lines[2].starts_with("content (profile),10,,") && lines[2].contains("no vectors"), "{csv}");

    // A stored run keeps the skipped method.
    sb.ok(&["eval", "--methods", "popularity,content"]);
    let shown = sb.ok(&["eval", "show", "1", "--json"]);
    let stored: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(stored["skipped"][0]["method"], "content (profile)");

    // Nothing can run: a clear failure, not an empty report.
    let err = sb.fails(&["eval", "--no-save", "--methods", "content"]);
    assert!(err.contains("no method could run") && err.contains("no vectors"), "{err}");
}

#[test]
fn hot_items_the_pipeline_never_shows_are_listed_with_the_reason() {
    let sb = Sandbox::with_reference_project();
    // At the project's now, so each user's whole history counts, as `recommend --user` reads it.
    let args = ["board", "--not-shown", "--users", "12", "--top", "15", "--json"];
    let json = sb.ok(&args);
    assert_eq!(json, sb.ok(&args), "same log, same pipeline: the same list, byte for byte");
    let r: Value = serde_json::from_str(&json).unwrap();
    let users: Vec<&str> = r["users"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert_eq!(users.len(), 12);
    assert_eq!(r["hot"], 15);
    let items = r["items"].as_array().unwrap();
    assert!(!items.is_empty(), "some hot items never reach these users: {r}");
    assert_eq!(r["hot_shown"].as_u64().unwrap() + items.len() as u64, 15);
    let kinds = ["not_in_catalog", "filter", "rule", "below_cut", "not_candidate"];
    for i in items {
        assert!(kinds.contains(&i["why"]["kind"].as_str().unwrap()), "{i}");
        assert!(!i["reason"].as_str().unwrap().is_empty());
        assert!(i["board_rank"].as_u64().unwrap() <= 15);
    }
    // Checked against the pipeline itself: no listed item is in any of these users' results.
    let listed: Vec<&str> = items.iter().map(|i| i["item_id"].as_str().unwrap()).collect();
    for user in users.iter().take(3) {
        let rec: Value = serde_json::from_str(&sb.ok(&["recommend", "--user", user, "--json"])).unwrap();
        for row in rec["results"].as_array().unwrap() {
            assert!(!listed.contains(&row["item_id"].as_str().unwrap()), "{user} is shown {row}");
        }
    }
    let text = sb.ok(&["board", "--not-shown", "--users", "12", "--top", "15"]);
    assert!(text.starts_with("hot but not shown: of the board's top 15 by orders"), "{text}");
    assert!(text.contains(items[0]["reason"].as_str().unwrap()), "{text}");
    let err = sb.fails(&["board", "--not-shown", "--scenario", "nope"]);
    assert!(err.contains("no scenario named 'nope'"), "{err}");
}
