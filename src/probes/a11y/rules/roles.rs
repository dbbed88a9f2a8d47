//! The WAI-ARIA 1.2 facts the rules check, kept small: the roles (§5.4 Definition of Roles,
//! with DPUB-ARIA 1.0 and Graphics-ARIA 1.0 roles), the abstract ones authors must not use
//! (§5.3.2), the global states and properties (§6.4), the roles each other attribute is
//! supported on (§6.6, the "Used in Roles" and inherited entries), required states (each role's
//! "Required States and Properties"), required owned elements and required context roles; and
//! the implicit roles of HTML elements (HTML-AAM / ARIA in HTML). No maintained Rust crate
//! carries these tables (the one port of aria-query is a 0.0.x release), hence this one.

use scraper::ElementRef;

use crate::probes::a11y::dom::{input_type, tokens};

/// Roles an author may use.
const ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
    "graphics-document",
    "graphics-object",
    "graphics-symbol",
    "doc-abstract",
    "doc-acknowledgments",
    "doc-afterword",
    "doc-appendix",
    "doc-backlink",
    "doc-biblioentry",
    "doc-bibliography",
    "doc-biblioref",
    "doc-chapter",
    "doc-colophon",
    "doc-conclusion",
    "doc-cover",
    "doc-credit",
    "doc-credits",
    "doc-dedication",
    "doc-endnote",
    "doc-endnotes",
    "doc-epigraph",
    "doc-epilogue",
    "doc-errata",
    "doc-example",
    "doc-footnote",
    "doc-foreword",
    "doc-glossary",
    "doc-glossref",
    "doc-index",
    "doc-introduction",
    "doc-noteref",
    "doc-notice",
    "doc-pagebreak",
    "doc-pagelist",
    "doc-part",
    "doc-preface",
    "doc-prologue",
    "doc-pullquote",
    "doc-qna",
    "doc-subtitle",
    "doc-tip",
    "doc-toc",
];

/// Abstract roles: defined, but not for authors.
const ABSTRACT: &[&str] = &[
    "command",
    "composite",
    "input",
    "landmark",
    "range",
    "roletype",
    "section",
    "sectionhead",
    "select",
    "structure",
    "widget",
    "window",
];

/// What a `role` token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleKind {
    /// A role authors may use.
    Concrete,
    /// An abstract role (§5.3.2), for the spec's own taxonomy only.
    Abstract,
    /// Not a WAI-ARIA role.
    Unknown,
}

/// Whether `role` (lowercase) is a role an author may use, an abstract one, or none.
pub fn role_kind(role: &str) -> RoleKind {
    if ROLES.contains(&role) {
        RoleKind::Concrete
    } else if ABSTRACT.contains(&role) {
        RoleKind::Abstract
    } else {
        RoleKind::Unknown
    }
}

/// `el`'s explicit role: the first of its `role` tokens that is a concrete role (§7.1 fallback).
pub fn explicit_role(el: ElementRef<'_>) -> Option<String> {
    tokens(el, "role")
        .map(str::to_ascii_lowercase)
        .find(|r| role_kind(r) == RoleKind::Concrete)
}

/// `el`'s role: explicit, else implicit ([`implicit_role`]).
pub fn role(el: ElementRef<'_>) -> Option<String> {
    explicit_role(el).or_else(|| implicit_role(el).map(str::to_string))
}

