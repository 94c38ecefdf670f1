//! The Tune tab: the tuner's objective, constraints and knobs; a run with progress and cancel;
//! every trial on a scatter plot with the Pareto front; a click loads a trial into the pipeline.

use crate::eval::tune::{Constraints, Knob, Objective, Trial, TuneConfig, TuneReport, pareto_front};
use crate::gui::state::{AppState, Command};
use crate::gui::widgets::name_and_button;
use egui_plot::{Legend, Line, MarkerShape, Plot, PlotPoint, PlotPoints, Points};

const OBJECTIVES: [Objective; 6] =
    [Objective::Hr(5), Objective::Hr(10), Objective::Hr(20), Objective::Ndcg(10), Objective::Ndcg(20), Objective::Mrr];

/// What the scatter plot puts across.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Across {
    #[default]
    NewShare,
    Coverage,
}

impl Across {
    fn of(self, t: &Trial) -> f64 {
        match self {
            Across::NewShare => t.metrics.new_item_share,
            Across::Coverage => t.metrics.coverage,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Across::NewShare => "new-item share",
            Across::Coverage => "coverage",
        }
    }
}

pub struct TunePanel {
    config: TuneConfig,
    /// The constraints' values, and which apply.
    bounds: (f64, f64, f64),
    active: (bool, bool, bool),
    across: Across,
    name: String,
}

impl Default for TunePanel {
    fn default() -> Self {
        Self {
            config: TuneConfig { trials: 45, ..TuneConfig::default() },
            bounds: (0.05, 0.5, 80.0),
            active: (false, false, false),
            across: Across::default(),
            name: String::new(),
        }
    }
}

