//! `kind: request`: a login that is any request or short sequence (JSON, GraphQL, a form), whose
//! answer carries the token — read by JSONPath or header — which goes back in the scheme's header
//! template; and the refresh request that renews it before it expires.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::Login;
use crate::http::build::build;
use crate::http::client::Incoming;
use crate::http::cookies::SetCookie;
use crate::http::extract::extract;
use crate::http::session::{LoginError, Session};
use crate::model::located::Located;
use crate::model::login::{DEFAULT_SEND, TokenPlaces};
use crate::model::output::OutputSpec;
use crate::model::request::RequestSpec;
use crate::model::resolve::{ResolvedActor, SecretString};
use crate::model::template;

/// The variables a login's templates see: the actor's username and password.
fn login_vars(actor: &ResolvedActor) -> Map<String, Value> {
    let mut ctx = Map::new();
    ctx.insert(
        "username".into(),
        json!(actor.username.clone().unwrap_or_default()),
    );
    ctx.insert(
        "password".into(),
        json!(
            actor
                .password
                .as_ref()
                .map(|p| p.expose().to_string())
                .unwrap_or_default()
        ),
    );
    ctx
}

/// Sends `steps` in order, each step's captures variables of the next, and returns the last
/// answer; a step refused (4xx/5xx) ends the login.
async fn send_steps(
    l: &mut Login<'_>,
    steps: &[Located<RequestSpec>],
    ctx: &mut Map<String, Value>,
    what: &str,
) -> Result<Incoming, LoginError> {
    let mut last = None;
    for (i, spec) in steps.iter().enumerate() {
        let vars = Value::Object(ctx.clone());
        let req = build(l.target, spec, &vars, &HashMap::new())
            .map_err(|e| l.fail(format!("{what} request {}: {}", i + 1, e.message)))?;
        let resp = l.send(req).await?;
        if resp.status >= 400 {
            let step = if steps.len() > 1 {
                format!(" (request {} of {})", i + 1, steps.len())
            } else {
                String::new()
            };
            return Err(l.fail(format!("the {what}{step} answered {}", resp.status)));
        }
        for (name, cap) in &spec.capture {
            let v = extract(cap, &resp, &vars)
                .map_err(|e| l.fail(format!("{what}: capture `{name}`: {e}")))?;
            ctx.insert(name.clone(), v);
        }
        last = Some(resp);
    }
    last.ok_or_else(|| l.fail(format!("the {what} has no request")))
}

/// The text a token place gives: a string, or a number written as text.
fn secret_at(spec: &OutputSpec, resp: &Incoming) -> Result<String, String> {
    match extract(spec, resp, &Value::Null)? {
        Value::String(s) if !s.is_empty() => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        Value::String(_) => Err("it is empty text".into()),
        other => Err(format!("it gave {other}, not text")),
    }
}

/// A lifetime in seconds: a positive number, or text of one.
fn lifetime(v: &Value) -> Option<Duration> {
    let secs = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0).then(|| Duration::from_secs_f64(secs.min(1e9)))
}

/// What the GraphQL-style `errors[].message` of an answer says, to explain a missing token.
fn error_messages(resp: &Incoming) -> Option<String> {
    let errors = resp.json()?.get("errors")?.as_array()?.clone();
    let messages: Vec<String> = errors
        .iter()
        .filter_map(|e| e.get("message").and_then(Value::as_str))
        .map(|m| format!("\"{m}\""))
        .collect();
    (!messages.is_empty()).then(|| messages.join(", "))
}

