//! Session-cookie probe (SEC-08): logs in afresh with every cookie-based scheme and checks the
//! session cookies it sets are Secure, HttpOnly and SameSite=Lax or Strict.

use std::any::Any;

use futures_util::future::BoxFuture;
use serde::Deserialize;

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::auth;
use crate::http::cookies::SetCookie;
use crate::model::probe::ProbeParams;
use crate::model::target::AuthKind;
use crate::outcome::{CheckError, ErrorKind, Finding};

/// What is wrong with one session cookie, if anything.
pub fn weaknesses(c: &SetCookie) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !c.secure {
        missing.push("Secure");
    }
    if !c.http_only {
        missing.push("HttpOnly");
    }
    let same_site_ok = c
        .same_site
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("lax") || s.eq_ignore_ascii_case("strict"));
    if !same_site_ok {
        missing.push("SameSite=Lax|Strict");
    }
    missing
}

/// `cookies` takes no parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

impl ProbeParams for NoParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `cookies`: one fresh login per cookie-based scheme.
pub struct Cookies;

impl Probe for Cookies {
    const NAME: &'static str = "cookies";
    const ABOUT: &'static str = "session cookies set at login are Secure, HttpOnly and SameSite";
    const PARAMS: &'static [&'static str] = &[];
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(cookies(env))
    }
}

async fn cookies(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let mut findings = Vec::new();
    let mut error = None;
    let mut schemes_seen = Vec::new();
    for actor in env.target.actors.values() {
        if actor.scheme.kind != AuthKind::FormCookie || schemes_seen.contains(&actor.scheme_name) {
            continue;
        }
        schemes_seen.push(actor.scheme_name.clone());
        let s = match auth::login(env.http, env.target, actor).await {
            Ok(s) => s,
            Err(e) => {
                env.evidence.exchanges.extend(e.exchanges);
                return Err(CheckError::new(ErrorKind::Login, e.message));
            }
        };
        env.evidence
            .exchanges
            .extend(s.login_exchanges.iter().cloned());
        let session_cookies: Vec<&SetCookie> = s
            .login_cookies
            .iter()
            .filter(|c| match &s.session_cookie {
                Some(name) => &c.name == name,
                None => Some(&c.name) != s.csrf_cookie.as_ref(),
            })
            .collect();
        if session_cookies.is_empty() {
            error = Some(format!(
                "login with `{}` set no session cookie to inspect",
                actor.scheme_name
            ));
        }
        for c in session_cookies {
            let weak = weaknesses(c);
            let attrs = [("Secure", c.secure), ("HttpOnly", c.http_only)]
                .iter()
                .filter(|(_, on)| *on)
                .map(|(n, _)| n.to_string())
                .chain(c.same_site.as_ref().map(|s| format!("SameSite={s}")))
                .collect::<Vec<_>>();
            let seen = if attrs.is_empty() {
                "no attributes".to_string()
            } else {
                attrs.join("; ")
            };
            if weak.is_empty() {
                env.notes.push(format!(
                    "login as {} ({}) sets session cookie {}: {seen}",
                    actor.name, actor.scheme_name, c.name
                ));
            } else {
                findings.push(Finding::new(
                    format!(
                        "session cookie `{}` to be Secure, HttpOnly, SameSite=Lax|Strict",
                        c.name
                    ),
                    format!("{seen} (missing {})", weak.join(", ")),
                ));
            }
        }
    }
    if schemes_seen.is_empty() {
        error = Some("the profile has no cookie-based login; if the service sets no session cookies, declare SEC-08 under not_applicable".into());
    }
    // A scheme that could not be inspected leaves the probe without a verdict; what the other
    // schemes showed is kept in the notes rather than lost.
    match error {
        Some(message) => {
            env.notes.extend(findings.iter().map(|f| f.to_string()));
            Err(CheckError::new(ErrorKind::Input, message))
        }
        None => Ok(findings),
    }
}
