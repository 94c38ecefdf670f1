//! Binding: parameters, `CurrentItem` values and the time resolved into typed values.

use super::eval::field_values;
use super::{Action, Clause, Cond, FieldId, Filter, FilterError, Kind, Operand, Test};
use crate::catalog::Item;
use crate::util::parse_time;
use std::collections::{BTreeMap, BTreeSet};

impl Filter {
    /// Names of the `$PARAMS` the filter uses (without `$`), excluding `NOW`.
    pub fn params(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for e in &self.exprs {
            for c in &e.clauses {
                let values: Vec<&Operand> = match &c.test {
                    Test::In { values, .. } => values.iter().collect(),
                    Test::Cmp { rhs, .. } => vec![rhs],
                };
                for v in values {
                    if let Operand::Param(p, ..) = v
                        && p != "NOW"
                    {
                        out.insert(p.clone());
                    }
                }
            }
        }
        out
    }

    /// Resolves parameters and `CurrentItem` values: the result can be evaluated on items.
    pub fn bind(&self, ctx: &BindContext<'_>) -> Result<BoundFilter, FilterError> {
        let mut exprs = Vec::with_capacity(self.exprs.len());
        for e in &self.exprs {
            let mut clauses = Vec::with_capacity(e.clauses.len());
            for c in &e.clauses {
                clauses.push(bind_clause(c, ctx)?);
            }
            exprs.push(BoundExpr {
                action: e.action,
                text: e.text.clone(),
                clauses,
                cond: e.cond.clone(),
                clause_texts: e.clauses.iter().map(|c| c.text.clone()).collect(),
            });
        }
        Ok(BoundFilter { exprs })
    }
}

/// What binding needs: parameter values, the anchor item, and the time.
pub struct BindContext<'a> {
    pub params: &'a BTreeMap<String, String>,
    pub current: Option<&'a Item>,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    Text(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone)]
pub(super) enum BoundTest {
    In { negated: bool, values: Vec<Val> },
    Cmp { op: &'static str, rhs: Option<Val> },
}

#[derive(Debug, Clone)]
pub(super) struct BoundClause {
    pub(super) field: FieldId,
    pub(super) kind: Kind,
    pub(super) test: BoundTest,
}

/// One expression, ready to evaluate.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    pub action: Action,
    pub text: String,
    pub clause_texts: Vec<String>,
    pub(super) clauses: Vec<BoundClause>,
    pub(super) cond: Cond,
}

/// A filter ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct BoundFilter {
    pub exprs: Vec<BoundExpr>,
}

fn param_values(raw: &str) -> Vec<String> {
    // A parameter may hold a list: "Premium skin","Head skin" or Premium skin, Head skin.
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in raw.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => out.push(std::mem::take(&mut cur)),
            (_, c) => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

fn literal(kind: Kind, text: &str, pos: usize, len: usize, what: &str) -> Result<Val, FilterError> {
    match kind {
        Kind::Text => Ok(Val::Text(text.to_string())),
        Kind::Number => text
            .trim()
            .parse::<f64>()
            .map(Val::Num)
            .map_err(|_| FilterError::new(pos, len, format!("{what} is \"{text}\", which is not a number"))),
        Kind::Date => parse_time(text)
            .map(|t| Val::Num(t as f64))
            .ok_or_else(|| FilterError::new(pos, len, format!("{what} is \"{text}\", which is not a date"))),
        Kind::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Val::Bool(true)),
            "false" => Ok(Val::Bool(false)),
            _ => Err(FilterError::new(pos, len, format!("{what} is \"{text}\"; expected true or false"))),
        },
    }
}

fn bind_operand(o: &Operand, kind: Kind, ctx: &BindContext<'_>) -> Result<Vec<Val>, FilterError> {
    match o {
        Operand::Str(s, p, l) => Ok(vec![literal(kind, s, *p, *l, "the value")?]),
        Operand::Num(n, ..) => Ok(vec![match kind {
            Kind::Text => Val::Text(format_num(*n)),
            _ => Val::Num(*n),
        }]),
        Operand::Bool(b, ..) => Ok(vec![Val::Bool(*b)]),
        Operand::Param(name, p, l) => {
            let raw = match ctx.params.get(name) {
                Some(v) => v.clone(),
                None if name == "NOW" => return Ok(vec![Val::Num(ctx.now as f64)]),
                None => {
                    return Err(FilterError::new(
                        *p,
                        *l,
                        format!("${name} has no value: pass it with the request (--param {name}=…)"),
                    ));
                }
            };
            param_values(&raw).iter().map(|v| literal(kind, v, *p, *l, &format!("${name}"))).collect()
        }
        Operand::Field { field, pos, len, .. } => {
            let Some(item) = ctx.current else {
                return Err(FilterError::new(
                    *pos,
                    *len,
                    "CurrentItem needs an anchor item, and this request has none (a search or an empty user)",
                ));
            };
            let now = ctx.now;
            let vals = field_values(item, field, now, &|_| None, &|_| 0);
            Ok(vals)
        }
    }
}

fn format_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

fn bind_clause(c: &Clause, ctx: &BindContext<'_>) -> Result<BoundClause, FilterError> {
    let Operand::Field { field, .. } = &c.lhs else {
        return Err(FilterError::new(c.pos, c.len, "the left side of a comparison must be a field"));
    };
    let kind = field.kind();
    let test = match &c.test {
        Test::In { negated, values } => {
            let mut vals = Vec::new();
            for v in values {
                vals.extend(bind_operand(v, kind, ctx)?);
            }
            BoundTest::In { negated: *negated, values: vals }
        }
        Test::Cmp { op, rhs } => BoundTest::Cmp { op, rhs: bind_operand(rhs, kind, ctx)?.into_iter().next() },
    };
    Ok(BoundClause { field: field.clone(), kind, test })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::filter::test_support::schema;

    #[test]
    fn binding_errors_name_the_missing_value() {
        let f = Filter::parse("Items.CATEGORY IN ($CATEGORY)", &schema()).unwrap();
        assert_eq!(f.params().into_iter().collect::<Vec<_>>(), vec!["CATEGORY"]);
        let params = BTreeMap::new();
        let e = f.bind(&BindContext { params: &params, current: None, now: 0 }).unwrap_err();
        assert!(e.message.contains("$CATEGORY has no value") && e.position == 19, "{e}");
        let f = Filter::parse("Items.CATEGORY = CurrentItem.CATEGORY", &schema()).unwrap();
        let e = f.bind(&BindContext { params: &params, current: None, now: 0 }).unwrap_err();
        assert!(e.message.contains("anchor item"), "{e}");
        let f = Filter::parse("Items.PRICE < $MAX", &schema()).unwrap();
        let mut params = BTreeMap::new();
        params.insert("MAX".to_string(), "lots".to_string());
        let e = f.bind(&BindContext { params: &params, current: None, now: 0 }).unwrap_err();
        assert!(e.message.contains("$MAX is \"lots\", which is not a number"), "{e}");
    }
}
