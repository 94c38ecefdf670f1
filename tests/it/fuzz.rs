//! Property-based fuzz tests on stable Rust (proptest): the catalog importer (CSV, TSV, JSON,
//! JSON Lines), the filter parser and binder, rule presets and scenarios (TOML and JSON), and
//! opening arbitrary bytes as a project. None of them may panic, and what they promise
//! (every row read is imported or rejected, a refused file is left as it was) must hold.
//!
//! A normal test run tries a modest number of cases. Longer runs:
//!
//! ```sh
//! RECLAB_FUZZ_SECONDS=600 cargo test --release --test it fuzz_ -- --nocapture --test-threads 1
//! RECLAB_FUZZ_CASES=100000 cargo test --test it fuzz_filter -- --nocapture
//! ```

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use reclab::catalog::{ImportOptions, Item, parse_catalog, parse_interactions, read_table_bytes};
use reclab::pipeline::filter::{BindContext, EvalContext};
use reclab::pipeline::{Filter, Request, RuleSet, Schema};
use reclab::store::{ImportKind, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

/// Runs `test` on values of `strategy`: `RECLAB_FUZZ_CASES` cases (else `default_cases`), or
/// with `RECLAB_FUZZ_SECONDS`, batches of cases with fresh seeds until that much time passed.
fn fuzz<S: Strategy>(name: &str, strategy: S, default_cases: u32, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let seconds = env("RECLAB_FUZZ_SECONDS");
    let cases = env("RECLAB_FUZZ_CASES").map(|c| c as u32).unwrap_or(default_cases);
    let batch = if seconds.is_some() { 2_000 } else { cases };
    let started = Instant::now();
    let mut total = 0u64;
    loop {
        let config = Config { cases: batch, failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() };
        let mut runner = TestRunner::new(config);
        match runner.run(&strategy, &test) {
            Ok(()) => {}
            Err(TestError::Fail(reason, value)) => panic!("fuzz {name}: {reason}\nminimal input: {value:?}"),
            Err(TestError::Abort(reason)) => panic!("fuzz {name}: aborted: {reason}"),
        }
        total += u64::from(batch);
        match seconds {
            Some(s) if started.elapsed() < Duration::from_secs(s) => {}
            _ => break,
        }
    }
    eprintln!("fuzz {name}: {total} cases in {:.1} s, no failure", started.elapsed().as_secs_f64());
}

/// Text made of the pieces that matter to a CSV reader, and a few others.
fn csv_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("\"\"".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\t".to_string()),
        Just("\u{feff}".to_string()),
        Just("id".to_string()),
        Just("name".to_string()),
        Just("price".to_string()),
        Just("released_at".to_string()),
        Just("user_id,item_id,event_type,timestamp".to_string()),
        Just("2026-11-15".to_string()),
        Just("1794744000000".to_string()),
        Just("12,900".to_string()),
        Just("NaN".to_string()),
        Just("세레나".to_string()),
        "[a-z0-9 ]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// JSON made of arbitrary values, as an array of objects or as lines.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|n| serde_json::json!(n)),
        "[a-z0-9 \"\\\\]{0,8}".prop_map(serde_json::Value::String),
        Just(serde_json::json!("12345678901234567890123")),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    let key = prop_oneof![Just("id".to_string()), Just("name".to_string()), Just("price".to_string()), "[a-z]{1,4}"];
    let object = proptest::collection::btree_map(key, value, 0..5);
    (proptest::collection::vec(object, 0..6), any::<bool>(), "[0-9\\]\\[{},:\"]{0,3}").prop_map(
        |(rows, lines, junk)| {
            let objects: Vec<String> =
                rows.into_iter().map(|m| serde_json::Value::Object(m.into_iter().collect()).to_string()).collect();
            let mut s = if lines { objects.join("\n") } else { format!("[{}]", objects.join(",\n")) };
            s.push_str(&junk);
            s
        },
    )
}

fn check_import(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = Path::new(name);
    let Ok(table) = read_table_bytes(path, bytes) else { return Ok(()) };
    if let Ok(parsed) = parse_catalog(path, &table, &ImportOptions::default()) {
        prop_assert_eq!(parsed.rows_read as usize, parsed.items.len() + parsed.rejected.len());
        let mut p = Project::in_memory().expect("in-memory project");
        let _ = p.import_bytes(
            path,
            bytes,
            ImportKind::Catalog,
            &ImportOptions::default(),
            &reclab::jobs::ProgressSink::none(),
        );
    }
    if let Ok(parsed) = parse_interactions(path, &table, &[]) {
        prop_assert_eq!(parsed.rows_read as usize, parsed.events.len() + parsed.rejected.len());
    }
    Ok(())
}

#[test]
fn fuzz_catalog_import() {
    let input = prop_oneof![
        csv_text().prop_map(|s| s.into_bytes()),
        json_text().prop_map(|s| s.into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..512),
    ];
    fuzz("catalog import", (input, 0..4usize), 1_000, |(bytes, ext)| {
        check_import(["f.csv", "f.tsv", "f.json", "f.jsonl"][ext], &bytes)?;
        check_import("f", &bytes)
    });
}

fn filter_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("("),
        Just(")"),
        Just("Items.PRICE"),
        Just("Items.CATEGORY"),
        Just("Items.TAGS"),
        Just("Items.RARITY"),
        Just("Items.RELEASED_AT"),
        Just("Items.DAYS_TO_EXPIRY"),
        Just("Interactions.EVENT_TYPE"),
        Just("CurrentItem.CATEGORY"),
        Just("CurrentItem.PRICE"),
        Just("EXCLUDE ItemID WHERE"),
        Just("INCLUDE ItemID WHERE"),
        Just("IN"),
        Just("NOT"),
        Just("AND"),
        Just("OR"),
        Just("|"),
        Just("="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just(","),
        Just("."),
        Just("\"Descendant\""),
        Just("\"2026-11-15\""),
        Just("'x"),
        Just("“a”"),
        Just("3"),
        Just("-1.5"),
        Just("1e400"),
        Just("$CATEGORY"),
        Just("$NOW"),
        Just("$"),
        Just("true"),
        Just("!"),
        Just("é"),
    ];
    let tokens = proptest::collection::vec((token, any::<bool>()), 0..40)
        .prop_map(|v| v.into_iter().map(|(t, space)| if space { format!("{t} ") } else { t.to_string() }).collect());
    prop_oneof![4 => tokens, 1 => any::<String>()]
}

