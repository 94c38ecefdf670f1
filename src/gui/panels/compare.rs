//! Compare: the content pipeline against the co-occurrence baseline, or the current rules
//! against a saved preset; overlap@K, rank shifts, items only one side has. A quick "new item"
//! form makes cold start visible: the new item shows on the content side only.

use crate::catalog::Item;
use crate::gui::state::{AppState, Command, CompareMode};
use crate::gui::widgets::badge;
use std::collections::HashMap;

#[derive(Default)]
pub struct ComparePanel {
    new_id: String,
    new_name: String,
    new_category: String,
    new_description: String,
}

/// One side of the comparison: (item id, name, score, is new).
type Side = Vec<(String, String, f64, bool)>;

impl ComparePanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        ui.horizontal(|ui| {
            let prompt = ui.label("Compare the current pipeline with");
            let label = match &state.compare {
                CompareMode::Baseline => "the co-occurrence baseline".to_string(),
                CompareMode::Preset(p) => format!("preset {p}"),
            };
            egui::ComboBox::from_id_salt("compare-mode")
                .selected_text(label)
                .show_ui(ui, |ui| {
                    if ui
                        .selectable_label(state.compare == CompareMode::Baseline, "the co-occurrence baseline")
                        .clicked()
                    {
                        out.push(Command::SetCompare(CompareMode::Baseline));
                    }
                    for p in &l.presets {
                        if ui
                            .selectable_label(state.compare == CompareMode::Preset(p.clone()), format!("preset {p}"))
                            .clicked()
                        {
                            out.push(Command::SetCompare(CompareMode::Preset(p.clone())));
                        }
                    }
                })
                .response
                .labelled_by(prompt.id);
            if l.presets.is_empty() {
                ui.weak("(save a rule preset to compare presets)");
            }
        });
        let Some(rec) = state.current() else {
            ui.spinner();
            return;
        };
        let left: Side = rec.results.iter().map(|r| (r.item_id.clone(), r.name.clone(), r.score, r.is_new)).collect();
        let (right, right_title): (Side, String) = match &state.compare {
            CompareMode::Baseline => match &rec.baseline {
                Some(b) => (
                    b.results.iter().map(|r| (r.item_id.clone(), r.name.clone(), r.score, r.is_new)).collect(),
                    format!("{} — {}", b.method, b.note),
                ),
                None => (Vec::new(), "baseline".into()),
            },
            CompareMode::Preset(p) => match &state.compare_result {
                Some(Ok(r)) => (
                    r.results.iter().map(|r| (r.item_id.clone(), r.name.clone(), r.score, r.is_new)).collect(),
                    format!("preset {p}"),
                ),
                Some(Err(e)) => (Vec::new(), e.clone()),
                None => (Vec::new(), "computing…".into()),
            },
        };
        let k = rec.k.min(left.len().max(right.len())).max(1);
        let right_rank: HashMap<&str, usize> = right.iter().enumerate().map(|(i, r)| (r.0.as_str(), i + 1)).collect();
        let left_rank: HashMap<&str, usize> = left.iter().enumerate().map(|(i, r)| (r.0.as_str(), i + 1)).collect();
        let overlap = left.iter().filter(|r| right_rank.contains_key(r.0.as_str())).count();
        ui.label(
            egui::RichText::new(format!("overlap@{k}: {overlap} of {k} ({:.0}%)", 100.0 * overlap as f64 / k as f64))
                .strong(),
        );
        let new_left = left.iter().filter(|r| r.3).count();
        let new_right = right.iter().filter(|r| r.3).count();
        ui.label(format!("new items (no interactions): {new_left} on the left, {new_right} on the right"));
        ui.columns(2, |cols| {
            side(&mut cols[0], "Current pipeline (content)", &left, &right_rank, out);
            side(&mut cols[1], &right_title, &right, &left_rank, out);
        });

        ui.separator();
        ui.collapsing("Cold start: add a new item and watch it appear on the content side only", |ui| {
            egui::Grid::new("new-item").num_columns(2).show(ui, |ui| {
                let l = ui.label("id");
                ui.text_edit_singleline(&mut self.new_id).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("name");
                ui.text_edit_singleline(&mut self.new_name).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("category");
                ui.text_edit_singleline(&mut self.new_category).labelled_by(l.id);
                ui.end_row();
                let l = ui.label("description");
                ui.text_edit_singleline(&mut self.new_description).labelled_by(l.id);
                ui.end_row();
            });
            let ok = !self.new_id.trim().is_empty() && !self.new_name.trim().is_empty();
            if ui.add_enabled(ok, egui::Button::new("Add, embed and index")).clicked() {
                let item = Item {
                    id: self.new_id.trim().to_string(),
                    name: self.new_name.trim().to_string(),
                    category: Some(self.new_category.trim().to_string()).filter(|s| !s.is_empty()),
                    description: Some(self.new_description.trim().to_string()).filter(|s| !s.is_empty()),
                    ..Default::default()
                };
                let mut fields = vec![crate::catalog::Field::Name];
                fields.extend(item.category.is_some().then_some(crate::catalog::Field::Category));
                fields.extend(item.description.is_some().then_some(crate::catalog::Field::Description));
                out.push(Command::AddItems(vec![crate::catalog::ItemUpdate::of_fields(
                    item,
                    fields,
                    state.request.now,
                )]));
            }
        });
    }
}

fn side(ui: &mut egui::Ui, title: &str, rows: &Side, other: &HashMap<&str, usize>, out: &mut Vec<Command>) {
    ui.add(egui::Label::new(egui::RichText::new(title).strong()).wrap());
    egui::Grid::new(("compare", title)).striped(true).num_columns(4).show(ui, |ui| {
        for (i, (id, name, score, is_new)) in rows.iter().enumerate() {
            ui.label(format!("{}", i + 1));
            ui.horizontal(|ui| {
                if *is_new {
                    badge(ui, "new", egui::Color32::from_rgb(240, 180, 60));
                }
                if ui.link(name).on_hover_text(format!("item {id}")).clicked() {
                    out.push(Command::Select(Some(id.clone())));
                }
            });
            ui.weak(format!("{score:.3}"));
            match other.get(id.as_str()) {
                Some(r) => {
                    let shift = *r as i64 - (i as i64 + 1);
                    ui.weak(match shift {
                        0 => "same rank".to_string(),
                        s => format!("#{r} there ({s:+})"),
                    });
                }
                None => {
                    ui.colored_label(egui::Color32::from_rgb(230, 170, 60), "only here");
                }
            }
            ui.end_row();
        }
    });
    if rows.is_empty() {
        ui.weak("nothing");
    }
}
