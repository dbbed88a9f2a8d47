//! The plan: checks × target, filtered, with prerequisites pulled in, partitioned
//! deterministically, in dependency order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// `(k, n)`: run the k-th of n parts (1-based).
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
    if let Some((k, n)) = filters.partition {
        let parts = partition(&selected, &by_id, n);
        selected = parts
            .into_iter()
            .nth(k.saturating_sub(1))
            .unwrap_or_default();
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

/// Splits checks into `n` disjoint parts; checks linked by `needs` stay together.
/// Components are placed largest first onto the least-loaded part (ties: lowest index,
/// then smallest check id), so the split is the same on every machine.
fn partition<'a>(
    selected: &BTreeSet<&'a str>,
    by_id: &HashMap<&str, &'a Arc<Check>>,
    n: usize,
) -> Vec<BTreeSet<&'a str>> {
    let n = n.max(1);
    let mut parent: BTreeMap<&str, &str> = selected.iter().map(|id| (*id, *id)).collect();
    fn root<'a>(parent: &mut BTreeMap<&'a str, &'a str>, id: &'a str) -> &'a str {
        let mut r = id;
        while let Some(p) = parent.get(r).copied().filter(|p| *p != r) {
            r = p;
        }
        parent.insert(id, r);
        r
    }
    for id in selected {
        for dep in by_id
            .get(id)
            .map(|c| c.needs.as_slice())
            .unwrap_or_default()
        {
            if selected.contains(dep.as_str()) {
                let (a, b) = (root(&mut parent, id), root(&mut parent, dep.as_str()));
                if a != b {
                    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
                    parent.insert(hi, lo);
                }
            }
        }
    }
    let mut components: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for id in selected {
        let r = root(&mut parent, id);
        components.entry(r).or_default().insert(id);
    }
    let mut comps: Vec<BTreeSet<&str>> = components.into_values().collect();
    comps.sort_by(|a, b| {
        b.len()
            .cmp(&a.len())
            .then_with(|| a.first().cmp(&b.first()))
    });
    let mut parts: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n];
    for comp in comps {
        let (idx, _) = parts
            .iter()
            .enumerate()
            .min_by_key(|(i, p)| (p.len(), *i))
            .unwrap_or((0, &parts[0]));
        parts[idx].extend(comp);
    }
    parts
}
