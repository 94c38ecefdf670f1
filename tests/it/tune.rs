//! The rule tuner through the CLI, on the sample project with the reference model.

use crate::support::Sandbox;
use serde_json::Value;

#[test]
fn a_tuned_configuration_is_saved_and_scores_the_same_in_eval() {
    let sb = Sandbox::with_reference_project();
    let out = sb.ok(&["tune", "--trials", "9", "--seed", "2", "--save", "tuned", "--json"]);
    let r: Value = serde_json::from_str(&out).expect("tune --json prints JSON");
    assert_eq!(r["trials"].as_array().unwrap().len(), 9);
    assert!(r["validation_users"].as_u64().unwrap() > 400, "{}", r["validation_users"]);
    let best = r["best"].as_u64().unwrap();
    let first = &r["trials"][0];
    assert_eq!(first["id"].as_u64(), Some(best), "the leaderboard starts with the best");
    assert_eq!(first["users"], r["validation_users"], "the best is scored on every validation user");
    let test = r["test"]["methods"].as_array().unwrap();
    let hr = |name: &str| test.iter().find(|m| m["method"] == name).unwrap()["at_k"]["hr"].as_f64().unwrap();
    assert!(hr("tuned") > 0.0 && hr("starting configuration") > 0.0);

    // The saved scenario is the tuned configuration: `eval --scenario` gives the same test
    // numbers, and it recommends for any user.
    let e: Value =
        serde_json::from_str(&sb.ok(&["eval", "--scenario", "tuned", "--methods", "content", "--no-save", "--json"]))
            .unwrap();
    let m = &e["methods"][0];
    assert_eq!(m["method"], "content (tuned)");
    assert_eq!(m["at_k"]["hr"].as_f64().unwrap(), hr("tuned"));
    let rec: Value =
        serde_json::from_str(&sb.ok(&["recommend", "--scenario", "tuned", "--user", "u0222", "--json"])).unwrap();
    assert_eq!(rec["results"].as_array().unwrap().len(), 10);

    // The text report: the leaderboard, the best, and the test split after the search.
    let text = sb.ok(&["tune", "--trials", "4", "--seed", "2", "--knobs", "rules,sources"]);
    assert!(text.contains("successive halving"), "{text}");
    assert!(text.contains("test split (each user's last item, scored once, after the search)"), "{text}");
}

#[test]
fn bad_tuner_options_say_what_is_wrong() {
    let sb = Sandbox::with_reference_project();
    let e = sb.fails(&["tune", "--objective", "hr@ten"]);
    assert!(e.contains("--objective hr@ten: use hr@K, ndcg@K or mrr"), "{e}");
    let e = sb.fails(&["tune", "--knobs", "rules,colour"]);
    assert!(e.contains("'colour' is not a knob"), "{e}");
    let e = sb.fails(&["tune", "--min-new-share", "1.5"]);
    assert!(e.contains("--min-new-share 1.5: expected a number from 0 to 1"), "{e}");
    let e = sb.fails(&["tune", "--time-limit", "soon"]);
    assert!(e.contains("--time-limit soon"), "{e}");
}
