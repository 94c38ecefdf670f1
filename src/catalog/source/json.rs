//! JSON: an array of objects, or JSON Lines (one object per line); rows over the union of the
//! objects' keys, each knowing its line; integers beyond 64 bits are kept as text.

use super::{RawRow, RawTable, RawValue};
use crate::catalog::{CatalogError, RejectedRow};
use std::path::Path;

/// Turns JSON objects into rows over the union of their keys (first-seen order).
type JsonObject = serde_json::Map<String, serde_json::Value>;

struct ObjectRows {
    columns: Vec<String>,
    rows: Vec<Result<(u64, JsonObject), RejectedRow>>,
}

impl ObjectRows {
    fn new() -> Self {
        Self { columns: Vec::new(), rows: Vec::new() }
    }

    fn push(&mut self, line: u64, value: serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for key in map.keys() {
                    if !self.columns.iter().any(|c| c == key) {
                        self.columns.push(key.clone());
                    }
                }
                self.rows.push(Ok((line, map)));
            }
            other => self.rows.push(Err(RejectedRow {
                line,
                id: None,
                reason: format!("expected a JSON object, found {}", json_kind(&other)),
            })),
        }
    }

    fn finish(self) -> RawTable {
        let columns = self.columns;
        let rows = self
            .rows
            .into_iter()
            .map(|r| {
                r.map(|(line, mut map)| RawRow {
                    line,
                    cells: columns
                        .iter()
                        .map(|c| map.remove(c).map(RawValue::from_json).unwrap_or(RawValue::Missing))
                        .collect(),
                })
            })
            .collect();
        RawTable { columns, rows, format: None }
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

pub(super) fn read_json_lines(_path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
    let mut out = ObjectRows::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        match parse_json_value(trimmed, "line") {
            Ok(v) => out.push(line_no, v),
            Err(reason) => out.rows.push(Err(RejectedRow { line: line_no, id: None, reason })),
        }
    }
    Ok(out.finish())
}

/// One JSON value (a line, an element of an array), integers too large for 64 bits kept as
/// their text; what is wrong with it otherwise, said of the `what` it is.
fn parse_json_value(bytes: &[u8], what: &str) -> Result<serde_json::Value, String> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(format!("invalid UTF-8 at byte {} of the {what}", e.valid_up_to()));
    }
    serde_json::from_slice(&quote_big_integers(bytes)).map_err(|e| format!("not valid JSON: {e}"))
}

