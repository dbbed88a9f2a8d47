//! `session_fixation` (SEC-06): a login issues a session identifier of its own. Like a browser,
//! the probe fetches the entry page, then logs in with the cookies it set (the login fetches
//! the login page too, when its scheme has one), and fails when the session cookie after login
//! holds a value the browser held before posting its credentials — a value an attacker could
//! have planted. Once for every cookie-based login scheme; a profile with none
//! (tokens only) has no cookie to fix, and the check does not apply.

use futures_util::future::BoxFuture;

use crate::http::Outgoing;
use crate::http::auth;
use crate::http::cookies::Jar;
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

/// Fetches the entry page, as a browser would before signing in: the cookies it set.
async fn entry_cookies(env: &mut ProbeEnv<'_>) -> Result<Jar, CheckError> {
    let page = env.page("entry")?;
    let url = env.target.url(&page.path).map_err(|e| {
        CheckError::new(
            ErrorKind::Input,
            format!("bad page URL `{}`: {e}", page.path),
        )
    })?;
    let resp = env
        .send(&Outgoing::get(url.clone()), "anonymous", "session_fixation")
        .await
        .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
    let mut jar = Jar::default();
    jar.absorb(resp.headers_named("set-cookie"));
    // A cookie set before login may become the session id: it is a secret from now on.
    for v in jar.values() {
        env.http.redactor.add(v);
    }
    Ok(jar)
}

async fn one_scheme(env: &mut ProbeEnv<'_>, actor: &ResolvedActor) -> ProbeResult {
    let jar = entry_cookies(env).await?;
    let session = match auth::login_with_cookies(env.http, env.target, actor, jar).await {
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
    let before: Vec<(&str, &str)> = session
        .cookies_before_login
        .entries()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let session_names: Vec<String> = match &session.session_cookie {
        Some(name) => vec![name.clone()],
        None => session
            .login_cookies
            .iter()
            .filter(|c| !c.removal && Some(&c.name) != session.csrf_cookie.as_ref())
            .map(|c| c.name.clone())
            .collect(),
    };
    if session_names.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Input,
            format!(
                "login with `{}` set no session cookie to compare",
                actor.scheme_name
            ),
        ));
    }
    let before_names = before
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ");
    let mut findings = Vec::new();
    for name in &session_names {
        let Some(after) = session.jar.get(name) else {
            continue;
        };
        match before.iter().find(|(_, v)| *v == after) {
            Some((kept, _)) => {
                let mut f = Finding::new(
                    format!(
                        "a new session cookie `{name}` issued at login as {} ({})",
                        actor.name, actor.scheme_name
                    ),
                    format!(
                        "its value after login is the one cookie `{kept}` held before the credentials were posted: whoever planted that cookie holds the signed-in session"
                    ),
                );
                f.exchange.clone_from(&login_line);
                findings.push(f);
            }
            None => env.notes.push(format!(
                "login as {} ({}) issued session cookie `{name}` anew; the {} cookie(s) held before it ({before_names}) were not kept",
                actor.name,
                actor.scheme_name,
                before.len()
            )),
        }
    }
    Ok(findings)
}
