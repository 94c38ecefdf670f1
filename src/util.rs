//! Small helpers shared by the core modules: hashing, time parsing and formatting.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Lower-case hex sha256 of a byte slice.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The 16-byte key under which a text's embedding is cached.
pub fn text_hash(text: &str) -> [u8; 16] {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Parses the date and time formats reclab accepts in catalogs, interaction logs and on the
/// command line, into Unix seconds (UTC):
/// RFC 3339 (`2026-11-15T12:00:00Z`, `2026-11-15T21:00:00+09:00`), `YYYY-MM-DDTHH:MM:SS`,
/// `YYYY-MM-DD HH:MM:SS` (both read as UTC), `YYYY-MM-DD`, and an integer Unix time in seconds
/// (or milliseconds when it is larger than 10^11).
pub fn parse_time(text: &str) -> Option<i64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(n) = s.parse::<i64>() {
        return Some(epoch_number(n));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&t).timestamp());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t).timestamp());
    }
    None
}

/// Integer timestamps above this (about the year 5138 in seconds) are read as milliseconds.
pub const MILLIS_ABOVE: i64 = 100_000_000_000;

/// Integer timestamps: seconds, or milliseconds when implausibly large for seconds.
pub fn epoch_number(n: i64) -> i64 {
    if is_millis(n) { n / 1000 } else { n }
}

/// Whether an integer timestamp is read as milliseconds.
pub fn is_millis(n: i64) -> bool {
    n.checked_abs().is_none_or(|a| a > MILLIS_ABOVE)
}

/// The accepted time formats, for error messages.
pub const TIME_FORMATS: &str =
    "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS, RFC 3339 such as 2026-11-15T12:00:00Z, or Unix seconds";

/// Formats Unix seconds as RFC 3339 in UTC (`2026-11-15T12:00:00Z`).
pub fn format_time(ts: i64) -> String {
    match Utc.timestamp_opt(ts, 0).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => ts.to_string(),
    }
}

/// Current time in Unix seconds.
pub fn now_secs() -> i64 {
    Utc::now().timestamp()
}

/// "5 min ago", "3 h ago", "2 days ago", "in 4 h": how long before (or after) `now` a time is.
pub fn describe_age(ts: i64, now: i64) -> String {
    let d = now - ts;
    let (future, d) = if d < 0 { (true, -d) } else { (false, d) };
    if d == 0 {
        return "just now".to_string();
    }
    let text = if d < 60 {
        format!("{d} s")
    } else if d < 3600 {
        format!("{} min", d / 60)
    } else if d < 86_400 {
        format!("{} h", d / 3600)
    } else {
        let days = d / 86_400;
        if days == 1 { "1 day".to_string() } else { format!("{days} days") }
    };
    if future { format!("in {text}") } else { format!("{text} ago") }
}

/// Parses a duration such as `90s`, `5m`, `2h`, `3d`, `1w` (a bare number is seconds).
pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    };
    Some((n * mult).round() as i64)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let tmp = crate::output::temp_path(path);
    if let Err(e) = std::fs::write(&tmp, bytes) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)
}

/// Compares item ids so that numeric ids sort numerically (`2` before `10`) and every other id
/// sorts by its text; a total order, used to break score ties deterministically.
pub fn cmp_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let na = a.parse::<u64>();
    let nb = b.parse::<u64>();
    match (na, nb) {
        (Ok(x), Ok(y)) => x.cmp(&y).then_with(|| a.cmp(b)),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// Float formatting that is stable across platforms for reports and JSON output.
pub fn round6(x: f32) -> f64 {
    ((x as f64) * 1e6).round() / 1e6
}

/// `scope.spawn` on a thread named `name`. Like `scope.spawn`, it panics when the system cannot
/// start a thread.
pub fn spawn_named<'scope, 'env, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: String,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    match std::thread::Builder::new().name(name).spawn_scoped(scope, work) {
        Ok(handle) => handle,
        Err(e) => panic!("cannot start a thread: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_time_formats() {
        let t = 1_794_744_000; // 2026-11-15T12:00:00Z
        assert_eq!(parse_time("2026-11-15T12:00:00Z"), Some(t));
        assert_eq!(parse_time("2026-11-15T21:00:00+09:00"), Some(t));
        assert_eq!(parse_time("2026-11-15 12:00:00"), Some(t));
        assert_eq!(parse_time("2026-11-15T12:00:00"), Some(t));
        assert_eq!(parse_time("2026-11-15"), Some(t - 12 * 3600));
        assert_eq!(parse_time("1794744000"), Some(t));
        assert_eq!(parse_time("1794744000000"), Some(t));
        assert_eq!(parse_time("2026-13-45"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(format_time(t), "2026-11-15T12:00:00Z");
    }

    #[test]
    fn durations_and_ages() {
        assert_eq!(parse_duration("5m"), Some(300));
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("1.5d"), Some(129_600));
        assert_eq!(parse_duration("10"), Some(10));
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(describe_age(1000, 1300), "5 min ago");
        assert_eq!(describe_age(1000, 1000 + 2 * 86_400), "2 days ago");
        assert_eq!(describe_age(1000 + 7200, 1000), "in 2 h");
    }

    #[test]
    fn ids_sort_numerically_then_textually() {
        let mut ids = vec!["10", "b", "2", "a", "1001"];
        ids.sort_by(|a, b| cmp_ids(a, b));
        assert_eq!(ids, vec!["2", "10", "1001", "a", "b"]);
    }

    #[test]
    fn text_hash_is_stable() {
        assert_eq!(hex(&text_hash("")), "e3b0c44298fc1c149afbf4c8996fb924");
        assert_ne!(text_hash("a"), text_hash("b"));
    }
}
