//! Re-rank rules: data (JSON or TOML), saved as named presets in the project.
//!
//! Additive rules add a contribution to an item's score (similarity + Σ contributions = final
//! score). `mmr` re-orders for diversity and records its penalty as a contribution too, so the
//! sum still holds. `pin` places items matching a filter expression into given slots, like
//! Amazon Personalize promotions.
//!
//! ```toml
//! name = "launch week"
//! [[rules]]
//! kind = "same_category"
//! weight = 0.05
//! [[rules]]
//! kind = "new_item"
//! weight = 0.1
//! max_age_days = 14
//! [[rules]]
//! kind = "mmr"
//! lambda = 0.7
//! [[rules]]
//! kind = "pin"
//! filter = 'INCLUDE ItemID WHERE Items.TAGS IN ("launch")'
//! slots = [1]
//! ```

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, thiserror::Error)]
pub enum RulesError {
    #[error("rules {origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("rule {index} ({kind}): {message}")]
    Invalid { index: usize, kind: &'static str, message: String },
}

/// One re-rank rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Adds `weight` to items in the category of the anchor item they are closest to.
    SameCategory { weight: f32 },
    /// Adds `weight` to items with no logged interactions (cold start), optionally only those
    /// released at most `max_age_days` ago.
    NewItem {
        weight: f32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_age_days: Option<f32>,
    },
    /// Adds `weight` × popularity, where popularity is ln(1 + distinct users) scaled to 0..1
    /// over the catalog, counting events in the last `window_days` before now (all, if unset).
    Popularity {
        weight: f32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window_days: Option<f32>,
    },
    /// Adds `weight` (negative: a penalty) to items priced within [min, max] (or outside it,
    /// with `outside = true`).
    PriceBand {
        weight: f32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        outside: bool,
    },
    /// Adds `weight` × min(days to expiry / horizon_days, 1) to items with an expiry date:
    /// fresher items gain more. A negative weight favours items close to expiry (clearance).
    Freshness {
        weight: f32,
        #[serde(default = "default_horizon")]
        horizon_days: f32,
    },
    /// Adds `weight` × the item's normalised co-occurrence with the user's recent items (the
    /// mean over them of count / √(n_i · n_j), in 0..1; see [`super::sources`]).
    Cooccurrence { weight: f32 },
    /// Adds `weight` × the share of the user's history (their item actions up to now) in the
    /// item's category, in 0..1.
    CategoryAffinity { weight: f32 },
    /// Maximal marginal relevance: picks items in turn by λ·score − (1 − λ)·(highest
    /// similarity to an item already picked). λ = 1 changes nothing.
    Mmr { lambda: f32 },
    /// Puts the best items matching `filter` (a filter expression) into `slots` (1-based).
    Pin { filter: String, slots: Vec<usize> },
}

fn default_horizon() -> f32 {
    7.0
}

impl Rule {
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::SameCategory { .. } => "same_category",
            Rule::NewItem { .. } => "new_item",
            Rule::Popularity { .. } => "popularity",
            Rule::PriceBand { .. } => "price_band",
            Rule::Freshness { .. } => "freshness",
            Rule::Cooccurrence { .. } => "cooccurrence",
            Rule::CategoryAffinity { .. } => "category_affinity",
            Rule::Mmr { .. } => "mmr",
            Rule::Pin { .. } => "pin",
        }
    }
}

/// A rule with its switch and an optional label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleEntry {
    #[serde(flatten)]
    pub rule: Rule,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl RuleEntry {
    pub fn new(rule: Rule) -> Self {
        Self { rule, enabled: true, label: None }
    }

    /// The name shown in breakdowns: the label, or `kind` (`kind#2` when the kind repeats).
    pub fn name(&self, index: usize, set: &RuleSet) -> String {
        if let Some(l) = &self.label {
            return l.clone();
        }
        let kind = self.rule.kind();
        let same: Vec<usize> = set
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.rule.kind() == kind && r.label.is_none())
            .map(|(i, _)| i)
            .collect();
        if same.len() > 1 {
            let n = same.iter().position(|&i| i == index).unwrap_or(0) + 1;
            format!("{kind}#{n}")
        } else {
            kind.to_string()
        }
    }
}

/// An ordered list of rules, optionally named.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RuleSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub rules: Vec<RuleEntry>,
}

