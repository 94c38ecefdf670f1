//! The simulated user: who, what they did and when, and how the strategy reads it.

use crate::gui::state::{AppState, Command};
use crate::gui::widgets::{ItemPicker, name_and_button};
use crate::pipeline::StrategyKind;
use crate::pipeline::user::{SEARCH, verb};
use crate::store::SimAction;
use crate::util::{describe_age, format_time, parse_time};

pub struct UserPanel {
    picker: ItemPicker,
    new_event: String,
    new_age_min: f64,
    search: String,
    save_name: String,
    user_filter: String,
    now_text: String,
    seen_revision: u64,
}

impl Default for UserPanel {
    fn default() -> Self {
        Self {
            picker: ItemPicker::default(),
            new_event: "click".into(),
            new_age_min: 1.0,
            search: String::new(),
            save_name: String::new(),
            user_filter: String::new(),
            now_text: String::new(),
            seen_revision: u64::MAX,
        }
    }
}

impl UserPanel {
    pub fn ui(&mut self, ui: &mut egui::Ui, state: &AppState, out: &mut Vec<Command>) {
        let Some(l) = &state.loaded else { return };
        let req = &state.request;
        if self.seen_revision != state.revision {
            self.seen_revision = state.revision;
            self.search = req.search.clone().unwrap_or_default();
            self.now_text = format_time(req.now);
        }
        ui.heading("Simulated user");
        ui.horizontal(|ui| {
            let load = ui.label("Load");
            let current = req.user.clone().unwrap_or_else(|| "(custom)".into());
            egui::ComboBox::from_id_salt("load-user")
                .selected_text(current)
                .width(180.0)
                .show_ui(ui, |ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.user_filter).hint_text("filter users"))
                        .accessible_name("filter users");
                    if !l.users.is_empty() {
                        ui.weak("saved users");
                    }
                    for u in &l.users {
                        if u.contains(self.user_filter.trim()) && ui.selectable_label(false, u).clicked() {
                            out.push(Command::LoadUser(u.clone()));
                        }
                    }
                    ui.weak("users of the interaction log");
                    for (u, n) in l.log_users.iter().filter(|(u, _)| u.contains(self.user_filter.trim())).take(60) {
                        if ui.selectable_label(false, format!("{u} ({n} events)")).clicked() {
                            out.push(Command::LoadUser(u.clone()));
                        }
                    }
                })
                .response
                .labelled_by(load.id);
        });

        ui.add_space(4.0);
        ui.strong("Timeline (oldest first)");
        let engine = l.engine.read();
        let mut actions = req.actions.clone();
        let mut changed = false;
        let mut remove = None;
        let mut swap = None;
        let n = actions.len();
        for (i, a) in actions.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                egui::ComboBox::from_id_salt(("event", i))
                    .selected_text(verb(&a.event_type))
                    .width(96.0)
                    .show_ui(ui, |ui| {
                        for t in &l.event_types {
                            if ui.selectable_label(a.event_type == *t, t).clicked() && a.event_type != *t {
                                a.event_type = t.clone();
                                changed = true;
                            }
                        }
                    })
                    .response
                    .accessible_name(format!("event type of action {}", i + 1));
                let mut minutes = ((req.now - a.ts) as f64 / 60.0).max(0.0);
                let resp = ui
                    .add(
                        egui::DragValue::new(&mut minutes)
                            .range(0.0..=60.0 * 24.0 * 60.0)
                            .speed(1.0)
                            .custom_formatter(|m, _| describe_age(req.now - (m * 60.0) as i64, req.now)),
                    )
                    .on_hover_text("how long before now (drag, or type minutes)")
                    .accessible_name(format!("time of action {}", i + 1));
                if resp.changed() {
                    a.ts = req.now - (minutes * 60.0) as i64;
                    changed = true;
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui.small_button("×").on_hover_text("remove").clicked() {
                        remove = Some(i);
                    }
                    if ui.add_enabled(i + 1 < n, egui::Button::new("↓").small()).on_hover_text("later").clicked() {
                        swap = Some((i, i + 1));
                    }
                    if ui.add_enabled(i > 0, egui::Button::new("↑").small()).on_hover_text("earlier").clicked() {
                        swap = Some((i - 1, i));
                    }
                });
            });
            let what = match (&a.item_id, &a.query) {
                (_, Some(q)) if a.event_type == SEARCH => format!("“{q}”"),
                (Some(id), _) => {
                    let name = engine.as_ref().ok().and_then(|g| {
                        g.catalog().get(id).map(|i| {
                            format!(
                                "{}{}",
                                i.display_name(),
                                i.name_alt.as_deref().map(|a| format!(" · {a}")).unwrap_or_default()
                            )
                        })
                    });
                    name.unwrap_or_else(|| format!("{id} (not in catalog)"))
                }
                _ => String::new(),
            };
            ui.add(egui::Label::new(egui::RichText::new(format!("   {what}")).strong()).truncate())
                .on_hover_text(format!("item {}", a.item_id.clone().unwrap_or_default()));
            ui.add_space(2.0);
        }
        if actions.is_empty() {
            ui.weak("No actions yet: add one below, or load a user.");
        }
        if let Some((a, b)) = swap {
            // Moving an action in the timeline swaps its time with its neighbour's.
            let (ta, tb) = (actions[a].ts, actions[b].ts);
            actions.swap(a, b);
            actions[a].ts = ta;
            actions[b].ts = tb;
            changed = true;
        }
        if let Some(i) = remove {
            actions.remove(i);
            changed = true;
        }
        if changed {
            actions.sort_by_key(|a| a.ts);
            out.push(Command::SetActions(actions));
        }

        ui.add_space(6.0);
        ui.group(|ui| {
            ui.horizontal(|ui| {
                let add = ui.label("Add");
                egui::ComboBox::from_id_salt("new-event")
                    .selected_text(verb(&self.new_event))
                    .width(92.0)
                    .show_ui(ui, |ui| {
                        for t in l.event_types.iter().filter(|t| *t != SEARCH) {
                            ui.selectable_value(&mut self.new_event, t.clone(), t);
                        }
                    })
                    .response
                    .labelled_by(add.id);
                ui.add(egui::DragValue::new(&mut self.new_age_min).range(0.0..=100_000.0).suffix(" min ago"))
                    .accessible_name("minutes before now");
            });
            if let Ok(g) = &engine
                && let Some(id) = self.picker.ui(ui, g.catalog(), "Item", "type a name or id (Korean works too)")
            {
                let ts = req.now - (self.new_age_min * 60.0) as i64;
                out.push(Command::AddAction(SimAction::on_item(self.new_event.as_str(), id, ts)));
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.search)
                        .hint_text("free text, as the latest action")
                        .desired_width(f32::INFINITY),
                )
                .labelled_by(label.id);
            if r.changed() {
                out.push(Command::SetSearch(Some(self.search.clone())));
            }
        });

        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Now");
            let r = ui.add(egui::TextEdit::singleline(&mut self.now_text).desired_width(170.0)).labelled_by(label.id);
            if r.lost_focus() {
                match parse_time(&self.now_text) {
                    Some(t) => out.push(Command::SetNow(t)),
                    None => self.now_text = format_time(req.now),
                }
            }
            if ui.small_button("current time").on_hover_text("set now to the clock's time").clicked() {
                let t = crate::util::now_secs();
                self.now_text = format_time(t);
                out.push(Command::SetNow(t));
            }
        });
        ui.horizontal(|ui| {
            if let Some(name) = name_and_button(ui, &mut self.save_name, "user name", "Save user") {
                out.push(Command::SaveUser(name));
            }
            if let Some(u) = &req.user
                && l.users.contains(u)
                && ui.small_button("Delete").on_hover_text(format!("delete saved user {u}")).clicked()
            {
                out.push(Command::DeleteUser(u.clone()));
            }
        });

        ui.separator();
        ui.heading("Strategy");
        let mut s = req.strategy.clone();
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            for (kind, label, tip) in [
                (StrategyKind::Latest, "Latest action", "neighbours of the most recent action"),
                (StrategyKind::Profile, "Recency profile", "weighted mean of recent actions, with time decay"),
                (StrategyKind::MultiAnchor, "Multi-anchor", "neighbours of each recent action, best score wins"),
            ] {
                if ui.radio(s.kind == kind, label).on_hover_text(tip).clicked() && s.kind != kind {
                    s.kind = kind;
                    changed = true;
                }
            }
        });
        if s.kind != StrategyKind::Latest {
            changed |= ui
                .add(
                    egui::Slider::new(&mut s.half_life_hours, 0.25..=24.0 * 30.0)
                        .logarithmic(true)
                        .text("half-life (h)"),
                )
                .changed();
            changed |= ui.add(egui::Slider::new(&mut s.max_actions, 1..=30).text("recent actions")).changed();
            ui.collapsing("Event-type weights", |ui| {
                for t in &l.event_types {
                    let mut w = s.weight_of(t);
                    if ui.add(egui::Slider::new(&mut w, 0.0..=5.0).text(t)).changed() {
                        s.event_weights.insert(t.clone(), w);
                        changed = true;
                    }
                }
            });
        }
        if changed {
            out.push(Command::SetStrategy(s));
        }
    }
}
