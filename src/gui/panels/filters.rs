//! Filters: the expression editor with live validation, parameters, built-in filter toggles.

use crate::gui::state::{AppState, Command};
use crate::pipeline::{Builtin, Filter, Schema};
use std::collections::BTreeMap;

pub struct FiltersPanel {
    text: String,
    params: Vec<(String, String)>,
    include_cat: String,
    exclude_cat: String,
    seen_revision: u64,
}

impl Default for FiltersPanel {
    fn default() -> Self {
        Self {
            text: String::new(),
            params: Vec::new(),
            include_cat: String::new(),
            exclude_cat: String::new(),
            seen_revision: u64::MAX,
        }
    }
}

const EXAMPLES: &[(&str, &str)] = &[
    ("Not already bought", r#"EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")"#),
    ("Only a category ($CATEGORY)", r#"INCLUDE ItemID WHERE Items.CATEGORY IN ($CATEGORY)"#),
    ("Cheaper than 1,000", "Items.PRICE < 1000"),
    ("Same category as the anchor", "INCLUDE ItemID WHERE Items.CATEGORY = CurrentItem.CATEGORY"),
    ("Fresh for 2+ days", "EXCLUDE ItemID WHERE Items.DAYS_TO_EXPIRY < 2"),
    ("Never interacted with", "Items.INTERACTIONS = 0"),
];

impl FiltersPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let req = &state.request;
        if self.seen_revision != state.revision {
            self.seen_revision = state.revision;
            self.text = req.filter.clone();
            self.params = req.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            self.include_cat = req.builtins.include_categories.join(", ");
            self.exclude_cat = req.builtins.exclude_categories.join(", ");
        }
        ui.heading("Filters");
        let expr_label = ui.horizontal(|ui| {
            let l = ui.label("Expression");
            egui::ComboBox::from_id_salt("filter-examples")
                .selected_text("examples")
                .show_ui(ui, |ui| {
                    for (label, text) in EXAMPLES {
                        if ui.selectable_label(false, *label).on_hover_text(*text).clicked() {
                            self.text = if self.text.trim().is_empty() {
                                text.to_string()
                            } else {
                                format!("{} | {text}", self.text.trim())
                            };
                            out.push(Command::SetFilter(self.text.clone()));
                        }
                    }
                })
                .response
                .accessible_name("Filter examples");
            l
        });
        let schema = Schema { attributes: l.engine.read().map(|g| g.catalog().attributes.clone()).unwrap_or_default() };
        let parsed = Filter::parse(&self.text, &schema);
        let error = parsed.as_ref().err().cloned();
        let mut layouter = |ui: &egui::Ui, buf: &dyn egui::TextBuffer, wrap: f32| {
            let mut job = egui::text::LayoutJob::default();
            let text = buf.as_str();
            let mono = egui::FontId::monospace(13.0);
            let normal = egui::TextFormat::simple(mono.clone(), ui.visuals().text_color());
            match &error {
                Some(e) => {
                    let start: usize = text.char_indices().nth(e.position).map(|(b, _)| b).unwrap_or(text.len());
                    let end: usize = text.char_indices().nth(e.position + e.len).map(|(b, _)| b).unwrap_or(text.len());
                    let bad = egui::TextFormat {
                        underline: egui::Stroke::new(2.0, egui::Color32::from_rgb(230, 80, 70)),
                        color: egui::Color32::from_rgb(240, 110, 100),
                        ..normal.clone()
                    };
                    job.append(&text[..start], 0.0, normal.clone());
                    job.append(&text[start..end], 0.0, bad);
                    job.append(&text[end..], 0.0, normal);
                }
                None => job.append(text, 0.0, normal),
            }
            job.wrap.max_width = wrap;
            ui.fonts_mut(|f| f.layout_job(job))
        };
        let edit = ui
            .add(
                egui::TextEdit::multiline(&mut self.text)
                    .hint_text(r#"EXCLUDE ItemID WHERE Items.CATEGORY IN ("Weapon")"#)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .layouter(&mut layouter),
            )
            .labelled_by(expr_label.inner.id);
        match &error {
            Some(e) => {
                ui.colored_label(
                    egui::Color32::from_rgb(240, 110, 100),
                    format!("position {}: {}", e.position, e.message),
                );
            }
            None if self.text.trim().is_empty() => {
                ui.weak("no expression: only the built-in filters apply");
            }
            None => {
                ui.weak("valid");
            }
        }
        // Only an expression that parses reaches the pipeline; the last good one stays in force.
        if edit.changed() && self.text != req.filter && Filter::parse(&self.text, &schema).is_ok() {
            out.push(Command::SetFilter(self.text.clone()));
        }

        // Parameters the expression uses.
        if let Ok(f) = &parsed {
            let needed = f.params();
            for p in &needed {
                if !self.params.iter().any(|(k, _)| k == p) {
                    self.params.push((p.clone(), String::new()));
                }
            }
            let mut changed = false;
            for (k, v) in self.params.iter_mut().filter(|(k, _)| needed.contains(k)) {
                ui.horizontal(|ui| {
                    let label = ui.label(format!("${k}"));
                    let hint = if k == "CATEGORY" { "e.g. \"Head skin\",\"Makeup\"" } else { "value, or \"a\",\"b\"" };
                    changed |= ui
                        .add(egui::TextEdit::singleline(v).hint_text(hint).desired_width(f32::INFINITY))
                        .labelled_by(label.id)
                        .changed();
                });
            }
            if changed {
                let map: BTreeMap<String, String> =
                    self.params.iter().filter(|(_, v)| !v.trim().is_empty()).cloned().collect();
                out.push(Command::SetParams(map));
            }
        }

        // Per-clause counts from the latest trace.
        if let Some(rec) = state.current() {
            let exprs: Vec<_> = rec.filters.iter().filter(|f| f.kind == "expression").collect();
            if !exprs.is_empty() {
                let total = rec.candidates.iter().filter(|c| c.source != "fill").count();
                for f in exprs {
                    ui.label(egui::RichText::new(format!("{}: removed {} of {}", f.id, f.removed, f.input)).strong());
                    for c in &f.clauses {
                        ui.horizontal(|ui| {
                            ui.weak(format!("{:>4} of {total}", c.matched));
                            ui.add(egui::Label::new(egui::RichText::new(&c.text).monospace().size(11.0)).truncate())
                                .on_hover_text("candidates this clause matches on its own");
                        });
                    }
                }
            }
        }

        ui.add_space(6.0);
        ui.strong("Built-in filters");
        let mut b = req.builtins.clone();
        let mut changed = false;
        // What each removed, or that the database's WHERE applied it.
        let removed = |id: &str| {
            state.current().and_then(|r| r.filters.iter().find(|f| f.id == id)).map(|f| match (&f.sql, f.removed) {
                (Some(_), 0) => "in SQL".to_string(),
                (_, n) => format!("−{n}"),
            })
        };
        for builtin in Builtin::ALL.into_iter().filter(|b| *b != Builtin::Category) {
            let mut on = builtin.enabled(&b);
            ui.horizontal(|ui| {
                if ui.checkbox(&mut on, builtin.label()).changed() {
                    builtin.set(&mut b, on);
                    changed = true;
                }
                if let Some(n) = removed(builtin.id()).filter(|_| on) {
                    ui.weak(n);
                }
            });
        }
        ui.horizontal(|ui| {
            let label = ui.label("Only categories");
            if ui
                .add(
                    egui::TextEdit::singleline(&mut self.include_cat)
                        .hint_text("comma-separated")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id)
                .lost_focus()
            {
                b.include_categories = split_list(&self.include_cat);
                changed = true;
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Exclude categories");
            if ui
                .add(
                    egui::TextEdit::singleline(&mut self.exclude_cat)
                        .hint_text("comma-separated")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id)
                .lost_focus()
            {
                b.exclude_categories = split_list(&self.exclude_cat);
                changed = true;
            }
        });
        if changed && b != req.builtins {
            out.push(Command::SetBuiltins(b));
        }
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_panel_snapshot_with_a_positioned_error() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::loaded_state(dir.path());
        let mut panel = FiltersPanel::default();
        let mut first = true;
        let mut h = crate::gui::testing::panel_harness([380.0, 420.0], move |ui| {
            let mut out = Vec::new();
            panel.ui(ui, &state, &mut out);
            if first {
                // Put a typo in the expression, as a user would.
                panel.text = r#"EXCLUDE ItemID WHERE Items.CATEGROY IN ("Weapon")"#.into();
                first = false;
            }
        });
        h.run();
        h.snapshot("filters_panel_error");
    }
}
