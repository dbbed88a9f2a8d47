//! HTTP Basic authentication: the actor's username and password, sent on every request as
//! `Authorization: Basic base64(username:password)`; no login request is made.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::Login;
use crate::http::session::LoginError;

/// The `Authorization` header of the actor's username and password.
pub(super) fn auth_header(l: &mut Login<'_>) -> Result<(String, String), LoginError> {
    let actor = l.actor;
    let (Some(user), Some(password)) = (&actor.username, &actor.password) else {
        return Err(l.fail("basic authentication needs a username and a password"));
    };
    let pair = format!("{user}:{}", password.expose());
    Ok((
        "Authorization".into(),
        format!("Basic {}", STANDARD.encode(pair)),
    ))
}
