//! The Production tab: push the project to PostgreSQL + pgvector, serve the lab's
//! recommendations from it (Project → Connect to PostgreSQL…), and the parity report of the
//! two backends.

use crate::gui::state::{AppState, Command};
use crate::pg::parity::ParityReport;

pub struct ProductionPanel {
    url: String,
    schema: String,
    requests: usize,
}

impl Default for ProductionPanel {
    fn default() -> Self {
        Self { url: String::new(), schema: "reclab".into(), requests: 50 }
    }
}

impl ProductionPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        egui::ScrollArea::vertical().id_salt("production-scroll").show(ui, |ui| {
            self.connection(ui, state, out);
            ui.separator();
            ui.heading("Parity: the lab's index against pgvector");
            ui.horizontal(|ui| {
                let label = ui.label("requests");
                ui.add(egui::DragValue::new(&mut self.requests).range(1..=1000)).labelled_by(label.id);
                let run = ui.add_enabled(state.pg.is_some(), egui::Button::new("Run parity"));
                if run.on_disabled_hover_text("connect to PostgreSQL first").clicked() {
                    out.push(Command::RunParity(self.requests));
                }
            });
            ui.weak(
                "The saved scenarios, then users of the log, each through the lab's own index and through pgvector at \
                 several hnsw.ef_search values.",
            );
            if let Some(report) = &state.parity {
                parity(ui, report);
            }
        });
    }

    fn connection(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        ui.heading("PostgreSQL + pgvector");
        egui::Grid::new("pg-connection").num_columns(2).show(ui, |ui| {
            let label = ui.label("connection");
            ui.add(
                egui::TextEdit::singleline(&mut self.url)
                    .hint_text("host=/path/to/socket user=postgres dbname=postgres")
                    .desired_width(420.0),
            )
            .labelled_by(label.id)
            .on_hover_text(
                "A libpq key-value string or a postgresql:// URL. Keep the password out of it: it is read from \
                 PGPASSWORD or ~/.pgpass, and never saved.",
            );
            ui.end_row();
            let label = ui.label("schema");
            ui.add(egui::TextEdit::singleline(&mut self.schema).desired_width(160.0)).labelled_by(label.id);
            ui.end_row();
        });
        let ready = !self.url.trim().is_empty() && state.loaded.is_some();
        ui.horizontal(|ui| {
            if ui.add_enabled(ready, egui::Button::new("Push the project")).clicked() {
                out.push(Command::PushPg { url: self.url.clone(), schema: self.schema.clone() });
            }
            if ui.add_enabled(ready, egui::Button::new("Connect")).clicked() {
                out.push(Command::ConnectPg { url: self.url.clone(), schema: self.schema.clone() });
            }
            if ui.add_enabled(state.pg.is_some(), egui::Button::new("Disconnect")).clicked() {
                out.push(Command::DisconnectPg);
            }
        });
        match &state.pg {
            Some(pg) => {
                let i = pg.info();
                ui.colored_label(
                    egui::Color32::from_rgb(110, 200, 140),
                    format!("Recommendations come from pgvector at {} (schema {}).", i.target, i.schema),
                );
                ui.label(format!(
                    "PostgreSQL {}, pgvector {} · {} items, {} with a vector of {} · the filters that can be \
                     written in SQL run in its WHERE (see Filter effects)",
                    i.server_version, i.pgvector_version, i.items, i.with_vector, i.model
                ));
            }
            None => {
                ui.weak("Recommendations come from the lab's own index.");
            }
        }
        if let Some(p) = &state.pg_push {
            ui.label(format!(
                "last push: {} items ({} inserted, {} updated, {} unchanged, {} removed), {} interactions, in {:.2} s",
                p.with_vector,
                p.items.inserted,
                p.items.updated,
                p.items.unchanged,
                p.items.removed,
                p.interactions.inserted + p.interactions.updated + p.interactions.unchanged,
                p.seconds
            ));
        }
    }
}

