//! The item catalog and the interaction log: their types, and import from CSV, JSON and JSON Lines.

mod import;
mod interactions;
mod mapping;
mod source;

pub use import::{ImportOptions, ParsedCatalog, parse_catalog, parse_number, parse_tags};
pub use interactions::{ParsedInteractions, looks_like_interactions, parse_interactions};
pub use mapping::{ColumnMapping, Field, InteractionField};
pub use source::{FileFormat, RawRow, RawTable, RawValue, read_table, read_table_bytes};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What can go wrong reading an import file as a whole. Problems with single rows are not
/// errors: they are listed in the [`ImportReport`] and the rest of the file is imported.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot read {path}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path} is empty: there is no header row")]
    Empty { path: PathBuf },
    #[error("{path}: the header row is not valid UTF-8 (byte {byte})")]
    HeaderNotUtf8 { path: PathBuf, byte: usize },
    #[error("{path}: cannot read the header row: {message}")]
    BadHeader { path: PathBuf, message: String },
    #[error("{path}: not valid JSON at line {line}, column {column}: {message}")]
    Json { path: PathBuf, line: usize, column: usize, message: String },
    #[error("{path}: a JSON catalog must be an array of objects or one object per line (JSON Lines)")]
    JsonShape { path: PathBuf },
    #[error("{path}: no column for {field}; columns found: {found}. Name the column with --map {key}=COLUMN")]
    MissingColumn { path: PathBuf, field: &'static str, key: &'static str, found: String },
    #[error("--map {spec}: {message}")]
    BadMapping { spec: String, message: String },
    #[error("{path}: the header names column '{column}' twice")]
    DuplicateColumn { path: PathBuf, column: String },
}

/// The value type of an extra (unmapped) catalog column, inferred from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttrKind {
    Int,
    Float,
    Bool,
    Date,
    Text,
}

impl AttrKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttrKind::Int => "int",
            AttrKind::Float => "float",
            AttrKind::Bool => "bool",
            AttrKind::Date => "date",
            AttrKind::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "int" => AttrKind::Int,
            "float" => AttrKind::Float,
            "bool" => AttrKind::Bool,
            "date" => AttrKind::Date,
            "text" => AttrKind::Text,
            _ => return None,
        })
    }

    /// The narrowest kind that holds values of both kinds.
    pub fn widen(self, other: AttrKind) -> AttrKind {
        match (self, other) {
            (a, b) if a == b => a,
            (AttrKind::Int, AttrKind::Float) | (AttrKind::Float, AttrKind::Int) => AttrKind::Float,
            _ => AttrKind::Text,
        }
    }
}

/// A typed value of an extra catalog column. Dates are Unix seconds (UTC).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AttrValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl AttrValue {
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Int(i) => Some(*i as f64),
            AttrValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn display(&self, kind: AttrKind) -> String {
        match (self, kind) {
            (AttrValue::Int(t), AttrKind::Date) => crate::util::format_time(*t),
            (AttrValue::Bool(b), _) => b.to_string(),
            (AttrValue::Int(i), _) => i.to_string(),
            (AttrValue::Float(f), _) => f.to_string(),
            (AttrValue::Text(s), _) => s.clone(),
        }
    }
}

/// One catalog item. `id` is the catalog's own identifier, kept as text.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub name: String,
    /// The name in a second language (for example Korean).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_alt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchase_limit: Option<i64>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_at: Option<i64>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical: Option<String>,
    /// Every other column, typed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, AttrValue>,
}

impl Item {
    /// The name to show: the name, or the second-language name, or the id.
    pub fn display_name(&self) -> &str {
        if !self.name.is_empty() {
            &self.name
        } else if let Some(alt) = self.name_alt.as_deref().filter(|s| !s.is_empty()) {
            alt
        } else {
            &self.id
        }
    }

    /// A stable fingerprint of everything the item says, to tell changed rows from unchanged ones.
    pub fn content_hash(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        crate::util::sha256_hex(&json)[..32].to_string()
    }

    /// Checks values no catalog should hold: a price that is not a finite number.
    pub fn check(&self) -> Result<(), String> {
        if let Some(p) = self.price
            && !p.is_finite()
        {
            return Err(format!("item {}: price {p} is not a finite number", self.id));
        }
        for (name, v) in &self.attrs {
            if let AttrValue::Float(f) = v
                && !f.is_finite()
            {
                return Err(format!("item {}: attribute '{name}' is {f}, not a finite number", self.id));
            }
        }
        Ok(())
    }
}

