//! Bad pages do not break the static accessibility rules: 10,000-deep nesting (on a thread with
//! a small stack, so any recursion over the tree would overflow it), a page past the size
//! bound, invalid UTF-8, unclosed tags and a 1 MB attribute all parse and evaluate, and the
//! results still make sense.

use vvcheck::probes::a11y::issue::IssueKind;
use vvcheck::probes::a11y::page::{MAX_DEPTH, MAX_PAGE_BYTES, Page};
use vvcheck::probes::a11y::rules::{self, MAX_ISSUES, RuleOutcome};

const DEPTH: usize = 10_000;
/// The stack the deep case runs on: far too small to recurse 10,000 levels.
const SMALL_STACK: usize = 2 * 1024 * 1024;

fn evaluate(bytes: &[u8]) -> Vec<RuleOutcome> {
    let url = url::Url::parse("https://vendor.test/page").expect("url");
    rules::evaluate(&Page::parse(url, bytes, Vec::new()))
}

fn outcome<'a>(outcomes: &'a [RuleOutcome], rule: &str) -> &'a RuleOutcome {
    outcomes
        .iter()
        .find(|o| o.rule == rule)
        .unwrap_or_else(|| panic!("no outcome for {rule}"))
}

fn fails(outcomes: &[RuleOutcome], rule: &str) -> usize {
    outcome(outcomes, rule)
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::Fail)
        .count()
}

fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow, no panic")
}

