//! Form controls have a label (1.3.1, 3.3.2, 4.1.2): a `label` (by `for` or wrapping),
//! `aria-labelledby` naming text, `aria-label` or `title`. A placeholder is a hint that goes
//! away on input, not a label.

use super::{Rule, RuleRun};
use crate::probes::a11y::accname::{self, Source};
use crate::probes::a11y::dom::{Dom, input_type};
use crate::probes::a11y::page::Page;
use crate::probes::a11y::rules::roles::role;

/// Form controls have a label.
pub static LABEL: Rule = Rule {
    id: "label",
    criteria: &["1.3.1", "3.3.2", "4.1.2"],
    help: "Form elements must have labels",
    run: label,
};

/// Input types that label themselves (their value or alt) or are never shown.
const SELF_LABELLED: &[&str] = &["hidden", "submit", "button", "reset", "image"];

fn label(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for control in dom.elements().filter(|e| {
        !dom.is_excluded(*e)
            && match e.value().name() {
                "input" => !SELF_LABELLED.contains(&input_type(*e).as_str()),
                "select" | "textarea" => true,
                _ => false,
            }
    }) {
        run.checked += 1;
        let r = role(control).unwrap_or_else(|| "textbox".to_string());
        let name = accname::name(&dom, control, &r);
        match name.source {
            Source::Placeholder => run.fail(
                control,
                "only a placeholder, which is not a label (it disappears on input)",
            ),
            Source::None if name.surely_empty() => run.fail(
                control,
                "no label (label for / wrapping label / aria-labelledby / aria-label / title)",
            ),
            Source::None => run.undecided(
                control,
                "no label in the markup; CSS may add one, or it was too large to read",
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn labels_by_for_wrapping_aria_and_title_count_but_placeholders_do_not() {
        let r = run(
            &LABEL,
            r#"<label for="a">Name</label><input id="a">
            <label>Email <input id="b" type="email"></label>
            <input id="c" aria-label="Search">
            <span id="t1">Date</span><span id="t2">of birth</span><input id="d" aria-labelledby="t1 t2">
            <input id="e" title="Phone">
            <input id="f" placeholder="Postal code">
            <input id="g">
            <label for="other">Wrong</label><input id="h">
            <input id="i" aria-labelledby="nothing">
            <select id="j"><option>x</option></select>
            <textarea id="k" aria-label="Notes"></textarea>
            <input type="hidden"><input type="submit"><input type="image" alt="Go">"#,
        );
        assert_eq!(r.checked, 11);
        assert_eq!(failed(&r), ["#f", "#g", "#h", "#i", "#j"]);
    }
}
