//! Screening attestations and waivers before the rollup: each entry becomes a record of the
//! run, and one that is unknown to the catalogue, out of its dates or scoped elsewhere is
//! marked so and never counts. The rollup then settles what the rest did.

use std::sync::Arc;

use crate::model::attest::{AttestationFile, Scope};
use crate::model::diag::SourceFile;
use crate::model::located::Located;
use crate::model::standard::Catalogue;
use crate::outcome::{
    AttestationRecord, EntryKind, EntryOutcome, EvidenceFile, RequirementId, SignoffKind,
};

/// The target a run is judged on, as attestation scopes name it.
#[derive(Debug, Clone, Copy)]
pub struct RunScope<'a> {
    /// The target profile's `name`.
    pub target: &'a str,
    /// The target profile's `environment`, when it declares one.
    pub environment: Option<&'a str>,
    pub today: time::Date,
}

/// Every entry of every file, screened; the ones that may count are left `not_run` for the
/// rollup to settle.
pub fn records(
    files: &[(AttestationFile, Arc<SourceFile>)],
    catalogue: &Catalogue,
    scope: RunScope,
) -> Vec<AttestationRecord> {
    let mut out = Vec::new();
    for (file, src) in files {
        let at = |loc: crate::model::yaml::Loc| {
            format!("{}:{}:{}", src.path.display(), loc.line, loc.column)
        };
        for a in &file.attestations {
            out.push(AttestationRecord {
                entry: EntryKind::Attestation,
                requirement: a.requirement.value.clone(),
                kind: Some(a.kind),
                text: a.statement.clone(),
                by: a.attested_by.clone(),
                date: a.date.value.to_string(),
                expires: a.expires.value.to_string(),
                scope: a.scope.as_ref().map(|s| s.value.to_string()),
                approval: None,
                evidence: evidence(&a.evidence),
                source: at(a.loc),
                outcome: EntryOutcome::NotRun,
                note: None,
            });
            screen(
                out.last_mut(),
                catalogue,
                &scope,
                (&a.date, &a.expires, a.scope.as_ref()),
            );
        }
        for w in &file.waivers {
            out.push(AttestationRecord {
                entry: EntryKind::Waiver,
                requirement: w.requirement.value.clone(),
                kind: None,
                text: w.reason.clone(),
                by: w.approved_by.clone(),
                date: w.date.value.to_string(),
                expires: w.expires.value.to_string(),
                scope: w.scope.as_ref().map(|s| s.value.to_string()),
                approval: Some(w.approval.clone()),
                evidence: evidence(&w.evidence),
                source: at(w.loc),
                outcome: EntryOutcome::NotRun,
                note: None,
            });
            screen(
                out.last_mut(),
                catalogue,
                &scope,
                (&w.date, &w.expires, w.scope.as_ref()),
            );
        }
    }
    out
}

fn evidence(list: &[Located<crate::model::attest::Evidence>]) -> Vec<EvidenceFile> {
    list.iter()
        .map(|e| EvidenceFile {
            file: e.file.clone(),
            sha256: e.sha256.trim().to_ascii_lowercase(),
            size: e.size,
        })
        .collect()
}

type Dates<'a> = (
    &'a Located<crate::model::attest::Date>,
    &'a Located<crate::model::attest::Date>,
    Option<&'a Located<Scope>>,
);

/// Marks an entry that cannot count, and says why.
fn screen(
    record: Option<&mut AttestationRecord>,
    catalogue: &Catalogue,
    run: &RunScope,
    (date, expires, scope): Dates,
) {
    let Some(r) = record else { return };
    let rejected = if catalogue.get(&r.requirement).is_none() {
        Some((
            EntryOutcome::UnknownRequirement,
            format!(
                "`{}` is not a requirement of edition {}",
                r.requirement, catalogue.edition
            ),
        ))
    } else if let Some(why) = scope.and_then(|s| out_of_scope(&s.value, run)) {
        Some((EntryOutcome::WrongScope, why))
    } else if date.value.0 > run.today {
        Some((
            EntryOutcome::NotYetValid,
            format!("dated {}, after this run", date.value),
        ))
    } else if expires.value.0 < run.today {
        Some((
            EntryOutcome::Expired,
            format!("expired on {}", expires.value),
        ))
    } else {
        None
    };
    if let Some((outcome, note)) = rejected {
        r.outcome = outcome;
        r.note = Some(note);
    }
}

/// Why an entry scoped to `scope` does not hold for this run, if it does not.
fn out_of_scope(scope: &Scope, run: &RunScope) -> Option<String> {
    match scope {
        Scope::Target(t) if !t.trim().eq_ignore_ascii_case(run.target.trim()) => Some(format!(
            "scoped to target `{t}`; this run's target is `{}`",
            run.target
        )),
        Scope::Environment(e) => match run.environment {
            Some(env) if env.trim().eq_ignore_ascii_case(e.trim()) => None,
            Some(env) => Some(format!(
                "scoped to environment `{e}`; this run's target is `{env}`"
            )),
            None => Some(format!(
                "scoped to environment `{e}`; the target profile declares no `environment:`"
            )),
        },
        Scope::Target(_) => None,
    }
}

/// The entries of `records` that may still count for `id`, best first: a reviewer's
/// sign-off before a vendor's, then the one that lasts longest, then file order.
pub(super) fn candidates(
    records: &[AttestationRecord],
    id: &RequirementId,
    entry: EntryKind,
) -> Vec<usize> {
    let mut found: Vec<usize> = records
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.entry == entry && r.requirement == id.as_str() && r.outcome == EntryOutcome::NotRun
        })
        .map(|(i, _)| i)
        .collect();
    found.sort_by(|&a, &b| {
        let rank = |r: &AttestationRecord| r.kind == Some(SignoffKind::Review);
        rank(&records[b])
            .cmp(&rank(&records[a]))
            .then_with(|| records[b].expires.cmp(&records[a].expires))
            .then_with(|| a.cmp(&b))
    });
    found
}

/// What kept the entries for `id` from counting, one clause each (`the attestation at
/// f.yaml:3:5 expired on 2020-01-15`).
pub(super) fn rejections(records: &[AttestationRecord], id: &RequirementId) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.requirement == id.as_str() && r.outcome.is_screened_out())
        .map(|r| {
            format!(
                "the {} at {} {}",
                r.entry,
                r.source,
                r.note.as_deref().unwrap_or("does not count")
            )
        })
        .collect()
}
