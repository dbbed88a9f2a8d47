//! The cascade for the properties contrast depends on: which declaration wins for each element
//! (origin, `!important`, specificity, source order), and the computed values that follow
//! (inheritance, `em`, `currentColor`, `var()`). A value that depends on what cannot be known
//! statically (a viewport-dependent `@media`, an unresolved `var()`) is an `Err` saying why.
//!
//! Style sources are taken in document order: the UA defaults, then each `<link>`ed sheet and
//! `<style>` block where it stands in the document, then `style=""`.

use std::collections::HashMap;
use std::rc::Rc;

use cssparser::{Parser, Token};
use ego_tree::NodeId;
use scraper::ElementRef;
use selectors::matching::{
    MatchingContext, MatchingForInvalidation, MatchingMode, NeedsSelectorFlags, QuirksMode,
    SelectorCaches,
};

use super::color::{self, BLACK, ColorValue, Rgba, TRANSPARENT};
use super::css::{self, Declaration, Key, MAX_RULES, MediaMatch, Prop, Shorthand, StyleRule};
use crate::probes::a11y::page::Page;

/// A computed value, or why it cannot be computed statically.
pub type Val<T> = Result<T, String>;

/// The most elements whose style is computed; the rest are undecided.
pub const MAX_ELEMENTS: usize = 10_000;
/// The deepest element whose style is computed (browsers' parsers stop nesting near here).
pub const MAX_DEPTH: usize = 512;
/// The most selector matches tried for a page; past it the remaining elements are undecided.
const MAX_MATCHES: usize = 2_000_000;