fn parity(ui: &mut egui::Ui, r: &ParityReport) {
    ui.add_space(6.0);
    ui.strong(format!(
        "{} requests · at hnsw.ef_search = {} (recommended): mean overlap@K {:.4}, mean rank correlation {}",
        r.requests,
        r.recommended_ef_search,
        r.mean_overlap_at_k,
        r.mean_rank_correlation.map(|t| format!("{t:.4}")).unwrap_or_else(|| "-".into())
    ));
    ui.weak(format!(
        "The HNSW index answers {} of the {} requests; the planner answers the others with an exact scan (a selective WHERE or a small table), where ef_search changes nothing.",
        r.hnsw_requests, r.requests
    ));
    ui.weak(&r.iterative_scan);
    ui.weak(format!("Through the lab's own index: median {:.2} ms a request.", r.lab_median_ms));
    egui::Grid::new("parity-ef").striped(true).num_columns(6).show(ui, |ui| {
        for h in ["ef_search", "mean overlap@K", "min overlap@K", "short results", "short scans", "median ms"] {
            ui.strong(h);
        }
        ui.end_row();
        for row in &r.ef_search {
            let ef = row.ef_search.to_string();
            if row.ef_search == r.recommended_ef_search {
                ui.strong(format!("{ef} (recommended)"));
            } else {
                ui.label(ef);
            }
            ui.label(format!("{:.4}", row.mean_overlap_at_k));
            ui.label(format!("{:.4}", row.min_overlap_at_k));
            ui.label(row.short_results.to_string());
            ui.label(row.short_scans.to_string());
            ui.label(format!("{:.2}", row.median_ms));
            ui.end_row();
        }
    });
    ui.add_space(6.0);
    let differing: Vec<_> = r.per_request.iter().filter(|p| p.overlap_at_k < 1.0 || p.short).collect();
    if differing.is_empty() {
        ui.label("Every request returned the same items through both.");
    } else {
        ui.strong(format!("{} request(s) differ", differing.len()));
        egui::Grid::new("parity-differ").striped(true).num_columns(4).show(ui, |ui| {
            for h in ["request", "overlap@K", "only in the lab", "only in pgvector"] {
                ui.strong(h);
            }
            ui.end_row();
            for p in differing {
                ui.label(&p.request);
                ui.label(format!("{:.2}{}", p.overlap_at_k, if p.short { " (short)" } else { "" }));
                ui.label(p.only_lab.join(" "));
                ui.label(p.only_pgvector.join(" "));
                ui.end_row();
            }
        });
    }
    ui.add_space(6.0);
    ui.strong("Pushed-down filters, checked over the whole catalog");
    egui::Grid::new("parity-pushdown").striped(true).num_columns(5).show(ui, |ui| {
        for h in ["filter", "statements", "lab removes", "SQL removes", ""] {
            ui.strong(h);
        }
        ui.end_row();
        for c in &r.pushdown {
            ui.label(format!("{} — {}", c.id, c.label)).on_hover_text(egui::RichText::new(&c.sql).monospace());
            ui.label(c.variants.to_string());
            ui.label(c.lab_removes.to_string());
            ui.label(c.sql_removes.to_string());
            if c.differ_count == 0 {
                ui.label("same");
            } else {
                ui.colored_label(
                    egui::Color32::from_rgb(240, 110, 100),
                    format!("differ on {}: {}", c.differ_count, c.differ.join(" ")),
                );
            }
            ui.end_row();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::parity::{EfSearchRow, PushdownCheck, RequestParity};
    use egui_kittest::kittest::Queryable;

    fn report() -> ParityReport {
        let row = |ef, overlap, short| EfSearchRow {
            ef_search: ef,
            mean_overlap_at_k: overlap,
            min_overlap_at_k: overlap,
            short_results: short,
            short_scans: short,
            median_ms: 1.5,
        };
        let request = RequestParity {
            request: "user u0007".into(),
            k: 10,
            overlap_at_k: 0.9,
            rank_correlation: Some(0.8),
            only_lab: vec!["1185".into()],
            only_pgvector: vec!["1166".into()],
            short: false,
            rows: 200,
            limit: 200,
            pushed_down: vec!["owned".into()],
            in_lab: Vec::new(),
            pgvector_ms: 1.5,
            hnsw: Some(true),
        };
        ParityReport {
            target: "host=/tmp/x port=5432 dbname=postgres user=postgres".into(),
            schema: "reclab".into(),
            pgvector_version: "0.6.2".into(),
            requests: 1,
            recommended_ef_search: 200,
            mean_overlap_at_k: 0.9,
            mean_rank_correlation: Some(0.8),
            iterative_scan: "pgvector 0.6.2 has no hnsw.iterative_scan".into(),
            hnsw_requests: 1,
            lab_median_ms: 1.0,
            ef_search: vec![row(40, 0.7, 3), row(200, 0.9, 0)],
            per_request: vec![request],
            pushdown: vec![PushdownCheck {
                id: "owned".into(),
                label: "already owned".into(),
                variants: 1,
                sql: "i.item_id NOT IN ('1001')".into(),
                lab_removes: 1,
                sql_removes: 1,
                differ: Vec::new(),
                differ_count: 0,
            }],
            pushdown_mismatches: 0,
        }
    }

    #[test]
    fn connecting_sends_the_typed_connection_and_the_report_shows_the_recommended_setting() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = crate::gui::testing::loaded_state(dir.path());
        state.parity = Some(Box::new(report()));
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = out.clone();
        let mut panel = ProductionPanel::default();
        let mut h = crate::gui::testing::panel_harness([900.0, 700.0], move |ui| {
            let mut o = Vec::new();
            panel.ui(ui, &state, &mut o);
            sink.borrow_mut().extend(o);
        });
        h.run();
        assert!(h.query_by_label("Run parity").is_some());
        assert!(h.query_by_label("200 (recommended)").is_some(), "the recommended ef_search is marked");
        assert!(h.query_by_label_contains("user u0007").is_some(), "a request that differs is listed");
        assert!(
            h.query_by_label("Recommendations come from the lab's own index.").is_some(),
            "not connected: the lab serves"
        );
        let field = h.get_by_role_and_label(egui::accesskit::Role::TextInput, "connection");
        field.focus();
        field.type_text("host=/tmp/pg user=postgres");
        h.run();
        h.get_by_label("Connect").click();
        h.run();
        let sent: Vec<(String, String)> = out
            .borrow()
            .iter()
            .filter_map(|c| match c {
                Command::ConnectPg { url, schema } => Some((url.clone(), schema.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(sent, vec![("host=/tmp/pg user=postgres".to_string(), "reclab".to_string())]);
    }
}
