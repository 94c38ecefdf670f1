//! Evaluation: whether a bound filter keeps an item.

use super::bind::{BoundClause, BoundExpr, BoundFilter, BoundTest, Val};
use super::{Action, Cond, FieldId};
use crate::catalog::{AttrValue, Item};
use std::collections::BTreeSet;

/// What evaluation needs besides the item: the user's event types on items, the number of
/// logged events per item, and the time.
pub struct EvalContext<'a> {
    pub user_events: &'a dyn Fn(&str) -> Option<&'a BTreeSet<String>>,
    pub interactions: &'a dyn Fn(&str) -> u64,
    pub now: i64,
}

/// The values of `field` for `item` (several for tags and `|`-separated attributes).
pub(super) fn field_values<'a>(
    item: &Item,
    field: &FieldId,
    now: i64,
    user_events: &dyn Fn(&str) -> Option<&'a BTreeSet<String>>,
    interactions: &dyn Fn(&str) -> u64,
) -> Vec<Val> {
    let text = |s: &Option<String>| s.iter().map(|s| Val::Text(s.clone())).collect::<Vec<_>>();
    let num = |x: Option<f64>| x.map(Val::Num).into_iter().collect::<Vec<_>>();
    match field {
        FieldId::Id => vec![Val::Text(item.id.clone())],
        FieldId::Name => vec![Val::Text(item.name.clone())],
        FieldId::NameAlt => text(&item.name_alt),
        FieldId::Category => text(&item.category),
        FieldId::Tags => item.tags.iter().map(|t| Val::Text(t.clone())).collect(),
        FieldId::Description => text(&item.description),
        FieldId::Vertical => text(&item.vertical),
        FieldId::Price => num(item.price),
        FieldId::Stock => num(item.stock.map(|s| s as f64)),
        FieldId::PurchaseLimit => num(item.purchase_limit.map(|s| s as f64)),
        FieldId::ReleasedAt => num(item.released_at.map(|s| s as f64)),
        FieldId::ExpiresAt => num(item.expires_at.map(|s| s as f64)),
        FieldId::DaysToExpiry => num(item.expires_at.map(|t| (t - now) as f64 / 86_400.0)),
        FieldId::AgeDays => num(item.released_at.map(|t| (now - t) as f64 / 86_400.0)),
        FieldId::Interactions => vec![Val::Num(interactions(&item.id) as f64)],
        FieldId::EventType => {
            user_events(&item.id).map(|s| s.iter().map(|e| Val::Text(e.clone())).collect()).unwrap_or_default()
        }
        FieldId::Attr(name, _) => match item.attrs.get(name) {
            None => Vec::new(),
            Some(AttrValue::Text(s)) => s.split('|').map(|p| Val::Text(p.trim().to_string())).collect(),
            Some(AttrValue::Bool(b)) => vec![Val::Bool(*b)],
            Some(v) => num(v.as_f64()),
        },
    }
}

fn val_eq(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Text(x), Val::Text(y)) => x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase(),
        (Val::Num(x), Val::Num(y)) => (x - y).abs() < 1e-9,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        _ => false,
    }
}

impl BoundClause {
    pub(super) fn test(&self, vals: &[Val]) -> bool {
        match &self.test {
            BoundTest::In { negated, values } => {
                let any = vals.iter().any(|v| values.iter().any(|w| val_eq(v, w)));
                any != *negated
            }
            BoundTest::Cmp { op, rhs } => {
                let Some(rhs) = rhs else { return false };
                match *op {
                    "=" => vals.iter().any(|v| val_eq(v, rhs)),
                    "!=" => !vals.iter().any(|v| val_eq(v, rhs)),
                    op => vals.iter().any(|v| match (v, rhs) {
                        (Val::Num(x), Val::Num(y)) => match op {
                            "<" => x < y,
                            "<=" => x <= y,
                            ">" => x > y,
                            ">=" => x >= y,
                            _ => false,
                        },
                        _ => false,
                    }),
                }
            }
        }
    }

    fn matches(&self, item: &Item, ctx: &EvalContext<'_>) -> bool {
        let _ = self.kind;
        let vals = field_values(item, &self.field, ctx.now, ctx.user_events, ctx.interactions);
        self.test(&vals)
    }
}

fn eval(cond: &Cond, clauses: &[BoundClause], item: &Item, ctx: &EvalContext<'_>) -> bool {
    match cond {
        Cond::Leaf(i) => clauses.get(*i).is_some_and(|c| c.matches(item, ctx)),
        Cond::And(parts) => parts.iter().all(|c| eval(c, clauses, item, ctx)),
        Cond::Or(parts) => parts.iter().any(|c| eval(c, clauses, item, ctx)),
    }
}

