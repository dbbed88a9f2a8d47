//! `color-contrast` (WCAG 2.0 1.4.3): text and its background differ by at least 4.5:1, or
//! 3:1 for large text, computed from the markup and its stylesheets. What the static page
//! cannot tell (a background image, a viewport-dependent `@media`, an unresolved `var()`, a
//! positioned element) is left undecided, never passed.
//!
//! Approximations: the element's backdrop is its ancestors' backgrounds (as axe-core assumes
//! for elements in flow; a positioned element with no opaque background of its own is
//! undecided); the UA defaults are Chromium's for the properties read; text shadows and
//! filters are not read.

pub mod cascade;
pub mod color;
pub mod css;

use std::collections::HashSet;

use scraper::ElementRef;

use super::page::Page;
use super::rule::{Rule, RuleRun};
use cascade::{Computation, Computed, Val};
use color::{Rgba, WHITE};

/// The colour-contrast rule (a `const`, so [`super::rules::RULES`] can list it by value).
pub const COLOR_CONTRAST: Rule = Rule {
    id: "color-contrast",
    criteria: &["1.4.3"],
    help: "Text has a contrast ratio of at least 4.5:1 with its background (3:1 for large text)",
    run,
};

/// Large text: at least 18pt, or 14pt bold (WCAG 2.0's definition), in CSS px.
const LARGE_PX: f64 = 24.0;
const LARGE_BOLD_PX: f64 = 14.0 * 96.0 / 72.0;
/// The weight from which text is bold.
const BOLD: f64 = 700.0;

fn run(page: &Page, out: &mut RuleRun) {
    let styles = cascade::Styles::of(page);
    let computed = cascade::compute(page, &styles);
    let disabled = Disabled::of(page);
    let blockers = styles.blockers.join("; ");
    let scripted = runs_scripts(page);
    for el in page
        .doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
    {
        if !has_own_text(el) {
            continue;
        }
        let Some(chain) = chain(el, &computed) else {
            // Past a bound, or below an element past one: undecided, unless never rendered.
            if std::iter::once(el)
                .chain(el.ancestors().filter_map(ElementRef::wrap))
                .any(|e| NEVER_RENDERED.contains(&e.value().name()))
            {
                continue;
            }
            out.checked += 1;
            let why = computed.cut.as_deref().unwrap_or("style not computed");
            out.undecided(el, why.to_string());
            continue;
        };
        let Some(own) = chain.last() else { continue };
        if !own.rendered || !own.visible || chain.iter().any(|c| c.opacity == Ok(0.0)) {
            continue;
        }
        if disabled.exempts(el) {
            continue;
        }
        if &*el.value().name.ns == SVG_NS {
            // SVG's <title> and <desc> are names, not painted text; <text> is painted by `fill`.
            if SVG_TEXT.contains(&el.value().name()) {
                out.checked += 1;
                out.undecided(el, "SVG text: its fill is not evaluated");
            }
            continue;
        }
        out.checked += 1;
        if !blockers.is_empty() {
            out.undecided(el, blockers.clone());
            continue;
        }
        match judge(&chain) {
            // A script may set other colours once the page has loaded: only the rendered page
            // (`--browser`) can pass it.
            Verdict::Pass if scripted => out.undecided(
                el,
                "the page runs scripts, which may change its colours after it loads; only the rendered page decides",
            ),
            Verdict::Pass => {}
            Verdict::Fail(msg) => out.fail(el, msg),
            Verdict::Undecided(msg) => out.undecided(el, msg),
        }
    }
}

/// Whether the page runs a script: a `<script>` of JavaScript (no type, a JavaScript type or
/// `module`), or an inline event handler attribute (`onload`, `onclick` …).
fn runs_scripts(page: &Page) -> bool {
    page.doc
        .root_element()
        .descendants()
        .filter_map(ElementRef::wrap)
        .any(|e| {
            let v = e.value();
            let script = v.name() == "script"
                && v.attr("type").is_none_or(|t| {
                    let t = t.trim().to_ascii_lowercase();
                    t.is_empty()
                        || t == "module"
                        || t.contains("javascript")
                        || t.contains("ecmascript")
                });
            script || v.attrs().any(|(k, _)| k.len() > 2 && k.starts_with("on"))
        })
}

