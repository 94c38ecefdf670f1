//! Which column of a file holds which field: found automatically from the header, and
//! overridable with `--map field=column`.

use super::CatalogError;
use std::collections::BTreeMap;

/// The catalog fields reclab knows. Every other column becomes a typed attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Id,
    Name,
    NameAlt,
    Category,
    Tags,
    Description,
    Price,
    Stock,
    PurchaseLimit,
    ReleasedAt,
    ExpiresAt,
    Vertical,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Id,
        Field::Name,
        Field::NameAlt,
        Field::Category,
        Field::Tags,
        Field::Description,
        Field::Price,
        Field::Stock,
        Field::PurchaseLimit,
        Field::ReleasedAt,
        Field::ExpiresAt,
        Field::Vertical,
    ];

    /// The field's name, as used in `--map`, in templates and in filter expressions.
    pub fn key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::NameAlt => "name_alt",
            Field::Category => "category",
            Field::Tags => "tags",
            Field::Description => "description",
            Field::Price => "price",
            Field::Stock => "stock",
            Field::PurchaseLimit => "purchase_limit",
            Field::ReleasedAt => "released_at",
            Field::ExpiresAt => "expires_at",
            Field::Vertical => "vertical",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.key() == key)
    }

    /// Header names recognised for the field, after normalisation (lower case, `_` for spaces
    /// and hyphens), best first.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["id", "item_id", "itemid", "item", "sku", "product_id", "productid", "item_code"],
            Field::Name => &["name", "title", "name_en", "item_name", "product_name", "en_name", "english_name"],
            Field::NameAlt => &[
                "name_alt",
                "name_ko",
                "name_kr",
                "name_kor",
                "korean_name",
                "ko_name",
                "name_local",
                "local_name",
                "name_ja",
                "name_zh",
                "alt_name",
                "second_name",
            ],
            Field::Category => &["category", "categories", "item_category", "product_category", "type", "genre"],
            Field::Tags => &["tags", "tag", "keywords", "labels"],
            Field::Description => &["description", "desc", "summary", "details", "body"],
            Field::Price => &["price", "unit_price", "cost", "amount"],
            Field::Stock => &["stock", "inventory", "quantity", "qty", "stock_quantity", "in_stock"],
            Field::PurchaseLimit => &["purchase_limit", "limit", "max_per_user", "buy_limit", "max_purchases"],
            Field::ReleasedAt => &[
                "released_at",
                "release_date",
                "released",
                "available_from",
                "launch_date",
                "created_at",
                "creation_timestamp",
                "published_at",
            ],
            Field::ExpiresAt => {
                &["expires_at", "expiry", "expiry_date", "expiration_date", "best_before", "expires", "sell_by"]
            }
            Field::Vertical => &["vertical", "domain", "shop", "store", "department"],
        }
    }
}

/// The interaction fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InteractionField {
    User,
    Item,
    EventType,
    Timestamp,
    Value,
}

impl InteractionField {
    pub const ALL: [InteractionField; 5] = [
        InteractionField::User,
        InteractionField::Item,
        InteractionField::EventType,
        InteractionField::Timestamp,
        InteractionField::Value,
    ];

    pub fn key(self) -> &'static str {
        match self {
            InteractionField::User => "user_id",
            InteractionField::Item => "item_id",
            InteractionField::EventType => "event_type",
            InteractionField::Timestamp => "timestamp",
            InteractionField::Value => "value",
        }
    }

    fn synonyms(self) -> &'static [&'static str] {
        match self {
            InteractionField::User => {
                &["user_id", "userid", "user", "customer_id", "customer", "visitor_id", "session_user"]
            }
            InteractionField::Item => &["item_id", "itemid", "item", "product_id", "productid", "sku", "id"],
            InteractionField::EventType => &["event_type", "event", "type", "action", "event_name", "interaction"],
            InteractionField::Timestamp => {
                &["timestamp", "ts", "time", "event_time", "datetime", "created_at", "date", "occurred_at"]
            }
            InteractionField::Value => &["value", "event_value", "amount", "revenue", "quantity", "rating"],
        }
    }
}

/// Normalises a header for matching: trimmed, lower case, spaces, hyphens and dots as `_`.
pub fn normalize_header(h: &str) -> String {
    h.trim().chars().map(|c| if c == ' ' || c == '-' || c == '.' { '_' } else { c.to_ascii_lowercase() }).collect()
}

/// A resolved mapping: for each known field, the index of its column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// field key → column index
    pub fields: BTreeMap<&'static str, usize>,
}

