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

/// The longest column name a header may hold, in bytes.
pub const MAX_COLUMN_NAME: usize = 256;

/// Line breaks a quoted field may hold beyond the most any other value of its column holds
/// before it is taken for a quote that was never closed.
const SWALLOW_LINES: usize = 4;
/// Bytes a multi-line quoted field may hold beyond the longest other value of its column.
const SWALLOW_BYTES: usize = 4096;
/// How often the lines a bad quote swallowed are read again as rows, at most.
const MAX_REREADS: usize = 32;

fn read_delimited(path: &Path, bytes: &[u8], delimiter: u8) -> Result<RawTable, CatalogError> {
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(bytes);
    let header = reader
        .byte_headers()
        .map_err(|e| CatalogError::BadHeader { path: path.to_path_buf(), message: e.to_string() })?
        .clone();
    let bad_header = |message: String| CatalogError::BadHeader { path: path.to_path_buf(), message };
    let mut columns = Vec::with_capacity(header.len());
    let mut seen = std::collections::HashSet::with_capacity(header.len());
    for (i, field) in header.iter().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|e| CatalogError::HeaderNotUtf8 { path: path.to_path_buf(), byte: e.valid_up_to() })?;
        let name = name.trim().to_string();
        if name.contains(['\n', '\r']) {
            return Err(bad_header(format!(
                "column {} holds a line break: a quote opened on line 1 is not closed",
                i + 1
            )));
        }
        if name.len() > MAX_COLUMN_NAME {
            return Err(bad_header(format!(
                "column {} has a name of {} bytes; a column name holds at most {MAX_COLUMN_NAME}",
                i + 1,
                name.len()
            )));
        }
        if !name.is_empty() && !seen.insert(name.clone()) {
            return Err(CatalogError::DuplicateColumn { path: path.to_path_buf(), column: name });
        }
        columns.push(name);
    }
    let data_start = (reader.position().byte() as usize).min(bytes.len());
    let mut rows: Vec<Result<RawRow, RejectedRow>> = Vec::new();
    // Line numbers come from byte offsets: the csv crate's own line counter is off by one
    // after CRLF line endings.
    let mut lines = LineCounter::new(bytes);
    let mut start = data_start;
    let mut rereads = 0;
    'segments: loop {
        let records = read_records(bytes, start, delimiter, &columns, &mut lines);
        let stats = ColumnStats::new(columns.len(), rows.iter().chain(records.iter().map(|r| &r.row)));
        let last = records.len().saturating_sub(1);
        for (k, record) in records.iter().enumerate() {
            let Some(swallow) = swallowed(bytes, delimiter, record, k == last, &columns, &stats, &mut lines) else {
                rows.push(record.row.clone());
                continue;
            };
            let again = rereads < MAX_REREADS;
            let id = match &record.row {
                Ok(r) if swallow.column > 0 => r.cells.first().map(RawValue::to_text),
                Err(e) => e.id.clone(),
                _ => None,
            };
            rows.push(Err(RejectedRow {
                line: swallow.line,
                id: id.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                reason: format!(
                    "{}{}",
                    swallow.reason,
                    if again { "; the lines after it are read as rows" } else { "" }
                ),
            }));
            if again && swallow.resume < bytes.len() {
                rereads += 1;
                start = swallow.resume;
                continue 'segments;
            }
        }
        break;
    }
    Ok(RawTable { columns, rows, format: None })
}

/// One record as read, with where it starts and whether a field holds a line break.
struct Record {
    row: Result<RawRow, RejectedRow>,
    start: usize,
    fields: Vec<(usize, usize)>,
}

