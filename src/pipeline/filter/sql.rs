//! Filter expressions as SQL: the condition under which an expression keeps an item, over the
//! items table of `reclab pg push` (alias `i`), so that a database can filter before its
//! nearest-neighbour scan. The SQL keeps exactly the items [`BoundExpr::keeps`] keeps: a
//! missing value matches nothing (so `NOT IN` and `!=` keep it), text compares without case,
//! multi-valued fields (tags, `|`-separated attributes) match when any value does, and numbers
//! are equal within 1e-9.
//!
//! Literals are written into the SQL (quoted), so the statement a trace shows is the one sent.

use super::bind::{BoundClause, BoundExpr, BoundTest, Val};
use super::{Action, Cond, FieldId, Kind};
use crate::catalog::AttrKind;
use std::collections::{BTreeSet, HashMap};

/// What compiling needs besides the expression.
pub struct SqlContext<'a> {
    /// The schema the items were pushed into (for sub-queries over its interactions).
    pub schema: &'a str,
    /// The scenario's time, Unix seconds.
    pub now: i64,
    /// The user's event types by item (what `Interactions.EVENT_TYPE` reads in the lab).
    pub user_events: &'a HashMap<String, BTreeSet<String>>,
    /// A user whose whole history is the pushed log up to `now`: `Interactions.EVENT_TYPE`
    /// becomes a sub-query over the pushed interactions. Otherwise (a simulated user, whose
    /// actions the database never saw) it becomes the list of items the clause matches.
    pub log_user: Option<&'a str>,
}

/// A string literal (standard-conforming: `'` doubled); `None` for text PostgreSQL cannot hold.
pub fn quote(s: &str) -> Option<String> {
    (!s.contains('\0')).then(|| format!("'{}'", s.replace('\'', "''")))
}

/// `expr NOT IN (…)` / `expr IN (…)` over quoted ids; an empty list is TRUE / FALSE.
pub fn id_list(expr: &str, ids: &[&str], negated: bool) -> String {
    let quoted: Vec<String> = ids.iter().filter_map(|id| quote(id)).collect();
    match (quoted.is_empty(), negated) {
        (true, true) => "TRUE".into(),
        (true, false) => "FALSE".into(),
        (false, true) => format!("{expr} NOT IN ({})", quoted.join(", ")),
        (false, false) => format!("{expr} IN ({})", quoted.join(", ")),
    }
}

fn number(x: f64) -> Result<String, String> {
    if x.is_finite() { Ok(format!("{x:?}")) } else { Err(format!("{x} is not a finite number")) }
}

/// Where a field's values come from in SQL.
enum Values {
    /// One value (or NULL).
    One(String),
    /// A set: `EXISTS (SELECT 1 FROM {from} WHERE {filter} AND pred({value}))`.
    Set { from: String, filter: Option<String>, value: String },
}

fn attr_json(name: &str, json_type: &str, cast: &str) -> Result<String, String> {
    let key = quote(name).ok_or("an attribute name with NUL")?;
    Ok(format!("CASE WHEN jsonb_typeof(i.attrs->{key}) = '{json_type}' THEN (i.attrs->>{key}){cast} END"))
}

fn values(field: &FieldId, cx: &SqlContext<'_>) -> Result<Values, String> {
    let one = |s: &str| Ok(Values::One(s.to_string()));
    let (schema, now) = (cx.schema, cx.now);
    match field {
        FieldId::Id => one("i.item_id"),
        FieldId::Name => one("i.name"),
        FieldId::NameAlt => one("i.name_alt"),
        FieldId::Category => one("i.category"),
        FieldId::Description => one("i.description"),
        FieldId::Vertical => one("i.vertical"),
        FieldId::Price => one("i.price"),
        FieldId::Stock => one("i.stock"),
        FieldId::PurchaseLimit => one("i.purchase_limit"),
        FieldId::ReleasedAt => one("i.released_at"),
        FieldId::ExpiresAt => one("i.expires_at"),
        FieldId::DaysToExpiry => Ok(Values::One(format!("((i.expires_at - {now})::float8 / 86400.0)"))),
        FieldId::AgeDays => Ok(Values::One(format!("(({now} - i.released_at)::float8 / 86400.0)"))),
        FieldId::Interactions => {
            Ok(Values::One(format!("(SELECT count(*) FROM {schema}.interactions x WHERE x.item_id = i.item_id)")))
        }
        FieldId::Tags => Ok(Values::Set { from: "unnest(i.tags) AS t(v)".into(), filter: None, value: "t.v".into() }),
        FieldId::Attr(name, AttrKind::Text) => Ok(Values::Set {
            from: format!("unnest(string_to_array({}, '|')) AS a(v)", attr_json(name, "string", "")?),
            filter: None,
            value: "btrim(a.v, ' ' || chr(9) || chr(10) || chr(13))".into(),
        }),
        FieldId::Attr(name, AttrKind::Bool) => Ok(Values::One(attr_json(name, "boolean", "::boolean")?)),
        FieldId::Attr(name, _) => Ok(Values::One(attr_json(name, "number", "::float8")?)),
        FieldId::EventType => match cx.log_user {
            Some(user) => Ok(Values::Set {
                from: format!("{schema}.interactions x"),
                filter: Some(format!(
                    "x.item_id = i.item_id AND x.user_id = {} AND x.ts <= {now}",
                    quote(user).ok_or("a user id with NUL")?
                )),
                value: "x.event_type".into(),
            }),
            None => Err("the user's events are listed instead".into()),
        },
    }
}