/// Elements whose content is never painted as text.
const NEVER_RENDERED: &[&str] = &[
    "head", "script", "style", "template", "noscript", "title", "iframe",
];
/// The SVG elements that paint text.
const SVG_TEXT: &[&str] = &["text", "tspan", "textPath"];

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Whether `el` shows text of its own: a direct text node with something other than
/// whitespace, or an `<input>`'s value (a button's label or a field's content).
fn has_own_text(el: ElementRef<'_>) -> bool {
    let v = el.value();
    if v.name() == "input" {
        let kind = v.attr("type").unwrap_or("text").trim().to_ascii_lowercase();
        let shown = v
            .attr("value")
            .is_some_and(|t| t.chars().any(|c| !c.is_whitespace()));
        return match kind.as_str() {
            // Without a value, the browser's own "Submit" or "Reset" is shown.
            "submit" | "reset" => true,
            "button" | "text" | "email" | "search" | "tel" | "url" | "number" | "" => shown,
            _ => false,
        };
    }
    el.children()
        .filter_map(|c| c.value().as_text())
        .any(|t| t.chars().any(|c| !c.is_whitespace()))
}

/// The computed styles from the root element down to `el`, or `None` if any is missing.
fn chain<'c>(el: ElementRef<'_>, computed: &'c Computation) -> Option<Vec<&'c Computed>> {
    let mut chain = vec![computed.styles.get(&el.id())?];
    for a in el.ancestors().filter_map(ElementRef::wrap) {
        chain.push(computed.styles.get(&a.id())?);
    }
    chain.reverse();
    Some(chain)
}

enum Verdict {
    Pass,
    Fail(String),
    Undecided(String),
}

/// The text and background colours as painted, root to element: backgrounds composited over
/// the canvas, each `opacity` group blended with what is behind it.
fn painted(chain: &[&Computed]) -> Val<(Rgba, Rgba)> {
    let mut bg: Val<Rgba> = Ok(WHITE);
    let mut groups: Vec<(f64, Val<Rgba>)> = Vec::new();
    for c in chain {
        if let Some(why) = &c.effect {
            return Err(why.clone());
        }
        match &c.positioned {
            Ok(false) => {}
            Ok(true) => {
                bg = Err("positioned (absolute or fixed): what is behind it is not known".into())
            }
            Err(why) => bg = Err(why.clone()),
        }
        let opacity = c.opacity.clone()?;
        if opacity < 1.0 {
            groups.push((opacity, bg.clone()));
        }
        bg = match &c.background {
            Ok(layer) if layer.is_opaque() => Ok(*layer),
            Ok(layer) => bg.map(|b| layer.over(b)),
            Err(why) => Err(why.clone()),
        };
    }
    let own = chain.last().ok_or("no element")?;
    let text = own.color.clone()?;
    if text.a <= 0.0 {
        return Err("text colour is transparent".into());
    }
    let mut bg = bg?;
    let mut fg = text.over(bg);
    for (alpha, behind) in groups.into_iter().rev() {
        let behind = behind?;
        fg = fg.through(alpha, behind);
        bg = bg.through(alpha, behind);
    }
    Ok((fg, bg))
}

fn judge(chain: &[&Computed]) -> Verdict {
    let (fg, bg) = match painted(chain) {
        Ok(p) => p,
        Err(why) => return Verdict::Undecided(why),
    };
    let ratio = color::contrast_ratio(fg, bg);
    let Some(own) = chain.last() else {
        return Verdict::Pass;
    };
    let large = match (&own.font_px, &own.weight) {
        (Ok(px), Ok(w)) => {
            Ok(*px >= LARGE_PX - 0.005 || (*px >= LARGE_BOLD_PX - 0.005 && *w >= BOLD))
        }
        (Err(why), _) | (_, Err(why)) => Err(why.clone()),
    };
    let shown = |needed: f64| {
        format!(
            "contrast {}:1 ({} on {}, {})",
            shown_ratio(ratio, needed),
            fg.hex(),
            bg.hex(),
            describe_font(own)
        )
    };
    match large {
        Ok(large) => {
            let needed = if large { 3.0 } else { 4.5 };
            if ratio < needed {
                Verdict::Fail(format!("{}, needs {needed}:1", shown(needed)))
            } else {
                Verdict::Pass
            }
        }
        Err(_) if ratio >= 4.5 => Verdict::Pass,
        Err(_) if ratio < 3.0 => {
            Verdict::Fail(format!("{}, needs 3:1 even for large text", shown(3.0)))
        }
        Err(why) => Verdict::Undecided(format!(
            "{}: passes only as large text, and {why}",
            shown(4.5)
        )),
    }
}

