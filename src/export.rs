//! Exports: a recommendation's trace as CSV, and vectors as SQL for PostgreSQL + pgvector.

use crate::catalog::Item;
use crate::pipeline::Recommendation;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The whole trace as one CSV table: a row per candidate, in similarity order, with where it
/// ended: removed (by which filter, why) or ranked (final rank, score, each rule's contribution).
pub fn trace_csv(rec: &Recommendation) -> String {
    let rules: Vec<&str> = rec.rules.iter().filter(|r| r.enabled && r.kind != "pin").map(|r| r.name.as_str()).collect();
    let results: BTreeMap<&str, &crate::pipeline::ResultRow> =
        rec.results.iter().map(|r| (r.item_id.as_str(), r)).collect();
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header: Vec<String> = [
        "candidate_rank",
        "item_id",
        "name",
        "source",
        "similarity",
        "removed_by",
        "removal_reason",
        "rank_before",
        "final_rank",
        "score",
        "is_new",
        "pinned_by",
        "reason",
        "sources",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(rules.iter().map(|r| format!("contribution:{r}")));
    let _ = w.write_record(&header);
    for c in &rec.candidates {
        let r = results.get(c.item_id.as_str());
        let mut row = vec![
            c.rank.to_string(),
            c.item_id.clone(),
            c.name.clone(),
            c.source.to_string(),
            c.similarity.to_string(),
            c.removed_by.clone().unwrap_or_default(),
            c.removal_reason.clone().unwrap_or_default(),
            r.map(|r| r.rank_before.to_string()).unwrap_or_default(),
            r.map(|r| r.rank.to_string()).unwrap_or_default(),
            r.map(|r| r.score.to_string()).unwrap_or_default(),
            r.map(|r| r.is_new.to_string()).unwrap_or_default(),
            r.and_then(|r| r.pinned_by.clone()).unwrap_or_default(),
            r.map(|r| r.reason.clone()).unwrap_or_default(),
            // Every source with its raw score, `content:0.61|cooccurrence:0.2` (after the
            // columns reclab has always written, so they keep their places).
            c.sources.iter().map(|x| format!("{}:{}", x.source, x.score)).collect::<Vec<_>>().join("|"),
        ];
        for rule in &rules {
            let v = r.and_then(|r| r.contributions.iter().find(|c| c.rule == *rule)).map(|c| c.value.to_string());
            row.push(v.unwrap_or_default());
        }
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn sql_opt(s: Option<&str>) -> String {
    s.map(sql_text).unwrap_or_else(|| "NULL".into())
}

/// A table name that is safe to put in SQL unquoted.
pub fn valid_table_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// pgvector's HNSW index takes vectors of at most this many dimensions.
pub const PGVECTOR_HNSW_MAX_DIM: usize = 2000;

/// A SQL script that creates `table` with a `vector(dim)` column, inserts every item that has a
/// vector, and adds an HNSW index for cosine distance — ready for `psql -f`.
///
/// The script says its encoding (a psql whose locale is not UTF-8 would otherwise garble every
/// non-ASCII name), keeps the model key on the embedding column, and ends with the
/// nearest-neighbour query in the form the index answers.
pub fn pgvector_sql<'a>(
    table: &str,
    model: &str,
    dim: usize,
    rows: impl IntoIterator<Item = (&'a Item, &'a [f32])>,
) -> String {
    let model_line: String = model.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut s = String::new();
    let _ = writeln!(s, "-- reclab export: item vectors of {model_line} ({dim} dimensions) for PostgreSQL + pgvector.");
    let _ = writeln!(s, "-- Load with: psql -v ON_ERROR_STOP=1 -d DATABASE -f this-file.sql");
    let _ = writeln!(s, "SET client_encoding = 'UTF8';");
    let _ = writeln!(s, "CREATE EXTENSION IF NOT EXISTS vector;");
    let _ = writeln!(s, "BEGIN;");
    let _ = writeln!(s, "DROP TABLE IF EXISTS {table};");
    let _ = writeln!(
        s,
        "CREATE TABLE {table} (\n    item_id text PRIMARY KEY,\n    name text NOT NULL,\n    name_alt text,\n    category text,\n    price double precision,\n    embedding vector({dim}) NOT NULL\n);"
    );
    let _ = writeln!(s, "COMMENT ON COLUMN {table}.embedding IS {};", sql_text(&format!("reclab model {model}")));
    let mut n = 0;
    let mut first_id = None;
    for (item, v) in rows {
        if n % 500 == 0 {
            if n > 0 {
                let _ = writeln!(s, ";");
            }
            let _ = writeln!(s, "INSERT INTO {table} (item_id, name, name_alt, category, price, embedding) VALUES");
        } else {
            let _ = writeln!(s, ",");
        }
        let vector: Vec<String> = v.iter().map(|x| format!("{x}")).collect();
        let _ = write!(
            s,
            "  ({}, {}, {}, {}, {}, '[{}]')",
            sql_text(&item.id),
            sql_text(&item.name),
            sql_opt(item.name_alt.as_deref()),
            sql_opt(item.category.as_deref()),
            item.price.filter(|p| p.is_finite()).map(|p| p.to_string()).unwrap_or_else(|| "NULL".into()),
            vector.join(",")
        );
        first_id.get_or_insert_with(|| item.id.clone());
        n += 1;
    }
    if n > 0 {
        let _ = writeln!(s, ";");
    }
    if dim <= PGVECTOR_HNSW_MAX_DIM {
        let _ = writeln!(
            s,
            "CREATE INDEX {table}_embedding_idx ON {table} USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);"
        );
    } else {
        let _ = writeln!(
            s,
            "-- No HNSW index: pgvector indexes vectors of at most {PGVECTOR_HNSW_MAX_DIM} dimensions; queries scan the table."
        );
    }
    let _ = writeln!(s, "COMMIT;");
    let id = sql_text(first_id.as_deref().unwrap_or("ITEM"));
    let anchor = format!("(SELECT embedding FROM {table} WHERE item_id = {id})");
    let _ = writeln!(s, "-- Nearest neighbours of an item, as reclab computes them (answered by the index):");
    let _ = writeln!(
        s,
        "-- SELECT item_id, name, 1 - (embedding <=> {anchor}) AS similarity\n--   FROM {table} WHERE item_id <> {id}\n--   ORDER BY embedding <=> {anchor} LIMIT 10;"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgvector_script_quotes_text_and_declares_the_dimension() {
        let a = Item {
            id: "1002".into(),
            name: "Serena's Exo Sister".into(),
            name_alt: Some("세레나의 엑소 시스터".into()),
            ..Default::default()
        };
        let b = Item { id: "2001".into(), name: "Strawberries".into(), price: Some(8900.0), ..Default::default() };
        let va = [0.6f32, 0.8];
        let vb = [1.0f32, 0.0];
        let sql = pgvector_sql("reclab_items", "m@1", 2, vec![(&a, &va[..]), (&b, &vb[..])]);
        assert!(sql.contains("embedding vector(2) NOT NULL"));
        assert!(sql.contains("('1002', 'Serena''s Exo Sister', '세레나의 엑소 시스터', NULL, NULL, '[0.6,0.8]'),\n  ('2001', 'Strawberries', NULL, NULL, 8900, '[1,0]');"));
        assert!(sql.contains("USING hnsw (embedding vector_cosine_ops)"));
        assert!(sql.starts_with("-- reclab export") && sql.contains("\nSET client_encoding = 'UTF8';\n"));
        assert!(sql.contains("COMMENT ON COLUMN reclab_items.embedding IS 'reclab model m@1';"));
        assert!(sql.contains("WHERE item_id = '1002')"), "the example query names an exported item");
        let wide = vec![0.0f32; PGVECTOR_HNSW_MAX_DIM + 1];
        let sql = pgvector_sql("t", "m\n@1", wide.len(), vec![(&a, &wide[..])]);
        assert!(!sql.contains("CREATE INDEX") && sql.contains("No HNSW index"), "{}", &sql[..200]);
        assert!(sql.starts_with("-- reclab export: item vectors of m @1 "), "no line break in a comment");
        assert!(valid_table_name("reclab_items") && !valid_table_name("items; DROP") && !valid_table_name("Items"));
    }
}