/// The UA defaults that change colour, size or weight (Chromium's, which axe-core runs in).
const UA_SHEET: &str = "
head, script, style, template, noscript, title, meta, link, base, datalist, param, map, area,
[hidden], iframe, noembed, noframes, dialog:not([open]),
details:not([open]) > :not(summary), video *, audio *, canvas * { display: none }
a:link { color: #0000ee }
h1 { font-size: 2em; font-weight: bold }
h2 { font-size: 1.5em; font-weight: bold }
h3 { font-size: 1.17em; font-weight: bold }
h4 { font-weight: bold }
h5 { font-size: 0.83em; font-weight: bold }
h6 { font-size: 0.67em; font-weight: bold }
b, strong { font-weight: bolder }
th { font-weight: bold }
small, sub, sup { font-size: smaller }
big { font-size: larger }
code, kbd, samp, pre, tt { font-size: 0.8125em }
mark { background-color: yellow; color: black }
button { color: #000; background-color: #efefef }
input, select, textarea { color: #000; background-color: #fff }
input[type=submit i], input[type=reset i], input[type=button i] { background-color: #efefef }
";

/// Where a declaration comes from, for the cascade's order.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Agent,
    Author,
    Inline,
}

/// (rule, selector) indexes by the key an ancestor must have.
type ByAncestor = HashMap<Option<Key>, Vec<(usize, usize)>>;

/// A page's style rules, ready to be matched.
pub struct Styles {
    rules: Vec<(Origin, StyleRule)>,
    /// Rule selectors, as (rule, selector) indexes, by the key an element must have and then
    /// by the key an ancestor must have (`None`: no ancestor is required).
    index: HashMap<Key, ByAncestor>,
    /// Why any element could take colours from what was not read.
    pub blockers: Vec<String>,
}

impl Styles {
    /// The UA defaults, the page's sheets and `<style>` blocks in document order.
    pub fn of(page: &Page) -> Styles {
        let mut reading = css::Reading::new(MAX_RULES);
        let mut sheets = vec![(
            Origin::Agent,
            css::parse_sheet(UA_SHEET, "UA", None, &mut css::Reading::new(usize::MAX)),
        )];
        let mut unused: Vec<Option<&crate::probes::a11y::page::Stylesheet>> =
            page.sheets.iter().map(Some).collect();
        for el in page
            .doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
        {
            let v = el.value();
            let styling = v.name() == "style" || (v.name() == "link" && is_stylesheet(el));
            // A <template>'s content is inert: its styles apply nowhere until script uses it.
            if !styling
                || el
                    .ancestors()
                    .filter_map(ElementRef::wrap)
                    .any(|a| a.value().name() == "template")
            {
                continue;
            }
            let media = match css::media_applies(v.attr("media").unwrap_or_default()) {
                MediaMatch::Never => continue,
                MediaMatch::Always => None,
                MediaMatch::Depends => Some(format!(
                    "media=\"{}\"",
                    css::short(v.attr("media").unwrap_or_default())
                )),
            };
            match v.name() {
                "style" => {
                    let text: String = el.text().collect();
                    sheets.push((
                        Origin::Author,
                        css::parse_sheet(&text, "a <style> block", media, &mut reading),
                    ));
                }
                "link" => {
                    let Some(href) = v.attr("href") else { continue };
                    let Ok(url) = page.url.join(href.trim()) else {
                        continue;
                    };
                    let found = unused
                        .iter_mut()
                        .find(|s| s.is_some_and(|s| s.url == url))
                        .and_then(Option::take);
                    let sheet = match found {
                        Some(s) => css::parse_sheet(&s.text, url.as_str(), media, &mut reading),
                        None => css::Sheet {
                            blockers: vec![format!("stylesheet {url} was not fetched")],
                            ..Default::default()
                        },
                    };
                    sheets.push((Origin::Author, sheet));
                }
                _ => {}
            }
        }
        let mut styles = Styles {
            rules: Vec::new(),
            index: HashMap::new(),
            blockers: Vec::new(),
        };
        for (origin, sheet) in sheets {
            styles.blockers.extend(sheet.blockers);
            for rule in sheet.rules {
                let r = styles.rules.len();
                for (s, sel) in rule.selectors.iter().enumerate() {
                    styles
                        .index
                        .entry(sel.key.clone())
                        .or_default()
                        .entry(sel.ancestor.clone())
                        .or_default()
                        .push((r, s));
                }
                styles.rules.push((origin, rule));
            }
        }
        styles.blockers.dedup();
        styles
    }
}

fn is_stylesheet(el: ElementRef<'_>) -> bool {
    let rel = el.value().attr("rel").unwrap_or_default();
    let has = |w: &str| {
        rel.split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case(w))
    };
    has("stylesheet") && !has("alternate") && el.value().attr("disabled").is_none()
}

/// The computed values contrast depends on, for one element.
#[derive(Clone, Debug)]
pub struct Computed {
    /// Its `color`.
    pub color: Val<Rgba>,
    /// Its own background (colour, or `Err` for an image or an unknown colour).
    pub background: Val<Rgba>,
    pub opacity: Val<f64>,
    /// `position: absolute` or `fixed`: what is behind it need not be its parent.
    pub positioned: Val<bool>,
    pub font_px: Val<f64>,
    pub weight: Val<f64>,
    /// A filter, blend mode or text fill on it that repaints its colours (`filter: invert(1)`).
    pub effect: Option<String>,
    /// Neither it nor an ancestor is `display: none` (when that is certain).
    pub rendered: bool,
    /// `visibility` is not `hidden`/`collapse` (when that is certain).
    pub visible: bool,
    /// Depth below the root element.
    pub depth: usize,
    custom: Rc<HashMap<String, Val<String>>>,
}

impl Computed {
    fn root_parent() -> Computed {
        Computed {
            color: Ok(BLACK),
            background: Ok(TRANSPARENT),
            opacity: Ok(1.0),
            positioned: Ok(false),
            font_px: Ok(16.0),
            weight: Ok(400.0),
            effect: None,
            rendered: true,
            visible: true,
            depth: 0,
            custom: Rc::default(),
        }
    }
}

/// The computed styles of a page's elements, in document order, as far as the bounds allow.
pub struct Computation {
    pub styles: HashMap<NodeId, Computed>,
    /// Why some elements were not computed (a bound reached), if any were not.
    pub cut: Option<String>,
}

/// A matched declaration, with its place in the cascade.
struct Matched<'a> {
    /// Level, layer, specificity, then source order: rule, then declaration within it.
    rank: (u8, Vec<usize>, u32, usize, usize),
    decl: &'a Declaration,
    /// Why it may not apply (its `@media`, a pseudo-class not evaluated).
    doubt: Option<&'a str>,
}

/// Computes every element's style, parents before children (document order, no recursion).
pub fn compute(page: &Page, styles: &Styles) -> Computation {
    let mut out: HashMap<NodeId, Computed> = HashMap::new();
    let mut cut = None;
    let mut matches = 0usize;
    let mut caches = SelectorCaches::default();
    let root_parent = Computed::root_parent();
    let root_font = std::cell::Cell::new(16.0);
    let mut inline_rules: Vec<Declaration> = Vec::new();
    for el in page
        .doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        let Some(up) = el.parent() else { continue };
        // Below the document is the root element; below a <template>'s inert fragment, nothing
        // is rendered, so nothing is computed.
        let parent = if up.value().is_document() {
            &root_parent
        } else {
            match ElementRef::wrap(up).and_then(|p| out.get(&p.id())) {
                Some(c) => c,
                None => continue,
            }
        };
        if out.len() >= MAX_ELEMENTS || parent.depth >= MAX_DEPTH || matches > MAX_MATCHES {
            cut.get_or_insert_with(|| {
                format!(
                    "the page is past what is evaluated ({MAX_ELEMENTS} elements, \
                     {MAX_DEPTH} deep, {MAX_MATCHES} selector matches)"
                )
            });
            continue;
        }
        let mut context = MatchingContext::new(
            MatchingMode::Normal,
            None,
            &mut caches,
            QuirksMode::NoQuirks,
            NeedsSelectorFlags::No,
            MatchingForInvalidation::No,
        );
        let mut found: Vec<Matched<'_>> = Vec::new();
        let v = el.value();
        let mut keys: Vec<Key> = v
            .id()
            .map(|i| Key::Id(i.to_string()))
            .into_iter()
            .chain(v.classes().map(|c| Key::Class(c.to_string())))
            .chain([Key::Tag(v.name().to_ascii_lowercase()), Key::Any])
            .collect();
        keys.sort();
        keys.dedup();
        let mut ancestors: Option<Vec<Option<Key>>> = None;
        for key in &keys {
            let Some(by_ancestor) = styles.index.get(key) else {
                continue;
            };
            // Only the selectors whose required ancestor key some ancestor has are tried.
            let wanted = if by_ancestor.len() == 1 && by_ancestor.contains_key(&None) {
                &[None][..]
            } else {
                ancestors
                    .get_or_insert_with(|| ancestor_keys(el))
                    .as_slice()
            };
            for &(r, s) in wanted.iter().filter_map(|k| by_ancestor.get(k)).flatten() {
                let (origin, rule) = &styles.rules[r];
                let sel = &rule.selectors[s];
                matches += 1;
                if !selectors::matching::matches_selector(&sel.selector, 0, None, &el, &mut context)
                {
                    continue;
                }
                let doubt = rule.condition.as_deref().or(sel.maybe.as_deref());
                for (i, d) in rule.declarations.iter().enumerate() {
                    found.push(Matched {
                        rank: (
                            level(*origin, d.important),
                            layer_rank(&rule.layer, d.important),
                            sel.specificity,
                            r,
                            i,
                        ),
                        decl: d,
                        doubt,
                    });
                }
            }
        }
        inline_rules.clear();
        if let Some(style) = v.attr("style") {
            inline_rules.extend(css::parse_inline(style));
        }
        for (i, d) in inline_rules.iter().enumerate() {
            found.push(Matched {
                rank: (
                    level(Origin::Inline, d.important),
                    Vec::new(),
                    0,
                    usize::MAX,
                    i,
                ),
                decl: d,
                doubt: None,
            });
        }
        found.sort_by(|a, b| b.rank.cmp(&a.rank));
        let is_root = up.value().is_document();
        let c = compute_one(&found, parent, root_font.get(), is_root);
        if is_root && let Ok(px) = c.font_px {
            root_font.set(px);
        }
        out.insert(el.id(), c);
    }
    Computation { styles: out, cut }
}

