//! The product reaction board: per item views, clicks, add-to-carts, orders and the order rate
//! over a window, ranks by each, hot items highlighted; a time slider replays the log. Clicking
//! an item adds it to the simulated user's timeline.

use crate::eval::board::{Board, BoardRow, BoardSort};
use crate::gui::state::{AppState, BoardView, Command};
use crate::gui::widgets::badge;
use crate::store::SimAction;
use crate::util::format_time;
use std::collections::HashMap;

const WINDOWS: [(&str, i64); 4] =
    [("1 hour", 3600), ("6 hours", 6 * 3600), ("24 hours", 86_400), ("7 days", 7 * 86_400)];

pub struct BoardPanel {
    at: Option<i64>,
    window: i64,
    sort: BoardSort,
    playing: bool,
    top: usize,
    /// The rows shown and each item's rank an hour earlier, and what they were computed for.
    cache: Option<(CacheKey, Vec<BoardRow>, HashMap<String, usize>)>,
    tiles: super::board_tiles::BoardTilesPanel,
    not_shown: super::not_shown::NotShownPanel,
}

/// The board the rows were computed from (by address), the moment, the window and the sort.
type CacheKey = (usize, i64, i64, BoardSort);

impl Default for BoardPanel {
    fn default() -> Self {
        Self {
            at: None,
            window: 86_400,
            sort: BoardSort::Orders,
            playing: false,
            top: 25,
            cache: None,
            tiles: Default::default(),
            not_shown: Default::default(),
        }
    }
}

/// The window and rank-by pickers (the table's and the tiles').
pub(super) fn window_and_sort(ui: &mut egui::Ui, salt: &str, window: &mut i64, sort: &mut BoardSort) {
    let lw = ui.label("window");
    egui::ComboBox::from_id_salt((salt, "window"))
        .selected_text(WINDOWS.iter().find(|w| w.1 == *window).map(|w| w.0).unwrap_or("custom"))
        .show_ui(ui, |ui| {
            for (label, secs) in WINDOWS {
                ui.selectable_value(window, secs, label);
            }
        })
        .response
        .labelled_by(lw.id);
    let ls = ui.label("rank by");
    egui::ComboBox::from_id_salt((salt, "sort"))
        .selected_text(sort.label())
        .show_ui(ui, |ui| {
            for s in BoardSort::ALL {
                ui.selectable_value(sort, s, s.label());
            }
        })
        .response
        .labelled_by(ls.id);
}

