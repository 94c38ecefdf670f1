//! The desktop lab (eframe/egui). Panels read the state and send [`state::Command`]s; the app
//! applies commands in one place; anything slower than a frame runs on a named worker thread.

mod app;
mod fonts;
mod frames;
mod panels;
mod state;
#[cfg(test)]
mod testing;
mod widgets;
mod worker;

pub use app::ReclabApp;
pub use state::{BoardView, Tab};

use std::path::PathBuf;

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct GuiOptions {
    /// The project to open (default: the last one, else the bundled sample project).
    pub project: Option<PathBuf>,
    /// Render the window once the data has loaded, save it as PNG here, and exit.
    pub screenshot: Option<PathBuf>,
    /// Inner window size in points.
    pub window_size: Option<[f32; 2]>,
    /// A saved scenario to load once the project is open.
    pub scenario: Option<String>,
    /// Force the light or dark theme.
    pub dark: Option<bool>,
    /// The tab to show first.
    pub tab: Option<Tab>,
    /// How the reaction board shows first (table or tiles).
    pub board: Option<BoardView>,
    /// Measure this many frames once the data has loaded (walking the tabs while results
    /// refresh), print the frame times and exit.
    pub measure_frames: Option<u64>,
    /// Run a search of this many trials once the project is open (the Tune tab's button).
    pub tune: Option<usize>,
    /// Connect to the project pushed to this PostgreSQL (schema `pg_schema`) once it is open
    /// (Project → Connect to PostgreSQL…); then run a parity report of `parity` requests.
    pub pg_url: Option<String>,
    pub pg_schema: String,
    pub parity: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum GuiError {
    #[error("cannot open the window: {0}")]
    Window(String),
    #[error("the screenshot was not taken: {0}")]
    Screenshot(String),
    #[error("no frames were measured: {0}")]
    Measure(String),
}

/// Where the sample project lives: `<data dir>/sample.reclab`.
pub fn sample_project_path() -> PathBuf {
    crate::embed::data_dir().join("sample.reclab")
}

/// Opens the window and runs until it is closed (or the screenshot is saved).
pub fn run(options: GuiOptions) -> Result<(), GuiError> {
    let size = options.window_size.unwrap_or([1480.0, 920.0]);
    let screenshot = options.screenshot.clone();
    let measuring = options.measure_frames.is_some();
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("reclab — offline recommendation lab")
            .with_inner_size(size)
            .with_min_inner_size([900.0, 600.0]),
        // A screenshot must not depend on a remembered window size.
        persist_window: screenshot.is_none() && options.window_size.is_none() && options.measure_frames.is_none(),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    let outcome = std::sync::Arc::new(std::sync::Mutex::new(None::<Result<(), String>>));
    let outcome2 = outcome.clone();
    eframe::run_native("reclab", native, Box::new(move |cc| Ok(Box::new(ReclabApp::new(cc, options, outcome2)))))
        .map_err(|e| GuiError::Window(e.to_string()))?;
    if screenshot.is_some() {
        let result = outcome.lock().ok().and_then(|mut o| o.take());
        match result {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(GuiError::Screenshot(e)),
            None => return Err(GuiError::Screenshot("the window closed before the data had loaded".into())),
        }
    } else if measuring && let Some(Err(e)) = outcome.lock().ok().and_then(|mut o| o.take()) {
        return Err(GuiError::Measure(e));
    }
    Ok(())
}
