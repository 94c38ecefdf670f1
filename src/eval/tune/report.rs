//! The tuner's report as text: the leaderboard, the best configuration, and the test split.

use super::TuneReport;
use crate::pipeline::explain::fit;
use std::fmt::Write;

/// The leaderboard's first `top` trials, the best trial's settings and validation metrics, then
/// the test split's table (baselines, the starting configuration, the tuned one).
pub fn render(r: &TuneReport, top: usize) -> String {
    let mut s = String::new();
    let c = &r.config;
    let _ = writeln!(s, "search: {}", r.search);
    let _ = writeln!(
        s,
        "objective {} on the validation split: {} users (each user's second-to-last item; the last is kept for the test), rungs of {} users",
        c.objective.label(),
        r.validation_users,
        r.rungs.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → ")
    );
    let _ = writeln!(s, "constraints: {}", c.constraints.describe());
    let _ = writeln!(s);
    let obj = c.objective.label();
    let _ = writeln!(
        s,
        "{:>5}  {:>5}  {:>8}  {:>7}  {:>6}  {:>5}  {:>5}  ok  configuration",
        "trial", "users", obj, "cover.", "new%", "pop.", "MRR"
    );
    for t in r.trials.iter().take(top) {
        if t.users == 0 {
            let _ = writeln!(s, "{:>5}  not scored (the time limit)  {}", t.id, t.summary);
            continue;
        }
        let m = &t.metrics;
        let _ = writeln!(
            s,
            "{:>5}  {:>5}  {:>8.4}  {:>7.4}  {:>6.1}  {:>5.1}  {:>5.3}  {}  {}",
            t.id,
            t.users,
            t.objective,
            m.coverage,
            100.0 * m.new_item_share,
            m.popularity_percentile,
            m.mrr,
            if t.feasible { "✓ " } else { "✗ " },
            t.summary
        );
    }
    if r.trials.len() > top {
        let _ = writeln!(s, "  … {} more trials (--top N shows more, --json all)", r.trials.len() - top);
    }
    let _ = writeln!(s);
    if let Some(b) = r.best_trial() {
        let m = &b.metrics;
        let _ = writeln!(s, "best: trial {} — {}", b.id, b.summary);
        let _ = writeln!(
            s,
            "  validation ({} users): HR@{k} {:.4} · NDCG@{k} {:.4} · MRR {:.4} · coverage {:.4} · new {:.1}% · popularity pct {:.1}",
            m.users,
            m.hr,
            m.ndcg,
            m.mrr,
            m.coverage,
            100.0 * m.new_item_share,
            m.popularity_percentile,
            k = m.k
        );
        if !b.request.rules.rules.is_empty() {
            let _ = writeln!(s, "  rules:");
            for line in b.request.rules.to_toml().lines().filter(|l| !l.trim().is_empty()) {
                let _ = writeln!(s, "    {line}");
            }
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "test split (each user's last item, scored once, after the search):");
    let k = r.test.config.k;
    let _ = writeln!(
        s,
        "  {}  {:>7}  {:>7}  {:>7}  {:>8}  {:>6}",
        fit("method", 32),
        format!("HR@{k}"),
        format!("NDCG@{k}"),
        "MRR",
        "coverage",
        "new%"
    );
    for m in &r.test.methods {
        let a = &m.at_k;
        let _ = writeln!(
            s,
            "  {}  {:>7.4}  {:>7.4}  {:>7.4}  {:>8.4}  {:>6.1}",
            fit(&m.method, 32),
            a.hr,
            a.ndcg,
            a.mrr,
            a.coverage,
            100.0 * a.new_item_share
        );
    }
    for n in r.notes.iter().chain(&r.test.notes) {
        let _ = writeln!(s, "note: {n}");
    }
    let _ = writeln!(s, "\n{:.1} s", r.seconds);
    s
}
