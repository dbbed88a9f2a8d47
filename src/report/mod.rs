//! Report writers: the console reporter that follows a run as it streams, and the JUnit XML and
//! JSON files written at the end. Every writer reads a [`RunReport`] (or one
//! [`CheckResult`](crate::model::outcome::CheckResult) at a time) and none makes a request.

mod console;
mod json;
mod junit;
mod text;

#[cfg(test)]
mod fixture;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::model::outcome::RunReport;

pub use console::{Console, ConsoleOptions};
pub use json::{SCHEMA_VERSION, results_json};
pub use junit::{JunitFlavor, junit_xml};

/// File name of the JUnit report inside the output directory.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the JSON results inside the output directory.
pub const JSON_FILE: &str = "results.json";

/// Why a report could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// quick-junit could not serialise the report.
    #[error("cannot serialise the JUnit report")]
    Junit(#[from] quick_junit::SerializeError),
    /// The serialised JUnit could not be post-processed (a bug, not bad input).
    #[error("cannot rewrite the JUnit report: {0}")]
    Xml(String),
    /// serde_json could not serialise the results.
    #[error("cannot serialise the JSON results")]
    Json(#[from] serde_json::Error),
    /// A file or directory could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or directory that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

/// Writes `junit.xml` and `results.json` into `out_dir` (created if missing) and returns the
/// paths written, in that order.
pub fn write_all(
    report: &RunReport,
    out_dir: &Path,
    flavor: JunitFlavor,
) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(out_dir).map_err(|source| ReportError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let files = [
        (JUNIT_FILE, junit_xml(report, flavor)?),
        (JSON_FILE, results_json(report)?),
    ];
    let mut written = Vec::with_capacity(files.len());
    for (name, contents) in files {
        let path = out_dir.join(name);
        fs::write(&path, contents).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_all_creates_the_directory_and_both_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("reports/nested");
        let report = fixture::report();
        let written = write_all(&report, &out, JunitFlavor::Default).expect("written");
        assert_eq!(written, vec![out.join(JUNIT_FILE), out.join(JSON_FILE)]);
        for path in &written {
            let text = fs::read_to_string(path).expect("readable");
            assert!(!text.is_empty(), "{} is empty", path.display());
        }
    }

    #[test]
    fn write_all_names_the_path_it_could_not_create() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a directory").expect("written");
        let err = write_all(
            &fixture::report(),
            &blocker.join("sub"),
            JunitFlavor::Default,
        )
        .expect_err("a file is in the way");
        assert!(matches!(err, ReportError::Write { ref path, .. } if path.ends_with("sub")));
    }
}
