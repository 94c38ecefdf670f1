//! The built-in business filters: each can be switched on or off, and each says why it removed
//! an item.

use super::user::{UserState, verb};
use crate::catalog::Item;
use crate::util::describe_age;
use serde::{Deserialize, Serialize};

/// Switches for the built-in filters. All but the category lists are on by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BuiltinFilters {
    /// The items the recommendation is anchored on (what the user just acted on).
    pub anchor: bool,
    /// Items the user bought or equipped.
    pub owned: bool,
    /// Items in the user's cart.
    pub in_cart: bool,
    /// Items the user bought as many times as their purchase limit allows.
    pub purchase_limit: bool,
    /// Items with a stock of 0 or less.
    pub out_of_stock: bool,
    /// Items whose expiry time has passed.
    pub expired: bool,
    /// Items released after now.
    pub not_released: bool,
    /// When not empty, only these categories pass.
    pub include_categories: Vec<String>,
    /// These categories never pass.
    pub exclude_categories: Vec<String>,
}

impl Default for BuiltinFilters {
    fn default() -> Self {
        Self {
            anchor: true,
            owned: true,
            in_cart: true,
            purchase_limit: true,
            out_of_stock: true,
            expired: true,
            not_released: true,
            include_categories: Vec::new(),
            exclude_categories: Vec::new(),
        }
    }
}

/// One built-in filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    Anchor,
    Owned,
    InCart,
    PurchaseLimit,
    OutOfStock,
    Expired,
    NotReleased,
    Category,
}

impl Builtin {
    pub const ALL: [Builtin; 8] = [
        Builtin::Anchor,
        Builtin::Owned,
        Builtin::InCart,
        Builtin::PurchaseLimit,
        Builtin::OutOfStock,
        Builtin::Expired,
        Builtin::NotReleased,
        Builtin::Category,
    ];

    /// The id used in traces and on the command line (`--no-builtin owned`).
    pub fn id(self) -> &'static str {
        match self {
            Builtin::Anchor => "anchor",
            Builtin::Owned => "owned",
            Builtin::InCart => "in_cart",
            Builtin::PurchaseLimit => "purchase_limit",
            Builtin::OutOfStock => "out_of_stock",
            Builtin::Expired => "expired",
            Builtin::NotReleased => "not_released",
            Builtin::Category => "category",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Builtin::Anchor => "the items acted on",
            Builtin::Owned => "already owned (purchased or equipped)",
            Builtin::InCart => "in the cart",
            Builtin::PurchaseLimit => "purchase limit reached",
            Builtin::OutOfStock => "out of stock",
            Builtin::Expired => "expired",
            Builtin::NotReleased => "not released yet",
            Builtin::Category => "category include/exclude",
        }
    }

    pub fn from_id(id: &str) -> Option<Builtin> {
        Builtin::ALL.into_iter().find(|b| b.id() == id)
    }

    pub fn enabled(self, f: &BuiltinFilters) -> bool {
        match self {
            Builtin::Anchor => f.anchor,
            Builtin::Owned => f.owned,
            Builtin::InCart => f.in_cart,
            Builtin::PurchaseLimit => f.purchase_limit,
            Builtin::OutOfStock => f.out_of_stock,
            Builtin::Expired => f.expired,
            Builtin::NotReleased => f.not_released,
            Builtin::Category => !f.include_categories.is_empty() || !f.exclude_categories.is_empty(),
        }
    }

    pub fn set(self, f: &mut BuiltinFilters, on: bool) {
        match self {
            Builtin::Anchor => f.anchor = on,
            Builtin::Owned => f.owned = on,
            Builtin::InCart => f.in_cart = on,
            Builtin::PurchaseLimit => f.purchase_limit = on,
            Builtin::OutOfStock => f.out_of_stock = on,
            Builtin::Expired => f.expired = on,
            Builtin::NotReleased => f.not_released = on,
            Builtin::Category => {
                if !on {
                    f.include_categories.clear();
                    f.exclude_categories.clear();
                }
            }
        }
    }

    /// Why this filter removes `item`, or `None` when it lets it through.
    pub fn removes(
        self,
        item: &Item,
        f: &BuiltinFilters,
        user: &UserState,
        anchors: &[String],
        now: i64,
    ) -> Option<String> {
        match self {
            Builtin::Anchor => anchors.contains(&item.id).then(|| "the user just acted on it".to_string()),
            Builtin::Owned => {
                user.owned.get(&item.id).map(|(event, ts)| format!("{} {}", verb(event), describe_age(*ts, now)))
            }
            Builtin::InCart => user.in_cart.get(&item.id).map(|ts| format!("added to cart {}", describe_age(*ts, now))),
            Builtin::PurchaseLimit => {
                let limit = item.purchase_limit?;
                let (count, _) = user.purchases.get(&item.id)?;
                (i64::from(*count) >= limit).then(|| format!("bought {count} of a limit of {limit}"))
            }
            Builtin::OutOfStock => item.stock.filter(|s| *s <= 0).map(|s| format!("stock {s}")),
            Builtin::Expired => {
                item.expires_at.filter(|t| *t <= now).map(|t| format!("expired {}", describe_age(t, now)))
            }
            Builtin::NotReleased => {
                item.released_at.filter(|t| *t > now).map(|t| format!("released {}", describe_age(t, now)))
            }
            Builtin::Category => {
                let cat = item.category.as_deref().unwrap_or("");
                let matches = |list: &[String]| list.iter().any(|c| c.eq_ignore_ascii_case(cat));
                if matches(&f.exclude_categories) {
                    Some(format!("category {cat} is excluded"))
                } else if !f.include_categories.is_empty() && !matches(&f.include_categories) {
                    Some(format!(
                        "category {} is not among {}",
                        if cat.is_empty() { "(none)" } else { cat },
                        f.include_categories.join(", ")
                    ))
                } else {
                    None
                }
            }
        }
    }
}

