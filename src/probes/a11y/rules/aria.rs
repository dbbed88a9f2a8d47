//! ARIA used as WAI-ARIA 1.2 defines it (4.1.2, and 1.3.1 for structure): valid roles, the
//! states a role requires, only the attributes a role supports, required owned elements and
//! context, and nothing focusable hidden from assistive technology. The facts are in
//! [`super::roles`].

use std::collections::HashMap;

use scraper::ElementRef;

use super::roles::{
    RoleKind, allowed, explicit_role, implicit_role, is_aria_attr, is_transparent, required_attrs,
    required_children, required_context, role, role_kind,
};
use super::{Rule, RuleRun};
use crate::probes::a11y::accname::MAX_DEPTH;
use crate::probes::a11y::dom::{Dom, input_type, tokens};
use crate::probes::a11y::issue::shorten;
use crate::probes::a11y::page::Page;

/// `role` values are valid, non-abstract roles.
pub static ARIA_ROLES: Rule = Rule {
    id: "aria-roles",
    criteria: &["1.3.1", "4.1.2"],
    help: "ARIA roles used must conform to valid values",
    run: aria_roles,
};

/// Roles have the states they require.
pub static ARIA_REQUIRED_ATTR: Rule = Rule {
    id: "aria-required-attr",
    criteria: &["4.1.2"],
    help: "Required ARIA attributes must be provided",
    run: aria_required_attr,
};

/// ARIA attributes are supported by the element's role.
pub static ARIA_ALLOWED_ATTR: Rule = Rule {
    id: "aria-allowed-attr",
    criteria: &["4.1.2"],
    help: "Elements must only use supported ARIA attributes",
    run: aria_allowed_attr,
};

/// Roles own the elements they require.
pub static ARIA_REQUIRED_CHILDREN: Rule = Rule {
    id: "aria-required-children",
    criteria: &["1.3.1"],
    help: "Certain ARIA roles must contain particular children",
    run: aria_required_children,
};

/// Roles sit in the context they require.
pub static ARIA_REQUIRED_PARENT: Rule = Rule {
    id: "aria-required-parent",
    criteria: &["1.3.1"],
    help: "Certain ARIA roles must be contained by particular parents",
    run: aria_required_parent,
};

/// Nothing inside `aria-hidden="true"` takes focus.
pub static ARIA_HIDDEN_FOCUS: Rule = Rule {
    id: "aria-hidden-focus",
    criteria: &["1.3.1", "4.1.2"],
    help: "ARIA hidden element must not be focusable or contain focusable elements",
    run: aria_hidden_focus,
};

/// Most descendants searched for owned elements of one element.
const MAX_OWNED_SEARCH: usize = 1024;

fn aria_roles(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for el in dom
        .elements()
        .filter(|e| e.value().attr("role").is_some_and(|r| !r.trim().is_empty()))
    {
        run.checked += 1;
        if explicit_role(el).is_some() {
            continue;
        }
        let roles: Vec<String> = tokens(el, "role").map(str::to_ascii_lowercase).collect();
        let why = if roles.iter().any(|r| role_kind(r) == RoleKind::Abstract) {
            "an abstract role, which authors must not use"
        } else {
            "no valid WAI-ARIA role"
        };
        let shown = shorten(&roles.join(" "), 80);
        run.fail(el, format!("role=\"{shown}\" is {why}"));
    }
}

/// The native element already carries the state (`input type=checkbox` is checked or not).
fn native_state(el: ElementRef<'_>, attr: &str) -> bool {
    let v = el.value();
    match (v.name(), attr) {
        ("input", "aria-checked") => matches!(input_type(el).as_str(), "checkbox" | "radio"),
        ("input", "aria-valuenow") => matches!(input_type(el).as_str(), "range" | "number"),
        ("select", "aria-expanded") => true,
        _ => false,
    }
}

