//! The lexer: filter text to tokens with their character positions.

use super::FilterError;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) pos: usize,
    pub(super) len: usize,
}

pub(super) fn describe(t: Option<&Token>) -> String {
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

pub(super) fn lex(source: &str) -> Result<Vec<Token>, FilterError> {
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
