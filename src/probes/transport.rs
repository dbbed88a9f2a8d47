//! Transport probes: plain HTTP is refused or redirected to HTTPS (SEC-03), and HTTPS answers
//! carry HSTS with a long enough max-age.

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::client::TransportKind;
use crate::http::{check_error, reason};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};

/// One year, the floor for HSTS max-age that preload lists and SEC-03 use.
pub const MIN_HSTS_MAX_AGE: u64 = 31_536_000;

fn entry_page() -> Located<String> {
    Located::new("entry".to_string())
}

fn one_year() -> u64 {
    MIN_HSTS_MAX_AGE
}

/// Parameters of `plain_http`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainHttpParams {
    /// A page name of the profile, or a path (default: the entry page).
    #[serde(default = "entry_page")]
    pub page: Located<String>,
}

impl ProbeParams for PlainHttpParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        vec![&self.page]
    }
}

/// `plain_http`: a plain-HTTP request is refused, or redirected to an https:// URL.
pub struct PlainHttp;

impl Probe for PlainHttp {
    const NAME: &'static str = "plain_http";
    const ABOUT: &'static str = "plain HTTP is refused or redirected to HTTPS";
    const PARAMS: &'static [&'static str] = &["page"];
    type Params = PlainHttpParams;
    fn run<'a, 'b>(
        p: &'a PlainHttpParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(plain_http(p, env))
    }
}

async fn plain_http(p: &PlainHttpParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let mut findings = Vec::new();
    // Anonymously even when the page needs sign-in: credentials never go over plain HTTP.
    let page = env.page(&p.page)?;
    let url = env
        .target
        .http_url
        .join(&page.path)
        .map_err(|e| CheckError::new(ErrorKind::Input, format!("bad http_url: {e}")))?;
    match env.get(url.clone(), "plain_http").await {
        Err(e) if e.kind == TransportKind::Connect => env.notes.push(format!(
            "GET {url} → refused ({e}); plain HTTP is not served"
        )),
        // It accepted the connection: something listens there, and we could not see what.
        Err(e) => return Err(check_error(&e).context(format!("GET {url}"))),
        Ok(resp) => {
            let location = resp.header("location").unwrap_or("");
            let summary = format!("GET {url} → {} {}", resp.status, reason(resp.status));
            if matches!(resp.status, 301 | 302 | 303 | 307 | 308)
                && location.to_ascii_lowercase().starts_with("https://")
            {
                env.notes.push(format!("{summary}, Location: {location}"));
            } else if let Some(proxy) = env.http.proxy_plan().for_url(&url)
                && matches!(resp.status, 403 | 407 | 502 | 503 | 504)
            {
                // A forward proxy answers these itself (refused, needs credentials, the server
                // refused it): the server's answer cannot be told from the proxy's.
                return Err(CheckError::new(
                    ErrorKind::Transport,
                    format!(
                        "{summary} through the proxy {}: that status may be the proxy's own \
                         answer (refused, or the server refused it), so it says nothing of the \
                         server's plain HTTP; run where the plain-HTTP address is reached \
                         directly (NO_PROXY) to judge it",
                        proxy.shown()
                    ),
                ));
            } else {
                env.notes.push(summary.clone());
                let seen = if location.is_empty() {
                    format!("{} {} over plain HTTP", resp.status, reason(resp.status))
                } else {
                    format!("{} to {location}", resp.status)
                };
                findings.push(Finding::new(
                    "a redirect to https:// or a refused connection",
                    seen,
                ));
            }
        }
    }
    Ok(env.resting_on_last_exchange(findings))
}

/// Reads `max-age` from a Strict-Transport-Security value as RFC 6797 §6.1 says: directives
/// separated by `;`, names in any case, values plain or quoted, each directive at most once
/// (a repeated one makes the header invalid), `max-age` required and a number of seconds.
pub fn hsts_max_age(value: &str) -> Result<u64, String> {
    let mut seen: Vec<String> = Vec::new();
    let mut max_age = None;
    for d in value.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let (name, v) = match d.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim())),
            None => (d.to_ascii_lowercase(), None),
        };
        if seen.contains(&name) {
            return Err(format!(
                "directive `{name}` appears twice, so the header is invalid"
            ));
        }
        seen.push(name.clone());
        if name == "max-age" {
            let raw = v.unwrap_or("");
            let unquoted = raw
                .strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(raw);
            if unquoted.is_empty() || !unquoted.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("max-age `{raw}` is not a number of seconds"));
            }
            max_age = Some(unquoted.parse::<u64>().unwrap_or(u64::MAX));
        }
    }
    max_age.ok_or_else(|| "no max-age directive".to_string())
}

/// Parameters of `hsts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HstsParams {
    /// A page name of the profile, or a path (default: the entry page).
    #[serde(default = "entry_page")]
    pub page: Located<String>,
    /// The least max-age accepted, in seconds (default: one year).
    #[serde(default = "one_year")]
    pub min_max_age: u64,
}

impl ProbeParams for HstsParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn pages(&self) -> Vec<&Located<String>> {
        vec![&self.page]
    }
}

/// `hsts`: the HTTPS entry page sends Strict-Transport-Security with max-age ≥ the floor.
pub struct Hsts;

impl Probe for Hsts {
    const NAME: &'static str = "hsts";
    const ABOUT: &'static str = "Strict-Transport-Security with a long max-age";
    const PARAMS: &'static [&'static str] = &["page", "min_max_age"];
    type Params = HstsParams;
    fn run<'a, 'b>(p: &'a HstsParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(hsts(p, env))
    }
}

async fn hsts(p: &HstsParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let min = p.min_max_age;
    let page = env.page(&p.page)?;
    let (url, resp) = env.get_page(&page, "hsts").await?;
    let expected = format!("Strict-Transport-Security with max-age ≥ {min}");
    let mut findings = Vec::new();
    match resp.header("strict-transport-security") {
        None => findings.push(Finding::new(
            expected,
            format!("no HSTS header on GET {url} ({})", resp.status),
        )),
        Some(v) => match hsts_max_age(v) {
            Ok(age) if age >= min => env
                .notes
                .push(format!("GET {url} → Strict-Transport-Security: {v}")),
            Ok(_) => findings.push(Finding::new(
                expected,
                format!("Strict-Transport-Security: {v}"),
            )),
            Err(why) => findings.push(Finding::new(
                expected,
                format!("Strict-Transport-Security: {v} ({why})"),
            )),
        },
    }
    Ok(env.resting_on_last_exchange(findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_max_age_as_rfc_6797_says() {
        assert_eq!(
            hsts_max_age("max-age=63072000; includeSubDomains"),
            Ok(63_072_000)
        );
        assert_eq!(hsts_max_age("includeSubDomains; Max-Age=\"10\""), Ok(10));
        assert_eq!(hsts_max_age(" MAX-AGE = 31536000 ;preload"), Ok(31_536_000));
        assert!(hsts_max_age("includeSubDomains").is_err());
        assert!(
            hsts_max_age("max-age=31536000; max-age=1").is_err(),
            "a repeated directive"
        );
        assert!(hsts_max_age("max-age=-1").is_err());
        assert!(hsts_max_age("max-age=1y").is_err());
        assert!(hsts_max_age("max-age=\"").is_err());
    }
}