fn aria_required_attr(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for (el, r) in dom
        .elements()
        .filter_map(|e| Some((e, explicit_role(e)?)))
        .filter(|(_, r)| !required_attrs(r).is_empty())
    {
        run.checked += 1;
        let missing: Vec<&str> = required_attrs(&r)
            .iter()
            .copied()
            .filter(|a| el.value().attr(a).is_none() && !native_state(el, a))
            .collect();
        if !missing.is_empty() {
            run.fail(el, format!("role={r} requires {}", missing.join(", ")));
        }
    }
}

fn aria_allowed_attr(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for el in dom
        .elements()
        .filter(|e| e.value().attrs().any(|(a, _)| a.starts_with("aria-")))
    {
        // Without a known role the element's semantics are not ours to judge.
        let Some(r) = role(el) else {
            continue;
        };
        run.checked += 1;
        let unsupported: Vec<&str> = el
            .value()
            .attrs()
            .map(|(a, _)| a)
            .filter(|a| is_aria_attr(a) && !allowed(a, &r))
            .collect();
        if !unsupported.is_empty() {
            run.fail(
                el,
                format!("{} not supported on role {r}", unsupported.join(", ")),
            );
        }
    }
}

/// The roles `el` owns: its descendants' roles, looking through elements without one (and
/// through `generic`/`presentation`), plus those `aria-owns` names.
fn owned_roles(dom: &Dom<'_>, el: ElementRef<'_>) -> Vec<Option<String>> {
    let mut out = Vec::new();
    let mut stack: Vec<ElementRef> = el.child_elements().collect();
    stack.reverse();
    let mut seen = 0;
    while let Some(c) = stack.pop() {
        seen += 1;
        if seen > MAX_OWNED_SEARCH {
            break;
        }
        if dom.is_excluded(c) {
            continue;
        }
        let r = role(c);
        if is_transparent(r.as_deref()) {
            let before = stack.len();
            stack.extend(c.child_elements());
            stack[before..].reverse();
        } else {
            out.push(r);
        }
    }
    out.extend(
        tokens(el, "aria-owns")
            .filter_map(|id| dom.by_id(id))
            .map(role),
    );
    out
}

fn aria_required_children(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for (el, r) in dom
        .elements()
        .filter(|e| !dom.is_excluded(*e))
        .filter_map(|e| Some((e, explicit_role(e)?)))
        .filter(|(_, r)| !required_children(r).is_empty())
    {
        run.checked += 1;
        if el
            .value()
            .attr("aria-busy")
            .is_some_and(|b| b.trim().eq_ignore_ascii_case("true"))
        {
            continue;
        }
        let need = required_children(&r);
        let owned = owned_roles(&dom, el);
        let wrong: Vec<String> = owned
            .iter()
            .filter_map(|o| match o {
                Some(o) if !need.contains(&o.as_str()) => Some(o.clone()),
                _ => None,
            })
            .collect();
        if !wrong.is_empty() {
            run.fail(
                el,
                format!(
                    "role={r} owns {} where it may own only {}",
                    wrong.join(", "),
                    need.join(" or ")
                ),
            );
        } else if owned.is_empty() {
            // Nothing at all inside: a script may fill it once shown (axe-core asks for review).
            run.undecided(
                el,
                format!(
                    "role={r} is empty; whether it will own {} is up to script",
                    need.join(" or ")
                ),
            );
        } else if !owned.iter().flatten().any(|o| need.contains(&o.as_str())) {
            run.fail(el, format!("role={r} owns no {}", need.join(" or ")));
        }
    }
}

fn aria_required_parent(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    let mut owners = HashMap::new();
    for o in dom.elements() {
        for id in tokens(o, "aria-owns") {
            owners.entry(id).or_insert(o);
        }
    }
    for (el, r) in dom
        .elements()
        .filter(|e| !dom.is_excluded(*e))
        .filter_map(|e| Some((e, explicit_role(e)?)))
        .filter(|(_, r)| !required_context(r).is_empty())
    {
        // A native element keeping its own role (`li role=listitem`) is the list rules' matter.
        if implicit_role(el) == Some(r.as_str()) {
            continue;
        }
        run.checked += 1;
        let need = required_context(&r);
        let owner = el.value().id().and_then(|id| owners.get(id).copied());
        let context = owner.map(role).unwrap_or_else(|| {
            el.ancestors()
                .filter_map(ElementRef::wrap)
                .take(MAX_DEPTH)
                .map(role)
                .find(|a| !is_transparent(a.as_deref()))
                .flatten()
        });
        if !context.as_deref().is_some_and(|c| need.contains(&c)) {
            run.fail(el, format!("role={r} is not inside {}", need.join(" or ")));
        }
    }
}

