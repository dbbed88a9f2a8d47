//! What a rule says about one element: a failure, or a question only a reviewer (or the
//! rendered page) can answer; each names the element by a CSS selector and shows it shortened.

use scraper::ElementRef;
use serde::Serialize;

/// Whether an element fails a rule or is left undecided by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// The element fails the rule: its criteria are not met.
    Fail,
    /// The rule could not decide (a colour it cannot compute, a script-built name): the
    /// criterion is left to a reviewer for this element, never passed.
    Undecided,
}

/// One element a rule fails or cannot decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub kind: IssueKind,
    /// A CSS selector that finds the element in the page ([`selector`]).
    pub selector: String,
    /// The element's start tag, shortened ([`snippet`]).
    pub snippet: String,
    /// What is wrong with this element, or why it is undecided.
    pub message: String,
}

/// Longest snippet kept, in characters.
pub const SNIPPET_CHARS: usize = 160;

/// A selector that finds `el` alone: its `#id` when that id is unique in the page, else the
/// path from the nearest ancestor with a unique id (or `html`) by `tag:nth-of-type(n)`.
pub fn selector(el: ElementRef<'_>) -> String {
    let unique_id = |e: ElementRef<'_>| -> Option<String> {
        let id = e.value().id()?;
        if id.is_empty() || !css_ident(id) {
            return None;
        }
        let root = e
            .ancestors()
            .filter_map(ElementRef::wrap)
            .last()
            .unwrap_or(e);
        let count = std::iter::once(root)
            .chain(root.descendants().filter_map(ElementRef::wrap))
            .filter(|d| d.value().id() == Some(id))
            .count();
        (count == 1).then(|| format!("#{id}"))
    };
    let mut parts = Vec::new();
    let mut at = Some(el);
    while let Some(e) = at {
        if let Some(id) = unique_id(e) {
            parts.push(id);
            break;
        }
        let name = e.value().name();
        let parent = e.parent().and_then(ElementRef::wrap);
        match parent {
            None => {
                parts.push(name.to_string());
                break;
            }
            Some(p) => {
                let nth = p
                    .children()
                    .filter_map(ElementRef::wrap)
                    .filter(|s| s.value().name() == name)
                    .position(|s| s.id() == e.id())
                    .map_or(1, |i| i + 1);
                parts.push(format!("{name}:nth-of-type({nth})"));
            }
        }
        at = parent;
    }
    parts.reverse();
    parts.join(" > ")
}

/// Whether `id` can be written as `#id` without escaping.
fn css_ident(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || !c.is_ascii())
        && chars.all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii())
}

/// `el`'s start tag (its attributes as written, values escaped), shortened to
/// [`SNIPPET_CHARS`] with `…`; its content is not shown (it may be large, or deep).
pub fn snippet(el: ElementRef<'_>) -> String {
    let v = el.value();
    let mut s = format!("<{}", v.name());
    for (k, val) in v.attrs() {
        s.push(' ');
        s.push_str(k);
        s.push_str("=\"");
        s.push_str(&html_escape::encode_double_quoted_attribute(val));
        s.push('"');
    }
    s.push('>');
    shorten(&s, SNIPPET_CHARS)
}

/// `s` cut to `max` characters, ending in `…` when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn first<'a>(doc: &'a Html, css: &str) -> ElementRef<'a> {
        let sel = Selector::parse(css).expect("test selector");
        doc.select(&sel).next().expect("the element")
    }

    #[test]
    fn a_selector_finds_the_element_it_was_made_for_and_no_other() {
        let doc = Html::parse_document(
            r#"<main id="m"><p>a</p><p><img src="x"><img src="y"></p></main><div id="d"></div><div id="d"></div>"#,
        );
        let img = first(&doc, r#"img[src="y"]"#);
        let sel = selector(img);
        assert_eq!(sel, "#m > p:nth-of-type(2) > img:nth-of-type(2)");
        let found: Vec<_> = doc
            .select(&Selector::parse(&sel).expect("a valid selector"))
            .collect();
        assert_eq!(found, vec![img]);
        let dup = first(&doc, "div");
        assert_eq!(
            selector(dup),
            "html > body:nth-of-type(1) > div:nth-of-type(1)",
            "a duplicate id does not name an element"
        );
    }

    #[test]
    fn a_snippet_is_the_start_tag_shortened() {
        let doc = Html::parse_document(&format!(
            r#"<a href="/x" title="{}">text</a>"#,
            "t".repeat(300)
        ));
        let s = snippet(first(&doc, "a"));
        assert!(s.starts_with(r#"<a href="/x" title="ttt"#), "{s}");
        assert_eq!(s.chars().count(), SNIPPET_CHARS);
        assert!(s.ends_with('…'));
    }
}
