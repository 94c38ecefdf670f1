//! Candidate sources: which sources propose candidates and how many each may propose, with
//! what each proposed in the latest result.

use crate::gui::state::{AppState, Command};
use crate::pipeline::{Source, Sources};

#[derive(Default)]
pub struct SourcesPanel {
    /// Why the last change was not applied, until the next change.
    refused: Option<String>,
}

/// A quota slider that is also the source's switch (0 = off).
fn quota(ui: &mut egui::Ui, label: &str, tip: &str, value: &mut usize) -> bool {
    ui.horizontal(|ui| {
        let l = ui.label(label).on_hover_text(tip);
        ui.add(egui::Slider::new(value, 0..=300).text("0 = off")).labelled_by(l.id).changed()
    })
    .inner
}

/// Days as a slider where 0 means "unset".
fn days(ui: &mut egui::Ui, text: &str, value: &mut Option<f32>, max: f32) -> bool {
    let mut d = value.unwrap_or(0.0);
    let changed = ui.add(egui::Slider::new(&mut d, 0.0..=max).text(text)).changed();
    if changed {
        *value = (d > 0.0).then_some(d);
    }
    changed
}

impl SourcesPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        ui.heading("Candidate sources");
        let mut s: Sources = state.request.sources.clone();
        let mut changed = false;
        ui.horizontal(|ui| {
            changed |= ui
                .checkbox(&mut s.content, "content")
                .on_hover_text("the nearest neighbours of the anchors (as many as the candidate count)")
                .changed();
            let mut n = state.request.candidates;
            let l = ui.label("candidates");
            if ui.add(egui::DragValue::new(&mut n).range(10..=5000).speed(5.0)).labelled_by(l.id).changed() {
                out.push(Command::SetCandidates(n));
            }
        });
        changed |= quota(
            ui,
            "co-occurrence",
            "items other users acted on together with the user's recent items",
            &mut s.cooccurrence,
        );
        if s.cooccurrence > 0 {
            changed |= ui.add(egui::Slider::new(&mut s.recent_items, 1..=50).text("recent items")).changed();
        }
        changed |= quota(ui, "popularity", "the most popular items in a window before now", &mut s.popularity);
        if s.popularity > 0 {
            changed |= days(ui, "window (days, 0 = all)", &mut s.popularity_window_days, 120.0);
        }
        changed |= quota(ui, "new items", "released items with no interactions yet, newest first", &mut s.new_items);
        if s.new_items > 0 {
            changed |= days(ui, "max age (days, 0 = any)", &mut s.new_max_age_days, 120.0);
        }
        if changed {
            match s.check() {
                Ok(()) => {
                    self.refused = None;
                    out.push(Command::SetSources(s.clone()));
                }
                Err(e) => self.refused = Some(e.to_string()),
            }
        }
        if let Some(why) = &self.refused {
            ui.add(egui::Label::new(egui::RichText::new(why).color(egui::Color32::from_rgb(230, 120, 90))).wrap());
        }
        if let Some(rec) = state.current() {
            egui::Grid::new("sources-grid").striped(true).show(ui, |ui| {
                for title in ["source", "proposed", "only here", "removed", "in results"] {
                    ui.weak(title);
                }
                ui.end_row();
                for x in &rec.sources {
                    let name = Source::parse(x.source).map(|s| s.short()).unwrap_or(x.source);
                    ui.label(name);
                    ui.label(format!("{} / {}", x.proposed, x.quota));
                    ui.label(x.only_here.to_string());
                    ui.label(x.removed.to_string());
                    ui.label(x.in_results.to_string());
                    ui.end_row();
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable;

    fn harness(state: AppState) -> (egui_kittest::Harness<'static>, std::rc::Rc<std::cell::RefCell<Vec<Command>>>) {
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = out.clone();
        let mut panel = SourcesPanel::default();
        let h = crate::gui::testing::panel_harness([380.0, 400.0], move |ui| {
            let mut o = Vec::new();
            panel.ui(ui, &state, &mut o);
            sink.borrow_mut().extend(o);
        });
        (h, out)
    }

    #[test]
    fn content_can_be_turned_off_only_while_another_source_is_on() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::loaded_state(dir.path());
        let (mut h, out) = harness(state);
        h.run();
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "content").click();
        h.run();
        // Content was the only source: turning it off is refused, nothing is sent.
        assert!(out.borrow().iter().all(|c| !matches!(c, Command::SetSources(_))));
        assert!(h.query_by_label_contains("every source is off").is_some());

        let mut state = crate::gui::testing::loaded_state(dir.path());
        state.request.sources = Sources { popularity: 20, ..Sources::default() };
        let (mut h, out) = harness(state);
        h.run();
        h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "content").click();
        h.run();
        let sent: Vec<Sources> = out
            .borrow()
            .iter()
            .filter_map(|c| if let Command::SetSources(s) = c { Some(s.clone()) } else { None })
            .collect();
        assert_eq!(sent.first(), Some(&Sources { content: false, popularity: 20, ..Sources::default() }));
    }
}
