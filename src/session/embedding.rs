//! Embedding a project's catalog and opening the pipeline on the result.

use super::{Result, SessionError};
use crate::embed::{Embedder, LexicalEmbedder, ModelRef, ModelStore, embed_catalog, with_project_weights};
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, EngineOptions};
use crate::store::Project;

/// Embeds whatever `model` has not embedded yet and opens the engine on it, ready to embed
/// queries. `model` becomes the project's model: the caller passes the project's own (see
/// [`super::model_to_embed`]) or one the user chose. The engine's `model` is the one that was
/// used (the lexical embedder's key names the weights fitted on this catalog).
pub fn embed_and_open(
    project: &mut Project,
    model: &ModelRef,
    store: &ModelStore,
    options: EngineOptions,
    sink: &ProgressSink,
) -> Result<Engine> {
    let template = super::template(project)?;
    // The lexical embedder comes with the project's fitted weights (fitted now if needed).
    let embedder: Box<dyn Embedder> = if LexicalEmbedder::is_fitted_key(&model.key) {
        Box::new(LexicalEmbedder::new())
    } else {
        model.load(store)?
    };
    let (embedder, _) = with_project_weights(project, embedder, &template, false, sink)?;
    let model = ModelRef::of_embedder(&model.spec, embedder.as_ref(), model.precision);
    let report = embed_catalog(project, embedder.as_ref(), &template, 256, sink)?;
    if report.cancelled {
        return Err(SessionError::Cancelled);
    }
    model.save_to(project)?;
    let mut engine = Engine::open(project, model, store.clone(), options, sink)?;
    engine.set_embedder(embedder)?;
    // Counted here rather than on the first recommendation, which would pay for it.
    sink.report("counting co-occurrences", 0, 0).map_err(|_| SessionError::Cancelled)?;
    engine.stats().cooccurrence();
    Ok(engine)
}
