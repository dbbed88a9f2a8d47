//! What the rules ask of a parsed page besides its markup: which elements are hidden, which
//! are focusable, ids and labels by name, and which elements the page's CSS may give generated
//! content. Built in passes over the document, without recursion.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use super::page::Page;

/// A page's elements indexed for the rules. What only names need (ids, labels, the CSS that
/// may generate content) is built on first use, so that rules which never ask do not pay.
pub struct Dom<'a> {
    /// The parsed page.
    pub doc: &'a Html,
    page: &'a Page,
    /// Elements not rendered: `hidden`, inline `display:none` / `visibility:hidden`, the
    /// content of `head`, `script`, `style`, `template`, and everything inside them.
    hidden: HashSet<NodeId>,
    /// Elements inside (or being) an `aria-hidden="true"` element.
    aria_hidden: HashSet<NodeId>,
    refs: OnceCell<Refs<'a>>,
    css: OnceCell<GeneratedContent>,
}

/// Elements by the names references use.
struct Refs<'a> {
    /// The first element with each id, as `getElementById` finds it.
    ids: HashMap<&'a str, ElementRef<'a>>,
    /// `label[for]` elements by the id they name.
    labels_for: HashMap<&'a str, Vec<ElementRef<'a>>>,
}

/// What the page's CSS says about generated content.
struct GeneratedContent {
    /// Selectors (pseudo-element cut off) of `::before`/`::after` rules that set `content`.
    selectors: Vec<Selector>,
    /// Some CSS could not be read for generated content (a selector that does not parse, a
    /// linked stylesheet that was not fetched): an empty element with a class may get some.
    unknown: bool,
}

impl<'a> Dom<'a> {
    /// Indexes `page`.
    pub fn new(page: &'a Page) -> Dom<'a> {
        let doc = &page.doc;
        let mut hidden = HashSet::new();
        let mut aria_hidden = HashSet::new();
        // Pre-order: a parent is always seen before its children.
        for el in doc.root_element().descendent_elements() {
            // The nearest element above: a `template`'s content hangs from a fragment node.
            let parent = el
                .ancestors()
                .find(|a| a.value().is_element())
                .map(|p| p.id());
            if parent.is_some_and(|p| hidden.contains(&p)) || hides(el) {
                hidden.insert(el.id());
            }
            if parent.is_some_and(|p| aria_hidden.contains(&p))
                || el
                    .value()
                    .attr("aria-hidden")
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
            {
                aria_hidden.insert(el.id());
            }
        }
        Dom {
            doc,
            page,
            hidden,
            aria_hidden,
            refs: OnceCell::new(),
            css: OnceCell::new(),
        }
    }

    fn refs(&self) -> &Refs<'a> {
        self.refs.get_or_init(|| {
            let mut ids = HashMap::new();
            let mut labels_for: HashMap<&str, Vec<ElementRef>> = HashMap::new();
            for el in self.elements() {
                let v = el.value();
                if let Some(id) = v.id().filter(|i| !i.is_empty()) {
                    ids.entry(id).or_insert(el);
                }
                if v.name() == "label"
                    && let Some(f) = v.attr("for").filter(|f| !f.is_empty())
                {
                    labels_for.entry(f).or_default().push(el);
                }
            }
            Refs { ids, labels_for }
        })
    }

    fn css(&self) -> &GeneratedContent {
        self.css.get_or_init(|| {
            let mut css = String::new();
            for style in self.tagged("style") {
                if css.len() >= super::page::MAX_STYLESHEET_BYTES {
                    break;
                }
                css.extend(style.text());
                css.push('\n');
            }
            for sheet in &self.page.sheets {
                css.push_str(&sheet.text);
                css.push('\n');
            }
            let (selectors, unparsed) = generated_content_selectors(&css);
            let unfetched =
                Page::linked_stylesheets(self.doc, &self.page.url).len() > self.page.sheets.len();
            GeneratedContent {
                selectors,
                unknown: unparsed || unfetched,
            }
        })
    }

    /// Every element, in document order.
    pub fn elements(&self) -> impl Iterator<Item = ElementRef<'a>> + use<'a> {
        self.doc.root_element().descendent_elements()
    }

    /// The elements of tag `name`, in document order.
    pub fn tagged(&self, name: &'static str) -> impl Iterator<Item = ElementRef<'a>> + use<'a> {
        self.elements().filter(move |e| e.value().name() == name)
    }

