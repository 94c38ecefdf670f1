//! The catalog: a searchable, sortable, virtualised item table with category facets, item
//! details, import (dialog or drag-and-drop) with its report, and an "Add item" form.

use crate::catalog::{AttrKind, Field, Item, ItemUpdate};
use crate::gui::state::{AppState, Command};
use crate::pipeline::Engine;
use crate::util::{cmp_ids, format_time};
use egui_extras::{Column, TableBuilder};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SortBy {
    #[default]
    Id,
    Name,
    Category,
    Price,
    Interactions,
}

/// What the shown rows were computed for: query, hidden categories, sort, descending, catalog.
type RowsKey = (String, BTreeSet<String>, SortBy, bool, u64);

#[derive(Default)]
pub struct CatalogPanel {
    query: String,
    hidden_categories: BTreeSet<String>,
    sort: SortBy,
    descending: bool,
    /// Rows to show (indexes into the catalog), and what they were computed for.
    rows: Vec<usize>,
    rows_key: Option<RowsKey>,
    /// Each item's id, names and tags in lower case, for search as you type; built once per
    /// catalog version.
    haystacks: (u64, Vec<String>),
    detail: Option<String>,
    show_report: bool,
    seen_imports: u64,
    form: AddForm,
}

#[derive(Default)]
struct AddForm {
    open: bool,
    id: String,
    name: String,
    name_alt: String,
    category: String,
    tags: String,
    description: String,
    price: String,
}

