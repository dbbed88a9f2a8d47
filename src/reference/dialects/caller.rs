//! Who calls the APIs: the session behind the bearer token (`rest`) or the `sm_sid` cookie
//! (`forms`), and the [`Caller`] extractor, where the `unauth-message` flaw bites.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::reference::app::auth::Caller;
use crate::reference::app::config::Dialect;
use crate::reference::app::error::ApiError;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::request::{bearer, cookie};
use crate::reference::app::state::AppState;
use crate::reference::app::users;

/// The account message reads fall through to under `unauth-message` (the clinician, who
/// takes part in every conversation).
const SERVICE_ACCOUNT: &str = "u-cl-31d5";

/// The API caller: a bearer token (rest) or the `sm_sid` cookie (forms).
pub(crate) fn api_caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    let sid = match state.settings.dialect {
        Dialect::Rest => bearer(headers)?,
        Dialect::Forms => cookie(headers, "sm_sid")?,
    };
    state.auth.session(sid)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(caller) = api_caller(state, &parts.headers) {
            return Ok(caller);
        }
        let path = parts.uri.path();
        let message_read = parts.method == axum::http::Method::GET
            && (path.contains("/messages") || path.starts_with("/threads/"));
        match users::by_id(SERVICE_ACCOUNT) {
            Some(user) if message_read && state.has(Flaw::UnauthMessage) => Ok(Caller {
                user,
                sid: String::new(),
                csrf: String::new(),
            }),
            _ => Err(ApiError::Unauthorized),
        }
    }
}
