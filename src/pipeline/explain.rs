//! Plain-text rendering of a recommendation and its trace, for the terminal.

use super::recommend::Recommendation;
use std::fmt::Write;
use unicode_width::UnicodeWidthStr;

/// Pads or truncates `s` to `width` terminal columns (wide Hangul counts as two).
pub fn fit(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if w + cw > width {
            if w < width {
                out.push('…');
            }
            break;
        }
        out.push(c);
        w += cw;
    }
    if s.width() > width && !out.ends_with('…') {
        out.pop();
        out.push('…');
    }
    let w = out.width();
    out.push_str(&" ".repeat(width.saturating_sub(w)));
    out
}

/// Which filters a database backend took in its `WHERE`, and the statements sent.
fn render_backend(s: &mut String, rec: &Recommendation, b: &super::trace::BackendOut) {
    let _ = writeln!(s, "backend: {} at {}", b.name, b.target);
    let pushed: Vec<&str> = b.pushed_down.iter().map(String::as_str).collect();
    let _ = writeln!(
        s,
        "  pushed down into the WHERE: {}",
        if pushed.is_empty() { "none".into() } else { pushed.join(", ") }
    );
    for x in &b.in_lab {
        let _ = writeln!(s, "  evaluated in the lab: {} ({})", x.id, x.why);
    }
    for f in rec.filters.iter().filter(|f| f.sql.is_some()) {
        let _ = writeln!(s, "    {}: {}", f.id, f.sql.as_deref().unwrap_or(""));
    }
    for q in &b.queries {
        let _ = writeln!(
            s,
            "  {} for {}: {} of {} rows at hnsw.ef_search = {}\n    {}",
            q.purpose,
            q.anchor,
            q.rows,
            q.limit,
            q.ef_search,
            q.sql.replace('\n', "\n    ")
        );
    }
}

/// The results as a table, then the anchors, the filter funnel with what each filter removed,
/// the baseline if any, and notes.
pub fn render(rec: &Recommendation, removed_per_filter: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "model {} · strategy {} · now {} · k {}", rec.model, rec.strategy, rec.now, rec.k);
    for a in rec.anchors.iter().filter(|a| a.role == "query") {
        let _ = writeln!(s, "anchor: {}", a.label);
    }
    let components: Vec<String> = rec
        .anchors
        .iter()
        .filter(|a| a.role == "component")
        .map(|a| format!("{} (weight {:.2})", a.label, a.weight))
        .collect();
    if !components.is_empty() {
        let _ = writeln!(s, "profile of: {}", components.join(", "));
    }
    // Other sources than content: what each proposed, and a column saying where each result
    // came from.
    let mixed = rec.sources.iter().any(|x| x.source != "content" && x.source != "fill");
    if mixed {
        let parts: Vec<String> = rec
            .sources
            .iter()
            .map(|x| {
                format!(
                    "{} {} of {} ({} only there, {} removed, {} in results)",
                    x.source, x.proposed, x.quota, x.only_here, x.removed, x.in_results
                )
            })
            .collect();
        let _ = writeln!(s, "sources: {}", parts.join("; "));
    }
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:>3}  {}  {}  {}  {:>6}  {:>6}  {:>5}  {}reason",
        "#",
        fit("item", 6),
        fit("name", 30),
        fit("category", 14),
        "sim",
        "score",
        "Δrank",
        if mixed { format!("{}  ", fit("via", 14)) } else { String::new() }
    );
    for r in &rec.results {
        let delta = match r.rank_change {
            0 => "=".to_string(),
            d if d > 0 => format!("+{d}"),
            d => d.to_string(),
        };
        let name = match &r.name_alt {
            Some(alt) => format!("{} / {}", r.name, alt),
            None => r.name.clone(),
        };
        let _ = writeln!(
            s,
            "{:>3}  {}  {}  {}  {:>6.3}  {:>6.3}  {:>5}  {}{}{}",
            r.rank,
            fit(&r.item_id, 6),
            fit(&name, 30),
            fit(r.category.as_deref().unwrap_or(""), 14),
            r.similarity,
            r.score,
            delta,
            if mixed { format!("{}  ", fit(&via(r), 14)) } else { String::new() },
            if r.is_new { "[new] " } else { "" },
            r.reason
        );
    }
    if rec.results.is_empty() {
        let _ = writeln!(s, "  (no results)");
    }
    let _ = writeln!(s);
    let passed = rec.filters.last().map(|f| f.input - f.removed).unwrap_or(rec.candidates.len());
    let index_candidates = rec.candidates.iter().filter(|c| c.source != "fill").count();
    let mut funnel = format!("filters: {index_candidates} candidates");
    for f in &rec.filters {
        match (&f.sql, f.removed) {
            // Applied by the database before its scan: what it removed never reached the lab.
            (Some(_), 0) => {
                let _ = write!(funnel, " → {} in SQL", f.id);
            }
            _ => {
                let _ = write!(funnel, " → {} −{}", f.id, f.removed);
            }
        }
    }
    let _ = writeln!(s, "{funnel} → {passed} passed");
    if let Some(b) = &rec.backend {
        render_backend(&mut s, rec, b);
    }
    for f in &rec.filters {
        if f.kind == "expression" {
            let _ = writeln!(s, "  {}: {}", f.id, f.label);
            for c in &f.clauses {
                let _ = writeln!(s, "      {} matches {} of {} candidates", c.text, c.matched, index_candidates);
            }
        }
        let removed: Vec<String> = rec
            .candidates
            .iter()
            .filter(|c| c.removed_by.as_deref() == Some(f.id.as_str()))
            .take(removed_per_filter)
            .map(|c| format!("{} {} ({})", c.item_id, c.name, c.removal_reason.as_deref().unwrap_or("")))
            .collect();
        if !removed.is_empty() {
            let more = f.removed.saturating_sub(removed.len());
            let _ = writeln!(
                s,
                "  {} removed: {}{}",
                f.id,
                removed.join("; "),
                if more > 0 { format!("; … {more} more") } else { String::new() }
            );
        }
    }
    if let Some(b) = &rec.baseline {
        let _ = writeln!(s);
        let _ = writeln!(s, "baseline ({}): {}", b.method, b.note);
        for r in &b.results {
            let _ = writeln!(s, "{:>3}  {}  {}  {:>6.0}", r.rank, fit(&r.item_id, 6), fit(&r.name, 30), r.score);
        }
        if b.results.is_empty() {
            let _ = writeln!(s, "  (no co-occurring items)");
        }
    }
    for n in &rec.notes {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// Where a result came from, in short: `content+co-occ`, `new`, …
fn via(r: &super::recommend::ResultRow) -> String {
    let names: Vec<&str> = r
        .sources
        .iter()
        .map(|x| super::sources::Source::parse(x.source).map(|s| s.short()).unwrap_or(x.source))
        .collect();
    names.join("+")
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fits_wide_characters() {
        assert_eq!(fit("Serena", 8), "Serena  ");
        assert_eq!(fit("세레나", 8), "세레나  ");
        assert_eq!(fit("세레나의 엑소 시스터", 8), "세레나… ");
        assert_eq!(fit("Excavation Specialist Bundle", 10), "Excavatio…");
    }
}