impl TunePanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        // Everything below keeps to the tab's width (a wide row would widen the rows after it).
        let width = ui.available_width();
        ui.set_max_width(width);
        ui.heading("Tune the pipeline against the project's log");
        ui.weak(
            "Scores configurations on a validation split (each user's second-to-last item), never on the test item; \
             the best is scored on the test split afterwards.",
        );
        self.settings(ui);
        let running = state.jobs.iter().find(|j| j.label == "Tuning");
        ui.horizontal(|ui| match running {
            Some(j) => {
                let frac = if j.total > 0 { j.done as f32 / j.total as f32 } else { 0.0 };
                ui.add(egui::ProgressBar::new(frac).desired_width(360.0).text(&j.stage));
                if ui.button("Cancel").clicked() {
                    out.push(Command::CancelJob(j.id));
                }
            }
            None => {
                if ui.button("▶ Run the search").clicked() {
                    out.push(Command::RunTune(Box::new(self.run_config())));
                }
                ui.weak("starts from the current pipeline (filters, built-ins and pins stay)");
            }
        });
        let Some(report) = &state.tune_report else { return };
        ui.separator();
        egui::ScrollArea::vertical().id_salt("tune-scroll").show(ui, |ui| {
            ui.set_max_width(width);
            self.results(ui, state, report, out, width);
        });
    }

    fn run_config(&self) -> TuneConfig {
        let (n, c, p) = self.active;
        TuneConfig {
            constraints: Constraints {
                min_new_share: n.then_some(self.bounds.0),
                min_coverage: c.then_some(self.bounds.1),
                max_popularity_pct: p.then_some(self.bounds.2),
            },
            ..self.config.clone()
        }
    }

    fn settings(&mut self, ui: &mut egui::Ui) {
        let c = &mut self.config;
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("objective");
            egui::ComboBox::from_id_salt("tune-objective")
                .selected_text(c.objective.label())
                .show_ui(ui, |ui| {
                    for o in OBJECTIVES {
                        ui.selectable_value(&mut c.objective, o, o.label());
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label("trials");
            ui.add(egui::Slider::new(&mut c.trials, 3..=300)).labelled_by(l.id);
            let l = ui.label("seed");
            ui.add(egui::DragValue::new(&mut c.seed)).labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            ui.label("constraints:");
            let l = ui.checkbox(&mut self.active.0, "new-item share ≥");
            ui.add_enabled(self.active.0, egui::Slider::new(&mut self.bounds.0, 0.0..=0.5)).labelled_by(l.id);
            let l = ui.checkbox(&mut self.active.1, "coverage ≥");
            ui.add_enabled(self.active.1, egui::Slider::new(&mut self.bounds.1, 0.0..=1.0)).labelled_by(l.id);
        });
        ui.horizontal(|ui| {
            ui.add_space(76.0);
            let l = ui.checkbox(&mut self.active.2, "popularity percentile ≤");
            ui.add_enabled(self.active.2, egui::Slider::new(&mut self.bounds.2, 0.0..=100.0)).labelled_by(l.id);
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("may move:");
            for k in Knob::ALL {
                let mut on = c.knobs.contains(&k);
                if ui.checkbox(&mut on, k.as_str().replace('_', " ")).changed() {
                    if on {
                        c.knobs.push(k);
                        c.knobs.sort();
                    } else {
                        c.knobs.retain(|x| *x != k);
                    }
                }
            }
        });
    }

    fn results(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        report: &TuneReport,
        out: &mut Vec<Command>,
        width: f32,
    ) {
        ui.label(format!(
            "{} · {} validation users, rungs of {} · {:.1} s",
            report.search,
            report.validation_users,
            report.rungs.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → "),
            report.seconds
        ));
        for n in &report.notes {
            ui.colored_label(egui::Color32::from_rgb(230, 170, 60), format!("ⓘ {n}"));
        }
        ui.horizontal(|ui| {
            ui.label("across:");
            ui.radio_value(&mut self.across, Across::NewShare, Across::NewShare.label());
            ui.radio_value(&mut self.across, Across::Coverage, Across::Coverage.label());
            ui.weak("· click a point to load that configuration");
        });
        if let Some(id) = self.scatter(ui, state, report, width - 16.0) {
            out.push(Command::ApplyTrial(id));
        }
        if let Some(id) = state.applied_trial
            && let Some(t) = report.trials.iter().find(|t| t.id == id)
        {
            ui.strong(format!("loaded trial {id}: {}", t.summary));
            if let Some(rec) = state.current() {
                let top: Vec<String> = rec.results.iter().take(5).map(|r| r.name.clone()).collect();
                ui.label(format!("now recommending: {} … (Results and Filter effects explain each)", top.join(", ")));
            }
            ui.horizontal(|ui| {
                if let Some(name) = name_and_button(ui, &mut self.name, "name", "Save as scenario") {
                    out.push(Command::SaveScenario(name));
                }
                if !self.name.trim().is_empty() && ui.button("Save its rules as preset").clicked() {
                    out.push(Command::SavePreset(self.name.trim().to_string()));
                }
            });
        }
        ui.separator();
        ui.strong("Leaderboard (deepest rung first)");
        // The configuration column takes what the others leave, so the grid never widens the tab.
        let summary_width = (width - 460.0).max(120.0);
        egui::Grid::new("tune-leaderboard").striped(true).show(ui, |ui| {
            for h in [
                "trial",
                "users",
                report.config.objective.label().as_str(),
                "coverage",
                "new %",
                "ok",
                "",
                "configuration",
            ] {
                ui.weak(h);
            }
            ui.end_row();
            for t in report.trials.iter().take(12) {
                ui.label(t.id.to_string());
                ui.label(t.users.to_string());
                ui.label(format!("{:.4}", t.objective));
                ui.label(format!("{:.3}", t.metrics.coverage));
                ui.label(format!("{:.1}", 100.0 * t.metrics.new_item_share));
                ui.label(if t.feasible { "yes" } else { "no" });
                if ui.small_button("load").on_hover_text("load into the current pipeline").clicked() {
                    out.push(Command::ApplyTrial(t.id));
                }
                ui.add_sized(
                    [summary_width, 16.0],
                    egui::Label::new(egui::RichText::new(&t.summary).small()).truncate(),
                )
                .on_hover_text(&t.summary);
                ui.end_row();
            }
        });
        ui.separator();
        ui.strong("Test split (each user's last item, scored once after the search)");
        egui::Grid::new("tune-test").striped(true).show(ui, |ui| {
            let k = report.test.config.k;
            for h in [
                "method".to_string(),
                format!("HR@{k}"),
                format!("NDCG@{k}"),
                "MRR".into(),
                "coverage".into(),
                "new %".into(),
            ] {
                ui.weak(h);
            }
            ui.end_row();
            for m in &report.test.methods {
                let a = &m.at_k;
                ui.label(&m.method);
                ui.label(format!("{:.4}", a.hr));
                ui.label(format!("{:.4}", a.ndcg));
                ui.label(format!("{:.4}", a.mrr));
                ui.label(format!("{:.3}", a.coverage));
                ui.label(format!("{:.1}", 100.0 * a.new_item_share));
                ui.end_row();
            }
        });
    }

    /// The trials as points (objective up, the chosen metric across), the Pareto front as a
    /// line, the best and the loaded trial marked. Returns the trial clicked.
    fn scatter(&self, ui: &mut egui::Ui, state: &AppState, report: &TuneReport, width: f32) -> Option<usize> {
        let across = self.across;
        // Trials a time limit left unscored have nothing to plot.
        let scored: Vec<&Trial> = report.trials.iter().filter(|t| t.users > 0).collect();
        let xy: Vec<(f64, f64)> = scored.iter().map(|t| (across.of(t), t.objective)).collect();
        let front = pareto_front(&xy);
        let mut on_front: Vec<[f64; 2]> =
            xy.iter().zip(&front).filter(|(_, f)| **f).map(|((x, y), _)| [*x, *y]).collect();
        on_front.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let points = |pick: &dyn Fn(&Trial) -> bool| -> Vec<[f64; 2]> {
            scored.iter().zip(&xy).filter(|(t, _)| pick(t)).map(|(_, (x, y))| [*x, *y]).collect()
        };
        let deepest = report.rungs.len().saturating_sub(1);
        let full = points(&|t| t.rung == deepest);
        let early = points(&|t| t.rung < deepest);
        let best = points(&|t| t.id == report.best);
        let applied = points(&|t| Some(t.id) == state.applied_trial);
        let objective = report.config.objective.label();
        let response = Plot::new("tune-scatter")
            .height(300.0)
            .width(width)
            .legend(Legend::default().position(egui_plot::Corner::LeftBottom))
            .x_axis_label(across.label())
            .y_axis_label(format!("{objective} (validation)"))
            .allow_scroll(false)
            .show(ui, |plot| {
                plot.points(
                    Points::new("early rungs (fewer users)", PlotPoints::new(early))
                        .radius(3.0)
                        .color(egui::Color32::GRAY),
                );
                plot.points(
                    Points::new("every validation user", PlotPoints::new(full))
                        .radius(4.5)
                        .color(egui::Color32::from_rgb(90, 140, 220)),
                );
                plot.line(
                    Line::new("Pareto front", PlotPoints::new(on_front))
                        .color(egui::Color32::from_rgb(240, 160, 60))
                        .allow_band(false),
                );
                plot.points(
                    Points::new("best", PlotPoints::new(best))
                        .shape(MarkerShape::Diamond)
                        .radius(8.0)
                        .color(egui::Color32::from_rgb(90, 200, 120)),
                );
                if !applied.is_empty() {
                    plot.points(
                        Points::new("loaded", PlotPoints::new(applied))
                            .shape(MarkerShape::Circle)
                            .filled(false)
                            .radius(10.0)
                            .color(egui::Color32::WHITE),
                    );
                }
                let screen: Vec<egui::Pos2> =
                    xy.iter().map(|(x, y)| plot.screen_from_plot(PlotPoint::new(*x, *y))).collect();
                screen
            });
        let clicked = response.response.clicked().then(|| response.response.interact_pointer_pos()).flatten()?;
        let (i, d) = response
            .inner
            .iter()
            .enumerate()
            .map(|(i, p)| (i, p.distance(clicked)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        (d <= 12.0).then(|| scored[i].id)
    }
}