/// `ratio` to two places, cut rather than rounded where rounding would reach `needed`, so a
/// failing 4.499 never reads as 4.50.
fn shown_ratio(ratio: f64, needed: f64) -> String {
    let rounded = (ratio * 100.0).round() / 100.0;
    if ratio < needed && rounded >= needed {
        format!("{:.2}", (ratio * 100.0).floor() / 100.0)
    } else {
        format!("{rounded:.2}")
    }
}

fn describe_font(c: &Computed) -> String {
    let size = match &c.font_px {
        Ok(px) => {
            let s = format!("{px:.2}");
            format!("{}px", s.trim_end_matches('0').trim_end_matches('.'))
        }
        Err(_) => "size unknown".into(),
    };
    let weight = match c.weight {
        Ok(w) if w >= BOLD => "bold",
        Ok(_) => "normal weight",
        Err(_) => "weight unknown",
    };
    format!("{size} {weight}")
}

/// Disabled controls and their labels: WCAG's incidental text, exempt from 1.4.3.
struct Disabled {
    ids: HashSet<String>,
}

const CONTROLS: &[&str] = &[
    "button", "input", "select", "textarea", "optgroup", "option", "fieldset",
];

fn is_disabled(el: ElementRef<'_>) -> bool {
    let v = el.value();
    (CONTROLS.contains(&v.name()) && v.attr("disabled").is_some())
        || v.attr("aria-disabled")
            .is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
}

