//! Candidate sources: where the items a request ranks come from, before any filter.
//!
//! * **content** — the nearest neighbours of the anchors (the request's `candidates` is its
//!   quota); raw score: cosine similarity.
//! * **co-occurrence** — items other users acted on together with the user's recent items
//!   ("customers who acted on these also acted on…"); raw score: the mean over the recent items
//!   of count / √(n_i · n_j), in 0..1.
//! * **popularity** — the most popular items in a window before now; raw score: the popularity
//!   of the `popularity` rule, ln(1 + distinct users) over the catalog's maximum, in 0..1.
//! * **new items** — released items with no interactions yet, newest first; raw score: 0.5 per
//!   week of age (1 on the release day), 0 when the release date is unknown.
//!
//! The sources' candidates are merged (one candidate, every source that proposed it with its raw
//! score), then filtered and re-ranked together. A candidate's similarity is always its content
//! similarity to the anchors, whichever source proposed it, so the score breakdown still sums.
//! A request with nothing to search from (no action, no search text) — a new user — is served
//! by popularity and new items alone; when both are off, with [`Sources::COLD_USER`]'s quotas.

use serde::{Deserialize, Serialize};

/// Which candidate source proposed a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Content,
    CoOccurrence,
    Popularity,
    NewItems,
    /// A search among items that pass every filter, because the filters removed too many.
    Fill,
}

impl Source {
    pub const ALL: [Source; 5] =
        [Source::Content, Source::CoOccurrence, Source::Popularity, Source::NewItems, Source::Fill];

    /// The stable name, in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Content => "content",
            Source::CoOccurrence => "cooccurrence",
            Source::Popularity => "popularity",
            Source::NewItems => "new_items",
            Source::Fill => "fill",
        }
    }

    /// A short label for tables.
    pub fn short(self) -> &'static str {
        match self {
            Source::Content => "content",
            Source::CoOccurrence => "co-occ",
            Source::Popularity => "popular",
            Source::NewItems => "new",
            Source::Fill => "fill",
        }
    }

    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s || x.short() == s)
    }
}

/// The sources a request draws candidates from, and how many each may propose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Sources {
    /// Nearest neighbours of the anchors (at most the request's `candidates`).
    pub content: bool,
    /// At most this many items that co-occur with the user's recent items (0: off).
    pub cooccurrence: usize,
    /// How many of the user's most recent distinct items co-occurrence starts from (the source
    /// and the `cooccurrence` rule).
    pub recent_items: usize,
    /// At most this many of the most popular items (0: off).
    pub popularity: usize,
    /// Popularity counts the events of the last this many days before now (all, if unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub popularity_window_days: Option<f32>,
    /// At most this many released items without interactions, newest first (0: off).
    pub new_items: usize,
    /// Only items released at most this many days ago (any age, if unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_max_age_days: Option<f32>,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            content: true,
            cooccurrence: 0,
            recent_items: 10,
            popularity: 0,
            popularity_window_days: None,
            new_items: 0,
            new_max_age_days: None,
        }
    }
}

impl Sources {
    /// What a user with no history is served from when the request turns popularity and new
    /// items off: the 50 most popular items of the last 30 days and the 20 newest items.
    pub const COLD_USER: (usize, usize) = (50, 20);

    pub fn is_default(&self) -> bool {
        *self == Sources::default()
    }

    /// Only content: what reclab did before there were other sources.
    pub fn content_only(&self) -> bool {
        self.content && self.cooccurrence == 0 && self.popularity == 0 && self.new_items == 0
    }

    /// The quota of a source (content's is the request's `candidates`; `fill` has none).
    pub fn quota(&self, source: Source, content_quota: usize) -> usize {
        match source {
            Source::Content => {
                if self.content {
                    content_quota
                } else {
                    0
                }
            }
            Source::CoOccurrence => self.cooccurrence,
            Source::Popularity => self.popularity,
            Source::NewItems => self.new_items,
            Source::Fill => 0,
        }
    }

