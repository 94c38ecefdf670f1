//! The reaction board as tiles, like a stock-exchange board: one tile per item, red as bright
//! as its views and blue as bright as its orders in the window, its order rate and rank, a
//! sparkline of its last 24 hours; tiles flash when events arrive while the log replays
//! (play/pause, speed, a scrubber over the log's time range); filters by vertical and category.
//! What a tile shows comes from [`crate::eval::tiles`]; only the replay clock lives here.

use crate::eval::board::{Board, BoardSort};
use crate::eval::tiles::{SPARK_HOURS, Tile, TileFilter, advance, tiles};
use crate::gui::state::{AppState, Command};
use crate::util::format_time;
use egui::{Color32, Pos2, Rect, Sense, Stroke, Vec2};
use std::collections::HashMap;
use std::sync::Arc;

const TILE: Vec2 = Vec2::new(168.0, 92.0);
const GAP: f32 = 6.0;
const VIEWS: Color32 = Color32::from_rgb(225, 45, 45);
const ORDERS: Color32 = Color32::from_rgb(50, 110, 240);
const FLASH: Color32 = Color32::from_rgb(255, 235, 120);
/// How long a flash fades, in seconds.
const FLASH_SECS: f64 = 0.8;
/// Replay speeds: log time per second.
const SPEEDS: [(&str, f64); 4] =
    [("10 min/s", 600.0), ("1 hour/s", 3600.0), ("6 hours/s", 6.0 * 3600.0), ("1 day/s", 86_400.0)];
const LIMITS: [usize; 4] = [24, 48, 96, 0];

pub struct BoardTilesPanel {
    at: Option<i64>,
    pub window: i64,
    pub sort: BoardSort,
    playing: bool,
    speed: f64,
    filter: TileFilter,
    /// The replay moment of the previous frame: what arrived after it flashes.
    since: Option<i64>,
    /// Item → (when it flashed, in UI seconds; views and orders that arrived).
    flashes: HashMap<String, (f64, u64, u64)>,
    /// The tiles and what they were computed for.
    cache: Option<(TilesKey, Vec<Tile>)>,
}

type TilesKey = (usize, i64, i64, BoardSort, Option<i64>, TileFilter);

impl Default for BoardTilesPanel {
    fn default() -> Self {
        Self {
            at: None,
            window: 86_400,
            sort: BoardSort::Orders,
            playing: false,
            speed: 3600.0,
            filter: TileFilter { limit: 48, ..Default::default() },
            since: None,
            flashes: HashMap::new(),
            cache: None,
        }
    }
}

/// `base` moved toward `to` by `t` (0..1).
fn mix(base: Color32, to: Color32, t: f32) -> Color32 {
    let t = t.clamp(0.0, 1.0);
    let f = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
    Color32::from_rgb(f(base.r(), to.r()), f(base.g(), to.g()), f(base.b(), to.b()))
}

/// A tile's fill: red for views and blue for orders, each by its share of the brightest tile
/// (square root, so small counts still show), added over the background.
fn fill(base: Color32, views: f32, orders: f32) -> Color32 {
    let red = mix(base, VIEWS, views);
    let both = mix(red, ORDERS, orders * 0.85);
    // Views and orders together read as purple, not as blue over red.
    if views > 0.0 && orders > 0.0 {
        Color32::from_rgb(both.r().max(red.r() / 2 + both.r() / 2), both.g(), both.b())
    } else {
        both
    }
}

fn text_on(fill: Color32) -> Color32 {
    let l = 0.299 * fill.r() as f32 + 0.587 * fill.g() as f32 + 0.114 * fill.b() as f32;
    if l > 150.0 { Color32::BLACK } else { Color32::WHITE }
}

impl BoardTilesPanel {
    /// The moment the replay shows (for the "hot but not shown" check).
    pub fn at(&self) -> Option<i64> {
        self.at
    }

    pub fn is_playing(&self) -> bool {
        self.playing
    }

