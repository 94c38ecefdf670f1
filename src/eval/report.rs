//! The report of an evaluation: the A/B comparison, the text table and the CSV.

use super::{Comparison, EvalReport, Method, MethodReport, UserChange};
use std::collections::HashSet;

/// Compares the first two content methods that ran, if two did. `ran[i]` made `reports[i]`.
pub(super) fn compare_content(ran: &[&Method], reports: &[MethodReport]) -> Option<Comparison> {
    let mut content = ran.iter().zip(reports).filter(|(m, _)| matches!(m, Method::Content { .. })).map(|(_, r)| r);
    let (a, b) = (content.next()?, content.next()?);
    let pairs = [
        ("HR", a.at_k.hr, b.at_k.hr),
        ("NDCG", a.at_k.ndcg, b.at_k.ndcg),
        ("MRR", a.at_k.mrr, b.at_k.mrr),
        ("coverage", a.at_k.coverage, b.at_k.coverage),
        ("diversity", a.at_k.diversity, b.at_k.diversity),
        ("novelty", a.at_k.novelty, b.at_k.novelty),
        ("popularity percentile", a.at_k.popularity_percentile, b.at_k.popularity_percentile),
        ("new-item share", a.at_k.new_item_share, b.at_k.new_item_share),
        ("expired share", a.at_k.expired_share, b.at_k.expired_share),
        ("mean days to expiry", a.at_k.mean_days_to_expiry.unwrap_or(0.0), b.at_k.mean_days_to_expiry.unwrap_or(0.0)),
    ];
    let deltas = pairs.iter().map(|(n, x, y)| (n.to_string(), *x, *y, y - x)).collect();
    let mut changed: Vec<UserChange> = a
        .per_user
        .iter()
        .zip(&b.per_user)
        .map(|((user, ra, ta), (_, rb, tb))| {
            let sa: HashSet<&String> = ta.iter().collect();
            let sb: HashSet<&String> = tb.iter().collect();
            UserChange {
                user: user.clone(),
                overlap: sa.intersection(&sb).count(),
                rank_a: *ra,
                rank_b: *rb,
                only_a: ta.iter().filter(|i| !sb.contains(i)).cloned().collect(),
                only_b: tb.iter().filter(|i| !sa.contains(i)).cloned().collect(),
            }
        })
        .filter(|c| !c.only_a.is_empty() || c.rank_a != c.rank_b)
        .collect();
    // Users whose test item moved come first, then those whose lists changed most.
    changed.sort_by(|x, y| {
        (x.rank_a == x.rank_b)
            .cmp(&(y.rank_a == y.rank_b))
            .then(x.overlap.cmp(&y.overlap))
            .then_with(|| x.user.cmp(&y.user))
    });
    changed.truncate(20);
    Some(Comparison { a: a.method.clone(), b: b.method.clone(), deltas, changed })
}

/// A plain-text table of the report.
pub fn render(report: &EvalReport) -> String {
    use crate::pipeline::explain::fit;
    use std::fmt::Write;
    let mut s = String::new();
    let c = &report.config;
    let _ = writeln!(
        s,
        "leave-last-out on {}{}: {} users evaluated ({} with a single item left out), {} catalog items; recommendations made {}",
        if c.source.is_empty() { "the interaction log" } else { &c.source },
        c.vertical.as_ref().map(|v| format!(" (vertical {v})")).unwrap_or_default(),
        report.users,
        report.single_item_users,
        report.catalog_items,
        match c.at {
            Some(t) => format!("at {}", crate::util::format_time(t)),
            None => "just before each test event".into(),
        }
    );
    let _ = writeln!(
        s,
        "{} test items never appear in training: no collaborative method can rank them",
        report.test_items_unseen_in_training
    );
    let k = c.k;
    let _ = writeln!(
        s,
        "\n{}  {:>7} {:>7} {:>7} {:>8} {:>8} {:>7} {:>8} {:>6} {:>8}",
        fit("method", 30),
        format!("HR@{k}"),
        format!("NDCG@{k}"),
        "MRR",
        "coverage",
        "divers.",
        "novelty",
        "pop.pct",
        "new%",
        "expired%"
    );
    for m in &report.methods {
        let a = &m.at_k;
        let _ = writeln!(
            s,
            "{}  {:>7.4} {:>7.4} {:>7.4} {:>8.4} {:>8.4} {:>7.3} {:>8.1} {:>6.1} {:>8.1}",
            fit(&m.method, 30),
            a.hr,
            a.ndcg,
            a.mrr,
            a.coverage,
            a.diversity,
            a.novelty,
            a.popularity_percentile,
            100.0 * a.new_item_share,
            100.0 * a.expired_share
        );
    }
    for m in &report.skipped {
        let _ = writeln!(s, "{}  skipped: {}", fit(&m.method, 30), m.reason);
    }
    if let Some(m) = report.methods.first() {
        let _ = writeln!(s, "a random ranking would reach HR@{k} ≈ {:.4}", m.random_hr);
    }
    if let Some(cmp) = &report.comparison {
        let _ = writeln!(s, "\nA = {}   B = {}", cmp.a, cmp.b);
        for (name, a, b, d) in &cmp.deltas {
            let _ = writeln!(s, "  {name:<24} {a:>9.4} → {b:>9.4}   ({d:+.4})");
        }
        if !cmp.changed.is_empty() {
            let _ = writeln!(s, "users whose top {k} changed most:");
            for u in cmp.changed.iter().take(10) {
                let r = |x: Option<usize>| x.map(|r| format!("#{r}")).unwrap_or_else(|| "miss".into());
                let _ = writeln!(
                    s,
                    "  {:<10} overlap {}/{k}, test item {} → {}; only in A: {}; only in B: {}",
                    u.user,
                    u.overlap,
                    r(u.rank_a),
                    r(u.rank_b),
                    u.only_a.join(" "),
                    u.only_b.join(" ")
                );
            }
        }
    }
    for n in &report.notes {
        let _ = writeln!(s, "note: {n}");
    }
    let _ = writeln!(s, "\n{:.1} s", report.seconds);
    s
}

/// The metrics of a report as CSV: one row per method. When a method was skipped, a last
/// column `skipped` holds its reason (and is empty for the methods that ran).
pub fn to_csv(report: &EvalReport) -> String {
    const HEADER: [&str; 13] = [
        "method",
        "k",
        "hr",
        "ndcg",
        "mrr",
        "coverage",
        "diversity",
        "novelty",
        "popularity_percentile",
        "new_item_share",
        "expired_share",
        "mean_days_to_expiry",
        "random_hr",
    ];
    let any_skipped = !report.skipped.is_empty();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = HEADER.to_vec();
    if any_skipped {
        header.push("skipped");
    }
    let _ = w.write_record(&header);
    for m in &report.methods {
        let a = &m.at_k;
        let mut row = vec![
            m.method.clone(),
            a.k.to_string(),
            a.hr.to_string(),
            a.ndcg.to_string(),
            a.mrr.to_string(),
            a.coverage.to_string(),
            a.diversity.to_string(),
            a.novelty.to_string(),
            a.popularity_percentile.to_string(),
            a.new_item_share.to_string(),
            a.expired_share.to_string(),
            a.mean_days_to_expiry.map(|d| d.to_string()).unwrap_or_default(),
            m.random_hr.to_string(),
        ];
        if any_skipped {
            row.push(String::new());
        }
        let _ = w.write_record(&row);
    }
    for m in &report.skipped {
        let mut row = vec![String::new(); HEADER.len() + 1];
        row[0] = m.method.clone();
        row[1] = report.config.k.to_string();
        row[HEADER.len()] = m.reason.clone();
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
