//! The built-in lexical embedder: hashed word tokens and character n-grams. It needs no model
//! weights, so the lab works before any model is installed. It matches spelling, not meaning.
//!
//! Latin text contributes its words and the character 3-grams of each word (with boundary
//! marks); Hangul and other scripts without spaces inside words contribute single characters and
//! character bigrams, which is what carries meaning there. Features are hashed (FNV-1a) into a
//! fixed number of signed buckets, weighted by `1 + ln(tf)`, and the vector is L2-normalised.

use super::{EmbedError, Embedder, TextKind};

pub struct LexicalEmbedder {
    dim: usize,
}

impl Default for LexicalEmbedder {
    fn default() -> Self {
        Self::new()
    }
}

impl LexicalEmbedder {
    pub const KEY: &'static str = "lexical-v1";
    pub const DIM: usize = 512;

    pub fn new() -> Self {
        Self { dim: Self::DIM }
    }

    /// The hashed features of a text with their weights (before normalisation).
    fn features(text: &str) -> Vec<(u64, f32)> {
        let lower = text.to_lowercase();
        let mut counts: std::collections::HashMap<u64, f32> = std::collections::HashMap::new();
        let mut add = |tag: u8, s: &str, w: f32| {
            *counts.entry(fnv1a(tag, s.as_bytes())).or_insert(0.0) += w;
        };
        for word in lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            add(b'w', word, 1.0);
            let chars: Vec<char> = word.chars().collect();
            if chars.iter().any(|c| is_cjk(*c)) {
                for c in &chars {
                    add(b'u', c.encode_utf8(&mut [0; 4]), 0.5);
                }
                for pair in chars.windows(2) {
                    let s: String = pair.iter().collect();
                    add(b'b', &s, 1.0);
                }
            } else {
                let marked: Vec<char> =
                    std::iter::once('<').chain(chars.iter().copied()).chain(std::iter::once('>')).collect();
                for tri in marked.windows(3) {
                    let s: String = tri.iter().collect();
                    add(b't', &s, 0.5);
                }
            }
        }
        let mut feats: Vec<(u64, f32)> = counts.into_iter().map(|(h, tf)| (h, 1.0 + tf.ln().max(0.0))).collect();
        // Summation order must not depend on hash-map iteration order.
        feats.sort_by_key(|&(h, _)| h);
        feats
    }

    pub fn embed_one(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0.0f32; self.dim];
        for (h, w) in Self::features(text) {
            let bucket = (h % self.dim as u64) as usize;
            let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
            v[bucket] += sign * w;
        }
        super::normalize(&mut v);
        v
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F // Hangul
        | 0x3040..=0x30FF // Kana
        | 0x4E00..=0x9FFF | 0x3400..=0x4DBF) // CJK ideographs
}

fn fnv1a(tag: u8, bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in std::iter::once(&tag).chain(bytes) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Embedder for LexicalEmbedder {
    fn key(&self) -> &str {
        Self::KEY
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

    fn embed(&self, texts: &[&str], _kind: TextKind) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts.iter().map(|t| self.embed_one(t)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::cosine;

    fn sim(a: &str, b: &str) -> f32 {
        let e = LexicalEmbedder::new();
        cosine(&e.embed_one(a), &e.embed_one(b))
    }

    #[test]
    fn unit_length_and_deterministic() {
        let e = LexicalEmbedder::new();
        let v = e.embed_one("Serena's Exo Sister");
        let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert_eq!(v, e.embed_one("Serena's Exo Sister"));
        assert!(e.embed_one("").iter().all(|&x| x == 0.0), "no features, zero vector");
    }

    #[test]
    fn shared_words_and_spelling_are_close() {
        assert!(sim("Serena", "Serena's Exo Sister") > sim("Serena", "Organic strawberries 500g"));
        assert!(sim("strawberry", "strawberries") > 0.4, "{}", sim("strawberry", "strawberries"));
    }

    #[test]
    fn hangul_text_matches_hangul_text() {
        let related = sim("세레나", "세레나의 엑소 시스터");
        let unrelated = sim("세레나", "유기농 딸기");
        assert!(related > 0.3 && related > unrelated + 0.2, "{related} vs {unrelated}");
    }
}