impl CatalogPanel {
    /// `catalog` identifies the catalog: its version.
    fn refresh_rows(&mut self, engine: &Engine, catalog: u64) {
        let key = (self.query.clone(), self.hidden_categories.clone(), self.sort, self.descending, catalog);
        if self.rows_key.as_ref() == Some(&key) {
            return;
        }
        let q = self.query.trim().to_lowercase();
        let items = engine.catalog().items();
        if self.haystacks.0 != catalog || self.haystacks.1.len() != items.len() {
            let text = |it: &Item| {
                let mut h = format!("{}\u{1f}{}", it.id, it.name);
                for part in it.name_alt.iter().chain(&it.tags) {
                    h.push('\u{1f}');
                    h.push_str(part);
                }
                h.to_lowercase()
            };
            self.haystacks = (catalog, items.iter().map(text).collect());
        }
        let haystacks = &self.haystacks.1;
        let mut rows: Vec<usize> = (0..items.len())
            .filter(|&i| {
                let cat = items[i].category.as_deref().unwrap_or("(none)");
                !self.hidden_categories.contains(cat) && (q.is_empty() || haystacks[i].contains(&q))
            })
            .collect();
        match self.sort {
            SortBy::Id => rows.sort_by(|&a, &b| cmp_ids(&items[a].id, &items[b].id)),
            SortBy::Name => rows.sort_by(|&a, &b| items[a].name.cmp(&items[b].name)),
            SortBy::Category => rows.sort_by(|&a, &b| {
                items[a].category.cmp(&items[b].category).then_with(|| cmp_ids(&items[a].id, &items[b].id))
            }),
            SortBy::Price => {
                rows.sort_by(|&a, &b| {
                    items[a].price.unwrap_or(f64::NAN).total_cmp(&items[b].price.unwrap_or(f64::NAN))
                });
            }
            SortBy::Interactions => rows.sort_by_key(|&a| engine.stats().event_count(&items[a].id)),
        }
        if self.descending {
            rows.reverse();
        }
        self.rows = rows;
        self.rows_key = Some(key);
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let Ok(engine) = l.engine.read() else { return };
        // A new import opens its report.
        if state.imports != self.seen_imports {
            self.seen_imports = state.imports;
            self.show_report = true;
        }
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.query)
                    .hint_text("search id, name (Korean too) or tag")
                    .desired_width(260.0),
            )
            .accessible_name("search the catalog");
            if ui
                .button("Import…")
                .on_hover_text(
                    "a catalog or an interaction log: CSV, JSON or JSON Lines (or drop the file on the window)",
                )
                .clicked()
                && let Some(p) =
                    rfd::FileDialog::new().add_filter("data", &["csv", "tsv", "json", "jsonl", "ndjson"]).pick_file()
            {
                out.push(Command::Import(p));
            }
            if ui.button("Add item…").clicked() {
                self.form.open = true;
            }
            if state.last_import.is_some() && ui.button("Last import report").clicked() {
                self.show_report = true;
            }
        });
        self.refresh_rows(&engine, engine.catalog().version());
        ui.horizontal_wrapped(|ui| {
            ui.weak("categories:");
            for (cat, n) in &l.categories {
                let mut shown = !self.hidden_categories.contains(cat);
                if ui.checkbox(&mut shown, format!("{cat} ({n})")).changed() {
                    if shown {
                        self.hidden_categories.remove(cat);
                    } else {
                        self.hidden_categories.insert(cat.clone());
                    }
                }
            }
        });
        ui.label(format!("{} of {} items", self.rows.len(), engine.catalog().len()));
        let items = engine.catalog().items();
        let detail_h = if self.detail.is_some() { 200.0 } else { 0.0 };
        let height = (ui.available_height() - detail_h).max(150.0);
        let mut clicked = None;
        TableBuilder::new(ui)
            .id_salt("catalog")
            .striped(true)
            .sense(egui::Sense::click())
            .max_scroll_height(height)
            .column(Column::exact(60.0))
            .column(Column::initial(240.0).clip(true))
            .column(Column::initial(170.0).clip(true))
            .column(Column::initial(110.0).clip(true))
            .column(Column::exact(70.0))
            .column(Column::exact(70.0))
            .column(Column::remainder().clip(true))
            .header(20.0, |mut h| {
                for (title, sort) in [
                    ("id", Some(SortBy::Id)),
                    ("name", Some(SortBy::Name)),
                    ("Korean / second name", None),
                    ("category", Some(SortBy::Category)),
                    ("price", Some(SortBy::Price)),
                    ("events", Some(SortBy::Interactions)),
                    ("tags", None),
                ] {
                    h.col(|ui| match sort {
                        Some(s) => {
                            let arrow = if self.sort == s { if self.descending { " ▼" } else { " ▲" } } else { "" };
                            if ui.button(egui::RichText::new(format!("{title}{arrow}")).strong()).clicked() {
                                if self.sort == s {
                                    self.descending = !self.descending;
                                } else {
                                    self.sort = s;
                                    self.descending = false;
                                }
                            }
                        }
                        None => {
                            ui.strong(title);
                        }
                    });
                }
            })
            .body(|body| {
                // Only the visible rows are laid out: smooth at 100,000 items.
                body.rows(20.0, self.rows.len(), |mut row| {
                    let it = &items[self.rows[row.index()]];
                    row.set_selected(self.detail.as_deref() == Some(it.id.as_str()));
                    row.col(|ui| {
                        ui.label(&it.id);
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(&it.name).truncate());
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(it.name_alt.as_deref().unwrap_or("")).truncate());
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(it.category.as_deref().unwrap_or("")).truncate());
                    });
                    row.col(|ui| {
                        ui.label(it.price.map(|p| format!("{p}")).unwrap_or_default());
                    });
                    row.col(|ui| {
                        ui.label(engine.stats().event_count(&it.id).to_string());
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(it.tags.join(", ")).truncate());
                    });
                    if row.response().clicked() {
                        clicked = Some(it.id.clone());
                    }
                });
            });
        if let Some(id) = clicked {
            self.detail = if self.detail.as_deref() == Some(id.as_str()) { None } else { Some(id) };
        }
        if let Some(id) = self.detail.clone()
            && let Some(item) = engine.catalog().get(&id)
        {
            ui.separator();
            details(ui, item, &engine.catalog().attributes, state, out);
        }
        drop(engine);
        self.report_window(ui, state);
        self.add_window(ui, state, out);
    }

    fn report_window(&mut self, ui: &mut egui::Ui, state: &AppState) {
        let Some(report) = &state.last_import else { return };
        egui::Window::new("Import report").open(&mut self.show_report).default_width(560.0).show(ui.ctx(), |ui| {
            ui.label(format!(
                "{} ({} {}): {} rows read, {} added, {} updated, {} unchanged, {} rejected",
                report.file,
                report.kind,
                report.format,
                report.rows_read,
                report.added,
                report.updated,
                report.unchanged,
                report.rejected.len()
            ));
            for n in &report.notes {
                ui.label(format!("note: {n}"));
            }
            if !report.unknown_items.is_empty() {
                ui.label(format!(
                    "{} item ids are not in the catalog (their events are kept):",
                    report.unknown_items.len()
                ));
                for u in report.unknown_items.iter().take(20) {
                    ui.weak(format!("item {}: {} events, first on line {}", u.item_id, u.events, u.first_line));
                }
            }
            if !report.rejected.is_empty() {
                ui.strong("Rejected rows");
                egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
                    egui::Grid::new("rejected").striped(true).num_columns(3).show(ui, |ui| {
                        for r in &report.rejected {
                            ui.label(format!("line {}", r.line));
                            ui.label(r.id.as_deref().unwrap_or(""));
                            ui.label(&r.reason);
                            ui.end_row();
                        }
                    });
                });
            }
        });
    }

    fn add_window(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let mut open = self.form.open;
        let mut submit = false;
        egui::Window::new("Add item (cold start)").open(&mut open).default_width(420.0).show(ui.ctx(), |ui| {
            ui.label("The item is embedded and indexed at once, and can appear in the very next recommendation.");
            let f = &mut self.form;
            egui::Grid::new("add-item").num_columns(2).show(ui, |ui| {
                for (label, value) in [
                    ("id *", &mut f.id),
                    ("name *", &mut f.name),
                    ("second-language name", &mut f.name_alt),
                    ("category", &mut f.category),
                    ("tags (comma-separated)", &mut f.tags),
                    ("description", &mut f.description),
                    ("price", &mut f.price),
                ] {
                    let l = ui.label(label);
                    ui.add(egui::TextEdit::singleline(value).desired_width(260.0)).labelled_by(l.id);
                    ui.end_row();
                }
            });
            let price_ok = f.price.trim().is_empty() || crate::catalog::parse_number(&f.price).is_some();
            if !price_ok {
                ui.colored_label(egui::Color32::from_rgb(240, 110, 100), "price is not a number");
            }
            let ok = !f.id.trim().is_empty() && !f.name.trim().is_empty() && price_ok;
            if ui.add_enabled(ok, egui::Button::new("Add")).clicked() {
                submit = true;
            }
        });
        if submit {
            let f = &self.form;
            let text = |s: &String| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let item = Item {
                id: f.id.trim().to_string(),
                name: f.name.trim().to_string(),
                name_alt: text(&f.name_alt),
                category: text(&f.category),
                tags: f.tags.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
                description: text(&f.description),
                price: crate::catalog::parse_number(&f.price),
                ..Default::default()
            };
            // The form changes the fields it fills in; an existing item keeps the others.
            let mut fields = vec![Field::Name];
            fields.extend(item.name_alt.is_some().then_some(Field::NameAlt));
            fields.extend(item.category.is_some().then_some(Field::Category));
            fields.extend((!item.tags.is_empty()).then_some(Field::Tags));
            fields.extend(item.description.is_some().then_some(Field::Description));
            fields.extend(item.price.is_some().then_some(Field::Price));
            out.push(Command::AddItems(vec![ItemUpdate::of_fields(item, fields, state.request.now)]));
            self.form = AddForm::default();
            open = false;
        }
        self.form.open = open;
    }
}

