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
                        if let crate::embed::offer::Step::Install { label } = super::model_offer::step(state)
                            && !state.jobs.iter().any(|j| j.label.starts_with("Downloading"))
                            && ui.small_button(label).clicked()
                        {
                            out.push(Command::InstallSuggested);
                        }
                    }
                    ui.separator();
                    if let Ok(g) = l.engine.try_read() {
                        ui.label(format!("{} items", g.catalog().len()));
                        ui.separator();
                        let r = &g.index_report();
                        match (g.serving(), g.ann()) {
                            _ if state.pg.is_some() => {
                                let target = state.pg.as_ref().map(|p| format!("{} (schema {})", p.info().target, p.info().schema)).unwrap_or_default();
                                ui.colored_label(egui::Color32::from_rgb(110, 200, 140), "served by pgvector")
                                    .on_hover_text(format!("Candidates come from PostgreSQL + pgvector at {target}; the filters that can be written in SQL run in its WHERE, the rest and the re-ranking here. Disconnect in the Production tab."));
                            }
                            (crate::pipeline::Serving::Index, Some(a)) => {
                                ui.label(format!("served by the index ({} vectors, {})", a.len(), a.quantization().as_str()))
                                    .on_hover_text(format!(
                                        "HNSW index {}: {} shard(s){}{}",
                                        r.action,
                                        a.shard_count(),
                                        if a.is_mapped() { ", memory-mapped from the saved file" } else { "" },
                                        if a.overlay_len() > 0 { format!(", {} new or changed items searched exactly beside it", a.overlay_len()) } else { String::new() }
                                    ));
                            }
                            (crate::pipeline::Serving::ExactWhileBuilding, _) => {
                                ui.colored_label(egui::Color32::from_rgb(230, 170, 60), "served by exact search while the index builds")
                                    .on_hover_text("Every vector is compared with the query: the exact ranking, slower per request. The index takes over when it is built.");
                            }
                            _ => {
                                ui.label("served by exact search");
                            }
                        }
                        if !g.missing().is_empty() {
                            ui.separator();
                            ui.colored_label(egui::Color32::from_rgb(230, 170, 60), format!("{} items without vectors", g.missing().len()));
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
