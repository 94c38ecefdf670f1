//! Turning a raw table into catalog items: field parsing, attribute typing, row validation.

use super::mapping::{ColumnMapping, Field};
use super::source::{RawTable, RawValue};
use super::{AttrKind, AttrValue, CatalogError, Item, ItemUpdate, RejectedRow};
use crate::util::{TIME_FORMATS, parse_time};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// How to read a catalog file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `field=column` overrides of the automatic column mapping.
    pub map: Vec<String>,
}

/// The result of reading a catalog file: valid rows in file order, each an update of the
/// fields its file has, and the rejected rows.
#[derive(Debug, Clone, Default)]
pub struct ParsedCatalog {
    pub items: Vec<ItemUpdate>,
    /// The line each item came from, parallel to `items`.
    pub lines: Vec<u64>,
    pub rejected: Vec<RejectedRow>,
    pub rows_read: u64,
    pub mapping: BTreeMap<String, String>,
    pub attributes: BTreeMap<String, AttrKind>,
    pub notes: Vec<String>,
}

/// Reads catalog items out of `table`.
pub fn parse_catalog(path: &Path, table: &RawTable, options: &ImportOptions) -> Result<ParsedCatalog, CatalogError> {
    let mapping = ColumnMapping::for_catalog(&table.columns, &options.map)?;
    let Some(id_col) = mapping.get(Field::Id.key()) else {
        return Err(CatalogError::MissingColumn {
            path: path.to_path_buf(),
            field: "the item id",
            key: "id",
            found: super::name_list(&table.columns),
        });
    };
    let mut out = ParsedCatalog { mapping: mapping.describe(&table.columns), ..Default::default() };
    if mapping.get(Field::Name.key()).is_none() {
        out.notes.push("no name column was found: items are shown by their id".into());
    }

    // Attribute columns and their kinds, inferred from every readable row.
    let attr_cols: Vec<usize> =
        mapping.unmapped(table.columns.len()).into_iter().filter(|&i| !table.columns[i].is_empty()).collect();
    let mut kinds: Vec<Option<AttrKind>> = vec![None; attr_cols.len()];
    for row in table.rows.iter().flatten() {
        for (k, &col) in attr_cols.iter().enumerate() {
            let v = &row.cells[col];
            if v.is_empty() {
                continue;
            }
            let kind = value_kind(v);
            kinds[k] = Some(kinds[k].map_or(kind, |prev| prev.widen(kind)));
        }
    }
    for (k, &col) in attr_cols.iter().enumerate() {
        out.attributes.insert(table.columns[col].clone(), kinds[k].unwrap_or(AttrKind::Text));
    }
    let time_cols = [Field::ReleasedAt, Field::ExpiresAt].into_iter().filter_map(|f| mapping.get(f.key()));
    let date_attrs = attr_cols.iter().zip(&kinds).filter(|(_, k)| **k == Some(AttrKind::Date)).map(|(&c, _)| c);
    out.notes.extend(time_cols.chain(date_attrs).filter_map(|c| super::millisecond_note(table, c)));

    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        out.rows_read += 1;
        let row = match row {
            Ok(r) => r,
            Err(rejected) => {
                out.rejected.push(rejected.clone());
                continue;
            }
        };
        let id = row.cells[id_col].to_text().trim().to_string();
        if id.is_empty() {
            out.rejected.push(RejectedRow { line: row.line, id: None, reason: "missing id".into() });
            continue;
        }
        if let Some(first) = seen.get(&id) {
            out.rejected.push(RejectedRow {
                line: row.line,
                id: Some(id.clone()),
                reason: format!("duplicate id {id} in this file (first on line {first}); the first row was kept"),
            });
            continue;
        }
        match build_item(&id, &row.cells, &mapping, table, &attr_cols, &kinds) {
            Ok(item) => {
                seen.insert(id, row.line);
                out.items.push(item);
                out.lines.push(row.line);
            }
            Err(reason) => out.rejected.push(RejectedRow { line: row.line, id: Some(id), reason }),
        }
    }
    Ok(out)
}

