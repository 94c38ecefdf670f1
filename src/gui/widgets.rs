//! Small widgets shared by the panels.

use crate::pipeline::{Catalog, ResultRow};
use egui::{Color32, Rect, Sense, Stroke, Ui, Vec2};

/// A colour per rule (and one for similarity), stable across frames.
pub fn rule_color(name: &str) -> Color32 {
    let base = name.split('#').next().unwrap_or(name);
    match base {
        "similarity" => Color32::from_rgb(90, 140, 220),
        "same_category" => Color32::from_rgb(110, 190, 120),
        "new_item" => Color32::from_rgb(240, 180, 60),
        "popularity" => Color32::from_rgb(200, 110, 200),
        "price_band" => Color32::from_rgb(80, 190, 190),
        "freshness" => Color32::from_rgb(150, 200, 80),
        "mmr" => Color32::from_rgb(220, 90, 90),
        _ => {
            let h = name.bytes().fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
            Color32::from_rgb(100 + (h % 120) as u8, 100 + ((h / 7) % 120) as u8, 100 + ((h / 49) % 120) as u8)
        }
    }
}

/// A horizontal bar: similarity, then each positive contribution; negative contributions are
/// drawn as red-outlined segments eating into the bar from the right. `scale` is the score that
/// fills the width.
pub fn score_bar(ui: &mut Ui, row: &ResultRow, scale: f32, width: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, 14.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let px = |v: f32| (v.max(0.0) / scale.max(1e-6)) * rect.width();
    let mut x = rect.left();
    let seg = |x: &mut f32, w: f32, color: Color32| {
        let w = w.min(rect.right() - *x).max(0.0);
        if w > 0.0 {
            painter.rect_filled(
                Rect::from_min_size(egui::pos2(*x, rect.top() + 1.0), Vec2::new(w, rect.height() - 2.0)),
                1.0,
                color,
            );
            *x += w;
        }
    };
    seg(&mut x, px(row.similarity as f32), rule_color("similarity"));
    for c in row.contributions.iter().filter(|c| c.value > 0.0) {
        seg(&mut x, px(c.value as f32), rule_color(&c.rule));
    }
    let negative: f32 = row.contributions.iter().filter(|c| c.value < 0.0).map(|c| -c.value as f32).sum();
    if negative > 0.0 {
        let w = px(negative).min(x - rect.left());
        let r = Rect::from_min_max(egui::pos2(x - w, rect.top() + 1.0), egui::pos2(x, rect.bottom() - 1.0));
        painter.rect_filled(r, 1.0, Color32::from_black_alpha(120));
        painter.rect_stroke(r, 1.0, Stroke::new(1.0, rule_color("mmr")), egui::StrokeKind::Inside);
    }
    response.on_hover_ui(|ui| {
        ui.label(format!("similarity {:+.3}", row.similarity));
        for c in &row.contributions {
            ui.colored_label(rule_color(&c.rule), format!("{} {:+.3}", c.rule, c.value));
        }
        ui.strong(format!("score {:.3}", row.score));
    })
}

/// A small coloured tag such as "new".
pub fn badge(ui: &mut Ui, text: &str, color: Color32) -> egui::Response {
    let galley = ui.painter().layout_no_wrap(text.to_string(), egui::FontId::proportional(11.0), Color32::BLACK);
    let size = galley.size() + Vec2::new(8.0, 2.0);
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    ui.painter().rect_filled(rect, 4.0, color);
    ui.painter().galley(rect.min + Vec2::new(4.0, 1.0), galley, Color32::BLACK);
    response
}

/// "▲3", "▼2" or "=" for a rank change.
pub fn rank_change(ui: &mut Ui, change: i64) {
    match change {
        0 => ui.weak("="),
        d if d > 0 => ui.colored_label(Color32::from_rgb(90, 190, 110), format!("▲{d}")),
        d => ui.colored_label(Color32::from_rgb(220, 100, 90), format!("▼{}", -d)),
    };
}

/// A text field that suggests catalog items as you type; returns the id picked, if any.
#[derive(Default)]
pub struct ItemPicker {
    pub query: String,
}

impl ItemPicker {
    pub fn ui(&mut self, ui: &mut Ui, catalog: &Catalog, label: &str, hint: &str) -> Option<String> {
        let edit = ui
            .horizontal(|ui| {
                let l = ui.label(label);
                ui.add(egui::TextEdit::singleline(&mut self.query).hint_text(hint).desired_width(f32::INFINITY))
                    .labelled_by(l.id)
            })
            .inner;
        let mut picked = None;
        if !self.query.trim().is_empty() {
            let hits = catalog.search(&self.query, 8);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                if hits.is_empty() {
                    ui.weak("no item matches");
                }
                for item in hits {
                    let label = match &item.name_alt {
                        Some(alt) => format!("{}  {} / {}", item.id, item.name, alt),
                        None => format!("{}  {}", item.id, item.name),
                    };
                    if ui.selectable_label(false, label).clicked() {
                        picked = Some(item.id.clone());
                    }
                }
            });
            if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                picked = catalog.search(&self.query, 1).first().map(|i| i.id.clone());
            }
        }
        if picked.is_some() {
            self.query.clear();
        }
        picked
    }
}

/// A row of "name: [text] [button]" that returns the text when the button is clicked.
pub fn name_and_button(ui: &mut Ui, buffer: &mut String, hint: &str, button: &str) -> Option<String> {
    let mut out = None;
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(buffer).hint_text(hint).desired_width(140.0)).accessible_name(hint);
        let enabled = !buffer.trim().is_empty();
        if ui.add_enabled(enabled, egui::Button::new(button)).clicked() {
            out = Some(buffer.trim().to_string());
        }
    });
    out
}
