//! Tuning from a front end: where the search starts, running it on the project's log, and
//! carrying a tuned configuration into a request or a saved scenario.

use super::{Result, SessionError};
use crate::eval::tune::{TuneConfig, TuneReport};
use crate::jobs::ProgressSink;
use crate::pipeline::{Engine, Request};
use crate::store::Project;

/// The settings of a request without its user: what a tuned scenario holds.
pub fn settings_only(req: &Request) -> Request {
    Request {
        user: None,
        actions: Vec::new(),
        history: Vec::new(),
        search: None,
        similar_to: None,
        baseline: false,
        ..req.clone()
    }
}

/// Where a search starts: a saved scenario's settings, else the defaults, at the project's now.
pub fn tune_start(project: &Project, scenario: Option<&str>) -> Result<Request> {
    let base = match scenario {
        Some(name) => super::load_scenario(project, name)?,
        None => Request { now: super::scenario_now(project, None)?, ..Request::default() },
    };
    Ok(settings_only(&base))
}

/// Tunes on the project's interaction log.
pub fn tune(
    project: &Project,
    engine: &Engine,
    start: &Request,
    config: &TuneConfig,
    sink: &ProgressSink,
) -> Result<TuneReport> {
    let log = project.load_interactions()?;
    crate::eval::tune::tune(engine, &log, start, config, sink).map_err(|e| SessionError::Eval(Box::new(e)))
}

/// `current` with the pipeline settings of `settings` (a tuned trial, or a scenario without a
/// user): the user, their actions, the search and the time stay.
pub fn apply_settings(current: &Request, settings: &Request) -> Request {
    Request {
        user: current.user.clone(),
        actions: current.actions.clone(),
        history: current.history.clone(),
        search: current.search.clone(),
        similar_to: current.similar_to.clone(),
        now: current.now,
        baseline: current.baseline,
        ..settings.clone()
    }
}

/// Saves a tuned configuration as a scenario without a user (checked like any scenario).
pub fn save_tuned(project: &Project, name: &str, settings: &Request) -> Result<()> {
    crate::pipeline::save_scenario(project, name, &settings_only(settings))?;
    Ok(())
}

/// Whether a scenario says who the user is (else loading it keeps the current user).
pub fn has_user(req: &Request) -> bool {
    req.user.is_some() || !req.actions.is_empty() || req.search.is_some() || req.similar_to.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SimAction;

    #[test]
    fn settings_move_and_the_user_stays() {
        let action = SimAction { event_type: "click".into(), item_id: Some("1".into()), query: None, ts: 5 };
        let current = Request { user: Some("u1".into()), actions: vec![action], now: 10, ..Request::default() };
        let mut tuned = Request { k: 7, now: 99, ..Request::default() };
        tuned.sources.cooccurrence = 40;
        let applied = apply_settings(&current, &tuned);
        assert_eq!(applied.user.as_deref(), Some("u1"));
        assert_eq!((applied.actions.len(), applied.now, applied.k, applied.sources.cooccurrence), (1, 10, 7, 40));
        assert!(!has_user(&settings_only(&current)) && has_user(&current));
    }
}