/// The ids, classes and tags of `el`'s ancestors, each once, and `None` (no ancestor
/// required): the index's second keys an element can meet.
fn ancestor_keys(el: ElementRef<'_>) -> Vec<Option<Key>> {
    let mut keys = std::collections::HashSet::new();
    for a in el.ancestors().filter_map(ElementRef::wrap) {
        let v = a.value();
        keys.insert(Key::Tag(v.name().to_ascii_lowercase()));
        keys.extend(v.id().map(|i| Key::Id(i.to_string())));
        keys.extend(v.classes().map(|c| Key::Class(c.to_string())));
    }
    std::iter::once(None)
        .chain(keys.into_iter().map(Some))
        .collect()
}

/// A rule's layer key as the cascade compares it: later layers win for normal declarations,
/// earlier ones for `!important` (each place mirrored), unlayered rules last and first.
fn layer_rank(key: &[usize], important: bool) -> Vec<usize> {
    if important {
        key.iter().map(|k| usize::MAX - k).collect()
    } else {
        key.to_vec()
    }
}

/// The cascade's order: UA normal < author normal < inline normal < author important < inline
/// important < UA important; then specificity, then source order.
fn level(origin: Origin, important: bool) -> u8 {
    match (origin, important) {
        (Origin::Agent, false) => 0,
        (Origin::Author, false) => 1,
        (Origin::Inline, false) => 2,
        (Origin::Author, true) => 3,
        (Origin::Inline, true) => 4,
        (Origin::Agent, true) => 5,
    }
}

/// What one declaration computes to.
enum Out<T> {
    Value(T),
    /// Invalid: dropped, the next declaration in the cascade applies.
    Invalid,
    /// `inherit`/`unset` on an inherited property: the parent's value.
    Inherit,
    Unknown(String),
}

