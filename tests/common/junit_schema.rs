//! Validating a JUnit file against the Jenkins xUnit schema (`junit-10.xsd`) with `xmllint`.
//!
//! The schema lives outside the repository, in `../shared/schemas/junit-10.xsd`; the
//! environment variable `VVCHECK_JUNIT_XSD` names another file, and `VVCHECK_XMLLINT` another
//! xmllint. When either is missing the validation is skipped with a notice on stderr naming what
//! is skipped and why, so a fresh clone passes its tests; with `CI=true` a missing schema or
//! xmllint fails the test instead, so CI never skips silently.
//!
//! Standard library only: `src/report/junit_tests.rs` includes this file too.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the schema is looked for.
pub fn schema_path() -> PathBuf {
    match std::env::var_os("VVCHECK_JUNIT_XSD") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/junit-10.xsd"),
    }
}

fn xmllint() -> PathBuf {
    match std::env::var_os("VVCHECK_XMLLINT") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from("xmllint"),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// What validating needs and may be missing: the schema file and the xmllint program.
pub fn missing() -> Option<String> {
    let schema = schema_path();
    if !schema.is_file() {
        return Some(format!(
            "the JUnit schema is not at {} (set VVCHECK_JUNIT_XSD to its path)",
            schema.display()
        ));
    }
    let lint = xmllint();
    if Command::new(&lint).arg("--version").output().is_err() {
        return Some(format!(
            "`{}` cannot be run (Debian: apt-get install libxml2-utils)",
            lint.display()
        ));
    }
    None
}

/// Validates `file` against the schema; fails the test if it does not validate. Skips with a
/// notice when the schema or xmllint is missing, unless `CI=true`, where that fails the test.
/// `what` names the file in messages. Returns whether the file was validated.
#[track_caller]
pub fn assert_valid(file: &Path, what: &str) -> bool {
    if let Some(why) = missing() {
        assert!(
            !in_ci(),
            "CI=true: JUnit schema validation of {what} cannot be skipped: {why}"
        );
        // Written past the test harness's capture, so the notice shows in a passing run too.
        let _ = writeln!(
            std::io::stderr(),
            "notice: JUnit schema validation of {what} skipped: {why}"
        );
        return false;
    }
    let out = Command::new(xmllint())
        .arg("--noout")
        .arg("--schema")
        .arg(schema_path())
        .arg(file)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "{what} does not validate against {}:\n{}",
        schema_path().display(),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}