/// A change to one item: the fields a file's columns (or the options given) name, and only
/// those. A field that is named with no value clears it; a field that is not named keeps what
/// the project holds. Applied to an item the project does not have yet, it makes a new item.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ItemUpdate {
    /// The values; `id` says which item, fields not in `fields` are ignored.
    pub item: Item,
    /// The known fields the update sets (or clears). `Field::Id` is implied.
    pub fields: std::collections::BTreeSet<Field>,
    /// Attributes the update sets (present in `item.attrs`) or clears (absent from it).
    pub attrs: std::collections::BTreeSet<String>,
    /// Every other attribute is removed (a whole item replaced, not merged).
    pub replace_attrs: bool,
    /// The release time of a new item when the update does not give one.
    pub released_if_new: Option<i64>,
}

impl ItemUpdate {
    /// An update that replaces every field of the item (what a whole `Item` means).
    pub fn replace(item: Item) -> Self {
        Self {
            fields: Field::ALL.into_iter().collect(),
            attrs: item.attrs.keys().cloned().collect(),
            replace_attrs: true,
            item,
            released_if_new: None,
        }
    }

    /// An update of the named fields (and the item's attributes), as a form or the command
    /// line makes it: a new item is released at `now` unless the update gives a release time.
    pub fn of_fields(item: Item, fields: impl IntoIterator<Item = Field>, now: i64) -> Self {
        Self {
            fields: fields.into_iter().collect(),
            attrs: item.attrs.keys().cloned().collect(),
            replace_attrs: false,
            item,
            released_if_new: Some(now),
        }
    }

    /// The item after this update, on top of `stored` (the item the project holds, if any).
    pub fn apply(&self, stored: Option<&Item>) -> Item {
        let mut out = match stored {
            Some(s) => s.clone(),
            None => Item { id: self.item.id.clone(), ..Default::default() },
        };
        let new = &self.item;
        for f in &self.fields {
            match f {
                Field::Id => {}
                Field::Name => out.name = new.name.clone(),
                Field::NameAlt => out.name_alt = new.name_alt.clone(),
                Field::Category => out.category = new.category.clone(),
                Field::Tags => out.tags = new.tags.clone(),
                Field::Description => out.description = new.description.clone(),
                Field::Price => out.price = new.price,
                Field::Stock => out.stock = new.stock,
                Field::PurchaseLimit => out.purchase_limit = new.purchase_limit,
                Field::ReleasedAt => out.released_at = new.released_at,
                Field::ExpiresAt => out.expires_at = new.expires_at,
                Field::Vertical => out.vertical = new.vertical.clone(),
            }
        }
        if self.replace_attrs {
            out.attrs.clear();
        }
        for name in &self.attrs {
            match new.attrs.get(name) {
                Some(v) => {
                    out.attrs.insert(name.clone(), v.clone());
                }
                None => {
                    out.attrs.remove(name);
                }
            }
        }
        if stored.is_none() && !self.fields.contains(&Field::ReleasedAt) {
            out.released_at = out.released_at.or(self.released_if_new);
        }
        out
    }
}

/// One event of the interaction log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub user_id: String,
    pub item_id: String,
    pub event_type: String,
    /// Unix seconds.
    pub ts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// Normalises an event type: lower case, with spaces and hyphens as underscores
/// (`Add to cart`, `add-to-cart` → `add_to_cart`).
pub fn normalize_event_type(s: &str) -> String {
    s.trim().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// Names for a message: all of them, or the first 20 and how many more.
pub fn name_list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = names.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(" … and {} more", names.len() - SHOWN));
    }
    s
}

