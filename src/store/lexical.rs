//! The lexical embedder's fitted weights. A project holds at most one fit; its vectors are
//! cached under the fit's key, so replacing the fit removes the old vectors with it.

use super::{Project, Result};
use rusqlite::{OptionalExtension, params};

/// A fit as stored: the key of its vectors, the template and number of texts it was fitted on,
/// and the weights (see `embed::LexicalFit::to_bytes`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLexicalFit {
    pub model: String,
    pub template: String,
    pub texts: u64,
    pub weights: Vec<u8>,
}

impl Project {
    /// The project's lexical fit, if it has one.
    pub fn lexical_fit(&self) -> Result<Option<StoredLexicalFit>> {
        self.conn
            .query_row("SELECT model, template, texts, weights FROM lexical_fits ORDER BY model LIMIT 1", [], |r| {
                Ok(StoredLexicalFit {
                    model: r.get(0)?,
                    template: r.get(1)?,
                    texts: r.get::<_, i64>(2)? as u64,
                    weights: r.get(3)?,
                })
            })
            .optional()
            .map_err(|e| self.err("read the lexical weights", e))
    }

    /// Makes `fit` the project's lexical fit, in one transaction: any other fit goes, with every
    /// vector cached under its key. Returns the keys of the fits it replaced.
    pub fn replace_lexical_fit(&mut self, fit: &StoredLexicalFit) -> Result<Vec<String>> {
        let path = self.path.clone();
        let err = |e| super::sql(&path, "save the lexical weights", e);
        let tx = self.conn.transaction().map_err(err)?;
        let old: Vec<String> = {
            let mut stmt =
                tx.prepare("SELECT model FROM lexical_fits WHERE model <> ?1 ORDER BY model").map_err(err)?;
            let rows = stmt.query_map([&fit.model], |r| r.get(0)).map_err(err)?;
            rows.collect::<rusqlite::Result<_>>().map_err(err)?
        };
        for model in &old {
            tx.execute(
                "DELETE FROM embeddings WHERE model_id = (SELECT id FROM embedding_models WHERE model = ?1)",
                [model],
            )
            .map_err(err)?;
            tx.execute("DELETE FROM embedding_models WHERE model = ?1", [model]).map_err(err)?;
            tx.execute("DELETE FROM lexical_fits WHERE model = ?1", [model]).map_err(err)?;
        }
        tx.execute(
            "INSERT INTO lexical_fits (model, template, texts, weights, fitted_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (model) DO UPDATE SET template = excluded.template, texts = excluded.texts, \
             weights = excluded.weights, fitted_at = excluded.fitted_at",
            params![fit.model, fit.template, fit.texts as i64, fit.weights, crate::util::now_secs()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(model: &str) -> StoredLexicalFit {
        StoredLexicalFit { model: model.into(), template: "{name}".into(), texts: 2, weights: vec![1, 2, 3] }
    }

    #[test]
    fn a_new_fit_replaces_the_old_one_and_its_vectors() {
        let mut p = Project::in_memory().unwrap();
        assert_eq!(p.lexical_fit().unwrap(), None);
        p.replace_lexical_fit(&fit("lexical-v2@a")).unwrap();
        p.put_vectors("lexical-v2@a", 2, &[([1; 16], vec![1.0, 0.0])]).unwrap();
        p.put_vectors("other@1", 2, &[([1; 16], vec![0.0, 1.0])]).unwrap();
        assert_eq!(p.lexical_fit().unwrap(), Some(fit("lexical-v2@a")));
        // The same fit again changes nothing.
        assert!(p.replace_lexical_fit(&fit("lexical-v2@a")).unwrap().is_empty());
        assert_eq!(p.load_vectors("lexical-v2@a").unwrap().len(), 1);

        assert_eq!(p.replace_lexical_fit(&fit("lexical-v2@b")).unwrap(), vec!["lexical-v2@a".to_string()]);
        assert_eq!(p.lexical_fit().unwrap(), Some(fit("lexical-v2@b")));
        assert!(p.load_vectors("lexical-v2@a").unwrap().is_empty(), "the old fit's vectors are gone");
        assert_eq!(p.model_dim("lexical-v2@a").unwrap(), None);
        assert_eq!(p.load_vectors("other@1").unwrap().len(), 1, "another model's vectors stay");
    }
}
