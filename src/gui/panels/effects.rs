//! Filter effects: the funnel from candidates to results, and every removed item grouped by
//! the filter that removed it, with the reason.

use crate::gui::state::{AppState, Command};
use crate::pipeline::Recommendation;
use egui_plot::{Bar, BarChart, Plot};

#[derive(Default)]
pub struct EffectsPanel;

/// (label, count) for each stage of the funnel.
pub fn funnel(rec: &Recommendation) -> Vec<(String, usize)> {
    let index = rec.candidates.iter().filter(|c| c.source == "index").count();
    let fill = rec.candidates.iter().filter(|c| c.source == "fill").count();
    let mut stages = vec![("candidates".to_string(), index)];
    for f in &rec.filters {
        stages.push((format!("after {}", f.id), f.input - f.removed));
    }
    if fill > 0 {
        let last = stages.last().map(|s| s.1).unwrap_or(0);
        stages.push(("+ fill search".to_string(), last + fill));
    }
    stages.push(("results".to_string(), rec.results.len()));
    stages
}

pub fn funnel_plot(ui: &mut egui::Ui, rec: &Recommendation, id: &str, height: f32) {
    let stages = funnel(rec);
    let bars: Vec<Bar> = stages
        .iter()
        .enumerate()
        .map(|(i, (name, n))| {
            Bar::new(i as f64, *n as f64).name(name).width(0.7).fill(egui::Color32::from_rgb(90, 140, 220))
        })
        .collect();
    let labels: Vec<String> = stages.iter().map(|s| s.0.clone()).collect();
    Plot::new(id.to_string())
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_grid([false, true])
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| plot.bar_chart(BarChart::new("funnel", bars)));
}

impl EffectsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(rec) = state.current() else {
            if let Some(Err(e)) = &state.result {
                ui.colored_label(egui::Color32::from_rgb(240, 110, 100), egui::RichText::new(e).monospace());
            }
            return;
        };
        ui.heading("Funnel");
        funnel_plot(ui, rec, "funnel-effects", 170.0);
        ui.separator();
        ui.heading("Removed, by filter");
        egui::ScrollArea::vertical().id_salt("effects-scroll").show(ui, |ui| {
            for f in &rec.filters {
                let removed: Vec<_> =
                    rec.candidates.iter().filter(|c| c.removed_by.as_deref() == Some(f.id.as_str())).collect();
                let title = format!("{} — {}: removed {} of {}", f.id, f.label, f.removed, f.input);
                egui::CollapsingHeader::new(title)
                    .id_salt(("effects", &f.id))
                    .default_open(!removed.is_empty() && removed.len() <= 12)
                    .show(ui, |ui| {
                        if removed.is_empty() {
                            ui.weak("removed nothing");
                        }
                        egui::Grid::new(("removed", &f.id)).striped(true).num_columns(4).show(ui, |ui| {
                            for c in removed {
                                ui.weak(format!("#{}", c.rank));
                                if ui.link(format!("{} {}", c.item_id, c.name)).clicked() {
                                    out.push(Command::Select(Some(c.item_id.clone())));
                                }
                                ui.label(format!("sim {:.3}", c.similarity));
                                ui.label(c.removal_reason.as_deref().unwrap_or(""));
                                ui.end_row();
                            }
                        });
                    });
            }
            let fill = rec.candidates.iter().filter(|c| c.source == "fill").count();
            if fill > 0 {
                ui.label(format!("{fill} candidate(s) came from a second search among items that pass every filter."));
            }
        });
    }
}
