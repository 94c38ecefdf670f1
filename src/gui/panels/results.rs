//! The ranked results, each with its score breakdown, rank change and reason; a click shows
//! the item's neighbours and can add it to the user's timeline.

use crate::gui::state::{AppState, Command};
use crate::gui::widgets::{badge, rank_change, rule_color, score_bar};
use crate::store::SimAction;
use egui_extras::{Column, TableBuilder};

#[derive(Default)]
pub struct ResultsPanel;

impl ResultsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let rec = match &state.result {
            None => {
                ui.spinner();
                return;
            }
            Some(Err(e)) => {
                ui.colored_label(egui::Color32::from_rgb(240, 110, 100), egui::RichText::new(e).monospace());
                return;
            }
            Some(Ok(r)) => r,
        };
        let stale = state.result_generation != state.generation;
        ui.horizontal_wrapped(|ui| {
            for a in rec.anchors.iter().filter(|a| a.role == "query") {
                ui.label(egui::RichText::new(format!("anchor: {}", a.label)).strong());
            }
            if stale {
                ui.spinner();
            }
        });
        let components: Vec<String> = rec
            .anchors
            .iter()
            .filter(|a| a.role == "component")
            .map(|a| format!("{} ×{:.2}", a.label, a.weight))
            .collect();
        if !components.is_empty() {
            ui.add(
                egui::Label::new(egui::RichText::new(format!("profile of: {}", components.join(", "))).weak()).wrap(),
            );
        }
        for n in &rec.notes {
            ui.add(
                egui::Label::new(egui::RichText::new(format!("ⓘ {n}")).color(egui::Color32::from_rgb(230, 170, 60)))
                    .wrap(),
            );
        }
        // Legend.
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(rule_color("similarity"), "■ similarity");
            for r in rec.rules.iter().filter(|r| r.enabled && r.kind != "pin") {
                ui.colored_label(rule_color(&r.name), format!("■ {}", r.name));
            }
        });
        let scale = rec
            .results
            .iter()
            .map(|r| {
                (r.similarity + r.contributions.iter().filter(|c| c.value > 0.0).map(|c| c.value).sum::<f64>()) as f32
            })
            .fold(0.1f32, f32::max);
        let selected = state.selected.clone();
        let detail_height = if selected.is_some() { 230.0 } else { 0.0 };
        let available = (ui.available_height() - detail_height).max(160.0);
        TableBuilder::new(ui)
            .id_salt("results")
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(available)
            .column(Column::exact(24.0))
            .column(Column::exact(32.0))
            .column(Column::remainder().at_least(200.0).clip(true))
            .column(Column::initial(100.0).clip(true))
            .column(Column::exact(116.0))
            .column(Column::exact(46.0))
            .column(Column::exact(46.0))
            .header(20.0, |mut h| {
                for title in ["#", "Δ", "item · why", "category", "score breakdown", "score", "sim"] {
                    h.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|mut body| {
                for r in &rec.results {
                    let is_selected = selected.as_deref() == Some(r.item_id.as_str());
                    body.row(36.0, |mut row| {
                        row.set_selected(is_selected);
                        row.col(|ui| {
                            ui.label(r.rank.to_string());
                        });
                        row.col(|ui| rank_change(ui, r.rank_change));
                        row.col(|ui| {
                            ui.vertical(|ui| {
                                ui.horizontal(|ui| {
                                    if r.is_new {
                                        badge(ui, "new", egui::Color32::from_rgb(240, 180, 60))
                                            .on_hover_text("no interactions in the log: cold start");
                                    }
                                    for x in
                                        r.sources.iter().filter(|x| x.source != "content" && x.source != "new_items")
                                    {
                                        badge(
                                            ui,
                                            super::effects::source_name(x.source),
                                            egui::Color32::from_rgb(120, 200, 180),
                                        )
                                        .on_hover_text(format!(
                                            "proposed by the {} source (raw score {:.3})",
                                            x.source, x.score
                                        ));
                                    }
                                    if let Some(p) = &r.pinned_by {
                                        badge(ui, "pinned", egui::Color32::from_rgb(150, 170, 240))
                                            .on_hover_text(format!("pinned by {p}"));
                                    }
                                    let name = match &r.name_alt {
                                        Some(alt) => format!("{} · {}", r.name, alt),
                                        None => r.name.clone(),
                                    };
                                    ui.add(egui::Label::new(name).truncate())
                                        .on_hover_text(format!("item {}", r.item_id));
                                });
                                ui.add(egui::Label::new(egui::RichText::new(&r.reason).small().weak()).truncate())
                                    .on_hover_text(&r.reason);
                            });
                        });
                        row.col(|ui| {
                            ui.add(egui::Label::new(r.category.as_deref().unwrap_or("")).truncate());
                        });
                        row.col(|ui| {
                            score_bar(ui, r, scale, 110.0);
                        });
                        row.col(|ui| {
                            ui.label(format!("{:.3}", r.score));
                        });
                        row.col(|ui| {
                            ui.weak(format!("{:.3}", r.similarity));
                        });
                        if row.response().clicked() {
                            out.push(Command::Select(if is_selected { None } else { Some(r.item_id.clone()) }));
                        }
                    });
                }
            });
        if rec.results.is_empty() {
            ui.label("No item passes the filters. See the Filter effects tab.");
        }
        if let Some(id) = selected {
            ui.separator();
            self.details(ui, state, &id, out);
        }
    }

    fn details(&self, ui: &mut egui::Ui, state: &AppState, id: &str, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let Ok(g) = l.engine.read() else { return };
        let Some(item) = g.catalog().get(id) else { return };
        ui.horizontal(|ui| {
            ui.heading(format!(
                "{} {}",
                item.display_name(),
                item.name_alt.as_deref().map(|a| format!("· {a}")).unwrap_or_default()
            ));
            ui.weak(format!("item {}", item.id));
        });
        ui.horizontal(|ui| {
            ui.label("Add to the timeline as");
            for event in ["click", "add_to_cart", "purchase"] {
                if ui.button(event).clicked() {
                    out.push(Command::AddAction(SimAction::on_item(event, item.id.as_str(), state.request.now)));
                }
            }
            if ui.button("close").clicked() {
                out.push(Command::Select(None));
            }
        });
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            if let Some(d) = &item.description {
                ui.add(egui::Label::new(d).wrap());
            }
            egui::Grid::new("item-facts").num_columns(2).show(ui, |ui| {
                let mut fact = |k: &str, v: String| {
                    ui.weak(k);
                    ui.label(v);
                    ui.end_row();
                };
                if let Some(c) = &item.category {
                    fact("category", c.clone());
                }
                if !item.tags.is_empty() {
                    fact("tags", item.tags.join(", "));
                }
                if let Some(p) = item.price {
                    fact("price", p.to_string());
                }
                if let Some(s) = item.stock {
                    fact("stock", s.to_string());
                }
                if let Some(t) = item.expires_at {
                    fact("expires", crate::util::describe_age(t, state.request.now));
                }
                fact("interactions", g.stats().event_count(&item.id).to_string());
            });
            let ui = &mut cols[1];
            ui.strong("Nearest neighbours");
            match &state.neighbours {
                Some(Ok(n)) => {
                    for r in &n.results {
                        ui.horizontal(|ui| {
                            ui.weak(format!("{:.3}", r.similarity));
                            if ui.link(&r.name).clicked() {
                                out.push(Command::Select(Some(r.item_id.clone())));
                            }
                        });
                    }
                }
                Some(Err(e)) => {
                    ui.label(e);
                }
                None => {
                    ui.spinner();
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_panel_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::loaded_state(dir.path());
        let mut panel = ResultsPanel;
        let mut h = crate::gui::testing::panel_harness([760.0, 420.0], move |ui| {
            let mut out = Vec::new();
            panel.ui(ui, &state, &mut out);
        });
        h.run();
        h.snapshot("results_panel");
    }
}
