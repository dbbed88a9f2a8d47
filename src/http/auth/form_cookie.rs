//! Form or JSON login: the actor's credentials posted to the scheme's login path (with the login
//! form's CSRF token when there is one); the login must set a cookie.

use reqwest::Method;

use super::Login;
use super::csrf;
use crate::http::client::{Incoming, OutBody, Outgoing};
use crate::http::cookies::SetCookie;
use crate::http::session::{LoginError, Session};
use crate::model::template;

/// Posts the login and returns its response (for captures); the session gets the cookies it
/// set and its CSRF token.
pub(super) async fn login(
    l: &mut Login<'_>,
    session: &mut Session,
) -> Result<Incoming, LoginError> {
    let actor = l.actor;
    let scheme = &actor.scheme;
    let csrf = scheme.csrf.clone().unwrap_or_default();
    let form_token = csrf::before_login(l, &csrf).await?;
    let path = scheme
        .path
        .as_ref()
        .map(|p| p.value.clone())
        .unwrap_or_default();
    let url = l.url(&path).map_err(|e| l.fail(e))?;
    let mut body = body(l)?;
    if let Some(t) = &form_token {
        t.add_to(&mut body);
    }
    let req = Outgoing {
        method: Method::POST,
        url,
        headers: csrf::login_headers(&csrf, form_token.as_ref()),
        body,
        follow_redirects: false,
    };
    session.cookies_before_login = l.jar.clone();
    let resp = l.send(req).await?;
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
    csrf::after_login(l, &csrf, &resp, session).await?;
    Ok(resp)
}

/// The login body: the scheme's JSON or form template filled with the actor's credentials.
fn body(l: &mut Login<'_>) -> Result<OutBody, LoginError> {
    let actor = l.actor;
    let ctx = serde_json::json!({
        "username": actor.username.clone().unwrap_or_default(),
        "password": actor.password.as_ref().map(|p| p.expose().to_string()).unwrap_or_default(),
    });
    if let Some(json) = &actor.scheme.json {
        return template::render_value(json, &ctx)
            .map(OutBody::Json)
            .map_err(|e| l.fail(e.0));
    }
    let mut fields = Vec::new();
    for (k, v) in actor.scheme.form.iter().flatten() {
        let v = template::render(v, &ctx).map_err(|e| l.fail(e.0))?;
        fields.push((k.clone(), v));
    }
    Ok(OutBody::Form(fields))
}
