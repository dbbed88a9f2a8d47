//! `session_fixation` (SEC-06): a login issues a session identifier of its own. Like a browser,
//! the probe fetches the entry page and the login page in one cookie jar, logs in with that
//! jar, and fails when the session cookie after login holds a value set before it — a value an
//! attacker could have planted. Once for every cookie-based login scheme; a profile with none
//! (tokens only) has no cookie to fix, and the check does not apply.

use futures_util::future::BoxFuture;

use crate::http::Outgoing;
use crate::http::auth;
use crate::http::cookies::{Jar, SetCookie};
use crate::model::resolve::ResolvedActor;
use crate::model::target::AuthKind;
use crate::outcome::{CheckError, ErrorKind, Finding};
use crate::probes::cookies::NoParams;
use crate::probes::{Probe, ProbeEnv, ProbeResult};

/// `session_fixation`: no cookie set before login is the session cookie after it.
pub struct SessionFixation;

impl Probe for SessionFixation {
    const NAME: &'static str = "session_fixation";
    const ABOUT: &'static str =
        "a cookie set before login (entry and login pages) is not the session cookie after it";
    const PARAMS: &'static [&'static str] = &[];
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(session_fixation(env))
    }
}

/// The first actor of every cookie-based scheme, the lockout probe's own left out.
fn cookie_actors<'a>(env: &ProbeEnv<'a>) -> Vec<&'a ResolvedActor> {
    let target = env.target;
    let lockout = target.declared.lockout_actor.as_ref().map(|l| l.as_str());
    let mut schemes = Vec::new();
    let mut actors = Vec::new();
    for actor in target.actors.values() {
        if actor.scheme.kind != AuthKind::FormCookie
            || Some(actor.name.as_str()) == lockout
            || schemes.contains(&&actor.scheme_name)
        {
            continue;
        }
        schemes.push(&actor.scheme_name);
        actors.push(actor);
    }
    actors
}

async fn session_fixation(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let actors = cookie_actors(env);
    if actors.is_empty() {
        return env.not_applicable(
            "the profile has no cookie-based login (`form_cookie`): a login that hands out a new token each time has no session cookie set before it to keep",
        );
    }
    let mut findings = Vec::new();
    for actor in actors {
        findings.extend(one_scheme(env, actor).await?);
    }
    Ok(findings)
}

/// The cookies set before login, by name, with the page that set each.
struct Before {
    jar: Jar,
    set_by: Vec<(String, String)>,
}

/// Fetches the entry page and the login page in one jar, as a browser would before signing in.
async fn before_login(env: &mut ProbeEnv<'_>) -> Result<Before, CheckError> {
    let mut pages = vec![env.page("entry")?];
    if let Ok(login) = env.page("login") {
        pages.push(login);
    }
    let mut jar = Jar::default();
    let mut set_by = Vec::new();
    for page in pages {
        let url = env.target.url(&page.path).map_err(|e| {
            CheckError::new(
                ErrorKind::Input,
                format!("bad page URL `{}`: {e}", page.path),
            )
        })?;
        let mut req = Outgoing::get(url.clone());
        if let Some(c) = jar.header() {
            req.headers.push(("Cookie".into(), c));
        }
        let resp = env
            .send(&req, "anonymous", "session_fixation")
            .await
            .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
        for c in resp
            .headers_named("set-cookie")
            .filter_map(SetCookie::parse)
        {
            // A cookie set before login may become the session id: it is a secret from now on.
            env.http.redactor.add(&c.value);
            if !c.removal {
                set_by.push((c.name.clone(), page.path.clone()));
            }
        }
        jar.absorb(resp.headers_named("set-cookie"));
    }
    Ok(Before { jar, set_by })
}

async fn one_scheme(env: &mut ProbeEnv<'_>, actor: &ResolvedActor) -> ProbeResult {
    let before = before_login(env).await?;
    let planted: Vec<(String, String, String)> = before
        .set_by
        .iter()
        .filter_map(|(name, page)| {
            before
                .jar
                .get(name)
                .filter(|v| !v.is_empty())
                .map(|v| (name.clone(), page.clone(), v.to_string()))
        })
        .collect();
    let session =
        match auth::login_with_cookies(env.http, env.target, actor, before.jar.clone()).await {
            Ok(s) => s,
            Err(e) => {
                env.evidence.exchanges.extend(e.exchanges);
                return Err(CheckError::new(ErrorKind::Login, e.message));
            }
        };
    env.evidence
        .exchanges
        .extend(session.login_exchanges.iter().cloned());
    let login_line = session
        .login_exchanges
        .last()
        .map(crate::outcome::Exchange::summary);
    let session_names: Vec<String> = match &session.session_cookie {
        Some(name) => vec![name.clone()],
        None => session
            .login_cookies
            .iter()
            .filter(|c| !c.removal && Some(&c.name) != session.csrf_cookie.as_ref())
            .map(|c| c.name.clone())
            .collect(),
    };
    let mut findings = Vec::new();
    for name in &session_names {
        let Some(after) = session.jar.get(name) else {
            continue;
        };
        let fixed = planted.iter().find(|(_, _, v)| v == after);
        match fixed {
            Some((planted_name, page, _)) => {
                let mut f = Finding::new(
                    format!(
                        "a new session cookie `{name}` issued at login as {} ({})",
                        actor.name, actor.scheme_name
                    ),
                    format!(
                        "its value after login is the one cookie `{planted_name}` had before it (set by GET {page}): whoever planted that cookie holds the signed-in session"
                    ),
                );
                f.exchange.clone_from(&login_line);
                findings.push(f);
            }
            None => env.notes.push(format!(
                "login as {} ({}) issued session cookie `{name}` anew; {} cookie(s) set before login ({}) were not kept",
                actor.name,
                actor.scheme_name,
                planted.len(),
                planted
                    .iter()
                    .map(|(n, p, _)| format!("{n} by {p}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if session_names.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Input,
            format!(
                "login with `{}` set no session cookie to compare",
                actor.scheme_name
            ),
        ));
    }
    Ok(findings)
}
