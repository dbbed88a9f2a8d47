//! What every resolver of the graph dialect gets: the server and the request's headers, and
//! from them the caller and the reader.

use axum::http::HeaderMap;

use super::errors::GraphError;
use crate::reference::app::auth::Caller;
use crate::reference::app::state::AppState;
use crate::reference::app::users::User;
use crate::reference::dialects::caller::{api_caller, reader};

/// What a resolver may ask of the request: the server and the request's headers.
pub(crate) struct Ctx<'a> {
    pub state: &'a AppState,
    pub headers: &'a HeaderMap,
}

impl Ctx<'_> {
    /// The signed-in caller, or `UNAUTHENTICATED`.
    pub(crate) fn caller(&self) -> Result<Caller, GraphError> {
        api_caller(self.state, self.headers).ok_or_else(GraphError::unauthenticated)
    }

    /// Who reads a conversation or message: the caller, or whom `unauth-message` lets in.
    pub(crate) fn reader(&self) -> Result<&'static User, GraphError> {
        Ok(reader(self.state, self.headers)?)
    }
}
