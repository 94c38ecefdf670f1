//! Frame times: the status bar shows the recent CPU time per frame, and `--measure-frames N`
//! drives the window through its tabs while results refresh, then reports percentiles.

use super::state::Tab;
use std::collections::VecDeque;
use std::time::Instant;

/// The CPU time of the last frames (logic and layout), in milliseconds.
#[derive(Debug, Default)]
pub struct FrameTimes {
    recent: VecDeque<f64>,
}

impl FrameTimes {
    const KEEP: usize = 120;

    pub fn push(&mut self, ms: f64) {
        if self.recent.len() == Self::KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(ms);
    }

    /// Median and maximum of the kept frames.
    pub fn summary(&self) -> Option<(f64, f64)> {
        if self.recent.is_empty() {
            return None;
        }
        let v: Vec<f64> = self.recent.iter().copied().collect();
        Some((crate::bench::median(&v), v.iter().copied().fold(0.0, f64::max)))
    }
}

/// The tabs a measurement walks through, an equal share of frames each.
const TABS: [Tab; 6] = [Tab::Results, Tab::Effects, Tab::Compare, Tab::Catalog, Tab::Plots, Tab::Board];

/// How often (in frames) the measurement changes the request so the results refresh.
pub const REFRESH_EVERY: u64 = 6;

#[derive(Debug, Default)]
struct TabFrames {
    /// egui's work in the app: logic and layout.
    app_ms: Vec<f64>,
    /// eframe's CPU time for the whole frame (layout, tessellation, painting calls).
    frame_ms: Vec<f64>,
    /// Time between the starts of consecutive frames.
    interval_ms: Vec<f64>,
}

/// A running `--measure-frames` session.
#[derive(Debug)]
pub struct Measurement {
    target: u64,
    frames: u64,
    per_tab: Vec<TabFrames>,
    last_start: Option<Instant>,
    first_generation: u64,
    answered: u64,
    last_answered_generation: u64,
    items: usize,
}

impl Measurement {
    pub fn new(target: u64) -> Self {
        Self {
            target: target.max(TABS.len() as u64),
            frames: 0,
            per_tab: TABS.iter().map(|_| TabFrames::default()).collect(),
            last_start: None,
            first_generation: 0,
            answered: 0,
            last_answered_generation: 0,
            items: 0,
        }
    }

    pub fn is_done(&self) -> bool {
        self.frames >= self.target
    }

    /// The tab the next frame shows.
    pub fn tab(&self) -> Tab {
        TABS[self.slot()]
    }

    fn slot(&self) -> usize {
        let per = self.target.div_ceil(TABS.len() as u64).max(1);
        ((self.frames / per) as usize).min(TABS.len() - 1)
    }

    /// True when this frame should change the request.
    pub fn wants_refresh(&self) -> bool {
        self.frames.is_multiple_of(REFRESH_EVERY)
    }

    pub fn start(&mut self, generation: u64, items: usize) {
        self.first_generation = generation;
        self.last_answered_generation = generation;
        self.items = items;
    }

    /// Records one frame: when it started, the app's share, eframe's CPU time of the previous
    /// frame, and the generation the shown result answers.
    pub fn record(&mut self, started: Instant, app_ms: f64, frame_cpu_ms: Option<f64>, result_generation: u64) {
        let slot = self.slot();
        let t = &mut self.per_tab[slot];
        t.app_ms.push(app_ms);
        if let Some(ms) = frame_cpu_ms {
            t.frame_ms.push(ms);
        }
        if let Some(prev) = self.last_start {
            t.interval_ms.push(started.duration_since(prev).as_secs_f64() * 1000.0);
        }
        self.last_start = Some(started);
        if result_generation != self.last_answered_generation && result_generation > self.first_generation {
            self.answered += 1;
            self.last_answered_generation = result_generation;
        }
        self.frames += 1;
    }

    /// The report printed when the measurement ends.
    pub fn report(&self, generation: u64) -> String {
        use crate::bench::{median, percentile};
        let asked = generation.saturating_sub(self.first_generation);
        let mut s = format!(
            "{} frames with {} items; the request changed every {REFRESH_EVERY} frames ({asked} times) and {} fresh results arrived while measuring\n",
            self.frames, self.items, self.answered
        );
        s.push_str(
            "tab        frames  app p50  app p99  app max  frame p50  frame p99  interval p50  interval p99   (ms)\n",
        );
        let opt =
            |v: &[f64], f: &dyn Fn(&[f64]) -> f64| if v.is_empty() { "-".to_string() } else { format!("{:.2}", f(v)) };
        for (tab, t) in TABS.iter().zip(&self.per_tab) {
            s.push_str(&format!(
                "{:<10} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>13} {:>13}\n",
                tab.id(),
                t.app_ms.len(),
                opt(&t.app_ms, &median),
                opt(&t.app_ms, &|v| percentile(v, 99.0)),
                opt(&t.app_ms, &|v| v.iter().copied().fold(0.0, f64::max)),
                opt(&t.frame_ms, &median),
                opt(&t.frame_ms, &|v| percentile(v, 99.0)),
                opt(&t.interval_ms, &median),
                opt(&t.interval_ms, &|v| percentile(v, 99.0)),
            ));
        }
        s.push_str(
            "app = logic and layout in reclab; frame = eframe's CPU time (adds tessellation and GL calls; \
             under a software renderer it includes rasterising); interval = start to start of frames\n",
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_times_keep_the_recent_window() {
        let mut f = FrameTimes::default();
        assert_eq!(f.summary(), None);
        for i in 0..200 {
            f.push(i as f64);
        }
        // Only the last 120 frames (80..=199) are kept.
        assert_eq!(f.summary(), Some((crate::bench::median(&(80..200).map(f64::from).collect::<Vec<_>>()), 199.0)));
    }

    #[test]
    fn a_measurement_walks_every_tab_and_counts_answers() {
        let mut m = Measurement::new(12);
        m.start(10, 5);
        let t0 = Instant::now();
        let mut seen = Vec::new();
        let mut generation = 10;
        while !m.is_done() {
            seen.push(m.tab());
            if m.wants_refresh() {
                generation += 1;
            }
            m.record(t0, 1.0, Some(2.0), generation);
        }
        assert_eq!(seen.len(), 12);
        for tab in TABS {
            assert_eq!(seen.iter().filter(|t| **t == tab).count(), 2, "{tab:?}");
        }
        // The request changed at frames 0 and 6; both answers were seen.
        assert_eq!(m.answered, 2);
        let report = m.report(generation);
        assert!(report.starts_with("12 frames with 5 items"), "{report}");
        assert!(report.contains("(2 times) and 2 fresh results"), "{report}");
    }
}
