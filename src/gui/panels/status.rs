//! The status bar: model, catalog size, index, latency, running jobs with cancel.

use crate::gui::state::{AppState, Command};

#[derive(Default)]
pub struct StatusBar;

impl StatusBar {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            match &state.loaded {
                Some(l) => {
                    if l.model.neural {
                        ui.label(format!("model {}", l.model.key));
                    } else {
                        ui.colored_label(egui::Color32::from_rgb(230, 170, 60), "lexical embedder — no neural model installed")
                            .on_hover_text("Vectors come from hashed character n-grams: they match spelling, not meaning. Install a model in the Models tab.");
                    }
                    ui.separator();
                    if let Ok(g) = l.engine.try_read() {
                        ui.label(format!("{} items", g.catalog.len()));
                        ui.separator();
                        let r = &g.index_report;
                        let index = match g.ann() {
                            Some(a) => format!("index {} ({} vectors, {})", r.action, a.len(), a.quantization().as_str()),
                            None => "exact search".to_string(),
                        };
                        ui.label(index);
                        if !g.missing.is_empty() {
                            ui.separator();
                            ui.colored_label(egui::Color32::from_rgb(230, 170, 60), format!("{} items without vectors", g.missing.len()));
                        }
                    }
                    if let Some(ms) = state.last_latency_ms {
                        ui.separator();
                        ui.label(format!("recommend {ms:.1} ms"));
                    }
                    if let Some((median, max)) = state.frame_ms {
                        ui.separator();
                        ui.label(format!("frame {median:.1} ms"))
                            .on_hover_text(format!("CPU time per frame (logic and layout) over the recent frames: median {median:.2} ms, max {max:.2} ms"));
                    }
                }
                None => {
                    ui.label("no project open");
                }
            }
            for j in &state.jobs {
                ui.separator();
                ui.spinner();
                let text = if j.total > 0 { format!("{}: {} {}/{}", j.label, j.stage, j.done, j.total) } else { format!("{}: {}", j.label, j.stage) };
                ui.label(text);
                if j.total > 0 {
                    ui.add(egui::ProgressBar::new(j.done as f32 / j.total as f32).desired_width(120.0));
                }
                if ui.small_button("Cancel").clicked() {
                    out.push(Command::CancelJob(j.id));
                }
            }
        });
    }
}
