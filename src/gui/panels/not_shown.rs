//! "Hot but not shown": the board's top items that the current pipeline never recommends to
//! the log's recent users, each with what keeps it out (computed in
//! [`crate::eval::not_shown`] from the pipeline's trace), one click to pin it and one to
//! inspect it.

use crate::eval::board::BoardSort;
use crate::eval::not_shown::{NotShownConfig, with_pin};
use crate::gui::state::{AppState, Command};
use crate::util::format_time;

#[derive(Default)]
pub struct NotShownPanel {
    /// The check last asked for: request generation, window and sort (the moment is asked
    /// again with the button, not while the replay moves).
    asked: Option<(u64, i64, BoardSort)>,
    /// The moment of the last check.
    asked_at: Option<i64>,
    /// The item whose reason is open.
    open: Option<String>,
}

impl NotShownPanel {
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        state: &AppState,
        (at, window, sort): (i64, i64, BoardSort),
        playing: bool,
        out: &mut Vec<Command>,
    ) {
        let key = (state.generation, window, sort);
        let check = |out: &mut Vec<Command>| {
            out.push(Command::CheckNotShown(NotShownConfig { at, window, sort, ..NotShownConfig::default() }));
        };
        ui.horizontal(|ui| {
            ui.heading("Hot but not shown");
            let again = ui
                .button("Check again")
                .on_hover_text("recommend with the current filters and rules for the log's 50 latest users");
            if again.clicked() || (!playing && self.asked != Some(key)) {
                self.asked = Some(key);
                self.asked_at = Some(at);
                check(out);
            }
        });
        let running = state.jobs.iter().any(|j| j.label.starts_with("Checking the board"));
        match &state.not_shown {
            _ if running => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("recommending for the log's recent users…");
                });
            }
            None => {
                ui.weak("not checked yet");
            }
            Some((_, Err(e))) => {
                ui.colored_label(egui::Color32::from_rgb(240, 110, 100), e);
            }
            Some((generation, Ok(r))) => {
                ui.weak(format!(
                    "board's top {} by {} in ({} … {}]: {} shown to some of the {} latest users{}, {} never",
                    r.hot,
                    r.sort.label(),
                    format_time(r.at - r.window),
                    format_time(r.at),
                    r.hot_shown,
                    r.users.len(),
                    if r.unserved > 0 { format!(" ({} could not be served)", r.unserved) } else { String::new() },
                    r.items.len()
                ));
                if *generation != state.generation || self.asked_at != Some(at) {
                    ui.weak("the pipeline or the moment changed since: check again for the current one");
                }
                egui::ScrollArea::vertical().id_salt("not-shown-scroll").show(ui, |ui| {
                    egui::Grid::new("not-shown").striped(true).num_columns(5).show(ui, |ui| {
                        for item in &r.items {
                            ui.label(format!("#{}", item.board_rank));
                            ui.label(format!("{} {}", item.item_id, item.name))
                                .on_hover_text(format!("{} views · {} orders in the window", item.views, item.orders));
                            ui.label(item.why.short()).on_hover_text(&item.reason);
                            let pin = ui.small_button("Pin").on_hover_text(if item.pin_helps {
                                "add a pin rule that puts it into a free slot"
                            } else {
                                "add a pin rule for it; a pin picks among the candidates that pass the filters, so it shows only once the reason below is gone"
                            });
                            if pin.clicked() {
                                out.push(Command::SetRules(with_pin(&state.request.rules, &item.item_id, state.request.k)));
                            }
                            let open = self.open.as_deref() == Some(item.item_id.as_str());
                            if ui.small_button(if open { "Hide" } else { "Why?" }).on_hover_text("what keeps it out").clicked()
                            {
                                self.open = if open { None } else { Some(item.item_id.clone()) };
                                out.push(Command::Select(Some(item.item_id.clone())));
                            }
                            ui.end_row();
                            if open {
                                ui.label("");
                                ui.label("");
                                ui.add(egui::Label::new(&item.reason).wrap());
                                ui.end_row();
                            }
                        }
                    });
                    if r.items.is_empty() {
                        ui.label("every hot item is shown to at least one of these users");
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::not_shown::not_shown;
    use crate::pipeline::Rule;
    use egui_kittest::kittest::Queryable as _;

    #[test]
    fn lists_hot_items_not_shown_with_the_reason_and_pins_one() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = crate::gui::testing::loaded_state(dir.path());
        let l = state.loaded.as_mut().unwrap();
        let log = l.project.load_interactions().unwrap();
        let board = crate::eval::board::Board::new(&log);
        // The whole log in one window: every item with an event is on the board.
        let config = NotShownConfig { at: board.last, window: 7 * 86_400, ..NotShownConfig::default() };
        let report = {
            let g = l.engine.read().unwrap();
            not_shown(&g, &board, &log, &state.request, &config, &crate::jobs::ProgressSink::none()).unwrap()
        };
        assert_eq!(report.users.len(), 3);
        assert!(!report.items.is_empty(), "{report:?}");
        let first = report.items[0].clone();
        state.not_shown = Some((state.generation, Ok(report)));
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let o = out.clone();
        let mut panel = NotShownPanel::default();
        let moment = (config.at, config.window, config.sort);
        let mut h = crate::gui::testing::panel_harness([640.0, 400.0], move |ui| {
            panel.ui(ui, &state, moment, false, &mut o.borrow_mut());
        });
        h.run();
        assert!(
            out.borrow().iter().any(|c| matches!(c, Command::CheckNotShown(c) if c.at == config.at)),
            "the first frame asks for a check"
        );
        h.get_by_label(&format!("{} {}", first.item_id, first.name));
        assert!(h.get_all_by_label(&first.why.short()).next().is_some(), "its reason, in short");
        h.get_all_by_label("Why?").next().expect("a Why? button").click();
        h.run();
        h.get_by_label(&first.reason);
        h.get_all_by_label("Pin").next().expect("a Pin button").click();
        h.run();
        let pinned = out.borrow().iter().find_map(|c| match c {
            Command::SetRules(r) => r.rules.last().cloned(),
            _ => None,
        });
        match pinned.map(|e| e.rule) {
            Some(Rule::Pin { filter, slots }) => {
                assert_eq!(filter, format!("Items.ID IN (\"{}\")", first.item_id));
                assert_eq!(slots.len(), 1);
            }
            other => panic!("expected a pin rule, got {other:?}"),
        }
    }
}
