//! The parser: tokens to the syntax tree, with positioned errors and typo suggestions.

use super::lex::{Tok, Token, describe, lex};
use super::{Action, Clause, Cond, Expr, FieldId, Filter, FilterError, Kind, Operand, Schema, Source, Test};
use crate::util::parse_time;

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
                    self.i += 1;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::filter::test_support::schema;

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
}
