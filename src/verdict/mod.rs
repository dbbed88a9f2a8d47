//! Verdicts: per-requirement verdicts from check results, attestations, waivers and the
//! target's not-applicable declarations, and the exit code they imply. Needs no engine, so runs
//! read back from disk roll up the same way.

pub mod exit;

use crate::model::attest::{AttestationFile, Date};
use crate::model::standard::{Catalogue, Verification};
use crate::outcome::{CheckResult, CheckStatus, RequirementVerdict, SkipReason, Verdict};

pub use exit::exit_code;

/// Everything the rollup weighs besides check results.
pub struct RollupInputs<'a> {
    pub catalogue: &'a Catalogue,
    pub not_applicable: &'a indexmap::IndexMap<String, String>,
    pub attestations: &'a [AttestationFile],
    /// Requirements to report (the run's scope).
    pub in_scope: &'a dyn Fn(&crate::model::standard::Requirement) -> bool,
    pub today: time::Date,
}

/// The verdict of every requirement in scope, in catalogue order.
pub fn rollup(results: &[CheckResult], inputs: &RollupInputs) -> Vec<RequirementVerdict> {
    let mut out = Vec::new();
    for req in &inputs.catalogue.requirements {
        let checks: Vec<&CheckResult> = results
            .iter()
            .filter(|r| r.requirements.contains(&req.id))
            .collect();
        if checks.is_empty() && !(inputs.in_scope)(req) {
            continue;
        }
        let valid = |expires: &Date| expires.0 >= inputs.today;
        let waiver = inputs
            .attestations
            .iter()
            .flat_map(|f| &f.waivers)
            .find(|w| w.requirement.as_str() == req.id.as_str());
        let attestation = inputs
            .attestations
            .iter()
            .flat_map(|f| &f.attestations)
            .find(|a| a.requirement.as_str() == req.id.as_str());
        let (verdict, reason) = if let Some(why) = inputs.not_applicable.get(req.id.as_str()) {
            (Verdict::NotApplicable, Some(why.clone()))
        } else if let Some(w) = waiver.filter(|w| valid(&w.expires)) {
            (
                Verdict::Waived,
                Some(format!(
                    "waived until {} by {} ({}): {}",
                    w.expires.value, w.approved_by.name, w.approved_by.organisation, w.reason
                )),
            )
        } else {
            let ran: Vec<&&CheckResult> = checks
                .iter()
                .filter(|c| c.status != CheckStatus::Skipped)
                .collect();
            // A check that could not decide leaves the requirement to a reviewer, even when
            // its other checks passed: only part of it was verified.
            let manual: Vec<String> = checks
                .iter()
                .filter_map(|c| match &c.skip_reason {
                    Some(SkipReason::Manual { reason }) => Some(format!("{}: {reason}", c.id)),
                    _ => None,
                })
                .collect();
            let skipped_for_prereq = checks
                .iter()
                .any(|c| c.skip_reason.as_ref().is_some_and(|r| r.is_prerequisite()));
            if ran.iter().any(|c| c.status == CheckStatus::Fail) {
                (Verdict::Fail, None)
            } else if ran.iter().any(|c| c.status == CheckStatus::Error) || skipped_for_prereq {
                (
                    Verdict::Error,
                    Some("a check could not be carried out".into()),
                )
            } else if !ran.is_empty() && manual.is_empty() {
                (Verdict::Pass, None)
            } else if let Some(a) = attestation {
                if valid(&a.expires) {
                    (
                        Verdict::Attested,
                        Some(format!(
                            "attested by {} ({}, {}) until {}: {}",
                            a.attested_by.name,
                            a.attested_by.role,
                            a.attested_by.organisation,
                            a.expires.value,
                            a.statement
                        )),
                    )
                } else {
                    (
                        Verdict::Manual,
                        Some(format!(
                            "the attestation expired on {}; needs a current one",
                            a.expires.value
                        )),
                    )
                }
            } else if let Some(w) = waiver {
                (
                    Verdict::Manual,
                    Some(format!("the waiver expired on {}", w.expires.value)),
                )
            } else if !manual.is_empty() {
                (Verdict::Manual, Some(reviewer_needed(&manual)))
            } else {
                let why = match req.verification {
                    Verification::Attest => "needs an attestation (see --attestations)",
                    _ => {
                        "no automated check yet; needs a reviewer or an attestation (see --attestations)"
                    }
                };
                (Verdict::Manual, Some(why.into()))
            }
        };
        out.push(RequirementVerdict {
            id: req.id.clone(),
            title: req.title.clone(),
            text: req.text.clone(),
            domain: req.domain,
            level: req.level,
            provenance: req.provenance,
            verdict,
            checks: checks.iter().map(|c| c.id.clone()).collect(),
            reason,
            signoff: None,
        });
    }
    out
}

/// Reasons named in a requirement's "needs a reviewer" line; past them, the checks are
/// only counted and named (each check's own line says why).
const MANUAL_REASONS: usize = 3;

/// `needs a reviewer: …` for the checks (`id: reason`) that left the requirement undecided.
fn reviewer_needed(manual: &[String]) -> String {
    if manual.len() <= MANUAL_REASONS {
        return format!("needs a reviewer: {}", manual.join("; "));
    }
    let ids: Vec<&str> = manual
        .iter()
        .map(|m| m.split_once(": ").map_or(m.as_str(), |(id, _)| id))
        .collect();
    format!(
        "needs a reviewer: {} checks could not decide ({}); each one's result says why",
        ids.len(),
        ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_undecided_checks_is_named_not_quoted() {
        let few = ["a: why a".to_string(), "b: why b".to_string()];
        assert_eq!(
            reviewer_needed(&few),
            "needs a reviewer: a: why a; b: why b"
        );
        let many: Vec<String> = (1..=5).map(|i| format!("c{i}: why {i}")).collect();
        assert_eq!(
            reviewer_needed(&many),
            "needs a reviewer: 5 checks could not decide (c1, c2, c3, c4, c5); each one's result says why"
        );
    }
}
