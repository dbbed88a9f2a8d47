//! The plan: filters select what users ask for, prerequisites travel with their dependents, and
//! `--partition k/n` splits the plan into disjoint parts whose union is the whole plan.

use std::collections::BTreeSet;

use vvcheck::engine::plan::{self, Filters, Plan};
use vvcheck::model::inputs::{self, InputPaths, Inputs};
use vvcheck::model::standard::{Domain, Level};

fn shipped() -> Inputs {
    inputs::load(&InputPaths::default(), &vvcheck::probes::registry::Registry)
        .expect("shipped inputs load")
}

fn build(inputs: &Inputs, filters: &Filters) -> Plan {
    plan::build(
        &inputs.catalogue,
        &inputs.checks,
        filters,
        &Default::default(),
    )
}

fn ids(p: &Plan) -> BTreeSet<String> {
    p.checks.iter().map(|c| c.check.id.value.clone()).collect()
}

/// Every check's prerequisites are in the same plan, and come before it.
fn assert_closed_and_ordered(p: &Plan) {
    let order: Vec<&str> = p.ids();
    for (i, c) in p.checks.iter().enumerate() {
        for n in &c.needs {
            let at = order.iter().position(|id| id == n);
            assert!(
                at.is_some_and(|j| j < i),
                "`{}` needs `{n}`, which is not planned before it: {order:?}",
                c.check.id.value
            );
        }
    }
}

#[test]
fn the_full_plan_holds_every_check_prerequisites_first() {
    let inputs = shipped();
    let p = build(&inputs, &Filters::default());
    assert_eq!(p.checks.len(), inputs.checks.len());
    assert_closed_and_ordered(&p);
}

#[test]
fn filters_select_and_pull_in_prerequisites() {
    let inputs = shipped();
    let sec = build(
        &inputs,
        &Filters {
            domains: vec![Domain::Security],
            ..Default::default()
        },
    );
    assert_closed_and_ordered(&sec);
    let sec_ids = ids(&sec);
    assert!(sec_ids.contains("sec.access.cross-patient-message"));
    assert!(
        sec_ids.contains("fun.patient-starts-conversation"),
        "the prerequisite travels with its dependents"
    );
    assert!(
        !sec_ids.contains("fun.replies-both-ways"),
        "unrelated functionality checks stay out"
    );
    assert!(!sec_ids.contains("prv.cache.messages-not-cacheable"));

    let by_req = build(
        &inputs,
        &Filters {
            requirements: vec!["sec-03".into()],
            ..Default::default()
        },
    );
    assert_eq!(
        ids(&by_req),
        [
            "sec.transport.hsts",
            "sec.transport.hsts-everywhere",
            "sec.transport.http-redirects"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    );

    let by_tag = build(
        &inputs,
        &Filters {
            tags: vec!["cache".into()],
            ..Default::default()
        },
    );
    assert!(
        ids(&by_tag)
            .iter()
            .all(|id| id.starts_with("prv.cache") || id.starts_with("fun.")),
        "{:?}",
        ids(&by_tag)
    );

    let recommended = build(
        &inputs,
        &Filters {
            levels: vec![Level::Recommended],
            ..Default::default()
        },
    );
    assert!(ids(&recommended).contains("tec.latency.message-operations"));
    assert!(
        recommended
            .checks
            .iter()
            .filter(|c| c.level == Level::Mandatory)
            .all(|c| c.check.id.value.starts_with("fun.")),
        "only prerequisites may be mandatory"
    );

    let none = build(
        &inputs,
        &Filters {
            tags: vec!["no-such-tag".into()],
            ..Default::default()
        },
    );
    assert!(none.checks.is_empty());
}

/// What a part reports (its own checks) and what it runs only as set-up.
fn owned_and_setup(p: &Plan) -> (BTreeSet<String>, BTreeSet<String>) {
    let (setup, owned): (Vec<_>, Vec<_>) = p.checks.iter().partition(|c| c.setup);
    let ids = |v: Vec<&plan::PlannedCheck>| v.iter().map(|c| c.check.id.value.clone()).collect();
    (ids(owned), ids(setup))
}

/// Checks each part of `n` reports and runs as set-up, and the passive checks of the plan.
fn assert_balanced_cover(inputs: &Inputs, f: &Filters, n: usize) {
    let whole = build(inputs, f);
    let full = ids(&whole);
    let passive: BTreeSet<String> = whole
        .checks
        .iter()
        .filter(|c| c.passive)
        .map(|c| c.check.id.value.clone())
        .collect();
    let active = full.len() - passive.len();
    let mut union = BTreeSet::new();
    let mut sizes = Vec::new();
    for k in 1..=n {
        let part_filters = Filters {
            partition: Some((k, n)),
            ..f.clone()
        };
        let part = build(inputs, &part_filters);
        assert_closed_and_ordered(&part);
        let (owned, setup) = owned_and_setup(&part);
        assert!(owned.is_disjoint(&setup));
        assert!(
            passive.is_subset(&owned),
            "{k}/{n} reports every passive check"
        );
        assert!(
            setup.iter().all(|id| !passive.contains(id)),
            "{k}/{n}: a passive check is never set-up"
        );
        let own_active: BTreeSet<String> = owned.difference(&passive).cloned().collect();
        assert!(
            union.is_disjoint(&own_active),
            "{k}/{n} reports an active check an earlier part reports"
        );
        assert!(
            own_active.len() <= active.div_ceil(n)
                && owned.len() <= full.len().div_ceil(n) + passive.len(),
            "{k}/{n} holds {} active checks of {active}",
            own_active.len()
        );
        assert_eq!(
            ids(&part),
            ids(&build(inputs, &part_filters)),
            "the same split every time"
        );
        sizes.push(own_active.len());
        union.extend(owned);
    }
    let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
    assert!(
        lo.zip(hi).is_some_and(|(l, h)| h - l <= 1),
        "{n} parts own {sizes:?} active checks"
    );
    assert_eq!(union, full, "the parts together report the whole plan");
}

#[test]
fn partitions_are_balanced_cover_the_plan_and_bring_their_prerequisites_as_set_up() {
    let inputs = shipped();
    for n in 1..=5 {
        assert_balanced_cover(&inputs, &Filters::default(), n);
    }
    // The prerequisite of many checks is set-up wherever another part owns it.
    let second = build(
        &inputs,
        &Filters {
            partition: Some((2, 2)),
            ..Default::default()
        },
    );
    let (owned, setup) = owned_and_setup(&second);
    let root = "fun.patient-starts-conversation";
    assert!(
        owned.contains(root) != setup.contains(root),
        "{root} runs in 2/2 either way"
    );
}

#[test]
fn partitions_combine_with_filters() {
    let inputs = shipped();
    let f = Filters {
        domains: vec![Domain::Security],
        ..Default::default()
    };
    assert_balanced_cover(&inputs, &f, 3);
}
