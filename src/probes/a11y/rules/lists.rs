//! List structure (1.3.1): `li` in a list, lists holding only items, `dt`/`dd` in a `dl`, and
//! `dl` holding only groups of terms and definitions. Lists not rendered (a `template`'s
//! content) are not checked.

use scraper::ElementRef;

use super::roles::explicit_role;
use super::{Rule, RuleRun};
use crate::probes::a11y::dom::Dom;
use crate::probes::a11y::page::Page;

/// `ul` and `ol` contain only `li`, `script` and `template` directly.
pub static LIST: Rule = Rule {
    id: "list",
    criteria: &["1.3.1"],
    help: "<ul> and <ol> must only directly contain <li>, <script> or <template> elements",
    run: list,
};

/// `li` is contained in a `ul`, `ol` or `menu` (or a `role=list`).
pub static LISTITEM: Rule = Rule {
    id: "listitem",
    criteria: &["1.3.1"],
    help: "<li> elements must be contained in a <ul> or <ol>",
    run: listitem,
};

/// `dl` contains only `dt`/`dd` groups (or `div`s wrapping them), `script` and `template`.
pub static DEFINITION_LIST: Rule = Rule {
    id: "definition-list",
    criteria: &["1.3.1"],
    help: "<dl> elements must only directly contain properly-ordered <dt> and <dd> groups, <div>, <script> or <template> elements",
    run: definition_list,
};

/// `dt` and `dd` are contained in a `dl`.
pub static DLITEM: Rule = Rule {
    id: "dlitem",
    criteria: &["1.3.1"],
    help: "<dt> and <dd> elements must be contained by a <dl>",
    run: dlitem,
};

/// `el` keeps its native list semantics (no role, or `role=list`).
fn list_semantics(el: ElementRef<'_>) -> bool {
    el.value().attr("role").is_none() || explicit_role(el).as_deref() == Some("list")
}

/// `li` keeps its list item semantics (no role, or `role=listitem`).
fn list_semantics_item(el: ElementRef<'_>) -> bool {
    el.value().attr("role").is_none() || explicit_role(el).as_deref() == Some("listitem")
}

fn parent(el: ElementRef<'_>) -> Option<ElementRef<'_>> {
    el.parent().and_then(ElementRef::wrap)
}

fn list(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for l in dom.elements().filter(|e| {
        matches!(e.value().name(), "ul" | "ol") && list_semantics(*e) && !dom.is_hidden(*e)
    }) {
        run.checked += 1;
        let stray = l.child_elements().find(|c| {
            let name = c.value().name();
            !(matches!(name, "script" | "template") || (name == "li" && list_semantics_item(*c)))
        });
        if let Some(c) = stray {
            run.fail(
                l,
                format!("contains a <{}> directly, not in an <li>", c.value().name()),
            );
        } else if l
            .children()
            .any(|c| c.value().as_text().is_some_and(|t| !t.trim().is_empty()))
        {
            run.fail(l, "contains text directly, not in an <li>");
        }
    }
}

fn listitem(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    // An item given another role (`li role=none` in a menu) is not a list item.
    for li in dom
        .tagged("li")
        .filter(|e| !dom.is_hidden(*e) && list_semantics_item(*e))
    {
        run.checked += 1;
        let ok = parent(li).is_some_and(|p| {
            (matches!(p.value().name(), "ul" | "ol" | "menu") && list_semantics(p))
                || explicit_role(p).as_deref() == Some("list")
        });
        if !ok {
            run.fail(
                li,
                "not contained in a <ul>, <ol> or <menu> with list semantics",
            );
        }
    }
}

fn definition_list(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for dl in dom
        .tagged("dl")
        .filter(|e| e.value().attr("role").is_none() && !dom.is_hidden(*e))
    {
        run.checked += 1;
        let stray = dl.child_elements().find(|c| {
            let name = c.value().name();
            match name {
                "dt" | "dd" | "script" | "template" => false,
                "div" => c
                    .child_elements()
                    .any(|g| !matches!(g.value().name(), "dt" | "dd" | "script" | "template")),
                _ => true,
            }
        });
        if let Some(c) = stray {
            run.fail(
                dl,
                format!(
                    "contains a <{}> where only dt/dd groups belong",
                    c.value().name()
                ),
            );
        }
    }
}

fn dlitem(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for item in dom
        .elements()
        .filter(|e| matches!(e.value().name(), "dt" | "dd") && !dom.is_hidden(*e))
    {
        run.checked += 1;
        let in_dl =
            |p: ElementRef<'_>| p.value().name() == "dl" && p.value().attr("role").is_none();
        let ok = parent(item).is_some_and(|p| {
            in_dl(p) || (p.value().name() == "div" && parent(p).is_some_and(in_dl))
        });
        if !ok {
            run.fail(item, "not contained in a <dl>");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn lists_hold_only_items_and_items_sit_in_lists() {
        let html = r#"<ul id="a"><li>x</li><script></script></ul><ul id="b"><li>x</li><div>y</div></ul><div id="c" role="list"><li id="d">ok</li></div><div><li id="e">stray</li></div>"#;
        assert_eq!(failed(&run(&LIST, html)), ["#b"]);
        assert_eq!(failed(&run(&LISTITEM, html)), ["#e"]);
    }

    #[test]
    fn definition_lists_hold_groups_and_terms_sit_in_them() {
        let html = r#"<dl id="a"><dt>t</dt><dd>d</dd><div><dt>t</dt><dd>d</dd></div></dl><dl id="b"><p>x</p></dl><div><dt id="c">t</dt></div>"#;
        assert_eq!(failed(&run(&DEFINITION_LIST, html)), ["#b"]);
        assert_eq!(failed(&run(&DLITEM, html)), ["#c"]);
    }
}
