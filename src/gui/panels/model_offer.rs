//! The banner that offers the real model: with no neural model installed, "Install
//! all-MiniLM-L6-v2 (90 MB) for semantic results" (downloaded only on that click, with
//! progress and cancel); once installed, re-embedding with it; when the hub is unreachable,
//! that, and the other two ways in. The decisions are [`crate::embed::offer`]'s.

use crate::embed::offer::{self, Step};
use crate::gui::state::{AppState, Command, Tab};

const BANNER: egui::Color32 = egui::Color32::from_rgb(230, 170, 60);

#[derive(Default)]
pub struct ModelOfferBanner {
    /// Hidden for this session.
    dismissed: bool,
}

/// The offer for the open project (nothing while it loads).
pub fn step(state: &AppState) -> Step {
    match &state.loaded {
        Some(l) => offer::next_step(&state.installed_models, &l.model),
        None => Step::Nothing,
    }
}

/// The download under way, if any.
fn download(state: &AppState) -> Option<&crate::gui::state::JobView> {
    state.jobs.iter().find(|j| j.label == format!("Downloading {}", offer::SUGGESTED))
}

impl ModelOfferBanner {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let step = step(state);
        if self.dismissed || step == Step::Nothing {
            return;
        }
        egui::Frame::group(ui.style()).stroke(egui::Stroke::new(1.0, BANNER)).show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(BANNER, "ⓘ");
                match (&step, download(state)) {
                    (_, Some(job)) => {
                        ui.label(format!("Downloading {}: {}", offer::SUGGESTED, job.stage));
                        if job.total > 0 {
                            ui.add(
                                egui::ProgressBar::new(job.done as f32 / job.total as f32)
                                    .desired_width(200.0)
                                    .show_percentage(),
                            );
                        } else {
                            ui.spinner();
                        }
                        if ui.button("Cancel").clicked() {
                            out.push(Command::CancelJob(job.id));
                        }
                    }
                    (Step::Install { label }, None) => {
                        ui.label("Results come from the built-in lexical embedder: it matches spelling, not meaning.");
                        if ui
                            .button(label)
                            .on_hover_text("downloads it from the model hub and checks its sha256")
                            .clicked()
                        {
                            out.push(Command::InstallSuggested);
                        }
                    }
                    (Step::ReEmbed { model, label }, None) => {
                        ui.label(format!("{model} is installed; the project still has lexical vectors."));
                        if ui.button(label).clicked() {
                            out.push(Command::UseModel(model.clone(), crate::embed::Precision::fastest()));
                        }
                    }
                    (Step::Nothing, None) => {}
                }
                if ui.small_button("×").on_hover_text("hide for this session").clicked() {
                    self.dismissed = true;
                }
            });
            if let Some(f) = state.install_failure.as_ref().filter(|f| !f.cancelled) {
                ui.colored_label(egui::Color32::from_rgb(240, 110, 100), &f.message);
                if f.unreachable && ui.button("Import a model folder, zip or wheel…").clicked() {
                    out.push(Command::ShowTab(Tab::Models));
                }
            }
        });
    }
}
