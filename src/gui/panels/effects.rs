//! Filter effects: the funnel from candidates to results, and every removed item grouped by
//! the filter that removed it, with the reason.

use crate::gui::state::{AppState, Command};
use crate::pipeline::Recommendation;
use egui_plot::{Bar, BarChart, Plot, PlotPoint, Text};

#[derive(Default)]
pub struct EffectsPanel;

/// (label, count) for each stage of the funnel: the candidates, what is left after each
/// filter (named by the filter), the fill search and the results.
pub fn funnel(rec: &Recommendation) -> Vec<(String, usize)> {
    let index = rec.candidates.iter().filter(|c| c.source != "fill").count();
    let fill = rec.candidates.iter().filter(|c| c.source == "fill").count();
    let mut stages = vec![("candidates".to_string(), index)];
    for f in &rec.filters {
        stages.push((format!("after {}", f.label), f.input - f.removed));
    }
    if fill > 0 {
        let last = stages.last().map(|s| s.1).unwrap_or(0);
        stages.push(("+ fill search".to_string(), last + fill));
    }
    stages.push(("results".to_string(), rec.results.len()));
    stages
}

const FUNNEL_BAR: egui::Color32 = egui::Color32::from_rgb(90, 140, 220);

/// The funnel as horizontal bars, top to bottom, each bar labelled in the plot with its stage
/// and count (an axis would drop labels that do not fit); hovering a bar names it too.
pub fn funnel_plot(ui: &mut egui::Ui, rec: &Recommendation, id: &str, height: f32) {
    let stages = funnel(rec);
    let max = stages.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<Bar> = stages
        .iter()
        .enumerate()
        .map(|(i, (name, n))| {
            Bar::new(-(i as f64), *n as f64).name(format!("{name}: {n} items")).width(0.75).fill(FUNNEL_BAR)
        })
        .collect();
    // Enough height for one readable line per stage.
    let height = height.max(22.0 * stages.len() as f32 + 40.0);
    let text_color = ui.visuals().strong_text_color();
    Plot::new(id.to_string())
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .show_axes([true, false])
        .show_grid([true, false])
        .x_axis_label("items left")
        .include_x(0.0)
        .include_x(max * 1.05)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("funnel", bars).horizontal().element_formatter(Box::new(|bar, _| bar.name.clone())),
            );
            for (i, (name, n)) in stages.iter().enumerate() {
                plot.text(
                    Text::new(name.clone(), PlotPoint::new(max * 0.01, -(i as f64)), format!("{name}: {n}"))
                        .color(text_color)
                        .anchor(egui::Align2::LEFT_CENTER),
                );
            }
        });
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
        if rec.sources.iter().any(|x| x.source != "content" && x.source != "fill") {
            ui.horizontal_wrapped(|ui| {
                ui.strong("Candidates by source:");
                for x in &rec.sources {
                    ui.label(format!(
                        "{} {} ({} only there) · {} removed · {} in results",
                        source_name(x.source),
                        x.proposed,
                        x.only_here,
                        x.removed,
                        x.in_results
                    ));
                    ui.separator();
                }
            });
        }
        ui.separator();
        ui.heading("Removed, by filter");
        egui::ScrollArea::vertical().id_salt("effects-scroll").show(ui, |ui| {
            for f in &rec.filters {
                let removed: Vec<_> =
                    rec.candidates.iter().filter(|c| c.removed_by.as_deref() == Some(f.id.as_str())).collect();
                let title = match &f.sql {
                    Some(_) => format!("{} — {}: in the database's WHERE", f.id, f.label),
                    None => format!("{} — {}: removed {} of {}", f.id, f.label, f.removed, f.input),
                };
                egui::CollapsingHeader::new(title)
                    .id_salt(("effects", &f.id))
                    .default_open(!removed.is_empty() && removed.len() <= 12)
                    .show(ui, |ui| {
                        if let Some(sql) = &f.sql {
                            ui.weak("pushed down: what it removes never reaches the lab");
                            ui.label(egui::RichText::new(sql).monospace());
                        } else if removed.is_empty() {
                            ui.weak("removed nothing");
                        }
                        egui::Grid::new(("removed", &f.id)).striped(true).num_columns(5).show(ui, |ui| {
                            for c in removed {
                                ui.weak(format!("#{}", c.rank));
                                if ui.link(format!("{} {}", c.item_id, c.name)).clicked() {
                                    out.push(Command::Select(Some(c.item_id.clone())));
                                }
                                ui.label(format!("sim {:.3}", c.similarity));
                                let via: Vec<&str> = c.sources.iter().map(|x| source_name(x.source)).collect();
                                ui.weak(via.join("+"));
                                ui.label(c.removal_reason.as_deref().unwrap_or(""));
                                ui.end_row();
                            }
                        });
                    });
            }
            if let Some(b) = &rec.backend {
                backend(ui, b);
            }
            let fill = rec.candidates.iter().filter(|c| c.source == "fill").count();
            if fill > 0 {
                ui.label(format!("{fill} candidate(s) came from a second search among items that pass every filter."));
            }
        });
    }
}

/// Where the candidates came from when a database served them: the statements, as sent.
fn backend(ui: &mut egui::Ui, b: &crate::pipeline::trace::BackendOut) {
    ui.separator();
    ui.heading(format!("Candidates from {}", b.name));
    ui.label(format!("at {}", b.target));
    ui.label(format!(
        "pushed down into the WHERE: {}",
        if b.pushed_down.is_empty() { "none".to_string() } else { b.pushed_down.join(", ") }
    ));
    for x in &b.in_lab {
        ui.label(format!("evaluated in the lab: {} ({})", x.id, x.why));
    }
    for (i, q) in b.queries.iter().enumerate() {
        let title = format!(
            "{} for {}: {} of {} rows at hnsw.ef_search = {}",
            q.purpose, q.anchor, q.rows, q.limit, q.ef_search
        );
        egui::CollapsingHeader::new(title).id_salt(("sql", i)).default_open(i == 0).show(ui, |ui| {
            ui.label(egui::RichText::new(&q.sql).monospace());
        });
    }
}

/// A source's short name, for labels.
pub fn source_name(source: &str) -> &str {
    crate::pipeline::Source::parse(source).map(|s| s.short()).unwrap_or(source)
}
