//! What the tuner may move (the knobs), how it draws a configuration, and the seeded random
//! numbers it draws them with.

use crate::pipeline::{Request, Rule, RuleEntry, Sources, StrategyKind};
use serde::{Deserialize, Serialize};

/// A group of settings the tuner may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Knob {
    /// latest, profile or multi.
    Strategy,
    /// The profile's half-life.
    HalfLife,
    /// The weight of each event type in the log.
    EventWeights,
    /// The quotas of the co-occurrence, popularity and new-item sources.
    Sources,
    /// The weights of the rules that read the log and the catalog (cooccurrence,
    /// category_affinity, new_item, popularity, same_category).
    RuleWeights,
}

impl Knob {
    pub const ALL: [Knob; 5] = [Knob::Strategy, Knob::HalfLife, Knob::EventWeights, Knob::Sources, Knob::RuleWeights];

    pub fn as_str(self) -> &'static str {
        match self {
            Knob::Strategy => "strategy",
            Knob::HalfLife => "half_life",
            Knob::EventWeights => "event_weights",
            Knob::Sources => "sources",
            Knob::RuleWeights => "rules",
        }
    }

    pub fn parse(s: &str) -> Option<Knob> {
        let s = s.trim().replace('-', "_");
        Knob::ALL.into_iter().find(|k| k.as_str() == s || (s == "weights" && *k == Knob::EventWeights))
    }
}

/// The rule kinds whose weights the tuner moves, with the range it draws from and how often
/// it leaves the rule out.
pub(super) const TUNED_RULES: [(&str, f32, f64); 5] = [
    ("cooccurrence", 1.5, 0.2),
    ("category_affinity", 0.3, 0.3),
    ("new_item", 0.3, 0.3),
    ("popularity", 0.4, 0.3),
    ("same_category", 0.15, 0.5),
];

fn tuned_rule(kind: &str, weight: f32) -> Rule {
    match kind {
        "cooccurrence" => Rule::Cooccurrence { weight },
        "category_affinity" => Rule::CategoryAffinity { weight },
        "new_item" => Rule::NewItem { weight, max_age_days: None },
        "popularity" => Rule::Popularity { weight, window_days: Some(30.0) },
        _ => Rule::SameCategory { weight },
    }
}

/// SplitMix64: small, fast, and the same numbers on every machine for a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }

    pub fn pick<T: Copy>(&mut self, options: &[T]) -> T {
        options[self.below(options.len())]
    }

    /// Log-uniform in [lo, hi].
    fn log_uniform(&mut self, lo: f64, hi: f64) -> f64 {
        (lo.ln() + self.unit() * (hi.ln() - lo.ln())).exp()
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Three significant digits: configurations print and save as the numbers they show.
fn round3(x: f64) -> f32 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(2 - x.abs().log10().floor() as i32);
    ((x * scale).round() / scale) as f32
}

/// Draws a configuration: `base` with every knob in `knobs` set at random. `event_types` are the
/// log's event types (the ones whose weights matter).
pub fn sample(rng: &mut Rng, base: &Request, knobs: &[Knob], event_types: &[String]) -> Request {
    let mut r = base.clone();
    if knobs.contains(&Knob::Strategy) {
        r.strategy.kind = rng.pick(&[StrategyKind::Latest, StrategyKind::Profile, StrategyKind::MultiAnchor]);
    }
    if knobs.contains(&Knob::HalfLife) {
        r.strategy.half_life_hours = round3(rng.log_uniform(1.0, 24.0 * 90.0));
    }
    if knobs.contains(&Knob::EventWeights) {
        for t in event_types {
            r.strategy.event_weights.insert(t.clone(), round3(rng.log_uniform(0.1, 5.0)));
        }
    }
    if knobs.contains(&Knob::Sources) {
        r.sources = Sources {
            content: true,
            cooccurrence: rng.pick(&[0, 50, 100, 200]),
            recent_items: rng.pick(&[3, 5, 10, 20]),
            popularity: rng.pick(&[0, 20, 50]),
            popularity_window_days: rng.pick(&[None, Some(7.0), Some(30.0)]),
            new_items: rng.pick(&[0, 10, 20, 50]),
            new_max_age_days: rng.pick(&[None, Some(14.0), Some(30.0)]),
        };
    }
    if knobs.contains(&Knob::RuleWeights) {
        // The tuned kinds are replaced; every other rule of the base (pins, MMR, price bands)
        // stays as it is.
        r.rules.rules.retain(|e| !TUNED_RULES.iter().any(|(k, _, _)| *k == e.rule.kind()));
        for (kind, max, p_off) in TUNED_RULES {
            let w = if rng.unit() < p_off { 0.0 } else { round3(rng.unit() * max as f64) };
            if w > 0.0 {
                r.rules.rules.push(RuleEntry::new(tuned_rule(kind, w)));
            }
        }
        r.rules.name = Some("tuned".into());
    }
    r
}

/// A configuration in one line: the settings the tuner may have moved.
pub fn describe(r: &Request, knobs: &[Knob]) -> String {
    let mut parts = Vec::new();
    if knobs.contains(&Knob::Strategy) {
        parts.push(r.strategy.kind.as_str().to_string());
    }
    if knobs.contains(&Knob::HalfLife) {
        parts.push(format!("half-life {}h", r.strategy.half_life_hours));
    }
    if knobs.contains(&Knob::EventWeights) {
        let w: Vec<String> = r.strategy.event_weights.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(w.join(" "));
    }
    if knobs.contains(&Knob::Sources) {
        let s = &r.sources;
        parts.push(format!("sources co{}/{} pop{} new{}", s.cooccurrence, s.recent_items, s.popularity, s.new_items));
    }
    if knobs.contains(&Knob::RuleWeights) {
        let rules: Vec<String> = r
            .rules
            .rules
            .iter()
            .filter_map(|e| {
                let w = match &e.rule {
                    Rule::Cooccurrence { weight }
                    | Rule::CategoryAffinity { weight }
                    | Rule::NewItem { weight, .. }
                    | Rule::Popularity { weight, .. }
                    | Rule::SameCategory { weight } => *weight,
                    _ => return None,
                };
                Some(format!("{}={w}", e.rule.kind()))
            })
            .collect();
        parts.push(if rules.is_empty() { "no rules".into() } else { rules.join(" ") });
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_configurations() {
        let base = Request::default();
        let types = vec!["click".to_string(), "purchase".to_string()];
        let draw = |seed| {
            let mut rng = Rng::new(seed);
            (0..20).map(|_| sample(&mut rng, &base, &Knob::ALL, &types)).collect::<Vec<_>>()
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
        // Knobs that may not move keep the base's values.
        let mut rng = Rng::new(1);
        let r = sample(&mut rng, &base, &[Knob::Sources], &types);
        assert_eq!((r.strategy.clone(), r.rules.clone()), (base.strategy.clone(), base.rules.clone()));
        assert!(r.sources.check().is_ok());
    }

    #[test]
    fn numbers_keep_three_significant_digits() {
        assert_eq!(round3(0.123456), 0.123);
        assert_eq!(round3(1234.5), 1230.0);
        assert_eq!(round3(0.0), 0.0);
        assert_eq!(Knob::parse("event-weights"), Some(Knob::EventWeights));
        assert_eq!(Knob::parse("rules"), Some(Knob::RuleWeights));
        assert_eq!(Knob::parse("colour"), None);
    }
}
