//! The built-in lexical embedder: hashed word tokens and character n-grams, weighted by inverse
//! document frequency. It needs no model weights, so the lab works before any model is
//! installed. It matches spelling, not meaning.
//!
//! Latin text contributes its words and the character 3-grams of each word (with boundary
//! marks); Hangul and other scripts without spaces inside words contribute single characters and
//! character bigrams, which is what carries meaning there. A word weighs 1 and its 3-grams
//! together 0.5 (each `0.5 / √n` of its n, so a long word's spelling does not outweigh a short
//! word), a CJK character 0.5 and a bigram 1. A feature's weight in a text is that × its count
//! (raw term frequency) × `idf²`, where `idf = 1 + ln((1 + N) / (1 + df))` is fitted on the N
//! distinct item texts of the project's catalog ([`LexicalFit`]): a name a few items share
//! outweighs the words every item of a category repeats. A feature the fit never saw (a
//! cold-start item's new name) gets the largest weight, `(1 + ln(1 + N))²`.
//!
//! A search (a query text) leaves out the words the fit never saw, which cannot match any catalog
//! text and would only add noise: a misspelt word counts by its 3-grams, so it still finds the
//! items spelt like it.
//!
//! Each feature is hashed (FNV-1a) into 8 signed buckets of the 512 with weight `1/√8`, which
//! makes a chance collision of two heavy features a small error rather than a large one; the
//! vector is L2-normalised.
//!
//! Why these choices: on the bundled sample, against the neighbours all-MiniLM-L6-v2 finds, the
//! share of each item's 10 nearest neighbours that the two agree on is 0.57 with every feature
//! weighted alike and about 0.63 with them; and the Serena launch item's own skin comes second
//! instead of after forty other Descendants. Plain `idf` (not squared) agrees slightly more on
//! average but lets the Descendants' shared description win that case.
//!
//! The fit is saved in the project, and its hash is part of the vectors' key
//! (`lexical-v2@<12 hex digits>`): vectors of two fits never mix, and a refit that changes the
//! weights gives a new key, so everything is embedded again. Without a fit (no project: `reclab
//! encode`, small tests) every feature has idf 1 and the key is `lexical-v2`.

use super::{EmbedError, Embedder, Template, TextKind};
use crate::jobs::ProgressSink;
use crate::store::{Project, StoredLexicalFit};
use std::collections::HashMap;
use std::sync::Arc;

pub struct LexicalEmbedder {
    dim: usize,
    fit: Option<Arc<LexicalFit>>,
    key: String,
}

impl Default for LexicalEmbedder {
    fn default() -> Self {
        Self::new()
    }
}

impl LexicalEmbedder {
    /// The key of the embedder without a fit; a fitted one's key is `KEY@<fit hash>`. The fit's
    /// hash covers the document frequencies only: change this when the features or their
    /// weighting change, so that vectors of two versions never mix.
    pub const KEY: &'static str = "lexical-v2";
    pub const DIM: usize = 512;

    /// Without a fit: every feature has inverse document frequency 1.
    pub fn new() -> Self {
        Self { dim: Self::DIM, fit: None, key: Self::KEY.to_string() }
    }

    /// With the weights of `fit`.
    pub fn fitted(fit: Arc<LexicalFit>) -> Self {
        Self { dim: Self::DIM, key: fit.key(), fit: Some(fit) }
    }

    /// Whether `key` names vectors of a fitted lexical embedder.
    pub fn is_fitted_key(key: &str) -> bool {
        key.strip_prefix(Self::KEY).is_some_and(|rest| rest.starts_with('@'))
    }

    pub fn fit(&self) -> Option<&LexicalFit> {
        self.fit.as_deref()
    }

