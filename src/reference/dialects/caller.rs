//! Who calls the APIs: the session behind the bearer token (`rest`, `threads`, `graph`) or the
//! `sm_sid` cookie (`forms`); the [`Caller`] extractor, and the reader of conversation and
//! message reads ([`Reader`], [`reader`]), where the `unauth-message` and `leaky-denial` flaws
//! bite.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::reference::app::auth::Caller;
use crate::reference::app::config::Dialect;
use crate::reference::app::error::ApiError;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::request::{bearer, cookie};
use crate::reference::app::state::AppState;
use crate::reference::app::users::{self, User};

/// The account message reads fall through to under `unauth-message` (the clinician, who
/// takes part in every conversation).
const SERVICE_ACCOUNT: &str = "u-cl-31d5";

/// The API caller: a bearer token (rest, threads, graph) or the `sm_sid` cookie (forms).
pub(crate) fn api_caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    let sid = match state.settings.dialect {
        Dialect::Rest | Dialect::Threads | Dialect::Graph => bearer(headers)?,
        Dialect::Forms => cookie(headers, "sm_sid")?,
    };
    state.auth.session(sid)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        api_caller(state, &parts.headers).ok_or(ApiError::Unauthorized)
    }
}

/// Who reads a conversation or its messages: the signed-in user, or, under `unauth-message`
/// (and `leaky-denial`, whose layer then refuses the answer it leaves in the body), the service
/// account when the request has no valid session.
pub(crate) fn reader(state: &AppState, headers: &HeaderMap) -> Result<&'static User, ApiError> {
    if let Some(caller) = api_caller(state, headers) {
        return Ok(caller.user);
    }
    match users::by_id(SERVICE_ACCOUNT) {
        Some(user) if state.has(Flaw::UnauthMessage) || state.has(Flaw::LeakyDenial) => Ok(user),
        _ => Err(ApiError::Unauthorized),
    }
}

/// The [`reader`] of a conversation or message read, as an extractor.
pub(crate) struct Reader(pub &'static User);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        reader(state, &parts.headers).map(Reader)
    }
}