/// The implicit ARIA role of the HTML elements the rules meet (ARIA in HTML §4); `None` for
/// those without one (or whose role depends on what is not checked here).
pub fn implicit_role(el: ElementRef<'_>) -> Option<&'static str> {
    let v = el.value();
    Some(match v.name() {
        "a" | "area" if v.attr("href").is_some() => "link",
        "article" => "article",
        "aside" => "complementary",
        "button" | "summary" => "button",
        "datalist" => "listbox",
        "dd" => "definition",
        "dfn" | "dt" => "term",
        "dialog" => "dialog",
        "fieldset" | "optgroup" | "details" => "group",
        "figure" => "figure",
        "form" => "form",
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "heading",
        "hr" => "separator",
        "img" if v.attr("alt") == Some("") => "presentation",
        "img" => "img",
        "input" => match input_type(el).as_str() {
            "button" | "image" | "reset" | "submit" => "button",
            "checkbox" => "checkbox",
            "radio" => "radio",
            "range" => "slider",
            "number" => "spinbutton",
            "search" => "searchbox",
            "email" | "tel" | "text" | "url" => "textbox",
            _ => return None,
        },
        // An item is a list item only in a list; elsewhere (a `ul role=menu`) it is generic.
        "li" => match el.parent().and_then(ElementRef::wrap) {
            Some(p)
                if explicit_role(p).as_deref() == Some("list")
                    || (matches!(p.value().name(), "ul" | "ol" | "menu")
                        && p.value().attr("role").is_none()) =>
            {
                "listitem"
            }
            _ => "generic",
        },
        "main" => "main",
        "menu" | "ol" | "ul" => "list",
        "meter" => "meter",
        "nav" => "navigation",
        "option" => "option",
        "progress" => "progressbar",
        "select" if v.attr("multiple").is_some() => "listbox",
        "select" => "combobox",
        "table" => "table",
        "tbody" | "thead" | "tfoot" => "rowgroup",
        "td" if in_interactive_table(el) => "gridcell",
        "td" => "cell",
        "textarea" => "textbox",
        "th" if v
            .attr("scope")
            .is_some_and(|s| s.eq_ignore_ascii_case("row")) =>
        {
            "rowheader"
        }
        "th" => "columnheader",
        "tr" => "row",
        "div" | "span" | "b" | "i" | "u" | "small" | "bdi" | "bdo" | "data" | "pre" | "q"
        | "samp" | "header" | "footer" | "section" => "generic",
        _ => return None,
    })
}

/// `cell` sits in a table made a `grid` or `treegrid`, where its cells are grid cells.
fn in_interactive_table(cell: ElementRef<'_>) -> bool {
    cell.ancestors()
        .filter_map(ElementRef::wrap)
        .take(TABLE_DEPTH)
        .find(|a| a.value().name() == "table")
        .is_some_and(|t| matches!(explicit_role(t).as_deref(), Some("grid" | "treegrid")))
}

/// How far up a cell's table is looked for (cell, row, row group, table).
const TABLE_DEPTH: usize = 4;

/// Roles that only group or carry no semantics: looked through when finding owned elements
/// and context.
pub fn is_transparent(role: Option<&str>) -> bool {
    matches!(role, None | Some("generic" | "none" | "presentation"))
}

/// Global states and properties (§6.4), allowed on every role, with the ARIA 1.3 ones axe-core
/// also accepts.
const GLOBAL: &[&str] = &[
    "aria-atomic",
    "aria-braillelabel",
    "aria-brailleroledescription",
    "aria-busy",
    "aria-controls",
    "aria-current",
    "aria-describedby",
    "aria-description",
    "aria-details",
    "aria-disabled",
    "aria-dropeffect",
    "aria-errormessage",
    "aria-flowto",
    "aria-grabbed",
    "aria-haspopup",
    "aria-hidden",
    "aria-invalid",
    "aria-keyshortcuts",
    "aria-label",
    "aria-labelledby",
    "aria-live",
    "aria-owns",
    "aria-relevant",
    "aria-roledescription",
];

const RANGE: &[&str] = &[
    "meter",
    "progressbar",
    "scrollbar",
    "separator",
    "slider",
    "spinbutton",
];
const CELLS: &[&str] = &["cell", "columnheader", "gridcell", "rowheader"];
const SET_ITEMS: &[&str] = &[
    "article",
    "listitem",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "tab",
    "treeitem",
];

/// The roles each non-global attribute is supported on (§6.6, with what subclasses inherit;
/// `aria-required` also on `radio`, as axe-core allows, since forms mark single radios so).
const SUPPORTED: &[(&str, &[&str])] = &[
    (
        "aria-activedescendant",
        &[
            "application",
            "combobox",
            "grid",
            "group",
            "listbox",
            "menu",
            "menubar",
            "radiogroup",
            "row",
            "searchbox",
            "spinbutton",
            "tablist",
            "textbox",
            "toolbar",
            "tree",
            "treegrid",
        ],
    ),
    ("aria-autocomplete", &["combobox", "searchbox", "textbox"]),
    (
        "aria-checked",
        &[
            "checkbox",
            "menuitemcheckbox",
            "menuitemradio",
            "option",
            "radio",
            "switch",
            "treeitem",
        ],
    ),
    ("aria-colcount", &["grid", "table", "treegrid"]),
    (
        "aria-colindex",
        &["cell", "columnheader", "gridcell", "row", "rowheader"],
    ),
    ("aria-colspan", CELLS),
    (
        "aria-expanded",
        &[
            "application",
            "button",
            "checkbox",
            "columnheader",
            "combobox",
            "gridcell",
            "link",
            "listbox",
            "menuitem",
            "menuitemcheckbox",
            "menuitemradio",
            "row",
            "rowheader",
            "switch",
            "tab",
            "treeitem",
        ],
    ),
    ("aria-level", &["heading", "listitem", "row", "treeitem"]),
    ("aria-modal", &["alertdialog", "dialog"]),
    ("aria-multiline", &["searchbox", "textbox"]),
    (
        "aria-multiselectable",
        &["grid", "listbox", "tablist", "tree", "treegrid"],
    ),
    (
        "aria-orientation",
        &[
            "listbox",
            "menu",
            "menubar",
            "radiogroup",
            "scrollbar",
            "separator",
            "slider",
            "tablist",
            "toolbar",
            "tree",
            "treegrid",
        ],
    ),
    ("aria-placeholder", &["searchbox", "textbox"]),
    ("aria-posinset", SET_ITEMS),
    ("aria-pressed", &["button"]),
    (
        "aria-readonly",
        &[
            "checkbox",
            "columnheader",
            "combobox",
            "grid",
            "gridcell",
            "listbox",
            "menuitemcheckbox",
            "menuitemradio",
            "radiogroup",
            "rowheader",
            "searchbox",
            "slider",
            "spinbutton",
            "switch",
            "textbox",
            "treegrid",
        ],
    ),
    (
        "aria-required",
        &[
            "checkbox",
            "columnheader",
            "combobox",
            "gridcell",
            "listbox",
            "radio",
            "radiogroup",
            "rowheader",
            "searchbox",
            "spinbutton",
            "switch",
            "textbox",
            "tree",
            "treegrid",
        ],
    ),
    ("aria-rowcount", &["grid", "table", "treegrid"]),
    (
        "aria-rowindex",
        &["cell", "columnheader", "gridcell", "row", "rowheader"],
    ),
    ("aria-rowspan", CELLS),
    (
        "aria-selected",
        &[
            "columnheader",
            "gridcell",
            "option",
            "row",
            "rowheader",
            "tab",
            "treeitem",
        ],
    ),
    ("aria-setsize", SET_ITEMS),
    ("aria-sort", &["columnheader", "rowheader"]),
    ("aria-valuemax", RANGE),
    ("aria-valuemin", RANGE),
    ("aria-valuenow", RANGE),
    ("aria-valuetext", RANGE),
];

/// Whether `attr` is a WAI-ARIA attribute at all.
pub fn is_aria_attr(attr: &str) -> bool {
    GLOBAL.contains(&attr) || SUPPORTED.iter().any(|(a, _)| *a == attr)
}

/// Whether `attr` is allowed on an element of `role`.
pub fn allowed(attr: &str, role: &str) -> bool {
    GLOBAL.contains(&attr)
        || SUPPORTED
            .iter()
            .find(|(a, _)| *a == attr)
            .is_some_and(|(_, roles)| roles.contains(&role))
}

/// The states and properties `role` requires (each role's "Required States and Properties").
pub fn required_attrs(role: &str) -> &'static [&'static str] {
    match role {
        "checkbox" | "menuitemcheckbox" | "menuitemradio" | "radio" | "switch" => &["aria-checked"],
        "combobox" => &["aria-expanded"],
        "meter" | "slider" => &["aria-valuenow"],
        "scrollbar" => &["aria-controls", "aria-valuenow"],
        _ => &[],
    }
}