    /// The vector of an item's text.
    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        self.vector(features(text))
    }

    /// The vector of a search. A word of the search that no catalog text had when the weights
    /// were fitted cannot match any of them: it would only weigh heavily on chance collisions of
    /// its buckets, so it counts by its spelling (its 3-grams) alone, and a misspelt word finds
    /// the items spelt like it. (A search made only of such features keeps them all.)
    pub fn embed_query(&self, text: &str) -> Vec<f32> {
        let mut feats = features(text);
        if let Some(fit) = &self.fit
            && feats.iter().any(|(h, _)| fit.seen(*h))
        {
            feats.retain(|(h, _)| fit.seen(*h));
        }
        self.vector(feats)
    }

    fn vector(&self, feats: Vec<(u64, f32)>) -> Vec<f32> {
        let mut v = vec![0.0f32; self.dim];
        let spread = 1.0 / (HASHES as f32).sqrt();
        for (h, w) in feats {
            let idf = self.fit.as_ref().map_or(1.0, |f| f.idf(h));
            let w = w * idf * idf * spread;
            let mut x = h;
            for _ in 0..HASHES {
                x = splitmix64(x);
                let bucket = (x % self.dim as u64) as usize;
                v[bucket] += if x >> 63 == 0 { w } else { -w };
            }
        }
        super::normalize(&mut v);
        v
    }
}

/// Buckets each feature is spread over.
const HASHES: usize = 8;

/// A 64-bit mixer (splitmix64's finaliser after its increment): one feature hash gives a
/// sequence of independent-looking bucket choices.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The kinds of feature (the tag goes into the hash) and their weights; a word's 3-grams share
/// [`TRIGRAMS_PER_WORD`].
const WORD: (u8, f32) = (b'w', 1.0);
const TRIGRAM: u8 = b't';
const TRIGRAMS_PER_WORD: f32 = 0.5;
const CJK_CHAR: (u8, f32) = (b'u', 0.5);
const CJK_BIGRAM: (u8, f32) = (b'b', 1.0);

/// The hashed features of a text, each once, sorted by hash, with its weight before the inverse
/// document frequency: the sum of its occurrences' weights.
fn features(text: &str) -> Vec<(u64, f32)> {
    let mut all: Vec<(u64, f32)> = Vec::new();
    let lower = text.to_lowercase();
    let mut chars: Vec<char> = Vec::new();
    for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        all.push((fnv1a(WORD.0, word.chars()), WORD.1));
        chars.clear();
        chars.push('<');
        chars.extend(word.chars());
        chars.push('>');
        let inner = &chars[1..chars.len() - 1];
        if inner.iter().any(|c| is_cjk(*c)) {
            for c in inner {
                all.push((fnv1a(CJK_CHAR.0, std::iter::once(*c)), CJK_CHAR.1));
            }
            for pair in inner.windows(2) {
                all.push((fnv1a(CJK_BIGRAM.0, pair.iter().copied()), CJK_BIGRAM.1));
            }
        } else {
            let n = chars.len() - 2;
            let w = TRIGRAMS_PER_WORD / (n as f32).sqrt();
            for tri in chars.windows(3) {
                all.push((fnv1a(TRIGRAM, tri.iter().copied()), w));
            }
        }
    }
    // Sorted, so that summation order never depends on anything but the text.
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<(u64, f32)> = Vec::with_capacity(all.len());
    for (h, w) in all {
        match out.last_mut() {
            Some(last) if last.0 == h => last.1 += w,
            _ => out.push((h, w)),
        }
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F // Hangul
        | 0x3040..=0x30FF // Kana
        | 0x4E00..=0x9FFF | 0x3400..=0x4DBF) // CJK ideographs
}

/// FNV-1a over the tag and the UTF-8 bytes of `chars`.
fn fnv1a(tag: u8, chars: impl Iterator<Item = char>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut step = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    step(tag);
    let mut buf = [0u8; 4];
    for c in chars {
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            step(b);
        }
    }
    h
}

/// Document frequencies of the lexical features over a catalog's distinct texts: the weights of
/// a fitted [`LexicalEmbedder`].
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalFit {
    /// Distinct texts fitted on.
    texts: u32,
    /// Feature hash → number of those texts that have it.
    df: HashMap<u64, u32>,
    /// sha256 of [`LexicalFit::to_bytes`], in hex.
    sha: String,
}

/// The first bytes of a serialised fit (and its format version).
const FIT_MAGIC: &[u8; 8] = b"RLXIDF01";