/// Puts quotes around integers that do not fit in 64 bits, so that an id such as
/// `12345678901234567890123` is kept as its text rather than rounded to a float.
fn quote_big_integers(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied, mut strings) = (0, 0, JsonStrings::default());
    let mut previous = b'[';
    while i < bytes.len() {
        let b = bytes[i];
        if strings.inside(b) {
            i += 1;
            continue;
        }
        if b == b'"' {
            strings.open = true;
        } else if (b == b'-' || b.is_ascii_digit()) && matches!(previous, b'[' | b',' | b':') {
            let len = bytes[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            let token = &bytes[i..i + len];
            let digits = token.strip_prefix(b"-").unwrap_or(token);
            let integer =
                !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) && (digits[0] != b'0' || digits.len() == 1);
            let fits = std::str::from_utf8(token).ok().and_then(|t| t.parse::<i64>().ok()).is_some();
            if integer && !fits {
                let o = out.get_or_insert_with(|| Vec::with_capacity(bytes.len() + 2));
                o.extend_from_slice(&bytes[copied..i]);
                o.push(b'"');
                o.extend_from_slice(token);
                o.push(b'"');
                copied = i + len;
            }
            previous = b'0';
            i += len;
            continue;
        }
        if !b.is_ascii_whitespace() {
            previous = b;
        }
        i += 1;
    }
    match out {
        Some(mut o) => {
            o.extend_from_slice(&bytes[copied..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

pub(super) fn read_json_array(path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
    let mut out = ObjectRows::new();
    // Each element is read on its own: one bad number or string rejects that element only.
    if let Some(elements) = array_elements(bytes) {
        for (line, element) in elements {
            match parse_json_value(element, "element") {
                Ok(v) => out.push(line, v),
                Err(reason) => out.rows.push(Err(RejectedRow { line, id: None, reason })),
            }
        }
        return Ok(out.finish());
    }
    // The array itself is not well formed: say where.
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(bytes, e.valid_up_to());
        CatalogError::Json { path: path.to_path_buf(), line, column, message: "invalid UTF-8".into() }
    })?;
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| CatalogError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let serde_json::Value::Array(items) = value else {
        return Err(CatalogError::JsonShape { path: path.to_path_buf() });
    };
    for v in items {
        out.push(0, v);
    }
    Ok(out.finish())
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// The elements of a top-level JSON array, each with the line it starts on; `None` when the
/// array itself is not well formed (brackets that do not match, an empty element, text after
/// it), which the JSON reader then explains. What is inside an element is not checked here.
fn array_elements(bytes: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    if bytes[first] != b'[' {
        return None;
    }
    let mut line = 1 + bytes[..first].iter().filter(|&&b| b == b'\n').count() as u64;
    let mut open = vec![b']'];
    let mut elements = Vec::new();
    let mut start: Option<(usize, u64)> = None;
    let (mut strings, mut after_comma) = (JsonStrings::default(), false);
    for (i, &b) in bytes.iter().enumerate().skip(first + 1) {
        if b == b'\n' {
            line += 1;
        }
        if strings.inside(b) {
            continue;
        }
        if open.len() == 1 {
            match b {
                b',' => {
                    let (s, l) = start.take()?;
                    elements.push((l, bytes[s..i].trim_ascii()));
                    after_comma = true;
                    continue;
                }
                b']' => {
                    match start.take() {
                        Some((s, l)) => elements.push((l, bytes[s..i].trim_ascii())),
                        None if after_comma => return None,
                        None => {}
                    }
                    return bytes[i + 1..].iter().all(u8::is_ascii_whitespace).then_some(elements);
                }
                _ if b.is_ascii_whitespace() => continue,
                _ => {
                    if start.is_none() {
                        start = Some((i, line));
                        after_comma = false;
                    }
                }
            }
        }
        match b {
            b'"' => strings.open = true,
            b'[' => open.push(b']'),
            b'{' => open.push(b'}'),
            b']' | b'}' if open.pop() != Some(b) => return None,
            _ => {}
        }
    }
    None
}

/// Whether a byte of JSON text is inside a string, once its opening quote was seen.
#[derive(Default)]
struct JsonStrings {
    open: bool,
    escaped: bool,
}

impl JsonStrings {
    /// True when `b` is inside a string (its closing quote included).
    fn inside(&mut self, b: u8) -> bool {
        if !self.open {
            return false;
        }
        match b {
            _ if self.escaped => self.escaped = false,
            b'\\' => self.escaped = true,
            b'"' => self.open = false,
            _ => {}
        }
        true
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::source::read_table_bytes;
    use crate::catalog::source::test_support::{outcome, read};

    #[test]
    fn json_array_rows_know_their_lines() {
        let t = read(
            "a.json",
            b"[\n  {\"id\": 1, \"tags\": [\"a\", \"b\"]},\n  {\"id\": \"2\", \"x\": {\"k\": 1}},\n  3\n]",
        );
        assert_eq!(t.columns, vec!["id", "tags", "x"]);
        let first = t.rows[0].as_ref().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(first.cells[0], RawValue::Int(1));
        assert_eq!(first.cells[1], RawValue::List(vec!["a".into(), "b".into()]));
        assert_eq!(t.rows[1].as_ref().unwrap().line, 3);
        assert_eq!(t.rows[1].as_ref().unwrap().cells[2], RawValue::Json("{\"k\":1}".into()));
        let bad = t.rows[2].as_ref().unwrap_err();
        assert_eq!(bad.line, 4);
        assert!(bad.reason.contains("found a number"));
    }

    #[test]
    fn json_lines_reject_bad_lines_and_keep_the_rest() {
        let t = read("a.jsonl", b"{\"id\":1}\n\n{\"id\":2,\n{\"id\":3}\n");
        assert_eq!(t.rows.len(), 3);
        assert!(t.rows[0].is_ok());
        let bad = t.rows[1].as_ref().unwrap_err();
        assert_eq!(bad.line, 3);
        assert!(bad.reason.starts_with("not valid JSON"));
        assert_eq!(t.rows[2].as_ref().unwrap().line, 4);
    }

    #[test]
    fn broken_json_array_is_a_positioned_error() {
        for text in [&b"[\n{\"id\": 1},\n{\"id\": 2}\n"[..], b"[\n{\"id\": 1},\n\n{\"id\": 2]\n]", b"[\n1,\n2,\n]"] {
            let msg = read_table_bytes(Path::new("a.json"), text).unwrap_err().to_string();
            assert!(msg.contains("line 4") || msg.contains("line 3"), "{msg}");
        }
    }

    #[test]
    fn a_bad_element_of_a_json_array_is_rejected_alone() {
        let t = read(
            "a.json",
            b"[\n{\"id\": 1},\n{\"id\" 2},\n{\"id\": 3, \"price\": 1e999},\n{\"id\": 4, \"name\": \"\xff\"},\n{\"id\": 5}\n]",
        );
        let got = outcome(&t);
        assert_eq!(got[0], Ok((2, "1".into())));
        assert!(matches!(&got[1], Err((3, r)) if r.starts_with("not valid JSON")), "{got:?}");
        assert!(matches!(&got[2], Err((4, r)) if r.contains("not valid JSON")), "{got:?}");
        assert!(matches!(&got[3], Err((5, r)) if r.contains("invalid UTF-8")), "{got:?}");
        assert_eq!(got[4], Ok((6, "5".into())));
    }

    #[test]
    fn integers_beyond_64_bits_are_kept_as_text() {
        let t = read("a.json", b"[{\"id\": 12345678901234567890123, \"n\": [18446744073709551615, -3], \"s\": \"1e9 99999999999999999999\"}]");
        let row = t.rows[0].as_ref().unwrap();
        assert_eq!(row.cells[0], RawValue::Text("12345678901234567890123".into()));
        assert_eq!(row.cells[1], RawValue::List(vec!["18446744073709551615".into(), "-3".into()]));
        assert_eq!(row.cells[2], RawValue::Text("1e9 99999999999999999999".into()));
        let t = read("a.jsonl", b"{\"id\": 12345678901234567890124}\n{\"id\": 9223372036854775807}\n");
        assert_eq!(t.rows[0].as_ref().unwrap().cells[0], RawValue::Text("12345678901234567890124".into()));
        assert_eq!(t.rows[1].as_ref().unwrap().cells[0], RawValue::Int(i64::MAX));
        assert_eq!(
            &*quote_big_integers(b"[1.5e400, 00123456789012345678901234]"),
            b"[1.5e400, 00123456789012345678901234]"
        );
    }
}