impl Disabled {
    fn of(page: &Page) -> Disabled {
        let ids = page
            .doc
            .root_element()
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| is_disabled(*e))
            .filter_map(|e| e.value().id().map(str::to_string))
            .collect();
        Disabled { ids }
    }

    fn exempts(&self, el: ElementRef<'_>) -> bool {
        std::iter::once(el)
            .chain(el.ancestors().filter_map(ElementRef::wrap))
            .any(|e| {
                is_disabled(e)
                    || (e.value().name() == "label"
                        && (e.value().attr("for").is_some_and(|f| self.ids.contains(f))
                            || e.descendants()
                                .filter_map(ElementRef::wrap)
                                .any(|d| CONTROLS.contains(&d.value().name()) && is_disabled(d))))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::a11y::issue::IssueKind;

    fn run_on(html: &str) -> RuleRun {
        let base = url::Url::parse("https://vendor.test/").expect("url");
        let page = Page::parse(base, html.as_bytes(), Vec::new());
        let mut out = RuleRun::default();
        (COLOR_CONTRAST.run)(&page, &mut out);
        out
    }

    #[test]
    fn grey_on_white_fails_with_the_figures() {
        let r = run_on(r#"<p id=p style="color:#777">Hello</p><p>ok</p>"#);
        assert_eq!(r.checked, 2);
        assert_eq!(r.issues.len(), 1);
        assert_eq!(r.issues[0].kind, IssueKind::Fail);
        assert_eq!(
            r.issues[0].message,
            "contrast 4.48:1 (#777777 on #ffffff, 16px normal weight), needs 4.5:1"
        );
    }

    #[test]
    fn semi_transparent_backgrounds_composite_over_the_parent() {
        let r = run_on(
            r#"<div style="background:#000"><p style="background:rgba(255,255,255,.5);color:#fff">x</p></div>"#,
        );
        assert_eq!(r.issues.len(), 1, "{:?}", r.issues);
        assert!(
            r.issues[0].message.contains("#ffffff on #808080"),
            "{}",
            r.issues[0].message
        );
    }

    #[test]
    fn opacity_blends_text_and_background_with_what_is_behind() {
        // #000 text at 40% over white reads as #999: 2.85:1.
        let r = run_on(r#"<p style="opacity:.4">x</p>"#);
        assert_eq!(r.issues.len(), 1);
        assert!(
            r.issues[0]
                .message
                .starts_with("contrast 2.85:1 (#999999 on #ffffff"),
            "{}",
            r.issues[0].message
        );
    }

    #[test]
    fn large_text_needs_three_and_unknown_size_decides_only_between() {
        let r = run_on(
            r#"<h1 style="color:#888">big</h1><p style="color:#888;font-size:14pt;font-weight:bold">bold</p>
               <p style="color:#888;font-size:14pt">not bold</p><p style="color:#888;font-size:calc(1em + 1vw)">calc</p>
               <p style="color:#ccc;font-size:calc(1em + 1vw)">pale</p>"#,
        );
        let kinds: Vec<_> = r
            .issues
            .iter()
            .map(|i| (i.kind, i.selector.clone()))
            .collect();
        assert_eq!(r.issues.len(), 3, "{kinds:?}");
        assert_eq!(r.issues[0].kind, IssueKind::Fail);
        assert_eq!(r.issues[1].kind, IssueKind::Undecided);
        assert_eq!(r.issues[2].kind, IssueKind::Fail);
    }

    #[test]
    fn hidden_disabled_and_head_text_are_not_checked() {
        let r = run_on(
            r#"<title>t</title><p hidden style="color:#eee">a</p><p style="visibility:hidden;color:#eee">b</p>
               <button disabled style="color:#eee">c</button><label for=i style="color:#eee">d</label><input id=i disabled>
               <script type="application/json">{"x": 1}</script><p>e</p>"#,
        );
        assert_eq!(r.checked, 1);
        assert!(r.issues.is_empty(), "{:?}", r.issues);
    }

    #[test]
    fn a_page_that_runs_scripts_passes_no_colour_but_still_fails_one() {
        let r = run_on(
            r#"<p id=fine>fine</p><p id=low style="color:#aaa">low</p><script>setTimeout(() => {}, 1)</script>"#,
        );
        let kinds: Vec<_> = r.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [IssueKind::Undecided, IssueKind::Fail],
            "{:?}",
            r.issues
        );
        assert!(
            r.issues[0].message.contains("runs scripts"),
            "{}",
            r.issues[0].message
        );
        let handler = run_on(r#"<body onload="go()"><p>text</p></body>"#);
        assert_eq!(handler.issues.len(), 1, "an inline handler is a script too");
    }

    #[test]
    fn inputs_show_their_values_and_svg_names_are_not_text() {
        let r = run_on(
            r#"<input type=submit style="color:#aaa"><input value="typed" style="color:#aaa"><input type=checkbox>
               <svg><title>logo</title><text id=t>hi</text></svg>"#,
        );
        let kinds: Vec<_> = r.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [IssueKind::Fail, IssueKind::Fail, IssueKind::Undecided],
            "{:?}",
            r.issues
        );
        assert!(
            r.issues[0].message.contains("on #efefef"),
            "{}",
            r.issues[0].message
        );
        assert_eq!(r.checked, 3);
    }

    #[test]
    fn closed_details_and_templates_hide_their_text() {
        let r = run_on(
            r#"<details><summary>More</summary><p style="color:#eee">hidden</p></details>
               <template><style>p { color: #eee }</style><p>inert</p></template><p>shown</p>"#,
        );
        assert!(r.issues.is_empty(), "{:?}", r.issues);
        assert_eq!(r.checked, 2);
    }

    #[test]
    fn filters_and_blend_modes_leave_the_colours_undecided() {
        let r = run_on(
            r#"<div style="filter: invert(1)"><p>a</p></div><p style="mix-blend-mode: difference">b</p>
               <p style="filter: none">c</p>"#,
        );
        let kinds: Vec<_> = r.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [IssueKind::Undecided, IssueKind::Undecided],
            "{:?}",
            r.issues
        );
        assert!(
            r.issues[0].message.contains("filter: invert(1)"),
            "{}",
            r.issues[0].message
        );
    }

    #[test]
    fn the_ratio_shown_never_rounds_up_to_what_is_needed() {
        assert_eq!(shown_ratio(4.4999, 4.5), "4.49");
        assert_eq!(shown_ratio(4.478, 4.5), "4.48");
        assert_eq!(shown_ratio(2.996, 3.0), "2.99");
        assert_eq!(shown_ratio(21.0, 4.5), "21.00");
    }
}
