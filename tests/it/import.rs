//! Catalog and interaction import through the CLI: reports, bad input, idempotency.

use crate::support::{Sandbox, sample};
use serde_json::Value;

fn import_json(sb: &Sandbox, file: &std::path::Path, extra: &[&str]) -> Value {
    let mut args = vec!["import", file.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&sb.ok(&args)).expect("import --json prints JSON")
}

fn rejected(report: &Value) -> Vec<(u64, String)> {
    report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["line"].as_u64().unwrap(), r["reason"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn sample_catalog_imports_cleanly_and_reimport_changes_nothing() {
    let sb = Sandbox::new();
    let first = import_json(&sb, &sample("catalog.csv"), &[]);
    let n = first["added"].as_u64().unwrap();
    assert!(n >= 1500, "the sample catalog has at least 1,500 items, got {n}");
    assert_eq!(rejected(&first), vec![]);
    assert_eq!(first["kind"], "catalog");
    assert_eq!(first["mapping"]["name_alt"], "name_ko");
    assert_eq!(first["attributes"]["organic"], "bool");
    assert_eq!(first["attributes"]["calories"], "int");

    let again = import_json(&sb, &sample("catalog.csv"), &[]);
    assert_eq!(
        (again["added"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(n))
    );
}

#[test]
fn an_edited_file_updates_only_what_changed() {
    let sb = Sandbox::new();
    let original = std::fs::read_to_string(sample("catalog.csv")).unwrap();
    let total = import_json(&sb, &sample("catalog.csv"), &[])["added"].as_u64().unwrap();
    // Change the price of item 1003 only: the row starts with "1003,".
    let edited: String = original
        .split_inclusive('\n')
        .map(
            |line| {
                if line.starts_with("1003,") { line.replacen("Head skin", "Hair skin", 1) } else { line.to_string() }
            },
        )
        .collect();
    assert_ne!(edited, original, "the fixture edit hit a row");
    let path = sb.write("edited.csv", edited);
    let report = import_json(&sb, &path, &[]);
    assert_eq!(report["updated"].as_u64(), Some(1));
    assert_eq!(report["added"].as_u64(), Some(0));
    assert_eq!(report["unchanged"].as_u64(), Some(total - 1));
}

const GOOD_ROWS: &str = "id,name,category,price,stock,released_at,colour\n\
    5001,Linen shirt,Tops,39000,12,2026-10-01,white\n\
    5002,Wool coat,Outerwear,189000,3,2026-10-02,camel\n";

#[test]
fn every_bad_catalog_row_is_reported_with_line_and_reason_and_nothing_saved_is_lost() {
    let sb = Sandbox::new();
    let good = sb.write("good.csv", GOOD_ROWS);
    assert_eq!(import_json(&sb, &good, &[])["added"].as_u64(), Some(2));

    let mut bad = b"id,name,category,price,stock,released_at,colour\r\n".to_vec();
    bad.extend_from_slice(b"5003,\"Silk scarf, printed\",Accessories,25000,7,2026-10-03,red\r\n"); // line 2: fine
    bad.extend_from_slice(b",No id,Tops,1000,1,2026-10-03,red\r\n"); // 3: missing id
    bad.extend_from_slice(b"5003,Again,Tops,1000,1,2026-10-03,red\r\n"); // 4: duplicate id
    bad.extend_from_slice(b"5004,Cheap,Tops,free,1,2026-10-03,red\r\n"); // 5: bad number
    bad.extend_from_slice(b"5005,Dated,Tops,1000,1,2026-02-30,red\r\n"); // 6: bad date
    bad.extend_from_slice(b"5006,Bytes \xff\xfe,Tops,1000,1,2026-10-03,red\r\n"); // 7: invalid UTF-8
    bad.extend_from_slice(b"5007,Short row,Tops\r\n"); // 8: wrong number of fields
    bad.extend_from_slice(b"5008,\"Quoted\r\nnewline\",Tops,1000,1,2026-10-03,\"say \"\"hi\"\"\"\r\n"); // 9-10: fine
    let path = sb.write("bad.csv", bad);
    let report = import_json(&sb, &path, &[]);
    let got = rejected(&report);
    let expect = [
        (3, "missing id"),
        (4, "duplicate id 5003"),
        (5, "'price': 'free' is not a number"),
        (6, "'released_at': '2026-02-30' is not a date"),
        (7, "invalid UTF-8 in column 'name'"),
        (8, "wrong number of fields: expected 7, found 3"),
    ];
    assert_eq!(got.len(), expect.len(), "{got:?}");
    for ((line, reason), (want_line, want)) in got.iter().zip(expect) {
        assert_eq!(*line, want_line, "{reason}");
        assert!(reason.contains(want), "line {line}: '{reason}' should mention '{want}'");
    }
    assert_eq!(report["added"].as_u64(), Some(2), "5003 and 5008 are imported");
    assert_eq!(report["rows_read"].as_u64(), Some(8));

    let status = sb.ok(&["status"]);
    assert!(status.contains("items        4"), "the two earlier items are still there:\n{status}");
    let text = sb.ok(&["import", path.to_str().unwrap()]);
    assert!(text.contains("rejected line 5 (id 5004): column 'price': 'free' is not a number"), "{text}");
}

#[test]
fn json_array_and_json_lines_catalogs() {
    let sb = Sandbox::new();
    let arr = sb.write(
        "items.json",
        r#"[
  {"id": 1, "title": "Serena", "tags": ["serena", "launch"], "price": 1200, "meta": {"season": 3}},
  {"id": 2, "title": "Peony", "price": "cheap"},
  {"title": "no id"}
]"#,
    );
    let report = import_json(&sb, &arr, &[]);
    assert_eq!(report["format"], "JSON");
    assert_eq!(report["added"].as_u64(), Some(1));
    assert_eq!(
        rejected(&report),
        vec![(3, "column 'price': 'cheap' is not a number".to_string()), (4, "missing id".to_string())]
    );
    assert_eq!(report["attributes"]["meta"], "text");

    let lines = sb.write("items.jsonl", "{\"id\": \"10\", \"name\": \"Ash Beige Long Hair\"}\n{\"id\": \"11\", \"name\": \n{\"id\": \"12\", \"name\": \"Peony\"}\n");
    let report = import_json(&sb, &lines, &[]);
    assert_eq!(report["format"], "JSON Lines");
    assert_eq!(report["added"].as_u64(), Some(2));
    let got = rejected(&report);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 2);
    assert!(got[0].1.starts_with("not valid JSON"), "{got:?}");
}

#[test]
fn mapping_can_be_overridden_and_a_missing_id_column_is_a_clear_error() {
    let sb = Sandbox::new();
    let path = sb.write("odd.csv", "code,label,headline\nA1,Serena,New Descendant\n");
    let err = sb.fails(&["import", path.to_str().unwrap()]);
    assert!(
        err.contains("no column for the item id")
            && err.contains("code, label, headline")
            && err.contains("--map id=COLUMN"),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "the error is printed once:\n{err}");
    let report = import_json(&sb, &path, &["--map", "id=code", "--map", "name=label", "--map", "description=headline"]);
    assert_eq!(report["added"].as_u64(), Some(1));
    assert_eq!(report["mapping"]["description"], "headline");
    let err = sb.fails(&["import", path.to_str().unwrap(), "--map", "nmae=label"]);
    assert!(err.contains("unknown field 'nmae'"), "{err}");
}

#[test]
fn interactions_report_bad_rows_and_keep_events_of_unknown_items() {
    let sb = Sandbox::new();
    let catalog = sb.write("c.csv", GOOD_ROWS);
    sb.ok(&["import", catalog.to_str().unwrap()]);
    let events = sb.write(
        "events.csv",
        "user_id,item_id,event_type,timestamp,value\r\n\
         u1,5001,view,2026-11-01T10:00:00Z,\r\n\
         u1,5001,purchase,2026-11-01T10:05:00Z,39000\r\n\
         u1,9999,click,2026-11-01T10:06:00Z,\r\n\
         u2,9999,view,2026-11-02T10:06:00Z,\r\n\
         u2,5002,click,not-a-time,\r\n\
         u2,,click,2026-11-02T10:07:00Z,\r\n\
         u2,5002,purchase,2026-11-02T10:08:00Z,lots\r\n\
         u3,5002,view\r\n",
    );
    let report = import_json(&sb, &events, &[]);
    assert_eq!(report["kind"], "interactions");
    assert_eq!(report["added"].as_u64(), Some(4));
    let got = rejected(&report);
    assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![6, 7, 8, 9]);
    assert!(got[0].1.contains("'not-a-time' is not a timestamp"));
    assert!(got[1].1.contains("missing item id"));
    assert!(got[2].1.contains("'lots' is not a number"));
    assert!(got[3].1.contains("wrong number of fields"));
    let unknown = report["unknown_items"].as_array().unwrap();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0]["item_id"], "9999");
    assert_eq!(unknown[0]["events"].as_u64(), Some(2));
    assert_eq!(unknown[0]["first_line"].as_u64(), Some(4));
    assert!(sb.ok(&["status"]).contains("interactions 4 events from 2 users"), "events of unknown items are kept");

    let again = import_json(&sb, &events, &[]);
    assert_eq!((again["added"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(4)));
}

