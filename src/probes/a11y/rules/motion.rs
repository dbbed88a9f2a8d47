//! Moving content that cannot be paused (2.2.2): the obsolete `blink` and `marquee` elements.

use super::{Rule, RuleRun};
use crate::probes::a11y::dom::Dom;
use crate::probes::a11y::page::Page;

/// No `blink` elements.
pub static BLINK: Rule = Rule {
    id: "blink",
    criteria: &["2.2.2"],
    help: "<blink> elements are deprecated and must not be used",
    run: blink,
};

/// No `marquee` elements.
pub static MARQUEE: Rule = Rule {
    id: "marquee",
    criteria: &["2.2.2"],
    help: "<marquee> elements are deprecated and must not be used",
    run: marquee,
};

fn obsolete(page: &Page, run: &mut RuleRun, tag: &'static str) {
    let dom = Dom::new(page);
    for el in dom.tagged(tag).filter(|e| !dom.is_hidden(*e)) {
        run.checked += 1;
        run.fail(el, format!("<{tag}> moves content that users cannot pause"));
    }
}

fn blink(page: &Page, run: &mut RuleRun) {
    obsolete(page, run, "blink");
}

fn marquee(page: &Page, run: &mut RuleRun) {
    obsolete(page, run, "marquee");
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn blink_and_marquee_fail_where_shown() {
        let html = r#"<blink id="a">x</blink><marquee id="b">y</marquee><div hidden><marquee>z</marquee></div>"#;
        assert_eq!(failed(&run(&BLINK, html)), ["#a"]);
        let r = run(&MARQUEE, html);
        assert_eq!((r.checked, failed(&r)), (1, vec!["#b".to_string()]));
    }
}