impl ColumnMapping {
    pub fn get(&self, key: &str) -> Option<usize> {
        self.fields.get(key).copied()
    }

    /// Maps the catalog fields onto `columns`: explicit `overrides` (`field=column`) first, then
    /// the synonyms. A column is used for one field at most.
    pub fn for_catalog(columns: &[String], overrides: &[String]) -> Result<Self, CatalogError> {
        let keys: Vec<(&'static str, &'static [&'static str])> =
            Field::ALL.iter().map(|f| (f.key(), f.synonyms())).collect();
        Self::resolve(columns, overrides, &keys)
    }

    pub fn for_interactions(columns: &[String], overrides: &[String]) -> Result<Self, CatalogError> {
        let keys: Vec<(&'static str, &'static [&'static str])> =
            InteractionField::ALL.iter().map(|f| (f.key(), f.synonyms())).collect();
        Self::resolve(columns, overrides, &keys)
    }

    fn resolve(
        columns: &[String],
        overrides: &[String],
        keys: &[(&'static str, &'static [&'static str])],
    ) -> Result<Self, CatalogError> {
        let mut fields = BTreeMap::new();
        let mut used = vec![false; columns.len()];
        for spec in overrides {
            let Some((field, column)) = spec.split_once('=') else {
                return Err(CatalogError::BadMapping {
                    spec: spec.clone(),
                    message: "expected FIELD=COLUMN, for example --map name=title".into(),
                });
            };
            let field = field.trim();
            let column = column.trim();
            let Some(&(key, _)) = keys.iter().find(|(k, _)| *k == field) else {
                let known: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
                return Err(CatalogError::BadMapping {
                    spec: spec.clone(),
                    message: format!("unknown field '{field}'; fields are {}", known.join(", ")),
                });
            };
            if column.is_empty() {
                // `--map description=` leaves the field unmapped.
                fields.insert(key, usize::MAX);
                continue;
            }
            let Some(idx) = columns.iter().position(|c| c == column) else {
                return Err(CatalogError::BadMapping {
                    spec: spec.clone(),
                    message: format!("the file has no column '{column}'; columns are {}", super::name_list(columns)),
                });
            };
            fields.insert(key, idx);
            used[idx] = true;
        }
        let normalized: Vec<String> = columns.iter().map(|c| normalize_header(c)).collect();
        for &(key, synonyms) in keys {
            if fields.contains_key(key) {
                continue;
            }
            let found =
                synonyms.iter().find_map(|syn| normalized.iter().enumerate().position(|(i, c)| !used[i] && c == syn));
            if let Some(idx) = found {
                fields.insert(key, idx);
                used[idx] = true;
            }
        }
        fields.retain(|_, idx| *idx != usize::MAX);
        Ok(Self { fields })
    }

    /// Column indexes not mapped to any field.
    pub fn unmapped(&self, n_columns: usize) -> Vec<usize> {
        (0..n_columns).filter(|i| !self.fields.values().any(|v| v == i)).collect()
    }

    /// field → column name, for the report.
    pub fn describe(&self, columns: &[String]) -> BTreeMap<String, String> {
        self.fields.iter().map(|(k, &i)| (k.to_string(), columns[i].clone())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn maps_common_headers_automatically() {
        let c = cols(&["Item ID", "Title", "name_ko", "Category", "Keywords", "Price", "Best-Before", "colour"]);
        let m = ColumnMapping::for_catalog(&c, &[]).unwrap();
        assert_eq!(m.get("id"), Some(0));
        assert_eq!(m.get("name"), Some(1));
        assert_eq!(m.get("name_alt"), Some(2));
        assert_eq!(m.get("tags"), Some(4));
        assert_eq!(m.get("expires_at"), Some(6));
        assert_eq!(m.unmapped(c.len()), vec![7]);
    }

    #[test]
    fn overrides_win_and_unknown_fields_are_explained() {
        let c = cols(&["id", "name", "headline"]);
        let m = ColumnMapping::for_catalog(&c, &["name=headline".into(), "description=name".into()]).unwrap();
        assert_eq!(m.get("name"), Some(2));
        assert_eq!(m.get("description"), Some(1));
        let err = ColumnMapping::for_catalog(&c, &["nmae=headline".into()]).unwrap_err().to_string();
        assert!(err.contains("unknown field 'nmae'") && err.contains("name_alt"), "{err}");
        let err = ColumnMapping::for_catalog(&c, &["name=nope".into()]).unwrap_err().to_string();
        assert!(err.contains("no column 'nope'"), "{err}");
    }
}