/// `v = w` as the lab compares values of a field of `kind`.
fn eq(v: &str, kind: Kind, w: &Val) -> Result<String, String> {
    Ok(match (kind, w) {
        (Kind::Text, Val::Text(t)) => format!("lower({v}) = lower({})", quote(t).ok_or("text with NUL")?),
        (Kind::Number | Kind::Date, Val::Num(x)) => format!("abs({v} - {}) < 1e-9", number(*x)?),
        (Kind::Bool, Val::Bool(b)) => format!("{v} = {}", if *b { "TRUE" } else { "FALSE" }),
        _ => "FALSE".into(),
    })
}

/// Whether any value of the field satisfies `pred`; never NULL.
fn any(values: &Values, pred: &dyn Fn(&str) -> Result<String, String>) -> Result<String, String> {
    Ok(match values {
        Values::One(v) => format!("COALESCE({}, FALSE)", pred(v)?),
        Values::Set { from, filter, value } => {
            let filter = filter.as_ref().map(|f| format!("{f} AND ")).unwrap_or_default();
            format!("EXISTS (SELECT 1 FROM {from} WHERE {filter}{})", pred(value)?)
        }
    })
}

fn or(parts: Vec<String>) -> String {
    match parts.len() {
        0 => "FALSE".into(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ => format!("({})", parts.join(" OR ")),
    }
}

impl BoundClause {
    /// The clause as a never-NULL SQL condition over `i`.
    fn sql(&self, cx: &SqlContext<'_>) -> Result<String, String> {
        if self.field == FieldId::EventType && cx.log_user.is_none() {
            return Ok(self.listed(cx));
        }
        let vals = values(&self.field, cx)?;
        let kind = self.kind;
        let (negated, cond) = match &self.test {
            BoundTest::In { negated, values: ws } => {
                let pred = |v: &str| ws.iter().map(|w| eq(v, kind, w)).collect::<Result<Vec<_>, _>>().map(or);
                (*negated, any(&vals, &pred)?)
            }
            BoundTest::Cmp { rhs: None, .. } => return Ok("FALSE".into()),
            BoundTest::Cmp { op: "=", rhs: Some(w) } => (false, any(&vals, &|v: &str| eq(v, kind, w))?),
            BoundTest::Cmp { op: "!=", rhs: Some(w) } => (true, any(&vals, &|v: &str| eq(v, kind, w))?),
            BoundTest::Cmp { op, rhs: Some(Val::Num(x)) } if matches!(kind, Kind::Number | Kind::Date) => {
                let x = number(*x)?;
                (false, any(&vals, &|v: &str| Ok(format!("{v} {op} {x}")))?)
            }
            BoundTest::Cmp { .. } => return Ok("FALSE".into()),
        };
        Ok(if negated { format!("NOT ({cond})") } else { cond })
    }

    /// An `Interactions.EVENT_TYPE` clause for a user the database does not know: the items it
    /// matches, decided here from the user's events.
    fn listed(&self, cx: &SqlContext<'_>) -> String {
        let of = |events: Option<&BTreeSet<String>>| {
            let vals: Vec<Val> = events.into_iter().flatten().map(|e| Val::Text(e.clone())).collect();
            self.test(&vals)
        };
        let without_events = of(None);
        let mut ids: Vec<&str> = cx
            .user_events
            .iter()
            .filter(|(_, events)| of(Some(events)) != without_events)
            .map(|(id, _)| id.as_str())
            .collect();
        ids.sort_unstable();
        id_list("i.item_id", &ids, without_events)
    }
}

fn cond_sql(cond: &Cond, clauses: &[String]) -> String {
    let join = |parts: &[Cond], op: &str, empty: &str| {
        if parts.is_empty() {
            return empty.to_string();
        }
        let s: Vec<String> = parts.iter().map(|c| cond_sql(c, clauses)).collect();
        if s.len() == 1 { s.into_iter().next().unwrap_or_default() } else { format!("({})", s.join(op)) }
    };
    match cond {
        Cond::Leaf(i) => clauses.get(*i).cloned().unwrap_or_else(|| "FALSE".into()),
        Cond::And(parts) => join(parts, " AND ", "TRUE"),
        Cond::Or(parts) => join(parts, " OR ", "FALSE"),
    }
}

impl BoundExpr {
    /// The SQL condition under which this expression keeps an item, or why it cannot be
    /// written (the lab then evaluates it).
    pub fn keep_sql(&self, cx: &SqlContext<'_>) -> Result<String, String> {
        let clauses = self.clauses.iter().map(|c| c.sql(cx)).collect::<Result<Vec<_>, _>>()?;
        let cond = cond_sql(&self.cond, &clauses);
        Ok(match self.action {
            Action::Include => cond,
            Action::Exclude => format!("NOT ({cond})"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::filter::test_support::schema;
    use crate::pipeline::filter::{BindContext, Filter};
    use std::collections::BTreeMap;

    fn sql(filter: &str, log_user: Option<&str>) -> Result<String, String> {
        let f = Filter::parse(filter, &schema()).unwrap();
        let bound = f.bind(&BindContext { params: &BTreeMap::new(), current: None, now: 1000 }).unwrap();
        let mut events = HashMap::new();
        events.insert("7".to_string(), BTreeSet::from(["purchase".to_string()]));
        let cx = SqlContext { schema: "shop", now: 1000, user_events: &events, log_user };
        bound.exprs[0].keep_sql(&cx)
    }

    #[test]
    fn literals_are_quoted_and_a_quote_cannot_end_the_string() {
        let s = sql(r#"Items.NAME = "it's'); DROP TABLE items; --""#, None).unwrap();
        assert_eq!(s, "COALESCE(lower(i.name) = lower('it''s''); DROP TABLE items; --'), FALSE)");
        assert_eq!(quote("a\0b"), None, "PostgreSQL text cannot hold NUL");
        assert_eq!(id_list("i.item_id", &[], true), "TRUE");
        assert_eq!(id_list("i.item_id", &["a'b"], false), "i.item_id IN ('a''b')");
    }

    #[test]
    fn event_types_are_a_sub_query_for_a_user_of_the_log_and_a_list_otherwise() {
        let f = r#"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")"#;
        let listed = sql(f, None).unwrap();
        assert_eq!(listed, "NOT (i.item_id IN ('7'))");
        let sub = sql(f, Some("u1")).unwrap();
        assert!(sub.starts_with("NOT (EXISTS (SELECT 1 FROM shop.interactions x WHERE x.item_id = i.item_id AND x.user_id = 'u1' AND x.ts <= 1000 AND "), "{sub}");
        // NOT IN keeps an item the user never touched: the list names what it removes.
        let kept = sql(r#"Interactions.EVENT_TYPE NOT IN ("purchase")"#, None).unwrap();
        assert_eq!(kept, "i.item_id NOT IN ('7')");
    }

    #[test]
    fn missing_values_match_nothing_so_not_in_keeps_them() {
        let s = sql(r#"Items.CATEGORY NOT IN ("Weapon")"#, None).unwrap();
        assert_eq!(s, "NOT (COALESCE(lower(i.category) = lower('Weapon'), FALSE))");
        let s = sql("Items.RATING > 4", None).unwrap();
        assert!(s.contains("jsonb_typeof(i.attrs->'rating') = 'number'"), "{s}");
        // A bound the lab can compare with but SQL cannot write stays in the lab.
        assert_eq!(sql(r#"Items.PRICE > "inf""#, None), Err("inf is not a finite number".to_string()));
    }
}
