//! Catalog items and their attribute types in the project file.

use super::{Project, Result, StoreError};
use crate::catalog::{AttrKind, Item, ItemUpdate};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

/// What an upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

const ITEM_COLUMNS: &str = "key, id, name, name_alt, category, tags, description, price, stock, purchase_limit, released_at, expires_at, vertical, attrs";

fn row_to_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<(u64, Item, String, String)> {
    let tags: String = r.get(5)?;
    let attrs: String = r.get(13)?;
    Ok((
        r.get::<_, i64>(0)? as u64,
        Item {
            id: r.get(1)?,
            name: r.get(2)?,
            name_alt: r.get(3)?,
            category: r.get(4)?,
            tags: Vec::new(),
            description: r.get(6)?,
            price: r.get(7)?,
            stock: r.get(8)?,
            purchase_limit: r.get(9)?,
            released_at: r.get(10)?,
            expires_at: r.get(11)?,
            vertical: r.get(12)?,
            attrs: BTreeMap::new(),
        },
        tags,
        attrs,
    ))
}

/// Vectors saved in the same transaction as the items they embed.
pub struct VectorBatch<'a> {
    pub model: &'a str,
    pub dim: usize,
    pub rows: &'a [super::VectorRow],
}

impl Project {
    /// Replaces items whole (every field and attribute), adding the new ones, in one
    /// transaction. Imports merge instead: see [`Project::apply_updates`].
    pub fn upsert_items(&mut self, items: &[Item]) -> Result<UpsertCounts> {
        let updates: Vec<ItemUpdate> = items.iter().cloned().map(ItemUpdate::replace).collect();
        self.apply_updates(&updates, None, None)
    }

    /// The items as they would be after `updates`, without saving anything.
    pub fn preview_updates(&self, updates: &[ItemUpdate]) -> Result<Vec<Item>> {
        let mut out = Vec::with_capacity(updates.len());
        for u in updates {
            let stored = self.item(&u.item.id)?.map(|(_, i)| i);
            out.push(u.apply(stored.as_ref()));
        }
        Ok(out)
    }

