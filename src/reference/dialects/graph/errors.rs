//! GraphQL errors: the codes of `extensions.code`, one error with the path of the field that
//! raised it, and the responses that carry errors (HTTP 400 for a request that is not GraphQL,
//! HTTP 200 for the rest, as GraphQL servers answer).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::reference::app::error::{ApiError, ReportsErrors};

/// What went wrong, as `extensions.code` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// No access token, or one that is invalid, expired or revoked; a wrong password.
    Unauthenticated,
    /// The caller's role may not.
    Forbidden,
    /// Unknown, or not the caller's.
    NotFound,
    /// An argument the field refuses: a bad id, cursor, `first` or text.
    BadUserInput,
    /// A declared upload over the size limit, or a request body over the endpoint's.
    PayloadTooLarge,
    /// A media type off the allow-list.
    UnsupportedMediaType,
    /// The conversation is closed.
    Conflict,
    /// Too many failed sign-ins: the account is locked.
    Locked,
    /// The body is not a GraphQL request, or its document does not parse.
    ParseFailed,
    /// The document asks for what the schema does not have, or for what this server does not
    /// support (fragments, directives, subscriptions).
    ValidationFailed,
    /// The server could not do what it should have.
    Internal,
}

impl Code {
    /// The code as `extensions.code` spells it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Code::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Code::Conflict => "CONFLICT",
            Code::Locked => "LOCKED",
            Code::ParseFailed => "GRAPHQL_PARSE_FAILED",
            Code::ValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Code::Internal => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// One GraphQL error: its code, its message, and the path of the field that raised it
/// (response keys and list indexes from the root; empty for an error of the whole request).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct GraphError {
    pub code: Code,
    pub message: String,
    pub path: Vec<Value>,
}

impl GraphError {
    /// An error of `code`, not yet at any field.
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        GraphError {
            code,
            message: message.into(),
            path: Vec::new(),
        }
    }

    /// A `GRAPHQL_VALIDATION_FAILED` error.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        GraphError::new(Code::ValidationFailed, message)
    }

    /// A `BAD_USER_INPUT` error.
    pub(crate) fn input(message: impl Into<String>) -> Self {
        GraphError::new(Code::BadUserInput, message)
    }

    /// The `UNAUTHENTICATED` error of a field that needs a valid access token.
    pub(crate) fn unauthenticated() -> Self {
        GraphError::new(
            Code::Unauthenticated,
            "sign in first: the access token is missing, invalid, expired or revoked",
        )
    }

    /// The same error, raised inside the field answering under `key`.
    pub(crate) fn under(mut self, key: &str) -> Self {
        self.path.insert(0, json!(key));
        self
    }

    /// The same error, raised inside item `index` of a list.
    pub(crate) fn at_index(mut self, index: usize) -> Self {
        self.path.insert(0, json!(index));
        self
    }

    fn to_json(&self) -> Value {
        let mut error = json!({ "message": self.message });
        if !self.path.is_empty() {
            error["path"] = json!(self.path);
        }
        error["extensions"] = json!({ "code": self.code.as_str() });
        error
    }
}

impl From<ApiError> for GraphError {
    fn from(e: ApiError) -> Self {
        let code = match e {
            ApiError::BadRequest(_) => Code::BadUserInput,
            ApiError::Unauthorized => return GraphError::unauthenticated(),
            ApiError::Forbidden(_) => Code::Forbidden,
            ApiError::NotFound => Code::NotFound,
            ApiError::Conflict(_) => Code::Conflict,
            ApiError::TooLarge => Code::PayloadTooLarge,
            ApiError::Unsupported(_) => Code::UnsupportedMediaType,
        };
        GraphError::new(code, e.reason())
    }
}

/// A request that is not one GraphQL can run (not JSON, no document, a document that does
/// not parse, a body over the limit): `status` and `{"errors": [e]}`, no `data`.
pub(crate) fn request_error(status: StatusCode, e: &GraphError) -> Response {
    reporting((status, Json(json!({ "errors": [e.to_json()] }))))
}

/// A document the schema refuses, found before anything ran: HTTP 200 and
/// `{"errors": [e]}`, no `data`.
pub(crate) fn validation_error(e: &GraphError) -> Response {
    request_error(StatusCode::OK, e)
}

/// A field that failed as the operation ran: HTTP 200, `{"data": null, "errors": [e]}`.
pub(crate) fn field_error(e: &GraphError) -> Response {
    reporting(Json(json!({ "data": null, "errors": [e.to_json()] })))
}

/// Marks a response as reporting errors, whatever its status (see the `echo-credentials`
/// flaw).
fn reporting(resp: impl IntoResponse) -> Response {
    let mut resp = resp.into_response();
    resp.extensions_mut().insert(ReportsErrors);
    resp
}