fn items() -> Vec<Item> {
    let mut a = Item {
        id: "1".into(),
        name: "Serena".into(),
        category: Some("Descendant".into()),
        tags: vec!["serena".into()],
        price: Some(1800.0),
        released_at: Some(1_794_000_000),
        expires_at: Some(1_795_000_000),
        ..Default::default()
    };
    a.attrs.insert("rarity".into(), reclab::catalog::AttrValue::Text("Ultimate|Rare".into()));
    vec![a, Item { id: "2".into(), ..Default::default() }]
}

#[test]
fn fuzz_filter_parser_and_binder() {
    let mut attributes = BTreeMap::new();
    attributes.insert("rarity".to_string(), reclab::catalog::AttrKind::Text);
    let schema = Schema { attributes };
    let catalog = items();
    fuzz("filter", (filter_text(), "[A-Za-z\", 0-9]{0,12}", any::<bool>()), 2_000, |(text, param, current)| {
        match Filter::parse(&text, &schema) {
            Err(e) => {
                prop_assert!(e.position <= text.chars().count(), "position {} in {:?}", e.position, text);
                let _ = e.render(&text);
            }
            Ok(f) => {
                let mut params = BTreeMap::new();
                params.insert("CATEGORY".to_string(), param);
                let bind = BindContext { params: &params, current: current.then(|| &catalog[0]), now: 1_794_744_000 };
                if let Ok(bound) = f.bind(&bind) {
                    let events: BTreeMap<String, BTreeSet<String>> =
                        [("1".to_string(), ["purchase".to_string()].into())].into();
                    let user_events = |id: &str| events.get(id);
                    let interactions = |_: &str| 3;
                    let ctx =
                        EvalContext { user_events: &user_events, interactions: &interactions, now: 1_794_744_000 };
                    for it in &catalog {
                        let _ = bound.first_removal(it, &ctx);
                    }
                }
            }
        }
        Ok(())
    });
}