fn aria_hidden_focus(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    // The outermost aria-hidden element stands for those inside it (each descendant is
    // searched once, however deep the nesting).
    for el in dom.elements().filter(|e| {
        dom.is_aria_hidden(*e)
            && !e
                .ancestors()
                .find(|a| a.value().is_element())
                .and_then(ElementRef::wrap)
                .is_some_and(|p| dom.is_aria_hidden(p))
    }) {
        run.checked += 1;
        let focusable = std::iter::once(el)
            .chain(el.descendent_elements())
            .find(|d| dom.is_tabbable(*d));
        if let Some(f) = focusable {
            let what = if f == el { "itself" } else { "a descendant" };
            run.fail(
                el,
                format!(
                    "aria-hidden=\"true\" but {what} takes focus: <{}>",
                    f.value().name()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run, undecided};
    use super::*;

    #[test]
    fn roles_must_be_concrete() {
        let html = r#"<div id="a" role="buton"></div><div id="b" role="button"></div><div id="c" role="range"></div><div id="d" role="foo tab"></div>"#;
        assert_eq!(failed(&run(&ARIA_ROLES, html)), ["#a", "#c"]);
    }

    #[test]
    fn required_and_allowed_attributes() {
        let html = r#"<div id="a" role="checkbox"></div><div id="b" role="checkbox" aria-checked="false"></div><input id="c" type="checkbox" role="switch"><div id="d" role="slider"></div>"#;
        assert_eq!(failed(&run(&ARIA_REQUIRED_ATTR, html)), ["#a", "#d"]);
        let html = r#"<div id="a" aria-checked="true">x</div><button id="b" aria-pressed="true">x</button><a id="c" href="/" aria-selected="true">x</a><div id="d" role="tab" aria-selected="true"></div><custom-el aria-checked="true"></custom-el><table role="grid"><tr><td id="e" aria-selected="true">x</td></tr></table><table><tr><td id="f" aria-selected="true">y</td></tr></table>"#;
        assert_eq!(failed(&run(&ARIA_ALLOWED_ATTR, html)), ["#a", "#c", "#f"]);
    }

    #[test]
    fn owned_elements_and_context() {
        let html = r#"<div id="a" role="list"><div role="listitem">x</div></div><div id="b" role="list"><div><span role="listitem">x</span></div></div><div id="c" role="tablist"><div role="button">x</div></div><div id="d" role="list"></div>"#;
        let r = run(&ARIA_REQUIRED_CHILDREN, html);
        assert_eq!(failed(&r), ["#c"]);
        assert_eq!(
            undecided(&r),
            ["#d"],
            "an empty list may be filled by script"
        );
        let html = r#"<ul role="menu"><li role="none"><a id="m1" role="menuitem" href="/a">a</a></li><li><a id="m2" role="menuitem" href="/b">b</a></li></ul><div role="tablist"><div id="a" role="tab">x</div></div><div id="b" role="tab">y</div><ul><li id="c" role="listitem">z</li></ul><div role="list" aria-owns="e"></div><div id="e" role="listitem">w</div>"#;
        assert_eq!(failed(&run(&ARIA_REQUIRED_PARENT, html)), ["#b"]);
    }

    #[test]
    fn nothing_focusable_inside_aria_hidden() {
        let html = r#"<div id="a" aria-hidden="true"><a href="/">x</a></div><div id="b" aria-hidden="true"><a href="/" tabindex="-1">x</a><button disabled>y</button></div><button id="c" aria-hidden="true">z</button>"#;
        assert_eq!(failed(&run(&ARIA_HIDDEN_FOCUS, html)), ["#a", "#c"]);
    }
}
