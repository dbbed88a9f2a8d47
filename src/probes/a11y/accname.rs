//! The accessible name of an element, after Accessible Name and Description Computation 1.2
//! (and HTML-AAM for native sources), for the cases the static rules need: `aria-labelledby`
//! (one hop: a referenced element's own `aria-labelledby` is not followed), `aria-label`,
//! native labels (`label`, `alt`, `value`, `caption`, `legend`, `figcaption`, an SVG `title`),
//! name from content for the roles that allow it, and `title` last. Hidden content (the
//! `hidden` attribute, inline `display:none`, `aria-hidden`) is left out, except inside an
//! element `aria-labelledby` names, as the spec says. Content is walked without recursion and
//! within a budget; where CSS may supply the name (generated content, an icon font), the name
//! is marked as not decidable from the markup.

use scraper::ElementRef;

use super::dom::{Dom, input_type, tokens};

/// Most nodes read for one name; past it the name is marked [`AccName::cut`].
pub const MAX_NODES: usize = 2048;
/// Deepest descent into content for one name.
pub const MAX_DEPTH: usize = 256;
/// Longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 1024;

/// Where a name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `aria-labelledby`.
    LabelledBy,
    /// `aria-label`.
    AriaLabel,
    /// A `label` element (by `for` or wrapping the control).
    Label,
    /// A native attribute or element: `alt`, `value`, `caption`, `legend`, an SVG `title`…
    Native,
    /// The element's content.
    Content,
    /// The `title` attribute.
    Title,
    /// `placeholder`: a hint, which the rules do not take as a label.
    Placeholder,
    /// No name.
    None,
}

/// An element's accessible name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccName {
    /// The name, whitespace collapsed and trimmed.
    pub text: String,
    /// Where it came from ([`Source::None`] when empty).
    pub source: Source,
    /// CSS may add to the name (generated content on an element read for it): an empty name
    /// is then not decidable from the markup.
    pub css_dependent: bool,
    /// The content was longer or deeper than the budget and only partly read.
    pub cut: bool,
}

impl AccName {
    fn from(text: String, source: Source, content: &Content) -> AccName {
        let text = collapse(&text);
        let source = if text.is_empty() {
            Source::None
        } else {
            source
        };
        AccName {
            text,
            source,
            css_dependent: content.css_dependent,
            cut: content.cut,
        }
    }

    /// No name, and none that CSS or an unread part could add: a sure failure.
    pub fn surely_empty(&self) -> bool {
        self.text.is_empty() && !self.css_dependent && !self.cut
    }
}

/// Roles whose name may come from their content (WAI-ARIA 1.2 §5.2.8.4 "Roles Supporting Name
/// from Content").
const NAME_FROM_CONTENT: &[&str] = &[
    "button",
    "cell",
    "checkbox",
    "columnheader",
    "gridcell",
    "heading",
    "link",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "rowheader",
    "sectionhead",
    "switch",
    "tab",
    "tooltip",
    "treeitem",
];

/// Whether an element with `role` (explicit or implicit) is named from its content.
pub fn named_from_content(role: &str) -> bool {
    NAME_FROM_CONTENT.contains(&role)
}

/// The accessible name of `el`, whose role (explicit or implicit) is `role`.
pub fn name(dom: &Dom<'_>, el: ElementRef<'_>, role: &str) -> AccName {
    let mut content = Content::default();
    // Step 2B: aria-labelledby, each referenced element by its content (one hop).
    let refs: Vec<ElementRef> = tokens(el, "aria-labelledby")
        .filter_map(|id| dom.by_id(id))
        .collect();
    if !refs.is_empty() {
        let text: Vec<String> = refs
            .iter()
            .map(|r| match label_attr(*r, "aria-label") {
                Some(l) => l.to_string(),
                None => content.read(dom, *r, true),
            })
            .collect();
        let name = AccName::from(text.join(" "), Source::LabelledBy, &content);
        if !name.text.is_empty() {
            return name;
        }
    }
    // Step 2C: aria-label.
    if let Some(label) = label_attr(el, "aria-label") {
        return AccName::from(label.to_string(), Source::AriaLabel, &content);
    }
    // Step 2D: the host language's own label.
    let (native, source) = native_name(dom, el, &mut content);
    let name = AccName::from(native, source, &content);
    if !name.text.is_empty() {
        return name;
    }
    // Step 2F: name from content.
    if named_from_content(role) {
        let text = content.read(dom, el, false);
        let name = AccName::from(text, Source::Content, &content);
        if !name.text.is_empty() {
            return name;
        }
    }
    // Step 2I: the tooltip attribute, then (HTML-AAM) the placeholder.
    if let Some(t) = label_attr(el, "title") {
        return AccName::from(t.to_string(), Source::Title, &content);
    }
    if let Some(p) = label_attr(el, "placeholder").filter(|_| is_text_control(el)) {
        return AccName::from(p.to_string(), Source::Placeholder, &content);
    }
    AccName::from(String::new(), Source::None, &content)
}