impl LexicalFit {
    /// Counts, for every feature, the distinct texts among `texts` that have it.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut seen = std::collections::HashSet::new();
        let mut df: HashMap<u64, u32> = HashMap::new();
        let mut n = 0u32;
        for text in texts {
            if !seen.insert(crate::util::text_hash(text)) {
                continue;
            }
            n += 1;
            for (h, _) in features(text) {
                *df.entry(h).or_insert(0) += 1;
            }
        }
        Self::from_parts(n, df)
    }

    fn from_parts(texts: u32, df: HashMap<u64, u32>) -> Self {
        let mut fit = Self { texts, df, sha: String::new() };
        fit.sha = crate::util::sha256_hex(&fit.to_bytes());
        fit
    }

    /// The key of the vectors this fit gives.
    pub fn key(&self) -> String {
        format!("{}@{}", LexicalEmbedder::KEY, &self.sha[..12])
    }

    /// Distinct texts the fit counted.
    pub fn texts(&self) -> usize {
        self.texts as usize
    }

    /// Distinct features it saw.
    pub fn features(&self) -> usize {
        self.df.len()
    }

    /// Whether some fitted text has feature `h`.
    pub fn seen(&self, h: u64) -> bool {
        self.df.contains_key(&h)
    }

    /// The inverse document frequency of feature `h`; the largest for a feature never seen.
    /// (The embedder weighs a feature by its square.)
    pub fn idf(&self, h: u64) -> f32 {
        let df = self.df.get(&h).copied().unwrap_or(0) as f32;
        1.0 + ((1.0 + self.texts as f32) / (1.0 + df)).ln()
    }

    /// `FIT_MAGIC`, the number of texts (u32 LE), then (feature hash u64 LE, df u32 LE) sorted
    /// by hash: the same fit always gives the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut entries: Vec<(u64, u32)> = self.df.iter().map(|(h, d)| (*h, *d)).collect();
        entries.sort_unstable();
        let mut out = Vec::with_capacity(FIT_MAGIC.len() + 4 + entries.len() * 12);
        out.extend_from_slice(FIT_MAGIC);
        out.extend_from_slice(&self.texts.to_le_bytes());
        for (h, d) in entries {
            out.extend_from_slice(&h.to_le_bytes());
            out.extend_from_slice(&d.to_le_bytes());
        }
        out
    }

    /// Reads [`LexicalFit::to_bytes`]; `None` when the bytes are not a fit.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let rest = bytes.strip_prefix(FIT_MAGIC)?;
        let (n, rest) = rest.split_first_chunk::<4>()?;
        if rest.len() % 12 != 0 {
            return None;
        }
        let df: HashMap<u64, u32> = rest
            .chunks_exact(12)
            .map(|c| {
                let (h, d) = c.split_at(8);
                (
                    u64::from_le_bytes(h.try_into().unwrap_or_default()),
                    u32::from_le_bytes(d.try_into().unwrap_or_default()),
                )
            })
            .collect();
        let fit = Self { texts: u32::from_le_bytes(*n), df, sha: crate::util::sha256_hex(bytes) };
        Some(fit)
    }
}

/// What [`project_lexical`] did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LexicalFitReport {
    /// The key of the vectors the weights give.
    pub key: String,
    /// Distinct texts the weights were fitted on.
    pub texts: usize,
    pub features: usize,
    /// Why the weights were fitted now; `None` when the project's stored ones are used.
    pub fitted: Option<String>,
    /// Keys of the fits this one replaced (their vectors were removed with them).
    pub replaced: Vec<String>,
    pub seconds: f64,
}

impl LexicalFitReport {
    /// One line for a terminal.
    pub fn describe(&self) -> String {
        match &self.fitted {
            Some(why) => format!(
                "lexical weights fitted on {} distinct texts ({} features) in {:.2} s ({why}): vectors {}{}",
                self.texts,
                self.features,
                self.seconds,
                self.key,
                if self.replaced.is_empty() {
                    String::new()
                } else {
                    format!("; removed the previous fit {} and its vectors", self.replaced.join(", "))
                }
            ),
            None => format!(
                "lexical weights of the project, fitted on {} distinct texts: vectors {} (`--refit` fits them again)",
                self.texts, self.key
            ),
        }
    }
}

