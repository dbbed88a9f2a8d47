//! What a run produced: check results, requirement verdicts and the run summary.

use std::fmt;
use std::time::Duration;

use serde::Serialize;

use super::standard::{Domain, Level, Provenance, RequirementId};

/// The status of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The target conforms.
    Pass,
    /// The target does not conform.
    Fail,
    /// The check could not be carried out; never counted as a pass.
    Error,
    /// Not run: filtered out, prerequisite failed, or not applicable.
    Skipped,
}

impl CheckStatus {
    /// Upper-case label for the console.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Error => "ERROR",
            CheckStatus::Skipped => "SKIP",
        }
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        })
    }
}

/// The outcome of one check against the target.
#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub domain: Domain,
    pub requirements: Vec<RequirementId>,
    pub level: Level,
    /// Provenance of the first requirement (the one named in the testcase).
    pub provenance: Provenance,
    pub tags: Vec<String>,
    pub status: CheckStatus,
    #[serde(rename = "duration_ms", serialize_with = "ser_ms")]
    pub duration: Duration,
    /// One line: expected versus seen, the error, or the reason for skipping.
    pub message: String,
    /// The finding in full: what was done, as whom, what came back.
    pub details: Vec<String>,
    /// Exchanges recorded while the check ran, secrets already redacted.
    #[serde(skip)]
    pub exchanges: Vec<crate::http::Exchange>,
}

/// Serialises a duration as whole milliseconds.
pub fn ser_ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// A reviewer's verdict for one requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    Error,
    /// No check decides it and no attestation covers it.
    Manual,
    Attested,
    Waived,
    NotApplicable,
}

impl Verdict {
    /// Lower-case label as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Error => "error",
            Verdict::Manual => "manual",
            Verdict::Attested => "attested",
            Verdict::Waived => "waived",
            Verdict::NotApplicable => "not-applicable",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict of one requirement and the checks behind it.
#[derive(Clone, Debug, Serialize)]
pub struct RequirementVerdict {
    pub id: RequirementId,
    pub title: String,
    /// The requirement as the catalogue words it.
    pub text: String,
    pub domain: Domain,
    pub level: Level,
    pub provenance: Provenance,
    pub verdict: Verdict,
    /// IDs of the checks that verify it.
    pub checks: Vec<String>,
    /// Why: the attestation, waiver or not-applicable reason, or what a manual item needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Counts of check statuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub skipped: usize,
}

impl Summary {
    /// Counts the statuses of `results`.
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            match r.status {
                CheckStatus::Pass => s.pass += 1,
                CheckStatus::Fail => s.fail += 1,
                CheckStatus::Error => s.error += 1,
                CheckStatus::Skipped => s.skipped += 1,
            }
        }
        s
    }
}

/// Everything a run produced; the input of every report writer.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Edition of the requirement catalogue the run was judged against.
    pub edition: String,
    /// Target profile name.
    pub target: String,
    pub base_url: String,
    pub tool_version: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    #[serde(rename = "duration_ms", serialize_with = "ser_ms")]
    pub duration: Duration,
    /// Certificate verification was switched off (`--insecure`).
    pub insecure: bool,
    /// `k/n` when the plan was partitioned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    pub summary: Summary,
    pub checks: Vec<CheckResult>,
    pub requirements: Vec<RequirementVerdict>,
    pub exit_code: i32,
}
