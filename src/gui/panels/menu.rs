//! The menu bar: project, import and export, scenarios, theme.

use crate::gui::state::{AppState, Command};
use crate::gui::widgets::name_and_button;

#[derive(Default)]
pub struct MenuBar {
    scenario_name: String,
}

impl MenuBar {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("Project", |ui| {
                if ui.button("Open project…").clicked() {
                    if let Some(p) =
                        rfd::FileDialog::new().add_filter("reclab project", &["reclab", "db", "sqlite"]).pick_file()
                    {
                        out.push(Command::OpenProject(p));
                    }
                    ui.close();
                }
                if ui.button("New project…").clicked() {
                    if let Some(p) = rfd::FileDialog::new()
                        .add_filter("reclab project", &["reclab"])
                        .set_file_name("catalog.reclab")
                        .save_file()
                    {
                        out.push(Command::OpenProject(p));
                    }
                    ui.close();
                }
                if ui.button("Open the sample project").clicked() {
                    out.push(Command::OpenProject(crate::gui::sample_project_path()));
                    ui.close();
                }
                ui.separator();
                let loaded = state.loaded.is_some();
                if ui.add_enabled(loaded, egui::Button::new("Import catalog or interactions…")).clicked() {
                    if let Some(p) = rfd::FileDialog::new()
                        .add_filter("data", &["csv", "tsv", "json", "jsonl", "ndjson"])
                        .pick_file()
                    {
                        out.push(Command::Import(p));
                    }
                    ui.close();
                }
                ui.separator();
                let has_result = state.current().is_some();
                if ui.add_enabled(has_result, egui::Button::new("Export results and trace (CSV)…")).clicked() {
                    if let Some(p) =
                        rfd::FileDialog::new().add_filter("CSV", &["csv"]).set_file_name("results.csv").save_file()
                    {
                        out.push(Command::ExportResults(p));
                    }
                    ui.close();
                }
                if ui.add_enabled(has_result, egui::Button::new("Export results and trace (JSON)…")).clicked() {
                    if let Some(p) =
                        rfd::FileDialog::new().add_filter("JSON", &["json"]).set_file_name("results.json").save_file()
                    {
                        out.push(Command::ExportResults(p));
                    }
                    ui.close();
                }
                if ui.add_enabled(loaded, egui::Button::new("Connect to PostgreSQL…")).clicked() {
                    // The connection form, the push and the parity report are on that tab.
                    out.push(Command::ShowTab(crate::gui::state::Tab::Production));
                    ui.close();
                }
                if ui.add_enabled(loaded, egui::Button::new("Export vectors for pgvector (SQL)…")).clicked() {
                    if let Some(p) =
                        rfd::FileDialog::new().add_filter("SQL", &["sql"]).set_file_name("reclab_items.sql").save_file()
                    {
                        out.push(Command::ExportVectors(p));
                    }
                    ui.close();
                }
            });
            ui.menu_button("Scenario", |ui| {
                let Some(l) = &state.loaded else {
                    ui.weak("open a project first");
                    return;
                };
                ui.label("Save the user, filters and rules as:");
                if let Some(name) = name_and_button(ui, &mut self.scenario_name, "scenario name", "Save") {
                    out.push(Command::SaveScenario(name));
                    ui.close();
                }
                ui.separator();
                if l.scenarios.is_empty() {
                    ui.weak("no saved scenarios");
                }
                for name in &l.scenarios {
                    if ui.button(format!("Load {name}")).clicked() {
                        out.push(Command::LoadScenario(name.clone()));
                        ui.close();
                    }
                }
            });
            ui.menu_button("View", |ui| {
                if ui.radio(state.dark, "Dark").clicked() {
                    out.push(Command::SetDark(true));
                }
                if ui.radio(!state.dark, "Light").clicked() {
                    out.push(Command::SetDark(false));
                }
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let name = state.project_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                ui.weak(name).on_hover_text(state.project_path.display().to_string());
            });
        });
    }
}
