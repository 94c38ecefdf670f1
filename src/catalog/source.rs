//! Reading an import file into rows of named raw values, whatever its format.
//!
//! CSV: UTF-8 with or without BOM, CRLF or LF, quoted fields with commas, quotes and newlines.
//! JSON: an array of objects. JSON Lines: one object per line. Rows that cannot be read (wrong
//! number of fields, invalid UTF-8, a line that is not a JSON object) come back as rejected rows
//! with their line number; they never stop the file.

use super::{CatalogError, RejectedRow};
use std::io::Read;
use std::path::Path;

/// A cell as read from the file, before it is mapped onto a field.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// A JSON object without this key: the row says nothing about the column.
    Missing,
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A JSON array of scalars (tags).
    List(Vec<String>),
    /// A nested JSON object, kept as its JSON text.
    Json(String),
}

impl RawValue {
    pub fn is_empty(&self) -> bool {
        match self {
            RawValue::Missing | RawValue::Null => true,
            RawValue::Text(s) => s.trim().is_empty(),
            RawValue::List(l) => l.is_empty(),
            _ => false,
        }
    }

    /// The value as text, as it would appear in a CSV cell.
    pub fn to_text(&self) -> String {
        match self {
            RawValue::Missing | RawValue::Null => String::new(),
            RawValue::Text(s) => s.clone(),
            RawValue::Int(i) => i.to_string(),
            RawValue::Float(f) => f.to_string(),
            RawValue::Bool(b) => b.to_string(),
            RawValue::List(l) => l.join("|"),
            RawValue::Json(j) => j.clone(),
        }
    }

    fn from_json(v: serde_json::Value) -> RawValue {
        use serde_json::Value;
        match v {
            Value::Null => RawValue::Null,
            Value::Bool(b) => RawValue::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => RawValue::Int(i),
                None => RawValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => RawValue::Text(s),
            Value::Array(items) => {
                let all_scalar = items.iter().all(|v| !v.is_array() && !v.is_object());
                if all_scalar {
                    RawValue::List(
                        items
                            .into_iter()
                            .map(|v| match v {
                                Value::String(s) => s,
                                other => other.to_string(),
                            })
                            .collect(),
                    )
                } else {
                    RawValue::Json(Value::Array(items).to_string())
                }
            }
            Value::Object(o) => RawValue::Json(Value::Object(o).to_string()),
        }
    }
}

/// One readable row: its line and its cells, in column order (`None` where a JSON object had
/// no such key).
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub line: u64,
    pub cells: Vec<RawValue>,
}

/// A whole file: the column names and every row, read or rejected, in file order.
#[derive(Debug, Clone, Default)]
pub struct RawTable {
    pub columns: Vec<String>,
    pub rows: Vec<Result<RawRow, RejectedRow>>,
    pub format: Option<FileFormat>,
}

impl RawTable {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Tsv,
    JsonArray,
    JsonLines,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "CSV",
            FileFormat::Tsv => "TSV",
            FileFormat::JsonArray => "JSON",
            FileFormat::JsonLines => "JSON Lines",
        }
    }

    /// Decides the format from the extension, and from the first non-blank byte when the
    /// extension says nothing.
    pub fn detect(path: &Path, bytes: &[u8]) -> FileFormat {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => return FileFormat::JsonLines,
            "tsv" | "tab" => return FileFormat::Tsv,
            "csv" => return FileFormat::Csv,
            _ => {}
        }
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        match first {
            Some(b'[') => FileFormat::JsonArray,
            Some(b'{') => {
                // One object per line, or a single (pretty-printed) object?
                let first_line = bytes.split(|&b| b == b'\n').find(|l| !l.trim_ascii().is_empty());
                match first_line.map(|l| serde_json::from_slice::<serde_json::Value>(l.trim_ascii())) {
                    Some(Ok(_)) => FileFormat::JsonLines,
                    _ => FileFormat::JsonArray,
                }
            }
            _ => FileFormat::Csv,
        }
    }
}

/// Reads a file into a [`RawTable`].
pub fn read_table(path: &Path) -> Result<RawTable, CatalogError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|source| CatalogError::Io { path: path.to_path_buf(), source })?;
    read_table_bytes(path, &bytes)
}

/// Reads file contents already in memory (`path` names the file in messages and decides the format).
pub fn read_table_bytes(path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CatalogError::Empty { path: path.to_path_buf() });
    }
    let format = FileFormat::detect(path, bytes);
    let mut table = match format {
        FileFormat::Csv => read_delimited(path, bytes, b',')?,
        FileFormat::Tsv => read_delimited(path, bytes, b'\t')?,
        FileFormat::JsonLines => read_json_lines(path, bytes)?,
        FileFormat::JsonArray => read_json_array(path, bytes)?,
    };
    table.format = Some(format);
    Ok(table)
}