    fn tiles(&mut self, board: &Arc<Board>, at: i64, state: &AppState) -> &[Tile] {
        let key = (Arc::as_ptr(board) as usize, at, self.window, self.sort, self.since, self.filter.clone());
        if self.cache.as_ref().map(|c| &c.0) != Some(&key) {
            let engine = state.loaded.as_ref().and_then(|l| l.engine.read().ok());
            let list = tiles(board, at, self.window, self.sort, self.since, &self.filter, |id| {
                engine.as_ref().and_then(|g| g.catalog().get(id))
            });
            self.cache = Some((key, list));
        }
        self.cache.as_ref().map(|c| c.1.as_slice()).unwrap_or(&[])
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let board = l.board.clone();
        if board.first == board.last {
            ui.weak("The interaction log is empty: import one to see the board.");
            return;
        }
        let end = board.last + 3600;
        let mut at = *self.at.get_or_insert(state.request.now.clamp(board.first, end));
        self.controls(ui, l, &board, &mut at, end);
        let now = ui.input(|i| i.time);
        if self.playing {
            let dt = ui.input(|i| i.stable_dt) as f64;
            match advance(at, self.speed, dt, end) {
                Ok((next, ended)) => {
                    self.since = Some(at);
                    at = next;
                    self.playing = !ended;
                }
                Err(_) => self.playing = false,
            }
            ui.ctx().request_repaint();
        }
        self.at = Some(at);
        let tiles = self.tiles(&board, at, state).to_vec();
        if self.playing {
            for t in tiles.iter().filter(|t| t.new_views + t.new_orders > 0) {
                self.flashes.insert(t.item_id.clone(), (now, t.new_views, t.new_orders));
            }
        } else {
            self.since = None;
        }
        self.flashes.retain(|_, f| now - f.0 < FLASH_SECS);
        if !self.flashes.is_empty() {
            ui.ctx().request_repaint();
        }
        let max_views = tiles.iter().map(|t| t.views).max().unwrap_or(0).max(1) as f32;
        let max_orders = tiles.iter().map(|t| t.orders).max().unwrap_or(0).max(1) as f32;
        legend(ui, max_views as u64, max_orders as u64);
        if tiles.is_empty() {
            ui.weak("no item has events in this window (or none matches the filters)");
            return;
        }
        let columns = (((ui.available_width() + GAP) / (TILE.x + GAP)).floor() as usize).max(1);
        egui::ScrollArea::vertical().id_salt("board-tiles-scroll").max_height(ui.available_height() - 4.0).show(
            ui,
            |ui| {
                for row in tiles.chunks(columns) {
                    ui.horizontal(|ui| {
                        ui.spacing_mut().item_spacing.x = GAP;
                        for t in row {
                            let flash = self.flashes.get(&t.item_id).map(|f| (1.0 - (now - f.0) / FLASH_SECS) as f32);
                            let views = (t.views as f32 / max_views).sqrt();
                            let orders = (t.orders as f32 / max_orders).sqrt();
                            if tile(ui, t, views, orders, flash).clicked() {
                                out.push(Command::Select(Some(t.item_id.clone())));
                            }
                        }
                    });
                    ui.add_space(GAP - ui.spacing().item_spacing.y);
                }
            },
        );
    }

