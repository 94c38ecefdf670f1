//! Scripted runs: `--screenshot` and `--measure-frames` drive the real app and end it.

use super::*;

impl ReclabApp {
    /// Ends a screenshot or a measurement that can never be made: the error is its outcome.
    pub(super) fn fatal_step(&mut self, ui: &mut egui::Ui) {
        let Some(message) = self.fatal.take() else { return };
        if let Ok(mut o) = self.outcome.lock() {
            *o = Some(Err(message));
        }
        self.screenshot = None;
        self.measure = None;
        ui.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    pub(super) fn screenshot_step(&mut self, ui: &mut egui::Ui) {
        let settled = self.is_settled() && self.state.projection.is_some();
        let Some(shot) = &mut self.screenshot else { return };
        if shot.requested {
            return;
        }
        if settled {
            shot.settled_frames += 1;
        }
        // A few frames let layouts and plots settle.
        if shot.settled_frames >= 5 {
            shot.requested = true;
            let path = shot.path.clone();
            let project = self.state.project_path.clone();
            let outcome = self.outcome.clone();
            let ctx = ui.ctx().clone();
            let callback = egui::ScreenshotCallback::new(move |image| {
                let result = save_png(&path, &image, &project);
                if let Ok(mut o) = outcome.lock() {
                    *o = Some(result);
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                ctx.request_repaint();
            });
            ui.send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
        }
        ui.ctx().request_repaint();
    }
}

impl ReclabApp {
    /// `--measure-frames`: once the data is in, record every frame while walking the tabs and
    /// changing the request every few frames; then print the report and close.
    pub(super) fn measure_step(
        &mut self,
        ui: &mut egui::Ui,
        started: std::time::Instant,
        app_ms: f64,
        cpu_ms: Option<f64>,
    ) {
        let settled = self.is_settled() && self.state.projection.is_some();
        let Some(m) = &mut self.measure else { return };
        ui.ctx().request_repaint();
        if !self.measuring {
            if settled {
                let items = self.state.loaded.as_ref().and_then(|l| l.engine.read().ok().map(|g| g.catalog().len()));
                m.start(self.state.generation, items.unwrap_or(0));
                self.measuring = true;
                self.state.tab = m.tab();
            }
            return;
        }
        if m.is_done() {
            return;
        }
        m.record(started, app_ms, cpu_ms, self.state.result_generation);
        if m.is_done() {
            println!("{}", m.report(self.state.generation));
            ui.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        self.state.tab = m.tab();
        if m.wants_refresh() {
            // Alternate the list length so every refresh runs the whole pipeline again.
            let k = self.state.request.k;
            self.commands.push(Command::SetK(if k.is_multiple_of(2) { k + 1 } else { k.saturating_sub(1).max(2) }));
        }
    }
}

fn save_png(path: &std::path::Path, image: &egui::ColorImage, project: &std::path::Path) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w as u32, h as u32);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&bytes).map_err(|e| e.to_string())?;
    }
    worker::write_file(path, &out, project).map_err(|e| format!("{e:#}"))
}
