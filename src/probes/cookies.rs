//! Session-cookie probe (SEC-08): logs in afresh with every cookie-based scheme and checks the
//! session cookies it sets are Secure, HttpOnly and SameSite=Lax or Strict.

use super::{ProbeEnv, ProbeOutcome};
use crate::assert::Failure;
use crate::http::cookies::SetCookie;
use crate::http::session;
use crate::model::target::AuthKind;

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

/// `cookies`: one fresh login per cookie-based scheme.
pub async fn cookies(env: &ProbeEnv<'_>) -> ProbeOutcome {
    let mut out = ProbeOutcome::default();
    let mut schemes_seen = Vec::new();
    for actor in env.target.actors.values() {
        if actor.scheme.kind != AuthKind::FormCookie || schemes_seen.contains(&actor.scheme_name) {
            continue;
        }
        schemes_seen.push(actor.scheme_name.clone());
        let s = match session::login(env.http, env.target, actor).await {
            Ok(s) => s,
            Err(e) => {
                out.exchanges.extend(e.exchanges);
                out.error = Some(e.message);
                return out;
            }
        };
        out.exchanges.extend(s.login_exchanges.iter().cloned());
        let session_cookies: Vec<&SetCookie> = s
            .login_cookies
            .iter()
            .filter(|c| match &s.session_cookie {
                Some(name) => &c.name == name,
                None => Some(&c.name) != s.csrf_cookie.as_ref(),
            })
            .collect();
        if session_cookies.is_empty() {
            out.error = Some(format!(
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
                out.details.push(format!(
                    "login as {} ({}) sets session cookie {}: {seen}",
                    actor.name, actor.scheme_name, c.name
                ));
            } else {
                out.failures.push(Failure {
                    expected: format!(
                        "session cookie `{}` to be Secure, HttpOnly, SameSite=Lax|Strict",
                        c.name
                    ),
                    seen: format!("{seen} (missing {})", weak.join(", ")),
                });
            }
        }
    }
    if schemes_seen.is_empty() {
        out.error = Some("the profile has no cookie-based login; if the service sets no session cookies, declare SEC-08 under not_applicable".into());
    }
    out
}
