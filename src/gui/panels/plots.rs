//! Plots: the embedding map (2-D PCA of every item vector) with the user's items, the results
//! and the filtered-out candidates in their own colours; the similarity distribution of the
//! candidates; the funnel.

use super::effects::funnel_plot;
use crate::gui::state::{AppState, Command};
use egui::Color32;
use egui_plot::{Bar, BarChart, HoverPosition, Legend, Plot, PlotPoints, Points};
use std::collections::{HashMap, HashSet};

#[derive(Default)]
pub struct PlotsPanel;

const OTHER: Color32 = Color32::from_rgb(120, 120, 130);
const ACTION: Color32 = Color32::from_rgb(240, 180, 60);
const RESULT: Color32 = Color32::from_rgb(90, 190, 110);
const REMOVED: Color32 = Color32::from_rgb(220, 90, 90);

impl PlotsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let Some(points) = &state.projection else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("projecting the vectors…");
            });
            return;
        };
        let Ok(g) = l.engine.read() else { return };
        let rec = state.current();
        let actions: HashSet<&str> = state.request.actions.iter().filter_map(|a| a.item_id.as_deref()).collect();
        let results: HashSet<&str> =
            rec.map(|r| r.results.iter().map(|x| x.item_id.as_str()).collect()).unwrap_or_default();
        let removed: HashSet<&str> = rec
            .map(|r| r.candidates.iter().filter(|c| c.removed_by.is_some()).map(|c| c.item_id.as_str()).collect())
            .unwrap_or_default();
        // Points and item labels per group, in the same order.
        let mut groups: HashMap<&str, (Vec<[f64; 2]>, Vec<String>)> = HashMap::new();
        for (key, xy) in points.iter() {
            let Some(item) = g.catalog.by_key(*key) else { continue };
            let group = if actions.contains(item.id.as_str()) {
                "user's items"
            } else if results.contains(item.id.as_str()) {
                "recommended"
            } else if removed.contains(item.id.as_str()) {
                "filtered out"
            } else {
                "catalog"
            };
            let e = groups.entry(group).or_default();
            e.0.push([xy[0] as f64, xy[1] as f64]);
            e.1.push(format!("{} {}", item.id, item.display_name()));
        }
        ui.heading("Embedding map (PCA of all item vectors)");
        let height = (ui.available_height() - 200.0).max(260.0);
        let labels: HashMap<String, Vec<String>> = groups.iter().map(|(k, v)| (k.to_string(), v.1.clone())).collect();
        let response = Plot::new("embedding-map")
            .height(height)
            .data_aspect(1.0)
            .legend(Legend::default())
            .label_formatter(move |hover| match hover {
                // Name the item under the cursor.
                HoverPosition::NearDataPoint { plot_name, index, .. } => {
                    labels.get(*plot_name).and_then(|l| l.get(*index)).cloned()
                }
                HoverPosition::Elsewhere { .. } => None,
            })
            .show(ui, |plot| {
                for (group, color, radius) in [
                    ("catalog", OTHER, 1.5),
                    ("filtered out", REMOVED, 3.0),
                    ("recommended", RESULT, 4.0),
                    ("user's items", ACTION, 6.0),
                ] {
                    if let Some((pts, _)) = groups.get(group) {
                        plot.points(Points::new(group, PlotPoints::from(pts.clone())).color(color).radius(radius));
                    }
                }
                plot.pointer_coordinate()
            });
        let names: Vec<([f64; 2], &String)> =
            groups.values().flat_map(|(p, n)| p.iter().copied().zip(n.iter())).collect();
        if response.response.clicked()
            && let Some(p) = response.inner
            && let Some((_, name)) = names.iter().min_by(|a, b| dist(a.0, [p.x, p.y]).total_cmp(&dist(b.0, [p.x, p.y])))
            && let Some(id) = name.split(' ').next()
        {
            out.push(Command::Select(Some(id.to_string())));
        }
        let Some(rec) = rec else { return };
        ui.columns(2, |cols| {
            cols[0].strong("Similarity of the candidates");
            let mut bins = [0usize; 20];
            for c in &rec.candidates {
                let b = (((c.similarity + 1.0) / 2.0 * 20.0).floor() as isize).clamp(0, 19) as usize;
                bins[b] += 1;
            }
            let bars: Vec<Bar> = bins
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| {
                    Bar::new(-1.0 + (i as f64 + 0.5) * 0.1, *n as f64).width(0.09).fill(Color32::from_rgb(90, 140, 220))
                })
                .collect();
            Plot::new("similarity-hist")
                .height(170.0)
                .allow_zoom(false)
                .allow_drag(false)
                .show(&mut cols[0], |plot| plot.bar_chart(BarChart::new("candidates", bars)));
            cols[1].strong("Funnel");
            funnel_plot(&mut cols[1], rec, "funnel-plots", 170.0);
        });
    }
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}
