//! `policy_links` (PRV-05): the patient entry page links — by its own `<a href>`s, read from
//! the HTML, not the profile's page map — to a privacy notice and to terms of use, and each
//! answers 200 with text of its own (at least `min_chars` characters a reader sees, or a
//! document such as a PDF). A link is taken for the privacy notice or the terms when its text,
//! `title`, `aria-label` or address says so, in English or French.

use std::any::Any;

use futures_util::future::BoxFuture;
use scraper::{Html, Selector};
use serde::Deserialize;

use super::pages::text::visible_text;
use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::{reason, seen};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};

fn entry() -> Located<String> {
    Located::new("entry".to_string())
}

fn two_hundred() -> usize {
    200
}

/// Links followed per notice at most, and redirects per link.
const MAX_CANDIDATES: usize = 3;
const MAX_REDIRECTS: usize = 3;

/// Parameters of `policy_links`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyLinkParams {
    /// The page whose links are followed (default `entry`).
    #[serde(default = "entry")]
    pub page: Located<String>,
    /// Characters of readable text a notice needs at least (default 200).
    #[serde(default = "two_hundred")]
    pub min_chars: usize,
}

impl ProbeParams for PolicyLinkParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        vec![&self.page]
    }
}

/// `policy_links`: the entry page links to a privacy notice and terms of use that exist.
pub struct PolicyLinks;

impl Probe for PolicyLinks {
    const NAME: &'static str = "policy_links";
    const ABOUT: &'static str =
        "the entry page links to a privacy notice and terms of use that answer 200 with text";
    const PARAMS: &'static [&'static str] = &["page", "min_chars"];
    type Params = PolicyLinkParams;
    fn run<'a, 'b>(
        params: &'a PolicyLinkParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(policy_links(params, env))
    }
}

/// A notice the page must link to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Privacy,
    Terms,
}

impl Notice {
    fn label(self) -> &'static str {
        match self {
            Notice::Privacy => "privacy notice",
            Notice::Terms => "terms of use",
        }
    }

    /// Words (folded) that name it in a link's text or address.
    fn words(self) -> &'static [&'static str] {
        match self {
            Notice::Privacy => &[
                "privacy",
                "confidentialité",
                "confidentialite",
                "vie privée",
                "renseignements personnels",
            ],
            Notice::Terms => &[
                "terms",
                "conditions d'utilisation",
                "conditions of use",
                "modalités",
            ],
        }
    }
}

/// One link of the page: what it says (text, title, aria-label) and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub says: String,
    pub href: String,
}

/// Every `<a href>` of an HTML page.
pub fn links(html: &str) -> Vec<Link> {
    let doc = Html::parse_document(html);
    let Ok(sel) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    doc.select(&sel)
        .filter_map(|a| {
            let href = a.value().attr("href")?.trim().to_string();
            let mut says: Vec<String> = vec![a.text().collect::<String>()];
            says.extend(
                ["title", "aria-label"]
                    .iter()
                    .filter_map(|k| a.value().attr(k).map(str::to_string)),
            );
            Some(Link {
                says: seen::fold(&says.join(" ")),
                href,
            })
        })
        .collect()
}

/// The links that name `notice`, in page order, each address once.
pub fn candidates(all: &[Link], notice: Notice) -> Vec<&Link> {
    named(all, notice.words())
}

/// The links whose text or address holds one of `words` (folded), in page order, each address
/// once.
pub fn named<'a>(all: &'a [Link], words: &[&str]) -> Vec<&'a Link> {
    let mut out: Vec<&Link> = Vec::new();
    for l in all {
        let address = seen::fold(&seen::percent_decoded(&l.href));
        let hit = words
            .iter()
            .any(|w| l.says.contains(w) || address.contains(w));
        if hit && !out.iter().any(|o| o.href == l.href) {
            out.push(l);
        }
    }
    out
}

/// Fetches `url` anonymously, following a few redirects, and records the exchanges under
/// `purpose`; the last answer and its URL.
pub(crate) async fn fetch(
    env: &mut ProbeEnv<'_>,
    mut url: url::Url,
    purpose: &str,
) -> Result<(url::Url, crate::http::Incoming), CheckError> {
    for _ in 0..=MAX_REDIRECTS {
        let resp = env
            .get(url.clone(), purpose)
            .await
            .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
        let next = (300..400)
            .contains(&resp.status)
            .then(|| resp.header("location").and_then(|l| url.join(l).ok()))
            .flatten();
        match next {
            Some(n) if n.scheme() == "https" => {
                if let Some(why) = env.http.hosts.refusal(&n, "redirected to") {
                    return Err(CheckError::new(
                        ErrorKind::Transport,
                        format!("GET {url}: {why}"),
                    ));
                }
                url = n;
            }
            _ => return Ok((url, resp)),
        }
    }
    Err(CheckError::new(
        ErrorKind::Transport,
        format!("GET {url}: more than {MAX_REDIRECTS} redirects"),
    ))
}