/// The name `el`'s content gives, whatever its role (an `object`'s fallback content).
pub fn from_content(dom: &Dom<'_>, el: ElementRef<'_>) -> AccName {
    let mut content = Content::default();
    let text = content.read(dom, el, false);
    AccName::from(text, Source::Content, &content)
}

/// A non-blank attribute.
fn label_attr<'e>(el: ElementRef<'e>, attr: &str) -> Option<&'e str> {
    el.value().attr(attr).filter(|v| !v.trim().is_empty())
}

fn is_text_control(el: ElementRef<'_>) -> bool {
    match el.value().name() {
        "textarea" => true,
        "input" => !matches!(
            input_type(el).as_str(),
            "checkbox"
                | "radio"
                | "range"
                | "color"
                | "file"
                | "submit"
                | "reset"
                | "button"
                | "image"
                | "hidden"
        ),
        _ => false,
    }
}

/// Step 2D: names from the element's native markup (HTML-AAM §4.1).
fn native_name(dom: &Dom<'_>, el: ElementRef<'_>, content: &mut Content) -> (String, Source) {
    let v = el.value();
    let attr = |a: &str| label_attr(el, a).map(str::to_string);
    let child = |tag: &str| el.child_elements().find(|c| c.value().name() == tag);
    match v.name() {
        "img" | "area" => (attr("alt").unwrap_or_default(), Source::Native),
        "input" => match input_type(el).as_str() {
            "image" => (attr("alt").unwrap_or_default(), Source::Native),
            "submit" | "reset" => {
                // An absent value gives the button its default label; an empty one gives none.
                let default = if input_type(el) == "submit" {
                    "Submit"
                } else {
                    "Reset"
                };
                let value = v.attr("value").map_or(default, str::trim);
                (value.to_string(), Source::Native)
            }
            "button" => (attr("value").unwrap_or_default(), Source::Native),
            _ => (control_labels(dom, el, content), Source::Label),
        },
        "select" | "textarea" | "meter" | "progress" | "output" => {
            (control_labels(dom, el, content), Source::Label)
        }
        "button" => {
            let labels = control_labels(dom, el, content);
            if labels.trim().is_empty() {
                (String::new(), Source::Native)
            } else {
                (labels, Source::Label)
            }
        }
        "table" => named_by_child(dom, child("caption"), content),
        "fieldset" => named_by_child(dom, child("legend"), content),
        "figure" => named_by_child(dom, child("figcaption"), content),
        "svg" => named_by_child(dom, child("title"), content),
        "iframe" | "frame" => (String::new(), Source::Native),
        _ => (String::new(), Source::None),
    }
}

fn named_by_child(
    dom: &Dom<'_>,
    child: Option<ElementRef<'_>>,
    content: &mut Content,
) -> (String, Source) {
    match child {
        Some(c) => (content.read(dom, c, false), Source::Native),
        None => (String::new(), Source::Native),
    }
}

/// The text of the `label` elements of a labelable control: those whose `for` names its id,
/// and the one it sits in.
fn control_labels(dom: &Dom<'_>, el: ElementRef<'_>, content: &mut Content) -> String {
    let mut labels: Vec<ElementRef> = el
        .value()
        .id()
        .map(|id| dom.labels_for(id).to_vec())
        .unwrap_or_default();
    // A `for` that names another control does not label this one (the label is that one's).
    if let Some(wrap) = el
        .ancestors()
        .filter_map(ElementRef::wrap)
        .take(MAX_DEPTH)
        .find(|a| a.value().name() == "label")
        && wrap
            .value()
            .attr("for")
            .is_none_or(|f| Some(f) == el.value().id())
        && !labels.contains(&wrap)
    {
        labels.push(wrap);
    }
    let texts: Vec<String> = labels
        .iter()
        .map(|l| content.read_except(dom, *l, el))
        .collect();
    texts.join(" ")
}

/// Reads content for names, sharing one budget.
#[derive(Default)]
struct Content {
    nodes: usize,
    css_dependent: bool,
    cut: bool,
}

impl Content {
    /// The text of `root`'s content; `referenced` when `aria-labelledby` named it (its hidden
    /// content counts then).
    fn read(&mut self, dom: &Dom<'_>, root: ElementRef<'_>, referenced: bool) -> String {
        self.walk(dom, root, None, referenced)
    }

    /// The text of a `label`, leaving out the control it labels (whose value is not its name).
    fn read_except(
        &mut self,
        dom: &Dom<'_>,
        label: ElementRef<'_>,
        skip: ElementRef<'_>,
    ) -> String {
        self.walk(dom, label, Some(skip), false)
    }

