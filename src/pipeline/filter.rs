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

use crate::catalog::{AttrKind, AttrValue, Item};
use crate::util::parse_time;
use std::collections::{BTreeMap, BTreeSet};

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

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    Param(String),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
    Dot,
    Pipe,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: usize,
    len: usize,
}

fn describe(t: Option<&Token>) -> String {
    match t.map(|t| &t.tok) {
        None => "the end of the filter".into(),
        Some(Tok::Word(w)) => format!("'{w}'"),
        Some(Tok::Str(s)) => format!("the string \"{s}\""),
        Some(Tok::Num(n)) => format!("the number {n}"),
        Some(Tok::Param(p)) => format!("${p}"),
        Some(Tok::Op(o)) => format!("'{o}'"),
        Some(Tok::LParen) => "'('".into(),
        Some(Tok::RParen) => "')'".into(),
        Some(Tok::Comma) => "','".into(),
        Some(Tok::Dot) => "'.'".into(),
        Some(Tok::Pipe) => "'|'".into(),
    }
}

fn lex(source: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        match c {
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => {
                out.push(Token { tok: Tok::LParen, pos: start, len: 1 });
                i += 1;
            }
            ')' => {
                out.push(Token { tok: Tok::RParen, pos: start, len: 1 });
                i += 1;
            }
            ',' => {
                out.push(Token { tok: Tok::Comma, pos: start, len: 1 });
                i += 1;
            }
            '.' if !chars.get(i + 1).is_some_and(|c| c.is_ascii_digit()) => {
                out.push(Token { tok: Tok::Dot, pos: start, len: 1 });
                i += 1;
            }
            '|' => {
                out.push(Token { tok: Tok::Pipe, pos: start, len: 1 });
                i += 1;
            }
            '=' => {
                let len = if chars.get(i + 1) == Some(&'=') { 2 } else { 1 };
                out.push(Token { tok: Tok::Op("="), pos: start, len });
                i += len;
            }
            '!' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('!', Some('=')) => ("!=", 2),
                    ('<', Some('>')) => ("!=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('>', Some('=')) => (">=", 2),
                    ('<', _) => ("<", 1),
                    ('>', _) => (">", 1),
                    _ => {
                        return Err(FilterError::new(
                            start,
                            1,
                            "'!' must be followed by '=' (write != for 'not equal')",
                        ));
                    }
                };
                out.push(Token { tok: Tok::Op(op), pos: start, len });
                i += len;
            }
            '"' | '\'' | '“' | '”' => {
                let close = if c == '“' { '”' } else { c };
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(FilterError::new(
                                start,
                                1,
                                format!("this string is never closed: add a closing {close}"),
                            ));
                        }
                        Some(&ch) if ch == close || (close == '”' && ch == '"') => {
                            // A doubled quote inside a string stands for one quote.
                            if chars.get(i + 1) == Some(&ch) {
                                s.push(ch);
                                i += 2;
                                continue;
                            }
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\'' | '\\')) => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some(&ch) => {
                            s.push(ch);
                            i += 1;
                        }
                    }
                }
                out.push(Token { tok: Tok::Str(s), pos: start, len: i - start });
            }
            '$' => {
                i += 1;
                let name_start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                if i == name_start {
                    return Err(FilterError::new(
                        start,
                        1,
                        "'$' must be followed by a parameter name, such as $CATEGORY",
                    ));
                }
                let name: String = chars[name_start..i].iter().collect();
                out.push(Token { tok: Tok::Param(name.to_ascii_uppercase()), pos: start, len: i - start });
            }
            c if c.is_ascii_digit() || c == '-' || c == '.' => {
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.' || chars[i] == '_') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                let n: f64 = text
                    .parse()
                    .map_err(|_| FilterError::new(start, i - start, format!("'{text}' is not a number")))?;
                out.push(Token { tok: Tok::Num(n), pos: start, len: i - start });
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token { tok: Tok::Word(chars[start..i].iter().collect()), pos: start, len: i - start });
            }
            other => {
                return Err(FilterError::new(start, 1, format!("unexpected character '{other}'")));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

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

const ITEM_FIELDS: &[(&str, FieldId)] = &[
    ("ITEM_ID", FieldId::Id),
    ("ITEMID", FieldId::Id),
    ("ID", FieldId::Id),
    ("NAME", FieldId::Name),
    ("NAME_ALT", FieldId::NameAlt),
    ("CATEGORY", FieldId::Category),
    ("TAGS", FieldId::Tags),
    ("DESCRIPTION", FieldId::Description),
    ("PRICE", FieldId::Price),
    ("STOCK", FieldId::Stock),
    ("PURCHASE_LIMIT", FieldId::PurchaseLimit),
    ("RELEASED_AT", FieldId::ReleasedAt),
    ("EXPIRES_AT", FieldId::ExpiresAt),
    ("VERTICAL", FieldId::Vertical),
    ("DAYS_TO_EXPIRY", FieldId::DaysToExpiry),
    ("AGE_DAYS", FieldId::AgeDays),
    ("INTERACTIONS", FieldId::Interactions),
];

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

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    i: usize,
    schema: &'a Schema,
    clauses: Vec<Clause>,
    /// Parentheses open at this point.
    depth: usize,
}

