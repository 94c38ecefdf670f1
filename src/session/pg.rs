//! The pushed project as a backend: connecting to it for the engine's model, and the requests
//! a parity report runs.

use super::{Result, SessionError};
use crate::pg::{PgIndex, Target};
use crate::pipeline::{Engine, Recommendation, RemoteIndex, Request};
use crate::store::{Named, Project};

/// Where the lab's content candidates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The lab's own index (or exact search while it builds).
    #[default]
    Lab,
    /// PostgreSQL + pgvector, through SQL, with the filters pushed into its `WHERE`.
    Pgvector,
}

impl Backend {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lab" => Some(Backend::Lab),
            "pgvector" | "postgres" | "postgresql" => Some(Backend::Pgvector),
            _ => None,
        }
    }
}

/// Connects to the push of the project in `schema` of `conn` (a libpq string or URL), for the
/// engine's model; every query runs at `ef_search` (`None`: at its `LIMIT`, see
/// [`crate::pg::PgIndex`]).
pub fn connect_pgvector(engine: &Engine, conn: &str, schema: &str, ef_search: Option<u32>) -> Result<PgIndex> {
    let target = Target::parse(conn)?;
    let index = PgIndex::connect(&target, schema, &engine.model().key)?;
    index.set_ef_search(ef_search);
    Ok(index)
}

/// A request through `remote` when there is one, else through the lab's own index.
pub fn recommend(engine: &Engine, req: &Request, remote: Option<&dyn RemoteIndex>) -> Result<Recommendation> {
    Ok(match remote {
        Some(r) => engine.recommend_remote(req, r)?,
        None => engine.recommend(req)?,
    })
}

/// The requests a parity report runs, at most `n`: the saved scenarios that search for
/// something (by name; a scenario of settings only has no user), then users of the log spread
/// over it, each with the settings of the project's start scenario.
pub fn parity_requests(project: &Project, engine: &Engine, n: usize) -> Result<Vec<(String, Request)>> {
    let mut out = Vec::new();
    for name in project.list_named(Named::Scenario)? {
        if out.len() == n {
            return Ok(out);
        }
        let req = super::load_scenario(project, &name)?;
        if super::has_user(&req) {
            out.push((format!("scenario {name}"), req));
        }
    }
    let base = super::settings_only(&super::start_request(project)?);
    let users = engine.stats().users();
    let wanted = n - out.len();
    if wanted == 0 || users.is_empty() {
        return Ok(out);
    }
    let mut sorted: Vec<&String> = users.iter().collect();
    sorted.sort_unstable();
    let step = (sorted.len() / wanted).max(1);
    for user in sorted.into_iter().step_by(step) {
        if out.len() == n {
            break;
        }
        let mut req = base.clone();
        super::set_user(project, &mut req, user)?;
        // A user whose log starts after the scenario's time would be a new user: not a
        // question for the content index.
        if req.actions.iter().any(|a| a.ts <= req.now) {
            out.push((format!("user {user}"), req));
        }
    }
    Ok(out)
}

impl From<crate::pg::PgError> for SessionError {
    fn from(e: crate::pg::PgError) -> Self {
        SessionError::Pg(Box::new(e))
    }
}
