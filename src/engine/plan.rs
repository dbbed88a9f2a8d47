//! The plan: checks × target, filtered, with prerequisites pulled in, partitioned
//! deterministically, in dependency order.
//!
//! A partition is balanced: the active checks of the whole plan, in plan order, are cut into
//! `n` contiguous runs whose sizes differ by at most one, and part `k` owns the `k`-th. It runs
//! the prerequisites its checks need as set-up (not reported: their owner reports them), and
//! every passive check, over its own exchanges; merge joins the parts' passive results.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::model::probe::ProbeCatalog;
use crate::model::standard::{Catalogue, Domain, Level, Provenance, RequirementId};
use crate::model::suite::{Check, StepKind};
use crate::outcome::SkipReason;
use crate::probes::registry::Registry;

/// Which checks to run.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub domains: Vec<Domain>,
    pub requirements: Vec<String>,
    pub tags: Vec<String>,
    pub levels: Vec<Level>,
    /// `(k, n)`: run the k-th of n parts (1-based); see the module's note.
    pub partition: Option<(usize, usize)>,
}

/// One check in the plan, with what the catalogue says about it.
#[derive(Debug, Clone)]
pub struct PlannedCheck {
    pub check: Arc<Check>,
    pub domain: Domain,
    pub level: Level,
    pub provenance: Provenance,
    pub requirements: Vec<RequirementId>,
    /// Checks (by id) this one waits for.
    pub needs: Vec<String>,
    /// Set when the check must not run: why (e.g. not applicable).
    pub skip: Option<SkipReason>,
    /// Every step is a passive probe: it inspects the exchanges the run recorded, so it runs
    /// after every active check.
    pub passive: bool,
    /// A step waits on the target's clock (up to `--max-wait`): the check starts first, and
    /// its time limit grows by that wait.
    pub waits: bool,
    /// Runs only because a check of this part needs it; another part owns and reports it.
    pub setup: bool,
}

/// The checks to run, prerequisites first.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub checks: Vec<PlannedCheck>,
}

impl Plan {
    /// Check IDs in plan order.
    pub fn ids(&self) -> Vec<&str> {
        self.checks.iter().map(|c| c.check.id.as_str()).collect()
    }
}

/// A check's level: its override, else mandatory if any of its requirements is.
fn level_of(check: &Check, catalogue: &Catalogue) -> Level {
    check.level.unwrap_or_else(|| {
        let any_mandatory = check
            .requirements
            .iter()
            .filter_map(|r| catalogue.get(r))
            .any(|r| r.level == Level::Mandatory);
        if any_mandatory {
            Level::Mandatory
        } else {
            Level::Recommended
        }
    })
}

fn matches(c: &Check, catalogue: &Catalogue, f: &Filters) -> bool {
    let reqs: Vec<_> = c
        .requirements
        .iter()
        .filter_map(|r| catalogue.get(r))
        .collect();
    (f.domains.is_empty() || reqs.iter().any(|r| f.domains.contains(&r.domain)))
        && (f.requirements.is_empty()
            || c.requirements
                .iter()
                .any(|r| f.requirements.iter().any(|w| w.eq_ignore_ascii_case(r))))
        && (f.tags.is_empty() || c.tags.iter().any(|t| f.tags.contains(t)))
        && (f.levels.is_empty() || f.levels.contains(&level_of(c, catalogue)))
}