    fn walk(
        &mut self,
        dom: &Dom<'_>,
        root: ElementRef<'_>,
        skip: Option<ElementRef<'_>>,
        referenced: bool,
    ) -> String {
        let mut out = String::new();
        if dom.may_generate_content(root) {
            self.css_dependent = true;
        }
        // Children are pushed in reverse so they pop in document order.
        let mut stack: Vec<Item> = root.children().rev().map(|c| Item::Node(c, 1)).collect();
        while let Some(item) = stack.pop() {
            let (node, depth) = match item {
                Item::Node(n, d) => (n, d),
                Item::Space => {
                    out.push(' ');
                    continue;
                }
            };
            self.nodes += 1;
            if self.nodes > MAX_NODES || out.len() > MAX_NAME_CHARS * 4 {
                self.cut = true;
                break;
            }
            if let Some(text) = node.value().as_text() {
                out.push_str(text);
                continue;
            }
            let Some(el) = ElementRef::wrap(node) else {
                continue;
            };
            if Some(el) == skip || (!referenced && dom.is_excluded(el)) {
                continue;
            }
            if dom.may_generate_content(el) {
                self.css_dependent = true;
            }
            let block = is_block(el);
            if block {
                out.push(' ');
            }
            if let Some(l) = label_attr(el, "aria-label") {
                out.push_str(l);
                out.push(' ');
                continue;
            }
            match el.value().name() {
                "img" | "area" => {
                    if let Some(a) = label_attr(el, "alt").or_else(|| label_attr(el, "title")) {
                        out.push_str(a);
                    }
                    continue;
                }
                "input" => {
                    let t = input_type(el);
                    let alt = match t.as_str() {
                        "image" => label_attr(el, "alt"),
                        "checkbox" | "radio" | "file" | "hidden" => None,
                        _ => label_attr(el, "value"),
                    };
                    if let Some(a) = alt {
                        out.push_str(a);
                    }
                    continue;
                }
                "svg" => {
                    if let Some(t) = el.child_elements().find(|c| c.value().name() == "title") {
                        out.extend(t.text());
                    }
                    continue;
                }
                "select" | "textarea" | "script" | "style" | "template" => continue,
                _ => {}
            }
            if depth >= MAX_DEPTH {
                self.cut = true;
                continue;
            }
            if block {
                stack.push(Item::Space);
            }
            stack.extend(el.children().rev().map(|c| Item::Node(c, depth + 1)));
        }
        out
    }
}

/// What is left to read of a name's content: a node at a depth, or the space after a block.
enum Item<'a> {
    Node(ego_tree::NodeRef<'a, scraper::Node>, usize),
    Space,
}

/// Elements whose content is set apart from its neighbours' in a name.
fn is_block(el: ElementRef<'_>) -> bool {
    matches!(
        el.value().name(),
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "td"
            | "th"
            | "tr"
            | "table"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "label"
            | "legend"
            | "figcaption"
            | "dt"
            | "dd"
    )
}

/// Whitespace collapsed to single spaces, trimmed, cut to [`MAX_NAME_CHARS`].
fn collapse(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    super::issue::shorten(&joined, MAX_NAME_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::a11y::page::Page;

    fn names(html: &str, ids: &[&str], role: &str) -> Vec<AccName> {
        let page = Page::parse(
            url::Url::parse("https://vendor.test/").expect("url"),
            html.as_bytes(),
            Vec::new(),
        );
        let dom = Dom::new(&page);
        ids.iter()
            .map(|id| name(&dom, dom.by_id(id).expect("element"), role))
            .collect()
    }

    #[test]
    fn labelledby_comes_first_joins_its_targets_and_reads_their_hidden_content() {
        let n = names(
            r#"<a id="a" href="/" aria-labelledby="t1 t2" aria-label="ignored">content</a><span id="t1">Book</span><span id="t2" hidden>a visit</span>"#,
            &["a"],
            "link",
        );
        assert_eq!(n[0].text, "Book a visit");
        assert_eq!(n[0].source, Source::LabelledBy);
    }

    #[test]
    fn labelledby_is_one_hop_and_content_skips_hidden_parts() {
        let n = names(
            r#"<button id="b" aria-labelledby="l"></button><span id="l" aria-labelledby="x">Outer</span><span id="x">Inner</span>
            <a id="c" href="/">Visit<span hidden> secret</span><span aria-hidden="true">★</span><img src="i" alt=" notes"></a>
            <a id="d" href="/"><div>Lab</div><div>results</div></a>"#,
            &["b", "c", "d"],
            "link",
        );
        assert_eq!(n[0].text, "Outer");
        assert_eq!(n[1].text, "Visit notes");
        assert_eq!(n[2].text, "Lab results", "blocks are set apart");
    }

    #[test]
    fn native_labels_and_the_last_resorts() {
        let n = names(
            r#"<label for="i">Name</label><input id="i" value="typed"><input id="p" placeholder="Postal code"><input id="t" title="Phone" placeholder="555"><table id="tb"><caption>Visits</caption></table>"#,
            &["i", "p", "t", "tb"],
            "textbox",
        );
        let got: Vec<(&str, Source)> = n.iter().map(|a| (a.text.as_str(), a.source)).collect();
        assert_eq!(
            got,
            [
                ("Name", Source::Label),
                ("Postal code", Source::Placeholder),
                ("Phone", Source::Title),
                ("Visits", Source::Native)
            ]
        );
    }

    #[test]
    fn content_past_the_budget_is_cut_and_so_not_a_sure_failure() {
        let html = format!(
            r#"<a id="a" href="/">{}</a>"#,
            "<span></span>".repeat(MAX_NODES + 10)
        );
        let n = names(&html, &["a"], "link");
        assert!(n[0].text.is_empty() && n[0].cut && !n[0].surely_empty());
    }
}
