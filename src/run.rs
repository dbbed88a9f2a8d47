//! The one way to run vvcheck from code: [`run`] takes a [`RunRequest`] (where the inputs are and
//! how to run), loads and resolves the inputs exactly once, runs the engine, and hands every
//! event to the caller as it happens. `vvcheck run`, `vvcheck demo` and the tests all use it.

use tokio::sync::mpsc;

use crate::engine::{self, EngineError, RunOptions, RunOutcome};
use crate::model::diag::suggest;
use crate::model::inputs::{self, InputPaths, Inputs, LoadError};
use crate::outcome::Event;
use crate::probes::registry::Registry;

/// What to run, and how.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Catalogue, suites, target profile and attestations; a target profile is required.
    pub paths: InputPaths,
    pub options: RunOptions,
}

/// Why a run could not start (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An input file is unreadable or invalid.
    #[error("{0}")]
    Load(#[from] LoadError),
    /// A filter names nothing (`--requirement SEC-99`, `--tag acess`).
    #[error("error: {0}")]
    Filter(String),
    /// The engine could not start.
    #[error("error: {0}")]
    Engine(#[from] EngineError),
}

/// Loads, resolves and runs; `listen` sees each event as it happens.
pub async fn run(
    request: RunRequest,
    mut listen: impl FnMut(&Event),
) -> Result<RunOutcome, RunError> {
    let mut loaded = inputs::load(&request.paths, &Registry)?;
    let Some(target) = loaded.resolved.take() else {
        return Err(RunError::Filter("no target profile".into()));
    };
    check_filters(&loaded, &request.options)?;
    for w in target.warnings.iter().chain(&loaded.warnings) {
        listen(&Event::InputWarning(w.to_string()));
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let engine = engine::run(&loaded, target, &request.options, tx);
    let consume = async {
        while let Some(event) = rx.recv().await {
            listen(&event);
        }
    };
    let (outcome, ()) = tokio::join!(engine, consume);
    Ok(outcome?)
}

/// Filters that name nothing are mistakes, not empty runs.
fn check_filters(loaded: &Inputs, options: &RunOptions) -> Result<(), RunError> {
    let ids: Vec<&str> = loaded
        .catalogue
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    for wanted in &options.filters.requirements {
        if !ids.iter().any(|id| id.eq_ignore_ascii_case(wanted)) {
            let hint = suggest(&wanted.to_ascii_uppercase(), ids.iter().copied())
                .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            return Err(RunError::Filter(format!(
                "--requirement `{wanted}` is not in the catalogue (edition {}){hint}",
                loaded.catalogue.edition
            )));
        }
    }
    let mut tags: Vec<&str> = loaded
        .checks
        .iter()
        .flat_map(|c| c.tags.iter().map(String::as_str))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    for wanted in &options.filters.tags {
        if !tags.contains(&wanted.as_str()) {
            let hint = suggest(wanted, tags.iter().copied()).map_or_else(
                || format!("; tags: {}", tags.join(", ")),
                |s| format!("; did you mean `{s}`?"),
            );
            return Err(RunError::Filter(format!(
                "no check has tag `{wanted}`{hint}"
            )));
        }
    }
    Ok(())
}
