//! Offline evaluation: pick methods, K, a vertical and A/B pipelines; run on a worker; see the
//! metrics table, the curves over K, the A/B deltas and the users whose results changed most.

use crate::eval::{EvalConfig, EvalReport, Method};
use crate::gui::state::{AppState, Command};
use crate::pipeline::{Request, RuleSet};
use crate::store::Named;
use egui_plot::{Legend, Line, Plot, PlotPoints};

/// Where the B side of an A/B comparison comes from.
#[derive(Debug, Clone, PartialEq, Default)]
enum SideB {
    #[default]
    None,
    Preset(String),
    Scenario(String),
}

pub struct EvaluatePanel {
    k: usize,
    k_max: usize,
    popularity: bool,
    cooccurrence: bool,
    normalized: bool,
    content: bool,
    b: SideB,
    vertical: Option<String>,
    at_now: bool,
    show_ndcg: bool,
}

impl Default for EvaluatePanel {
    fn default() -> Self {
        Self {
            k: 10,
            k_max: 20,
            popularity: true,
            cooccurrence: true,
            normalized: true,
            content: true,
            b: SideB::None,
            vertical: None,
            at_now: false,
            show_ndcg: false,
        }
    }
}

impl EvaluatePanel {
    fn config(&self, state: &AppState) -> Option<EvalConfig> {
        let l = state.loaded.as_ref()?;
        let mut methods = Vec::new();
        if self.popularity {
            methods.push(Method::Popularity);
        }
        if self.cooccurrence {
            methods.push(Method::CoOccurrence);
        }
        if self.normalized {
            methods.push(Method::CoOccurrenceNormalized);
        }
        let current = Method::from_request("current pipeline (A)", &state.request);
        if self.content || self.b != SideB::None {
            methods.push(current);
        }
        match &self.b {
            SideB::None => {}
            SideB::Preset(name) => {
                let rules = l
                    .project
                    .load_named(Named::RulePreset, name)
                    .ok()
                    .flatten()
                    .and_then(|b| RuleSet::parse(&b, name).ok())
                    .unwrap_or_default();
                methods.push(Method::from_request(
                    &format!("preset {name} (B)"),
                    &Request { rules, ..state.request.clone() },
                ));
            }
            SideB::Scenario(name) => {
                let req: Request = l
                    .project
                    .load_named(Named::Scenario, name)
                    .ok()
                    .flatten()
                    .and_then(|b| serde_json::from_str(&b).ok())?;
                methods.push(Method::from_request(&format!("scenario {name} (B)"), &req));
            }
        }
        if methods.is_empty() {
            return None;
        }
        Some(EvalConfig {
            k: self.k,
            k_max: self.k_max.max(self.k),
            methods,
            vertical: self.vertical.clone(),
            at: self.at_now.then_some(state.request.now),
            source: "the project's interaction log".into(),
        })
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        ui.heading("Offline evaluation — leave-last-out, full-catalog ranking");
        ui.horizontal_wrapped(|ui| {
            let lk = ui.label("K");
            ui.add(egui::DragValue::new(&mut self.k).range(1..=100)).labelled_by(lk.id);
            let lm = ui.label("curve to K =");
            ui.add(egui::DragValue::new(&mut self.k_max).range(1..=100)).labelled_by(lm.id);
            ui.separator();
            ui.checkbox(&mut self.popularity, "popularity");
            ui.checkbox(&mut self.cooccurrence, "co-occurrence");
            ui.checkbox(&mut self.normalized, "co-occurrence (normalised)");
            ui.checkbox(&mut self.content, "current pipeline (A)")
                .on_hover_text("the strategy, filters and rules set on the left and right");
        });
        ui.horizontal_wrapped(|ui| {
            let lb = ui.label("B:");
            let text = match &self.b {
                SideB::None => "none".to_string(),
                SideB::Preset(p) => format!("A with preset {p}"),
                SideB::Scenario(s) => format!("scenario {s}"),
            };
            egui::ComboBox::from_id_salt("eval-b")
                .selected_text(text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.b, SideB::None, "none");
                    for p in &l.presets {
                        ui.selectable_value(&mut self.b, SideB::Preset(p.clone()), format!("A with preset {p}"));
                    }
                    for s in &l.scenarios {
                        ui.selectable_value(&mut self.b, SideB::Scenario(s.clone()), format!("scenario {s}"));
                    }
                })
                .response
                .labelled_by(lb.id);
            let lv = ui.label("vertical");
            egui::ComboBox::from_id_salt("eval-vertical")
                .selected_text(self.vertical.clone().unwrap_or_else(|| "all".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.vertical, None, "all");
                    for v in &l.verticals {
                        ui.selectable_value(&mut self.vertical, Some(v.clone()), v);
                    }
                })
                .response
                .labelled_by(lv.id);
            ui.checkbox(&mut self.at_now, "recommend at the scenario's now").on_hover_text(
                "instead of just before each user's test event: shows what expiry and release dates do today",
            );
            let busy = state.jobs.iter().any(|j| j.label == "Evaluating");
            let config = self.config(state);
            if ui.add_enabled(!busy && config.is_some(), egui::Button::new("Run")).clicked()
                && let Some(c) = config
            {
                out.push(Command::RunEval(Box::new(c)));
            }
        });
        ui.horizontal(|ui| {
            let lr = ui.label("Stored runs");
            egui::ComboBox::from_id_salt("eval-runs")
                .selected_text("load…")
                .width(320.0)
                .show_ui(ui, |ui| {
                    for (id, at, label) in &l.eval_runs {
                        if ui
                            .selectable_label(false, format!("#{id} {} {label}", crate::util::format_time(*at)))
                            .clicked()
                        {
                            out.push(Command::LoadEvalRun(*id));
                        }
                    }
                })
                .response
                .labelled_by(lr.id);
            if state.eval_report.is_some() {
                if ui.button("Export CSV…").clicked()
                    && let Some(p) =
                        rfd::FileDialog::new().add_filter("CSV", &["csv"]).set_file_name("evaluation.csv").save_file()
                {
                    out.push(Command::ExportEval(p));
                }
                if ui.button("Export JSON…").clicked()
                    && let Some(p) = rfd::FileDialog::new()
                        .add_filter("JSON", &["json"])
                        .set_file_name("evaluation.json")
                        .save_file()
                {
                    out.push(Command::ExportEval(p));
                }
            }
        });
        ui.separator();
        match &state.eval_report {
            Some(r) => self.report(ui, r, out),
            None => {
                ui.weak("Run an evaluation, or load a stored run. Methods are compared on the same split.");
            }
        }
    }

    fn report(&mut self, ui: &mut egui::Ui, r: &EvalReport, out: &mut Vec<Command>) {
        ui.label(format!(
            "{} users ({} with one item left out), {} test items unseen in training, {} catalog items{}; {:.1} s",
            r.users,
            r.single_item_users,
            r.test_items_unseen_in_training,
            r.catalog_items,
            r.config.vertical.as_ref().map(|v| format!(", vertical {v}")).unwrap_or_default(),
            r.seconds
        ));
        let k = r.config.k;
        egui::Grid::new("eval-table").striped(true).num_columns(11).show(ui, |ui| {
            for h in [
                "method",
                &format!("HR@{k}"),
                &format!("NDCG@{k}"),
                "MRR",
                "coverage",
                "diversity",
                "novelty",
                "pop. pct",
                "new %",
                "expired %",
                "days left",
            ] {
                ui.strong(h);
            }
            ui.end_row();
            for m in &r.methods {
                let a = &m.at_k;
                ui.label(&m.method);
                for v in [a.hr, a.ndcg, a.mrr, a.coverage, a.diversity] {
                    ui.label(format!("{v:.4}"));
                }
                ui.label(format!("{:.2}", a.novelty));
                ui.label(format!("{:.1}", a.popularity_percentile));
                ui.label(format!("{:.1}", 100.0 * a.new_item_share));
                ui.label(format!("{:.1}", 100.0 * a.expired_share));
                ui.label(a.mean_days_to_expiry.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".into()));
                ui.end_row();
            }
            // Methods that could not run (content without vectors), with the reason.
            for m in &r.skipped {
                ui.label(&m.method);
                ui.weak(format!("skipped: {}", m.reason));
                ui.end_row();
            }
        });
        for n in &r.notes {
            ui.weak(format!("note: {n}"));
        }
        if let Some(m) = r.methods.first() {
            ui.weak(format!("a random ranking would reach HR@{k} ≈ {:.4}", m.random_hr));
        }
        ui.horizontal(|ui| {
            ui.strong("Metric over K");
            ui.radio_value(&mut self.show_ndcg, false, "HR@K");
            ui.radio_value(&mut self.show_ndcg, true, "NDCG@K");
        });
        let show_ndcg = self.show_ndcg;
        Plot::new("eval-curve")
            .height(200.0)
            .legend(Legend::default())
            .x_axis_label("K (list length)")
            .y_axis_label(if show_ndcg { "NDCG@K" } else { "HR@K" })
            .show(ui, |plot| {
                for m in &r.methods {
                    let pts: Vec<[f64; 2]> =
                        m.curve.iter().map(|(k, hr, nd)| [*k as f64, if show_ndcg { *nd } else { *hr }]).collect();
                    plot.line(Line::new(m.method.clone(), PlotPoints::from(pts)));
                }
            });
        if let Some(c) = &r.comparison {
            ui.separator();
            ui.strong(format!("A = {}   B = {}", c.a, c.b));
            egui::Grid::new("eval-deltas").striped(true).num_columns(4).show(ui, |ui| {
                for (name, a, b, d) in &c.deltas {
                    ui.label(name);
                    ui.label(format!("{a:.4}"));
                    ui.label(format!("{b:.4}"));
                    let color = if *d > 0.0 {
                        egui::Color32::from_rgb(90, 190, 110)
                    } else if *d < 0.0 {
                        egui::Color32::from_rgb(220, 100, 90)
                    } else {
                        ui.visuals().text_color()
                    };
                    ui.colored_label(color, format!("{d:+.4}"));
                    ui.end_row();
                }
            });
            ui.strong("Users whose results changed most (click to load one as the simulated user)");
            egui::ScrollArea::vertical().id_salt("eval-changed").max_height(180.0).show(ui, |ui| {
                for u in &c.changed {
                    let rank = |x: Option<usize>| x.map(|r| format!("#{r}")).unwrap_or_else(|| "miss".into());
                    ui.horizontal(|ui| {
                        if ui.link(&u.user).clicked() {
                            out.push(Command::LoadUser(u.user.clone()));
                        }
                        ui.label(format!(
                            "overlap {}/{k}, test item {} → {}",
                            u.overlap,
                            rank(u.rank_a),
                            rank(u.rank_b)
                        ));
                    });
                }
            });
        }
    }
}