/// The roles `role` must own at least one of (each role's "Required Owned Elements").
pub fn required_children(role: &str) -> &'static [&'static str] {
    match role {
        "feed" => &["article"],
        "grid" | "table" | "treegrid" => &["row", "rowgroup"],
        "list" | "directory" => &["listitem"],
        "listbox" => &["option", "group"],
        "menu" | "menubar" => &["menuitem", "menuitemcheckbox", "menuitemradio", "group"],
        "row" => &["cell", "columnheader", "gridcell", "rowheader"],
        "rowgroup" => &["row"],
        "tablist" => &["tab"],
        "tree" => &["treeitem", "group"],
        _ => &[],
    }
}

/// The roles one of which must own an element of `role` (each role's "Required Context Role").
pub fn required_context(role: &str) -> &'static [&'static str] {
    match role {
        "listitem" => &["list", "directory"],
        "option" => &["listbox", "group"],
        "menuitem" | "menuitemcheckbox" | "menuitemradio" => &["menu", "menubar", "group"],
        "tab" => &["tablist"],
        "treeitem" => &["tree", "group"],
        "row" => &["grid", "rowgroup", "table", "treegrid"],
        "rowgroup" => &["grid", "table", "treegrid"],
        "cell" | "columnheader" | "gridcell" | "rowheader" => &["row"],
        _ => &[],
    }
}