/// Builds the plan. `not_applicable` maps requirement IDs to the target's reasons.
pub fn build(
    catalogue: &Catalogue,
    checks: &[Arc<Check>],
    filters: &Filters,
    not_applicable: &indexmap::IndexMap<String, String>,
) -> Plan {
    let by_id: HashMap<&str, &Arc<Check>> = checks.iter().map(|c| (c.id.as_str(), c)).collect();
    // Selected checks and, transitively, what they need.
    let mut selected: BTreeSet<&str> = checks
        .iter()
        .filter(|c| matches(c, catalogue, filters))
        .map(|c| c.id.as_str())
        .collect();
    let mut stack: Vec<&str> = selected.iter().copied().collect();
    while let Some(id) = stack.pop() {
        for n in by_id
            .get(id)
            .map(|c| c.needs.as_slice())
            .unwrap_or_default()
        {
            if selected.insert(n.as_str()) {
                stack.push(n.as_str());
            }
        }
    }
    // Dependency order, ties by file order.
    let mut ordered: Vec<&Arc<Check>> = Vec::new();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    fn place<'a>(
        c: &'a Arc<Check>,
        by_id: &HashMap<&str, &'a Arc<Check>>,
        placed: &mut BTreeSet<&'a str>,
        out: &mut Vec<&'a Arc<Check>>,
    ) {
        if !placed.insert(c.id.as_str()) {
            return;
        }
        for n in &c.needs {
            if let Some(dep) = by_id.get(n.as_str()) {
                place(dep, by_id, placed, out);
            }
        }
        out.push(c);
    }
    for c in checks.iter().filter(|c| selected.contains(c.id.as_str())) {
        place(c, &by_id, &mut placed, &mut ordered);
    }
    // The whole plan's order first, so that every part cuts the same sequence.
    let mut setup = BTreeSet::new();
    if let Some((k, n)) = filters.partition {
        let nodes: Vec<Node> = ordered
            .iter()
            .map(|c| Node {
                id: c.id.as_str(),
                passive: is_passive(c),
                needs: c.needs.iter().map(|n| n.as_str()).collect(),
            })
            .collect();
        let part = split(&nodes, k, n);
        ordered
            .retain(|c| part.owned.contains(c.id.as_str()) || part.setup.contains(c.id.as_str()));
        setup = part.setup.into_iter().map(str::to_string).collect();
    }
    let planned = ordered
        .into_iter()
        .map(|c| {
            let first = c.requirements.first().and_then(|r| catalogue.get(r));
            let reasons: Vec<&str> = c
                .requirements
                .iter()
                .filter_map(|r| not_applicable.get(r.as_str()).map(String::as_str))
                .collect();
            let skip = (!reasons.is_empty() && reasons.len() == c.requirements.len()).then(|| {
                SkipReason::NotApplicable {
                    reasons: reasons.iter().map(|r| r.to_string()).collect(),
                }
            });
            PlannedCheck {
                check: Arc::clone(c),
                domain: first.map_or(Domain::Security, |r| r.domain),
                level: level_of(c, catalogue),
                provenance: first.map_or(Provenance::Inferred, |r| r.provenance),
                requirements: c
                    .requirements
                    .iter()
                    .map(|r| RequirementId(r.value.clone()))
                    .collect(),
                needs: c.needs.iter().map(|n| n.value.clone()).collect(),
                skip,
                passive: is_passive(c),
                waits: waits(c),
                setup: setup.contains(c.id.as_str()),
            }
        })
        .collect();
    Plan { checks: planned }
}

/// Marks the checks written `unmapped: manual` whose operations `mapped` says the profile
/// lacks: they are skipped and their requirements left to a reviewer.
pub fn skip_unmapped(plan: &mut Plan, mapped: impl Fn(&str) -> bool) {
    for pc in plan.checks.iter_mut().filter(|pc| pc.skip.is_none()) {
        if pc.check.unmapped != crate::model::suite::Unmapped::Manual {
            continue;
        }
        let unmapped = pc.check.unmapped_operations(&mapped);
        if !unmapped.is_empty() {
            let ops: Vec<String> = unmapped.iter().map(|o| format!("`{o}`")).collect();
            pc.skip = Some(SkipReason::Manual {
                reason: format!("the profile does not map {}", ops.join(", ")),
            });
        }
    }
}

/// Whether a step of `check` is a probe that waits on the target's clock.
fn waits(check: &Check) -> bool {
    check.steps.iter().any(|s| match &s.kind {
        StepKind::Probe { name, .. } => Registry.spec(name).is_some_and(|p| p.waits),
        StepKind::Call { .. } => false,
    })
}

/// Whether every step of `check` is a passive probe.
fn is_passive(check: &Check) -> bool {
    !check.steps.is_empty()
        && check.steps.iter().all(|s| match &s.kind {
            StepKind::Probe { name, .. } => Registry.spec(name).is_some_and(|p| p.passive),
            StepKind::Call { .. } => false,
        })
}

