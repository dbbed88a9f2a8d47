//! OAuth2 login: the password and client-credentials grants, posted as a form to the token
//! endpoint, whose `access_token` becomes the session's bearer token.

use reqwest::Method;
use serde_json::Value;

use super::Login;
use crate::http::client::{Incoming, OutBody, Outgoing};
use crate::http::session::{LoginError, Session};
use crate::model::resolve::ResolvedActor;
use crate::model::target::AuthKind;

/// Asks the token endpoint for a token and returns its response (for captures).
pub(super) async fn login(
    l: &mut Login<'_>,
    session: &mut Session,
) -> Result<Incoming, LoginError> {
    let token_url = l
        .actor
        .scheme
        .token_url
        .as_ref()
        .map(|u| u.value.clone())
        .unwrap_or_default();
    let url = l.url(&token_url).map_err(|e| LoginError {
        message: e,
        exchanges: Vec::new(),
    })?;
    let req = Outgoing {
        method: Method::POST,
        url,
        headers: vec![("Accept".into(), "application/json".into())],
        body: OutBody::Form(grant(l.actor)),
        follow_redirects: false,
    };
    let resp = l.send(req).await?;
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
    Ok(resp)
}

/// The token request's form: the grant, and the client's identity and scope when given.
fn grant(actor: &ResolvedActor) -> Vec<(String, String)> {
    let scheme = &actor.scheme;
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
    form
}
