//! CSRF tokens: the one a login form carries (a hidden field of the login page), the one a
//! session gets after login (from a JSON field of the login response, a cookie, or a hidden
//! field of a page), and how each is sent back.

use reqwest::Method;
use serde_json::Value;

use super::Login;
use crate::http::client::{Incoming, OutBody, OutPart, Outgoing};
use crate::http::extract::hidden_input;
use crate::http::session::{CsrfToken, LoginError, Session};
use crate::model::target::Csrf;

impl CsrfToken {
    /// Adds the token to a request with an unsafe method, in a header, a body field, or both.
    pub fn apply(&self, req: &mut Outgoing) {
        if matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return;
        }
        if let Some(h) = &self.send_header {
            req.headers.push((h.clone(), self.value.clone()));
        }
        if let Some(f) = &self.send_field {
            match &mut req.body {
                OutBody::Form(fields) => fields.push((f.clone(), self.value.clone())),
                OutBody::Multipart(parts) => parts.insert(
                    0,
                    OutPart::Text {
                        name: f.clone(),
                        value: self.value.clone(),
                    },
                ),
                OutBody::None => req.body = OutBody::Form(vec![(f.clone(), self.value.clone())]),
                OutBody::Json(Value::Object(map)) => {
                    map.insert(f.clone(), Value::String(self.value.clone()));
                }
                _ => {}
            }
        }
    }
}

/// The token of the login form, read from the login page before logging in.
pub(super) struct FormToken {
    field: String,
    value: String,
}

impl FormToken {
    /// Adds the token to the login body, as a field of its form or JSON object.
    pub(super) fn add_to(&self, body: &mut OutBody) {
        match body {
            OutBody::Json(Value::Object(map)) => {
                map.insert(self.field.clone(), Value::String(self.value.clone()));
            }
            OutBody::Form(fields) => fields.push((self.field.clone(), self.value.clone())),
            _ => {}
        }
    }
}

/// Fetches the login page, when the scheme names one, and reads the login form's token.
pub(super) async fn before_login(
    l: &mut Login<'_>,
    csrf: &Csrf,
) -> Result<Option<FormToken>, LoginError> {
    let Some(page) = &csrf.login_page else {
        return Ok(None);
    };
    let url = l.url(page).map_err(|e| l.fail(e))?;
    let page_resp = l.send(Outgoing::get(url)).await?;
    let field = csrf
        .login_field
        .clone()
        .unwrap_or_else(|| "csrf_token".into());
    match hidden_input(&page_resp.text(), &field) {
        Some(value) => {
            l.learned_from_last(&value);
            Ok(Some(FormToken { field, value }))
        }
        None => Err(l.fail(format!("the login page has no hidden input `{field}`"))),
    }
}

/// The headers of the login request: the login form's token, when the scheme sends it in one.
pub(super) fn login_headers(csrf: &Csrf, token: Option<&FormToken>) -> Vec<(String, String)> {
    match (&csrf.send_header, token) {
        (Some(h), Some(t)) => vec![(h.clone(), t.value.clone())],
        _ => Vec::new(),
    }
}

/// Gives the session the token the scheme says to take after login; an error when it says
/// to take one and none is found.
pub(super) async fn after_login(
    l: &mut Login<'_>,
    csrf: &Csrf,
    resp: &Incoming,
    session: &mut Session,
) -> Result<(), LoginError> {
    let token = if let Some(path) = &csrf.from_json {
        resp.json().and_then(|j| {
            crate::model::pattern::parse_jsonpath(path)
                .ok()
                .and_then(|p| {
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
        let url = l.url(&page).map_err(|e| l.fail(e))?;
        let page_resp = l.send(Outgoing::get(url)).await?;
        hidden_input(&page_resp.text(), field)
    } else {
        None
    };
    let wants_token =
        csrf.from_json.is_some() || csrf.from_cookie.is_some() || csrf.from_hidden.is_some();
    match token {
        Some(value) => {
            l.learned_from_last(&value);
            session.csrf = Some(CsrfToken {
                value,
                send_header: csrf.send_header.clone(),
                send_field: csrf.send_field.clone(),
            })
        }
        None if wants_token => return Err(l.fail("no CSRF token after login")),
        None => {}
    }
    Ok(())
}