fn details(
    ui: &mut egui::Ui,
    item: &Item,
    kinds: &std::collections::BTreeMap<String, AttrKind>,
    state: &AppState,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        ui.heading(item.display_name());
        if let Some(a) = &item.name_alt {
            ui.label(a);
        }
        if ui.button("Show in results").on_hover_text("select it: its neighbours appear under the results").clicked() {
            out.push(Command::Select(Some(item.id.clone())));
            out.push(Command::ShowTab(crate::gui::state::Tab::Results));
        }
        if ui.button("Use as action").clicked() {
            out.push(Command::AddAction(crate::store::SimAction::on_item(
                "click",
                item.id.as_str(),
                state.request.now,
            )));
        }
    });
    egui::ScrollArea::vertical().id_salt("catalog-detail").max_height(170.0).show(ui, |ui| {
        egui::Grid::new("catalog-detail-grid").num_columns(2).striped(true).show(ui, |ui| {
            let mut row = |k: &str, v: String| {
                if !v.is_empty() {
                    ui.weak(k);
                    ui.add(egui::Label::new(v).wrap());
                    ui.end_row();
                }
            };
            row("id", item.id.clone());
            row("category", item.category.clone().unwrap_or_default());
            row("vertical", item.vertical.clone().unwrap_or_default());
            row("tags", item.tags.join(", "));
            row("description", item.description.clone().unwrap_or_default());
            row("price", item.price.map(|p| p.to_string()).unwrap_or_default());
            row("stock", item.stock.map(|p| p.to_string()).unwrap_or_default());
            row("purchase limit", item.purchase_limit.map(|p| p.to_string()).unwrap_or_default());
            row("released", item.released_at.map(format_time).unwrap_or_default());
            row("expires", item.expires_at.map(format_time).unwrap_or_default());
            for (k, v) in &item.attrs {
                row(k, v.display(kinds.get(k).copied().unwrap_or(AttrKind::Text)));
            }
        });
    });
}
