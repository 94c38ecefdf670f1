//! Models reclab knows by name: where to fetch them, what to expect, and how to prompt them.

/// A model reclab has been checked with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// The hub repository id, for `reclab models fetch`.
    pub repo_id: &'static str,
    /// The name it is installed under.
    pub name: &'static str,
    pub dim: usize,
    /// sha256 of `model.safetensors`, when pinned; a download or import that differs is refused.
    pub weights_sha256: Option<&'static str>,
    pub query_prefix: &'static str,
    pub passage_prefix: &'static str,
    pub about: &'static str,
    /// About how much a download is, in MB (all its files).
    pub download_mb: u32,
}

pub const KNOWN_MODELS: &[KnownModel] = &[
    KnownModel {
        repo_id: "sentence-transformers/all-MiniLM-L6-v2",
        name: "all-MiniLM-L6-v2",
        dim: 384,
        weights_sha256: Some("53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
        query_prefix: "",
        passage_prefix: "",
        about: "English, 6 layers, fast; the reference model of the tests",
        download_mb: 90,
    },
    KnownModel {
        repo_id: "intfloat/multilingual-e5-small",
        name: "multilingual-e5-small",
        dim: 384,
        weights_sha256: None,
        query_prefix: "query: ",
        passage_prefix: "passage: ",
        about: "100 languages including Korean, 12 layers; the model of the in-game shop case",
        download_mb: 470,
    },
];

/// Looks a model up by repository id or by name (case-insensitive).
pub fn find(name_or_repo: &str) -> Option<&'static KnownModel> {
    KNOWN_MODELS
        .iter()
        .find(|m| m.repo_id.eq_ignore_ascii_case(name_or_repo) || m.name.eq_ignore_ascii_case(name_or_repo))
}

/// Looks a model up by the sha256 of its weights.
pub fn by_weights(sha256: &str) -> Option<&'static KnownModel> {
    KNOWN_MODELS.iter().find(|m| m.weights_sha256 == Some(sha256))
}
