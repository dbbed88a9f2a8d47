//! Verdicts: per-requirement verdicts from check results, attestations, waivers and the
//! target's not-applicable declarations, and the exit code they imply. Needs no engine, so runs
//! read back from disk roll up the same way.

pub mod attest;
pub mod exit;
mod standing;

use crate::model::standard::{Catalogue, Verification};
use crate::outcome::{
    AttestationRecord, CheckResult, CheckStatus, EntryKind, EntryOutcome, RequirementVerdict,
    SignoffKind, SkipReason, Verdict,
};

pub use attest::{RunScope, records};
pub use exit::exit_code;
pub use standing::{filtered, overall};

/// Everything the rollup weighs besides check results and the attestation records.
pub struct RollupInputs<'a> {
    pub catalogue: &'a Catalogue,
    pub not_applicable: &'a indexmap::IndexMap<String, String>,
    /// Requirements to report (the run's scope).
    pub in_scope: &'a dyn Fn(&crate::model::standard::Requirement) -> bool,
}

/// The verdict of every requirement in scope, in catalogue order. `entries` are the run's
/// attestations and waivers as [`records`] screened them; each one still `not_run` whose
/// requirement is judged here is settled: counted, overriding, unused, in conflict,
/// superseded or not applicable.
pub fn rollup(
    results: &[CheckResult],
    inputs: &RollupInputs,
    entries: &mut [AttestationRecord],
) -> Vec<RequirementVerdict> {
    let mut out = Vec::new();
    for req in &inputs.catalogue.requirements {
        let checks: Vec<&CheckResult> = results
            .iter()
            .filter(|r| r.requirements.contains(&req.id))
            .collect();
        if checks.is_empty() && !(inputs.in_scope)(req) {
            continue;
        }
        let (verdict, reason, signoff) = judge(req, &checks, inputs, entries);
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
            signoff,
        });
    }
    out
}

/// Marks `outcome` (with `note`) on every entry of `idx`.
fn settle(entries: &mut [AttestationRecord], idx: &[usize], outcome: EntryOutcome, note: &str) {
    for &i in idx {
        entries[i].outcome = outcome;
        entries[i].note = (!note.is_empty()).then(|| note.to_string());
    }
}

