//! Job completion: what the app does when a background job or the recommender answers.

use super::*;

impl ReclabApp {
    pub(super) fn poll_jobs(&mut self) {
        let mut finished = Vec::new();
        let mut i = 0;
        while i < self.jobs.len() {
            if self.jobs[i].job.is_finished() {
                let j = self.jobs.remove(i);
                finished.push(j);
            } else {
                i += 1;
            }
        }
        for mut j in finished {
            match j.job.try_take() {
                Some(Ok(done)) => self.on_done(done),
                Some(Err(_)) => {
                    self.state.notify(Level::Error, format!("{} failed unexpectedly (the worker panicked)", j.label));
                }
                None => {}
            }
        }
        self.state.jobs = self
            .jobs
            .iter_mut()
            .map(|j| {
                let (stage, done, total) =
                    j.job.progress().map(|p| (p.stage.clone(), p.done, p.total)).unwrap_or_default();
                crate::gui::state::JobView { id: j.id, label: j.label.clone(), stage, done, total }
            })
            .collect();
    }

    pub(super) fn on_done(&mut self, done: Done) {
        match done {
            Done::Opened(Ok(opened)) => {
                let project = match Project::open_existing(&opened.path) {
                    Ok(p) => p,
                    Err(e) => return self.state.notify(Level::Error, crate::util::error_chain(&e)),
                };
                let opened = *opened;
                let mut engine = opened.engine;
                self.start_index_build(&mut engine);
                let (categories, verticals) = catalog_facets(&engine);
                let mut loaded = Loaded {
                    project,
                    engine: Arc::new(RwLock::new(engine)),
                    model: opened.model,
                    presets: Vec::new(),
                    scenarios: Vec::new(),
                    users: Vec::new(),
                    log_users: opened.log.users,
                    categories,
                    verticals,
                    event_types: opened.log.event_types,
                    board: Arc::new(opened.log.board),
                    eval_runs: Vec::new(),
                    names_error: None,
                };
                loaded.refresh_names();
                for r in &opened.reports {
                    self.state.notify(Level::Info, format!("{}: {} items added", r.file, r.added));
                }
                if !loaded.model.neural {
                    self.state.notify(
                        Level::Info,
                        "No sentence-embedding model is installed: the built-in lexical embedder is in use (it matches spelling, not meaning). Install one in the Models tab.",
                    );
                }
                let fresh_request = self.state.loaded.is_none();
                self.state.loaded = Some(loaded);
                if fresh_request {
                    match opened.start {
                        Ok(request) => self.state.request = request,
                        Err(e) => self.state.notify(Level::Error, format!("the start scenario: {e:#}")),
                    }
                    self.state.revision += 1;
                }
                if let Some(name) = self.pending_scenario.take() {
                    self.commands.push(Command::LoadScenario(name));
                }
                if let Some((url, schema)) = self.pending_pg.take() {
                    self.commands.push(Command::ConnectPg { url, schema });
                }
                if let Some(trials) = self.pending_tune.take() {
                    let config = crate::eval::tune::TuneConfig { trials, ..Default::default() };
                    self.commands.push(Command::RunTune(Box::new(config)));
                }
                self.bump();
                self.start_projection();
            }
            Done::Opened(Err(e)) => {
                if let Some(crate::session::SessionError::ModelMissing { model, .. }) = e.downcast_ref() {
                    self.state.model_missing = Some(model.clone());
                }
                let message = format!("cannot open {}: {e:#}", self.state.project_path.display());
                // A screenshot or a measurement can never settle now: it ends with the error.
                if self.scripted {
                    self.fatal = Some(message.clone());
                }
                self.state.notify(Level::Error, message);
            }
            Done::Imported(Ok(imported)) => {
                let (report, mut engine, log) = *imported;
                self.start_index_build(&mut engine);
                if let Some(l) = &mut self.state.loaded {
                    (l.categories, l.verticals) = catalog_facets(&engine);
                    l.event_types = log.event_types;
                    l.log_users = log.users;
                    l.board = Arc::new(log.board);
                    // The lexical embedder may have been fitted again for the new catalog.
                    l.model = engine.model().clone();
                    l.engine = Arc::new(RwLock::new(engine));
                }
                self.state.notify(
                    Level::Info,
                    format!(
                        "imported {}: {} added, {} updated, {} rejected",
                        report.file,
                        report.added,
                        report.updated,
                        report.rejected.len()
                    ),
                );
                self.state.last_import = Some(report);
                self.state.imports += 1;
                self.state.tab = Tab::Catalog;
                self.bump();
                self.start_projection();
            }
            Done::Imported(Err(e)) => self.state.notify(Level::Error, format!("import failed: {e:#}")),
            Done::Added(Ok(report)) => {
                self.state.notify(
                    Level::Info,
                    format!(
                        "added {}: embedded and indexed in {:.0} ms, no rebuild",
                        report.added.join(", "),
                        report.seconds * 1000.0
                    ),
                );
                if let Some(l) = &mut self.state.loaded
                    && let Ok(g) = l.engine.read()
                {
                    (l.categories, l.verticals) = catalog_facets(&g);
                }
                self.bump();
                self.start_projection();
            }
            Done::Added(Err(e)) => self.state.notify(Level::Error, format!("adding items failed: {e:#}")),
            Done::ModelInstalled(Ok(m)) => {
                self.state.notify(Level::Info, format!("installed {} ({}-d)", m.manifest.name, m.manifest.dim));
                self.state.installed_models = ModelStore::default_location().list();
                // The missing model may be there now: try the project again.
                if self.state.model_missing.is_some() {
                    self.open_project(self.state.project_path.clone());
                }
            }
            Done::ModelInstalled(Err(e)) => self.state.notify(Level::Error, format!("{e:#}")),
            Done::SuggestedInstalled(Ok(m)) => {
                self.state.install_failure = None;
                self.state
                    .notify(Level::Info, format!("installed {}: re-embed the project to use it", m.manifest.name));
                self.state.installed_models = ModelStore::default_location().list();
            }
            Done::SuggestedInstalled(Err(f)) => self.state.install_failure = Some(f),
            Done::Switched(Ok(switched)) => {
                let (model, mut engine) = *switched;
                if self.state.loaded.is_none() {
                    // The user chose another model for a project whose own is missing.
                    self.state.notify(Level::Info, format!("the project now uses {}", model.key));
                    return self.open_project(self.state.project_path.clone());
                }
                self.start_index_build(&mut engine);
                if let Some(l) = &mut self.state.loaded {
                    l.engine = Arc::new(RwLock::new(engine));
                    l.model = model.clone();
                }
                self.state.notify(Level::Info, format!("the project now uses {}", model.key));
                if self.state.pg.take().is_some() {
                    // The pushed vectors are of the old model: they would answer another question.
                    self.state.notify(
                        Level::Info,
                        "disconnected from pgvector: its vectors are of the old model (push the project again)",
                    );
                }
                self.bump();
                self.start_projection();
            }
            Done::Switched(Err(e)) => self.state.notify(Level::Error, format!("cannot switch models: {e:#}")),
            Done::Projection(points) => self.state.projection = Some(Arc::new(points)),
            Done::Evaluated(Ok((report, id))) => {
                self.state.notify(Level::Info, format!("evaluation stored as run {id} ({:.1} s)", report.seconds));
                self.state.eval_report = Some(report);
                if let Some(l) = &mut self.state.loaded {
                    l.refresh_names();
                }
            }
            Done::Tuned(Ok(report)) => {
                let best = report.best_trial().map(|t| format!("best {:.4}", t.objective)).unwrap_or_default();
                self.state.notify(
                    Level::Info,
                    format!("tuning done: {} trials, {best} ({:.1} s)", report.trials.len(), report.seconds),
                );
                self.state.applied_trial = None;
                self.state.tune_report = Some(report);
            }
            Done::Pushed(Ok(report)) => {
                self.state.notify(
                    Level::Info,
                    format!(
                        "pushed to {} (schema {}): {} items inserted, {} updated, {} unchanged, {} removed",
                        report.target,
                        report.schema,
                        report.items.inserted,
                        report.items.updated,
                        report.items.unchanged,
                        report.items.removed
                    ),
                );
                self.state.pg_push = Some(report);
            }
            Done::Pushed(Err(e)) => self.state.notify(Level::Error, format!("push failed: {e:#}")),
            Done::PgConnected(Ok(index)) => {
                let info = index.info();
                self.state.notify(
                    Level::Info,
                    format!("recommendations now come from pgvector at {} (schema {})", info.target, info.schema),
                );
                self.state.pg = Some(index);
                if let Some(n) = self.pending_parity.take() {
                    self.commands.push(Command::RunParity(n));
                }
                self.bump();
            }
            Done::PgConnected(Err(e)) => {
                self.pending_parity = None;
                self.state.notify(Level::Error, format!("cannot use PostgreSQL: {e:#}"));
            }
            Done::Parity(Ok(report)) => {
                self.state.notify(
                    Level::Info,
                    format!(
                        "parity of {} requests: mean overlap@K {:.3} at hnsw.ef_search {}",
                        report.requests, report.mean_overlap_at_k, report.recommended_ef_search
                    ),
                );
                self.state.parity = Some(report);
            }
            Done::Parity(Err(e)) => self.state.notify(Level::Error, format!("parity failed: {e:#}")),
            Done::Tuned(Err(e)) => self.state.notify(Level::Error, format!("tuning failed: {e:#}")),
            Done::Evaluated(Err(e)) => self.state.notify(Level::Error, format!("evaluation failed: {e:#}")),
            Done::Exported(Ok(path)) => self.state.notify(Level::Info, format!("wrote {}", path.display())),
            Done::Exported(Err(e)) => self.state.notify(Level::Error, format!("{e:#}")),
            Done::IndexBuilt(Ok(built)) => {
                // Only the engine the build was planned for takes it (a reimport replaces it).
                let installed = self
                    .state
                    .loaded
                    .as_ref()
                    .and_then(|l| l.engine.write().ok().map(|mut g| g.install_index(built)))
                    .unwrap_or(false);
                if installed {
                    self.bump();
                }
            }
            Done::IndexBuilt(Err(e)) => self
                .state
                .notify(Level::Error, format!("building the vector index failed (exact search serves): {e:#}")),
            Done::NotShown(generation, report) => {
                self.state.not_shown = Some((generation, report.map_err(|e| format!("{e:#}"))));
            }
        }
    }

