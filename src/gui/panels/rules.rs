//! Re-rank rules: toggles, sliders, add and remove, presets saved and loaded by name.

use crate::gui::state::{AppState, Command};
use crate::gui::widgets::{name_and_button, rule_color};
use crate::pipeline::{Filter, Rule, RuleEntry, RuleSet, Schema};

#[derive(Default)]
pub struct RulesPanel {
    preset_name: String,
    /// Pin filters being edited (rule index → text), applied when they parse.
    pin_text: Vec<String>,
    seen_revision: Option<u64>,
}

fn new_rule(kind: &str) -> Rule {
    match kind {
        "same_category" => Rule::SameCategory { weight: 0.05 },
        "new_item" => Rule::NewItem { weight: 0.08, max_age_days: Some(14.0) },
        "popularity" => Rule::Popularity { weight: 0.05, window_days: Some(30.0) },
        "price_band" => Rule::PriceBand { weight: 0.03, min: Some(0.0), max: Some(1000.0), outside: false },
        "freshness" => Rule::Freshness { weight: 0.05, horizon_days: 3.0 },
        "cooccurrence" => Rule::Cooccurrence { weight: 0.2 },
        "category_affinity" => Rule::CategoryAffinity { weight: 0.05 },
        "mmr" => Rule::Mmr { lambda: 0.7 },
        _ => Rule::Pin { filter: r#"INCLUDE ItemID WHERE Items.TAGS IN ("new")"#.into(), slots: vec![1] },
    }
}

const KINDS: [(&str, &str); 9] = [
    ("same_category", "boost the anchor's category"),
    ("new_item", "boost items with no interactions (cold start)"),
    ("popularity", "boost popular items"),
    ("price_band", "boost or penalise a price band"),
    ("freshness", "boost by days to expiry"),
    ("cooccurrence", "boost items others acted on with the user's recent items"),
    ("category_affinity", "boost categories the user's history is in"),
    ("mmr", "diversify (maximal marginal relevance)"),
    ("pin", "pin matching items into slots"),
];

impl RulesPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let mut set = state.request.rules.clone();
        if self.seen_revision != Some(state.revision) || self.pin_text.len() != set.rules.len() {
            self.seen_revision = Some(state.revision);
            self.pin_text = set
                .rules
                .iter()
                .map(|e| if let Rule::Pin { filter, .. } = &e.rule { filter.clone() } else { String::new() })
                .collect();
        }
        ui.horizontal(|ui| {
            ui.heading("Re-rank rules");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.menu_button("+ Add", |ui| {
                    for (kind, tip) in KINDS {
                        if ui.button(kind).on_hover_text(tip).clicked() {
                            set.rules.push(RuleEntry::new(new_rule(kind)));
                            self.pin_text.push(if let Rule::Pin { filter, .. } = new_rule(kind) {
                                filter
                            } else {
                                String::new()
                            });
                            out.push(Command::SetRules(set.clone()));
                            ui.close();
                        }
                    }
                });
            });
        });
        let schema = Schema { attributes: l.engine.read().map(|g| g.catalog().attributes.clone()).unwrap_or_default() };
        let mut changed = false;
        let mut remove = None;
        let before = set.clone();
        for (i, entry) in set.rules.iter_mut().enumerate() {
            let name = entry.name(i, &before);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    changed |= ui.checkbox(&mut entry.enabled, "").on_hover_text("on / off").changed();
                    ui.colored_label(rule_color(&name), egui::RichText::new(&name).strong());
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        if ui.small_button("×").on_hover_text("remove the rule").clicked() {
                            remove = Some(i);
                        }
                    });
                });
                ui.add_enabled_ui(entry.enabled, |ui| match &mut entry.rule {
                    Rule::SameCategory { weight } | Rule::CategoryAffinity { weight } => {
                        changed |= ui.add(egui::Slider::new(weight, -0.3..=0.3).text("weight")).changed();
                    }
                    Rule::Cooccurrence { weight } => {
                        changed |= ui.add(egui::Slider::new(weight, -1.0..=1.0).text("weight")).changed();
                    }
                    Rule::NewItem { weight, max_age_days } => {
                        changed |= ui.add(egui::Slider::new(weight, -0.3..=0.3).text("weight")).changed();
                        let mut days = max_age_days.unwrap_or(0.0);
                        if ui.add(egui::Slider::new(&mut days, 0.0..=90.0).text("max age (days, 0 = any)")).changed() {
                            *max_age_days = (days > 0.0).then_some(days);
                            changed = true;
                        }
                    }
                    Rule::Popularity { weight, window_days } => {
                        changed |= ui.add(egui::Slider::new(weight, -0.3..=0.3).text("weight")).changed();
                        let mut days = window_days.unwrap_or(0.0);
                        if ui.add(egui::Slider::new(&mut days, 0.0..=120.0).text("window (days, 0 = all)")).changed() {
                            *window_days = (days > 0.0).then_some(days);
                            changed = true;
                        }
                    }
                    Rule::PriceBand { weight, min, max, outside } => {
                        changed |= ui.add(egui::Slider::new(weight, -0.3..=0.3).text("weight")).changed();
                        ui.horizontal(|ui| {
                            let mut lo = min.unwrap_or(0.0);
                            let mut hi = max.unwrap_or(0.0);
                            let from = ui.label("from");
                            if ui.add(egui::DragValue::new(&mut lo).speed(10.0)).labelled_by(from.id).changed() {
                                *min = Some(lo);
                                changed = true;
                            }
                            let to = ui.label("to");
                            if ui.add(egui::DragValue::new(&mut hi).speed(10.0)).labelled_by(to.id).changed() {
                                *max = Some(hi.max(lo));
                                changed = true;
                            }
                            changed |= ui.checkbox(outside, "outside").changed();
                        });
                    }
                    Rule::Freshness { weight, horizon_days } => {
                        changed |= ui.add(egui::Slider::new(weight, -0.3..=0.3).text("weight")).changed();
                        changed |= ui.add(egui::Slider::new(horizon_days, 0.5..=14.0).text("horizon (days)")).changed();
                    }
                    Rule::Mmr { lambda } => {
                        changed |=
                            ui.add(egui::Slider::new(lambda, 0.05..=1.0).text("λ (1 = relevance only)")).changed();
                    }
                    Rule::Pin { filter, slots } => {
                        let text = &mut self.pin_text[i];
                        let r = ui
                            .add(egui::TextEdit::singleline(text).code_editor().desired_width(f32::INFINITY))
                            .accessible_name(format!("{name} filter"));
                        match Filter::parse(text, &schema) {
                            Ok(_) => {
                                if r.changed() && text != filter {
                                    *filter = text.clone();
                                    changed = true;
                                }
                            }
                            Err(e) => {
                                ui.colored_label(
                                    egui::Color32::from_rgb(240, 110, 100),
                                    format!("position {}: {}", e.position, e.message),
                                );
                            }
                        }
                        ui.horizontal(|ui| {
                            let label = ui.label("slots");
                            let mut s: String = slots.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
                            if ui
                                .add(egui::TextEdit::singleline(&mut s).desired_width(80.0))
                                .labelled_by(label.id)
                                .changed()
                            {
                                let parsed: Vec<usize> =
                                    s.split(',').filter_map(|p| p.trim().parse().ok()).filter(|n| *n > 0).collect();
                                if !parsed.is_empty() {
                                    *slots = parsed;
                                    changed = true;
                                }
                            }
                        });
                    }
                });
            });
        }
        if let Some(i) = remove {
            set.rules.remove(i);
            self.pin_text.remove(i);
            changed = true;
        }
        if set.rules.is_empty() {
            ui.weak("No rules: results are ordered by similarity alone.");
        }
        if changed && set.validate().is_ok() {
            out.push(Command::SetRules(set.clone()));
        }

        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Preset");
            let current = set.name.clone().unwrap_or_else(|| "(unsaved)".into());
            egui::ComboBox::from_id_salt("presets")
                .selected_text(current)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(false, "example: balanced").clicked() {
                        out.push(Command::SetRules(RuleSet::example()));
                    }
                    if ui.selectable_label(false, "none").clicked() {
                        out.push(Command::SetRules(RuleSet::default()));
                    }
                    for p in &l.presets {
                        if ui.selectable_label(false, p).clicked() {
                            out.push(Command::LoadPreset(p.clone()));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(name) = set.name.as_ref().filter(|n| l.presets.contains(n))
                && ui.small_button("Delete").on_hover_text(format!("delete preset {name}")).clicked()
            {
                out.push(Command::DeletePreset(name.clone()));
            }
        });
        if let Some(name) = name_and_button(ui, &mut self.preset_name, "preset name", "Save preset") {
            out.push(Command::SavePreset(name));
        }
        ui.horizontal(|ui| {
            let label = ui.label("Results (k)");
            let mut k = state.request.k;
            if ui.add(egui::Slider::new(&mut k, 1..=50)).labelled_by(label.id).changed() {
                out.push(Command::SetK(k));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_panel_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::loaded_state(dir.path());
        let mut panel = RulesPanel::default();
        let mut h = crate::gui::testing::panel_harness([380.0, 560.0], move |ui| {
            let mut out = Vec::new();
            panel.ui(ui, &state, &mut out);
        });
        h.run();
        h.snapshot("rules_panel");
    }
}
