//! Shown instead of the lab when the project's model is not installed on this machine: what
//! is missing, and the model manager to install it or to use another model. Nothing changes
//! the project until the user picks one of those.

use super::models::ModelsPanel;
use crate::gui::state::{AppState, Command};

#[derive(Default)]
pub struct MissingModelPanel {
    models: ModelsPanel,
}

impl MissingModelPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, model: &str, out: &mut Vec<Command>) {
        ui.add_space(12.0);
        ui.heading(format!("The model {model} is not installed"));
        ui.label(format!(
            "{} was embedded with {model}, which this machine does not have. The project is unchanged.",
            state.project_path.display()
        ));
        ui.label(format!(
            "Install {model} below (import its folder, zip or wheel, or fetch it) and the project opens; \
             or use another model, which embeds the catalog again with it."
        ));
        ui.separator();
        egui::ScrollArea::vertical().id_salt("missing-model").show(ui, |ui| self.models.ui(ui, state, out));
    }
}

#[cfg(test)]
mod tests {
    use crate::gui::testing::{app_harness, settle_app};
    use egui_kittest::kittest::Queryable as _;

    /// A project embedded with a model that is not installed here opens on this panel, and the
    /// project keeps its model.
    #[test]
    fn a_project_whose_model_is_missing_says_so_and_stays_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.reclab");
        {
            let mut p = crate::store::Project::open(&path).unwrap();
            crate::sample::import_sample(&mut p, &crate::jobs::ProgressSink::none()).unwrap();
            p.set_setting("model", "no-such-model").unwrap();
        }
        let mut h = app_harness(&path, dir.path());
        settle_app(&mut h);
        assert_eq!(h.state().state().model_missing.as_deref(), Some("no-such-model"));
        assert!(h.state().state().loaded.is_none());
        h.get_by_label_contains("The model no-such-model is not installed");
        drop(h);
        let p = crate::store::Project::open_read_only(&path).unwrap();
        assert_eq!(p.setting("model").unwrap().as_deref(), Some("no-such-model"));
        assert!(p.vector_models().unwrap().is_empty(), "nothing was embedded");
    }
}