/// A note when integer times in column `col` of `table` were read as milliseconds (those above
/// 10^11): how many, and the first line.
pub fn millisecond_note(table: &RawTable, col: usize) -> Option<String> {
    let mut count = 0u64;
    let mut first = None;
    for row in table.rows.iter().flatten() {
        let n = match row.cells.get(col) {
            Some(RawValue::Int(i)) => Some(*i),
            Some(RawValue::Text(t)) => t.trim().parse::<i64>().ok(),
            _ => None,
        };
        if n.is_some_and(crate::util::is_millis) {
            count += 1;
            first.get_or_insert(row.line);
        }
    }
    let name = table.columns.get(col)?;
    first.map(|line| {
        format!(
            "column '{name}': {count} Unix time{} above 10^11 (the first on line {line}) {} read as milliseconds",
            if count == 1 { "" } else { "s" },
            if count == 1 { "was" } else { "were" }
        )
    })
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedRow {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub reason: String,
}

/// What an import did: counts, and every rejected row with its line and reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file: String,
    pub kind: String,
    pub format: String,
    pub rows_read: u64,
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: Vec<RejectedRow>,
    /// Column → field mapping that was used (field names as in `--map`).
    pub mapping: BTreeMap<String, String>,
    /// Extra columns kept as typed attributes, with their kind.
    pub attributes: BTreeMap<String, AttrKind>,
    /// Interactions only: events that name an item the catalog does not have (kept, not lost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown_items: Vec<UnknownItem>,
    /// Notes that are not errors (a widened attribute type, an ignored column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Events in an interactions file that name an item id the catalog does not contain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownItem {
    pub item_id: String,
    pub events: u64,
    pub first_line: u64,
}

impl ImportReport {
    /// A short human-readable summary, with every rejected row.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} ({} {}): {} rows read, {} added, {} updated, {} unchanged, {} rejected",
            self.file,
            self.kind,
            self.format,
            self.rows_read,
            self.added,
            self.updated,
            self.unchanged,
            self.rejected.len()
        );
        if !self.mapping.is_empty() {
            let map: Vec<String> = self.mapping.iter().map(|(f, c)| format!("{f}={c}")).collect();
            let _ = writeln!(s, "  columns: {}", map.join(", "));
        }
        if !self.attributes.is_empty() {
            let attrs: Vec<String> = self.attributes.iter().map(|(n, k)| format!("{n} ({})", k.as_str())).collect();
            let _ = writeln!(s, "  attributes: {}", name_list(&attrs));
        }
        for r in &self.rejected {
            match &r.id {
                Some(id) => {
                    let _ = writeln!(s, "  rejected line {} (id {}): {}", r.line, id, r.reason);
                }
                None => {
                    let _ = writeln!(s, "  rejected line {}: {}", r.line, r.reason);
                }
            }
        }
        if !self.unknown_items.is_empty() {
            let events: u64 = self.unknown_items.iter().map(|u| u.events).sum();
            let _ = writeln!(
                s,
                "  {} events name {} items that are not in the catalog (kept; they count once those items are added):",
                events,
                self.unknown_items.len()
            );
            for u in self.unknown_items.iter().take(20) {
                let _ = writeln!(s, "    item {}: {} events, first on line {}", u.item_id, u.events, u.first_line);
            }
            if self.unknown_items.len() > 20 {
                let _ = writeln!(s, "    … and {} more", self.unknown_items.len() - 20);
            }
        }
        for n in &self.notes {
            let _ = writeln!(s, "  note: {n}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_changes_only_the_fields_it_names() {
        let mut stored = Item {
            id: "1".into(),
            name: "Serena".into(),
            category: Some("Descendant".into()),
            price: Some(1800.0),
            released_at: Some(5),
            ..Default::default()
        };
        stored.attrs.insert("rarity".into(), AttrValue::Text("Ultimate".into()));
        stored.attrs.insert("colour".into(), AttrValue::Text("red".into()));
        let mut new = Item { id: "1".into(), price: Some(1900.0), ..Default::default() };
        new.attrs.insert("colour".into(), AttrValue::Text("blue".into()));
        let update = ItemUpdate {
            item: new,
            fields: [Field::Price, Field::Category].into(),
            attrs: ["colour".to_string(), "rarity".to_string()].into(),
            replace_attrs: false,
            released_if_new: Some(99),
        };
        let merged = update.apply(Some(&stored));
        assert_eq!(merged.name, "Serena", "not named: kept");
        assert_eq!(merged.price, Some(1900.0));
        assert_eq!(merged.category, None, "named without a value: cleared");
        assert_eq!(merged.released_at, Some(5), "the default is for new items only");
        assert_eq!(merged.attrs.get("colour"), Some(&AttrValue::Text("blue".into())));
        assert!(!merged.attrs.contains_key("rarity"));
        let fresh = update.apply(None);
        assert_eq!((fresh.id.as_str(), fresh.released_at, fresh.name.as_str()), ("1", Some(99), ""));
        assert_eq!(ItemUpdate::replace(stored.clone()).apply(Some(&merged)), stored);
    }
}