/// Reads the records of `bytes[start..]` (no header).
fn read_records(bytes: &[u8], start: usize, delimiter: u8, columns: &[String], lines: &mut LineCounter) -> Vec<Record> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(false).from_reader(&bytes[start..]);
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let (line, at) = match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let at = record.position().map(|p| start + p.byte() as usize).unwrap_or(start);
                (lines.line_at(at as u64), at)
            }
            Err(e) => {
                // The csv reader recovers at the next record; report this one and go on.
                let at = e.position().map(|p| start + p.byte() as usize).unwrap_or(start);
                let row = Err(RejectedRow {
                    line: lines.line_at(at as u64),
                    id: None,
                    reason: format!("unreadable row: {e}"),
                });
                out.push(Record { row, start: at, fields: Vec::new() });
                continue;
            }
        };
        // A line with nothing on it is not a row.
        if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let fields =
            record.iter().map(|f| (f.iter().filter(|&&b| b == b'\n' || b == b'\r').count(), f.len())).collect();
        let first_id = || record.get(0).and_then(|f| std::str::from_utf8(f).ok()).map(|s| s.trim().to_string());
        let row = if record.len() != columns.len() {
            Err(RejectedRow {
                line,
                id: first_id().filter(|s| !s.is_empty()),
                reason: format!("wrong number of fields: expected {}, found {}", columns.len(), record.len()),
            })
        } else {
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
                Some(reason) => Err(RejectedRow { line, id: first_id().filter(|s| !s.is_empty()), reason }),
                None => Ok(RawRow { line, cells }),
            }
        };
        out.push(Record { row, start: at, fields });
    }
    out
}

/// The two largest line-break counts and lengths of each column's values.
struct ColumnStats {
    lines: Vec<[usize; 2]>,
    bytes: Vec<[usize; 2]>,
}

impl ColumnStats {
    fn new<'a>(n: usize, rows: impl Iterator<Item = &'a Result<RawRow, RejectedRow>>) -> Self {
        let mut s = Self { lines: vec![[0; 2]; n], bytes: vec![[0; 2]; n] };
        for row in rows.flatten() {
            for (i, cell) in row.cells.iter().enumerate().take(n) {
                let RawValue::Text(t) = cell else { continue };
                let breaks = t.bytes().filter(|&b| b == b'\n' || b == b'\r').count();
                push_top(&mut s.lines[i], breaks);
                push_top(&mut s.bytes[i], t.len());
            }
        }
        s
    }

    /// The most any other value of `column` holds, when one value holds `value`.
    fn others(top: &[usize; 2], value: usize) -> usize {
        if value >= top[0] { top[1] } else { top[0] }
    }
}

fn push_top(top: &mut [usize; 2], v: usize) {
    if v >= top[0] {
        top[1] = top[0];
        top[0] = v;
    } else if v > top[1] {
        top[1] = v;
    }
}

/// A quoted field that swallowed lines it should not have: where its quote opened, and where
/// reading starts again.
struct Swallow {
    line: u64,
    column: usize,
    resume: usize,
    reason: String,
}

/// Whether `record` holds a quoted field that runs to the end of the file, or holds far more
/// line breaks or bytes than the other values of its column (a quote that was never closed).
fn swallowed(
    bytes: &[u8],
    delimiter: u8,
    record: &Record,
    last: bool,
    columns: &[String],
    stats: &ColumnStats,
    lines: &mut LineCounter,
) -> Option<Swallow> {
    if !last && record.fields.iter().all(|&(breaks, _)| breaks == 0) {
        return None;
    }
    let scan = scan_record(bytes, record.start, delimiter);
    let name = |i: usize| columns.get(i).map(|c| format!("column '{c}'")).unwrap_or(format!("field {}", i + 1));
    let (column, quote, reason) = if let Some((i, q)) = scan.open_at_end {
        (i, q, format!("the quote that opens {} is never closed: the field runs to the end of the file", name(i)))
    } else {
        record.fields.iter().enumerate().find_map(|(i, &(breaks, len))| {
            let q = scan.quotes.get(i).copied().flatten()?;
            let (Some(top_lines), Some(top_bytes)) = (stats.lines.get(i), stats.bytes.get(i)) else { return None };
            let value = record.row.as_ref().ok()?.cells.get(i)?.to_text();
            let other_lines = ColumnStats::others(top_lines, breaks);
            let other_bytes = ColumnStats::others(top_bytes, len);
            let too_many =
                breaks > other_lines + SWALLOW_LINES || (breaks > other_lines && len > other_bytes + SWALLOW_BYTES);
            (too_many && looks_like_rows(value.as_bytes(), delimiter, columns.len())).then(|| {
                (
                    i,
                    q,
                    format!(
                        "the quoted value of {} holds {breaks} line breaks and {len} bytes, where the column's other \
                         values hold at most {other_lines} and {other_bytes}: is its quote not closed?",
                        name(i)
                    ),
                )
            })
        })?
    };
    let resume = match bytes[quote..].iter().position(|&b| b == b'\n' || b == b'\r').map(|p| quote + p) {
        Some(end) if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') => end + 2,
        Some(end) => end + 1,
        None => bytes.len(),
    };
    let line = lines.line_at(quote as u64);
    Some(Swallow { line, column, resume, reason: format!("line {line}: {reason}") })
}

