//! Reading an interaction log: user id, item id, event type, timestamp and an optional value.

use super::mapping::{ColumnMapping, InteractionField};
use super::source::{RawTable, RawValue};
use super::{CatalogError, Interaction, RejectedRow, normalize_event_type};
use crate::util::{TIME_FORMATS, epoch_number, parse_time};
use std::collections::BTreeMap;
use std::path::Path;

/// Valid events in file order (with their lines), and the rejected rows.
#[derive(Debug, Clone, Default)]
pub struct ParsedInteractions {
    pub events: Vec<Interaction>,
    pub lines: Vec<u64>,
    pub rejected: Vec<RejectedRow>,
    pub rows_read: u64,
    pub mapping: BTreeMap<String, String>,
    pub notes: Vec<String>,
}

/// True when the columns look like an interaction log rather than a catalog.
pub fn looks_like_interactions(columns: &[String]) -> bool {
    ColumnMapping::for_interactions(columns, &[]).is_ok_and(|m| {
        m.get(InteractionField::User.key()).is_some()
            && m.get(InteractionField::EventType.key()).is_some()
            && m.get(InteractionField::Timestamp.key()).is_some()
    })
}

pub fn parse_interactions(path: &Path, table: &RawTable, map: &[String]) -> Result<ParsedInteractions, CatalogError> {
    let mapping = ColumnMapping::for_interactions(&table.columns, map)?;
    let required = [
        (InteractionField::User, "the user id"),
        (InteractionField::Item, "the item id"),
        (InteractionField::EventType, "the event type"),
        (InteractionField::Timestamp, "the timestamp"),
    ];
    let mut cols = [0usize; 4];
    for (i, (field, what)) in required.iter().enumerate() {
        cols[i] = mapping.get(field.key()).ok_or_else(|| CatalogError::MissingColumn {
            path: path.to_path_buf(),
            field: what,
            key: field.key(),
            found: super::name_list(&table.columns),
        })?;
    }
    let [user_col, item_col, event_col, ts_col] = cols;
    let value_col = mapping.get(InteractionField::Value.key());
    let mut out = ParsedInteractions { mapping: mapping.describe(&table.columns), ..Default::default() };
    out.notes.extend(super::millisecond_note(table, ts_col));
    for row in &table.rows {
        out.rows_read += 1;
        let row = match row {
            Ok(r) => r,
            Err(rejected) => {
                out.rejected.push(rejected.clone());
                continue;
            }
        };
        let text = |i: usize| row.cells[i].to_text().trim().to_string();
        let reject = |reason: String| RejectedRow { line: row.line, id: None, reason };
        let (user, item, event) = (text(user_col), text(item_col), text(event_col));
        let missing =
            [(&user, "user id"), (&item, "item id"), (&event, "event type")].into_iter().find(|(v, _)| v.is_empty());
        if let Some((_, what)) = missing {
            out.rejected.push(reject(format!("missing {what}")));
            continue;
        }
        let ts = match &row.cells[ts_col] {
            RawValue::Int(i) => Some(epoch_number(*i)),
            v if v.is_empty() => {
                out.rejected.push(reject("missing timestamp".into()));
                continue;
            }
            v => parse_time(&v.to_text()),
        };
        let Some(ts) = ts else {
            out.rejected.push(reject(format!(
                "column '{}': '{}' is not a timestamp (expected {TIME_FORMATS})",
                table.columns[ts_col],
                text(ts_col)
            )));
            continue;
        };
        let value = match value_col.map(|i| &row.cells[i]) {
            None => None,
            Some(v) if v.is_empty() => None,
            Some(RawValue::Int(i)) => Some(*i as f64),
            Some(RawValue::Float(f)) => Some(*f),
            Some(v) => match super::import::parse_number(&v.to_text()) {
                Some(x) => Some(x),
                None => {
                    let col = &table.columns[value_col.unwrap_or_default()];
                    out.rejected.push(reject(format!("column '{col}': '{}' is not a number", v.to_text())));
                    continue;
                }
            },
        };
        out.events.push(Interaction {
            user_id: user,
            item_id: item,
            event_type: normalize_event_type(&event),
            ts,
            value,
        });
        out.lines.push(row.line);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::source::read_table_bytes;

    #[test]
    fn reads_events_and_rejects_bad_rows() {
        let path = Path::new("events.csv");
        let t = read_table_bytes(
            path,
            b"user_id,item_id,event_type,timestamp,value\r\n\
              u1,1001,purchase,2026-11-10T10:00:00Z,1200\r\n\
              u1,1002,Add to cart,1794312000,\r\n\
              ,1003,click,2026-11-10,\r\n\
              u2,1003,click,last tuesday,\r\n\
              u2,1004,purchase,2026-11-10,\"1,2\"\r\n\
              u2,1005,view\r\n",
        )
        .unwrap();
        assert!(looks_like_interactions(&t.columns));
        let p = parse_interactions(path, &t, &[]).unwrap();
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.events[1].event_type, "add_to_cart");
        assert_eq!(p.events[1].ts, 1_794_312_000);
        assert_eq!(p.events[0].value, Some(1200.0));
        let got: Vec<(u64, &str)> = p.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(got[0], (4, "missing user id"));
        assert!(got[1].0 == 5 && got[1].1.contains("'last tuesday' is not a timestamp"));
        assert!(got[2].0 == 6 && got[2].1.contains("'1,2' is not a number"));
        assert!(got[3].0 == 7 && got[3].1.contains("wrong number of fields"));
    }

    #[test]
    fn a_catalog_is_not_mistaken_for_interactions() {
        let cols: Vec<String> = ["id", "name", "category", "price"].iter().map(|s| s.to_string()).collect();
        assert!(!looks_like_interactions(&cols));
    }
}
