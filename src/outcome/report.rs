//! The run report: requirement verdicts, counts, and every check result. Serialised as is, it is
//! `results.json`; read back, it feeds merge, diff and the report writers.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::check::{CheckResult, CheckStatus};
use super::requirement::{Domain, Level, Provenance, RequirementId};
use super::standing::{AttestationRecord, Overall, SignoffKind};

/// Version of the JSON layout; raised when a key is renamed or removed (keys may be added).
pub const SCHEMA_VERSION: u32 = 1;

/// A reviewer's verdict for one requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whose sign-off made it `attested`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signoff: Option<SignoffKind>,
}

/// Counts of check statuses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub skipped: usize,
}

impl Summary {
    /// Counts one more check of `status`.
    pub fn add(&mut self, status: CheckStatus) {
        match status {
            CheckStatus::Pass => self.pass += 1,
            CheckStatus::Fail => self.fail += 1,
            CheckStatus::Error => self.error += 1,
            CheckStatus::Skipped => self.skipped += 1,
        }
    }

    /// Counts the statuses of `results`.
    pub fn of(results: &[CheckResult]) -> Summary {
        let mut s = Summary::default();
        for r in results {
            s.add(r.status);
        }
        s
    }
}

/// How many requirements ended with each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub manual: usize,
    pub attested: usize,
    pub waived: usize,
    #[serde(rename = "not-applicable")]
    pub not_applicable: usize,
}

impl VerdictCounts {
    /// Counts the verdicts of `requirements`.
    pub fn of(requirements: &[RequirementVerdict]) -> VerdictCounts {
        let mut counts = VerdictCounts::default();
        for rv in requirements {
            let slot = match rv.verdict {
                Verdict::Pass => &mut counts.pass,
                Verdict::Fail => &mut counts.fail,
                Verdict::Error => &mut counts.error,
                Verdict::Manual => &mut counts.manual,
                Verdict::Attested => &mut counts.attested,
                Verdict::Waived => &mut counts.waived,
                Verdict::NotApplicable => &mut counts.not_applicable,
            };
            *slot += 1;
        }
        counts
    }
}

fn tool_name() -> String {
    "vvcheck".to_string()
}

/// Everything a run produced; the input of every report writer, and `results.json` itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`SCHEMA_VERSION`] of the layout the report was written in.
    pub schema_version: u32,
    #[serde(default = "tool_name")]
    pub tool: String,
    pub tool_version: String,
    /// Edition of the requirement catalogue the run was judged against.
    pub edition: String,
    /// Target profile name.
    pub target: String,
    pub base_url: String,
    /// RFC 3339 UTC.
    pub started_at: String,
    #[serde(rename = "duration_ms", with = "super::millis")]
    pub duration: Duration,
    /// Certificate verification was switched off (`--insecure`).
    pub insecure: bool,
    /// The proxy the run reached `base_url` through (never its credentials), when it used one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// `k/n` when the plan was partitioned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The filters the plan was built with (`--domain security --level mandatory`), when
    /// any: the run then stands for part of the catalogue. Parts of one run share them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<String>,
    /// What stopped the run before every check finished (`SIGINT`, `SIGTERM`), when something
    /// did: its unfinished checks are `error` (interrupted) and the exit code is 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<String>,
    /// SHA-256 over the loaded checks' ids and suite texts: parts of one run share it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub suites_digest: String,
    /// The passive checks of a partitioned run: every part reports them, over the exchanges it
    /// recorded, and merge joins them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passive_checks: Vec<String>,
    pub exit_code: i32,
    /// The run's standing in the programme's terms.
    #[serde(default)]
    pub overall: Overall,
    pub summary: Summary,
    pub verdicts: VerdictCounts,
    pub checks: Vec<CheckResult>,
    pub requirements: Vec<RequirementVerdict>,
    /// Every attestation and waiver the run was given, and what became of it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<AttestationRecord>,
}