fn rules_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[[rules]]\n".to_string()),
        Just("kind = \"mmr\"\n".to_string()),
        Just("kind = \"pin\"\n".to_string()),
        Just("kind = \"popularity\"\n".to_string()),
        Just("kind = \"price_band\"\n".to_string()),
        Just("kind = \"freshness\"\n".to_string()),
        Just("lambda = 0.7\n".to_string()),
        Just("lambda = nan\n".to_string()),
        Just("weight = 0.1\n".to_string()),
        Just("weight = inf\n".to_string()),
        Just("window_days = -3\n".to_string()),
        Just("horizon_days = 0\n".to_string()),
        Just("min = 10\nmax = 1\n".to_string()),
        Just("slots = [1, 3]\n".to_string()),
        Just("slots = [0]\n".to_string()),
        Just("slots = [18446744073709551615]\n".to_string()),
        Just("filter = 'Items.PRICE < 3'\n".to_string()),
        Just("filter = '((((Items.PRICE < 3'\n".to_string()),
        Just("name = \"x\"\n".to_string()),
        Just("enabled = false\n".to_string()),
        Just("a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".repeat(40)),
        Just("{\"rules\": [{\"kind\": \"mmr\", \"lambda\": 0.5}]}".to_string()),
        Just("[{\"kind\": \"new_item\", \"weight\": 1e999}]".to_string()),
        "[a-z =\\[\\]\"'{}:,\n0-9.]{0,20}",
    ];
    proptest::collection::vec(piece, 0..14).prop_map(|v| v.concat())
}

#[test]
fn fuzz_rules_and_scenarios() {
    let schema = Schema::default();
    fuzz("rules and scenarios", (rules_text(), any::<bool>()), 1_000, |(text, json)| {
        let origin = if json { "r.json" } else { "r.toml" };
        if let Ok(set) = RuleSet::parse(&text, origin) {
            let _ = set.check_filters(&schema);
            let again = RuleSet::parse(&set.to_toml(), "again.toml");
            prop_assert!(again.as_ref().is_ok_and(|a| a.rules.len() == set.rules.len()), "{:?}", again);
            let again = RuleSet::parse(&set.to_json(), "again.json");
            prop_assert!(again.is_ok(), "{:?}", again);
        }
        let _ = serde_json::from_str::<Request>(&text);
        Ok(())
    });
}

/// A small, valid project file's bytes, to mutate.
fn valid_project() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p.reclab");
        {
            let mut p = Project::open(&path).expect("create");
            p.import_bytes(
                Path::new("c.csv"),
                b"id,name,rarity\n1,Serena,Ultimate\n2,Peony,Rare\n",
                ImportKind::Catalog,
                &ImportOptions::default(),
                &reclab::jobs::ProgressSink::none(),
            )
            .expect("import");
            p.put_vectors("m@1", 2, &[([1; 16], vec![1.0, 0.0])]).expect("vectors");
            p.set_setting("now", "2026-11-15T12:00:00Z").expect("setting");
        }
        std::fs::read(&path).expect("read the project")
    })
}

fn project_bytes() -> impl Strategy<Value = Vec<u8>> {
    let valid = valid_project().to_vec();
    let len = valid.len();
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..2048),
        proptest::collection::vec(any::<u8>(), 0..2048).prop_map(|tail| {
            let mut v = b"SQLite format 3\0".to_vec();
            v.extend(tail);
            v
        }),
        (proptest::collection::vec((0..len, any::<u8>()), 1..24), 0..=len).prop_map(move |(flips, cut)| {
            let mut v = valid.clone();
            for (i, b) in flips {
                v[i] = b;
            }
            v.truncate(cut.max(16));
            v
        }),
    ]
}

#[test]
fn fuzz_open_random_bytes_as_a_project() {
    let dir = tempfile::tempdir().expect("temp dir");
    let n = std::sync::atomic::AtomicU64::new(0);
    fuzz("open project", (project_bytes(), any::<bool>()), 500, |(bytes, read_only)| {
        let path = dir.path().join(format!("case-{}.reclab", n.fetch_add(1, std::sync::atomic::Ordering::Relaxed)));
        std::fs::write(&path, &bytes).expect("write the case");
        let opened = if read_only { Project::open_read_only(&path) } else { Project::open_existing(&path) };
        match opened {
            Err(_) => {
                prop_assert_eq!(std::fs::read(&path).expect("read back"), bytes, "a refused file is left alone");
            }
            Ok(p) => {
                let _ = p.stats();
                let _ = p.load_items();
                let _ = p.attributes();
                let _ = p.load_interactions();
                let _ = p.load_vectors("m@1");
                let _ = p.list_users();
                let _ = p.import_history(5);
            }
        }
        for suffix in ["", "-wal", "-shm", ".lock"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        Ok(())
    });
}