    fn controls(&mut self, ui: &mut egui::Ui, l: &crate::gui::state::Loaded, board: &Board, at: &mut i64, end: i64) {
        ui.horizontal_wrapped(|ui| {
            let play = if self.playing { "Pause" } else { "▶ Play" };
            if ui.button(play).on_hover_text("replay the log: the window moves at the chosen speed").clicked() {
                if !self.playing && *at >= end {
                    *at = board.first + self.window.min(end - board.first);
                }
                self.playing = !self.playing;
                self.since = None;
            }
            let ls = ui.label("speed");
            egui::ComboBox::from_id_salt("tiles-speed")
                .selected_text(SPEEDS.iter().find(|s| s.1 == self.speed).map(|s| s.0).unwrap_or("custom"))
                .show_ui(ui, |ui| {
                    for (label, v) in SPEEDS {
                        ui.selectable_value(&mut self.speed, v, label);
                    }
                })
                .response
                .labelled_by(ls.id);
            super::board::window_and_sort(ui, "tiles", &mut self.window, &mut self.sort);
            let verticals = l.verticals.iter().map(|v| (v.clone(), v.clone()));
            pick(ui, "vertical", &mut self.filter.vertical, verticals);
            let categories = l.categories.iter().map(|(c, n)| (c.clone(), format!("{c} ({n})")));
            pick(ui, "category", &mut self.filter.category, categories);
            let ln = ui.label("show");
            egui::ComboBox::from_id_salt("tiles-limit")
                .selected_text(if self.filter.limit == 0 {
                    "all".to_string()
                } else {
                    format!("top {}", self.filter.limit)
                })
                .show_ui(ui, |ui| {
                    for n in LIMITS {
                        let label = if n == 0 { "all".to_string() } else { format!("top {n}") };
                        ui.selectable_value(&mut self.filter.limit, n, label);
                    }
                })
                .response
                .labelled_by(ln.id);
        });
        let mut t = *at as f64;
        let lt = ui.label(format!(
            "window ({} … {}]   log {} … {}",
            format_time(*at - self.window),
            format_time(*at),
            format_time(board.first),
            format_time(board.last)
        ));
        // No step: a slider rounds even a value it was not dragged to, which would read as a drag.
        let slider = egui::Slider::new(&mut t, board.first as f64..=end as f64).show_value(false);
        if ui.add_sized([ui.available_width(), 20.0], slider).labelled_by(lt.id).changed() {
            *at = t as i64;
            self.playing = false;
            self.since = None;
        }
    }
}

/// A labelled picker of one value or "all".
fn pick(ui: &mut egui::Ui, label: &str, value: &mut Option<String>, options: impl Iterator<Item = (String, String)>) {
    let l = ui.label(label);
    egui::ComboBox::from_id_salt(("tiles", label))
        .selected_text(value.as_deref().unwrap_or("all"))
        .show_ui(ui, |ui| {
            ui.selectable_value(value, None, "all");
            for (v, text) in options {
                ui.selectable_value(value, Some(v), text);
            }
        })
        .response
        .labelled_by(l.id);
}

/// What the colours, the border and the line mean.
fn legend(ui: &mut egui::Ui, max_views: u64, max_orders: u64) {
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(VIEWS, "■");
        ui.label(format!("red: views in the window (brightest = {max_views})"));
        ui.colored_label(ORDERS, "■");
        ui.label(format!("blue: orders (brightest = {max_orders}); both: purple"));
        ui.colored_label(FLASH, "■");
        ui.label("flash: events just arrived");
        ui.weak(format!("line: events per hour, last {SPARK_HOURS} h · hot: twice the window before"));
    });
}

