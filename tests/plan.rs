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

#[test]
fn partitions_are_disjoint_cover_the_plan_and_keep_needs_together() {
    let inputs = shipped();
    let full = ids(&build(&inputs, &Filters::default()));
    for n in 1..=5 {
        let mut union = BTreeSet::new();
        for k in 1..=n {
            let part = build(
                &inputs,
                &Filters {
                    partition: Some((k, n)),
                    ..Default::default()
                },
            );
            assert_closed_and_ordered(&part);
            let part_ids = ids(&part);
            assert!(
                union.is_disjoint(&part_ids),
                "{k}/{n} overlaps an earlier part"
            );
            // The same split every time.
            assert_eq!(
                part_ids,
                ids(&build(
                    &inputs,
                    &Filters {
                        partition: Some((k, n)),
                        ..Default::default()
                    }
                ))
            );
            union.extend(part_ids);
        }
        assert_eq!(union, full, "the union of all {n} parts is the full plan");
    }
}

#[test]
fn partitions_combine_with_filters() {
    let inputs = shipped();
    let f = Filters {
        domains: vec![Domain::Security],
        ..Default::default()
    };
    let full = ids(&build(&inputs, &f));
    let mut union = BTreeSet::new();
    for k in 1..=3 {
        let part = build(
            &inputs,
            &Filters {
                partition: Some((k, 3)),
                ..f.clone()
            },
        );
        assert_closed_and_ordered(&part);
        assert!(union.is_disjoint(&ids(&part)));
        union.extend(ids(&part));
    }
    assert_eq!(union, full);
}
