//! Requirement verdicts of joined parts, recomputed from the union of their checks by the same
//! rollup a whole run uses. Its inputs are rebuilt from what the parts recorded: the catalogue
//! from their requirement records, the target's not-applicable declarations from their
//! not-applicable verdicts, the attestations and waivers from part 1's records.

use crate::model::standard::{Catalogue, Requirement, Verification};
use crate::outcome::{
    AttestationRecord, CheckResult, EntryOutcome, RequirementVerdict, RunReport, Verdict,
};
use crate::verdict::{RollupInputs, rollup};

use super::order::interleave;

/// The verdicts of `parts` (sorted by part, part 1 first) over the union `checks`, in
/// catalogue order: `catalogue` gives it when it is the parts' edition, else the parts' own
/// orders do. A requirement no check verifies is part 1's record, as it stands. `entries`
/// (part 1's attestation records) are settled again for the requirements the union judges.
pub fn verdicts(
    parts: &[RunReport],
    checks: &[CheckResult],
    catalogue: Option<&Catalogue>,
    entries: &mut [AttestationRecord],
) -> Vec<RequirementVerdict> {
    let known = catalogue.filter(|c| parts.first().is_some_and(|p| p.edition == c.edition));
    let position = |id: &String| {
        known
            .and_then(|c| c.requirements.iter().position(|r| r.id.as_str() == id))
            .unwrap_or(usize::MAX)
    };
    let seqs: Vec<Vec<String>> = parts
        .iter()
        .map(|p| p.requirements.iter().map(|r| r.id.0.clone()).collect())
        .collect();
    let order = interleave(&seqs, |id, at| (position(id), at));
    let record = |id: &str| {
        parts
            .iter()
            .flat_map(|p| &p.requirements)
            .find(|r| r.id.as_str() == id)
    };
    let rebuilt = Catalogue {
        edition: parts.first().map(|p| p.edition.clone()).unwrap_or_default(),
        title: known.map(|c| c.title.clone()).unwrap_or_default(),
        requirements: order
            .iter()
            .filter_map(|id| record(id))
            .map(|r| Requirement {
                id: r.id.clone(),
                domain: r.domain,
                level: r.level,
                provenance: r.provenance,
                verification: known
                    .and_then(|c| c.get(r.id.as_str()))
                    .map_or(Verification::Auto, |c| c.verification),
                section: String::new(),
                title: r.title.clone(),
                text: r.text.clone(),
            })
            .collect(),
    };
    let not_applicable: indexmap::IndexMap<String, String> = parts
        .iter()
        .flat_map(|p| &p.requirements)
        .filter(|r| r.verdict == Verdict::NotApplicable)
        .map(|r| (r.id.0.clone(), r.reason.clone().unwrap_or_default()))
        .collect();
    let inputs = RollupInputs {
        catalogue: &rebuilt,
        not_applicable: &not_applicable,
        // Only requirements the union's checks verify: the others are part 1's.
        in_scope: &|_| false,
    };
    reopen(entries, checks);
    let mut computed = rollup(checks, &inputs, entries).into_iter().peekable();
    let first = parts.first();
    let mut out = Vec::new();
    for id in &order {
        if let Some(v) = computed.next_if(|v| v.id.as_str() == id) {
            out.push(v);
        } else if let Some(r) = first
            .into_iter()
            .flat_map(|p| &p.requirements)
            .find(|r| r.id.as_str() == id && r.checks.is_empty())
        {
            out.push(r.clone());
        }
    }
    out
}

/// Puts back to `not_run` every entry a part settled for a requirement the union's checks
/// verify (a part may have judged it on only some of its checks); what screening rejected
/// (dates, scope, catalogue) stays rejected.
fn reopen(entries: &mut [AttestationRecord], checks: &[CheckResult]) {
    for e in entries.iter_mut() {
        let judged = checks
            .iter()
            .any(|c| c.requirements.iter().any(|r| r.as_str() == e.requirement));
        if judged && !e.outcome.is_screened_out() {
            e.outcome = EntryOutcome::NotRun;
            e.note = None;
        }
    }
}
