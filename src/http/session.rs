//! Sessions: what a login yields (token header, cookies, CSRF token, captured attributes) and
//! how it goes on a request; the logins themselves are in [`auth`](super::auth).

use indexmap::IndexMap;
use serde_json::Value;

use super::client::Outgoing;
use super::cookies::{Jar, SetCookie};
use crate::model::resolve::{ResolvedTarget, SecretString};
use crate::outcome::Exchange;

/// The CSRF token of a session and how it goes back to the server.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    pub value: String,
    pub send_header: Option<String>,
    pub send_field: Option<String>,
}

/// A logged-in actor (or `anonymous`).
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: String,
    /// Header carrying the token, e.g. `Authorization: Bearer …`.
    pub auth_header: Option<(String, String)>,
    pub jar: Jar,
    pub csrf: Option<CsrfToken>,
    /// Attributes captured at login, e.g. `id`.
    pub attrs: IndexMap<String, Value>,
    /// Cookies the login response set, with their attributes (SEC-08).
    pub login_cookies: Vec<SetCookie>,
    /// The cookies held when the credentials were posted — set by pages fetched before, the
    /// login page included — for telling whether the login kept one as its session (SEC-06).
    pub cookies_before_login: Jar,
    /// Name of the session cookie, when the scheme declares one.
    pub session_cookie: Option<String>,
    /// Name of the CSRF cookie, which is not a session cookie.
    pub csrf_cookie: Option<String>,
    /// The exchanges of the login, as evidence.
    pub login_exchanges: Vec<Exchange>,
    /// How long the login said its token lasts (`expires_in`), when it said so.
    pub expires_in: Option<std::time::Duration>,
    /// The token of a `kind: request` login, for its refresh request's `{{token}}`.
    pub token: Option<SecretString>,
    /// The refresh token the login gave, for its refresh request's `{{refresh_token}}`.
    pub refresh_token: Option<SecretString>,
}

/// A login that did not succeed.
#[derive(Debug, Clone)]
pub struct LoginError {
    pub message: String,
    pub exchanges: Vec<Exchange>,
}

impl Session {
    /// No credentials at all.
    pub fn anonymous() -> Session {
        Session {
            actor: "anonymous".into(),
            auth_header: None,
            jar: Jar::default(),
            csrf: None,
            attrs: IndexMap::new(),
            login_cookies: Vec::new(),
            cookies_before_login: Jar::default(),
            session_cookie: None,
            csrf_cookie: None,
            login_exchanges: Vec::new(),
            expires_in: None,
            token: None,
            refresh_token: None,
        }
    }

    /// The same session with its token and cookies forged (same shape, wrong value). Its
    /// exchanges are recorded as `ACTOR (forged credentials)`: what comes back was not given to
    /// the actor, so no check may judge it as an answer to them (PRV-04 judges answers to
    /// patients).
    pub fn malformed(&self) -> Session {
        let mut s = self.clone();
        s.actor = format!("{} (forged credentials)", self.actor);
        if let Some((_, value)) = &mut s.auth_header {
            *value = match value.split_once(' ') {
                Some((scheme, token)) => format!("{scheme} {}", super::forge(token)),
                None => super::forge(value),
            };
        }
        s.jar.forge();
        s
    }

    /// [`apply`](Self::apply), when the request goes to one of the target's own origins: a
    /// URL elsewhere (a pre-signed storage URL, a page on another host) gets no credentials.
    pub fn apply_scoped(&self, req: &mut Outgoing, target: &ResolvedTarget) {
        if target.carries_credentials(&req.url) {
            self.apply(req);
        }
    }

    /// Adds this session's credentials (and CSRF token on unsafe methods) to a request.
    pub fn apply(&self, req: &mut Outgoing) {
        if let Some((k, v)) = &self.auth_header {
            req.headers.push((k.clone(), v.clone()));
        }
        if let Some(c) = self.jar.header() {
            req.headers.push(("Cookie".into(), c));
        }
        if let Some(csrf) = &self.csrf {
            csrf.apply(req);
        }
    }
}