fn read_delimited(path: &Path, bytes: &[u8], delimiter: u8) -> Result<RawTable, CatalogError> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| CatalogError::BadHeader { path: path.to_path_buf(), message: e.to_string() })?
        .clone();
    let mut columns = Vec::with_capacity(header.len());
    for field in header.iter() {
        let name = std::str::from_utf8(field)
            .map_err(|e| CatalogError::HeaderNotUtf8 { path: path.to_path_buf(), byte: e.valid_up_to() })?;
        let name = name.trim().to_string();
        if !name.is_empty() && columns.contains(&name) {
            return Err(CatalogError::DuplicateColumn { path: path.to_path_buf(), column: name });
        }
        columns.push(name);
    }
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers come from byte offsets: the csv crate's own line counter is off by one
    // after CRLF line endings.
    let mut lines = LineCounter::new(bytes);
    loop {
        let line = match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => record.position().map(|p| lines.line_at(p.byte())).unwrap_or(0),
            Err(e) => {
                // The csv reader recovers at the next record; report this one and go on.
                let line = e.position().map(|p| lines.line_at(p.byte())).unwrap_or(0);
                rows.push(Err(RejectedRow { line, id: None, reason: format!("unreadable row: {e}") }));
                continue;
            }
        };
        // A line with nothing on it is not a row.
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            let id = record.get(0).and_then(|f| std::str::from_utf8(f).ok()).map(|s| s.trim().to_string());
            rows.push(Err(RejectedRow {
                line,
                id: id.filter(|s| !s.is_empty()),
                reason: format!("wrong number of fields: expected {}, found {}", columns.len(), record.len()),
            }));
            continue;
        }
        let mut cells = Vec::with_capacity(columns.len());
        let mut bad = None;
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(RawValue::Text(s.to_string())),
                Err(e) => {
                    bad = Some(format!(
                        "invalid UTF-8 in column '{}' at byte {} of the field",
                        columns[i],
                        e.valid_up_to()
                    ));
                    break;
                }
            }
        }
        match bad {
            Some(reason) => {
                let id = record.get(0).and_then(|f| std::str::from_utf8(f).ok()).map(|s| s.trim().to_string());
                rows.push(Err(RejectedRow { line, id: id.filter(|s| !s.is_empty()), reason }))
            }
            None => rows.push(Ok(RawRow { line, cells })),
        }
    }
    Ok(RawTable { columns, rows, format: None })
}

/// Maps increasing byte offsets to 1-based line numbers in one pass over the bytes.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0, line: 1 }
    }

    fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = (byte as usize).min(self.bytes.len());
        // A record never starts with a line break; the reader may report the offset of the
        // break that ended the previous line.
        while target < self.bytes.len() && matches!(self.bytes[target], b'\r' | b'\n') {
            target += 1;
        }
        if target < self.offset {
            // Offsets only grow while reading; start over if they ever do not.
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.offset..target].iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset = target;
        self.line
    }
}

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

fn read_json_lines(_path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
    let mut out = ObjectRows::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        if let Err(e) = std::str::from_utf8(trimmed) {
            out.rows.push(Err(RejectedRow {
                line: line_no,
                id: None,
                reason: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
            }));
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(trimmed) {
            Ok(v) => out.push(line_no, v),
            Err(e) => {
                out.rows.push(Err(RejectedRow { line: line_no, id: None, reason: format!("not valid JSON: {e}") }))
            }
        }
    }
    Ok(out.finish())
}

fn read_json_array(path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
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
    let starts = array_element_lines(bytes);
    let mut out = ObjectRows::new();
    for (i, v) in items.into_iter().enumerate() {
        let line = starts.get(i).copied().unwrap_or(0);
        out.push(line, v);
    }
    Ok(out.finish())
}

fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// The line on which each element of a top-level JSON array starts (the array is known to be
/// valid JSON).
fn array_element_lines(bytes: &[u8]) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expecting_element = false;
    for &b in bytes {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        if expecting_element && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            expecting_element = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth == 1 {
                    expecting_element = true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_element = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(name: &str, text: &[u8]) -> RawTable {
        read_table_bytes(Path::new(name), text).unwrap()
    }

    #[test]
    fn csv_with_bom_crlf_and_quoted_fields() {
        let t = read(
            "a.csv",
            b"\xEF\xBB\xBFid,name,description\r\n1,\"Serena, the hero\",\"says \"\"hi\"\"\r\non two lines\"\r\n2,Peony,plain\r\n",
        );
        assert_eq!(t.columns, vec!["id", "name", "description"]);
        let rows: Vec<_> = t.rows.into_iter().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].cells[1], RawValue::Text("Serena, the hero".into()));
        assert_eq!(rows[0].cells[2], RawValue::Text("says \"hi\"\r\non two lines".into()));
        assert_eq!(rows[1].line, 4, "the quoted newline moves the next row down a line");
    }

    #[test]
    fn csv_wrong_field_count_and_bad_utf8_are_rejected_rows() {
        let t = read("a.csv", b"id,name\n1,a\n2,b,extra\n3,\xff\xfe\n4,d\n");
        let lines: Vec<_> = t.rows.iter().map(|r| r.as_ref().map(|r| r.line).map_err(|e| e.line)).collect();
        assert_eq!(lines, vec![Ok(2), Err(3), Err(4), Ok(5)]);
        let reasons: Vec<String> = t.rows.iter().filter_map(|r| r.as_ref().err()).map(|e| e.reason.clone()).collect();
        assert!(reasons[0].contains("expected 2, found 3"), "{reasons:?}");
        assert!(reasons[1].contains("invalid UTF-8 in column 'name'"), "{reasons:?}");
    }

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
        let err = read_table_bytes(Path::new("a.json"), b"[\n{\"id\": 1},\n{\"id\" 2}\n]").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("line 3"), "{msg}");
    }

    #[test]
    fn format_detection() {
        assert_eq!(FileFormat::detect(Path::new("x.txt"), b"  [{}]"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\"a\":1}\n{\"a\":2}"), FileFormat::JsonLines);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\n\"a\":1}"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"id,name"), FileFormat::Csv);
    }
}
