//! `support_contact` (TEC-03): a support page — the profile's `support` page, else one the entry
//! page links to — answers 200 and publishes a contact (an e-mail address, a phone number or a
//! contact form) and the hours support is open. A service with no support page passes only when
//! its entry page itself publishes both. Whether the contact answers within the hours a
//! reviewer confirms.

use std::any::Any;
use std::sync::OnceLock;

use futures_util::future::BoxFuture;
use regex::Regex;
use scraper::{Html, Selector};
use serde::Deserialize;

use super::text::{searchable, shown, visible_text_of};
use crate::http::{Incoming, reason};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::model::resolve::ResolvedPage;
use crate::outcome::Finding;
use crate::probes::notices::{fetch, links, named};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// Words (folded) that name a support page in a link's text or address.
const SUPPORT_WORDS: &[&str] = &[
    "support",
    "help",
    "contact",
    "aide",
    "soutien",
    "nous joindre",
    "assistance",
];

/// Support links followed at most.
const MAX_CANDIDATES: usize = 3;

const WHAT_STAYS: &str = "TEC-03 is partly automatable: a reviewer confirms that the contact \
     answers, within the published hours";

fn entry() -> Located<String> {
    Located::new("entry".to_string())
}

/// Parameters of `support_contact`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupportContactParams {
    /// The page whose links lead to support when the profile declares no `support` page
    /// (default `entry`).
    #[serde(default = "entry")]
    pub from: Located<String>,
}

impl ProbeParams for SupportContactParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        vec![&self.from]
    }
}

/// `support_contact`: a support page publishes a contact and hours.
pub struct SupportContact;

impl Probe for SupportContact {
    const NAME: &'static str = "support_contact";
    const ABOUT: &'static str = "a support page (declared, or linked from the entry page) publishes a contact (e-mail, phone or form) and hours";
    const PARAMS: &'static [&'static str] = &["from"];
    type Params = SupportContactParams;
    fn run<'a, 'b>(
        params: &'a SupportContactParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(support_contact(params, env))
    }
}

/// What a page publishes of support.
#[derive(Debug, Default, PartialEq, Eq)]
struct Published {
    contact: Option<String>,
    hours: Option<String>,
    text: String,
}

impl Published {
    fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.contact.is_none() {
            out.push("no contact (an e-mail address, a phone number or a contact form)");
        }
        if self.hours.is_none() {
            out.push("no hours (e.g. Monday to Friday, 8:00 to 17:00)");
        }
        out
    }
}

const EXPECTED: &str =
    "a support page publishes a contact (e-mail, phone or form) and the hours support is open";

async fn support_contact(params: &SupportContactParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    if let Some(declared) = env.target.pages.get("support").cloned() {
        return declared_page(env, &declared).await;
    }
    let from = env.page(&params.from)?;
    let (from_url, resp) = env.get_page(&from, "support_contact").await?;
    if resp.status != 200 {
        let f = Finding::new(
            EXPECTED,
            format!(
                "the profile declares no support page, and GET {from_url} (to find a link to one) answered {} {}",
                resp.status,
                reason(resp.status)
            ),
        );
        return Ok(env.resting_on_last_exchange(vec![f]));
    }
    let html = resp.text();
    let all = links(&html);
    let mut tried = Vec::new();
    for link in named(&all, SUPPORT_WORDS).into_iter().take(MAX_CANDIDATES) {
        let Ok(target) = from_url.join(&link.href) else {
            continue;
        };
        if target.scheme() != "https" || target == from_url {
            continue;
        }
        let (at, answer) = fetch(env, target, "support_contact").await?;
        if answer.status != 200 {
            tried.push(format!(
                "{at} answered {} {}",
                answer.status,
                reason(answer.status)
            ));
            continue;
        }
        let p = published(&answer.text());
        if p.missing().is_empty() {
            note_found(env, &format!("{at}, linked from {from_url}"), &p);
            return Ok(Vec::new());
        }
        tried.push(format!("{at}: {}", p.missing().join("; ")));
    }
    // No support page: the entry page itself may publish both.
    let own = published(&html);
    if own.missing().is_empty() {
        note_found(
            env,
            &format!("{from_url} itself (no support page declared or linked)"),
            &own,
        );
        return Ok(Vec::new());
    }
    let searched = if tried.is_empty() {
        format!(
            "none of the {} links of {from_url} names a support or contact page",
            all.len()
        )
    } else {
        format!("the support links of {from_url}: {}", tried.join("; "))
    };
    let f = Finding::new(
        EXPECTED,
        format!(
            "the profile declares no support page; {searched}; and {from_url} itself has {}; its visible text: {}",
            own.missing().join(" and "),
            shown(&own.text)
        ),
    );
    Ok(env.resting_on_last_exchange(vec![f]))
}

/// Judges the profile's `support` page, fetched without signing in: a patient who cannot sign
/// in is the one who needs it.
async fn declared_page(env: &mut ProbeEnv<'_>, declared: &ResolvedPage) -> ProbeResult {
    let anonymous = ResolvedPage {
        path: declared.path.clone(),
        actor: None,
        fr: None,
    };
    if let Some(a) = &declared.actor {
        env.notes.push(format!(
            "the support page is declared as fetched as {a}; it is fetched without signing in, as a patient who cannot sign in would"
        ));
    }
    let (url, resp) = env.get_page(&anonymous, "support_contact").await?;
    let finding = match judge_answer(&resp) {
        Ok(p) if p.missing().is_empty() => {
            note_found(env, url.as_str(), &p);
            return Ok(Vec::new());
        }
        Ok(p) => Finding::new(
            EXPECTED,
            format!(
                "GET {url}: {}; its visible text: {}",
                p.missing().join("; "),
                shown(&p.text)
            ),
        ),
        Err(why) => Finding::new(EXPECTED, format!("GET {url} {why}")),
    };
    Ok(env.resting_on_last_exchange(vec![finding]))
}