impl Builtin {
    /// The SQL condition under which this filter keeps an item of the pushed items table
    /// (alias `i`): exactly the items [`Builtin::removes`] lets through. What depends on the
    /// user (owned, in the cart, bought up to the limit, acted on) is written as the list of
    /// items it removes.
    pub fn keep_sql(self, f: &BuiltinFilters, user: &UserState, anchors: &[String], now: i64) -> String {
        use super::filter::{id_list, quote};
        fn sorted(mut ids: Vec<&str>) -> Vec<&str> {
            ids.sort_unstable();
            ids
        }
        // Category names compare as `eq_ignore_ascii_case` does: ASCII letters only.
        let ascii_lower =
            |e: &str| format!("translate({e}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')");
        let categories =
            |list: &[String]| -> Vec<String> { list.iter().filter_map(|c| quote(&c.to_ascii_lowercase())).collect() };
        match self {
            Builtin::Anchor => id_list("i.item_id", &sorted(anchors.iter().map(String::as_str).collect()), true),
            Builtin::Owned => id_list("i.item_id", &sorted(user.owned.keys().map(String::as_str).collect()), true),
            Builtin::InCart => id_list("i.item_id", &sorted(user.in_cart.keys().map(String::as_str).collect()), true),
            Builtin::PurchaseLimit => {
                let mut bought: Vec<(&str, u32)> =
                    user.purchases.iter().map(|(id, (n, _))| (id.as_str(), *n)).collect();
                bought.sort_unstable();
                let cases: Vec<String> =
                    bought.iter().filter_map(|(id, n)| Some(format!("WHEN {} THEN {n}", quote(id)?))).collect();
                if cases.is_empty() {
                    "TRUE".into()
                } else {
                    format!("NOT COALESCE(i.purchase_limit <= CASE i.item_id {} END, FALSE)", cases.join(" "))
                }
            }
            Builtin::OutOfStock => "COALESCE(i.stock > 0, TRUE)".into(),
            Builtin::Expired => format!("COALESCE(i.expires_at > {now}, TRUE)"),
            Builtin::NotReleased => format!("COALESCE(i.released_at <= {now}, TRUE)"),
            Builtin::Category => {
                let cat = ascii_lower("COALESCE(i.category, '')");
                let mut parts = Vec::new();
                let exclude = categories(&f.exclude_categories);
                if !exclude.is_empty() {
                    parts.push(format!("{cat} NOT IN ({})", exclude.join(", ")));
                }
                if !f.include_categories.is_empty() {
                    let include = categories(&f.include_categories);
                    parts.push(if include.is_empty() {
                        "FALSE".into()
                    } else {
                        format!("{cat} IN ({})", include.join(", "))
                    });
                }
                if parts.is_empty() { "TRUE".into() } else { parts.join(" AND ") }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SimAction;

    #[test]
    fn each_builtin_says_why() {
        let now = 1_000_000;
        let act =
            |e: &str, id: &str, ts: i64| SimAction { event_type: e.into(), item_id: Some(id.into()), query: None, ts };
        let user =
            UserState::from_actions(&[act("purchase", "a", now - 300), act("add_to_cart", "b", now - 7200)], now);
        let f = BuiltinFilters { exclude_categories: vec!["Weapon".into()], ..Default::default() };
        let item = |id: &str| Item { id: id.into(), name: id.into(), ..Default::default() };
        let mut a = item("a");
        a.purchase_limit = Some(1);
        assert_eq!(Builtin::Owned.removes(&a, &f, &user, &[], now).as_deref(), Some("purchased 5 min ago"));
        assert_eq!(
            Builtin::PurchaseLimit.removes(&a, &f, &user, &[], now).as_deref(),
            Some("bought 1 of a limit of 1")
        );
        assert_eq!(Builtin::InCart.removes(&item("b"), &f, &user, &[], now).as_deref(), Some("added to cart 2 h ago"));
        let mut c = item("c");
        c.stock = Some(0);
        c.expires_at = Some(now - 3 * 3600);
        c.released_at = Some(now + 2 * 86_400);
        c.category = Some("weapon".into());
        assert_eq!(Builtin::OutOfStock.removes(&c, &f, &user, &[], now).as_deref(), Some("stock 0"));
        assert_eq!(Builtin::Expired.removes(&c, &f, &user, &[], now).as_deref(), Some("expired 3 h ago"));
        assert_eq!(Builtin::NotReleased.removes(&c, &f, &user, &[], now).as_deref(), Some("released in 2 days"));
        assert_eq!(Builtin::Category.removes(&c, &f, &user, &[], now).as_deref(), Some("category weapon is excluded"));
        assert_eq!(
            Builtin::Anchor.removes(&c, &f, &user, &["c".into()], now).as_deref(),
            Some("the user just acted on it")
        );
        assert_eq!(Builtin::Owned.removes(&c, &f, &user, &[], now), None);
        assert!(Builtin::Category.enabled(&f));
        assert!(!Builtin::Category.enabled(&BuiltinFilters::default()));
    }
}
