//! Links and buttons have an accessible name (2.4.4 for links, 4.1.2 for both).

use scraper::ElementRef;

use super::roles::explicit_role;
use super::{Rule, RuleRun};
use crate::probes::a11y::accname::{self, AccName};
use crate::probes::a11y::dom::{Dom, input_type};
use crate::probes::a11y::page::Page;

/// Links have a name.
pub static LINK_NAME: Rule = Rule {
    id: "link-name",
    criteria: &["2.4.4", "4.1.2"],
    help: "Links must have discernible text",
    run: link_name,
};

/// Buttons have a name.
pub static BUTTON_NAME: Rule = Rule {
    id: "button-name",
    criteria: &["4.1.2"],
    help: "Buttons must have discernible text",
    run: button_name,
};

/// Fails `el` when its name is surely empty; leaves it undecided when CSS may name it or its
/// content was too large to read.
pub(super) fn require_name(run: &mut RuleRun, el: ElementRef<'_>, name: &AccName, what: &str) {
    if name.surely_empty() {
        run.fail(el, format!("{what} has no accessible name"));
    } else if name.text.is_empty() {
        let why = if name.cut {
            "its content is too large or deep to read"
        } else {
            "its name may come from CSS (generated content or an icon font)"
        };
        run.undecided(el, format!("{what} has no name in the markup; {why}"));
    }
}

fn link_name(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for link in dom.elements().filter(|e| {
        let v = e.value();
        let role = explicit_role(*e);
        !dom.is_excluded(*e)
            && (role.as_deref() == Some("link")
                || (v.name() == "a" && v.attr("href").is_some() && role.is_none()))
    }) {
        run.checked += 1;
        let name = accname::name(&dom, link, "link");
        require_name(run, link, &name, "the link");
    }
}

fn button_name(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for button in dom.elements().filter(|e| {
        let role = explicit_role(*e);
        let native = match e.value().name() {
            "button" => true,
            "input" => matches!(input_type(*e).as_str(), "submit" | "button" | "reset"),
            _ => false,
        };
        !dom.is_excluded(*e) && (role.as_deref() == Some("button") || (native && role.is_none()))
    }) {
        run.checked += 1;
        let name = accname::name(&dom, button, "button");
        require_name(run, button, &name, "the button");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run, undecided};
    use super::*;

    #[test]
    fn links_are_named_by_content_alt_label_or_labelledby_and_css_icons_are_undecided() {
        let r = run(
            &LINK_NAME,
            r#"<style>.icon-home::before { content: "\e900" }</style>
            <a id="a" href="/"></a>
            <a id="b" href="/">Home</a>
            <a id="c" href="/"><img src="h.png" alt="Home"></a>
            <a id="d" href="/" aria-labelledby="t1 t2"></a><span id="t1">Visit</span><span id="t2">list</span>
            <a id="e" href="/"><span class="icon-home"></span></a>
            <a id="f" href="/"><span aria-hidden="true">Home</span></a>
            <a id="g" href="/" aria-labelledby="missing"></a>
            <a name="anchor">not a link</a>"#,
        );
        assert_eq!(r.checked, 7);
        assert_eq!(failed(&r), ["#a", "#f", "#g"]);
        assert_eq!(undecided(&r), ["#e"]);
    }

    #[test]
    fn an_empty_icon_is_undecided_when_a_linked_stylesheet_could_not_be_read() {
        let r = run(
            &LINK_NAME,
            r#"<link rel="stylesheet" href="https://cdn.test/icons.css"><a id="a" href="/"><i class="fa fa-home"></i></a><a id="b" href="/x"></a>"#,
        );
        assert_eq!(undecided(&r), ["#a"]);
        assert_eq!(failed(&r), ["#b"], "nothing a stylesheet could fill");
    }

    #[test]
    fn buttons_include_inputs_and_role_button_and_default_labels() {
        let r = run(
            &BUTTON_NAME,
            r#"<button id="a"></button><button id="b">Send</button><input id="c" type="submit"><input id="d" type="button"><input id="e" type="reset" value=""><div id="f" role="button" aria-label="Close"></div><span id="g" role="button"></span>"#,
        );
        assert_eq!(r.checked, 7);
        assert_eq!(failed(&r), ["#a", "#d", "#e", "#g"]);
    }
}
