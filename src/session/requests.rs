//! The pieces of a request: its time, its rules, a saved scenario, a user (saved or of the
//! log), item-to-item mode, and the request a window starts with.

use super::{Result, SessionError};
use crate::pipeline::{Request, RuleSet};
use crate::store::{Named, Project, SimAction};

/// The setting naming the scenario a window opens with.
pub const START_SCENARIO: &str = "start_scenario";

/// The scenario's time: `explicit`, else the project's `now` setting, else the current time.
pub fn scenario_now(project: &Project, explicit: Option<i64>) -> Result<i64> {
    if let Some(t) = explicit {
        return Ok(t);
    }
    Ok(project.now_setting()?.unwrap_or_else(crate::util::now_secs))
}

/// Re-rank rules: a preset saved in the project, else a JSON/TOML file.
pub fn load_rules(project: &Project, spec: &str) -> Result<RuleSet> {
    if let Some(body) = project.load_named(Named::RulePreset, spec)? {
        return Ok(RuleSet::parse(&body, &format!("preset {spec}"))?);
    }
    let path = std::path::Path::new(spec);
    if path.exists() {
        let text =
            std::fs::read_to_string(path).map_err(|source| SessionError::Read { path: path.to_path_buf(), source })?;
        return Ok(RuleSet::parse(&text, &path.display().to_string())?);
    }
    Err(SessionError::NoRules { spec: spec.to_string(), presets: project.list_named(Named::RulePreset)? })
}

/// A saved scenario, as saved.
pub fn load_scenario(project: &Project, name: &str) -> Result<Request> {
    let Some(body) = project.load_named(Named::Scenario, name)? else {
        return Err(SessionError::NoScenario {
            name: name.to_string(),
            available: project.list_named(Named::Scenario)?,
        });
    };
    serde_json::from_str(&body).map_err(|source| SessionError::DamagedScenario { name: name.to_string(), source })
}

/// Where a user's actions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSource {
    /// A simulated user saved in the project: their actions, nothing else.
    Saved,
    /// A user of the interaction log: their whole history, which the strategy reads from the
    /// latest and the built-in filters (owned, in cart, …) read in full.
    Log { events: usize },
}

/// Makes `user` the request's user: a saved simulated user, else a user of the log.
pub fn set_user(project: &Project, req: &mut Request, user: &str) -> Result<UserSource> {
    let source = match project.load_user(user)? {
        Some(u) => {
            req.actions = u.actions;
            req.history.clear();
            UserSource::Saved
        }
        None => {
            let history = project.user_history(user)?;
            if history.is_empty() {
                return Err(SessionError::NoUser { user: user.to_string(), saved: project.list_users()? });
            }
            let actions: Vec<SimAction> =
                history.into_iter().map(|e| SimAction::on_item(e.event_type, e.item_id, e.ts)).collect();
            req.history = actions.clone();
            req.actions = actions;
            UserSource::Log { events: req.actions.len() }
        }
    };
    req.user = Some(user.to_string());
    Ok(source)
}

/// Items similar to `item` at `now`: about the item, not a user (nothing owned or in a cart).
pub fn similar_request(item: &str, now: i64) -> Request {
    Request { now, similar_to: Some(item.to_string()), ..Request::default() }
}

/// The request a window opens with: the project's start scenario (the sample's is the in-game
/// shop launch), else an empty timeline at the project's time.
pub fn start_request(project: &Project) -> Result<Request> {
    if let Some(name) = project.setting(START_SCENARIO)? {
        return load_scenario(project, &name);
    }
    Ok(Request { now: scenario_now(project, None)?, ..Request::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Interaction;

    fn project_with_log(events: usize) -> Project {
        let mut p = Project::in_memory().unwrap();
        let log: Vec<Interaction> = (0..events)
            .map(|i| Interaction {
                user_id: "u1".into(),
                item_id: format!("i{i}"),
                event_type: if i == 0 { "purchase".into() } else { "view".into() },
                ts: 1_000 + i as i64,
                value: None,
            })
            .collect();
        p.insert_interactions(&log).unwrap();
        p
    }

    /// A log user with many events keeps their whole history, whichever front end asks: the
    /// purchase of their first event still makes the item owned.
    #[test]
    fn a_log_user_brings_the_whole_history() {
        let p = project_with_log(45);
        let mut req = Request::default();
        assert_eq!(set_user(&p, &mut req, "u1").unwrap(), UserSource::Log { events: 45 });
        assert_eq!(req.actions.len(), 45);
        assert_eq!(req.history, req.actions);
        assert_eq!(req.actions[0].item_id.as_deref(), Some("i0"));
        assert_eq!(req.user.as_deref(), Some("u1"));
    }

    #[test]
    fn unknown_names_list_what_there_is() {
        let p = project_with_log(1);
        let e = set_user(&p, &mut Request::default(), "nobody").unwrap_err();
        assert_eq!(e.to_string(), "no user 'nobody': not a saved simulated user and not in the interaction log");
        let e = load_scenario(&p, "x").unwrap_err();
        assert_eq!(e.to_string(), "no scenario named 'x'");
        p.save_named(Named::Scenario, "broken", "{").unwrap();
        p.save_named(Named::Scenario, "fine", "{}").unwrap();
        let e = load_scenario(&p, "x").unwrap_err();
        assert_eq!(e.to_string(), "no scenario named 'x'; scenarios: broken, fine");
        let e = load_scenario(&p, "broken").unwrap_err();
        assert_eq!(e.to_string(), "scenario 'broken' is damaged");
        assert!(std::error::Error::source(&e).is_some(), "the parse error is the cause");
        let e = load_rules(&p, "no-such-preset-or-file").unwrap_err();
        assert_eq!(e.to_string(), "no rule preset or rules file named 'no-such-preset-or-file'");
    }

    #[test]
    fn a_project_without_a_start_scenario_starts_empty_at_its_time() {
        let p = project_with_log(1);
        p.set_setting("now", &crate::util::format_time(5_000)).unwrap();
        let req = start_request(&p).unwrap();
        assert!(req.actions.is_empty());
        assert_eq!(req.now, 5_000);
        let launch = Request { user: Some("demo".into()), ..Request::default() };
        p.save_named(Named::Scenario, "launch", &serde_json::to_string(&launch).unwrap()).unwrap();
        p.set_setting(START_SCENARIO, "launch").unwrap();
        assert_eq!(start_request(&p).unwrap(), launch);
    }
}