/// What is wrong with a notice's answer, if anything.
fn notice_problem(resp: &crate::http::Incoming, min_chars: usize) -> Option<String> {
    if resp.status != 200 {
        return Some(format!("answered {} {}", resp.status, reason(resp.status)));
    }
    let media = resp
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    let chars = if media.contains("html") {
        visible_text(&resp.text()).chars().count()
    } else if media.starts_with("text/") {
        resp.text()
            .split_whitespace()
            .collect::<String>()
            .chars()
            .count()
    } else {
        // A document (a PDF): its size stands for its text.
        resp.body.len()
    };
    (chars < min_chars)
        .then(|| format!("has only {chars} characters of text (at least {min_chars} expected)"))
}

async fn policy_links(params: &PolicyLinkParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let page = env.page(&params.page)?;
    let (page_url, resp) = env.get_page(&page, "policy_links").await?;
    if resp.status != 200 {
        let f = Finding::new(
            "the entry page answers 200 with links to a privacy notice and terms of use",
            format!(
                "GET {page_url} answered {} {}",
                resp.status,
                reason(resp.status)
            ),
        );
        return Ok(env.resting_on_last_exchange(vec![f]));
    }
    let all = links(&resp.text());
    let mut findings = Vec::new();
    for notice in [Notice::Privacy, Notice::Terms] {
        let expected = format!(
            "the entry page links to a {} that answers 200 with text",
            notice.label()
        );
        let found = candidates(&all, notice);
        if found.is_empty() {
            let mut f = Finding::new(
                expected,
                format!(
                    "none of the {} links of {page_url} names a {} (by its text, title or address)",
                    all.len(),
                    notice.label()
                ),
            );
            f.exchange = env.evidence.exchanges.first().map(|e| e.summary());
            findings.push(f);
            continue;
        }
        let mut tried = Vec::new();
        let mut good = None;
        for link in found.iter().take(MAX_CANDIDATES) {
            let Ok(target) = page_url.join(&link.href) else {
                tried.push(format!("`{}` is not a URL", link.href));
                continue;
            };
            if !matches!(target.scheme(), "https" | "http") {
                tried.push(format!("`{}` is not a web address", link.href));
                continue;
            }
            let (at, answer) = fetch(env, target, "policy_links").await?;
            match notice_problem(&answer, params.min_chars) {
                None => {
                    good = Some(at);
                    break;
                }
                Some(why) => tried.push(format!("{at} {why}")),
            }
        }
        match good {
            Some(at) => env.notes.push(format!(
                "{}: linked from the entry page, {at} answers 200 with text",
                notice.label()
            )),
            None => {
                let mut f = Finding::new(expected, tried.join("; "));
                f.exchange = env.evidence.exchanges.last().map(|e| e.summary());
                findings.push(f);
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><body><nav><a href="/login">Sign in</a>
        <a href="/legal/privacy" title="How we handle your information">Privacy notice</a></nav>
        <p>Lisez nos <a href="/fr/conditions">conditions d'utilisation</a>.</p>
        <a href="/help" aria-label="Terms of use">?</a><a href="/legal/privacy">Privacy</a></body></html>"#;

    #[test]
    fn notices_are_told_by_link_text_title_label_or_address_in_english_or_french() {
        let all = links(PAGE);
        let privacy: Vec<&str> = candidates(&all, Notice::Privacy)
            .iter()
            .map(|l| l.href.as_str())
            .collect();
        assert_eq!(privacy, ["/legal/privacy"], "one address, once");
        let terms: Vec<&str> = candidates(&all, Notice::Terms)
            .iter()
            .map(|l| l.href.as_str())
            .collect();
        assert_eq!(terms, ["/fr/conditions", "/help"]);
        let none = links(r#"<a href="/login">Sign in</a><a href="/help">Help</a>"#);
        assert!(candidates(&none, Notice::Privacy).is_empty());
    }
}
