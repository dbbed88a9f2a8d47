//! Passive header rules over every response the run recorded from the target's own origins, the
//! way a ZAP baseline scan reads them: `security_headers` (SEC-09: `nosniff` everywhere; on HTML
//! pages a Content-Security-Policy, framing denied, and a Referrer-Policy that keeps paths to
//! the site) and `hsts_everywhere` (SEC-03: every HTTPS response carries a valid HSTS header).
//! Each missing header is reported once per kind of response, with examples.

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::passive::{
    Kind, finding, header, headers, kind, looked_at, own_https, something_recorded,
};
use super::transport::{MIN_HSTS_MAX_AGE, hsts_max_age};
use super::{Probe, ProbeEnv, ProbeResult};
use crate::model::probe::ProbeParams;
use crate::outcome::Exchange;

/// Parameters of `security_headers`: none.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl ProbeParams for NoParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `security_headers`: the hardening headers on every recorded response of its kind.
pub struct SecurityHeaders;

impl Probe for SecurityHeaders {
    const NAME: &'static str = "security_headers";
    const ABOUT: &'static str =
        "nosniff, CSP, framing and Referrer-Policy on every recorded response (passive)";
    const PARAMS: &'static [&'static str] = &[];
    const PASSIVE: bool = true;
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { security_headers(env) })
    }
}

/// Referrer policies that never send a path to another origin.
const SAFE_REFERRER: &[&str] = &[
    "no-referrer",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
];

/// Every referrer policy token a browser knows (the last known one in the header applies).
const KNOWN_REFERRER: &[&str] = &[
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
];

/// One rule: what it asks, which kinds it applies to, and why a response breaks it.
struct Rule {
    expected: &'static str,
    kinds: &'static [Kind],
    broken: fn(&Exchange) -> Option<String>,
}

fn nosniff(e: &Exchange) -> Option<String> {
    match header(e, "x-content-type-options") {
        Some(v) if v.trim().eq_ignore_ascii_case("nosniff") => None,
        Some(v) => Some(format!(" (X-Content-Type-Options: {v})")),
        None => Some(String::new()),
    }
}

/// The value of `directive` in the enforced Content-Security-Policy headers, if any names it.
fn csp_directive(e: &Exchange, directive: &str) -> Option<String> {
    headers(e, "content-security-policy")
        .flat_map(|v| v.split(';'))
        .find_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
            name.eq_ignore_ascii_case(directive)
                .then(|| value.trim().to_string())
        })
}

fn csp(e: &Exchange) -> Option<String> {
    match headers(e, "content-security-policy").any(|v| !v.trim().is_empty()) {
        true => None,
        false if header(e, "content-security-policy-report-only").is_some() => {
            Some(" (only Content-Security-Policy-Report-Only, which enforces nothing)".into())
        }
        false => Some(String::new()),
    }
}

fn framing(e: &Exchange) -> Option<String> {
    if let Some(v) = csp_directive(e, "frame-ancestors") {
        return match v.split_whitespace().any(|s| s == "*") {
            true => Some(format!(" (frame-ancestors {v})")),
            false => None,
        };
    }
    match header(e, "x-frame-options").map(|v| v.trim().to_ascii_uppercase()) {
        Some(v) if v == "DENY" || v == "SAMEORIGIN" => None,
        Some(v) => Some(format!(" (X-Frame-Options: {v})")),
        None => Some(String::new()),
    }
}

fn referrer(e: &Exchange) -> Option<String> {
    let Some(v) = header(e, "referrer-policy") else {
        return Some(String::new());
    };
    let applied = v
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .rfind(|t| KNOWN_REFERRER.contains(&t.as_str()));
    match applied {
        Some(t) if SAFE_REFERRER.contains(&t.as_str()) => None,
        _ => Some(format!(" (Referrer-Policy: {v})")),
    }
}

const ALL: &[Kind] = &[Kind::Html, Kind::Api, Kind::Download];

const RULES: &[Rule] = &[
    Rule {
        expected: "X-Content-Type-Options: nosniff",
        kinds: ALL,
        broken: nosniff,
    },
    Rule {
        expected: "a Content-Security-Policy",
        kinds: &[Kind::Html],
        broken: csp,
    },
    Rule {
        expected: "framing denied (CSP frame-ancestors, or X-Frame-Options DENY or SAMEORIGIN)",
        kinds: &[Kind::Html],
        broken: framing,
    },
    Rule {
        expected: "a Referrer-Policy that sends no path to other sites",
        kinds: &[Kind::Html],
        broken: referrer,
    },
];

