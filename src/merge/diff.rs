//! Two runs compared: checks that fail now and did not, checks fixed, and every requirement
//! whose verdict changed.

use std::collections::HashMap;

use serde::Serialize;

use crate::outcome::{CheckStatus, Level, RunReport, Verdict};

/// A check whose status changed for the better or the worse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckChange {
    pub id: String,
    /// Requirement IDs the check verifies.
    pub requirements: Vec<String>,
    /// `None`: the check was not in that run.
    pub old: Option<CheckStatus>,
    pub new: Option<CheckStatus>,
    /// The newer run's one-line message.
    pub message: String,
}

/// A requirement whose verdict changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerdictChange {
    pub id: String,
    pub level: Level,
    /// `None`: the requirement was not in that run.
    pub old: Option<Verdict>,
    pub new: Option<Verdict>,
    /// A mandatory requirement that fails or errors now and did not before.
    pub regressed: bool,
}

/// What changed from one run to the next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub old_edition: String,
    pub new_edition: String,
    /// Checks failed or errored now, that did not before.
    pub new_failures: Vec<CheckChange>,
    /// Checks that failed or errored before and pass now.
    pub fixed: Vec<CheckChange>,
    /// Requirements whose verdict changed, in the newer run's order (then the dropped ones).
    pub verdicts: Vec<VerdictChange>,
}

impl Diff {
    /// Whether a mandatory requirement fails or errors now that did not (exit code 1).
    pub fn regressed(&self) -> bool {
        self.verdicts.iter().any(|v| v.regressed)
    }
}

fn failing(status: CheckStatus) -> bool {
    matches!(status, CheckStatus::Fail | CheckStatus::Error)
}

fn bad(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Fail | Verdict::Error)
}

/// Compares `old` with `new`.
pub fn diff(old: &RunReport, new: &RunReport) -> Diff {
    let old_checks: HashMap<&str, CheckStatus> = old
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    let mut new_failures = Vec::new();
    let mut fixed = Vec::new();
    for c in &new.checks {
        let was = old_checks.get(c.id.as_str()).copied();
        let change = || CheckChange {
            id: c.id.clone(),
            requirements: c.requirements.iter().map(|r| r.0.clone()).collect(),
            old: was,
            new: Some(c.status),
            message: c.message.clone(),
        };
        if failing(c.status) && !was.is_some_and(failing) {
            new_failures.push(change());
        } else if c.status == CheckStatus::Pass && was.is_some_and(failing) {
            fixed.push(change());
        }
    }
    let old_verdicts: HashMap<&str, Verdict> = old
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r.verdict))
        .collect();
    let mut verdicts: Vec<VerdictChange> = new
        .requirements
        .iter()
        .filter_map(|r| {
            let was = old_verdicts.get(r.id.as_str()).copied();
            (was != Some(r.verdict)).then(|| VerdictChange {
                id: r.id.0.clone(),
                level: r.level,
                old: was,
                new: Some(r.verdict),
                regressed: r.level == Level::Mandatory && bad(r.verdict) && !was.is_some_and(bad),
            })
        })
        .collect();
    let now: Vec<&str> = new.requirements.iter().map(|r| r.id.as_str()).collect();
    verdicts.extend(
        old.requirements
            .iter()
            .filter(|r| !now.contains(&r.id.as_str()))
            .map(|r| VerdictChange {
                id: r.id.0.clone(),
                level: r.level,
                old: Some(r.verdict),
                new: None,
                regressed: false,
            }),
    );
    Diff {
        old_edition: old.edition.clone(),
        new_edition: new.edition.clone(),
        new_failures,
        fixed,
        verdicts,
    }
}