/// The project's lexical embedder, with the weights stored in the project. They are fitted on
/// the catalog's texts under `template` (and stored, replacing any other fit and its vectors)
/// when the project has none, when `refit`, when they were fitted under another template, or
/// when the catalog now has more than twice the distinct texts they were fitted on. Items added
/// later one by one (cold start) are embedded with the stored weights; this is the only place
/// that fits.
pub fn project_lexical(
    project: &mut Project,
    template: &Template,
    refit: bool,
    sink: &ProgressSink,
) -> Result<(LexicalEmbedder, LexicalFitReport), EmbedError> {
    let started = std::time::Instant::now();
    let items = project.load_items()?;
    let texts = super::item_texts(items.iter().map(|(_, i)| i), template);
    let distinct = texts.iter().map(|(_, h)| *h).collect::<std::collections::HashSet<_>>().len();
    let stored = project.lexical_fit()?;
    let reason = match &stored {
        _ if refit => Some("asked to refit".to_string()),
        None if project.vector_models()?.iter().any(|(m, _, n)| m == LexicalV1Embedder::KEY && *n > 0) => {
            Some("first fit; the project's lexical-v1 vectors, every word weighted alike, stay: `--model lexical-v1` uses them".to_string())
        }
        None => Some("first fit".to_string()),
        Some(s) if s.template != template.source() => Some(format!("the template changed (was {})", s.template)),
        Some(s) if distinct as u64 > 2 * s.texts => {
            Some(format!("the catalog has {distinct} distinct texts, the weights were fitted on {}", s.texts))
        }
        Some(_) => None,
    };
    let (fit, replaced) = match (reason.is_some(), stored) {
        (false, Some(s)) => (decode_fit(project, &s)?, Vec::new()),
        _ => {
            let _ = sink.report("fitting lexical weights", 0, 1);
            let fit = LexicalFit::fit(texts.iter().map(|(t, _)| t.as_str()));
            let replaced = project.replace_lexical_fit(&StoredLexicalFit {
                model: fit.key(),
                template: template.source().to_string(),
                texts: fit.texts() as u64,
                weights: fit.to_bytes(),
            })?;
            let _ = sink.report("fitting lexical weights", 1, 1);
            (fit, replaced)
        }
    };
    let report = LexicalFitReport {
        key: fit.key(),
        texts: fit.texts(),
        features: fit.features(),
        fitted: reason,
        replaced,
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok((LexicalEmbedder::fitted(Arc::new(fit)), report))
}

/// The lexical embedder with the project's stored weights for `key` (never fits).
pub fn stored_lexical(project: &Project, key: &str) -> Result<LexicalEmbedder, EmbedError> {
    match project.lexical_fit()? {
        Some(s) if s.model == key => Ok(LexicalEmbedder::fitted(Arc::new(decode_fit(project, &s)?))),
        _ => Err(EmbedError::NoLexicalFit { key: key.to_string() }),
    }
}

fn decode_fit(project: &Project, stored: &StoredLexicalFit) -> Result<LexicalFit, EmbedError> {
    match LexicalFit::from_bytes(&stored.weights) {
        Some(fit) if fit.key() == stored.model => Ok(fit),
        _ => Err(crate::store::StoreError::Damaged {
            path: project.path().to_path_buf(),
            what: format!("lexical weights of {}", stored.model),
            message: "they do not match their key; run `reclab embed --model lexical --refit`".to_string(),
        }
        .into()),
    }
}

impl Embedder for LexicalEmbedder {
    fn key(&self) -> &str {
        &self.key
    }

    fn name(&self) -> &str {
        "lexical (built-in, no model)"
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn is_neural(&self) -> bool {
        false
    }

    fn embed(&self, texts: &[&str], kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts
            .iter()
            .map(|t| match kind {
                TextKind::Passage => self.embed_one(t),
                TextKind::Query => self.embed_query(t),
            })
            .collect())
    }
}

/// The lexical embedder before inverse document frequencies (`lexical-v1`): the same features,
/// each in one bucket, weighted `1 + ln(tf)` alike. Kept so that a project embedded with it
/// keeps its rankings until the user embeds again (`reclab embed`), and so that the two
/// weightings can be compared (`--model lexical-v1`).
#[derive(Default)]
pub struct LexicalV1Embedder;

impl LexicalV1Embedder {
    pub const KEY: &'static str = "lexical-v1";

    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let lower = text.to_lowercase();
        let mut counts: HashMap<u64, f32> = HashMap::new();
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let mut add = |tag: u8, chars: &[char], w: f32| {
                *counts.entry(fnv1a(tag, chars.iter().copied())).or_insert(0.0) += w;
            };
            let chars: Vec<char> = word.chars().collect();
            add(WORD.0, &chars, 1.0);
            if chars.iter().any(|c| is_cjk(*c)) {
                for c in &chars {
                    add(CJK_CHAR.0, std::slice::from_ref(c), 0.5);
                }
                for pair in chars.windows(2) {
                    add(CJK_BIGRAM.0, pair, 1.0);
                }
            } else {
                let marked: Vec<char> =
                    std::iter::once('<').chain(chars.iter().copied()).chain(std::iter::once('>')).collect();
                for tri in marked.windows(3) {
                    add(TRIGRAM, tri, 0.5);
                }
            }
        }
        let mut feats: Vec<(u64, f32)> = counts.into_iter().map(|(h, tf)| (h, 1.0 + tf.ln().max(0.0))).collect();
        // Summation order must not depend on hash-map iteration order.
        feats.sort_by_key(|&(h, _)| h);
        let mut v = vec![0.0f32; LexicalEmbedder::DIM];
        for (h, w) in feats {
            let bucket = (h % LexicalEmbedder::DIM as u64) as usize;
            v[bucket] += if h >> 63 == 0 { w } else { -w };
        }
        super::normalize(&mut v);
        v
    }
}