/// Whether some line after the first of a quoted value looks like a row of the file (it has a
/// delimiter for each column).
fn looks_like_rows(value: &[u8], delimiter: u8, n_columns: usize) -> bool {
    value
        .split(|&b| b == b'\n' || b == b'\r')
        .skip(1)
        .any(|l| l.iter().filter(|&&b| b == delimiter).count() + 1 >= n_columns)
}

/// Where a record's quoted fields open, and the field whose quote is still open at the end of
/// the file, as the csv reader reads them (a quote opens a field only as its first byte; `""`
/// inside one is a quote).
struct RecordScan {
    quotes: Vec<Option<usize>>,
    open_at_end: Option<(usize, usize)>,
}

fn scan_record(bytes: &[u8], start: usize, delimiter: u8) -> RecordScan {
    #[derive(PartialEq)]
    enum State {
        Start,
        Plain,
        Quoted,
        QuoteInQuoted,
    }
    let mut at = start;
    // The reader may give the offset of the line break that ended the previous record.
    while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
        at += 1;
    }
    let mut quotes = vec![None];
    let mut state = State::Start;
    while at < bytes.len() {
        let b = bytes[at];
        let end_of_record = b == b'\n' || b == b'\r';
        match state {
            State::Start | State::Plain | State::QuoteInQuoted if end_of_record => {
                return RecordScan { quotes, open_at_end: None };
            }
            State::Start | State::Plain | State::QuoteInQuoted if b == delimiter => {
                quotes.push(None);
                state = State::Start;
            }
            State::Start if b == b'"' => {
                if let Some(q) = quotes.last_mut() {
                    *q = Some(at);
                }
                state = State::Quoted;
            }
            State::QuoteInQuoted if b == b'"' => state = State::Quoted,
            State::Start | State::Plain | State::QuoteInQuoted => state = State::Plain,
            State::Quoted if b == b'"' => state = State::QuoteInQuoted,
            State::Quoted => {}
        }
        at += 1;
    }
    let open_at_end =
        (state == State::Quoted).then(|| (quotes.len() - 1, quotes.last().copied().flatten().unwrap_or(start)));
    RecordScan { quotes, open_at_end }
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

