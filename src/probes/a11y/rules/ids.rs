//! Unique ids (4.1.1): a duplicated id makes `getElementById`, `label for` and every ARIA
//! reference find the first element only; duplicates that such references name also break
//! names and relations (4.1.2).

use std::collections::{HashMap, HashSet};

use scraper::ElementRef;

use super::{Rule, RuleRun};
use crate::probes::a11y::dom::{Dom, tokens};
use crate::probes::a11y::page::Page;

/// Ids no reference names are unique.
pub static DUPLICATE_ID: Rule = Rule {
    id: "duplicate-id",
    criteria: &["4.1.1"],
    help: "id attribute values must be unique",
    run: duplicate_id,
};

/// Ids that ARIA attributes or `label for` name are unique.
pub static DUPLICATE_ID_ARIA: Rule = Rule {
    id: "duplicate-id-aria",
    criteria: &["4.1.1", "4.1.2"],
    help: "IDs used in ARIA and labels must be unique",
    run: duplicate_id_aria,
};

/// Attributes whose value is one or more ids.
const ID_REFS: &[&str] = &[
    "aria-activedescendant",
    "aria-controls",
    "aria-describedby",
    "aria-details",
    "aria-errormessage",
    "aria-flowto",
    "aria-labelledby",
    "aria-owns",
];

/// Each id, its elements in document order; and the ids references name.
fn ids<'a>(dom: &Dom<'a>) -> (Vec<(&'a str, Vec<ElementRef<'a>>)>, HashSet<&'a str>) {
    let mut order = Vec::new();
    let mut by_id: HashMap<&str, Vec<ElementRef>> = HashMap::new();
    let mut referenced = HashSet::new();
    for el in dom.elements() {
        if let Some(id) = el.value().id().filter(|i| !i.is_empty()) {
            let entry = by_id.entry(id).or_default();
            if entry.is_empty() {
                order.push(id);
            }
            entry.push(el);
        }
        for attr in ID_REFS {
            referenced.extend(tokens(el, attr));
        }
        if el.value().name() == "label"
            && let Some(f) = el.value().attr("for")
        {
            referenced.insert(f);
        }
    }
    let all = order
        .into_iter()
        .map(|id| (id, by_id.remove(id).unwrap_or_default()))
        .collect();
    (all, referenced)
}

fn report(page: &Page, run: &mut RuleRun, want_referenced: bool) {
    let dom = Dom::new(page);
    let (all, referenced) = ids(&dom);
    for (id, els) in all
        .iter()
        .filter(|(id, _)| referenced.contains(id) == want_referenced)
    {
        run.checked += 1;
        if els.len() > 1 {
            // As axe-core does, the first element carrying the id stands for all of them.
            run.fail(
                els[0],
                format!("id \"{id}\" is used by {} elements", els.len()),
            );
        }
    }
}

fn duplicate_id(page: &Page, run: &mut RuleRun) {
    report(page, run, false);
}

fn duplicate_id_aria(page: &Page, run: &mut RuleRun) {
    report(page, run, true);
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn duplicates_are_split_by_whether_a_reference_names_them() {
        let html = r#"<p id="a">1</p><p id="a">2</p><span id="l">Name</span><input aria-labelledby="l"><b id="l">x</b><i id="u">ok</i>"#;
        let r = run(&DUPLICATE_ID, html);
        assert_eq!(r.checked, 2);
        assert_eq!(
            failed(&r),
            ["html > body:nth-of-type(1) > p:nth-of-type(1)"]
        );
        let r = run(&DUPLICATE_ID_ARIA, html);
        assert_eq!(
            failed(&r),
            ["html > body:nth-of-type(1) > span:nth-of-type(1)"]
        );
    }
}
