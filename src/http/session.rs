//! Authentication: one login per actor and auth kind (bearer, OAuth2 password and client
//! credentials, form/JSON login with cookie and CSRF), and the session it yields.

use indexmap::IndexMap;
use reqwest::Method;
use serde_json::Value;

use super::client::{HttpClient, Incoming, OutBody, Outgoing, RequestTag};
use super::cookies::{Jar, SetCookie};
use super::exchange::Exchange;
use super::extract::{extract, hidden_input};
use crate::model::resolve::{ResolvedActor, ResolvedTarget};
use crate::model::target::AuthKind;
use crate::model::template;

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
    /// Name of the session cookie, when the scheme declares one.
    pub session_cookie: Option<String>,
    /// Name of the CSRF cookie, which is not a session cookie.
    pub csrf_cookie: Option<String>,
    /// The exchanges of the login, as evidence.
    pub login_exchanges: Vec<Exchange>,
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
            session_cookie: None,
            csrf_cookie: None,
            login_exchanges: Vec::new(),
        }
    }

    /// The same session with its token and cookies forged (same shape, wrong value).
    pub fn malformed(&self) -> Session {
        let mut s = self.clone();
        if let Some((_, value)) = &mut s.auth_header {
            *value = match value.split_once(' ') {
                Some((scheme, token)) => format!("{scheme} {}", super::forge(token)),
                None => super::forge(value),
            };
        }
        s.jar.forge();
        s
    }

    /// Adds this session's credentials (and CSRF token on unsafe methods) to a request.
    pub fn apply(&self, req: &mut Outgoing) {
        if let Some((k, v)) = &self.auth_header {
            req.headers.push((k.clone(), v.clone()));
        }
        if let Some(c) = self.jar.header() {
            req.headers.push(("Cookie".into(), c));
        }
        let unsafe_method = !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if let (true, Some(csrf)) = (unsafe_method, &self.csrf) {
            if let Some(h) = &csrf.send_header {
                req.headers.push((h.clone(), csrf.value.clone()));
            }
            if let Some(f) = &csrf.send_field {
                match &mut req.body {
                    OutBody::Form(fields) => fields.push((f.clone(), csrf.value.clone())),
                    OutBody::Multipart(parts) => parts.insert(
                        0,
                        super::client::OutPart::Text {
                            name: f.clone(),
                            value: csrf.value.clone(),
                        },
                    ),
                    OutBody::None => {
                        req.body = OutBody::Form(vec![(f.clone(), csrf.value.clone())])
                    }
                    OutBody::Json(Value::Object(map)) => {
                        map.insert(f.clone(), Value::String(csrf.value.clone()));
                    }
                    _ => {}
                }
            }
        }
    }
}

struct Login<'a> {
    http: &'a HttpClient,
    target: &'a ResolvedTarget,
    actor: &'a ResolvedActor,
    exchanges: Vec<Exchange>,
    jar: Jar,
}

impl Login<'_> {
    fn fail(self, message: impl Into<String>) -> LoginError {
        LoginError {
            message: format!("login as {} failed: {}", self.actor.name, message.into()),
            exchanges: self.exchanges,
        }
    }

    async fn send(&mut self, mut req: Outgoing) -> Result<Incoming, String> {
        if let Some(c) = self.jar.header() {
            req.headers.push(("Cookie".into(), c));
        }
        let (http, jar) = (self.http, &mut self.jar);
        let tag = RequestTag {
            actor: &self.actor.name,
            purpose: "login",
        };
        let sent = http
            .send_inspecting(&req, tag, |resp| {
                jar.absorb(resp.headers_named("set-cookie"));
                for v in jar.values() {
                    http.redactor.add(v);
                }
                if let Some(token) = resp
                    .json()
                    .as_ref()
                    .and_then(|j| j.get("access_token"))
                    .and_then(Value::as_str)
                {
                    http.redactor.add(token);
                }
            })
            .await;
        self.exchanges.push(sent.exchange);
        sent.outcome.map_err(|e| e.message)
    }

    fn url(&self, path: &str) -> Result<url::Url, String> {
        self.target
            .url(path)
            .map_err(|e| format!("bad login URL `{path}`: {e}"))
    }
}