fn build_item(
    id: &str,
    cells: &[RawValue],
    mapping: &ColumnMapping,
    table: &RawTable,
    attr_cols: &[usize],
    kinds: &[Option<AttrKind>],
) -> Result<ItemUpdate, String> {
    // A column the row says nothing about (a JSON object without the key) is left as it is.
    let cell = |f: Field| {
        mapping.get(f.key()).map(|i| (&table.columns[i], &cells[i])).filter(|(_, v)| **v != RawValue::Missing)
    };
    let fields: std::collections::BTreeSet<Field> = Field::ALL.into_iter().filter(|f| cell(*f).is_some()).collect();
    let text =
        |f: Field| -> Option<String> { cell(f).map(|(_, v)| v.to_text().trim().to_string()).filter(|s| !s.is_empty()) };
    let mut item = Item {
        id: id.to_string(),
        name: text(Field::Name).unwrap_or_default(),
        name_alt: text(Field::NameAlt),
        category: text(Field::Category),
        description: text(Field::Description),
        vertical: text(Field::Vertical),
        ..Default::default()
    };
    if let Some((_, v)) = cell(Field::Tags) {
        item.tags = parse_tags(v);
    }
    if let Some((col, v)) = cell(Field::Price) {
        item.price = parse_number_cell(col, v)?;
    }
    if let Some((col, v)) = cell(Field::Stock) {
        item.stock = parse_int_cell(col, v)?;
    }
    if let Some((col, v)) = cell(Field::PurchaseLimit) {
        item.purchase_limit = parse_int_cell(col, v)?;
    }
    if let Some((col, v)) = cell(Field::ReleasedAt) {
        item.released_at = parse_time_cell(col, v)?;
    }
    if let Some((col, v)) = cell(Field::ExpiresAt) {
        item.expires_at = parse_time_cell(col, v)?;
    }
    let mut attrs = std::collections::BTreeSet::new();
    for (k, &col) in attr_cols.iter().enumerate() {
        let v = &cells[col];
        if *v == RawValue::Missing {
            continue;
        }
        attrs.insert(table.columns[col].clone());
        if v.is_empty() {
            continue;
        }
        let kind = kinds[k].unwrap_or(AttrKind::Text);
        if let Some(value) = typed_value(v, kind) {
            item.attrs.insert(table.columns[col].clone(), value);
        }
    }
    Ok(ItemUpdate { item, fields, attrs, replace_attrs: false, released_if_new: None })
}

/// Splits a tags cell: a JSON list, or text separated by `|`, `;` or `,`.
pub fn parse_tags(v: &RawValue) -> Vec<String> {
    let parts: Vec<String> = match v {
        RawValue::List(l) => l.clone(),
        other => {
            let s = other.to_text();
            let sep = ['|', ';', ','].into_iter().find(|c| s.contains(*c));
            match sep {
                Some(c) => s.split(c).map(str::to_string).collect(),
                None => vec![s],
            }
        }
    };
    parts.into_iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

/// Parses a number as people write them in catalogs: `12900`, `12,900`, `₩12,900`, `$4.99`.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.trim_start_matches(['$', '₩', '€', '£', '¥']).trim();
    if let Ok(x) = s.parse::<f64>() {
        return x.is_finite().then_some(x);
    }
    // Thousands separators: 1,234,567.89
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = int_part.strip_prefix('-').unwrap_or(int_part);
    let groups: Vec<&str> = digits.split(',').collect();
    let grouped = groups.len() > 1
        && !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
        && groups[1..].iter().all(|g| g.len() == 3);
    if !grouped {
        return None;
    }
    let mut clean = int_part.replace(',', "");
    if let Some(f) = frac {
        clean.push('.');
        clean.push_str(f);
    }
    clean.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_number_cell(col: &str, v: &RawValue) -> Result<Option<f64>, String> {
    match v {
        _ if v.is_empty() => Ok(None),
        RawValue::Int(i) => Ok(Some(*i as f64)),
        RawValue::Float(f) if f.is_finite() => Ok(Some(*f)),
        other => {
            let s = other.to_text();
            parse_number(&s).map(Some).ok_or_else(|| format!("column '{col}': '{s}' is not a number"))
        }
    }
}

fn parse_int_cell(col: &str, v: &RawValue) -> Result<Option<i64>, String> {
    match parse_number_cell(col, v)? {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Some(x as i64)),
        Some(_) => Err(format!("column '{col}': '{}' is not a whole number", v.to_text())),
    }
}

fn parse_time_cell(col: &str, v: &RawValue) -> Result<Option<i64>, String> {
    match v {
        _ if v.is_empty() => Ok(None),
        RawValue::Int(i) => Ok(Some(crate::util::epoch_number(*i))),
        other => {
            let s = other.to_text();
            parse_time(&s)
                .map(Some)
                .ok_or_else(|| format!("column '{col}': '{s}' is not a date (expected {TIME_FORMATS})"))
        }
    }
}

fn value_kind(v: &RawValue) -> AttrKind {
    match v {
        RawValue::Bool(_) => AttrKind::Bool,
        RawValue::Int(_) => AttrKind::Int,
        RawValue::Float(_) => AttrKind::Float,
        RawValue::List(_) | RawValue::Json(_) | RawValue::Null | RawValue::Missing => AttrKind::Text,
        RawValue::Text(s) => {
            let s = s.trim();
            if s.parse::<i64>().is_ok() {
                AttrKind::Int
            } else if s.parse::<f64>().is_ok_and(f64::is_finite) {
                AttrKind::Float
            } else if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") {
                AttrKind::Bool
            } else if s.len() >= 10 && s.as_bytes()[4] == b'-' && parse_time(s).is_some() {
                AttrKind::Date
            } else {
                AttrKind::Text
            }
        }
    }
}

