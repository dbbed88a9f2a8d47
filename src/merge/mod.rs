//! Partitioned runs joined into one, and two runs compared. Both read `results.json` back into
//! [`RunReport`]; neither makes a request.

mod diff;
mod join;
mod order;
mod rollup;

use std::path::Path;

use crate::outcome::RunReport;

pub use diff::{CheckChange, Diff, VerdictChange, diff};
pub use join::join;

/// Why runs could not be read, joined or compared (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a vvcheck `results.json`.
    #[error("{path}: not a vvcheck results.json: {source}")]
    NotAReport {
        path: String,
        #[source]
        source: serde_json::Error,
    },
    /// Nothing to merge.
    #[error("no runs to merge")]
    Empty,
    /// A run was not partitioned, or its partition is not `k/n`.
    #[error("{path}: not a part of a partitioned run (partition: {found})")]
    NotAPart { path: String, found: String },
    /// Two parts disagree on something every part of one run shares.
    #[error("{path}: {what} is {found}, but {first} has {expected}: parts of different runs")]
    Mismatch {
        path: String,
        what: &'static str,
        found: String,
        first: String,
        expected: String,
    },
    /// The same part was given twice.
    #[error("{path}: part {part} was already given as {first}")]
    SamePart {
        path: String,
        part: String,
        first: String,
    },
    /// Some parts are missing: the union would not be the whole run.
    #[error("parts missing: {}", .missing.join(", "))]
    Missing { missing: Vec<String> },
    /// An active check is reported by two parts.
    #[error("{path}: check `{check}` is also reported by {first}")]
    Twice {
        path: String,
        check: String,
        first: String,
    },
}

/// Reads a `results.json` back; `path` names the file in every error.
pub fn read_report(path: &Path) -> Result<RunReport, MergeError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
        path: name.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| MergeError::NotAReport { path: name, source })
}
