//! Plots: the embedding map (2-D PCA of every item vector) with the user's items, the results
//! and the filtered-out candidates in their own colours; the similarity distribution of the
//! candidates; the funnel.

use super::effects::funnel_plot;
use crate::gui::state::{AppState, Command, Projection};
use crate::pipeline::Engine;
use egui::Color32;
use egui_plot::{Bar, BarChart, HoverPosition, Legend, Plot, PlotPoint, PlotPoints, Points, VLine};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Default)]
pub struct PlotsPanel {
    base: Option<BaseMap>,
    map: Option<MapCache>,
}

/// Above this many items the map shows an even sample of the catalog (the user's items, the
/// results and the filtered-out candidates are always all there): drawing 100,000 points
/// every frame would cost more than a frame.
const MAX_CATALOG_POINTS: usize = 10_000;

/// Every item's position, and the sample of them the map draws in grey; computed once per
/// projection.
struct BaseMap {
    /// The projection, by address.
    projection: usize,
    position: HashMap<u64, PlotPoint>,
    sample: Group,
}

/// The highlighted groups, computed again when the request or its result changes.
struct MapCache {
    /// The projection (by address), the request generation and the result generation.
    key: (usize, u64, u64),
    groups: Vec<Group>,
}

struct Group {
    name: &'static str,
    color: Color32,
    radius: f32,
    points: Vec<PlotPoint>,
    keys: Vec<u64>,
}

impl Group {
    fn new(name: &'static str, color: Color32, radius: f32) -> Self {
        Self { name, color, radius, points: Vec::new(), keys: Vec::new() }
    }
}

const OTHER: Color32 = Color32::from_rgb(120, 120, 130);
const ACTION: Color32 = Color32::from_rgb(240, 180, 60);
const RESULT: Color32 = Color32::from_rgb(90, 190, 110);
const REMOVED: Color32 = Color32::from_rgb(220, 90, 90);
const CANDIDATE: Color32 = Color32::from_rgb(90, 140, 220);
const CUT: Color32 = Color32::from_rgb(240, 180, 60);

impl BaseMap {
    fn build(projection: usize, points: &Projection) -> Self {
        let position = points.iter().map(|(k, xy)| (*k, PlotPoint::new(xy[0], xy[1]))).collect();
        let mut sample = Group::new("catalog", OTHER, 1.5);
        let stride = points.len().div_ceil(MAX_CATALOG_POINTS).max(1);
        for (key, xy) in points.iter().step_by(stride) {
            sample.points.push(PlotPoint::new(xy[0], xy[1]));
            sample.keys.push(*key);
        }
        Self { projection, position, sample }
    }
}

