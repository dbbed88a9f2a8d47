//! Parts of a partitioned run joined into the report one run would have written: every part
//! checked to belong to the same run, the checks united (a passive check, which every part
//! reports over its own exchanges, joined as the worst of its parts with all their findings),
//! and the verdicts recomputed from the union.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use crate::model::standard::Catalogue;
use crate::outcome::{CheckResult, CheckStatus, RunReport, Summary, VerdictCounts};
use crate::verdict;

use super::MergeError;
use super::order::interleave;
use super::rollup;

/// How bad a status is, for joining a passive check's parts: what one part caught, the whole
/// run would have caught; a part that could not inspect outweighs one that passed; a part that
/// found nothing to inspect says least.
fn badness(status: CheckStatus) -> u8 {
    match status {
        CheckStatus::Fail => 3,
        CheckStatus::Error => 2,
        CheckStatus::Pass => 1,
        CheckStatus::Skipped => 0,
    }
}

/// `k/n` as numbers.
fn part_of(path: &str, report: &RunReport) -> Result<(usize, usize), MergeError> {
    let found = report.partition.clone().unwrap_or_else(|| "none".into());
    let not_a_part = || MergeError::NotAPart {
        path: path.to_string(),
        found: found.clone(),
    };
    let (k, n) = found.split_once('/').ok_or_else(not_a_part)?;
    match (k.trim().parse::<usize>(), n.trim().parse::<usize>()) {
        (Ok(k), Ok(n)) if 1 <= k && k <= n => Ok((k, n)),
        _ => Err(not_a_part()),
    }
}

/// Refuses parts of different runs: every part must share the first one's edition, target,
/// suites and number of parts, and hold a part of its own.
fn check_parts(parts: &[(String, RunReport)]) -> Result<Vec<usize>, MergeError> {
    let (first_path, first) = parts.first().ok_or(MergeError::Empty)?;
    let (_, n) = part_of(first_path, first)?;
    let mut seen: HashMap<usize, &str> = HashMap::new();
    let mut ks = Vec::new();
    for (path, report) in parts {
        let mismatch = |what, found: &str, expected: &str| MergeError::Mismatch {
            path: path.clone(),
            what,
            found: found.to_string(),
            first: first_path.clone(),
            expected: expected.to_string(),
        };
        if report.edition != first.edition {
            return Err(mismatch("the edition", &report.edition, &first.edition));
        }
        if report.target != first.target {
            return Err(mismatch("the target", &report.target, &first.target));
        }
        if report.filters != first.filters {
            let shown = |f: &Option<String>| f.clone().unwrap_or_else(|| "none".into());
            return Err(mismatch(
                "the filters",
                &shown(&report.filters),
                &shown(&first.filters),
            ));
        }
        if report.suites_digest != first.suites_digest {
            return Err(mismatch(
                "the suites' digest",
                &report.suites_digest,
                &first.suites_digest,
            ));
        }
        let (k, this_n) = part_of(path, report)?;
        if this_n != n {
            return Err(mismatch(
                "the number of parts",
                &this_n.to_string(),
                &n.to_string(),
            ));
        }
        if let Some(earlier) = seen.insert(k, path) {
            return Err(MergeError::SamePart {
                path: path.clone(),
                part: format!("{k}/{n}"),
                first: earlier.to_string(),
            });
        }
        ks.push(k);
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !seen.contains_key(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing });
    }
    Ok(ks)
}

/// Adds `more` to `into`, leaving out what is already there.
fn extend_new<T: PartialEq + Clone>(into: &mut Vec<T>, more: &[T]) {
    for m in more {
        if !into.contains(m) {
            into.push(m.clone());
        }
    }
}

/// One passive check from every part's result: the worst part's, with every part's findings,
/// details and exchanges, and the time they took together.
fn join_passive(results: &[&CheckResult]) -> Option<CheckResult> {
    let worst = results
        .iter()
        .enumerate()
        .max_by_key(|(i, r)| (badness(r.status), std::cmp::Reverse(*i)))
        .map(|(_, r)| *r)?;
    let mut joined = worst.clone();
    for r in results {
        extend_new(&mut joined.findings, &r.findings);
        extend_new(&mut joined.details, &r.details);
        extend_new(&mut joined.exchanges, &r.exchanges);
    }
    joined.duration = results.iter().map(|r| r.duration).sum();
    Some(joined)
}