/// Converts a raw value to `kind` (which was inferred so that every value fits).
pub(crate) fn typed_value(v: &RawValue, kind: AttrKind) -> Option<AttrValue> {
    let text = || v.to_text().trim().to_string();
    Some(match kind {
        AttrKind::Int => match v {
            RawValue::Int(i) => AttrValue::Int(*i),
            _ => AttrValue::Int(text().parse().ok()?),
        },
        AttrKind::Float => match v {
            RawValue::Int(i) => AttrValue::Float(*i as f64),
            RawValue::Float(f) => AttrValue::Float(*f),
            _ => AttrValue::Float(text().parse().ok()?),
        },
        AttrKind::Bool => match v {
            RawValue::Bool(b) => AttrValue::Bool(*b),
            _ => AttrValue::Bool(text().eq_ignore_ascii_case("true")),
        },
        AttrKind::Date => AttrValue::Int(parse_time(&text())?),
        AttrKind::Text => AttrValue::Text(text()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::source::read_table_bytes;

    fn parse(text: &str) -> ParsedCatalog {
        let path = Path::new("items.csv");
        let t = read_table_bytes(path, text.as_bytes()).unwrap();
        parse_catalog(path, &t, &ImportOptions::default()).unwrap()
    }

    #[test]
    fn maps_fields_and_types_extra_columns() {
        let p = parse(
            "id,name,name_ko,category,tags,price,stock,released_at,rarity,rating,organic,launch\n\
             1001,Serena,세레나,Descendant,serena|launch,\"1,200\",,2026-11-10,Ultimate,4.5,true,2026-11-10T09:00:00Z\n\
             1002,Serena's Exo Sister,세레나의 엑소 시스터,Premium skin,serena;skin,800,3,2026-11-10,Rare,4,false,\n",
        );
        assert!(p.rejected.is_empty(), "{:?}", p.rejected);
        let a = &p.items[0].item;
        assert_eq!(a.name_alt.as_deref(), Some("세레나"));
        assert_eq!(a.tags, vec!["serena", "launch"]);
        assert_eq!(a.price, Some(1200.0));
        assert_eq!(a.stock, None);
        assert_eq!(p.items[1].item.tags, vec!["serena", "skin"]);
        assert_eq!(p.attributes["rarity"], AttrKind::Text);
        assert_eq!(p.attributes["rating"], AttrKind::Float, "4.5 and 4 widen to float");
        assert_eq!(p.attributes["organic"], AttrKind::Bool);
        assert_eq!(p.attributes["launch"], AttrKind::Date);
        assert_eq!(a.attrs["rating"], AttrValue::Float(4.5));
        assert_eq!(p.items[1].item.attrs["rating"], AttrValue::Float(4.0));
        assert_eq!(a.attrs["launch"], AttrValue::Int(1_794_301_200));
        assert!(!p.items[1].item.attrs.contains_key("launch"), "empty cells are absent, not empty text");
    }

    #[test]
    fn each_bad_row_is_rejected_with_its_line_and_reason() {
        let p = parse(
            "id,name,price,stock,released_at\n\
             1,ok,1,1,2026-01-01\n\
             ,no id,1,1,2026-01-01\n\
             1,dup,1,1,2026-01-01\n\
             3,bad price,abc,1,2026-01-01\n\
             4,bad stock,1,2.5,2026-01-01\n\
             5,bad date,1,1,2026-13-45\n\
             6,too,many,fields,here,x\n\
             7,last,2,2,\n",
        );
        let got: Vec<(u64, &str)> = p.rejected.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!(got[0], (3, "missing id"));
        assert!(got[1].0 == 4 && got[1].1.contains("duplicate id 1") && got[1].1.contains("line 2"));
        assert!(got[2].0 == 5 && got[2].1.contains("'price': 'abc' is not a number"));
        assert!(got[3].0 == 6 && got[3].1.contains("not a whole number"));
        assert!(got[4].0 == 7 && got[4].1.contains("'2026-13-45' is not a date"));
        assert!(got[5].0 == 8 && got[5].1.contains("wrong number of fields"));
        let ids: Vec<&str> = p.items.iter().map(|i| i.item.id.as_str()).collect();
        assert_eq!(ids, vec!["1", "7"]);
        assert_eq!(p.rows_read, 8);
    }

    #[test]
    fn numbers_as_people_write_them() {
        assert_eq!(parse_number("12,900"), Some(12900.0));
        assert_eq!(parse_number("₩12,900"), Some(12900.0));
        assert_eq!(parse_number("1,234,567.5"), Some(1234567.5));
        assert_eq!(parse_number("$4.99"), Some(4.99));
        assert_eq!(parse_number("1,5"), None);
        assert_eq!(parse_number("12,90"), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("inf"), None);
    }

    #[test]
    fn missing_id_column_is_a_file_error() {
        let path = Path::new("x.csv");
        let t = read_table_bytes(path, b"title,price\na,1\n").unwrap();
        let err = parse_catalog(path, &t, &ImportOptions::default()).unwrap_err().to_string();
        assert!(err.contains("no column for the item id") && err.contains("--map id=COLUMN"), "{err}");
    }
}