impl MapCache {
    fn build(key: (usize, u64, u64), base: &BaseMap, g: &Engine, state: &AppState) -> Self {
        let rec = state.current();
        let actions: Vec<&str> = state.request.actions.iter().filter_map(|a| a.item_id.as_deref()).collect();
        let results: Vec<&str> =
            rec.map(|r| r.results.iter().map(|x| x.item_id.as_str()).collect()).unwrap_or_default();
        let removed: Vec<&str> = rec
            .map(|r| r.candidates.iter().filter(|c| c.removed_by.is_some()).map(|c| c.item_id.as_str()).collect())
            .unwrap_or_default();
        // Drawn in this order, over the grey sample; an item is in the first group that has it.
        let mut seen = HashSet::new();
        let groups = [
            ("user's items", ACTION, 6.0, actions),
            ("recommended", RESULT, 4.0, results),
            ("filtered out", REMOVED, 3.0, removed),
        ]
        .into_iter()
        .map(|(name, color, radius, ids)| {
            let mut group = Group::new(name, color, radius);
            for id in ids {
                if let Some(k) = g.catalog().key_of(id)
                    && let Some(p) = base.position.get(&k)
                    && seen.insert(k)
                {
                    group.points.push(*p);
                    group.keys.push(k);
                }
            }
            group
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
        Self { key, groups }
    }
}

/// The item nearest to `p` among the drawn points.
fn nearest<'a>(groups: impl Iterator<Item = &'a Group>, p: PlotPoint) -> Option<u64> {
    groups
        .flat_map(|g| g.points.iter().zip(&g.keys))
        .min_by(|a, b| dist(a.0, p).total_cmp(&dist(b.0, p)))
        .map(|(_, k)| *k)
}

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
        let projection = Arc::as_ptr(points) as usize;
        if self.base.as_ref().map(|b| b.projection) != Some(projection) {
            self.base = Some(BaseMap::build(projection, points));
        }
        let Some(base) = &self.base else { return };
        let key = (projection, state.generation, state.result_generation);
        if self.map.as_ref().map(|m| m.key) != Some(key) {
            self.map = Some(MapCache::build(key, base, &g, state));
        }
        let Some(map) = &self.map else { return };
        let groups = || std::iter::once(&base.sample).chain(&map.groups);
        ui.horizontal(|ui| {
            ui.heading("Embedding map (PCA of all item vectors)");
            if base.sample.points.len() < points.len() {
                ui.weak(format!("grey: an even sample of {} of the {} items", base.sample.points.len(), points.len()));
            }
        });
        // Room below for the histogram and the funnel, one line per funnel stage.
        let stages = state.current().map(|r| super::effects::funnel(r).len()).unwrap_or(0);
        let below = (22.0 * stages as f32 + 70.0).max(230.0);
        let height = (ui.available_height() - below).max(260.0);
        let catalog = g.catalog();
        let response = Plot::new("embedding-map")
            .height(height)
            .data_aspect(1.0)
            .legend(Legend::default())
            .x_axis_label("principal component 1")
            .y_axis_label("principal component 2")
            .label_formatter(|hover| match hover {
                // Name the item under the cursor.
                HoverPosition::NearDataPoint { plot_name, index, .. } => {
                    let group = groups().find(|g| g.name == *plot_name)?;
                    let item = catalog.by_key(*group.keys.get(*index)?)?;
                    Some(format!("{} {}", item.id, item.display_name()))
                }
                HoverPosition::Elsewhere { .. } => None,
            })
            .show(ui, |plot| {
                for group in groups().filter(|g| !g.points.is_empty()) {
                    plot.points(
                        Points::new(group.name, PlotPoints::Borrowed(&group.points))
                            .color(group.color)
                            .radius(group.radius),
                    );
                }
                plot.pointer_coordinate()
            });
        if response.response.clicked()
            && let Some(p) = response.inner
            && let Some(key) = nearest(groups(), p)
            && let Some(item) = catalog.by_key(key)
        {
            out.push(Command::Select(Some(item.id.clone())));
        }
        let rec = state.current();
        let Some(rec) = rec else { return };
        ui.columns(2, |cols| {
            cols[0].strong("Similarity of the candidates to the anchor");
            similarity_histogram(&mut cols[0], rec);
            cols[1].strong("Funnel");
            funnel_plot(&mut cols[1], rec, "funnel-plots", 170.0);
        });
    }
}

/// Bins of 0.1 over cosine similarity [-1, 1].
const BINS: usize = 20;

/// The candidates' similarity in bins of 0.1, stacked by what became of them (in the results,
/// filtered out, passed the filters but below the cut), with the lowest similarity among the
/// results marked as the cut.
fn similarity_histogram(ui: &mut egui::Ui, rec: &crate::pipeline::Recommendation) {
    let in_results: HashSet<&str> = rec.results.iter().map(|r| r.item_id.as_str()).collect();
    // [results, filtered out, below the cut] per bin.
    let mut bins = [[0usize; 3]; BINS];
    for c in &rec.candidates {
        let b = (((c.similarity + 1.0) / 2.0 * BINS as f64).floor() as isize).clamp(0, BINS as isize - 1) as usize;
        let group = if in_results.contains(c.item_id.as_str()) {
            0
        } else if c.removed_by.is_some() {
            1
        } else {
            2
        };
        bins[b][group] += 1;
    }
    let series = |group: usize, label: &str, color: Color32| {
        let bars: Vec<Bar> = bins
            .iter()
            .enumerate()
            .filter(|(_, n)| n[group] > 0)
            .map(|(i, n)| {
                let lo = -1.0 + i as f64 * 0.1;
                Bar::new(lo + 0.05, n[group] as f64).width(0.09).fill(color).name(format!(
                    "similarity {lo:.1}–{:.1}: {} {label}",
                    lo + 0.1,
                    n[group]
                ))
            })
            .collect();
        BarChart::new(label.to_string(), bars).color(color).element_formatter(Box::new(|bar, _| bar.name.clone()))
    };
    let results = series(0, "in the results", RESULT);
    let removed = series(1, "filtered out", REMOVED).stack_on(&[&results]);
    let below = series(2, "passed, below the cut", CANDIDATE).stack_on(&[&results, &removed]);
    let cut = rec.results.iter().map(|r| r.similarity).min_by(f64::total_cmp);
    Plot::new("similarity-hist")
        .height(190.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .legend(Legend::default())
        .x_axis_label("cosine similarity")
        .y_axis_label("candidates")
        .show(ui, |plot| {
            plot.bar_chart(results);
            plot.bar_chart(removed);
            plot.bar_chart(below);
            if let Some(cut) = cut {
                plot.vline(
                    VLine::new(format!("cut: lowest result {cut:.3}"), cut)
                        .color(CUT)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
}

fn dist(a: &PlotPoint, b: PlotPoint) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}
