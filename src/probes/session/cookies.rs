//! `session_cookies_everywhere` (SEC-08, passive): every `Set-Cookie` of a session cookie that
//! the run's responses from the target's own origins carried — at login or from any page —
//! says Secure, HttpOnly and SameSite=Lax or Strict. Session cookies are those the profile
//! names (`session_cookie` of a scheme) and, for a scheme that names none, those its logins
//! set, its CSRF cookie aside. Cookies being deleted are left out.

use std::collections::BTreeSet;

use cookie::{Cookie, SameSite};
use futures_util::future::BoxFuture;

use crate::model::target::AuthKind;
use crate::outcome::{CheckError, ErrorKind, Exchange};
use crate::probes::cookies::NoParams;
use crate::probes::passive::{finding, headers, looked_at, own_https, something_recorded};
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// `session_cookies_everywhere`: the flags on every session cookie the run saw set.
pub struct SessionCookiesEverywhere;

impl Probe for SessionCookiesEverywhere {
    const NAME: &'static str = "session_cookies_everywhere";
    const ABOUT: &'static str =
        "every session cookie set during the run is Secure, HttpOnly and SameSite (passive)";
    const PARAMS: &'static [&'static str] = &[];
    const PASSIVE: bool = true;
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(async move { everywhere(env) })
    }
}

/// What a session cookie lacks, if anything.
pub fn missing_flags(c: &Cookie<'_>) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if c.secure() != Some(true) {
        missing.push("Secure");
    }
    if c.http_only() != Some(true) {
        missing.push("HttpOnly");
    }
    if !matches!(c.same_site(), Some(SameSite::Lax | SameSite::Strict)) {
        missing.push("SameSite=Lax|Strict");
    }
    missing
}

/// Whether the header deletes its cookie (an empty value, `Max-Age=0`, or an expiry in the
/// past), which no flag needs to guard.
fn deletes(c: &Cookie<'_>) -> bool {
    c.value().is_empty()
        || c.max_age().is_some_and(|a| a.is_zero() || a.is_negative())
        || c.expires_datetime()
            .is_some_and(|t| t < time::OffsetDateTime::now_utc())
}

/// Every cookie a response sets that parses.
fn set_cookies(e: &Exchange) -> impl Iterator<Item = Cookie<'static>> + '_ {
    headers(e, "set-cookie").filter_map(|v| Cookie::parse(v.to_string()).ok())
}

fn everywhere(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let target = env.target;
    let cookie_schemes: Vec<_> = target
        .actors
        .values()
        .filter(|a| a.scheme.kind == AuthKind::FormCookie)
        .collect();
    let mut names: BTreeSet<String> = cookie_schemes
        .iter()
        .filter_map(|a| a.scheme.session_cookie.clone())
        .collect();
    let csrf_cookies: BTreeSet<String> = cookie_schemes
        .iter()
        .filter_map(|a| a.scheme.csrf.as_ref().and_then(|c| c.from_cookie.clone()))
        .collect();
    let responses = own_https(&env.recorded, target);
    something_recorded(&responses)?;
    // A scheme that names no session cookie: the cookies its logins set are its session's.
    for e in &responses {
        let unnamed_login = e.purpose == "login"
            && e.method.eq_ignore_ascii_case("POST")
            && target.actors.get(&e.actor).is_some_and(|a| {
                a.scheme.kind == AuthKind::FormCookie && a.scheme.session_cookie.is_none()
            });
        if unnamed_login {
            names.extend(
                set_cookies(e)
                    .map(|c| c.name().to_string())
                    .filter(|n| !csrf_cookies.contains(n)),
            );
        }
    }
    if cookie_schemes.is_empty() && names.is_empty() {
        return env.not_applicable(
            "the profile has no cookie-based login, so the service sets no session cookie to inspect",
        );
    }
    let mut seen = 0;
    let mut broke: Vec<(&Exchange, String)> = Vec::new();
    for e in &responses {
        for c in set_cookies(e).filter(|c| names.contains(c.name()) && !deletes(c)) {
            seen += 1;
            let missing = missing_flags(&c);
            if !missing.is_empty() {
                broke.push((
                    e,
                    format!(" sets `{}` without {}", c.name(), missing.join(", ")),
                ));
            }
        }
    }
    let names_text = names.iter().cloned().collect::<Vec<_>>().join(", ");
    env.notes.push(looked_at(
        &format!("Set-Cookie of the session cookies ({names_text})"),
        responses.len(),
        &env.recorded,
    ));
    if seen == 0 {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "no recorded response set a session cookie ({names_text}), so there is none to inspect"
            ),
        ));
    }
    env.notes
        .push(format!("{seen} session cookies set in those responses"));
    if broke.is_empty() {
        return Ok(Vec::new());
    }
    Ok(vec![finding(
        "every session cookie set Secure, HttpOnly and SameSite=Lax|Strict".into(),
        "a session cookie set without its flags",
        &broke,
        seen,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Cookie<'static> {
        Cookie::parse(s.to_string()).expect("a cookie")
    }

    #[test]
    fn flags_are_read_from_the_header() {
        assert!(
            missing_flags(&parse(
                "sid=[REDACTED]; Path=/; Secure; HttpOnly; SameSite=Lax"
            ))
            .is_empty()
        );
        assert!(missing_flags(&parse("sid=x; secure; httponly; samesite=strict")).is_empty());
        assert_eq!(
            missing_flags(&parse("sid=x; Path=/")),
            vec!["Secure", "HttpOnly", "SameSite=Lax|Strict"]
        );
        assert_eq!(
            missing_flags(&parse("sid=x; Secure; HttpOnly; SameSite=None")),
            vec!["SameSite=Lax|Strict"]
        );
    }

    #[test]
    fn deletions_need_no_flags() {
        assert!(deletes(&parse("sid=; Path=/")));
        assert!(deletes(&parse("sid=x; Max-Age=0")));
        assert!(deletes(&parse(
            "sid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        )));
        assert!(!deletes(&parse("sid=x; Max-Age=900")));
    }
}