#[test]
fn json_lines_interactions() {
    let sb = Sandbox::new();
    let path = sb.write(
        "events.jsonl",
        "{\"user\": \"u1\", \"item\": \"1\", \"event\": \"Add to cart\", \"ts\": 1794744000}\n[1,2]\n{\"user\": \"u1\", \"item\": \"2\", \"event\": \"purchase\", \"ts\": \"2026-11-15T12:00:00Z\", \"value\": 4.5}\n",
    );
    let report = import_json(&sb, &path, &["--kind", "interactions"]);
    assert_eq!(report["added"].as_u64(), Some(2));
    let got = rejected(&report);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, 2);
    assert!(got[0].1.contains("expected a JSON object"), "{got:?}");
}

#[test]
fn files_that_are_not_projects_are_refused_untouched() {
    let sb = Sandbox::new();
    let notes = sb.write("notes.txt", "not a database\n");
    let catalog = sb.write("c.csv", GOOD_ROWS);
    let err = sb.fails(&["--project", notes.to_str().unwrap(), "import", catalog.to_str().unwrap()]);
    assert!(err.contains("not a reclab project") && err.contains("notes.txt"), "{err}");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "not a database\n");

    // Commands that read a project do not create one.
    let missing = sb.path("nope.reclab");
    let err = sb.fails(&["--project", missing.to_str().unwrap(), "status"]);
    assert!(err.contains("does not exist"), "{err}");
    assert!(!missing.exists(), "status does not create a project");
}