/// One check of the whole plan, as the partition sees it.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub id: &'a str,
    pub passive: bool,
    pub needs: Vec<&'a str>,
}

/// What one part of a partitioned plan runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Part<'a> {
    /// Checks the part reports: its run of active checks, and every passive check.
    pub owned: BTreeSet<&'a str>,
    /// Prerequisites of owned checks that another part owns: run, not reported.
    pub setup: BTreeSet<&'a str>,
}

/// Part `k` of `n` (1-based) of `plan` (in plan order): the `k`-th of `n` contiguous runs of
/// the active checks, sizes differing by at most one, the longer runs first; every passive
/// check, since each inspects only the exchanges its own part recorded; and, as set-up, what
/// those need, transitively. Depends on nothing but the plan's order, so every machine cuts
/// the same parts.
pub fn split<'a>(plan: &[Node<'a>], k: usize, n: usize) -> Part<'a> {
    let n = n.max(1);
    let k = k.clamp(1, n) - 1;
    let active: Vec<&str> = plan.iter().filter(|c| !c.passive).map(|c| c.id).collect();
    let (base, extra) = (active.len() / n, active.len() % n);
    let start = k * base + k.min(extra);
    let len = base + usize::from(k < extra);
    let mut owned: BTreeSet<&str> = active[start..start + len].iter().copied().collect();
    owned.extend(plan.iter().filter(|c| c.passive).map(|c| c.id));
    let needs: HashMap<&str, &[&str]> = plan.iter().map(|c| (c.id, c.needs.as_slice())).collect();
    let mut setup = BTreeSet::new();
    let mut stack: Vec<&str> = owned.iter().copied().collect();
    while let Some(id) = stack.pop() {
        for &dep in needs.get(id).copied().unwrap_or_default() {
            if !owned.contains(dep) && setup.insert(dep) {
                stack.push(dep);
            }
        }
    }
    Part { owned, setup }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(id: &'a str, passive: bool, needs: &[&'a str]) -> Node<'a> {
        Node {
            id,
            passive,
            needs: needs.to_vec(),
        }
    }

    fn plan() -> Vec<Node<'static>> {
        vec![
            node("root", false, &[]),
            node("a", false, &["root"]),
            node("b", false, &["root"]),
            node("p", true, &[]),
            node("c", false, &["a"]),
            node("d", false, &[]),
            node("e", false, &["root"]),
        ]
    }

    #[test]
    fn active_checks_are_cut_into_runs_differing_by_at_most_one() {
        let plan = plan();
        for n in 1..=8 {
            let sizes: Vec<usize> = (1..=n)
                .map(|k| {
                    split(&plan, k, n)
                        .owned
                        .iter()
                        .filter(|id| **id != "p")
                        .count()
                })
                .collect();
            assert_eq!(sizes.iter().sum::<usize>(), 6, "{n} parts: {sizes:?}");
            let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
            assert!(
                hi.zip(lo).is_some_and(|(h, l)| h - l <= 1),
                "{n} parts: {sizes:?}"
            );
        }
    }

    #[test]
    fn the_split_is_deterministic_and_every_part_has_the_passive_checks() {
        let plan = plan();
        for k in 1..=3 {
            assert_eq!(split(&plan, k, 3), split(&plan, k, 3));
            assert!(split(&plan, k, 3).owned.contains("p"));
        }
    }

    #[test]
    fn prerequisites_another_part_owns_come_as_set_up_transitively() {
        let plan = plan();
        // 6 active checks in 3 parts: [root, a], [b, c], [d, e].
        let second = split(&plan, 2, 3);
        assert_eq!(second.owned, ["b", "c", "p"].into_iter().collect());
        assert_eq!(second.setup, ["a", "root"].into_iter().collect());
        let third = split(&plan, 3, 3);
        assert_eq!(third.setup, ["root"].into_iter().collect());
        assert!(split(&plan, 1, 3).setup.is_empty());
    }
}