impl RuleSet {
    /// Reads rules from JSON or TOML text (decided by `origin`'s extension, else by the first
    /// character).
    pub fn parse(text: &str, origin: &str) -> Result<Self, RulesError> {
        let trimmed = text.trim_start();
        let json = origin.ends_with(".json")
            || (!origin.ends_with(".toml")
                && (trimmed.starts_with('{') || (trimmed.starts_with('[') && !trimmed.starts_with("[["))));
        let set: RuleSet = if json {
            if trimmed.starts_with('[') {
                let rules: Vec<RuleEntry> = serde_json::from_str(text)
                    .map_err(|e| RulesError::Parse { origin: origin.into(), message: e.to_string() })?;
                RuleSet { name: None, rules }
            } else {
                serde_json::from_str(text)
                    .map_err(|e| RulesError::Parse { origin: origin.into(), message: e.to_string() })?
            }
        } else {
            toml::from_str(text).map_err(|e| RulesError::Parse { origin: origin.into(), message: e.to_string() })?
        };
        set.validate()?;
        Ok(set)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Checks values that would make a rule meaningless.
    pub fn validate(&self) -> Result<(), RulesError> {
        for (i, e) in self.rules.iter().enumerate() {
            let bad = |message: String| RulesError::Invalid { index: i + 1, kind: e.rule.kind(), message };
            match &e.rule {
                Rule::Mmr { lambda } if !(0.0..=1.0).contains(lambda) || lambda.is_nan() => {
                    return Err(bad(format!("lambda must be between 0 and 1, got {lambda}")));
                }
                Rule::Mmr { lambda } if *lambda == 0.0 => {
                    return Err(bad("lambda 0 ignores relevance entirely; use a value above 0".into()));
                }
                Rule::Freshness { horizon_days, .. } if *horizon_days <= 0.0 => {
                    return Err(bad(format!("horizon_days must be positive, got {horizon_days}")));
                }
                Rule::PriceBand { min, max, .. } if min.is_none() && max.is_none() => {
                    return Err(bad("give min, max or both".into()));
                }
                Rule::PriceBand { min: Some(a), max: Some(b), .. } if a > b => {
                    return Err(bad(format!("min {a} is above max {b}")));
                }
                Rule::Pin { slots, .. } if slots.is_empty() || slots.contains(&0) => {
                    return Err(bad("slots are 1-based positions, at least one".into()));
                }
                _ => {}
            }
            let w = match &e.rule {
                Rule::SameCategory { weight }
                | Rule::NewItem { weight, .. }
                | Rule::Popularity { weight, .. }
                | Rule::PriceBand { weight, .. }
                | Rule::Freshness { weight, .. }
                | Rule::Cooccurrence { weight }
                | Rule::CategoryAffinity { weight } => Some(*weight),
                _ => None,
            };
            if w.is_some_and(|w| !w.is_finite()) {
                return Err(bad("weight must be a finite number".into()));
            }
        }
        Ok(())
    }

    /// Checks every pin rule's filter against the catalog's fields (a preset is checked before
    /// it is saved, so that a saved preset always loads).
    pub fn check_filters(&self, schema: &super::Schema) -> Result<(), RulesError> {
        for (i, e) in self.rules.iter().enumerate() {
            if let Rule::Pin { filter, .. } = &e.rule {
                super::Filter::parse(filter, schema).map_err(|err| RulesError::Invalid {
                    index: i + 1,
                    kind: "pin",
                    message: err.render(filter),
                })?;
            }
        }
        Ok(())
    }

    /// A sensible starting point, shown by `reclab rules example`.
    pub fn example() -> Self {
        RuleSet {
            name: Some("balanced".into()),
            rules: vec![
                RuleEntry::new(Rule::SameCategory { weight: 0.03 }),
                RuleEntry::new(Rule::NewItem { weight: 0.05, max_age_days: Some(14.0) }),
                RuleEntry::new(Rule::Popularity { weight: 0.04, window_days: Some(30.0) }),
                RuleEntry::new(Rule::Freshness { weight: 0.03, horizon_days: 3.0 }),
                RuleEntry::new(Rule::Mmr { lambda: 0.8 }),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_and_json_round_trip() {
        let set = RuleSet::example();
        let toml_text = set.to_toml();
        assert_eq!(RuleSet::parse(&toml_text, "x.toml").unwrap(), set);
        assert_eq!(RuleSet::parse(&set.to_json(), "x.json").unwrap(), set);
        let pin = RuleSet::parse(
            "[[rules]]\nkind = \"pin\"\nfilter = 'Items.TAGS IN (\"launch\")'\nslots = [1, 3]\nlabel = \"launch promo\"\n",
            "p.toml",
        )
        .unwrap();
        assert_eq!(pin.rules[0].label.as_deref(), Some("launch promo"));
        assert!(matches!(&pin.rules[0].rule, Rule::Pin { slots, .. } if slots == &vec![1, 3]));
    }

    #[test]
    fn bad_rules_are_explained() {
        let e = RuleSet::parse("[[rules]]\nkind = \"mmr\"\nlambda = 1.5\n", "r.toml").unwrap_err().to_string();
        assert!(e.contains("rule 1 (mmr): lambda must be between 0 and 1"), "{e}");
        let e = RuleSet::parse("[[rules]]\nkind = \"boost_everything\"\n", "r.toml").unwrap_err().to_string();
        assert!(e.contains("rules r.toml") && e.contains("boost_everything"), "{e}");
        let e =
            RuleSet::parse("[[rules]]\nkind = \"same_category\"\nweigth = 0.1\n", "r.toml").unwrap_err().to_string();
        assert!(e.contains("weigth") || e.contains("weight"), "{e}");
        let e = RuleSet::parse(r#"[{"kind": "pin", "filter": "x", "slots": [0]}]"#, "r.json").unwrap_err().to_string();
        assert!(e.contains("1-based"), "{e}");
    }

    #[test]
    fn names_distinguish_repeated_kinds() {
        let set = RuleSet {
            name: None,
            rules: vec![
                RuleEntry::new(Rule::PriceBand { weight: 0.1, min: Some(0.0), max: Some(10.0), outside: false }),
                RuleEntry::new(Rule::PriceBand { weight: -0.1, min: Some(100.0), max: None, outside: false }),
                RuleEntry {
                    label: Some("fresh".into()),
                    ..RuleEntry::new(Rule::Freshness { weight: 0.1, horizon_days: 3.0 })
                },
            ],
        };
        assert_eq!(set.rules[0].name(0, &set), "price_band#1");
        assert_eq!(set.rules[1].name(1, &set), "price_band#2");
        assert_eq!(set.rules[2].name(2, &set), "fresh");
    }
}