impl BoardPanel {
    /// The board at `at` and the ranks an hour earlier (the arrows show how it moves), computed
    /// again only when the board, the moment, the window or the sort changes.
    fn rows(&mut self, board: &std::sync::Arc<Board>, at: i64) -> (&[BoardRow], &HashMap<String, usize>) {
        let key = (std::sync::Arc::as_ptr(board) as usize, at, self.window, self.sort);
        if self.cache.as_ref().map(|c| c.0) != Some(key) {
            let rows = board.at(at, self.window, self.sort);
            let before = board
                .ranks_at(at - 3600, self.window, self.sort)
                .into_iter()
                .map(|(id, rank)| (id.to_string(), rank))
                .collect();
            self.cache = Some((key, rows, before));
        }
        let (_, rows, before) = self.cache.as_ref().expect("filled above");
        (rows, before)
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            for (view, label) in [(BoardView::Table, "Table"), (BoardView::Tiles, "Tiles")] {
                if ui.selectable_label(state.board_view == view, label).clicked() {
                    out.push(Command::ShowBoard(view));
                }
            }
        });
        if state.board_view == BoardView::Tiles {
            self.tiles_and_not_shown(ui, state, out);
        } else {
            self.table(ui, state, out);
        }
    }

    /// The tiles, with the "hot but not shown" list below them.
    fn tiles_and_not_shown(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        egui::Panel::bottom("board-not-shown").resizable(true).default_size(280.0).size_range(160.0..=600.0).show(
            ui,
            |ui| {
                let at = self.tiles.at().unwrap_or(state.request.now);
                let moment = (at, self.tiles.window, self.tiles.sort);
                self.not_shown.ui(ui, state, moment, self.tiles.is_playing(), out);
            },
        );
        egui::CentralPanel::default().show(ui, |ui| self.tiles.ui(ui, state, out));
    }

    fn table(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let board = &l.board;
        if board.first == board.last {
            ui.weak("The interaction log is empty: import one to see the board.");
            return;
        }
        let at = self.at.get_or_insert(state.request.now.clamp(board.first, board.last + self.window));
        ui.horizontal_wrapped(|ui| {
            ui.heading("Reaction board");
            let play = if self.playing { "Pause" } else { "Replay" };
            if ui.button(play).on_hover_text("move the window through the log, an hour per frame").clicked() {
                if !self.playing && *at >= board.last {
                    *at = board.first + self.window;
                }
                self.playing = !self.playing;
            }
            window_and_sort(ui, "board", &mut self.window, &mut self.sort);
        });
        let mut t = *at as f64;
        let lt = ui.label(format!("window ({} … {}]", format_time(*at - self.window), format_time(*at)));
        // No step, as in the tile view: the window may sit at any moment (the scenario's time).
        let slider = egui::Slider::new(&mut t, board.first as f64..=(board.last + 3600) as f64).show_value(false);
        if ui.add_sized([ui.available_width(), 20.0], slider).labelled_by(lt.id).changed() {
            *at = t as i64;
            self.playing = false;
        }
        if self.playing {
            *at += 3600;
            if *at > board.last + 3600 {
                self.playing = false;
            }
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(60));
        }
        let (at, top) = (*at, self.top);
        let col = BoardSort::ALL.iter().position(|s| *s == self.sort).unwrap_or(3);
        let (now_rows, before) = self.rows(board, at);
        let names = l.engine.read().ok().map(|g| {
            now_rows
                .iter()
                .take(top)
                .map(|r| {
                    (
                        r.item_id.clone(),
                        g.catalog()
                            .get(&r.item_id)
                            .map(|i| i.display_name().to_string())
                            .unwrap_or_else(|| "(not in catalog)".into()),
                    )
                })
                .collect::<HashMap<_, _>>()
        });
        egui::ScrollArea::vertical().id_salt("board-scroll").show(ui, |ui| {
            egui::Grid::new("board").striped(true).num_columns(10).show(ui, |ui| {
                for h in ["#", "", "item", "views", "clicks", "carts", "orders", "rate", "events", ""] {
                    ui.strong(h);
                }
                ui.end_row();
                for r in now_rows.iter().take(top) {
                    ui.label(r.ranks[col].to_string());
                    match before.get(&r.item_id) {
                        Some(&p) if p > r.ranks[col] => {
                            ui.colored_label(egui::Color32::from_rgb(90, 190, 110), format!("▲{}", p - r.ranks[col]))
                        }
                        Some(&p) if p < r.ranks[col] => {
                            ui.colored_label(egui::Color32::from_rgb(220, 100, 90), format!("▼{}", r.ranks[col] - p))
                        }
                        Some(_) => ui.weak("="),
                        None => ui.weak("new"),
                    };
                    let name = names.as_ref().and_then(|n| n.get(&r.item_id)).cloned().unwrap_or_default();
                    if ui
                        .link(format!("{} {name}", r.item_id))
                        .on_hover_text("add a click on it to the simulated user")
                        .clicked()
                    {
                        out.push(Command::AddAction(SimAction::on_item(
                            "click",
                            r.item_id.as_str(),
                            state.request.now,
                        )));
                    }
                    ui.label(r.views.to_string());
                    ui.label(r.clicks.to_string());
                    ui.label(r.carts.to_string());
                    ui.label(r.orders.to_string());
                    ui.label(format!("{:.1}%", 100.0 * r.order_rate));
                    ui.label(format!("{} ({} before)", r.events, r.previous));
                    if r.hot {
                        badge(ui, "hot", egui::Color32::from_rgb(240, 120, 80))
                            .on_hover_text("at least twice the events of the window before");
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
            if now_rows.is_empty() {
                ui.weak("no events in this window");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_replays_the_log_from_any_moment_until_paused() {
        use egui_kittest::kittest::Queryable as _;
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::state_with_board(dir.path());
        let first = state.loaded.as_ref().unwrap().board.first;
        let panel = std::rc::Rc::new(std::cell::RefCell::new(BoardPanel::default()));
        // Half an hour off the hour grid, as after a drag or from the scenario's time.
        let start = first + panel.borrow().window + 1800;
        panel.borrow_mut().at = Some(start);
        let p = panel.clone();
        let mut h = crate::gui::testing::panel_harness([1000.0, 600.0], move |ui| {
            p.borrow_mut().table(ui, &state, &mut Vec::new());
        });
        h.run();
        h.get_by_label("Replay").click();
        h.run_steps(5);
        assert!(panel.borrow().playing, "still playing after a few frames");
        assert!(panel.borrow().at.unwrap() > start, "the window moves an hour per frame");
        h.get_by_label("Pause").click();
        h.run_steps(2);
        assert!(!panel.borrow().playing);
    }
}