fn read_json_array(path: &Path, bytes: &[u8]) -> Result<RawTable, CatalogError> {
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

    fn outcome(t: &RawTable) -> Vec<Result<(u64, String), (u64, String)>> {
        t.rows
            .iter()
            .map(|r| match r {
                Ok(r) => Ok((r.line, r.cells.iter().map(RawValue::to_text).collect::<Vec<_>>().join("|"))),
                Err(e) => Err((e.line, e.reason.clone())),
            })
            .collect()
    }

    #[test]
    fn a_quote_that_runs_to_the_end_of_the_file_is_reported_where_it_opened() {
        for text in
            [&b"id,name,category\n1,a,\"x\n2,b,Y\n3,c,Z\n"[..], b"id,name,category\r\n1,a,\"x\r\n2,b,Y\r\n3,c,Z"]
        {
            let got = outcome(&read("q.csv", text));
            assert_eq!(got.len(), 3, "{got:?}");
            let (line, reason) = got[0].clone().unwrap_err();
            assert_eq!(line, 2);
            assert!(reason.contains("line 2: the quote that opens column 'category' is never closed"), "{reason}");
            assert_eq!(got[1], Ok((3, "2|b|Y".into())));
            assert_eq!(got[2], Ok((4, "3|c|Z".into())));
        }
        // On the last line, without a line break after it.
        let got = outcome(&read("q.csv", b"id,name\n1,a\n2,\"b"));
        assert!(matches!(&got[1], Err((3, r)) if r.contains("never closed")), "{got:?}");
        // In a middle column, where the record then has too few fields.
        let got = outcome(&read("q.csv", b"id,name,category\n1,\"a,x\n2,b,Y\n"));
        assert!(matches!(&got[0], Err((2, r)) if r.contains("column 'name' is never closed")), "{got:?}");
        assert_eq!(got[1], Ok((3, "2|b|Y".into())));
        // In the header.
        let err = read_table_bytes(Path::new("q.csv"), b"id,\"name\n1,a\n").unwrap_err().to_string();
        assert!(err.contains("column 2 holds a line break: a quote opened on line 1 is not closed"), "{err}");
    }

    #[test]
    fn a_quote_closed_far_too_late_is_reported_and_the_lines_it_swallowed_are_read() {
        let mut text = String::from("id,name,description\n1,a,\"one line\"\n2,b,\"two\nlines\"\n3,c,\"opened\n");
        for i in 4..12 {
            text.push_str(&format!("{i},n{i},plain\n"));
        }
        text.push_str("12,l,\"closed\"\n13,m,last\n");
        let got = outcome(&read("q.csv", text.as_bytes()));
        let (line, reason) = got[2].clone().unwrap_err();
        assert_eq!(line, 5, "{got:?}");
        assert!(
            reason.contains("column 'description' holds 9 line breaks") && reason.contains("at most 1"),
            "{reason}"
        );
        assert_eq!(got[3], Ok((6, "4|n4|plain".into())));
        // The swallowed lines are rows again, the one where the late quote closed too.
        assert_eq!(got.iter().filter(|r| r.is_ok()).count(), 2 + 8 + 2, "{got:?}");
        assert_eq!(got[11], Ok((14, "12|l|closed".into())));
        // A long multi-paragraph value that does not look like rows is kept.
        let para = "A paragraph without delimiters\n".repeat(10);
        let got = outcome(&read("q.csv", format!("id,name,description\n1,a,\"{para}\"\n2,b,short\n").as_bytes()));
        assert!(got.iter().all(|r| r.is_ok()), "{got:?}");
    }

    #[test]
    fn long_and_many_column_names() {
        let long = "x".repeat(MAX_COLUMN_NAME + 1);
        let err = read_table_bytes(Path::new("h.csv"), format!("id,{long}\n1,2\n").as_bytes()).unwrap_err().to_string();
        assert!(err.contains("column 2 has a name of 257 bytes; a column name holds at most 256"), "{err}");
        // Many columns are read in linear time, duplicates found among them.
        let header: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
        let t = read("h.csv", format!("{}\n", header.join(",")).as_bytes());
        assert_eq!(t.columns.len(), 200_000);
        let err = read_table_bytes(Path::new("h.csv"), format!("{},c7\n", header.join(",")).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("names column 'c7' twice"), "{err}");
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

    #[test]
    fn format_detection() {
        assert_eq!(FileFormat::detect(Path::new("x.txt"), b"  [{}]"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\"a\":1}\n{\"a\":2}"), FileFormat::JsonLines);
        assert_eq!(FileFormat::detect(Path::new("x"), b"{\n\"a\":1}"), FileFormat::JsonArray);
        assert_eq!(FileFormat::detect(Path::new("x"), b"id,name"), FileFormat::Csv);
    }
}