    /// `el` is not rendered (nor is it in the accessibility tree).
    pub fn is_hidden(&self, el: ElementRef<'_>) -> bool {
        self.hidden.contains(&el.id())
    }

    /// `el` is `aria-hidden="true"` or inside such an element.
    pub fn is_aria_hidden(&self, el: ElementRef<'_>) -> bool {
        self.aria_hidden.contains(&el.id())
    }

    /// Hidden from assistive technology one way or the other.
    pub fn is_excluded(&self, el: ElementRef<'_>) -> bool {
        self.is_hidden(el) || self.is_aria_hidden(el)
    }

    /// The element with id `id`.
    pub fn by_id(&self, id: &str) -> Option<ElementRef<'a>> {
        self.refs().ids.get(id).copied()
    }

    /// The `label` elements whose `for` is `id`.
    pub fn labels_for(&self, id: &str) -> &[ElementRef<'a>] {
        self.refs().labels_for.get(id).map_or(&[], Vec::as_slice)
    }

    /// Whether CSS may give `el` generated (`::before`/`::after`) content.
    pub fn may_generate_content(&self, el: ElementRef<'_>) -> bool {
        let css = self.css();
        css.selectors.iter().any(|s| s.matches(&el))
            || (css.unknown
                && el
                    .value()
                    .attr("class")
                    .is_some_and(|c| !c.trim().is_empty()))
    }

    /// `el` takes keyboard focus in the tab order (a native control or link, or `tabindex` ≥ 0),
    /// and is rendered and enabled.
    pub fn is_tabbable(&self, el: ElementRef<'_>) -> bool {
        if self.is_hidden(el) || el.value().attr("disabled").is_some() && disableable(el) {
            return false;
        }
        match el.value().attr("tabindex").map(|t| t.trim().parse::<i64>()) {
            Some(Ok(t)) => t >= 0,
            _ => natively_focusable(el),
        }
    }
}

/// `el` itself takes its subtree out of rendering.
fn hides(el: ElementRef<'_>) -> bool {
    let v = el.value();
    if matches!(
        v.name(),
        "head" | "script" | "style" | "template" | "noscript"
    ) || v.attr("hidden").is_some()
    {
        return true;
    }
    if v.name() == "input"
        && v.attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden"))
    {
        return true;
    }
    v.attr("style").is_some_and(|s| {
        declarations(s).any(|(p, val)| {
            (p == "display" && val == "none")
                || (p == "visibility" && (val == "hidden" || val == "collapse"))
        })
    })
}

/// The `property: value` pairs of a declaration block, lowercased, `!important` dropped.
pub fn declarations(block: &str) -> impl Iterator<Item = (String, String)> + '_ {
    block.split(';').filter_map(|d| {
        let (p, v) = d.split_once(':')?;
        let v = v.trim().to_ascii_lowercase();
        let v = v.trim_end_matches("!important").trim().to_string();
        Some((p.trim().to_ascii_lowercase(), v))
    })
}

/// Elements that take focus without `tabindex`.
fn natively_focusable(el: ElementRef<'_>) -> bool {
    let v = el.value();
    match v.name() {
        "a" | "area" => v.attr("href").is_some(),
        "button" | "select" | "textarea" | "iframe" | "summary" => true,
        "input" => !v
            .attr("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")),
        "audio" | "video" => v.attr("controls").is_some(),
        _ => v
            .attr("contenteditable")
            .is_some_and(|c| !c.trim().eq_ignore_ascii_case("false")),
    }
}

/// Elements the `disabled` attribute applies to.
fn disableable(el: ElementRef<'_>) -> bool {
    matches!(
        el.value().name(),
        "button" | "input" | "select" | "textarea" | "fieldset" | "optgroup" | "option"
    )
}

/// Largest CSS text scanned for generated content.
const MAX_CSS_SCAN: usize = 1024 * 1024;