/// Joins the parts (each with the path it was read from, for errors) into the report of the
/// whole run. `catalogue` orders the requirements when it is the parts' edition; `strict` is
/// the runs' `--strict`, for the exit code.
pub fn join(
    parts: Vec<(String, RunReport)>,
    catalogue: Option<&Catalogue>,
    strict: bool,
) -> Result<RunReport, MergeError> {
    let ks = check_parts(&parts)?;
    let mut parts: Vec<(usize, String, RunReport)> = ks
        .into_iter()
        .zip(parts)
        .map(|(k, (path, report))| (k, path, report))
        .collect();
    parts.sort_by_key(|(k, _, _)| *k);
    let passive: BTreeSet<&str> = parts
        .iter()
        .flat_map(|(_, _, r)| r.passive_checks.iter().map(String::as_str))
        .collect();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    let mut by_id: HashMap<&str, Vec<&CheckResult>> = HashMap::new();
    for (_, path, report) in &parts {
        for c in &report.checks {
            let shared = passive.contains(c.id.as_str());
            if let Some(first) = owner.insert(&c.id, path)
                && !shared
            {
                return Err(MergeError::Twice {
                    path: path.clone(),
                    check: c.id.clone(),
                    first: first.to_string(),
                });
            }
            by_id.entry(&c.id).or_default().push(c);
        }
    }
    let seqs: Vec<Vec<String>> = parts
        .iter()
        .map(|(_, _, r)| r.checks.iter().map(|c| c.id.clone()).collect())
        .collect();
    let checks: Vec<CheckResult> = interleave(&seqs, |_, at| at)
        .iter()
        .filter_map(|id| by_id.get(id.as_str()).and_then(|rs| join_passive(rs)))
        .collect();
    let reports: Vec<RunReport> = parts.into_iter().map(|(_, _, r)| r).collect();
    let started = reports
        .iter()
        .map(|r| r.started_at.clone())
        .min()
        .unwrap_or_default();
    let first = reports.first().ok_or(MergeError::Empty)?;
    // Every part was given the same attestations and screened them the same way (dates,
    // scope, catalogue) as of its run; part 1's records are settled again over the union.
    let mut entries = first.attestations.clone();
    let requirements = rollup::verdicts(&reports, &checks, catalogue, &mut entries);
    // A part that was stopped leaves the whole run stopped: its checks did not all finish.
    let interrupted = reports.iter().find_map(|r| r.interrupted.clone());
    let exit_code = verdict::exit::of_run(&requirements, strict, interrupted.is_some());
    let stopped = interrupted.as_ref().map(|cause| {
        format!("a part of the run was stopped by {cause} before every check finished")
    });
    let overall = verdict::overall(
        &requirements,
        stopped.or_else(|| first.filters.as_ref().map(|only| verdict::filtered(only))),
    );
    Ok(RunReport {
        schema_version: first.schema_version,
        tool: first.tool.clone(),
        tool_version: first.tool_version.clone(),
        edition: first.edition.clone(),
        target: first.target.clone(),
        base_url: first.base_url.clone(),
        started_at: started,
        // The parts run side by side: the whole took as long as the longest.
        duration: reports
            .iter()
            .map(|r| r.duration)
            .max()
            .unwrap_or(Duration::ZERO),
        insecure: reports.iter().any(|r| r.insecure),
        proxy: reports.iter().find_map(|r| r.proxy.clone()),
        partition: None,
        filters: first.filters.clone(),
        interrupted,
        suites_digest: first.suites_digest.clone(),
        passive_checks: Vec::new(),
        exit_code,
        overall,
        summary: Summary::of(&checks),
        verdicts: VerdictCounts::of(&requirements),
        requirements,
        checks,
        attestations: entries,
    })
}
