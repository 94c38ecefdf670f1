//! The filter language, modelled on Amazon Personalize filter expressions.
//!
//! ```text
//! EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase", "add_to_cart")
//! INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY) AND Items.PRICE < 1000
//! EXCLUDE ItemID WHERE Items.CATEGORY = CurrentItem.CATEGORY
//! Items.DAYS_TO_EXPIRY >= 1 | EXCLUDE ItemID WHERE Items.TAGS IN ("adult")
//! ```
//!
//! A filter is one or more expressions chained with `|`; each keeps (`INCLUDE`) or removes
//! (`EXCLUDE`) the candidates its condition matches. A bare condition means `INCLUDE ItemID
//! WHERE` it. Conditions compare `Items.<FIELD>` (a catalog field, an attribute, or one of the
//! derived fields `DAYS_TO_EXPIRY`, `AGE_DAYS`, `INTERACTIONS`) with `IN`, `NOT IN`, `=`, `!=`,
//! `<`, `<=`, `>`, `>=`, combined with `AND`, `OR` and parentheses. `Interactions.EVENT_TYPE`
//! is the set of event types the user has on the item; `CurrentItem.<FIELD>` is the anchor
//! item's value; `$NAME` is a parameter given with the request (`$NOW` is the scenario's time).
//! Keywords and field names are case-insensitive, and so are text comparisons. Multi-valued
//! text (tags, and attribute values separated by `|`) matches `IN` when any value does.

mod bind;
mod eval;
mod lex;
mod parse;
mod sql;

pub use bind::{BindContext, BoundExpr, BoundFilter};
pub use eval::EvalContext;
pub use parse::MAX_NESTING;
pub use sql::{SqlContext, id_list, quote};

use crate::catalog::AttrKind;
use std::collections::BTreeMap;

/// A problem in a filter, with the character position (0-based) where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("filter error at position {position}: {message}")]
pub struct FilterError {
    pub position: usize,
    /// How many characters the problem covers (at least 1).
    pub len: usize,
    pub message: String,
}

impl FilterError {
    fn new(position: usize, len: usize, message: impl Into<String>) -> Self {
        Self { position, len: len.max(1), message: message.into() }
    }

    /// The error with the filter text and a caret line under the problem.
    pub fn render(&self, source: &str) -> String {
        let line: String = source.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
        let caret = format!("{}{}", " ".repeat(self.position), "^".repeat(self.len));
        format!("{self}\n  {line}\n  {caret}")
    }
}

/// Whether an expression keeps or removes what its condition matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    Include,
    Exclude,
}

/// A field of the catalog, a derived field, or the user's event types on the item.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldId {
    Id,
    Name,
    NameAlt,
    Category,
    Tags,
    Description,
    Price,
    Stock,
    PurchaseLimit,
    ReleasedAt,
    ExpiresAt,
    Vertical,
    DaysToExpiry,
    AgeDays,
    Interactions,
    Attr(String, AttrKind),
    EventType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Date,
    Bool,
}

impl FieldId {
    fn kind(&self) -> Kind {
        match self {
            FieldId::Price
            | FieldId::Stock
            | FieldId::PurchaseLimit
            | FieldId::DaysToExpiry
            | FieldId::AgeDays
            | FieldId::Interactions => Kind::Number,
            FieldId::ReleasedAt | FieldId::ExpiresAt => Kind::Date,
            FieldId::Attr(_, AttrKind::Int | AttrKind::Float) => Kind::Number,
            FieldId::Attr(_, AttrKind::Date) => Kind::Date,
            FieldId::Attr(_, AttrKind::Bool) => Kind::Bool,
            _ => Kind::Text,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Items,
    CurrentItem,
    Interactions,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Field { source: Source, field: FieldId, pos: usize, len: usize },
    Str(String, usize, usize),
    Num(f64, usize, usize),
    Bool(bool, usize, usize),
    Param(String, usize, usize),
}

impl Operand {
    fn span(&self) -> (usize, usize) {
        match self {
            Operand::Field { pos, len, .. } => (*pos, *len),
            Operand::Str(_, p, l) | Operand::Num(_, p, l) | Operand::Bool(_, p, l) | Operand::Param(_, p, l) => {
                (*p, *l)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Test {
    In { negated: bool, values: Vec<Operand> },
    Cmp { op: &'static str, rhs: Operand },
}

/// One comparison of a condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// Where the clause is in the filter text.
    pub pos: usize,
    pub len: usize,
    /// The clause's text.
    pub text: String,
    lhs: Operand,
    test: Test,
}

#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Leaf(usize),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

/// One `|`-separated expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub action: Action,
    /// The expression's text and position in the filter.
    pub text: String,
    pub pos: usize,
    pub clauses: Vec<Clause>,
    cond: Cond,
}

/// A parsed filter: its expressions in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    pub source: String,
    pub exprs: Vec<Expr>,
}

/// What the filter may refer to: the catalog's attribute columns.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub attributes: BTreeMap<String, AttrKind>,
}

#[cfg(test)]
mod test_support {
    use super::*;

    /// A schema with a text, a bool and a number attribute.
    pub(super) fn schema() -> Schema {
        let mut attributes = BTreeMap::new();
        attributes.insert("rarity".to_string(), AttrKind::Text);
        attributes.insert("organic".to_string(), AttrKind::Bool);
        attributes.insert("rating".to_string(), AttrKind::Float);
        Schema { attributes }
    }
}
