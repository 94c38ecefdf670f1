//! Reading an import file into rows of named raw values, whatever its format.
//!
//! CSV: UTF-8 with or without BOM, CRLF or LF, quoted fields with commas, quotes and newlines.
//! JSON: an array of objects. JSON Lines: one object per line. Rows that cannot be read (wrong
//! number of fields, invalid UTF-8, a line that is not a JSON object) come back as rejected rows
//! with their line number; they never stop the file.

mod delimited;
mod json;

use super::{CatalogError, RejectedRow};
use delimited::read_delimited;
use json::{read_json_array, read_json_lines};
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

#[cfg(test)]
mod test_support {
    use super::*;

    pub(super) fn read(name: &str, text: &[u8]) -> RawTable {
        read_table_bytes(Path::new(name), text).unwrap()
    }

    pub(super) fn outcome(t: &RawTable) -> Vec<Result<(u64, String), (u64, String)>> {
        t.rows
            .iter()
            .map(|r| match r {
                Ok(r) => Ok((r.line, r.cells.iter().map(RawValue::to_text).collect::<Vec<_>>().join("|"))),
                Err(e) => Err((e.line, e.reason.clone())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_detection() {
        assert_eq!(FileFormat::detect(Path::new("x.txt"), b"  [{}]"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\"a\":1}\n{\"a\":2}"), FileFormat::JsonLines);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\n\"a\":1}"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"id,name"), FileFormat::Csv);
    }
}