impl BoundExpr {
    /// True when the condition matches the item.
    pub fn matches(&self, item: &Item, ctx: &EvalContext<'_>) -> bool {
        eval(&self.cond, &self.clauses, item, ctx)
    }

    /// True when the item survives this expression.
    pub fn keeps(&self, item: &Item, ctx: &EvalContext<'_>) -> bool {
        let m = self.matches(item, ctx);
        match self.action {
            Action::Include => m,
            Action::Exclude => !m,
        }
    }

    /// Whether clause `i` alone matches the item (for per-clause counts).
    pub fn clause_matches(&self, i: usize, item: &Item, ctx: &EvalContext<'_>) -> bool {
        self.clauses.get(i).is_some_and(|c| c.matches(item, ctx))
    }
}

impl BoundFilter {
    /// The index of the first expression that removes the item, or `None` when it survives.
    pub fn first_removal(&self, item: &Item, ctx: &EvalContext<'_>) -> Option<usize> {
        self.exprs.iter().position(|e| !e.keeps(item, ctx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::filter::test_support::schema;
    use crate::pipeline::filter::{BindContext, Filter};
    use std::collections::BTreeMap;

    fn item(id: &str, category: &str, price: f64, tags: &[&str]) -> Item {
        Item {
            id: id.into(),
            name: format!("item {id}"),
            category: Some(category.into()),
            price: Some(price),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn keeps(filter: &str, params: &[(&str, &str)], current: Option<&Item>, items: &[Item]) -> Vec<String> {
        let f = Filter::parse(filter, &schema()).unwrap_or_else(|e| panic!("{}", e.render(filter)));
        let params: BTreeMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let bound = f.bind(&BindContext { params: &params, current, now: 1_000_000 }).unwrap();
        let mut events: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        events.entry("1".into()).or_default().insert("purchase".into());
        events.entry("2".into()).or_default().insert("click".into());
        let user_events = |id: &str| events.get(id);
        let interactions = |id: &str| if id == "3" { 0 } else { 5 };
        let ctx = EvalContext { user_events: &user_events, interactions: &interactions, now: 1_000_000 };
        items.iter().filter(|i| bound.first_removal(i, &ctx).is_none()).map(|i| i.id.clone()).collect()
    }

    fn catalog() -> Vec<Item> {
        let mut a = item("1", "Premium skin", 800.0, &["serena", "skin"]);
        a.attrs.insert("rarity".into(), AttrValue::Text("Ultimate".into()));
        let mut b = item("2", "Head skin", 300.0, &["serena", "hair"]);
        b.attrs.insert("organic".into(), AttrValue::Bool(true));
        b.expires_at = Some(1_000_000 + 86_400 / 2);
        let c = item("3", "Weapon", 1500.0, &["rifle"]);
        vec![a, b, c]
    }

    #[test]
    fn personalize_style_expressions() {
        let items = catalog();
        assert_eq!(
            keeps(r#"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")"#, &[], None, &items),
            vec!["2", "3"]
        );
        assert_eq!(
            keeps(
                r#"INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"#,
                &[("CATEGORY", "\"Head skin\",\"Weapon\"")],
                None,
                &items
            ),
            vec!["2", "3"]
        );
        assert_eq!(keeps("Items.PRICE < 1000", &[], None, &items), vec!["1", "2"]);
        assert_eq!(
            keeps(r#"include itemid where items.tags in ("SERENA") and items.price >= 500"#, &[], None, &items),
            vec!["1"]
        );
        assert_eq!(
            keeps(r#"EXCLUDE ItemID WHERE Items.CATEGORY = CurrentItem.CATEGORY"#, &[], Some(&items[0]), &items),
            vec!["2", "3"]
        );
        assert_eq!(
            keeps(r#"Items.PRICE > 500 | EXCLUDE ItemID WHERE Items.TAGS IN ("rifle")"#, &[], None, &items),
            vec!["1"]
        );
        assert_eq!(
            keeps(
                r#"Items.CATEGORY NOT IN ("Weapon") AND (Items.PRICE < 400 OR Items.RARITY = "ultimate")"#,
                &[],
                None,
                &items
            ),
            vec!["1", "2"]
        );
        assert_eq!(keeps("Items.DAYS_TO_EXPIRY < 1", &[], None, &items), vec!["2"]);
        assert_eq!(keeps("Items.INTERACTIONS = 0", &[], None, &items), vec!["3"]);
        assert_eq!(keeps("Items.ORGANIC = true", &[], None, &items), vec!["2"]);
        assert_eq!(keeps("Items.EXPIRES_AT > $NOW", &[], None, &items), vec!["2"]);
        assert_eq!(keeps("Items.ID IN (1, 3)", &[], None, &items), vec!["1", "3"]);
        assert_eq!(keeps("", &[], None, &items), vec!["1", "2", "3"]);
    }
}
