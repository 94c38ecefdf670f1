//! The model manager: installed models, import from a folder, zip or wheel, fetch by id, remove,
//! and switching the project to another model (re-embedding on a worker).

use crate::embed::Precision;
use crate::embed::known::KNOWN_MODELS;
use crate::gui::state::{AppState, Command};

#[derive(Default)]
pub struct ModelsPanel {
    path: String,
    repo: String,
    /// The precision the next "Use" embeds in (the project's until changed here).
    precision: Option<Precision>,
}

impl ModelsPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let current = state.loaded.as_ref().map(|l| l.model.clone());
        ui.heading("Models");
        match &current {
            Some(m) if m.neural => {
                ui.label(format!("This project uses {} ({} dimensions, {}).", m.key, m.dim, m.precision.as_str()));
            }
            Some(_) => {
                ui.colored_label(
                    egui::Color32::from_rgb(230, 170, 60),
                    "This project uses the built-in lexical embedder: it matches spelling, not meaning. Install a sentence-embedding model and use it.",
                );
            }
            None => {}
        }
        ui.add_space(6.0);
        let in_use = current.as_ref().map(|m| m.precision).unwrap_or_default();
        let mut chosen = self.precision.unwrap_or(in_use);
        ui.horizontal(|ui| {
            ui.label("precision");
            egui::ComboBox::from_id_salt("precision")
                .selected_text(chosen.as_str())
                .show_ui(ui, |ui| {
                    for p in Precision::ALL {
                        ui.selectable_value(&mut chosen, p, p.as_str());
                    }
                    let fast = Precision::fastest();
                    ui.selectable_value(&mut chosen, fast, format!("fast (here: {})", fast.as_str()));
                })
                .response
                .on_hover_text(
                    "How a neural model computes: f32 is the reference; bf16 rounds weights and activations to bfloat16; \
                     int8 quantises them to 8 bits (exact integer sums). Vectors of each precision are cached apart.",
                );
            if let Some(m) = current.as_ref().filter(|m| m.neural && chosen != m.precision)
                && ui.button(format!("Re-embed in {}", chosen.as_str())).clicked()
            {
                out.push(Command::UseModel(m.spec.clone(), chosen));
            }
        });
        self.precision = Some(chosen);
        egui::Grid::new("installed").striped(true).num_columns(5).show(ui, |ui| {
            ui.strong("installed");
            ui.strong("dimensions");
            ui.strong("pooling");
            ui.strong("from");
            ui.strong("");
            ui.end_row();
            let use_lexical = current.as_ref().is_some_and(|m| !m.neural);
            ui.label("lexical (built-in)");
            ui.label("512");
            ui.label("hashed n-grams");
            ui.label("no weights");
            if ui.add_enabled(!use_lexical, egui::Button::new("Use")).clicked() {
                out.push(Command::UseModel("lexical".into(), Precision::F32));
            }
            ui.end_row();
            for m in &state.installed_models {
                let mf = &m.manifest;
                let active = current.as_ref().is_some_and(|c| c.spec == mf.name);
                let in_use = active && current.as_ref().is_some_and(|c| c.precision == chosen);
                ui.label(&mf.name);
                ui.label(mf.dim.to_string());
                ui.label(format!("{:?}", mf.pooling).to_lowercase());
                ui.add(egui::Label::new(&mf.source).truncate());
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!in_use, egui::Button::new("Use"))
                        .on_hover_text("embed the catalog with it (cached vectors are reused)")
                        .clicked()
                    {
                        out.push(Command::UseModel(mf.name.clone(), chosen));
                    }
                    if ui.add_enabled(!active, egui::Button::new("Remove")).clicked() {
                        out.push(Command::RemoveModel(mf.name.clone()));
                    }
                });
                ui.end_row();
            }
        });
        ui.separator();
        ui.strong("Install from a folder, a zip or a Python wheel");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.path).hint_text("path").desired_width(360.0))
                .accessible_name("model folder, zip or wheel");
            if ui.button("Browse folder…").clicked()
                && let Some(p) = rfd::FileDialog::new().pick_folder()
            {
                self.path = p.display().to_string();
            }
            if ui.button("Browse file…").clicked()
                && let Some(p) = rfd::FileDialog::new().add_filter("zip or wheel", &["zip", "whl"]).pick_file()
            {
                self.path = p.display().to_string();
            }
            if ui.add_enabled(!self.path.trim().is_empty(), egui::Button::new("Install")).clicked() {
                out.push(Command::ImportModel(self.path.trim().into()));
            }
        });
        ui.add_space(6.0);
        ui.strong("Download from the hub (honours HF_ENDPOINT and the HF_HOME cache)");
        ui.horizontal(|ui| {
            ui.add(egui::TextEdit::singleline(&mut self.repo).hint_text("owner/name").desired_width(360.0))
                .accessible_name("repository id");
            if ui.add_enabled(!self.repo.trim().is_empty(), egui::Button::new("Download")).clicked() {
                out.push(Command::FetchModel(self.repo.trim().into()));
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.weak("known:");
            for k in KNOWN_MODELS {
                if ui.link(k.repo_id).on_hover_text(k.about).clicked() {
                    self.repo = k.repo_id.to_string();
                }
            }
        });
    }
}