fn judge_answer(resp: &Incoming) -> Result<Published, String> {
    if resp.status != 200 {
        return Err(format!("answered {} {}", resp.status, reason(resp.status)));
    }
    Ok(published(&resp.text()))
}

fn note_found(env: &mut ProbeEnv<'_>, at: &str, p: &Published) {
    env.notes.push(format!(
        "support at {at}: contact {}, hours \"{}\"",
        p.contact.as_deref().unwrap_or("-"),
        p.hours.as_deref().unwrap_or("-")
    ));
    env.notes.push(WHAT_STAYS.to_string());
}

/// What an HTML page publishes of support: the first contact and hours it shows.
fn published(html: &str) -> Published {
    let doc = Html::parse_document(html);
    let text = visible_text_of(&doc);
    let folded = searchable(&text);
    let r = res();
    let contact = link_contact(&doc)
        .or_else(|| {
            r.email
                .find(&folded)
                .map(|m| format!("e-mail {}", m.as_str()))
        })
        .or_else(|| {
            r.phone
                .find(&folded)
                .map(|m| format!("phone {}", m.as_str()))
        })
        .or_else(|| contact_form(&doc).then(|| "a contact form".to_string()));
    let hours = r.hours.find(&folded).map(|m| m.as_str().to_string());
    Published {
        contact,
        hours,
        text,
    }
}

/// A `mailto:` or `tel:` link.
fn link_contact(doc: &Html) -> Option<String> {
    let sel = Selector::parse("a[href]").ok()?;
    doc.select(&sel).find_map(|a| {
        let href = a.value().attr("href")?.trim();
        let after = |scheme: &str| {
            let (head, rest) = href.split_at_checked(scheme.len())?;
            (head.eq_ignore_ascii_case(scheme) && !rest.is_empty()).then_some(rest)
        };
        after("mailto:")
            .map(|to| format!("e-mail {to}"))
            .or_else(|| after("tel:").map(|to| format!("phone {to}")))
    })
}

/// A form to write to support: a text area or e-mail field, and no password (a sign-in form is
/// no contact).
fn contact_form(doc: &Html) -> bool {
    let (Ok(forms), Ok(writes), Ok(password)) = (
        Selector::parse("form"),
        Selector::parse("textarea, input[type=email]"),
        Selector::parse("input[type=password]"),
    ) else {
        return false;
    };
    doc.select(&forms)
        .any(|f| f.select(&writes).next().is_some() && f.select(&password).next().is_none())
}

struct Patterns {
    email: Regex,
    phone: Regex,
    hours: Regex,
}

fn res() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        email: Regex::new(r"\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
            .expect("the e-mail pattern is valid"),
        // North American numbers: 1-800-555-0199, (416) 555-0100, 416.555.0100, +1 416 555 0100.
        phone: Regex::new(r"(?:\+?1[-. ]?)?(?:\(\d{3}\)|\b\d{3})[-. ]?\d{3}[-. ]\d{4}\b")
            .expect("the phone pattern is valid"),
        // A time of day (8:00, 8 a.m., 17 h, 8 h 30) or round-the-clock support.
        hours: Regex::new(
            r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*(?:a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}\s?h(?:\s?\d{2})?\b|24/7|24\s*(?:hours|h)\s*(?:a\s+day|sur\s+24)|around\s+the\s+clock",
        )
        .expect("the hours pattern is valid"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_and_hours_in_the_forms_vendors_write_them() {
        let p = published(
            "<main><p>Call 1-800-555-0199, Monday to Friday, 8 a.m. to 5 p.m.</p></main>",
        );
        assert_eq!(p.contact.as_deref(), Some("phone 1-800-555-0199"));
        assert_eq!(p.hours.as_deref(), Some("8 a.m."));
        let p = published(
            r#"<p><a href="mailto:aide@clinique.test">Écrivez-nous</a>, du lundi au vendredi de 8&nbsp;h&nbsp;30 à 17&nbsp;h.</p>"#,
        );
        assert_eq!(p.contact.as_deref(), Some("e-mail aide@clinique.test"));
        assert_eq!(p.hours.as_deref(), Some("8 h 30"));
        let p = published(
            r#"<form action="/help"><label for="q">Question</label><textarea id="q"></textarea></form><p>We answer 24/7.</p>"#,
        );
        assert_eq!(p.contact.as_deref(), Some("a contact form"));
        assert_eq!(p.hours.as_deref(), Some("24/7"));
        assert_eq!(
            published("<p>Support: (416) 555-0100</p>").missing(),
            ["no hours (e.g. Monday to Friday, 8:00 to 17:00)"]
        );
    }

    #[test]
    fn a_sign_in_form_and_hidden_text_are_no_contact() {
        let p = published(
            r#"<form><input type="email" name="u"><input type="password" name="p"></form>
<p hidden>support@reference.test 8:00-17:00</p>"#,
        );
        assert_eq!(p.contact, None);
        assert_eq!(p.hours, None);
        assert_eq!(p.missing().len(), 2);
    }
}