    /// Applies updates in one transaction: each changes only the fields it names (see
    /// [`ItemUpdate`]); an item whose content did not change is left alone (its timestamps
    /// too). `vectors` are saved in the same transaction, so items and their vectors land
    /// together or not at all. With `expected` (the items [`Project::preview_updates`] gave),
    /// nothing is saved and [`StoreError::Changed`] comes back when another writer changed
    /// these items in between.
    pub fn apply_updates(
        &mut self,
        updates: &[ItemUpdate],
        vectors: Option<VectorBatch<'_>>,
        expected: Option<&[Item]>,
    ) -> Result<UpsertCounts> {
        for u in updates {
            u.item.check().map_err(StoreError::Invalid)?;
        }
        let now = crate::util::now_secs();
        let path = self.path.clone();
        let err = |ctx: &str, e| super::sql(&path, ctx, e);
        let damaged = |id: &str, what: &str, e: serde_json::Error| StoreError::Damaged {
            path: path.clone(),
            what: format!("{what} of item {id}"),
            message: e.to_string(),
        };
        let tx = self.write_transaction("start saving items")?;
        let mut counts = UpsertCounts::default();
        {
            let mut find = tx
                .prepare_cached(&format!("SELECT {ITEM_COLUMNS}, content_hash FROM items WHERE id = ?1"))
                .map_err(|e| err("save items", e))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO items (id, name, name_alt, category, tags, description, price, stock, purchase_limit, \
                     released_at, expires_at, vertical, attrs, content_hash, added_at, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
                )
                .map_err(|e| err("save items", e))?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE items SET name = ?2, name_alt = ?3, category = ?4, tags = ?5, description = ?6, price = ?7, \
                     stock = ?8, purchase_limit = ?9, released_at = ?10, expires_at = ?11, vertical = ?12, attrs = ?13, \
                     content_hash = ?14, updated_at = ?15 WHERE id = ?1",
                )
                .map_err(|e| err("save items", e))?;
            for (n, u) in updates.iter().enumerate() {
                let found = find
                    .query_row([&u.item.id], |r| Ok((row_to_item(r)?, r.get::<_, String>(14)?)))
                    .optional()
                    .map_err(|e| err("save items", e))?;
                let stored = match found {
                    Some(((_, mut stored, tags, attrs), hash)) => {
                        stored.tags = serde_json::from_str(&tags).map_err(|e| damaged(&stored.id, "tags", e))?;
                        stored.attrs =
                            serde_json::from_str(&attrs).map_err(|e| damaged(&stored.id, "attributes", e))?;
                        Some((stored, hash))
                    }
                    None => None,
                };
                let item = u.apply(stored.as_ref().map(|(s, _)| s));
                if let Some(want) = expected.and_then(|e| e.get(n))
                    && *want != item
                {
                    return Err(StoreError::Changed { path: path.clone(), id: item.id.clone() });
                }
                let hash = item.content_hash();
                let tags = serde_json::to_string(&item.tags).unwrap_or_else(|_| "[]".into());
                let attrs = serde_json::to_string(&item.attrs).unwrap_or_else(|_| "{}".into());
                let values = params![
                    item.id,
                    item.name,
                    item.name_alt,
                    item.category,
                    tags,
                    item.description,
                    item.price,
                    item.stock,
                    item.purchase_limit,
                    item.released_at,
                    item.expires_at,
                    item.vertical,
                    attrs,
                    hash,
                    now
                ];
                match stored {
                    None => {
                        insert.execute(values).map_err(|e| err("add an item", e))?;
                        counts.added += 1;
                    }
                    Some((_, old)) if old == hash => counts.unchanged += 1,
                    Some(_) => {
                        update.execute(values).map_err(|e| err("update an item", e))?;
                        counts.updated += 1;
                    }
                }
            }
        }
        if let Some(v) = vectors {
            super::embeddings::write_vectors(&tx, &path, v.model, v.dim, v.rows)?;
        }
        tx.commit().map_err(|e| err("commit the items", e))?;
        Ok(counts)
    }

    /// Every item with its stable numeric key (the key the vector index uses), ordered by key.
    pub fn load_items(&self) -> Result<Vec<(u64, Item)>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY key"))
            .map_err(|e| self.err("read items", e))?;
        let rows = stmt.query_map([], row_to_item).map_err(|e| self.err("read items", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, mut item, tags, attrs) = row.map_err(|e| self.err("read items", e))?;
            item.tags = serde_json::from_str(&tags).map_err(|e| self.damaged(&item.id, "tags", e))?;
            item.attrs = serde_json::from_str(&attrs).map_err(|e| self.damaged(&item.id, "attributes", e))?;
            out.push((key, item));
        }
        Ok(out)
    }

    fn damaged(&self, id: &str, what: &str, e: serde_json::Error) -> StoreError {
        StoreError::Damaged { path: self.path.clone(), what: format!("{what} of item {id}"), message: e.to_string() }
    }

    /// One item by id.
    pub fn item(&self, id: &str) -> Result<Option<(u64, Item)>> {
        let row = self
            .conn
            .query_row(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"), [id], row_to_item)
            .optional()
            .map_err(|e| self.err("read an item", e))?;
        match row {
            None => Ok(None),
            Some((key, mut item, tags, attrs)) => {
                item.tags = serde_json::from_str(&tags).map_err(|e| self.damaged(id, "tags", e))?;
                item.attrs = serde_json::from_str(&attrs).map_err(|e| self.damaged(id, "attributes", e))?;
                Ok(Some((key, item)))
            }
        }
    }

    /// Removes items by id; returns how many existed.
    pub fn remove_items(&mut self, ids: &[String]) -> Result<u64> {
        let path = self.path.clone();
        let tx = self.write_transaction("remove items")?;
        let mut n = 0;
        for id in ids {
            n += tx
                .execute("DELETE FROM items WHERE id = ?1", [id])
                .map_err(|e| super::sql(&path, "remove an item", e))? as u64;
        }
        tx.commit().map_err(|e| super::sql(&path, "remove items", e))?;
        Ok(n)
    }

    /// Attribute name → kind, for every extra column ever imported.
    pub fn attributes(&self) -> Result<BTreeMap<String, AttrKind>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, kind FROM attributes ORDER BY name")
            .map_err(|e| self.err("read attributes", e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err("read attributes", e))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (name, kind) = row.map_err(|e| self.err("read attributes", e))?;
            out.insert(name, AttrKind::parse(&kind).unwrap_or(AttrKind::Text));
        }
        Ok(out)
    }

    /// Records attribute kinds, widening a kind already stored when the new one differs. Returns
    /// a note for each attribute whose kind was widened.
    pub fn merge_attributes(&self, kinds: &BTreeMap<String, AttrKind>) -> Result<Vec<String>> {
        let existing = self.attributes()?;
        let mut notes = Vec::new();
        for (name, &kind) in kinds {
            let merged = match existing.get(name) {
                Some(&old) if old != kind => {
                    let w = old.widen(kind);
                    notes.push(format!(
                        "attribute '{name}' was {} and this file has {} values: it is now {}",
                        old.as_str(),
                        kind.as_str(),
                        w.as_str()
                    ));
                    w
                }
                Some(&old) => old,
                None => kind,
            };
            self.conn
                .execute(
                    "INSERT INTO attributes (name, kind) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET kind = excluded.kind",
                    params![name, merged.as_str()],
                )
                .map_err(|e| self.err("save attribute kinds", e))?;
        }
        Ok(notes)
    }
}
