//! One panel per file; [`Panels`] lays them out.

mod board;
mod board_tiles;
mod catalog;
mod compare;
mod effects;
mod evaluate;
mod filters;
mod menu;
mod missing_model;
mod model_offer;
mod models;
mod not_shown;
mod plots;
mod production;
mod results;
mod rules;
mod sources;
mod status;
mod tune;
mod user;

use super::state::{AppState, Command, Level, Tab};

#[derive(Default)]
pub struct Panels {
    menu: menu::MenuBar,
    status: status::StatusBar,
    user: user::UserPanel,
    filters: filters::FiltersPanel,
    rules: rules::RulesPanel,
    sources: sources::SourcesPanel,
    results: results::ResultsPanel,
    effects: effects::EffectsPanel,
    compare: compare::ComparePanel,
    catalog: catalog::CatalogPanel,
    plots: plots::PlotsPanel,
    evaluate: evaluate::EvaluatePanel,
    tune: tune::TunePanel,
    board: board::BoardPanel,
    production: production::ProductionPanel,
    models: models::ModelsPanel,
    missing_model: missing_model::MissingModelPanel,
    offer: model_offer::ModelOfferBanner,
}

impl Panels {
    pub fn show(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        egui::Panel::top("menu").show(ui, |ui| self.menu.ui(ui, state, out));
        egui::Panel::bottom("status").show(ui, |ui| self.status.ui(ui, state, out));
        if let Some(model) = &state.model_missing {
            egui::CentralPanel::default().show(ui, |ui| self.missing_model.ui(ui, state, model, out));
            notifications(ui, state, out);
            return;
        }
        if state.loaded.is_none() {
            egui::CentralPanel::default().show(ui, |ui| loading(ui, state));
            notifications(ui, state, out);
            return;
        }
        egui::Panel::left("user").resizable(true).default_size(330.0).min_size(260.0).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("user-scroll").show(ui, |ui| self.user.ui(ui, state, out));
        });
        egui::Panel::right("filters").resizable(true).default_size(390.0).min_size(300.0).show(ui, |ui| {
            egui::ScrollArea::vertical().id_salt("filters-scroll").show(ui, |ui| {
                self.filters.ui(ui, state, out);
                ui.separator();
                self.sources.ui(ui, state, out);
                ui.separator();
                self.rules.ui(ui, state, out);
            });
        });
        egui::CentralPanel::default().show(ui, |ui| {
            self.offer.ui(ui, state, out);
            ui.horizontal(|ui| {
                for tab in Tab::ALL {
                    if ui.selectable_label(state.tab == tab, tab.label()).clicked() {
                        out.push(Command::ShowTab(tab));
                    }
                }
            });
            ui.separator();
            match state.tab {
                Tab::Results => self.results.ui(ui, state, out),
                Tab::Effects => self.effects.ui(ui, state, out),
                Tab::Compare => self.compare.ui(ui, state, out),
                Tab::Catalog => self.catalog.ui(ui, state, out),
                Tab::Plots => self.plots.ui(ui, state, out),
                Tab::Evaluate => self.evaluate.ui(ui, state, out),
                Tab::Tune => self.tune.ui(ui, state, out),
                Tab::Board => self.board.ui(ui, state, out),
                Tab::Production => self.production.ui(ui, state, out),
                Tab::Models => self.models.ui(ui, state, out),
            }
        });
        notifications(ui, state, out);
    }
}

fn loading(ui: &mut egui::Ui, state: &AppState) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() / 3.0);
        ui.heading("reclab");
        ui.label(format!("Opening {}", state.project_path.display()));
        for j in &state.jobs {
            ui.add_space(8.0);
            ui.label(format!("{}: {}", j.label, j.stage));
            if j.total > 0 {
                ui.add(egui::ProgressBar::new(j.done as f32 / j.total as f32).desired_width(360.0).show_percentage());
            } else {
                ui.spinner();
            }
        }
        if state.jobs.is_empty() && !state.notifications.is_empty() {
            ui.add_space(8.0);
            ui.label(
                "The project could not be opened; see the message, then open another project from the Project menu.",
            );
        }
    });
}

/// Messages in the top-right corner, newest last, each dismissable.
fn notifications(ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
    if state.notifications.is_empty() {
        return;
    }
    egui::Area::new(egui::Id::unique("reclab-notifications")).anchor(egui::Align2::RIGHT_TOP, [-12.0, 40.0]).show(
        ui.ctx(),
        |ui| {
            ui.set_max_width(420.0);
            for (i, n) in state.notifications.iter().enumerate() {
                let (fill, text) = match n.level {
                    Level::Info => (ui.visuals().widgets.noninteractive.bg_fill, ui.visuals().text_color()),
                    Level::Error => (egui::Color32::from_rgb(120, 30, 30), egui::Color32::WHITE),
                };
                egui::Frame::popup(ui.style()).fill(fill).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.add(egui::Label::new(egui::RichText::new(&n.text).color(text)).wrap());
                        if ui.small_button("×").on_hover_text("dismiss").clicked() {
                            out.push(Command::DismissNotification(i));
                        }
                    });
                });
            }
        },
    );
}
