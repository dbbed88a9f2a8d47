//! Requirement verdicts of joined parts, recomputed from the union of their checks by the same
//! rollup a whole run uses. Its inputs are rebuilt from what the parts recorded: the catalogue
//! from their requirement records, the target's not-applicable declarations from their
//! not-applicable verdicts.

use crate::model::standard::{Catalogue, Requirement, Verification};
use crate::outcome::{CheckResult, RequirementVerdict, RunReport, Verdict};
use crate::verdict::{RollupInputs, rollup};

use super::order::interleave;

/// The verdicts of `parts` (sorted by part, part 1 first) over the union `checks`, in
/// catalogue order: `catalogue` gives it when it is the parts' edition, else the parts' own
/// orders do. A requirement no check verifies is part 1's record, as it stands.
pub fn verdicts(
    parts: &[RunReport],
    checks: &[CheckResult],
    catalogue: Option<&Catalogue>,
    today: time::Date,
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
        attestations: &[],
        // Only requirements the union's checks verify: the others are part 1's.
        in_scope: &|_| false,
        today,
    };
    let mut computed = rollup(checks, &inputs).into_iter().peekable();
    let first = parts.first();
    let mut out = Vec::new();
    for id in &order {
        if let Some(v) = computed.next_if(|v| v.id.as_str() == id) {
            out.push(decided_by_inputs(parts, v));
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

/// A waiver holds whatever the checks say, and an attestation decides what the checks leave
/// undecided; both are the same in every part, so a part's waived or attested verdict is the
/// union's where the union's checks leave room for it. The parts' files do not carry the
/// attestations themselves, so the rollup above ran without them.
fn decided_by_inputs(parts: &[RunReport], computed: RequirementVerdict) -> RequirementVerdict {
    let records = || {
        parts
            .iter()
            .flat_map(|p| &p.requirements)
            .filter(|r| r.id == computed.id)
    };
    let stands = records()
        .find(|r| r.verdict == Verdict::Waived)
        .or_else(|| {
            records()
                .find(|r| r.verdict == Verdict::Attested && computed.verdict == Verdict::Manual)
        });
    match stands {
        Some(r) => RequirementVerdict {
            verdict: r.verdict,
            reason: r.reason.clone(),
            signoff: r.signoff,
            ..computed
        },
        None => computed,
    }
}