/// One tile; `views` and `orders` are its brightness (0..1), `flash` how much is left of a
/// flash (1 fresh, 0 gone).
fn tile(ui: &mut egui::Ui, t: &Tile, views: f32, orders: f32, flash: Option<f32>) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(TILE, Sense::click());
    let label = format!("#{} {} {}", t.rank, t.item_id, t.name);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    let painter = ui.painter_at(rect);
    let base = ui.visuals().extreme_bg_color;
    let bg = fill(base, views, orders);
    painter.rect_filled(rect, 4.0, bg);
    let text = text_on(bg);
    let small = egui::FontId::proportional(11.0);
    let pad = 6.0;
    painter.text(
        rect.left_top() + Vec2::new(pad, pad - 1.0),
        egui::Align2::LEFT_TOP,
        format!("#{}{}", t.rank, if t.hot { " hot" } else { "" }),
        egui::FontId::proportional(15.0),
        text,
    );
    painter.text(
        rect.right_top() + Vec2::new(-pad, pad),
        egui::Align2::RIGHT_TOP,
        format!("{:.1}%", 100.0 * t.order_rate),
        egui::FontId::proportional(13.0),
        text,
    );
    let name = truncate(&format!("{} {}", t.item_id, t.name), 26);
    painter.text(rect.left_top() + Vec2::new(pad, 26.0), egui::Align2::LEFT_TOP, name, small.clone(), text);
    painter.text(
        rect.left_top() + Vec2::new(pad, 41.0),
        egui::Align2::LEFT_TOP,
        format!("{} views · {} orders", t.views, t.orders),
        small,
        text,
    );
    // The sparkline along the bottom.
    let spark = Rect::from_min_max(
        Pos2::new(rect.left() + pad, rect.bottom() - 26.0),
        Pos2::new(rect.right() - pad, rect.bottom() - 5.0),
    );
    let max = t.spark.iter().copied().max().unwrap_or(0).max(1) as f32;
    let n = t.spark.len().max(2) as f32 - 1.0;
    let points: Vec<Pos2> = t
        .spark
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Pos2::new(spark.left() + spark.width() * i as f32 / n, spark.bottom() - spark.height() * *v as f32 / max)
        })
        .collect();
    painter.add(egui::Shape::line(points, Stroke::new(1.4, text.gamma_multiply(0.8))));
    if let Some(f) = flash.filter(|f| *f > 0.0) {
        painter.rect_stroke(rect.shrink(1.0), 4.0, Stroke::new(3.0, FLASH.gamma_multiply(f)), egui::StrokeKind::Inside);
    }
    response.on_hover_text(format!(
        "{} {}\n{}{}\nrank #{} · {} views · {} orders · order rate {:.1}%\nlast {SPARK_HOURS} h: {} events{}\nclick to inspect it",
        t.item_id,
        t.name,
        t.category.as_deref().unwrap_or("no category"),
        t.vertical.as_deref().map(|v| format!(" · {v}")).unwrap_or_default(),
        t.rank,
        t.views,
        t.orders,
        100.0 * t.order_rate,
        t.spark.iter().sum::<u64>(),
        if t.hot { "\nhot: at least twice the events of the window before" } else { "" }
    ))
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::kittest::Queryable as _;

    #[test]
    fn tiles_show_items_with_rank_and_play_replays_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::gui::testing::state_with_board(dir.path());
        let panel = std::rc::Rc::new(std::cell::RefCell::new(BoardTilesPanel::default()));
        let out = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let (p, o) = (panel.clone(), out.clone());
        let mut h = crate::gui::testing::panel_harness([1000.0, 600.0], move |ui| {
            p.borrow_mut().ui(ui, &state, &mut o.borrow_mut());
        });
        h.run();
        // The window ends an hour after the last event: u2 and u3's day.
        h.get_by_label_contains("2001 Strawberries 500g");
        h.get_by_label_contains("red: views in the window");
        assert!(h.query_by_label_contains("1002 Serena's Exo Sister").is_none(), "u1's day is out of the window");
        h.get_by_label_contains("2001 Strawberries 500g").click();
        h.run();
        assert!(
            out.borrow().iter().any(|c| matches!(c, Command::Select(Some(id)) if id == "2001")),
            "a click inspects the item"
        );
        let before = panel.borrow().at().unwrap();
        h.get_by_label("▶ Play").click();
        h.run_steps(5);
        assert!(panel.borrow().is_playing(), "playing");
        let after = panel.borrow().at().unwrap();
        assert_ne!(before, after, "the window moves while playing");
        h.get_by_label("Pause").click();
        h.run_steps(2);
        assert!(!panel.borrow().is_playing());
    }

    #[test]
    fn views_are_red_orders_blue_and_text_stays_readable() {
        let base = Color32::from_rgb(20, 20, 20);
        let v = fill(base, 1.0, 0.0);
        assert!(v.r() > 200 && v.b() < 60, "{v:?}");
        let o = fill(base, 0.0, 1.0);
        assert!(o.b() > 180 && o.r() < 80, "{o:?}");
        assert_eq!(fill(base, 0.0, 0.0), base);
        assert_eq!(text_on(base), Color32::WHITE);
        assert_eq!(text_on(Color32::from_rgb(250, 250, 240)), Color32::BLACK);
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