    /// Checks values that would make a source meaningless.
    pub fn check(&self) -> Result<(), super::PipelineError> {
        let bad = |m: String| Err(super::PipelineError::Request(format!("candidate sources: {m}")));
        if !self.content && self.cooccurrence == 0 && self.popularity == 0 && self.new_items == 0 {
            return bad("every source is off; turn on content or give another source a quota".into());
        }
        for (name, days) in
            [("popularity_window_days", self.popularity_window_days), ("new_max_age_days", self.new_max_age_days)]
        {
            if let Some(d) = days
                && !(d.is_finite() && d > 0.0)
            {
                return bad(format!("{name} must be a positive number of days, got {d}"));
            }
        }
        if self.cooccurrence > 0 && self.recent_items == 0 {
            return bad("co-occurrence needs at least one recent item (recent_items ≥ 1)".into());
        }
        Ok(())
    }

    /// Parses the command line's `--sources` list: `content`, `cooccurrence:N`, `popularity:N`
    /// (optionally `@DAYS`), `new_items:N` (optionally `@DAYS`), comma-separated. Sources not
    /// named are off.
    pub fn parse_list(spec: &str) -> Result<Sources, String> {
        let mut s = Sources { content: false, ..Sources::default() };
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, rest) = part.split_once(':').unwrap_or((part, ""));
            let (n, days) = rest.split_once('@').unwrap_or((rest, ""));
            let source = Source::parse(name.trim()).filter(|s| *s != Source::Fill).ok_or_else(|| {
                format!("'{name}' is not a candidate source: use content, cooccurrence, popularity or new_items")
            })?;
            let quota = || -> Result<usize, String> {
                n.trim().parse().map_err(|_| format!("'{part}': expected {}:N with N a whole number", source.as_str()))
            };
            let days = || -> Result<Option<f32>, String> {
                if days.is_empty() {
                    return Ok(None);
                }
                days.trim().parse().map(Some).map_err(|_| format!("'{part}': '@{days}' is not a number of days"))
            };
            match source {
                Source::Content => {
                    if !rest.is_empty() {
                        return Err(format!("'{part}': content's quota is --candidates"));
                    }
                    s.content = true;
                }
                Source::CoOccurrence => s.cooccurrence = quota()?,
                Source::Popularity => {
                    s.popularity = quota()?;
                    s.popularity_window_days = days()?;
                }
                Source::NewItems => {
                    s.new_items = quota()?;
                    s.new_max_age_days = days()?;
                }
                Source::Fill => unreachable!("filtered above"),
            }
        }
        s.check().map_err(|e| e.to_string())?;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sources_list_parses_and_typos_are_named() {
        let s = Sources::parse_list("content, cooccurrence:40, popularity:20@30, new:10").unwrap();
        assert!(s.content);
        assert_eq!((s.cooccurrence, s.popularity, s.new_items), (40, 20, 10));
        assert_eq!(s.popularity_window_days, Some(30.0));
        assert_eq!(s.new_max_age_days, None);
        let e = Sources::parse_list("content,cooc:5").unwrap_err();
        assert!(e.contains("'cooc' is not a candidate source"), "{e}");
        let e = Sources::parse_list("popularity:many").unwrap_err();
        assert!(e.contains("popularity:N"), "{e}");
        let e = Sources::parse_list("").unwrap_err();
        assert!(e.contains("every source is off"), "{e}");
        assert!(Sources::default().content_only() && Sources::default().is_default());
    }

    #[test]
    fn old_requests_without_sources_read_as_content_only() {
        let s: Sources = serde_json::from_str("{}").unwrap();
        assert!(s.is_default());
        let e = serde_json::from_str::<Sources>(r#"{"popularty": 3}"#).unwrap_err().to_string();
        assert!(e.contains("popularty"), "{e}");
    }
}
