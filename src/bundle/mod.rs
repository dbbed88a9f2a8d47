//! The evidence bundle: one folder holding everything a reviewer needs to show later what was
//! sent and what came back. Per check, the redacted HTTP exchanges (JSON and a readable `.http`
//! text with a curl command per request), TLS transcripts, accessibility records, the access
//! matrix and latency figures; the run's inputs (catalogue, suites, target profile, attestations
//! and their evidence files); the reports; and a `manifest.json` with every file's SHA-256 and
//! one root hash. A [`Bundle`] is opened before the run, fed each check as it reports, and
//! finished after the reports: every file is masked with every secret form the run knew, then
//! scanned for them all before the bundle is moved into place. [`verify`] re-hashes a bundle.

mod http_text;
mod inputs;
mod manifest;
mod mask;
mod tree;
mod verify;
mod write;

use std::path::PathBuf;

use crate::model::inputs::InputSource;
use crate::outcome::RunReport;

pub use http_text::{curl_command, write_exchange};
pub use manifest::{Entry, FORMAT, Manifest, root_hash};
pub use verify::{Problem, Verification, VerifyError, verify};
pub use write::{Bundle, Written};

/// The manifest's file name, at the bundle's root.
pub const MANIFEST_FILE: &str = "manifest.json";

/// The folder of a check inside `<bundle>/checks/` (the HTML report links to it too).
pub use crate::report::check_dir;

/// What a finished run hands the bundle.
pub struct BundleRun<'a> {
    pub report: &'a RunReport,
    /// Every input file the run read.
    pub sources: &'a [InputSource],
    /// The report files written (results.json, junit.xml, acr.md).
    pub reports: &'a [PathBuf],
    /// The command line, as given.
    pub command: &'a [String],
    /// Every secret form the run knew at the end.
    pub secrets: &'a [String],
}

/// Why no bundle was written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The folder exists and is not a bundle: it is not replaced.
    #[error("{} exists and is not an evidence bundle (no {MANIFEST_FILE}); it is left as it is", .0.display())]
    NotABundle(PathBuf),
    /// Two checks' ids name the same folder.
    #[error("checks `{0}` and `{1}` would share the folder checks/{2}")]
    SharedDir(String, String, String),
    /// A check's id names no folder of its own (empty, `.` or `..`).
    #[error("check `{0}` has an id that names no folder of its own")]
    UnsafeId(String),
    /// The secret forms could not be prepared for masking or scanning.
    #[error("cannot prepare the secret scan: {0}")]
    Scan(String),
    /// A record could not be serialised.
    #[error("cannot serialise {0}: {1}")]
    Json(String, serde_json::Error),
    /// These files would have held a secret value; the bundle was removed.
    #[error("{} would have contained a secret value; no bundle was written (this is a vvcheck bug, please report it)", .0.join(", "))]
    Leaked(Vec<String>),
}

impl BundleError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> BundleError {
        let path = path.into();
        move |source| BundleError::Io { path, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_dir_keeps_safe_characters_only() {
        assert_eq!(
            check_dir("sec.access.cross-patient_1"),
            "sec.access.cross-patient_1"
        );
        assert_eq!(check_dir("a/b c:é"), "a_b_c__");
    }
}
