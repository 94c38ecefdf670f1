//! CSV and TSV: a header row, then records; a quote that never closes (or closes far too late)
//! is reported where it opened, and the lines it swallowed are read again as rows.

use super::{RawRow, RawTable, RawValue};
use crate::catalog::{CatalogError, RejectedRow};
use std::path::Path;

/// The longest column name a header may hold, in bytes.
pub const MAX_COLUMN_NAME: usize = 256;

/// Line breaks a quoted field may hold beyond the most any other value of its column holds
/// before it is taken for a quote that was never closed.
const SWALLOW_LINES: usize = 4;
/// Bytes a multi-line quoted field may hold beyond the longest other value of its column.
const SWALLOW_BYTES: usize = 4096;
/// How often the lines a bad quote swallowed are read again as rows, at most.
const MAX_REREADS: usize = 32;

pub(super) fn read_delimited(path: &Path, bytes: &[u8], delimiter: u8) -> Result<RawTable, CatalogError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::source::read_table_bytes;
    use crate::catalog::source::test_support::{outcome, read};

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
}