/// How deeply parentheses may nest. The parser (and every walk over the condition tree) is
/// recursive: this bound keeps it far from the end of any thread's stack.
pub const MAX_NESTING: usize = 64;

fn is_kw(t: Option<&Token>, kw: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Word(w), .. }) if w.eq_ignore_ascii_case(kw))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.i)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.i + n)
    }

    fn here(&self) -> (usize, usize) {
        match self.peek() {
            Some(t) => (t.pos, t.len),
            None => (self.source.chars().count(), 1),
        }
    }

    fn err_expected(&self, expected: &str) -> FilterError {
        let (pos, len) = self.here();
        FilterError::new(pos, len, format!("expected {expected}, found {}", describe(self.peek())))
    }

    fn expect_kw(&mut self, kw: &str, expected: &str) -> Result<(), FilterError> {
        if is_kw(self.peek(), kw) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err_expected(expected))
        }
    }

    fn expect(&mut self, tok: Tok, expected: &str) -> Result<(), FilterError> {
        if self.peek().map(|t| &t.tok) == Some(&tok) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err_expected(expected))
        }
    }

    fn end_of(&self, last_token: usize) -> usize {
        let t = &self.tokens[last_token];
        t.pos + t.len
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.source.chars().skip(from).take(to.saturating_sub(from)).collect::<String>().trim().to_string()
    }

    fn expr(&mut self) -> Result<Expr, FilterError> {
        let start_tok = self.i;
        let pos = self.here().0;
        let action = if is_kw(self.peek(), "INCLUDE") {
            self.i += 1;
            Some(Action::Include)
        } else if is_kw(self.peek(), "EXCLUDE") {
            self.i += 1;
            Some(Action::Exclude)
        } else {
            None
        };
        if action.is_some() {
            match self.peek() {
                Some(Token { tok: Tok::Word(w), .. })
                    if w.eq_ignore_ascii_case("ItemID") || w.eq_ignore_ascii_case("ITEM_ID") =>
                {
                    self.i += 1
                }
                _ => return Err(self.err_expected("ItemID (as in EXCLUDE ItemID WHERE …)")),
            }
            self.expect_kw("WHERE", "WHERE")?;
        }
        let first_clause = self.clauses.len();
        let cond = self.or_cond()?;
        let end = if self.i > start_tok { self.end_of(self.i - 1) } else { pos };
        Ok(Expr {
            action: action.unwrap_or(Action::Include),
            text: self.text(pos, end),
            pos,
            clauses: self.clauses[first_clause..].to_vec(),
            cond: renumber(cond, first_clause),
        })
    }

    fn or_cond(&mut self) -> Result<Cond, FilterError> {
        let mut parts = vec![self.and_cond()?];
        while is_kw(self.peek(), "OR") {
            self.i += 1;
            parts.push(self.and_cond()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Cond::And(vec![])) } else { Cond::Or(parts) })
    }

    fn and_cond(&mut self) -> Result<Cond, FilterError> {
        let mut parts = vec![self.atom()?];
        while is_kw(self.peek(), "AND") {
            self.i += 1;
            parts.push(self.atom()?);
        }
        Ok(if parts.len() == 1 { parts.pop().unwrap_or(Cond::And(vec![])) } else { Cond::And(parts) })
    }

    fn atom(&mut self) -> Result<Cond, FilterError> {
        if let Some(open) = self.peek().filter(|t| t.tok == Tok::LParen) {
            if self.depth >= MAX_NESTING {
                return Err(FilterError::new(
                    open.pos,
                    1,
                    format!(
                        "parentheses nest more than {MAX_NESTING} deep here; write the condition with fewer levels"
                    ),
                ));
            }
            self.i += 1;
            self.depth += 1;
            let c = self.or_cond()?;
            self.expect(Tok::RParen, "')' or AND / OR")?;
            self.depth -= 1;
            return Ok(c);
        }
        let start_tok = self.i;
        let start = self.here().0;
        let lhs = self.field_operand(true)?;
        let test = if is_kw(self.peek(), "IN") {
            self.i += 1;
            Test::In { negated: false, values: self.value_list()? }
        } else if is_kw(self.peek(), "NOT") && is_kw(self.peek_at(1), "IN") {
            self.i += 2;
            Test::In { negated: true, values: self.value_list()? }
        } else if let Some(Token { tok: Tok::Op(op), .. }) = self.peek() {
            let op = *op;
            self.i += 1;
            Test::Cmp { op, rhs: self.value()? }
        } else {
            let field = self.text(start, self.end_of(self.i - 1));
            return Err(self.err_expected(&format!("IN, NOT IN or a comparison (=, !=, <, <=, >, >=) after {field}")));
        };
        let end = self.end_of(self.i - 1);
        let _ = start_tok;
        let clause = Clause { pos: start, len: end - start, text: self.text(start, end), lhs, test };
        self.check_clause(&clause)?;
        self.clauses.push(clause);
        Ok(Cond::Leaf(self.clauses.len() - 1))
    }

    fn value_list(&mut self) -> Result<Vec<Operand>, FilterError> {
        self.expect(Tok::LParen, "'(' to open the list of values")?;
        let mut values = vec![self.value()?];
        loop {
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Comma) => {
                    self.i += 1;
                    values.push(self.value()?);
                }
                Some(Tok::RParen) => {
                    self.i += 1;
                    return Ok(values);
                }
                _ => return Err(self.err_expected("',' or ')' in the list of values")),
            }
        }
    }

    fn value(&mut self) -> Result<Operand, FilterError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err_expected("a value (a \"string\", a number, $PARAM or CurrentItem.FIELD)"));
        };
        match t.tok {
            Tok::Str(s) => {
                self.i += 1;
                Ok(Operand::Str(s, t.pos, t.len))
            }
            Tok::Num(n) => {
                self.i += 1;
                Ok(Operand::Num(n, t.pos, t.len))
            }
            Tok::Param(p) => {
                self.i += 1;
                Ok(Operand::Param(p, t.pos, t.len))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false") => {
                self.i += 1;
                Ok(Operand::Bool(w.eq_ignore_ascii_case("true"), t.pos, t.len))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("CurrentItem") => self.field_operand(false),
            Tok::Word(w) if w.eq_ignore_ascii_case("Items") || w.eq_ignore_ascii_case("Interactions") => {
                Err(FilterError::new(
                    t.pos,
                    t.len,
                    format!("{w}.… cannot be a value; compare it on the left, or use CurrentItem.FIELD"),
                ))
            }
            Tok::Word(w) => Err(FilterError::new(
                t.pos,
                t.len,
                format!("expected a value, found '{w}': quote text values, as in \"{w}\""),
            )),
            _ => Err(self.err_expected("a value (a \"string\", a number, $PARAM or CurrentItem.FIELD)")),
        }
    }

    /// `Items.X`, `Interactions.EVENT_TYPE`, `CurrentItem.X`.
    fn field_operand(&mut self, lhs: bool) -> Result<Operand, FilterError> {
        let Some(t) = self.peek().cloned() else {
            return Err(self.err_expected("a field such as Items.CATEGORY or Interactions.EVENT_TYPE"));
        };
        let Tok::Word(dataset) = &t.tok else {
            return Err(self.err_expected("a field such as Items.CATEGORY or Interactions.EVENT_TYPE"));
        };
        let source = if dataset.eq_ignore_ascii_case("Items") {
            Source::Items
        } else if dataset.eq_ignore_ascii_case("Interactions") {
            Source::Interactions
        } else if dataset.eq_ignore_ascii_case("CurrentItem") {
            Source::CurrentItem
        } else if dataset.eq_ignore_ascii_case("Users") {
            return Err(FilterError::new(
                t.pos,
                t.len,
                "Users.… fields are not supported: simulated users have no attributes",
            ));
        } else {
            let hint = suggest(dataset, &["Items", "Interactions", "CurrentItem", "INCLUDE", "EXCLUDE"]);
            return Err(FilterError::new(
                t.pos,
                t.len,
                format!(
                    "expected INCLUDE, EXCLUDE or a field such as Items.CATEGORY, found '{dataset}'{}",
                    hint.map(|h| format!(" (did you mean {h}?)")).unwrap_or_default()
                ),
            ));
        };
        self.i += 1;
        self.expect(Tok::Dot, &format!("'.' after {dataset}"))?;
        let Some(Token { tok: Tok::Word(name), pos, len }) = self.peek().cloned() else {
            return Err(self.err_expected(&format!("a field name after {dataset}.")));
        };
        self.i += 1;
        let upper = name.to_ascii_uppercase();
        let field = match source {
            Source::Interactions => {
                if upper == "EVENT_TYPE" {
                    FieldId::EventType
                } else {
                    return Err(FilterError::new(
                        pos,
                        len,
                        format!("unknown field Interactions.{name}; the field is EVENT_TYPE"),
                    ));
                }
            }
            Source::Items | Source::CurrentItem => self.item_field(&name, pos, len, source)?,
        };
        if lhs && source == Source::CurrentItem {
            return Err(FilterError::new(
                t.pos,
                pos + len - t.pos,
                "CurrentItem.… is a value: put an Items.… field on the left, as in Items.CATEGORY = CurrentItem.CATEGORY",
            ));
        }
        Ok(Operand::Field { source, field, pos: t.pos, len: pos + len - t.pos })
    }

    fn item_field(&self, name: &str, pos: usize, len: usize, source: Source) -> Result<FieldId, FilterError> {
        let upper = name.to_ascii_uppercase();
        if let Some((_, f)) = ITEM_FIELDS.iter().find(|(n, _)| *n == upper) {
            return Ok(f.clone());
        }
        if let Some((attr, kind)) = self.schema.attributes.iter().find(|(a, _)| a.eq_ignore_ascii_case(name)) {
            return Ok(FieldId::Attr(attr.clone(), *kind));
        }
        let mut names: Vec<String> =
            ITEM_FIELDS.iter().filter(|(n, _)| *n != "ITEMID" && *n != "ID").map(|(n, _)| n.to_string()).collect();
        names.extend(self.schema.attributes.keys().map(|a| a.to_ascii_uppercase()));
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let hint = suggest(&upper, &refs).map(|h| format!("did you mean {h}? ")).unwrap_or_default();
        let dataset = if source == Source::Items { "Items" } else { "CurrentItem" };
        Err(FilterError::new(
            pos,
            len,
            format!("unknown field {dataset}.{name}; {hint}fields are {}", names.join(", ")),
        ))
    }

    /// Type checks what can be checked before values are known.
    fn check_clause(&self, c: &Clause) -> Result<(), FilterError> {
        let Operand::Field { field, source, .. } = &c.lhs else { return Ok(()) };
        let kind = field.kind();
        let operands: Vec<&Operand> = match &c.test {
            Test::In { values, .. } => values.iter().collect(),
            Test::Cmp { op, rhs } => {
                if *source == Source::Interactions && *op != "=" && *op != "!=" {
                    return Err(FilterError::new(c.pos, c.len, "Interactions.EVENT_TYPE takes IN, NOT IN, = or !="));
                }
                if kind == Kind::Text && matches!(*op, "<" | "<=" | ">" | ">=") {
                    let (p, l) = rhs.span();
                    return Err(FilterError::new(
                        p,
                        l,
                        format!("{op} compares numbers and dates, and this field holds text; use = or IN"),
                    ));
                }
                vec![rhs]
            }
        };
        for o in operands {
            match (kind, o) {
                (Kind::Number, Operand::Str(s, p, l)) if s.trim().parse::<f64>().is_err() => {
                    return Err(FilterError::new(
                        *p,
                        *l,
                        format!("this field holds numbers, and \"{s}\" is not a number"),
                    ));
                }
                (Kind::Date, Operand::Str(s, p, l)) if parse_time(s).is_none() => {
                    return Err(FilterError::new(
                        *p,
                        *l,
                        format!(
                            "this field holds dates, and \"{s}\" is not a date (use YYYY-MM-DD or 2026-11-15T12:00:00Z)"
                        ),
                    ));
                }
                (Kind::Text | Kind::Bool, Operand::Num(..)) if kind == Kind::Bool => {
                    let (p, l) = o.span();
                    return Err(FilterError::new(p, l, "this field holds true or false"));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn renumber(c: Cond, offset: usize) -> Cond {
    match c {
        Cond::Leaf(i) => Cond::Leaf(i - offset),
        Cond::And(v) => Cond::And(v.into_iter().map(|c| renumber(c, offset)).collect()),
        Cond::Or(v) => Cond::Or(v.into_iter().map(|c| renumber(c, offset)).collect()),
    }
}

/// The closest name by edit distance, when it is close enough to be a likely typo.
fn suggest<'n>(word: &str, names: &[&'n str]) -> Option<&'n str> {
    let w = word.to_ascii_uppercase();
    names
        .iter()
        .map(|n| (edit_distance(&w, &n.to_ascii_uppercase()), *n))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min_by_key(|(d, n)| (*d, *n))
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Filter {
    /// Parses a filter. An empty (or all-blank) text is a filter with no expressions.
    pub fn parse(source: &str, schema: &Schema) -> Result<Self, FilterError> {
        let tokens = lex(source)?;
        let mut p = Parser { source, tokens, i: 0, schema, clauses: Vec::new(), depth: 0 };
        let mut exprs = Vec::new();
        if p.tokens.is_empty() {
            return Ok(Filter { source: source.to_string(), exprs });
        }
        loop {
            if p.peek().is_none() || p.peek().map(|t| &t.tok) == Some(&Tok::Pipe) {
                return Err(
                    p.err_expected("an expression (EXCLUDE ItemID WHERE …, INCLUDE ItemID WHERE … or a condition)")
                );
            }
            let mut e = p.expr()?;
            // Clauses are numbered per expression.
            p.clauses.clear();
            e.clauses.shrink_to_fit();
            exprs.push(e);
            match p.peek().map(|t| &t.tok) {
                None => break,
                Some(Tok::Pipe) => p.i += 1,
                Some(_) => return Err(p.err_expected("AND, OR, '|' or the end of the filter")),
            }
        }
        Ok(Filter { source: source.to_string(), exprs })
    }

    pub fn is_empty(&self) -> bool {
        self.exprs.is_empty()
    }

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

// ---------------------------------------------------------------------------------------------
// Binding and evaluation

/// What binding needs: parameter values, the anchor item, and the time.
pub struct BindContext<'a> {
    pub params: &'a BTreeMap<String, String>,
    pub current: Option<&'a Item>,
    pub now: i64,
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Text(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone)]
enum BoundTest {
    In { negated: bool, values: Vec<Val> },
    Cmp { op: &'static str, rhs: Option<Val> },
}

#[derive(Debug, Clone)]
struct BoundClause {
    field: FieldId,
    kind: Kind,
    test: BoundTest,
}

/// One expression, ready to evaluate.
#[derive(Debug, Clone)]
pub struct BoundExpr {
    pub action: Action,
    pub text: String,
    pub clause_texts: Vec<String>,
    clauses: Vec<BoundClause>,
    cond: Cond,
}

/// A filter ready to evaluate.
#[derive(Debug, Clone, Default)]
pub struct BoundFilter {
    pub exprs: Vec<BoundExpr>,
}

/// What evaluation needs besides the item: the user's event types on items, the number of
/// logged events per item, and the time.
pub struct EvalContext<'a> {
    pub user_events: &'a dyn Fn(&str) -> Option<&'a BTreeSet<String>>,
    pub interactions: &'a dyn Fn(&str) -> u64,
    pub now: i64,
}

fn param_values(name: &str, raw: &str) -> Vec<String> {
    // A parameter may hold a list: "Premium skin","Head skin" or Premium skin, Head skin.
    let _ = name;
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
            param_values(name, &raw).iter().map(|v| literal(kind, v, *p, *l, &format!("${name}"))).collect()
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

/// The values of `field` for `item` (several for tags and `|`-separated attributes).
fn field_values<'a>(
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
    fn test(&self, vals: &[Val]) -> bool {
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

    fn schema() -> Schema {
        let mut attributes = BTreeMap::new();
        attributes.insert("rarity".to_string(), AttrKind::Text);
        attributes.insert("organic".to_string(), AttrKind::Bool);
        attributes.insert("rating".to_string(), AttrKind::Float);
        Schema { attributes }
    }

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

    fn err(filter: &str) -> FilterError {
        Filter::parse(filter, &schema()).unwrap_err()
    }

    #[test]
    fn syntax_errors_point_at_their_position_and_say_what_was_expected() {
        let f = r#"EXCLUDE ItemID WHERE Items.CATEGORY INN ("x")"#;
        let e = err(f);
        assert_eq!(e.position, 36);
        assert!(e.message.contains("expected IN, NOT IN or a comparison") && e.message.contains("found 'INN'"), "{e}");
        assert!(e.render(f).ends_with(&format!("{}^^^", " ".repeat(36 + 2))), "{}", e.render(f));

        let e = err(r#"EXCLUDE ItemID WHERE Items.CATEGROY IN ("x")"#);
        assert_eq!(e.position, 27);
        assert!(
            e.message.contains("unknown field Items.CATEGROY") && e.message.contains("did you mean CATEGORY?"),
            "{e}"
        );
        assert!(e.message.contains("RARITY"), "attributes are listed: {e}");

        let e = err(r#"EXCLUDE ItemID WHER Items.PRICE > 3"#);
        assert_eq!((e.position, e.message.as_str()), (15, "expected WHERE, found 'WHER'"));
        let e = err(r#"Items.PRICE < "cheap""#);
        assert_eq!(e.position, 14);
        assert!(e.message.contains("not a number"));
        let e = err(r#"Items.CATEGORY IN ("a", "b""#);
        assert_eq!(e.position, 27);
        assert!(e.message.contains("',' or ')'"), "{e}");
        let e = err(r#"Items.CATEGORY IN ("a) "#);
        assert!(e.message.contains("never closed"), "{e}");
        let e = err(r#"Items.PRICE < 3 |"#);
        assert!(e.message.contains("expected an expression"), "{e}");
        let e = err(r#"Items.NAME > "a""#);
        assert!(e.message.contains("holds text"), "{e}");
        let e = err(r#"Items.PRICE < 3 AND"#);
        assert!(e.message.contains("found the end of the filter"), "{e}");
        let e = err(r#"EXCLUDE ItemID WHERE Items.TAGS IN (serena)"#);
        assert!(e.message.contains("quote text values"), "{e}");
        let e = err(r#"Users.AGE > 3"#);
        assert!(e.message.contains("Users"), "{e}");
        let e = err(r#"Itmes.PRICE > 3"#);
        assert!(e.message.contains("did you mean Items?"), "{e}");
    }

    #[test]
    fn deep_nesting_is_a_positioned_error_on_any_thread() {
        let deep = |n: usize| format!("{}Items.PRICE < 3{}", "(".repeat(n), ")".repeat(n));
        assert!(Filter::parse(&deep(MAX_NESTING), &schema()).is_ok());
        // The issue's depths: 2,000 killed worker threads, 8,000 the main thread.
        for n in [MAX_NESTING + 1, 3_000, 100_000] {
            let text = deep(n);
            let e = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || Filter::parse(&text, &schema()).unwrap_err())
                .unwrap()
                .join()
                .expect("no stack overflow");
            assert_eq!(e.position, MAX_NESTING, "at the first parenthesis too many");
            assert!(e.message.contains("nest more than 64 deep"), "{e}");
        }
    }

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