fn security_headers(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let responses: Vec<&Exchange> = own_https(&env.recorded, env.target)
        .into_iter()
        // A redirect or an empty answer has no content to protect.
        .filter(|e| {
            e.status
                .is_some_and(|s| !(300..400).contains(&s) && s != 204)
        })
        .collect();
    something_recorded(&responses)?;
    env.notes.push(looked_at(
        "security headers",
        responses.len(),
        &env.recorded,
    ));
    let mut findings = Vec::new();
    for rule in RULES {
        for &k in rule.kinds {
            let of_kind: Vec<&Exchange> =
                responses.iter().copied().filter(|e| kind(e) == k).collect();
            let broke: Vec<(&Exchange, String)> = of_kind
                .iter()
                .filter_map(|e| (rule.broken)(e).map(|why| (*e, why)))
                .collect();
            if !broke.is_empty() {
                findings.push(finding(
                    format!("{} on every one of the {}", rule.expected, k.plural()),
                    "missing",
                    &broke,
                    of_kind.len(),
                ));
            }
        }
    }
    Ok(findings)
}

/// Parameters of `hsts_everywhere`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HstsEverywhereParams {
    /// The least max-age accepted, in seconds (default: one year).
    #[serde(default = "one_year")]
    pub min_max_age: u64,
}

fn one_year() -> u64 {
    MIN_HSTS_MAX_AGE
}

impl ProbeParams for HstsEverywhereParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `hsts_everywhere`: every recorded HTTPS response carries a valid HSTS header.
pub struct HstsEverywhere;

impl Probe for HstsEverywhere {
    const NAME: &'static str = "hsts_everywhere";
    const ABOUT: &'static str =
        "Strict-Transport-Security on every recorded HTTPS response (passive)";
    const PARAMS: &'static [&'static str] = &["min_max_age"];
    const PASSIVE: bool = true;
    type Params = HstsEverywhereParams;
    fn run<'a, 'b>(
        p: &'a HstsEverywhereParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { hsts_everywhere(p.min_max_age, env) })
    }
}

fn hsts_everywhere(min: u64, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let responses = own_https(&env.recorded, env.target);
    something_recorded(&responses)?;
    env.notes
        .push(looked_at("HSTS", responses.len(), &env.recorded));
    let broke: Vec<(&Exchange, String)> = responses
        .iter()
        .filter_map(|e| {
            // A user agent heeds only the first header (RFC 6797 §8.1).
            let why = match header(e, "strict-transport-security") {
                None => String::new(),
                Some(v) => match hsts_max_age(v) {
                    Ok(age) if age >= min => return None,
                    Ok(age) => format!(" (max-age={age})"),
                    Err(why) => format!(" (`{v}`: {why})"),
                },
            };
            Some((*e, why))
        })
        .collect();
    if broke.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![finding(
        format!("Strict-Transport-Security with max-age ≥ {min} on every HTTPS response"),
        "missing or too short",
        &broke,
        responses.len(),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(headers: &[(&str, &str)]) -> Exchange {
        let mut h = vec![("Content-Type", "text/html")];
        h.extend_from_slice(headers);
        Exchange::for_test("https://v.test/", 200, &h, "<p>")
    }

    #[test]
    fn each_rule_tells_a_hardened_response_from_a_weak_one() {
        assert_eq!(
            nosniff(&html(&[("X-Content-Type-Options", "NoSniff")])),
            None
        );
        assert!(nosniff(&html(&[])).is_some());
        assert_eq!(
            csp(&html(&[("Content-Security-Policy", "default-src 'self'")])),
            None
        );
        assert!(
            csp(&html(&[(
                "Content-Security-Policy-Report-Only",
                "default-src 'self'"
            )]))
            .is_some_and(|w| w.contains("enforces nothing"))
        );
        assert_eq!(
            framing(&html(&[(
                "Content-Security-Policy",
                "default-src 'self'; frame-ancestors 'none'"
            )])),
            None
        );
        assert!(framing(&html(&[("Content-Security-Policy", "frame-ancestors *")])).is_some());
        assert_eq!(framing(&html(&[("X-Frame-Options", "sameorigin")])), None);
        assert!(framing(&html(&[("X-Frame-Options", "ALLOW-FROM https://x")])).is_some());
        assert!(framing(&html(&[])).is_some());
        assert_eq!(referrer(&html(&[("Referrer-Policy", "no-referrer")])), None);
        assert_eq!(
            referrer(&html(&[(
                "Referrer-Policy",
                "unsafe-url, strict-origin-when-cross-origin"
            )])),
            None,
            "the last known token applies"
        );
        assert!(referrer(&html(&[("Referrer-Policy", "no-referrer-when-downgrade")])).is_some());
        assert!(referrer(&html(&[("Referrer-Policy", "bogus")])).is_some());
        assert!(referrer(&html(&[])).is_some());
    }
}
