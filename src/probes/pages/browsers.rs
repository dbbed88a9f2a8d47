//! `browser_reach` (TEC-01): the patient pages (by default entry, sign-in and compose) answer
//! current desktop and mobile browsers alike — each User-Agent gets 200 and the same visible
//! text, per-request tokens aside — need no plug-in (no Flash, Java or ActiveX `<object>`,
//! `<embed>` or `<applet>`), and carry a `viewport` meta that fits small screens and leaves zoom
//! on. Whether the pages really work in those browsers (scripts, layout) a reviewer confirms
//! with the browsers themselves.

use std::any::Any;
use std::sync::OnceLock;

use futures_util::future::BoxFuture;
use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use serde::Deserialize;

use super::text::{shown, visible_text_of};
use super::{as_whom, declared, fetch_as, signed_in_first};
use crate::http::reason;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, Finding};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// A browser as a server sees it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Browser {
    pub name: String,
    pub user_agent: String,
}

/// Current browsers, desktop and mobile (their User-Agent strings as of late 2026; a suite
/// may give its own with `browsers:`).
const BROWSERS: &[(&str, &str)] = &[
    (
        "Chrome on Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36",
    ),
    (
        "Firefox on Windows",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0",
    ),
    (
        "Safari on iPhone",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1",
    ),
    (
        "Chrome on Android",
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Mobile Safari/537.36",
    ),
];

fn current_browsers() -> Vec<Browser> {
    BROWSERS
        .iter()
        .map(|(name, ua)| Browser {
            name: name.to_string(),
            user_agent: ua.to_string(),
        })
        .collect()
}

fn patient_pages() -> Vec<Located<String>> {
    ["entry", "login", "compose"]
        .into_iter()
        .map(|p| Located::new(p.to_string()))
        .collect()
}

/// Parameters of `browser_reach`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrowserReachParams {
    /// The pages fetched (default `[entry, login, compose]`).
    #[serde(default = "patient_pages")]
    pub pages: Vec<Located<String>>,
    /// The browsers whose User-Agent the pages are fetched with (default: current Chrome and
    /// Firefox on the desktop, Safari on iPhone, Chrome on Android).
    #[serde(default = "current_browsers")]
    pub browsers: Vec<Browser>,
}

impl ProbeParams for BrowserReachParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn optional_pages(&self) -> Vec<&Located<String>> {
        self.pages.iter().collect()
    }
}

/// `browser_reach`: the patient pages serve current browsers alike, without plug-ins, zoomable.
pub struct BrowserReach;

impl Probe for BrowserReach {
    const NAME: &'static str = "browser_reach";
    const ABOUT: &'static str = "the patient pages answer current desktop and mobile browsers with the same content, need no plug-in and leave zoom on";
    const PARAMS: &'static [&'static str] = &["pages", "browsers"];
    type Params = BrowserReachParams;
    fn run<'a, 'b>(
        params: &'a BrowserReachParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(browser_reach(params, env))
    }
}

/// What one browser was shown.
struct Shown {
    browser: String,
    text: String,
    problems: Vec<String>,
}

async fn browser_reach(params: &BrowserReachParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    if params.browsers.is_empty() {
        return Err(CheckError::new(
            crate::outcome::ErrorKind::Input,
            "`browsers:` names no browser",
        ));
    }
    let mut findings = Vec::new();
    for name in signed_in_first(env, &params.pages) {
        let Some(page) = declared(env, name)? else {
            env.notes.push(format!(
                "the profile declares no {name} page (`pages:`): not fetched"
            ));
            continue;
        };
        let mut seen: Vec<Shown> = Vec::new();
        for b in &params.browsers {
            let headers = [("User-Agent", b.user_agent.as_str())];
            let (url, resp) = fetch_as(env, &page, &page.path, &headers, "browser_reach").await?;
            if resp.status != 200 {
                let mut f = Finding::new(
                    format!("the {name} page answers 200 to {}", b.name),
                    format!(
                        "GET {url} {} with the User-Agent of {} answered {} {}",
                        as_whom(&page),
                        b.name,
                        resp.status,
                        reason(resp.status)
                    ),
                );
                f.exchange = env.evidence.exchanges.last().map(|e| e.summary());
                findings.push(f);
                continue;
            }
            let doc = Html::parse_document(&resp.text());
            seen.push(Shown {
                browser: b.name.clone(),
                text: without_tokens(&visible_text_of(&doc)),
                problems: plug_ins(&doc).into_iter().chain(viewport(&doc)).collect(),
            });
        }
        findings.extend(judge(name, &seen));
        if let Some(first) = seen.first() {
            env.notes.push(format!(
                "{name} page ({}): {} of {} browsers answered 200; text of {} characters",
                page.path,
                seen.len(),
                params.browsers.len(),
                first.text.chars().count()
            ));
        }
    }
    env.notes.push(
        "TEC-01 is partly automatable: a reviewer still signs in, writes and sends a message in \
         the current Chrome, Firefox, Edge and Safari (desktop and mobile) and on a small screen \
         with zoom at 200 %"
            .to_string(),
    );
    Ok(findings)
}

