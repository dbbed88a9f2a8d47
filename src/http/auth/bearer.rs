//! Bearer login: the actor's static token, sent as `Authorization: Bearer …` or, raw, in the
//! header the scheme names.

use super::Login;
use crate::http::session::LoginError;

/// The header carrying the actor's token; no request is sent.
pub(super) fn auth_header(l: &mut Login<'_>) -> Result<(String, String), LoginError> {
    let actor = l.actor;
    let Some(token) = &actor.token else {
        return Err(l.fail("no token"));
    };
    let header = actor
        .scheme
        .header
        .clone()
        .unwrap_or_else(|| "Authorization".into());
    let value = if header.eq_ignore_ascii_case("authorization") {
        format!("Bearer {}", token.expose())
    } else {
        token.expose().to_string()
    };
    Ok((header, value))
}
