//! The embedding cache: vectors keyed by (model, hash of the embedded text).

use super::{Project, Result, StoreError};
use rusqlite::{OptionalExtension, params};
use std::collections::{HashMap, HashSet};

/// A cached vector: the 16-byte hash of the text it embeds, and the vector.
pub type VectorRow = ([u8; 16], Vec<f32>);

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<f32> {
    let mut v = Vec::with_capacity(b.len() / 4);
    extend_from_blob(&mut v, b);
    v
}

fn extend_from_blob(v: &mut Vec<f32>, b: &[u8]) {
    v.extend(b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])));
}

/// A model's cached vectors in one allocation, found by the hash of their text.
#[derive(Debug, Default)]
pub struct VectorTable {
    dim: usize,
    data: Vec<f32>,
    row_of: HashMap<[u8; 16], usize>,
}

impl VectorTable {
    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.row_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_of.is_empty()
    }

    /// The vector of the text with this hash.
    pub fn get(&self, hash: &[u8; 16]) -> Option<&[f32]> {
        self.row_of.get(hash).map(|&row| &self.data[row * self.dim..(row + 1) * self.dim])
    }
}

impl Project {
    /// The dimension recorded for a model's vectors in this project, if any.
    pub fn model_dim(&self, model: &str) -> Result<Option<usize>> {
        Ok(self.model_row(model)?.map(|(_, dim)| dim))
    }

    /// The number a model's vectors are stored under, and their dimension.
    fn model_row(&self, model: &str) -> Result<Option<(i64, usize)>> {
        self.conn
            .query_row("SELECT id, dim FROM embedding_models WHERE model = ?1", [model], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? as usize))
            })
            .optional()
            .map_err(|e| self.err("read model dimensions", e))
    }

    /// Records that `model` gives `dim`-dimensional vectors; refuses a different dimension for a
    /// model that already has vectors here.
    pub fn register_model(&self, model: &str, dim: usize) -> Result<()> {
        match self.model_dim(model)? {
            Some(stored) if stored != dim => {
                Err(StoreError::DimensionMismatch { model: model.to_string(), stored, given: dim })
            }
            Some(_) => Ok(()),
            None => self
                .conn
                .execute("INSERT INTO embedding_models (model, dim) VALUES (?1, ?2)", params![model, dim as i64])
                .map(|_| ())
                .map_err(|e| self.err("record a model", e)),
        }
    }

    /// Text hashes that already have a vector for `model`.
    pub fn cached_hashes(&self, model: &str) -> Result<HashSet<[u8; 16]>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.text_hash FROM embeddings e JOIN embedding_models m ON m.id = e.model_id WHERE m.model = ?1",
            )
            .map_err(|e| self.err("read the embedding cache", e))?;
        // Read in place: a blob of another length is no text hash, and is left out.
        let rows = stmt
            .query_map([model], |r| Ok(r.get_ref(0)?.as_blob().ok().and_then(|b| <[u8; 16]>::try_from(b).ok())))
            .map_err(|e| self.err("read the embedding cache", e))?;
        let mut out = HashSet::new();
        for row in rows {
            if let Some(h) = row.map_err(|e| self.err("read the embedding cache", e))? {
                out.insert(h);
            }
        }
        Ok(out)
    }

    /// Every cached vector of `model`.
    pub fn load_vectors(&self, model: &str) -> Result<VectorTable> {
        let dim = self.model_dim(model)?.unwrap_or(0);
        let mut table = VectorTable { dim, ..Default::default() };
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.text_hash, e.vector FROM embeddings e JOIN embedding_models m ON m.id = e.model_id \
                 WHERE m.model = ?1",
            )
            .map_err(|e| self.err("read vectors", e))?;
        let mut rows = stmt.query([model]).map_err(|e| self.err("read vectors", e))?;
        while let Some(row) = rows.next().map_err(|e| self.err("read vectors", e))? {
            let hash = row
                .get_ref(0)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(|e| self.err("read vectors", e))?;
            let blob = row
                .get_ref(1)
                .and_then(|v| v.as_blob().map_err(Into::into))
                .map_err(|e| self.err("read vectors", e))?;
            let (Ok(hash), true) = (<[u8; 16]>::try_from(hash), blob.len() == dim * 4) else {
                return Err(StoreError::Damaged {
                    path: self.path.clone(),
                    what: format!("vector of model {model}"),
                    message: format!("{} bytes where {} were expected", blob.len(), dim * 4),
                });
            };
            if table.row_of.contains_key(&hash) {
                continue;
            }
            table.row_of.insert(hash, table.row_of.len());
            extend_from_blob(&mut table.data, blob);
        }
        Ok(table)
    }

    /// The cached vectors of `model` for the given text hashes (those that exist).
    pub fn vectors_for(
        &self,
        model: &str,
        hashes: impl IntoIterator<Item = [u8; 16]>,
    ) -> Result<HashMap<[u8; 16], Vec<f32>>> {
        let mut out = HashMap::new();
        let Some((model_id, _)) = self.model_row(model)? else { return Ok(out) };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT vector FROM embeddings WHERE model_id = ?1 AND text_hash = ?2")
            .map_err(|e| self.err("read vectors", e))?;
        for h in hashes {
            let v: Option<Vec<u8>> = stmt
                .query_row(params![model_id, &h[..]], |r| r.get(0))
                .optional()
                .map_err(|e| self.err("read vectors", e))?;
            if let Some(blob) = v {
                out.insert(h, from_blob(&blob));
            }
        }
        Ok(out)
    }

    /// Saves vectors in one transaction: after this returns they survive a crash.
    pub fn put_vectors(&mut self, model: &str, dim: usize, rows: &[VectorRow]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.write_transaction("save vectors")?;
        write_vectors(&tx, &path, model, dim, rows)?;
        tx.commit().map_err(|e| super::sql(&path, "commit vectors", e))
    }

    /// Drops every cached vector of `model` (and its recorded dimension).
    pub fn clear_vectors(&mut self, model: &str) -> Result<u64> {
        let Some((model_id, _)) = self.model_row(model)? else { return Ok(0) };
        let n = self
            .conn
            .execute("DELETE FROM embeddings WHERE model_id = ?1", [model_id])
            .map_err(|e| self.err("remove vectors", e))?;
        self.conn
            .execute("DELETE FROM embedding_models WHERE id = ?1", [model_id])
            .map_err(|e| self.err("remove vectors", e))?;
        Ok(n as u64)
    }

    /// Models with vectors in this project: (model, dimension, number of vectors).
    pub fn vector_models(&self) -> Result<Vec<(String, usize, u64)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT m.model, m.dim, (SELECT count(*) FROM embeddings e WHERE e.model_id = m.id) \
                 FROM embedding_models m ORDER BY m.model",
            )
            .map_err(|e| self.err("list vector models", e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize, r.get::<_, i64>(2)? as u64)))
            .map_err(|e| self.err("list vector models", e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err("list vector models", e))
    }
}

