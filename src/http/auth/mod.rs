//! Logging an actor in: the choice of flow by auth kind, the requests a login sends (with its
//! own cookie jar, and the secrets it learns given to the redactor before they are recorded),
//! and the actor attributes captured from the login response.

mod basic;
mod bearer;
mod csrf;
mod form_cookie;
mod oauth2;
mod request;

use indexmap::IndexMap;
use serde_json::Value;

use super::client::{HttpClient, Incoming, Outgoing, RequestTag, TransportKind};
use super::cookies::Jar;
use super::extract::extract;
use super::redact::SecretKind;
use super::session::{LoginError, Session};
use crate::model::output::OutputSpec;
use crate::model::resolve::{ResolvedActor, ResolvedTarget};
use crate::model::target::{AuthKind, AuthScheme};
use crate::outcome::Exchange;

/// One login in progress: who logs in, and what it has sent and been given so far.
struct Login<'a> {
    http: &'a HttpClient,
    target: &'a ResolvedTarget,
    actor: &'a ResolvedActor,
    exchanges: Vec<Exchange>,
    jar: Jar,
}

impl Login<'_> {
    /// The error ending this login, carrying its exchanges as evidence.
    fn fail(&mut self, message: impl Into<String>) -> LoginError {
        LoginError {
            message: format!("login as {} failed: {}", self.actor.name, message.into()),
            exchanges: std::mem::take(&mut self.exchanges),
        }
    }

    /// Sends a login request with the cookies gathered so far, and records it.
    async fn send(&mut self, mut req: Outgoing) -> Result<Incoming, LoginError> {
        if let Some(c) = self.jar.header() {
            req.headers.push(("Cookie".into(), c));
        }
        let (http, jar) = (self.http, &mut self.jar);
        let tag = RequestTag {
            actor: &self.actor.name,
            purpose: "login",
        };
        let places = secret_places(&self.actor.scheme);
        let sent = http
            .send_inspecting(&req, tag, |resp| learn(http, jar, &places, resp))
            .await;
        self.exchanges.push(sent.exchange);
        sent.outcome.map_err(|e| {
            if e.kind == TransportKind::Timeout {
                self.http.login_unanswered(&self.actor.name, &e.message);
            }
            self.fail(e.message)
        })
    }

    /// Makes `value`, an anti-forgery token read from the last response, a secret, and masks it
    /// in that response's record too, which was made before the value was known.
    fn learned_from_last(&mut self, value: &str) {
        let redactor = &self.http.redactor;
        redactor.add_kind(value, SecretKind::AntiForgery);
        if let Some(last) = self.exchanges.last_mut() {
            last.redact(&|t| redactor.text(t));
        }
    }

    /// A URL of the target, or why the profile's path does not make one.
    fn url(&self, path: &str) -> Result<url::Url, String> {
        self.target
            .url(path)
            .map_err(|e| format!("bad login URL `{path}`: {e}"))
    }
}

/// Token fields of a login response (OAuth2 and OpenID Connect names) that are secrets.
const TOKEN_FIELDS: &[&str] = &["access_token", "refresh_token", "id_token", "token"];

/// Where a scheme's login and refresh answers hold tokens (`kind: request`).
fn secret_places(scheme: &AuthScheme) -> Vec<OutputSpec> {
    let refresh = scheme.refresh.iter().flat_map(|r| {
        [&r.token, &r.refresh_token]
            .into_iter()
            .flatten()
            .map(|p| p.value.clone())
    });
    [&scheme.token, &scheme.refresh_token]
        .into_iter()
        .flatten()
        .map(|p| p.value.clone())
        .chain(refresh)
        .collect()
}

/// Keeps the cookies a login response sets, and makes them, every token in it and what the
/// scheme's token `places` select secrets, before the response is recorded.
fn learn(http: &HttpClient, jar: &mut Jar, places: &[OutputSpec], resp: &Incoming) {
    jar.absorb(resp.headers_named("set-cookie"));
    for v in jar.values() {
        http.redactor.add(v);
    }
    if let Some(body) = resp.json() {
        for field in TOKEN_FIELDS {
            if let Some(token) = body.get(*field).and_then(Value::as_str) {
                http.redactor.add(token);
            }
        }
    }
    for place in places {
        match extract(place, resp, &Value::Null) {
            Ok(Value::String(s)) if !s.is_empty() => http.redactor.add(&s),
            Ok(Value::Number(n)) => http.redactor.add(&n.to_string()),
            _ => {}
        }
    }
}

