//! Commands: every change the panels ask for, applied to the state or started as a job.

use super::*;

impl ReclabApp {
    pub(super) fn apply(&mut self, cmd: Command) {
        match cmd {
            Command::SetActions(a) => {
                self.state.request.actions = a;
                self.state.request.history.clear();
                self.bump();
            }
            Command::AddAction(a) => {
                self.state.request.actions.push(a);
                self.state.request.actions.sort_by_key(|a| a.ts);
                self.state.request.history.clear();
                self.state.revision += 1;
                self.bump();
            }
            Command::SetSearch(s) => {
                self.state.request.search = s.filter(|s| !s.trim().is_empty());
                self.bump();
            }
            Command::SetStrategy(s) => {
                self.state.request.strategy = s;
                self.bump();
            }
            Command::SetNow(t) => {
                self.state.request.now = t;
                self.bump();
            }
            Command::LoadUser(id) => {
                let Some(l) = &self.state.loaded else { return };
                let mut req = self.state.request.clone();
                match crate::session::set_user(&l.project, &mut req, &id) {
                    Ok(_) => {
                        req.search = None;
                        self.state.request = req;
                        self.state.revision += 1;
                        self.bump();
                    }
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::SaveUser(name) => {
                let Some(l) = &mut self.state.loaded else { return };
                let user =
                    SimUser { id: name.clone(), note: String::new(), actions: self.state.request.actions.clone() };
                match l.project.save_user(&user) {
                    Ok(()) => {
                        l.refresh_names();
                        self.state.request.user = Some(name.clone());
                        self.state.notify(Level::Info, format!("saved user {name}"));
                    }
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::DeleteUser(name) => {
                let Some(l) = &mut self.state.loaded else { return };
                let result = l.project.delete_user(&name);
                l.refresh_names();
                if let Err(e) = result {
                    self.state.notify(Level::Error, crate::util::error_chain(&e));
                }
            }
            Command::SetFilter(f) => {
                self.state.request.filter = f;
                self.bump();
            }
            Command::SetParams(p) => {
                self.state.request.params = p;
                self.bump();
            }
            Command::SetBuiltins(b) => {
                self.state.request.builtins = b;
                self.bump();
            }
            Command::SetRules(r) => {
                self.state.request.rules = r;
                self.bump();
            }
            Command::SetK(k) => {
                self.state.request.k = k.clamp(1, 100);
                self.bump();
            }
            Command::SetSources(s) => {
                self.state.request.sources = s;
                self.bump();
            }
            Command::SetCandidates(n) => {
                self.state.request.candidates = n.clamp(10, 5000);
                self.bump();
            }
            Command::SavePreset(name) => {
                let Some(l) = &mut self.state.loaded else { return };
                let mut rules = self.state.request.rules.clone();
                rules.name = Some(name.clone());
                match crate::pipeline::save_rule_preset(&l.project, &name, &rules) {
                    Ok(()) => {
                        l.refresh_names();
                        self.state.request.rules = rules;
                        self.state.notify(Level::Info, format!("saved rule preset {name}"));
                    }
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::LoadPreset(name) => {
                let Some(l) = &self.state.loaded else { return };
                match l.project.load_named(Named::RulePreset, &name) {
                    Ok(Some(body)) => match RuleSet::parse(&body, &name) {
                        Ok(r) => {
                            self.state.request.rules = r;
                            self.state.revision += 1;
                            self.bump();
                        }
                        Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                    },
                    Ok(None) => self.state.notify(Level::Error, format!("no preset {name}")),
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::DeletePreset(name) => {
                let Some(l) = &mut self.state.loaded else { return };
                let result = l.project.delete_named(Named::RulePreset, &name);
                l.refresh_names();
                if let Err(e) = result {
                    self.state.notify(Level::Error, crate::util::error_chain(&e));
                }
            }
            Command::Select(id) => {
                self.state.selected = id;
                self.state.neighbours = None;
                self.bump();
            }
            Command::SetCompare(mode) => {
                self.state.compare = mode;
                self.state.compare_result = None;
                self.bump();
            }
            Command::Import(path) => {
                let Some(l) = &self.state.loaded else { return };
                let job =
                    worker::import(path.clone(), self.state.project_path.clone(), l.model.clone(), self.wake.clone());
                self.spawn(&format!("Importing {}", path.display()), job);
            }
            Command::AddItems(items) => {
                let Some(l) = &self.state.loaded else { return };
                let job =
                    worker::add_items(items, self.state.project_path.clone(), l.engine.clone(), self.wake.clone());
                self.spawn("Adding items", job);
            }
            Command::SaveScenario(name) => {
                let Some(l) = &mut self.state.loaded else { return };
                match crate::pipeline::save_scenario(&l.project, &name, &self.state.request) {
                    Ok(()) => {
                        l.refresh_names();
                        self.state.notify(Level::Info, format!("saved scenario {name}"));
                    }
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::LoadScenario(name) => {
                let Some(l) = &self.state.loaded else { return };
                match crate::session::load_scenario(&l.project, &name) {
                    Ok(r) => {
                        // A scenario without a user (a tuned one) changes the pipeline only.
                        self.state.request = if crate::session::has_user(&r) {
                            r
                        } else {
                            crate::session::apply_settings(&self.state.request, &r)
                        };
                        self.state.revision += 1;
                        self.bump();
                    }
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::ExportResults(path) => {
                match self.state.current().map(|rec| export_text(&path, rec, crate::export::trace_csv)) {
                    Some(body) => self.write_export(&path, &body),
                    None => self.state.notify(Level::Error, "there is no result to export yet"),
                }
            }
            Command::ExportVectors(path) => {
                let Some(l) = &self.state.loaded else { return };
                let job =
                    worker::export_vectors(path, self.state.project_path.clone(), l.engine.clone(), self.wake.clone());
                self.spawn("Exporting vectors", job);
            }
            Command::RunEval(config) => {
                let Some(l) = &self.state.loaded else { return };
                let job =
                    worker::evaluate(*config, self.state.project_path.clone(), l.model.clone(), self.wake.clone());
                self.spawn("Evaluating", job);
            }
            Command::RunTune(config) => {
                let Some(l) = &self.state.loaded else { return };
                let start = self.state.request.clone();
                let job =
                    worker::tune(*config, start, self.state.project_path.clone(), l.model.clone(), self.wake.clone());
                self.spawn("Tuning", job);
            }
            Command::PushPg { url, schema } => {
                let job = worker::pg_push(self.state.project_path.clone(), url, schema, self.wake.clone());
                self.spawn("Pushing to PostgreSQL", job);
            }
            Command::ConnectPg { url, schema } => {
                let Some(l) = &self.state.loaded else { return };
                let job = worker::pg_connect(l.engine.clone(), url, schema, self.wake.clone());
                self.spawn("Connecting to PostgreSQL", job);
            }
            Command::DisconnectPg => {
                if self.state.pg.take().is_some() {
                    self.state.notify(Level::Info, "recommendations come from the lab's own index again");
                    self.bump();
                }
            }
            Command::RunParity(requests) => {
                let (Some(l), Some(index)) = (&self.state.loaded, &self.state.pg) else { return };
                let job = worker::parity(
                    l.engine.clone(),
                    index.clone(),
                    self.state.project_path.clone(),
                    requests,
                    self.wake.clone(),
                );
                self.spawn("Parity", job);
            }
            Command::ApplyTrial(id) => {
                let Some(trial) = self.state.tune_report.as_ref().and_then(|r| r.trials.iter().find(|t| t.id == id))
                else {
                    return;
                };
                self.state.request = crate::session::apply_settings(&self.state.request, &trial.request);
                self.state.applied_trial = Some(id);
                self.state.revision += 1;
                self.bump();
            }
            Command::LoadEvalRun(id) => {
                let Some(l) = &self.state.loaded else { return };
                match l.project.eval_run(id) {
                    Ok(Some(run)) => match serde_json::from_str(&run.report) {
                        Ok(r) => self.state.eval_report = Some(r),
                        Err(e) => self.state.notify(Level::Error, format!("run {id} is damaged: {e}")),
                    },
                    Ok(None) => self.state.notify(Level::Error, format!("no run {id}")),
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
            }
            Command::ExportEval(path) => {
                match self.state.eval_report.as_ref().map(|r| export_text(&path, r, crate::eval::to_csv)) {
                    Some(body) => self.write_export(&path, &body),
                    None => self.state.notify(Level::Error, "run an evaluation first"),
                }
            }
            Command::ImportModel(path) => {
                let job = worker::import_model(path, self.wake.clone());
                self.spawn("Installing a model", job);
            }
            Command::FetchModel(repo) => {
                let job = worker::fetch_model(repo.clone(), self.wake.clone());
                self.spawn(&format!("Downloading {repo}"), job);
            }
            Command::InstallSuggested => {
                self.state.install_failure = None;
                let job = worker::install_suggested(self.wake.clone());
                self.spawn(&format!("Downloading {}", crate::embed::offer::SUGGESTED), job);
            }
            Command::UseModel(spec, precision) => {
                let job =
                    worker::switch_model(spec.clone(), precision, self.state.project_path.clone(), self.wake.clone());
                self.spawn(&format!("Embedding with {spec} ({})", precision.as_str()), job);
            }
            Command::RemoveModel(name) => {
                match ModelStore::default_location().remove(&name) {
                    Ok(()) => self.state.notify(Level::Info, format!("removed {name}")),
                    Err(e) => self.state.notify(Level::Error, crate::util::error_chain(&e)),
                }
                self.state.installed_models = ModelStore::default_location().list();
            }
            Command::OpenProject(path) => self.open_project(path),
            Command::CancelJob(id) => {
                if let Some(j) = self.jobs.iter().find(|j| j.id == id) {
                    j.job.cancel();
                }
            }
            Command::DismissNotification(i) => {
                if i < self.state.notifications.len() {
                    self.state.notifications.remove(i);
                }
            }
            Command::SetDark(dark) => self.state.dark = dark,
            Command::ShowTab(tab) => self.state.tab = tab,
            Command::ShowBoard(view) => self.state.board_view = view,
            Command::CheckNotShown(config) => {
                if let Some(l) = &self.state.loaded {
                    let ask = (self.state.generation, self.state.request.clone(), config);
                    let (engine, board) = (l.engine.clone(), l.board.clone());
                    let job = worker::not_shown(engine, board, self.state.project_path.clone(), ask, self.wake.clone());
                    self.spawn("Checking the board against the pipeline", job);
                }
            }
        }
    }

    /// Writes an export and says how it went.
    pub(super) fn write_export(&mut self, path: &std::path::Path, body: &str) {
        match worker::write_file(path, body.as_bytes(), &self.state.project_path) {
            Ok(()) => self.state.notify(Level::Info, format!("wrote {}", path.display())),
            Err(e) => self.state.notify(Level::Error, format!("{e:#}")),
        }
    }
}