/// Logs an actor in.
pub async fn login(
    http: &HttpClient,
    target: &ResolvedTarget,
    actor: &ResolvedActor,
) -> Result<Session, LoginError> {
    let scheme = &actor.scheme;
    let mut l = Login {
        http,
        target,
        actor,
        exchanges: Vec::new(),
        jar: Jar::default(),
    };
    let mut session = Session {
        actor: actor.name.clone(),
        ..Session::anonymous()
    };
    session.session_cookie = scheme.session_cookie.clone();
    let login_response: Option<Incoming>;
    match scheme.kind {
        AuthKind::Bearer => {
            let Some(token) = &actor.token else {
                return Err(l.fail("no token"));
            };
            let header = scheme
                .header
                .clone()
                .unwrap_or_else(|| "Authorization".into());
            let value = if header.eq_ignore_ascii_case("authorization") {
                format!("Bearer {}", token.expose())
            } else {
                token.expose().to_string()
            };
            session.auth_header = Some((header, value));
            login_response = None;
        }
        AuthKind::Oauth2Password | AuthKind::Oauth2ClientCredentials => {
            let token_url = scheme
                .token_url
                .as_ref()
                .map(|u| u.value.clone())
                .unwrap_or_default();
            let url = l.url(&token_url).map_err(|e| LoginError {
                message: e,
                exchanges: Vec::new(),
            })?;
            let mut form = Vec::new();
            if scheme.kind == AuthKind::Oauth2Password {
                form.push(("grant_type".to_string(), "password".to_string()));
                form.push((
                    "username".to_string(),
                    actor.username.clone().unwrap_or_default(),
                ));
                form.push((
                    "password".to_string(),
                    actor
                        .password
                        .as_ref()
                        .map(|p| p.expose().to_string())
                        .unwrap_or_default(),
                ));
            } else {
                form.push(("grant_type".to_string(), "client_credentials".to_string()));
            }
            if let Some(id) = &scheme.client_id {
                form.push(("client_id".to_string(), id.clone()));
            }
            if let Some(secret) = &actor.client_secret {
                form.push(("client_secret".to_string(), secret.expose().to_string()));
            }
            if let Some(scope) = &scheme.scope {
                form.push(("scope".to_string(), scope.clone()));
            }
            let req = Outgoing {
                method: Method::POST,
                url,
                headers: vec![("Accept".into(), "application/json".into())],
                body: OutBody::Form(form),
                follow_redirects: false,
            };
            let resp = match l.send(req).await {
                Ok(r) => r,
                Err(e) => return Err(l.fail(e)),
            };
            if !(200..300).contains(&resp.status) {
                return Err(l.fail(format!("token endpoint answered {}", resp.status)));
            }
            let Some(token) = resp.json().and_then(|j| {
                j.get("access_token")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            }) else {
                return Err(l.fail("the token response has no access_token"));
            };
            session.auth_header = Some(("Authorization".into(), format!("Bearer {token}")));
            login_response = Some(resp);
        }
        AuthKind::FormCookie => {
            let csrf = scheme.csrf.clone().unwrap_or_default();
            let mut pre_token = None;
            if let Some(page) = &csrf.login_page {
                let url = match l.url(page) {
                    Ok(u) => u,
                    Err(e) => return Err(l.fail(e)),
                };
                let page_resp = match l.send(Outgoing::get(url)).await {
                    Ok(r) => r,
                    Err(e) => return Err(l.fail(e)),
                };
                let field = csrf
                    .login_field
                    .clone()
                    .unwrap_or_else(|| "csrf_token".into());
                match hidden_input(&page_resp.text(), &field) {
                    Some(t) => pre_token = Some((field, t)),
                    None => {
                        return Err(l.fail(format!("the login page has no hidden input `{field}`")));
                    }
                }
            }
            let ctx = serde_json::json!({
                "username": actor.username.clone().unwrap_or_default(),
                "password": actor.password.as_ref().map(|p| p.expose().to_string()).unwrap_or_default(),
            });
            let path = scheme
                .path
                .as_ref()
                .map(|p| p.value.clone())
                .unwrap_or_default();
            let url = match l.url(&path) {
                Ok(u) => u,
                Err(e) => return Err(l.fail(e)),
            };
            let body = if let Some(json) = &scheme.json {
                let mut v = match template::render_value(json, &ctx) {
                    Ok(v) => v,
                    Err(e) => return Err(l.fail(e.0)),
                };
                if let (Some((f, t)), Value::Object(map)) = (&pre_token, &mut v) {
                    map.insert(f.clone(), Value::String(t.clone()));
                }
                OutBody::Json(v)
            } else {
                let mut fields = Vec::new();
                for (k, v) in scheme.form.iter().flatten() {
                    match template::render(v, &ctx) {
                        Ok(v) => fields.push((k.clone(), v)),
                        Err(e) => return Err(l.fail(e.0)),
                    }
                }
                if let Some((f, t)) = &pre_token {
                    fields.push((f.clone(), t.clone()));
                }
                OutBody::Form(fields)
            };
            let mut headers = Vec::new();
            if let (Some(h), Some((_, t))) = (&csrf.send_header, &pre_token) {
                headers.push((h.clone(), t.clone()));
            }
            let resp = match l
                .send(Outgoing {
                    method: Method::POST,
                    url,
                    headers,
                    body,
                    follow_redirects: false,
                })
                .await
            {
                Ok(r) => r,
                Err(e) => return Err(l.fail(e)),
            };
            if !(200..400).contains(&resp.status) {
                return Err(l.fail(format!("the login answered {}", resp.status)));
            }
            session.login_cookies = resp
                .headers_named("set-cookie")
                .filter_map(SetCookie::parse)
                .collect();
            if session.login_cookies.is_empty() {
                return Err(l.fail("the login set no cookie"));
            }
            let token = if let Some(path) = &csrf.from_json {
                resp.json().and_then(|j| {
                    serde_json_path::JsonPath::parse(path).ok().and_then(|p| {
                        p.query(&j)
                            .first()
                            .and_then(|v| v.as_str().map(str::to_string))
                    })
                })
            } else if let Some(name) = &csrf.from_cookie {
                session.csrf_cookie = Some(name.clone());
                l.jar.get(name).map(str::to_string)
            } else if let Some(field) = &csrf.from_hidden {
                let page = csrf.page.clone().unwrap_or_else(|| "/".into());
                let url = match l.url(&page) {
                    Ok(u) => u,
                    Err(e) => return Err(l.fail(e)),
                };
                match l.send(Outgoing::get(url)).await {
                    Ok(r) => hidden_input(&r.text(), field),
                    Err(e) => return Err(l.fail(e)),
                }
            } else {
                None
            };
            let wants_token = csrf.from_json.is_some()
                || csrf.from_cookie.is_some()
                || csrf.from_hidden.is_some();
            match token {
                Some(value) => {
                    session.csrf = Some(CsrfToken {
                        value,
                        send_header: csrf.send_header.clone(),
                        send_field: csrf.send_field.clone(),
                    })
                }
                None if wants_token => return Err(l.fail("no CSRF token after login")),
                None => {}
            }
            login_response = Some(resp);
        }
    }
    let mut attrs: IndexMap<String, Value> = actor
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    if let Some(username) = &actor.username {
        attrs.insert("username".into(), Value::String(username.clone()));
    }
    for (name, spec) in &actor.capture {
        let Some(resp) = &login_response else {
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
    session.attrs = attrs;
    session.jar = l.jar;
    session.login_exchanges = l.exchanges;
    Ok(session)
}