/// One requirement's verdict, why, and whose sign-off made it attested.
fn judge(
    req: &crate::model::standard::Requirement,
    checks: &[&CheckResult],
    inputs: &RollupInputs,
    entries: &mut [AttestationRecord],
) -> (Verdict, Option<String>, Option<SignoffKind>) {
    let waivers = attest::candidates(entries, &req.id, EntryKind::Waiver);
    let attestations = attest::candidates(entries, &req.id, EntryKind::Attestation);
    if let Some(why) = inputs.not_applicable.get(req.id.as_str()) {
        let all: Vec<usize> = waivers.iter().chain(&attestations).copied().collect();
        settle(
            entries,
            &all,
            EntryOutcome::NotApplicable,
            "the target declares the requirement not applicable",
        );
        return (Verdict::NotApplicable, Some(why.clone()), None);
    }
    let ran: Vec<&&CheckResult> = checks
        .iter()
        .filter(|c| c.status != CheckStatus::Skipped)
        .collect();
    let failed: Vec<&str> = ran
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| c.id.as_str())
        .collect();
    // A check skipped because its prerequisite did not pass leaves its requirement undecided,
    // not satisfied: it counts with the errors.
    let errored: Vec<&str> = ran
        .iter()
        .filter(|c| c.status == CheckStatus::Error)
        .map(|c| c.id.as_str())
        .chain(
            checks
                .iter()
                .filter(|c| c.skip_reason.as_ref().is_some_and(|r| r.is_prerequisite()))
                .map(|c| c.id.as_str()),
        )
        .collect();
    // A check that could not decide leaves the requirement to a reviewer, even when its
    // other checks passed: only part of it was verified.
    let manual: Vec<String> = checks
        .iter()
        .filter_map(|c| match &c.skip_reason {
            Some(SkipReason::Manual { reason }) => Some(format!("{}: {reason}", c.id)),
            _ => None,
        })
        .collect();
    let decided = !ran.is_empty() && manual.is_empty() && failed.is_empty() && errored.is_empty();
    // A waiver stands for a requirement that is not met (or not decided); one whose checks
    // all passed is not needed.
    if let Some((&w, rest)) = waivers.split_first().filter(|_| !decided) {
        let over: Vec<&str> = failed.iter().chain(&errored).copied().collect();
        let note = (!over.is_empty()).then(|| {
            format!(
                "stands over {} {} ({})",
                if failed.is_empty() {
                    "the errored"
                } else {
                    "the failed"
                },
                if over.len() == 1 { "check" } else { "checks" },
                over.join(", ")
            )
        });
        let e = &entries[w];
        let reason = format!(
            "waived until {} by {} ({}, approval {}){}: {}",
            e.expires,
            e.by.name,
            e.by.organisation,
            e.approval.as_deref().unwrap_or("none"),
            note.as_ref()
                .map_or(String::new(), |n| format!(", which {n}")),
            e.text
        );
        match &note {
            Some(n) => settle(entries, &[w], EntryOutcome::Overrides, n),
            None => settle(entries, &[w], EntryOutcome::Counted, ""),
        }
        settle(
            entries,
            rest,
            EntryOutcome::Superseded,
            "another waiver decided it",
        );
        settle(
            entries,
            &attestations,
            EntryOutcome::Superseded,
            "a waiver decided it",
        );
        return (Verdict::Waived, Some(reason), None);
    }
    let conflict = |entries: &mut [AttestationRecord], what: &str, ids: &[&str]| {
        let note = format!(
            "{} {} ({}); an attestation never overrides a check",
            if ids.len() == 1 {
                "its check"
            } else {
                "its checks"
            },
            what,
            ids.join(", ")
        );
        settle(entries, &attestations, EntryOutcome::Conflict, &note);
        attestations.first().map(|&i| {
            format!(
                "the attestation by {} conflicts with it and does not count",
                entries[i].by.name
            )
        })
    };
    if !failed.is_empty() {
        let reason = conflict(entries, "failed", &failed);
        return (Verdict::Fail, reason, None);
    }
    if !errored.is_empty() {
        let clash = conflict(entries, "could not be carried out", &errored);
        let reason = match clash {
            Some(c) => format!("a check could not be carried out; {c}"),
            None => "a check could not be carried out".to_string(),
        };
        return (Verdict::Error, Some(reason), None);
    }
    if !ran.is_empty() && manual.is_empty() {
        settle(
            entries,
            &attestations,
            EntryOutcome::Unused,
            "its checks passed",
        );
        return (Verdict::Pass, None, None);
    }
    if let Some((&a, rest)) = attestations.split_first() {
        settle(entries, &[a], EntryOutcome::Counted, "");
        settle(
            entries,
            rest,
            EntryOutcome::Superseded,
            "another attestation decided it",
        );
        let e = &entries[a];
        let reason = format!(
            "attested by {} until {}{}: {}",
            e.by,
            e.expires,
            match e.kind {
                Some(SignoffKind::Review) => " (reviewer's sign-off)",
                _ => "",
            },
            e.text
        );
        return (Verdict::Attested, Some(reason), e.kind);
    }
    let base = if !manual.is_empty() {
        reviewer_needed(&manual)
    } else {
        match req.verification {
            Verification::Attest => "needs an attestation (see --attestations)".to_string(),
            _ => "no automated check yet; needs a reviewer or an attestation (see --attestations)"
                .to_string(),
        }
    };
    let rejected = attest::rejections(entries, &req.id);
    let reason = if rejected.is_empty() {
        base
    } else {
        format!("{base}; not counted: {}", rejected.join("; "))
    };
    (Verdict::Manual, Some(reason), None)
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