impl Embedder for LexicalV1Embedder {
    fn key(&self) -> &str {
        Self::KEY
    }

    fn name(&self) -> &str {
        "lexical v1 (built-in, words weighted alike)"
    }

    fn dim(&self) -> usize {
        LexicalEmbedder::DIM
    }

    fn is_neural(&self) -> bool {
        false
    }

    fn embed(&self, texts: &[&str], _kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::cosine;

    fn sim(e: &LexicalEmbedder, a: &str, b: &str) -> f32 {
        cosine(&e.embed_one(a), &e.embed_one(b))
    }

    /// A catalog shaped like the sample's game shop: many Descendants sharing a category word and
    /// a boilerplate sentence, and a few items of one of them.
    const SHOP: [&str; 10] = [
        "Serena | Descendant | serena, descendant, electric | Serena flies over the battlefield. Unlocks her instantly, no research materials needed.",
        "Ines | Descendant | ines, descendant, fire | Ines sets enemies on fire. Unlocks her instantly, no research materials needed.",
        "Freyna | Descendant | freyna, descendant, toxic | Freyna spreads poison. Unlocks her instantly, no research materials needed.",
        "Luna | Descendant | luna, descendant, sound | Luna sings. Unlocks her instantly, no research materials needed.",
        "Valby | Descendant | valby, descendant, water | Valby turns to water. Unlocks her instantly, no research materials needed.",
        "Serena's Exo Sister | Premium skin | serena, skin | Premium launch skin for Serena.",
        "Organic strawberries 500g | Fruit | fruit, berries | Picked this morning.",
        "Ash Beige Long Hair | Head skin | serena, hair | Long hairstyle for Serena.",
        "Pork belly 600g | Meat | pork, bbq | For the grill.",
        "Wool winter coat | Outerwear | coat, wool | Warm for the winter.",
    ];

    /// `lexical-v1` gives, bit for bit, the vectors of the embedder before inverse document
    /// frequencies (the sha256 was computed with that code, commit f132733): a project embedded
    /// with it keeps its rankings.
    #[test]
    fn lexical_v1_gives_the_old_vectors_bit_for_bit() {
        let mut bytes = Vec::new();
        for t in ["Serena's Exo Sister", "세레나의 엑소 시스터 strawberry strawberry", ""] {
            for x in LexicalV1Embedder.embed_one(t) {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        assert_eq!(crate::util::sha256_hex(&bytes), "a2ce0c016b154bc7c1c06066ac18d879e64805bcb3492ee78d1903b2bcbb3dac");
    }

    #[test]
    fn unit_length_and_deterministic() {
        let e = LexicalEmbedder::new();
        let v = e.embed_one("Serena's Exo Sister");
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert_eq!(v, e.embed_one("Serena's Exo Sister"));
        assert!(e.embed_one("").iter().all(|&x| x == 0.0), "no features, zero vector");
        let fitted = LexicalEmbedder::fitted(Arc::new(LexicalFit::fit(SHOP)));
        assert_eq!(fitted.embed_one(SHOP[0]), fitted.embed_one(SHOP[0]));
    }

    #[test]
    fn shared_words_and_spelling_are_close() {
        let e = LexicalEmbedder::new();
        assert!(sim(&e, "Serena", "Serena's Exo Sister") > sim(&e, "Serena", "Organic strawberries 500g"));
        let spelled = sim(&e, "strawberry", "strawberries");
        assert!(spelled > 0.1 && spelled > 3.0 * sim(&e, "strawberry", "blueberries").max(0.0), "{spelled}");
    }

    #[test]
    fn hangul_text_matches_hangul_text() {
        let fitted =
            LexicalEmbedder::fitted(Arc::new(LexicalFit::fit(["세레나", "세레나의 엑소 시스터", "유기농 딸기"])));
        for e in [LexicalEmbedder::new(), fitted] {
            let related = sim(&e, "세레나", "세레나의 엑소 시스터");
            let unrelated = sim(&e, "세레나", "유기농 딸기");
            assert!(related > unrelated + 0.15, "{related} vs {unrelated}");
        }
    }

    #[test]
    fn fitted_weights_let_a_rare_name_outweigh_what_a_category_shares() {
        let plain = LexicalEmbedder::new();
        let fitted = LexicalEmbedder::fitted(Arc::new(LexicalFit::fit(SHOP)));
        let (serena, ines, skin) = (SHOP[0], SHOP[1], SHOP[5]);
        assert!(sim(&plain, serena, ines) > sim(&plain, serena, skin), "alike, the shared sentence wins");
        assert!(
            sim(&fitted, serena, skin) > sim(&fitted, serena, ines),
            "fitted: {} (skin) vs {} (Ines)",
            sim(&fitted, serena, skin),
            sim(&fitted, serena, ines)
        );
    }

    #[test]
    fn a_misspelt_search_finds_the_items_spelt_like_it() {
        let fitted = LexicalEmbedder::fitted(Arc::new(LexicalFit::fit(SHOP)));
        let q = fitted.embed(&["strawbery"], TextKind::Query).unwrap().remove(0);
        let best =
            SHOP.iter().max_by(|a, b| cosine(&q, &fitted.embed_one(a)).total_cmp(&cosine(&q, &fitted.embed_one(b))));
        assert_eq!(best, Some(&SHOP[6]));
        // An item keeps its new words: that is what a cold-start item is found by.
        assert_ne!(fitted.embed_one("strawbery"), q);
    }

    #[test]
    fn features_the_fit_never_saw_get_the_largest_weight() {
        let fit = LexicalFit::fit(SHOP);
        let unseen = fnv1a(WORD.0, "bloom".chars());
        let max = 1.0 + (1.0 + SHOP.len() as f32).ln();
        assert!((fit.idf(unseen) - max).abs() < 1e-6);
        for (h, _) in features(&SHOP.join(" ")) {
            assert!(fit.idf(h) <= fit.idf(unseen), "a seen feature weighs at most an unseen one");
        }
        let descendant = fnv1a(WORD.0, "descendant".chars());
        let serena = fnv1a(WORD.0, "serena".chars());
        assert!(fit.idf(descendant) < fit.idf(serena), "in 5 texts against 3");
    }

    #[test]
    fn a_fit_counts_distinct_texts_in_any_order_and_round_trips() {
        let fit = LexicalFit::fit(SHOP);
        let mut reversed: Vec<&str> = SHOP.iter().rev().copied().collect();
        reversed.push(SHOP[0]);
        let again = LexicalFit::fit(reversed);
        assert_eq!(fit, again, "order and duplicates change nothing");
        assert_eq!(fit.texts(), SHOP.len());
        assert_eq!(fit.to_bytes(), again.to_bytes());
        assert_eq!(LexicalFit::from_bytes(&fit.to_bytes()), Some(fit.clone()));
        assert!(LexicalEmbedder::is_fitted_key(&fit.key()) && fit.key().starts_with("lexical-v2@"));
        assert!(!LexicalEmbedder::is_fitted_key(LexicalEmbedder::KEY));
        let more = LexicalFit::fit(SHOP.iter().copied().chain(["Serena's Winter Bloom | Premium skin"]));
        assert_ne!(more.key(), fit.key(), "other weights, another key");
        assert_eq!(LexicalFit::from_bytes(b"not a fit"), None);
        let mut cut = fit.to_bytes();
        cut.pop();
        assert_eq!(LexicalFit::from_bytes(&cut), None);
    }

    fn shop_project() -> Project {
        let mut p = Project::in_memory().unwrap();
        let items: Vec<crate::catalog::Item> = SHOP
            .iter()
            .enumerate()
            .map(|(i, t)| crate::catalog::Item {
                id: format!("{}", 1000 + i),
                name: t.to_string(),
                ..Default::default()
            })
            .collect();
        p.upsert_items(&items).unwrap();
        p
    }

    #[test]
    fn the_project_keeps_its_fit_until_asked_or_the_catalog_changes_a_lot() {
        let mut p = shop_project();
        let t = Template::parse("{name}", &Default::default()).unwrap();
        let sink = ProgressSink::none();
        let (first, r1) = project_lexical(&mut p, &t, false, &sink).unwrap();
        assert_eq!((r1.fitted.as_deref(), r1.texts), (Some("first fit"), SHOP.len()));
        let (again, r2) = project_lexical(&mut p, &t, false, &sink).unwrap();
        assert_eq!((r2.fitted, r2.key.as_str()), (None, first.key()), "the stored weights");
        assert_eq!(again.embed_one(SHOP[0]), first.embed_one(SHOP[0]));
        let (_, r3) = project_lexical(&mut p, &t, true, &sink).unwrap();
        assert_eq!((r3.key.as_str(), r3.replaced.len()), (first.key(), 0), "same catalog, same weights");
        assert_eq!(stored_lexical(&p, first.key()).unwrap().embed_one(SHOP[1]), first.embed_one(SHOP[1]));
        assert!(matches!(stored_lexical(&p, "lexical-v2@000000000000"), Err(EmbedError::NoLexicalFit { .. })));

        // A few new items use the stored weights; a catalog more than twice as large is refitted.
        p.put_vectors(first.key(), LexicalEmbedder::DIM, &[([7; 16], first.embed_one(SHOP[0]))]).unwrap();
        let more: Vec<crate::catalog::Item> = (0..2 * SHOP.len())
            .map(|i| crate::catalog::Item { id: format!("n{i}"), name: format!("New item {i}"), ..Default::default() })
            .collect();
        p.upsert_items(&more[..1]).unwrap();
        assert_eq!(project_lexical(&mut p, &t, false, &sink).unwrap().1.fitted, None);
        p.upsert_items(&more).unwrap();
        let (refit, r4) = project_lexical(&mut p, &t, false, &sink).unwrap();
        assert!(r4.fitted.unwrap().contains("distinct texts"));
        assert_ne!(refit.key(), first.key());
        assert_eq!(r4.replaced, vec![first.key().to_string()]);
        assert!(p.load_vectors(first.key()).unwrap().is_empty(), "the old fit's vectors went with it");

        // Another template fits again.
        let t2 = Template::parse("{name} {id}", &Default::default()).unwrap();
        assert!(project_lexical(&mut p, &t2, false, &sink).unwrap().1.fitted.unwrap().contains("template"));
    }
}