/// The findings of one page over what every browser was shown.
fn judge(name: &str, seen: &[Shown]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let Some(first) = seen.first() else {
        return findings;
    };
    for other in &seen[1..] {
        if let Some(at) = first_difference(&first.text, &other.text) {
            findings.push(Finding::new(
                format!("the {name} page shows every browser the same content"),
                format!(
                    "{} is shown other text than {}: {at}",
                    other.browser, first.browser
                ),
            ));
        }
    }
    // A problem shown to every browser is one finding naming them all.
    let mut problems: Vec<(String, Vec<&str>)> = Vec::new();
    for s in seen {
        for p in &s.problems {
            match problems.iter_mut().find(|(q, _)| q == p) {
                Some((_, who)) => who.push(&s.browser),
                None => problems.push((p.clone(), vec![&s.browser])),
            }
        }
    }
    for (p, who) in problems {
        let whom = if who.len() == seen.len() {
            "every browser".to_string()
        } else {
            who.join(", ")
        };
        findings.push(Finding::new(
            format!("the {name} page needs no plug-in and fits small screens with zoom left on"),
            format!("{p} (shown to {whom})"),
        ));
    }
    findings
}

/// Where two page texts first part, a few words either side; `None` when they are the same.
fn first_difference(a: &str, b: &str) -> Option<String> {
    if a == b {
        return None;
    }
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let i = wa.iter().zip(&wb).take_while(|(x, y)| x == y).count();
    let around = |w: &[&str]| {
        let from = i.saturating_sub(3);
        shown(&w[from..w.len().min(i + 8)].join(" "))
    };
    Some(format!(
        "from word {}, {} against {}",
        i + 1,
        around(&wb),
        around(&wa)
    ))
}

/// The text with per-request tokens (long runs of letters and digits: CSRF values, nonces)
/// masked, so that two fetches of the same page compare equal.
fn without_tokens(text: &str) -> String {
    static TOKEN: OnceLock<Regex> = OnceLock::new();
    let re = TOKEN.get_or_init(|| {
        Regex::new(r"\b[A-Za-z0-9+/_=-]*[0-9][A-Za-z0-9+/_=-]*\b")
            .expect("the token pattern is valid")
    });
    re.replace_all(text, |m: &regex::Captures<'_>| {
        let t = &m[0];
        let mixed = t.chars().any(|c| c.is_ascii_alphabetic());
        if t.len() >= 20 && mixed {
            "[token]".to_string()
        } else {
            t.to_string()
        }
    })
    .into_owned()
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    match Selector::parse(css) {
        Ok(sel) => doc.select(&sel).collect(),
        Err(_) => Vec::new(),
    }
}

/// The plug-ins a page asks for: `<applet>`, and `<object>`/`<embed>` of Flash, Java, ActiveX
/// or Silverlight (a PDF or an SVG in an `<object>` needs none).
fn plug_ins(doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for e in select(doc, "applet, object, embed") {
        let v = e.value();
        let attr = |k: &str| v.attr(k).unwrap_or("").to_ascii_lowercase();
        let (kind, source) = (attr("type"), format!("{} {}", attr("data"), attr("src")));
        let classid = attr("classid");
        let what = if v.name() == "applet" || kind.contains("java") || classid.starts_with("java:")
        {
            Some("Java")
        } else if kind.contains("shockwave-flash")
            || kind.contains("futuresplash")
            || source.contains(".swf")
            || classid.contains("d27cdb6e-ae6d-11cf-96b8-444553540000")
        {
            Some("Flash")
        } else if kind.contains("silverlight") || source.contains(".xap") {
            Some("Silverlight")
        } else if classid.starts_with("clsid:") {
            Some("ActiveX")
        } else {
            source
                .split_whitespace()
                .any(|s| s.ends_with(".jar") || s.ends_with(".class"))
                .then_some("Java")
        };
        if let Some(what) = what {
            out.push(format!("a <{}> asks for the {what} plug-in", v.name()));
        }
    }
    out
}