/// Logs an actor in.
pub async fn login(
    http: &HttpClient,
    target: &ResolvedTarget,
    actor: &ResolvedActor,
) -> Result<Session, LoginError> {
    login_with_cookies(http, target, actor, Jar::default()).await
}

/// Logs an actor in the way a browser that already holds `jar` would: its cookies go with the
/// login's requests (for telling whether a cookie set before login survives it).
pub async fn login_with_cookies(
    http: &HttpClient,
    target: &ResolvedTarget,
    actor: &ResolvedActor,
    jar: Jar,
) -> Result<Session, LoginError> {
    // One unanswered login per actor and run: waiting again would only cost another timeout.
    if let Some(why) = http.unanswered_login(&actor.name) {
        return Err(LoginError {
            message: format!(
                "login as {} not tried again: an earlier one in this run got no answer ({why})",
                actor.name
            ),
            exchanges: Vec::new(),
        });
    }
    let mut l = Login {
        http,
        target,
        actor,
        exchanges: Vec::new(),
        jar,
    };
    let mut session = Session {
        actor: actor.name.clone(),
        ..Session::anonymous()
    };
    session.session_cookie = actor.scheme.session_cookie.clone();
    let login_response = match actor.scheme.kind {
        AuthKind::Bearer => {
            session.auth_header = Some(bearer::auth_header(&mut l)?);
            None
        }
        AuthKind::Basic => {
            session.auth_header = Some(basic::auth_header(&mut l)?);
            None
        }
        AuthKind::Oauth2Password | AuthKind::Oauth2ClientCredentials => {
            Some(oauth2::login(&mut l, &mut session).await?)
        }
        AuthKind::FormCookie => Some(form_cookie::login(&mut l, &mut session).await?),
        AuthKind::Request => Some(request::login(&mut l, &mut session).await?),
    };
    session.attrs = attributes(&mut l, login_response.as_ref())?;
    if actor.scheme.kind != AuthKind::Request {
        session.expires_in = login_response.as_ref().and_then(expires_in);
    }
    session.jar = l.jar;
    session.login_exchanges = l.exchanges;
    Ok(session)
}

/// Renews `old`, a session of `actor`, with its scheme's refresh request; `None` when the
/// scheme has none or the session holds no refresh token, so only a new login renews it.
pub async fn refresh(
    http: &HttpClient,
    target: &ResolvedTarget,
    actor: &ResolvedActor,
    old: &Session,
) -> Option<Result<Session, LoginError>> {
    if actor.scheme.refresh.is_none() || old.refresh_token.is_none() && old.token.is_none() {
        return None;
    }
    let mut l = Login {
        http,
        target,
        actor,
        exchanges: Vec::new(),
        jar: Jar::default(),
    };
    Some(request::refresh(&mut l, old).await)
}

/// The token lifetime a login response states (`expires_in`, seconds, as a number or a string).
fn expires_in(resp: &Incoming) -> Option<std::time::Duration> {
    let v = resp.json()?.get("expires_in")?.clone();
    let secs = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0).then(|| std::time::Duration::from_secs_f64(secs.min(1e9)))
}

/// The actor's attributes: its variables, its username, and what it captures from the login
/// response.
fn attributes(
    l: &mut Login<'_>,
    login_response: Option<&Incoming>,
) -> Result<IndexMap<String, Value>, LoginError> {
    let actor = l.actor;
    let mut attrs: IndexMap<String, Value> = actor
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    if let Some(username) = &actor.username {
        attrs.insert("username".into(), Value::String(username.clone()));
    }
    for (name, spec) in &actor.capture {
        let Some(resp) = login_response else {
            return Err(l.fail(format!(
                "cannot capture `{name}`: this auth kind has no login response"
            )));
        };
        match extract(spec, resp, &Value::Null) {
            Ok(v) => {
                attrs.insert(name.clone(), v);
            }
            Err(e) => return Err(l.fail(format!("capture `{name}`: {e}"))),
        }
    }
    Ok(attrs)
}
