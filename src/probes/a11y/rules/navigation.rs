//! Finding one's way: a way past repeated blocks (2.4.1), a page title (2.4.2), no focus order
//! forced by positive `tabindex` (2.4.3), and titled frames (2.4.1, 4.1.2).

use scraper::ElementRef;

use super::names::require_name;
use super::roles::explicit_role;
use super::{Rule, RuleRun};
use crate::probes::a11y::accname;
use crate::probes::a11y::dom::Dom;
use crate::probes::a11y::page::Page;

/// The page has a skip link to an existing target, a main landmark or headings.
pub static BYPASS: Rule = Rule {
    id: "bypass",
    criteria: &["2.4.1"],
    help: "Page must have means to bypass repeated blocks",
    run: bypass,
};

/// The page has a real title.
pub static DOCUMENT_TITLE: Rule = Rule {
    id: "document-title",
    criteria: &["2.4.2"],
    help: "Documents must have a <title> element to aid in navigation",
    run: document_title,
};

/// No `tabindex` above 0.
pub static TABINDEX: Rule = Rule {
    id: "tabindex",
    criteria: &["2.4.3"],
    help: "Elements should not have tabindex greater than zero",
    run: tabindex,
};

/// `iframe` and `frame` elements have a title.
pub static FRAME_TITLE: Rule = Rule {
    id: "frame-title",
    criteria: &["2.4.1", "4.1.2"],
    help: "Frames must have an accessible name",
    run: frame_title,
};

/// How many of the first focusable elements may hold the skip link.
const SKIP_LINK_WITHIN: usize = 3;

fn root<'a>(dom: &Dom<'a>) -> ElementRef<'a> {
    dom.doc.root_element()
}

fn bypass(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    run.checked += 1;
    let main = dom.elements().any(|e| {
        !dom.is_excluded(e)
            && (e.value().name() == "main" && e.value().attr("role").is_none()
                || explicit_role(e).as_deref() == Some("main"))
    });
    let heading = dom.elements().any(|e| {
        !dom.is_excluded(e)
            && (matches!(e.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                || explicit_role(e).as_deref() == Some("heading"))
    });
    let skip = dom
        .elements()
        .filter(|e| dom.is_tabbable(*e))
        .take(SKIP_LINK_WITHIN)
        .any(|e| {
            e.value()
                .attr("href")
                .and_then(|h| h.strip_prefix('#'))
                .filter(|t| !t.is_empty())
                .is_some_and(|t| {
                    dom.by_id(t).is_some()
                        || dom.tagged("a").any(|a| a.value().attr("name") == Some(t))
                })
        });
    if !(main || heading || skip) {
        run.fail(
            root(&dom),
            "no skip link to an existing target, no main landmark and no headings",
        );
    }
}

/// Titles that say nothing about the page: editor defaults and file names.
const PLACEHOLDER_TITLES: &[&str] = &[
    "untitled",
    "untitled document",
    "untitled page",
    "new page",
    "new document",
    "document",
    "page",
    "index",
    "title",
    "my title",
    "test",
];

fn placeholder_title(title: &str) -> bool {
    let t = title.trim().to_ascii_lowercase();
    let file_name = t.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && !stem.contains(' ')
            && matches!(ext, "html" | "htm" | "php" | "asp" | "aspx" | "jsp" | "cfm")
    });
    PLACEHOLDER_TITLES.contains(&t.as_str()) || file_name
}

fn document_title(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    run.checked += 1;
    // The document's title is its first `title` outside SVG.
    let Some(title) = dom.tagged("title").find(|t| {
        !t.ancestors()
            .filter_map(ElementRef::wrap)
            .any(|a| a.value().name() == "svg")
    }) else {
        run.fail(root(&dom), "the page has no <title>");
        return;
    };
    let text: String = title.text().collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        run.fail(title, "the <title> is empty");
    } else if placeholder_title(&text) {
        run.fail(title, format!("\"{text}\" is a placeholder, not a title"));
    }
}

fn tabindex(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for el in dom
        .elements()
        .filter(|e| e.value().attr("tabindex").is_some())
    {
        run.checked += 1;
        let value = el.value().attr("tabindex").unwrap_or_default().trim();
        if value.parse::<i64>().is_ok_and(|t| t > 0) {
            run.fail(
                el,
                format!("tabindex={value} puts it ahead of the page's order"),
            );
        }
    }
}

fn frame_title(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    for frame in dom.elements().filter(|e| {
        matches!(e.value().name(), "iframe" | "frame")
            && !dom.is_excluded(*e)
            && !matches!(explicit_role(*e).as_deref(), Some("presentation" | "none"))
    }) {
        run.checked += 1;
        let name = accname::name(&dom, frame, "document");
        require_name(run, frame, &name, "the frame");
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn bypass_takes_a_skip_link_a_main_or_headings() {
        assert_eq!(
            failed(&run(&BYPASS, r#"<div><a href="/a">a</a></div>"#)),
            ["html"]
        );
        assert!(
            failed(&run(
                &BYPASS,
                r##"<a href="#c">Skip</a><div id="c"></div>"##
            ))
            .is_empty()
        );
        assert_eq!(
            failed(&run(&BYPASS, r##"<a href="#gone">Skip</a><div></div>"##)),
            ["html"]
        );
        assert!(failed(&run(&BYPASS, r#"<div role="main"></div>"#)).is_empty());
        assert!(failed(&run(&BYPASS, r#"<h2>Section</h2>"#)).is_empty());
    }

    #[test]
    fn titles_must_be_real() {
        let t = |title: &str| failed(&run(&DOCUMENT_TITLE, &format!("<title>{title}</title>")));
        assert!(t("Appointments – Clinic portal").is_empty());
        assert_eq!(
            t("Untitled"),
            ["html > head:nth-of-type(1) > title:nth-of-type(1)"]
        );
        assert_eq!(t("visit.html").len(), 1);
        assert_eq!(t("  ").len(), 1);
        assert_eq!(failed(&run(&DOCUMENT_TITLE, "<p>x</p>")), ["html"]);
    }

    #[test]
    fn positive_tabindex_fails_and_frames_need_titles() {
        let r = run(
            &TABINDEX,
            r#"<div id="a" tabindex="0"></div><a id="b" href="/" tabindex="3">x</a><span id="c" tabindex="-1"></span>"#,
        );
        assert_eq!((r.checked, failed(&r)), (3, vec!["#b".to_string()]));
        let r = run(
            &FRAME_TITLE,
            r#"<iframe id="a" src="/x"></iframe><iframe id="b" src="/y" title="Video call"></iframe><iframe id="c" title=" "></iframe>"#,
        );
        assert_eq!(failed(&r), ["#a", "#c"]);
    }
}