/// Saves `rows` for `model` inside the caller's transaction, recording the model's dimension
/// (and refusing another dimension for a model that already has one).
pub(super) fn write_vectors(
    conn: &rusqlite::Connection,
    path: &std::path::Path,
    model: &str,
    dim: usize,
    rows: &[VectorRow],
) -> Result<()> {
    let stored: Option<(i64, i64)> = conn
        .query_row("SELECT id, dim FROM embedding_models WHERE model = ?1", [model], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(|e| super::sql(path, "read model dimensions", e))?;
    let model_id = match stored {
        Some((_, d)) if d as usize != dim => {
            return Err(StoreError::DimensionMismatch { model: model.to_string(), stored: d as usize, given: dim });
        }
        Some((id, _)) => id,
        None => {
            conn.execute("INSERT INTO embedding_models (model, dim) VALUES (?1, ?2)", params![model, dim as i64])
                .map_err(|e| super::sql(path, "record a model", e))?;
            conn.last_insert_rowid()
        }
    };
    if let Some((_, v)) = rows.iter().find(|(_, v)| v.len() != dim) {
        return Err(StoreError::DimensionMismatch { model: model.to_string(), stored: dim, given: v.len() });
    }
    let mut stmt = conn
        .prepare_cached("INSERT OR REPLACE INTO embeddings (model_id, text_hash, vector) VALUES (?1, ?2, ?3)")
        .map_err(|e| super::sql(path, "save vectors", e))?;
    for (hash, v) in rows {
        stmt.execute(params![model_id, &hash[..], to_blob(v)]).map_err(|e| super::sql(path, "save a vector", e))?;
    }
    Ok(())
}