    /// Starts the index build `engine` waits for, if any: it serves exact search until then.
    pub(super) fn start_index_build(&mut self, engine: &mut crate::pipeline::Engine) {
        if let Some(build) = engine.take_index_build() {
            let job = worker::build_index(build, self.wake.clone());
            self.spawn("Building the vector index", job);
        }
    }

    pub(super) fn start_projection(&mut self) {
        if let Some(l) = &self.state.loaded {
            let job = worker::projection(l.engine.clone(), self.wake.clone());
            self.spawn("Embedding map", job);
        }
    }

    /// The request changed: results must be recomputed.
    pub(super) fn bump(&mut self) {
        self.state.generation += 1;
    }

    pub(super) fn ask_if_needed(&mut self) {
        if self.asked == self.state.generation {
            return;
        }
        let Some(l) = &self.state.loaded else { return };
        self.asked = self.state.generation;
        let engine = l.engine.clone();
        let now = self.state.request.now;
        let req = &self.state.request;
        let compare = match &self.state.compare {
            CompareMode::Baseline => Ok(None),
            CompareMode::Preset(name) => crate::session::load_rules(&l.project, name)
                .map(|rules| Some(Request { rules, baseline: false, ..req.clone() })),
        };
        let compare = match compare {
            Ok(c) => c,
            Err(e) => {
                // Said once: the comparison goes back to the baseline.
                self.state.notify(Level::Error, format!("cannot compare: {}", crate::util::error_chain(&e)));
                self.state.compare = CompareMode::Baseline;
                None
            }
        };
        // The selected item's neighbours: the same request as `reclab similar ID --k 8`.
        let selected =
            self.state.selected.as_deref().map(|id| Request { k: 8, ..crate::session::similar_request(id, now) });
        let req = &self.state.request;
        let main = Request { baseline: true, ..req.clone() };
        let remote = self.state.pg.clone();
        self.recommender.ask(engine, Ask { generation: self.state.generation, main, compare, selected, remote });
    }

    pub(super) fn poll_answers(&mut self) {
        if let Some(a) = self.recommender.poll()
            && a.generation >= self.state.result_generation
        {
            self.state.result_generation = a.generation;
            self.state.result = Some(a.main);
            self.state.compare_result = a.compare;
            self.state.neighbours = a.selected;
            self.state.last_latency_ms = Some(a.millis);
        }
    }
}