/// Takes the token, refresh token and lifetime from `resp` into `session`, and sets the header
/// that carries the token; without a token place, the session is the cookies the answer set.
fn take_tokens(
    l: &mut Login<'_>,
    places: &TokenPlaces,
    resp: &Incoming,
    session: &mut Session,
    renewing: bool,
) -> Result<(), LoginError> {
    let what = if renewing { "refresh" } else { "login" };
    let Some(token_place) = &places.token else {
        session.login_cookies = resp
            .headers_named("set-cookie")
            .filter_map(SetCookie::parse)
            .collect();
        if session.login_cookies.is_empty() {
            return Err(l.fail(format!(
                "the {what} set no cookie, and the scheme names no `token`"
            )));
        }
        return Ok(());
    };
    let token = secret_at(token_place, resp).map_err(|e| {
        let why = error_messages(resp).map_or_else(String::new, |m| format!("; it says {m}"));
        l.fail(format!("the {what}'s answer has no token: {e}{why}"))
    })?;
    let (name, value) = match l.actor.scheme.send.iter().next() {
        Some((k, v)) => (k.clone(), v.value.clone()),
        None => (DEFAULT_SEND.0.to_string(), DEFAULT_SEND.1.to_string()),
    };
    let value = template::render(&value, &json!({ "token": token }))
        .map_err(|e| l.fail(format!("`send: {name}`: {}", e.0)))?;
    session.auth_header = Some((name, value));
    session.token = Some(SecretString::new(token));
    if let Some(place) = &places.refresh_token {
        match secret_at(place, resp) {
            Ok(refresh) => session.refresh_token = Some(SecretString::new(refresh)),
            // A refresh that issues no new refresh token leaves the old one in use.
            Err(_) if renewing => {}
            Err(e) => {
                return Err(l.fail(format!("the {what}'s answer has no refresh token: {e}")));
            }
        }
    }
    if let Some(place) = &places.expires_in {
        let v = extract(place, resp, &Value::Null)
            .map_err(|e| l.fail(format!("the {what}'s `expires_in`: {e}")))?;
        session.expires_in = Some(lifetime(&v).ok_or_else(|| {
            l.fail(format!(
                "the {what}'s `expires_in` ({v}) is not a number of seconds"
            ))
        })?);
    }
    Ok(())
}

/// Sends the login and returns its last answer (for captures); the session gets the token.
pub(super) async fn login(
    l: &mut Login<'_>,
    session: &mut Session,
) -> Result<Incoming, LoginError> {
    let scheme = &l.actor.scheme;
    let Some(steps) = scheme.login.clone() else {
        return Err(l.fail("the scheme has no `login` request"));
    };
    let places = scheme.places();
    let mut ctx = login_vars(l.actor);
    let resp = send_steps(l, &steps.value.0, &mut ctx, "login").await?;
    take_tokens(l, &places, &resp, session, false)?;
    Ok(resp)
}

/// Renews `old` with the scheme's refresh request: the same actor and attributes, a new token
/// (and refresh token, when the answer gives one), with the refresh's exchanges as evidence.
pub(super) async fn refresh(l: &mut Login<'_>, old: &Session) -> Result<Session, LoginError> {
    let scheme = &l.actor.scheme;
    let Some(refresh) = scheme.refresh.clone() else {
        return Err(l.fail("the scheme has no `refresh` request"));
    };
    let mut ctx = login_vars(l.actor);
    for (k, v) in &old.attrs {
        ctx.entry(k.clone()).or_insert_with(|| v.clone());
    }
    let secret = |s: &Option<SecretString>| json!(s.as_ref().map(SecretString::expose));
    ctx.insert("token".into(), secret(&old.token));
    ctx.insert("refresh_token".into(), secret(&old.refresh_token));
    l.jar = old.jar.clone();
    let resp = send_steps(
        l,
        std::slice::from_ref(&refresh.request),
        &mut ctx,
        "refresh",
    )
    .await?;
    let mut session = Session {
        expires_in: None,
        ..old.clone()
    };
    let places = refresh.places(&scheme.places());
    take_tokens(l, &places, &resp, &mut session, true)?;
    session.jar = std::mem::take(&mut l.jar);
    session.login_exchanges = std::mem::take(&mut l.exchanges);
    Ok(session)
}