/// What is wrong with the page's `viewport` meta for small screens, if anything.
fn viewport(doc: &Html) -> Option<String> {
    let metas = select(doc, "meta[name]");
    let Some(meta) = metas.iter().find(|m| {
        m.value()
            .attr("name")
            .is_some_and(|n| n.eq_ignore_ascii_case("viewport"))
    }) else {
        return Some(
            "no <meta name=\"viewport\">: small screens get the desktop layout shrunk".to_string(),
        );
    };
    let content = meta.value().attr("content").unwrap_or("");
    let settings: Vec<(String, String)> = content
        .split([',', ';'])
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase()))
        })
        .collect();
    let get = |k: &str| {
        settings
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let quoted = format!("<meta name=\"viewport\" content=\"{content}\">");
    if let Some(v) = get("user-scalable")
        && matches!(v, "no" | "0" | "false")
    {
        return Some(format!("{quoted} turns zoom off (user-scalable={v})"));
    }
    if let Some(v) = get("maximum-scale")
        && v.parse::<f64>().is_ok_and(|m| m < 2.0)
    {
        return Some(format!(
            "{quoted} caps zoom below 200 % (maximum-scale={v})"
        ));
    }
    if get("width") != Some("device-width") && get("initial-scale").is_none() {
        return Some(format!(
            "{quoted} neither follows the device width nor sets an initial scale"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(html: &str) -> Vec<String> {
        let doc = Html::parse_document(html);
        plug_ins(&doc).into_iter().chain(viewport(&doc)).collect()
    }

    const GOOD_VIEWPORT: &str =
        r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#;

    #[test]
    fn a_viewport_that_blocks_zoom_or_is_missing_is_a_problem() {
        assert!(problems(GOOD_VIEWPORT).is_empty());
        assert!(
            problems(r#"<meta name="Viewport" content="initial-scale=1, maximum-scale=5">"#)
                .is_empty()
        );
        let blocked = problems(
            r#"<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no">"#,
        );
        assert_eq!(blocked.len(), 1, "{blocked:?}");
        assert!(blocked[0].contains("user-scalable=no"), "{blocked:?}");
        let capped =
            problems(r#"<meta name="viewport" content="width=device-width, maximum-scale=1.5">"#);
        assert!(capped[0].contains("maximum-scale=1.5"), "{capped:?}");
        assert!(
            problems(r#"<meta name="viewport" content="width=device-width; user-scalable=0">"#)[0]
                .contains("user-scalable=0")
        );
        assert!(problems("<p>no meta</p>")[0].contains("no <meta name=\"viewport\">"));
        assert!(
            problems(r#"<meta name="viewport" content="width=1024">"#)[0].contains("device width")
        );
    }

    #[test]
    fn flash_java_and_activex_need_plug_ins_but_a_pdf_does_not() {
        let page = |body: &str| problems(&format!("{GOOD_VIEWPORT}{body}"));
        assert!(
            page(r#"<object data="/care-plan.pdf" type="application/pdf"></object>"#).is_empty()
        );
        assert!(page(r#"<embed src="/chart.svg" type="image/svg+xml">"#).is_empty());
        for (body, what) in [
            (r#"<embed src="/intro.swf">"#, "Flash"),
            (
                r#"<object type="application/x-shockwave-flash" data="/x"></object>"#,
                "Flash",
            ),
            (r#"<applet code="Chat.class"></applet>"#, "Java"),
            (
                r#"<object type="application/x-java-applet"></object>"#,
                "Java",
            ),
            (
                r#"<object classid="clsid:6BF52A52-394A-11D3-B153-00C04F79FAA6"></object>"#,
                "ActiveX",
            ),
        ] {
            let p = page(body);
            assert_eq!(p.len(), 1, "{body}: {p:?}");
            assert!(p[0].contains(what), "{body}: {p:?}");
        }
    }

    #[test]
    fn tokens_are_masked_and_differences_located() {
        let a = without_tokens("Sign in token 9f8e7d6c5b4a39281706f5e4 on 2026-12-01 at 8:00");
        let b = without_tokens("Sign in token 0a1b2c3d4e5f60718293a4b5 on 2026-12-01 at 8:00");
        assert_eq!(a, b);
        assert!(a.contains("2026-12-01"), "dates are no tokens: {a}");
        let seen = |browser: &str, text: &str| Shown {
            browser: browser.into(),
            text: text.into(),
            problems: Vec::new(),
        };
        let f = judge(
            "entry",
            &[
                seen("Chrome on Windows", "Welcome Sign in to your messages"),
                seen("Safari on iPhone", "Welcome Your browser is not supported"),
            ],
        );
        assert_eq!(f.len(), 1);
        assert!(
            f[0].seen.contains(
                "Safari on iPhone is shown other text than Chrome on Windows: from word 2"
            ),
            "{}",
            f[0].seen
        );
        assert!(
            f[0].seen.contains("Your browser is not supported"),
            "{}",
            f[0].seen
        );
    }
}
