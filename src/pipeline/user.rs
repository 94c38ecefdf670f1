//! What a user's timeline says: which items they own, have in their cart, bought how often.

use crate::store::SimAction;
use std::collections::{BTreeSet, HashMap};

/// The event types reclab gives a meaning (a log may hold others: they count as interactions).
pub const VIEW: &str = "view";
pub const CLICK: &str = "click";
pub const PURCHASE: &str = "purchase";
pub const EQUIP: &str = "equip";
pub const ADD_TO_CART: &str = "add_to_cart";
pub const REMOVE_FROM_CART: &str = "remove_from_cart";
pub const SEARCH: &str = "search";

/// The event types reclab knows, in the order the window lists them.
pub const KNOWN_EVENT_TYPES: [&str; 6] = [VIEW, CLICK, SEARCH, ADD_TO_CART, PURCHASE, EQUIP];

/// The facts the filters need, derived from the user's actions up to `now`.
#[derive(Debug, Clone, Default)]
pub struct UserState {
    /// Event types per item id.
    pub events: HashMap<String, BTreeSet<String>>,
    /// Purchases per item id: (count, time of the last one).
    pub purchases: HashMap<String, (u32, i64)>,
    /// Items bought or equipped, with the time of the first such event.
    pub owned: HashMap<String, (String, i64)>,
    /// Items added to the cart and not bought or removed since, with the time added.
    pub in_cart: HashMap<String, i64>,
}

impl UserState {
    /// Builds the state from actions (any order); actions after `now` are ignored.
    pub fn from_actions<'a>(actions: impl IntoIterator<Item = &'a SimAction>, now: i64) -> Self {
        let mut sorted: Vec<&SimAction> = actions.into_iter().filter(|a| a.ts <= now).collect();
        sorted.sort_by_key(|a| a.ts);
        let mut s = UserState::default();
        for a in sorted {
            let Some(item) = a.item_id.as_deref() else { continue };
            s.events.entry(item.to_string()).or_default().insert(a.event_type.clone());
            match a.event_type.as_str() {
                PURCHASE => {
                    let e = s.purchases.entry(item.to_string()).or_insert((0, a.ts));
                    e.0 += 1;
                    e.1 = a.ts;
                    s.owned.entry(item.to_string()).or_insert((PURCHASE.to_string(), a.ts));
                    s.in_cart.remove(item);
                }
                EQUIP => {
                    s.owned.entry(item.to_string()).or_insert((EQUIP.to_string(), a.ts));
                }
                ADD_TO_CART => {
                    s.in_cart.insert(item.to_string(), a.ts);
                }
                REMOVE_FROM_CART => {
                    s.in_cart.remove(item);
                }
                _ => {}
            }
        }
        s
    }

    pub fn event_types(&self, item_id: &str) -> Option<&BTreeSet<String>> {
        self.events.get(item_id)
    }
}

/// The past-tense verb of an event type, for reason lines ("purchased 5 min ago").
pub fn verb(event_type: &str) -> String {
    match event_type {
        "view" => "viewed".into(),
        "click" => "clicked".into(),
        "search" => "searched".into(),
        ADD_TO_CART => "added to cart".into(),
        PURCHASE => "purchased".into(),
        EQUIP => "equipped".into(),
        "like" => "liked".into(),
        "rate" | "rating" => "rated".into(),
        other if other.ends_with('e') => format!("{other}d"),
        other => format!("{}ed", other.replace('_', " ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn act(event: &str, item: &str, ts: i64) -> SimAction {
        SimAction { event_type: event.into(), item_id: Some(item.into()), query: None, ts }
    }

    #[test]
    fn derives_owned_cart_and_purchase_counts() {
        let actions = vec![
            act("add_to_cart", "a", 1),
            act("purchase", "a", 2),
            act("purchase", "a", 3),
            act("add_to_cart", "b", 4),
            act("equip", "c", 5),
            act("add_to_cart", "d", 6),
            act("remove_from_cart", "d", 7),
            act("purchase", "e", 100),
        ];
        let s = UserState::from_actions(&actions, 50);
        assert_eq!(s.purchases["a"], (2, 3));
        assert!(!s.in_cart.contains_key("a"), "bought items leave the cart");
        assert_eq!(s.in_cart.keys().collect::<Vec<_>>(), vec!["b"]);
        assert_eq!(s.owned["c"].0, "equip");
        assert!(!s.owned.contains_key("e"), "actions after now do not count");
        assert_eq!(verb("add_to_cart"), "added to cart");
        assert_eq!(verb("share"), "shared");
    }
}

/// Parses an action written on the command line: `TYPE:ITEM`, `TYPE:ITEM@AGE` or
/// `TYPE:ITEM@TIME` (`purchase:1001@5m`, `click:1003@2026-11-15T11:00:00Z`), and
/// `search:TEXT[@AGE]` for a free-text search. Without a time the action gets `default_ts`.
pub fn parse_action(spec: &str, now: i64, default_ts: i64) -> Result<SimAction, String> {
    let Some((event, rest)) = spec.split_once(':') else {
        return Err(format!("'{spec}': expected TYPE:ITEM[@AGE], for example purchase:1001@5m or search:winter skin"));
    };
    let event = crate::catalog::normalize_event_type(event);
    if event.is_empty() {
        return Err(format!("'{spec}': the event type is empty"));
    }
    let (target, ts) = match rest.rsplit_once('@') {
        Some((target, when)) => {
            let ts = crate::util::parse_duration(when)
                .map(|age| now - age)
                .or_else(|| crate::util::parse_time(when))
                .ok_or_else(|| {
                format!("'{spec}': '{when}' is neither an age (5m, 2h, 3d) nor a time (2026-11-15T11:00:00Z)")
            })?;
            (target, ts)
        }
        None => (rest, default_ts),
    };
    let target = target.trim();
    if target.is_empty() {
        return Err(format!("'{spec}': no item id (or search text) after '{event}:'"));
    }
    Ok(if event == SEARCH {
        SimAction { event_type: event, item_id: None, query: Some(target.to_string()), ts }
    } else {
        SimAction::on_item(event, target, ts)
    })
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    #[test]
    fn parses_command_line_actions() {
        let now = 10_000;
        let a = parse_action("purchase:1001@5m", now, 0).unwrap();
        assert_eq!((a.event_type.as_str(), a.item_id.as_deref(), a.ts), ("purchase", Some("1001"), now - 300));
        let a = parse_action("Add-to-cart:2001", now, 42).unwrap();
        assert_eq!((a.event_type.as_str(), a.ts), ("add_to_cart", 42));
        let a = parse_action("search:winter skin@1h", now, 0).unwrap();
        assert_eq!((a.query.as_deref(), a.item_id, a.ts), (Some("winter skin"), None, now - 3600));
        let a = parse_action("click:1003@2026-11-15T12:00:00Z", now, 0).unwrap();
        assert_eq!(a.ts, 1_794_744_000);
        assert!(parse_action("purchase1001", now, 0).unwrap_err().contains("TYPE:ITEM"));
        assert!(parse_action("purchase:1001@yesterday", now, 0).unwrap_err().contains("'yesterday'"));
        assert!(parse_action("purchase:", now, 0).unwrap_err().contains("no item id"));
    }
}
