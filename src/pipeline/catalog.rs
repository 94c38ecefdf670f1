//! The catalog in memory: the items by id and by key, their attributes, and a version that
//! changes with every change.

use crate::catalog::{AttrKind, Item};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

/// The catalog in memory, addressable by id and by key.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    items: Vec<Item>,
    keys: Vec<u64>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<u64, usize>,
    pub attributes: BTreeMap<String, AttrKind>,
    /// Changes with every change of this catalog, and differs between catalogs: what a view
    /// computed from a catalog compares to know it is still current.
    version: u64,
}

/// The next catalog version (unique in the process).
fn next_catalog_version() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Catalog {
    pub fn new(rows: Vec<(u64, Item)>, attributes: BTreeMap<String, AttrKind>) -> Self {
        let n = rows.len();
        let mut c = Catalog {
            attributes,
            version: next_catalog_version(),
            items: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            by_id: HashMap::with_capacity(n),
            by_key: HashMap::with_capacity(n),
        };
        for (key, item) in rows {
            c.upsert(key, item);
        }
        c
    }

    /// Identifies this catalog's contents (see the field).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Adds or replaces an item.
    pub fn upsert(&mut self, key: u64, item: Item) {
        self.version = next_catalog_version();
        match self.by_key.get(&key) {
            Some(&i) => {
                self.by_id.remove(&self.items[i].id);
                self.by_id.insert(item.id.clone(), i);
                self.items[i] = item;
            }
            None => {
                let i = self.items.len();
                self.by_id.insert(item.id.clone(), i);
                self.by_key.insert(key, i);
                self.items.push(item);
                self.keys.push(key);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn keys(&self) -> &[u64] {
        &self.keys
    }

    pub fn get(&self, id: &str) -> Option<&Item> {
        self.by_id.get(id).map(|&i| &self.items[i])
    }

    pub fn key_of(&self, id: &str) -> Option<u64> {
        self.by_id.get(id).map(|&i| self.keys[i])
    }

    pub fn by_key(&self, key: u64) -> Option<&Item> {
        self.by_key.get(&key).map(|&i| &self.items[i])
    }

    /// Items whose id, name or second-language name contains `query` (case-insensitive), best
    /// matches (prefix, then shorter names) first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Item> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return self.items.iter().take(limit).collect();
        }
        let mut hits: Vec<(u8, usize, &Item)> = self
            .items
            .iter()
            .filter_map(|it| {
                let name = it.name.to_lowercase();
                let alt = it.name_alt.as_deref().unwrap_or("").to_lowercase();
                let rank = if it.id == query.trim() {
                    0
                } else if name.starts_with(&q) || alt.starts_with(&q) {
                    1
                } else if name.contains(&q) || alt.contains(&q) {
                    2
                } else if it.id.contains(&q) {
                    3
                } else {
                    return None;
                };
                Some((rank, it.name.len(), it))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| crate::util::cmp_ids(&a.2.id, &b.2.id)));
        hits.into_iter().take(limit).map(|h| h.2).collect()
    }
}
