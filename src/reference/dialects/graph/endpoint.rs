//! `POST /graphql`: the body read as a GraphQL request, its document parsed, checked against
//! the schema and run, and the answer sent as GraphQL servers send it: `{"data": …}`, or
//! errors (HTTP 400 for a body that is not a GraphQL request, HTTP 200 for the rest). An
//! answer with PHI is marked so; requests that touch messages or attachments meet the
//! `flaky` flaw.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use super::ctx::Ctx;
use super::document::{self, GraphRequest, Operation};
use super::errors::{Code, GraphError, field_error, request_error, validation_error};
use super::execute;
use super::schema;
use crate::reference::app::phi::phi;
use crate::reference::app::state::AppState;
use crate::reference::dialects::flaky::flaky_failure;

/// Root fields whose answers carry PHI (names, messages, attachments), kept out of caches.
const PHI_FIELDS: &[&str] = &[
    "me",
    "conversations",
    "conversation",
    "message",
    "attachment",
    "startConversation",
    "sendMessage",
    "markRead",
    "closeConversation",
];

/// Root fields of the account, which the `flaky` flaw spares as it spares the other
/// dialects' token and profile endpoints.
const ACCOUNT_FIELDS: &[&str] = &["login", "refreshSession", "logout", "me", "__typename"];

/// The GraphQL endpoint.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/graphql", post(graphql))
}

fn any_of(op: &Operation, names: &[&str]) -> bool {
    op.fields.iter().any(|f| names.contains(&f.name.as_str()))
}

async fn graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let e = GraphError::new(Code::PayloadTooLarge, "the request body is too large");
            return request_error(StatusCode::PAYLOAD_TOO_LARGE, &e);
        }
        Err(e) => {
            let e = GraphError::new(
                Code::ParseFailed,
                format!("the body could not be read: {e}"),
            );
            return request_error(StatusCode::BAD_REQUEST, &e);
        }
    };
    // Only JSON is a GraphQL request here: a form or a text body could be sent cross-site
    // without a preflight, so anything else is refused before it is read.
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || m == "application/graphql-response+json"
        });
    if !json {
        let e = GraphError::new(
            Code::UnsupportedMediaType,
            "a GraphQL request is JSON: send Content-Type: application/json",
        );
        return request_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &e);
    }
    let request: GraphRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let e = GraphError::new(
                Code::ParseFailed,
                format!("the body is not a GraphQL request (JSON with a `query`): {e}"),
            );
            return request_error(StatusCode::BAD_REQUEST, &e);
        }
    };
    let op = match document::operation(&request) {
        Ok(op) => op,
        Err(e) if e.code == Code::ParseFailed => return request_error(StatusCode::BAD_REQUEST, &e),
        Err(e) => return validation_error(&e),
    };
    if let Err(e) = schema::validate(schema::root(op.kind), &op.fields) {
        return validation_error(&e);
    }
    let messaging = op
        .fields
        .iter()
        .any(|f| !ACCOUNT_FIELDS.contains(&f.name.as_str()));
    if messaging && let Some(failure) = flaky_failure(&state) {
        return failure;
    }
    let ctx = Ctx {
        state: &state,
        headers: &headers,
    };
    match execute::run(&ctx, &op) {
        Ok(data) => {
            let resp = Json(json!({ "data": data })).into_response();
            if any_of(&op, PHI_FIELDS) {
                phi(resp)
            } else {
                resp
            }
        }
        Err(e) => field_error(&e),
    }
}