#[test]
fn ten_thousand_deep_nesting_is_read_without_recursion() {
    let outcomes = on_small_stack(|| {
        let mut html = String::from("<!doctype html><html lang=\"en\"><title>Deep</title><main>");
        html.push_str(&"<div>".repeat(DEPTH));
        html.push_str(r#"<a href="/deep"><img src="x.png"></a>"#);
        html.push_str(&"</div>".repeat(DEPTH));
        html.push_str("</main></html>");
        evaluate(html.as_bytes())
    });
    assert_eq!(fails(&outcomes, "image-alt"), 1, "the deep image is found");
    // Its link is reported too: failed, or, where the nesting past `MAX_DEPTH` was flattened
    // and the name computation's own depth bound reached, left undecided, never passed.
    assert_eq!(
        outcome(&outcomes, "link-name").issues.len(),
        1,
        "and so is its link"
    );
    let sel = &outcome(&outcomes, "image-alt").issues[0].selector;
    assert!(
        sel.ends_with("> img:nth-of-type(1)"),
        "{}",
        &sel[sel.len() - 40..]
    );
}

#[test]
fn deeply_nested_controls_and_hidden_regions_stay_bounded() {
    // Nesting past `MAX_DEPTH` is flattened there, as a browser's parser does: every button
    // is kept, and each counted.
    let outcomes = on_small_stack(|| {
        let mut html = String::from("<!doctype html><html lang=\"en\"><title>Deep</title><main>");
        html.push_str(&r#"<span role="button">"#.repeat(DEPTH));
        html.push_str(&"</span>".repeat(DEPTH));
        html.push_str("</main></html>");
        evaluate(html.as_bytes())
    });
    let buttons = outcome(&outcomes, "button-name");
    assert_eq!(buttons.checked, DEPTH);
    assert_eq!(buttons.issues.len(), MAX_ISSUES);
    assert_eq!(
        buttons.issues.len() + buttons.omitted,
        buttons.checked,
        "each empty button is counted"
    );
    // Nesting just under the bound is read whole.
    let outcomes = on_small_stack(|| {
        let deep = MAX_DEPTH - 8;
        let mut html = String::from("<!doctype html><html lang=\"en\"><title>Deep</title><main>");
        html.push_str(&r#"<div aria-hidden="true" role="list">"#.repeat(deep));
        html.push_str(r#"<a href="/x">x</a>"#);
        html.push_str(&"</div>".repeat(deep));
        html.push_str("</main></html>");
        evaluate(html.as_bytes())
    });
    assert_eq!(fails(&outcomes, "aria-hidden-focus"), 1);
}

#[test]
fn a_page_past_the_bound_is_cut_and_still_evaluated() {
    let mut html = String::from("<!doctype html><html lang=\"en\"><title>Big</title><main>");
    let row = r#"<p>Results <img src="r.png" alt="Result chart"> <a href="/r">more</a></p>"#;
    while html.len() < 5 * 1024 * 1024 {
        html.push_str(row);
    }
    let url = url::Url::parse("https://vendor.test/big").expect("url");
    let page = Page::parse(url, html.as_bytes(), Vec::new());
    assert!(page.truncated);
    let outcomes = rules::evaluate(&page);
    let images = outcome(&outcomes, "image-alt");
    assert!(images.checked > 1000 && images.checked < MAX_PAGE_BYTES / row.len() + 2);
    assert_eq!(fails(&outcomes, "image-alt"), 0);
    assert_eq!(fails(&outcomes, "link-name"), 0);
}

#[test]
fn invalid_utf8_and_unclosed_tags_are_read_as_a_browser_would() {
    let outcomes = evaluate(
        b"<!doctype html><html lang=\"en\"><title>Caf\xe9 \xff\xfe</title><main><p>Unclosed <b><i><a href=\"/a\">link\xc3<ul><li>one<li>two<table><tr><td>x<td>y<tr><td>z<img src=\"q\"",
    );
    assert_eq!(fails(&outcomes, "document-title"), 0, "a title, if mangled");
    assert_eq!(
        fails(&outcomes, "listitem"),
        0,
        "implied </li>s keep items in the list"
    );
    assert!(outcome(&outcomes, "link-name").checked >= 1);
    assert!(outcomes.iter().all(|o| o.issues.len() <= MAX_ISSUES));
}

#[test]
fn a_one_megabyte_attribute_is_read_and_shown_shortened() {
    // A megabyte (10^6 bytes): with its page around it, within the page bound of 1 MiB.
    let big = "x".repeat(1_000_000);
    // One page per attribute, each within the page bound.
    let cases = [
        (format!(r#"<p lang="{big}">a</p>"#), "valid-lang", 1),
        (format!(r#"<div role="{big}">b</div>"#), "aria-roles", 1),
        (
            format!(r#"<a href="/x" aria-label="{big}">c</a>"#),
            "link-name",
            0,
        ),
        (format!(r#"<img src="y" class="{big}">"#), "image-alt", 1),
        (
            format!(r#"<img src="y" alt="z" style="{big}">"#),
            "image-alt",
            0,
        ),
        (
            format!(r#"<table><tr><th>h</th></tr><tr><td headers="{big}">d</td></tr></table>"#),
            "td-headers-attr",
            1,
        ),
    ];
    for (body, rule, expected) in cases {
        let html = format!(
            r#"<!doctype html><html lang="en"><title>Big attribute</title><main>{body}</main></html>"#
        );
        let outcomes = evaluate(html.as_bytes());
        assert_eq!(fails(&outcomes, rule), expected, "{rule}");
        assert!(outcome(&outcomes, rule).checked >= 1, "{rule} applied");
        for o in &outcomes {
            for i in &o.issues {
                assert!(
                    i.snippet.chars().count() <= 160,
                    "{}: snippet shortened",
                    o.rule
                );
                assert!(i.message.len() < 4096, "{}: message bounded", o.rule);
            }
        }
    }
}

#[test]
fn an_empty_page_fails_the_page_wide_rules_only() {
    let outcomes = evaluate(b"");
    for rule in ["html-has-lang", "document-title", "bypass"] {
        assert_eq!(fails(&outcomes, rule), 1, "{rule}");
    }
    let others: usize = outcomes
        .iter()
        .filter(|o| !["html-has-lang", "document-title", "bypass"].contains(&o.rule.as_str()))
        .map(|o| o.issues.len())
        .sum();
    assert_eq!(others, 0);
    assert_eq!(
        outcome(&outcomes, "image-alt").checked,
        0,
        "not applicable, not passed"
    );
}