/// The selectors of `css` rules on `::before`/`::after` that set a `content` other than
/// `none`/`normal`/`""`, with the pseudo-element removed; and whether some such selector could
/// not be parsed (then any element may get content). A flat scan: at-rule preludes are skipped
/// and their blocks read as if top level, which is what matters here.
fn generated_content_selectors(css: &str) -> (Vec<Selector>, bool) {
    let css = strip_comments(&css[..floor_char_boundary(css, MAX_CSS_SCAN)]);
    let mut found = Vec::new();
    let mut unparsed = false;
    let mut prelude_start = 0;
    let bytes = css.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                let prelude = css[prelude_start..i].trim();
                let end = css[i + 1..]
                    .find(['{', '}'])
                    .map_or(css.len(), |e| i + 1 + e);
                if css.as_bytes().get(end) == Some(&b'{') {
                    // An at-rule's (or nested) prelude: its block is read next.
                    prelude_start = i + 1;
                    i += 1;
                    continue;
                }
                let block = &css[i + 1..end];
                if sets_content(block) {
                    for sel in prelude.split(',') {
                        let lower = sel.to_ascii_lowercase();
                        let Some(cut) = [":before", ":after"]
                            .iter()
                            .filter_map(|p| lower.find(p))
                            .min()
                        else {
                            continue;
                        };
                        let base = sel[..cut].trim_end_matches(':').trim();
                        let base = if base.is_empty() { "*" } else { base };
                        match Selector::parse(base) {
                            Ok(s) => found.push(s),
                            Err(_) => unparsed = true,
                        }
                    }
                }
                prelude_start = end + 1;
                i = end + 1;
            }
            b'}' | b';' => {
                prelude_start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    (found, unparsed)
}

/// A declaration block sets visible generated content.
fn sets_content(block: &str) -> bool {
    declarations(block)
        .any(|(p, v)| p == "content" && !matches!(v.as_str(), "none" | "normal" | "\"\"" | "''"))
}

fn strip_comments(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .find("*/")
            .map_or("", |e| &rest[start + 2 + e + 2..]);
    }
    out.push_str(rest);
    out
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// The whitespace-separated tokens of an attribute (`aria-labelledby`, `headers`, `role`).
pub fn tokens<'e>(el: ElementRef<'e>, attr: &str) -> impl Iterator<Item = &'e str> + use<'e> {
    el.value()
        .attr(attr)
        .unwrap_or_default()
        .split_ascii_whitespace()
}

/// `el`'s `type` attribute, lowercased (`text` when absent, as for `input`).
pub fn input_type(el: ElementRef<'_>) -> String {
    el.value()
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Page {
        Page::parse(
            url::Url::parse("https://vendor.test/").expect("url"),
            html.as_bytes(),
            Vec::new(),
        )
    }

    fn el<'a>(dom: &Dom<'a>, id: &str) -> ElementRef<'a> {
        dom.by_id(id).expect("the element")
    }

    #[test]
    fn hidden_reaches_the_whole_subtree_and_aria_hidden_is_apart() {
        let p = page(
            r#"<div hidden><span id="a"></span></div><p style="display: none !important"><b id="b"></b></p><div aria-hidden="true"><a id="c" href="/"></a></div><p id="d"></p>"#,
        );
        let d = Dom::new(&p);
        assert!(d.is_hidden(el(&d, "a")));
        assert!(d.is_hidden(el(&d, "b")));
        assert!(!d.is_hidden(el(&d, "c")) && d.is_aria_hidden(el(&d, "c")));
        assert!(!d.is_excluded(el(&d, "d")));
    }

    #[test]
    fn tabbable_follows_tabindex_native_focus_and_disabled() {
        let p = page(
            r#"<a id="a" href="/">x</a><a id="b">x</a><div id="c" tabindex="0"></div><button id="d" tabindex="-1"></button><button id="e" disabled></button><input id="f" type="hidden">"#,
        );
        let d = Dom::new(&p);
        let t: Vec<bool> = ["a", "b", "c", "d", "e", "f"]
            .iter()
            .map(|i| d.is_tabbable(el(&d, i)))
            .collect();
        assert_eq!(t, [true, false, true, false, false, false]);
    }

    #[test]
    fn generated_content_comes_from_before_and_after_rules_that_set_content() {
        let (sels, unparsed) = generated_content_selectors(
            "/* c */ @media screen { .icon-home::before { content: \"\\e900\" } } .x:after{content:none} a.y:before, b { color: red; content: 'z' }",
        );
        assert!(!unparsed);
        let doc = Html::parse_fragment(
            r#"<i class="icon-home"></i><i class="x"></i><a class="y"></a><b></b>"#,
        );
        let matched: Vec<&str> = doc
            .root_element()
            .descendent_elements()
            .filter(|e| sels.iter().any(|s| s.matches(e)))
            .map(|e| e.value().name())
            .collect();
        assert_eq!(matched, ["i", "a"]);
    }
}