/// The winning value of `prop` among `found` (sorted, best first), computed by `f`, or
/// `None` when no declaration applies (the initial or inherited value does).
fn winner<T>(
    found: &[Matched<'_>],
    prop: &Prop,
    mut f: impl FnMut(&Declaration, &str) -> Out<T>,
    custom: &HashMap<String, Val<String>>,
) -> Option<Out<T>> {
    let mut doubt: Option<&str> = None;
    for m in found.iter().filter(|m| &m.decl.prop == prop) {
        let value = match substitute(&m.decl.value, custom) {
            Ok(v) => f(m.decl, &v),
            Err(why) => Out::Unknown(why),
        };
        if matches!(value, Out::Invalid) {
            continue;
        }
        if let Some(d) = m.doubt {
            doubt.get_or_insert(d);
            continue;
        }
        return Some(match doubt {
            Some(d) => Out::Unknown(format!("{} set in {d}", prop_name(prop))),
            None => value,
        });
    }
    doubt.map(|d| Out::Unknown(format!("{} set in {d}", prop_name(prop))))
}

fn prop_name(prop: &Prop) -> &str {
    match prop {
        Prop::Color => "colour",
        Prop::BackgroundColor => "background colour",
        Prop::BackgroundImage => "background image",
        Prop::Opacity => "opacity",
        Prop::FontSize => "font size",
        Prop::FontWeight => "font weight",
        Prop::Display => "display",
        Prop::Visibility => "visibility",
        Prop::Position => "position",
        Prop::Effect(name) => name,
        Prop::Custom(name) => name,
    }
}

fn compute_one(found: &[Matched<'_>], parent: &Computed, root_px: f64, is_root: bool) -> Computed {
    // Custom properties first: every other value may use them.
    let mut custom = parent.custom.clone();
    let mut names: Vec<&String> = found
        .iter()
        .filter_map(|m| match &m.decl.prop {
            Prop::Custom(n) => Some(n),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    if !names.is_empty() {
        let mut own = (*parent.custom).clone();
        for name in names {
            let prop = Prop::Custom(name.clone());
            let v = match winner(
                found,
                &prop,
                |_, v| Out::Value(v.to_string()),
                &parent.custom,
            ) {
                Some(Out::Value(v)) if is_guaranteed_invalid(&v) => None,
                Some(Out::Value(v)) => Some(Ok(v)),
                Some(Out::Unknown(why)) => Some(Err(why)),
                Some(Out::Inherit) | Some(Out::Invalid) | None => None,
            };
            match v {
                Some(v) => own.insert(name.clone(), v),
                None => own.remove(name),
            };
        }
        custom = Rc::new(own);
    }

    let color = match winner(found, &Prop::Color, |_, v| color_out(v), &custom) {
        None | Some(Out::Inherit | Out::Invalid) => parent.color.clone(),
        Some(Out::Value(ColorValue::Current)) => parent.color.clone(),
        Some(Out::Value(ColorValue::Rgba(c))) => Ok(c),
        Some(Out::Unknown(why)) => Err(why),
    };
    let bg_color = match winner(found, &Prop::BackgroundColor, background_color, &custom) {
        None | Some(Out::Invalid) => Ok(TRANSPARENT),
        Some(Out::Inherit) => parent.background.clone(),
        Some(Out::Value(ColorValue::Current)) => color.clone(),
        Some(Out::Value(ColorValue::Rgba(c))) => Ok(c),
        Some(Out::Unknown(why)) => Err(why),
    };
    let image = match winner(found, &Prop::BackgroundImage, background_image, &custom) {
        None | Some(Out::Invalid) => Ok(false),
        Some(Out::Inherit) => parent.background.clone().map(|_| false),
        Some(Out::Value(image)) => Ok(image),
        Some(Out::Unknown(why)) => Err(why),
    };
    let background = match image {
        Ok(false) => bg_color,
        Ok(true) => Err("text over a background image".to_string()),
        Err(why) => Err(why),
    };
    let opacity = match winner(found, &Prop::Opacity, |_, v| opacity_out(v), &custom) {
        None | Some(Out::Invalid) => Ok(1.0),
        Some(Out::Inherit) => parent.opacity.clone(),
        Some(Out::Value(o)) => Ok(o),
        Some(Out::Unknown(why)) => Err(why),
    };
    let positioned = match winner(found, &Prop::Position, |_, v| keyword(v), &custom) {
        None | Some(Out::Invalid) => Ok(false),
        Some(Out::Inherit) => parent.positioned.clone(),
        Some(Out::Value(k)) => Ok(k == "absolute" || k == "fixed"),
        Some(Out::Unknown(why)) => Err(why),
    };
    let parent_px = parent.font_px.clone();
    let font_px = match winner(
        found,
        &Prop::FontSize,
        |d, v| font_size(d, v, &parent_px, if is_root { 16.0 } else { root_px }),
        &custom,
    ) {
        None | Some(Out::Inherit | Out::Invalid) => parent.font_px.clone(),
        Some(Out::Value(px)) => Ok(px),
        Some(Out::Unknown(why)) => Err(why),
    };
    let weight = match winner(
        found,
        &Prop::FontWeight,
        |d, v| font_weight(d, v, &parent.weight),
        &custom,
    ) {
        None | Some(Out::Inherit | Out::Invalid) => parent.weight.clone(),
        Some(Out::Value(w)) => Ok(w),
        Some(Out::Unknown(why)) => Err(why),
    };
    let effect = [
        "filter",
        "backdrop-filter",
        "mix-blend-mode",
        "-webkit-text-fill-color",
    ]
    .into_iter()
    .find_map(
        |name| match winner(found, &Prop::Effect(name), |_, v| keyword(v), &custom)? {
            Out::Value(k)
                if matches!(k.as_str(), "none" | "normal" | "initial" | "currentcolor") =>
            {
                None
            }
            Out::Value(k) => Some(format!("{name}: {} repaints the colours", css::short(&k))),
            Out::Unknown(why) => Some(why),
            Out::Inherit | Out::Invalid => None,
        },
    );
    // A display or visibility that only may apply leaves the element shown: it must pass then.
    let display_none = matches!(
        winner(found, &Prop::Display, |_, v| keyword(v), &custom),
        Some(Out::Value(k)) if k == "none"
    );
    let visible = match winner(found, &Prop::Visibility, |_, v| keyword(v), &custom) {
        Some(Out::Value(k)) => match k.as_str() {
            "hidden" | "collapse" => false,
            "visible" => true,
            _ => parent.visible,
        },
        _ => parent.visible,
    };
    Computed {
        color,
        background,
        opacity,
        positioned,
        font_px,
        weight,
        effect,
        rendered: parent.rendered && !display_none,
        visible,
        depth: parent.depth + 1,
        custom,
    }
}

/// CSS-wide keywords: `inherit`, `unset` (inherited properties' parent value, others'
/// initial), `initial`, `revert` (taken as the initial value).
fn wide(v: &str) -> Option<&'static str> {
    match v.trim().to_ascii_lowercase().as_str() {
        "inherit" => Some("inherit"),
        "unset" => Some("unset"),
        "initial" | "revert" | "revert-layer" => Some("initial"),
        _ => None,
    }
}

fn is_guaranteed_invalid(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("initial") || v.trim().is_empty()
}

fn color_out(v: &str) -> Out<ColorValue> {
    match wide(v) {
        Some("initial") => return Out::Value(ColorValue::Rgba(BLACK)),
        Some(_) => return Out::Inherit,
        None => {}
    }
    match color::parse(v) {
        Ok(Some(c)) => Out::Value(c),
        Ok(None) => Out::Invalid,
        Err(why) => Out::Unknown(why),
    }
}

fn keyword(v: &str) -> Out<String> {
    match wide(v) {
        Some("inherit") => Out::Inherit,
        Some(_) => Out::Value("initial".into()),
        None => Out::Value(v.trim().to_ascii_lowercase()),
    }
}

fn opacity_out(v: &str) -> Out<f64> {
    if let Some(w) = wide(v) {
        return if w == "inherit" {
            Out::Inherit
        } else {
            Out::Value(1.0)
        };
    }
    match one_token(v) {
        Some(Token::Number { value, .. }) => Out::Value(f64::from(value).clamp(0.0, 1.0)),
        Some(Token::Percentage { unit_value, .. }) => {
            Out::Value(f64::from(unit_value).clamp(0.0, 1.0))
        }
        Some(Token::Function(_)) => Out::Unknown(format!("opacity {} not computed", css::short(v))),
        _ => Out::Invalid,
    }
}

/// The value's single token, if it is one.
fn one_token(v: &str) -> Option<Token<'static>> {
    let mut p = Parser::new(v);
    let t = p.next().ok()?.clone();
    let owned = match t {
        Token::Number {
            has_sign,
            value,
            int_value,
        } => Token::Number {
            has_sign,
            value,
            int_value,
        },
        Token::Percentage {
            has_sign,
            unit_value,
            int_value,
        } => Token::Percentage {
            has_sign,
            unit_value,
            int_value,
        },
        Token::Dimension {
            has_sign,
            value,
            int_value,
            unit,
        } => Token::Dimension {
            has_sign,
            value,
            int_value,
            unit: unit.to_ascii_lowercase().into(),
        },
        Token::Ident(i) => Token::Ident(i.to_ascii_lowercase().into()),
        Token::Function(ref f) => {
            let name = f.to_ascii_lowercase();
            css::skip_block(&mut p, &t);
            Token::Function(name.into())
        }
        _ => return None,
    };
    p.expect_exhausted().ok()?;
    Some(owned)
}

/// The top-level components of a value (`url(x) no-repeat #fff`), as text.
fn components(v: &str) -> Vec<String> {
    let mut p = Parser::new(v);
    let mut out = Vec::new();
    loop {
        let start = p.position();
        match p.next().cloned() {
            Ok(t) => css::skip_block(&mut p, &t),
            Err(_) => break,
        }
        out.push(p.slice_from(start).trim().to_string());
    }
    out
}

/// Image-producing values: a `url()` or any gradient or image function.
fn is_image(component: &str) -> bool {
    let c = component.to_ascii_lowercase();
    [
        "url(",
        "gradient(",
        "image(",
        "image-set(",
        "element(",
        "cross-fade(",
        "paint(",
    ]
    .iter()
    .any(|f| c.contains(f))
}

fn background_color(d: &Declaration, v: &str) -> Out<ColorValue> {
    if d.shorthand != Some(Shorthand::Background) {
        return match wide(v) {
            Some("inherit") => Out::Inherit,
            Some(_) => Out::Value(ColorValue::Rgba(TRANSPARENT)),
            None => match color::parse(v) {
                Ok(Some(c)) => Out::Value(c),
                Ok(None) => Out::Invalid,
                Err(why) => Out::Unknown(why),
            },
        };
    }
    if let Some(w) = wide(v) {
        return if w == "inherit" {
            Out::Inherit
        } else {
            Out::Value(ColorValue::Rgba(TRANSPARENT))
        };
    }
    // The colour is the final layer's; a shorthand without one resets it to transparent.
    let parts = components(v);
    let last_layer = parts.rsplit(|c| c == ",").next().unwrap_or_default();
    for part in last_layer {
        match color::parse(part) {
            Ok(Some(c)) => return Out::Value(c),
            Ok(None) => {}
            Err(why) => return Out::Unknown(why),
        }
    }
    Out::Value(ColorValue::Rgba(TRANSPARENT))
}

fn background_image(d: &Declaration, v: &str) -> Out<bool> {
    if let Some(w) = wide(v) {
        return if w == "inherit" {
            Out::Inherit
        } else {
            Out::Value(false)
        };
    }
    if d.shorthand == Some(Shorthand::Background) {
        return Out::Value(components(v).iter().any(|c| is_image(c)));
    }
    Out::Value(
        !components(v)
            .iter()
            .all(|c| c == "," || c.eq_ignore_ascii_case("none")),
    )
}

/// `font-size` (or the size in a `font` shorthand) in px.
fn font_size(d: &Declaration, v: &str, parent: &Val<f64>, root_px: f64) -> Out<f64> {
    if let Some(w) = wide(v) {
        return match w {
            "initial" => Out::Value(16.0),
            _ => Out::Inherit,
        };
    }
    if d.shorthand == Some(Shorthand::Font) {
        let parts = components(v);
        if parts.len() == 1 {
            // `font: caption` and the other system fonts are the platform's.
            return Out::Unknown(format!("font {} not computed", css::short(v)));
        }
        // The size is the component before `/line-height` or before the family names.
        let size = parts
            .iter()
            .position(|p| p == "/")
            .and_then(|i| i.checked_sub(1))
            .or_else(|| {
                parts
                    .iter()
                    .rposition(|p| size_px(p, parent, root_px).is_some())
            });
        return match size {
            Some(i) => size_px(&parts[i], parent, root_px).unwrap_or(Out::Invalid),
            None => Out::Invalid,
        };
    }
    size_px(v, parent, root_px).unwrap_or(Out::Invalid)
}

fn size_px(v: &str, parent: &Val<f64>, root_px: f64) -> Option<Out<f64>> {
    let relative = |factor: f64| match parent {
        Ok(px) => Out::Value(px * factor),
        Err(why) => Out::Unknown(why.clone()),
    };
    Some(match one_token(v)? {
        Token::Ident(k) => Out::Value(match &*k {
            "xx-small" => 9.0,
            "x-small" => 10.0,
            "small" => 13.0,
            "medium" => 16.0,
            "large" => 18.0,
            "x-large" => 24.0,
            "xx-large" => 32.0,
            "xxx-large" => 48.0,
            "smaller" => return Some(relative(1.0 / 1.2)),
            "larger" => return Some(relative(1.2)),
            _ => return None,
        }),
        Token::Percentage { unit_value, .. } => relative(f64::from(unit_value)),
        Token::Number { value: 0.0, .. } => Out::Value(0.0),
        Token::Dimension { value, unit, .. } => {
            let v = f64::from(value);
            match &*unit {
                "px" => Out::Value(v),
                "pt" => Out::Value(v * 96.0 / 72.0),
                "pc" => Out::Value(v * 16.0),
                "in" => Out::Value(v * 96.0),
                "cm" => Out::Value(v * 96.0 / 2.54),
                "mm" => Out::Value(v * 96.0 / 25.4),
                "q" => Out::Value(v * 96.0 / 101.6),
                "em" => relative(v),
                "rem" => Out::Value(v * root_px),
                _ => Out::Unknown(format!("font size {v}{unit} not computed")),
            }
        }
        Token::Function(f) => Out::Unknown(format!("font size {f}() not computed")),
        _ => return None,
    })
}

/// `font-weight` (or the weight in a `font` shorthand, `normal` when it names none).
fn font_weight(d: &Declaration, v: &str, parent: &Val<f64>) -> Out<f64> {
    if let Some(w) = wide(v) {
        return match w {
            "initial" => Out::Value(400.0),
            _ => Out::Inherit,
        };
    }
    let relative = |f: fn(f64) -> f64| match parent {
        Ok(w) => Out::Value(f(*w)),
        Err(why) => Out::Unknown(why.clone()),
    };
    let one = |t: &str| -> Option<Out<f64>> {
        Some(match one_token(t)? {
            Token::Ident(k) => match &*k {
                "normal" => Out::Value(400.0),
                "bold" => Out::Value(700.0),
                "bolder" => relative(|w| {
                    if w < 350.0 {
                        400.0
                    } else if w < 550.0 {
                        700.0
                    } else {
                        900.0
                    }
                }),
                "lighter" => relative(|w| {
                    if w < 550.0 {
                        100.0
                    } else if w < 750.0 {
                        400.0
                    } else {
                        700.0
                    }
                }),
                _ => return None,
            },
            Token::Number { value, .. } if (1.0..=1000.0).contains(&value) => {
                Out::Value(f64::from(value))
            }
            Token::Function(f) => Out::Unknown(format!("font weight {f}() not computed")),
            _ => return None,
        })
    };
    if d.shorthand == Some(Shorthand::Font) {
        let parts = components(v);
        if parts.len() == 1 {
            return Out::Unknown(format!("font {} not computed", css::short(v)));
        }
        return parts
            .iter()
            .filter(|p| !p.eq_ignore_ascii_case("normal"))
            .find_map(|p| one(p))
            .unwrap_or(Out::Value(400.0));
    }
    one(v).unwrap_or(Out::Invalid)
}

/// The most `var()` substitutions made in one value, against custom properties that refer to
/// each other (or to themselves).
const MAX_SUBSTITUTIONS: usize = 32;
/// The longest a value may grow to by substitution.
const MAX_VALUE_CHARS: usize = 16 * 1024;

/// `v` with its `var(--x[, fallback])` replaced from `custom`; `Err` names the one not
/// resolved.
pub fn substitute(v: &str, custom: &HashMap<String, Val<String>>) -> Val<String> {
    let mut s = v.to_string();
    for _ in 0..MAX_SUBSTITUTIONS {
        let lower = s.to_ascii_lowercase();
        let Some(at) = lower.rfind("var(") else {
            return Ok(s);
        };
        // The innermost-last var() first, so a fallback holding a var() is resolved after.
        let inner_start = at + 4;
        let mut depth = 1usize;
        let mut end = None;
        for (i, c) in s[inner_start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(inner_start + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.unwrap_or(s.len());
        let inner = s[inner_start..end].to_string();
        let (name, fallback) = match inner.split_once(',') {
            Some((n, f)) => (n.trim(), Some(f.trim())),
            None => (inner.trim(), None),
        };
        let replacement = match (custom.get(name), fallback) {
            (Some(Ok(value)), _) => value.clone(),
            (Some(Err(why)), _) => return Err(format!("var({name}): {why}")),
            (None, Some(f)) => f.to_string(),
            (None, None) => return Err(format!("var({name}) not resolved")),
        };
        s = format!(
            "{}{}{}",
            &s[..at],
            replacement,
            s.get(end + 1..).unwrap_or("")
        );
        if s.len() > MAX_VALUE_CHARS {
            return Err(format!(
                "var({name}) grows past {MAX_VALUE_CHARS} characters"
            ));
        }
    }
    Err("var() nested too deep to resolve".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str, sheets: &[(&str, &str)]) -> Page {
        let base = url::Url::parse("https://vendor.test/p").expect("url");
        let sheets = sheets
            .iter()
            .map(|(u, t)| crate::probes::a11y::page::Stylesheet {
                url: base.join(u).expect("url"),
                text: t.to_string(),
            })
            .collect();
        Page::parse(base, html.as_bytes(), sheets)
    }

    fn style_of(p: &Page, css: &str) -> Computed {
        let styles = Styles::of(p);
        let mut c = compute(p, &styles);
        let sel = scraper::Selector::parse(css).expect("selector");
        let el = p.doc.select(&sel).next().expect("element");
        c.styles.remove(&el.id()).expect("computed")
    }

    #[test]
    fn specificity_then_order_then_importance_decide() {
        let p = page(
            r#"<style>#t { color: #111 } p.c { color: #222 !important } p { color: #333 }</style>
               <link rel=stylesheet href="a.css"><style>.c { color: #444 }</style>
               <p id=t class=c style="color: #555">x</p><i id=i class=c>y</i><b id=b style="color:#666">z</b>"#,
            &[(
                "a.css",
                ".c { color: #999 !important } b { color: #777 !important }",
            )],
        );
        assert_eq!(
            style_of(&p, "#t").color.map(|c| c.hex()),
            Ok("#222222".into())
        );
        assert_eq!(
            style_of(&p, "#i").color.map(|c| c.hex()),
            Ok("#999999".into())
        );
        assert_eq!(
            style_of(&p, "#b").color.map(|c| c.hex()),
            Ok("#777777".into())
        );
        let p = page(
            r#"<style>.c { color: #444 } p { color: #333 }</style><p class=c>x</p>"#,
            &[],
        );
        assert_eq!(
            style_of(&p, "p").color.map(|c| c.hex()),
            Ok("#444444".into())
        );
        let p = page(
            r#"<style>p { color: #444 } p { color: #333 } p { color: 12px }</style><p>x</p>"#,
            &[],
        );
        assert_eq!(
            style_of(&p, "p").color.map(|c| c.hex()),
            Ok("#333333".into())
        );
    }

    #[test]
    fn layers_lose_to_unlayered_styles_and_win_when_important() {
        let p = page(
            r#"<style>@layer base, theme; @layer theme { p { color: #111 } i { color: #222 !important } }
               @layer base { #p { color: #333 } i { color: #444 !important } } i { color: #555 !important }
               p { color: #666 }</style><p id=p>x <i>y</i></p>"#,
            &[],
        );
        assert_eq!(
            style_of(&p, "p").color.map(|c| c.hex()),
            Ok("#666666".into())
        );
        assert_eq!(
            style_of(&p, "i").color.map(|c| c.hex()),
            Ok("#444444".into())
        );
    }

    #[test]
    fn later_declarations_in_one_block_win() {
        let p = page(
            r#"<style>p { color: #444; color: #333; color: 12px }</style><p>x</p><b style="color:#555;color:#222">y</b>"#,
            &[],
        );
        assert_eq!(
            style_of(&p, "p").color.map(|c| c.hex()),
            Ok("#333333".into())
        );
        assert_eq!(
            style_of(&p, "b").color.map(|c| c.hex()),
            Ok("#222222".into())
        );
    }

    #[test]
    fn colour_and_font_inherit_background_does_not() {
        let p = page(
            r#"<style>body { color: #123456; background: #eee; font-size: 20px } div { font-size: 1.5em } </style>
               <body><div><h1><span id=s>x</span></h1></div></body>"#,
            &[],
        );
        let s = style_of(&p, "#s");
        assert_eq!(s.color.map(|c| c.hex()), Ok("#123456".into()));
        assert_eq!(s.background.map(|c| c.a), Ok(0.0));
        assert_eq!(s.font_px, Ok(60.0));
        assert_eq!(s.weight, Ok(700.0));
    }

    #[test]
    fn vars_resolve_from_ancestors_and_media_leaves_a_doubt() {
        let p = page(
            r#"<style>:root { --fg: #777 } p { color: var(--fg) } i { color: var(--nope) }
               b { color: var(--nope, red) } @media (min-width: 40em) { u { color: #888 } }</style>
               <p>x <i>y</i> <b>z</b> <u>w</u></p>"#,
            &[],
        );
        assert_eq!(
            style_of(&p, "p").color.map(|c| c.hex()),
            Ok("#777777".into())
        );
        assert_eq!(
            style_of(&p, "i").color,
            Err("var(--nope) not resolved".into())
        );
        assert_eq!(
            style_of(&p, "b").color.map(|c| c.hex()),
            Ok("#ff0000".into())
        );
        let u = style_of(&p, "u").color.expect_err("depends on media");
        assert!(u.contains("@media (min-width: 40em)"), "{u}");
    }

    #[test]
    fn hidden_and_unfetched_and_shorthands() {
        let p = page(
            r#"<link rel=stylesheet href="missing.css"><style>.h { display: none } .bg { background: url(a.png) #fff }</style>
               <div class=h><p id=in>x</p></div><p hidden id=hid>y</p><p class=bg id=bg>z</p>"#,
            &[],
        );
        assert!(!style_of(&p, "#in").rendered);
        assert!(!style_of(&p, "#hid").rendered);
        assert!(style_of(&p, "#bg").background.is_err());
        assert!(Styles::of(&p).blockers[0].contains("missing.css"));
    }
}
