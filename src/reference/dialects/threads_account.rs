//! The `threads` dialect's account and staff endpoints: the OAuth2 token endpoint (password
//! grant for the API client, client-credentials grant for the sandbox client), revocation,
//! `/v2/me`, the audit events and the sandbox notifications reader.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::threads_json::{ListQuery, page_json};
use crate::reference::app::auth::{Caller, same_secret};
use crate::reference::app::error::ApiError;
use crate::reference::app::paging;
use crate::reference::app::phi::phi;
use crate::reference::app::request::{bearer, field};
use crate::reference::app::state::{AppState, rfc3339};

/// The public client that signs users in with the password grant.
pub(crate) const API_CLIENT: &str = "vvcheck-threads";
/// The confidential client that reads the sandbox outbox; its secret is the outbox token.
pub(crate) const SANDBOX_CLIENT: &str = "vvcheck-sandbox";

/// The account, audit and sandbox routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v2/oauth/token", post(token))
        .route("/v2/oauth/revoke", post(revoke))
        .route("/v2/me", get(me))
        .route("/v2/audit-events", get(audit_events))
        .route("/v2/sandbox/notifications", get(notifications))
}

/// An OAuth2 error response (RFC 6749 section 5.2).
fn oauth_error(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

async fn token(
    State(state): State<AppState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| field(&form, k);
    let client = field("client_id");
    if client != API_CLIENT && client != SANDBOX_CLIENT {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    match (field("grant_type"), client) {
        ("password", API_CLIENT) => {
            let Some(user) = state.auth.login(field("username"), field("password")) else {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
            };
            let session = state.auth.open_session(user);
            Json(json!({
                "access_token": session.sid,
                "token_type": "Bearer",
                "expires_in": state.auth.idle_secs(),
                "scope": "threads",
                "uid": user.id,
            }))
            .into_response()
        }
        ("client_credentials", SANDBOX_CLIENT) => {
            if !same_secret(field("client_secret"), &state.outbox_token) {
                return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
            }
            if !matches!(field("scope"), "" | "sandbox") {
                return oauth_error(StatusCode::BAD_REQUEST, "invalid_scope");
            }
            Json(json!({
                "access_token": state.auth.open_service_token(),
                "token_type": "Bearer",
                "expires_in": state.auth.lifetime_secs(),
                "scope": "sandbox",
            }))
            .into_response()
        }
        ("password" | "client_credentials", _) => {
            oauth_error(StatusCode::BAD_REQUEST, "unauthorized_client")
        }
        _ => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
    }
}

async fn revoke(State(state): State<AppState>, caller: Caller) -> StatusCode {
    state.auth.revoke(&caller.sid);
    StatusCode::NO_CONTENT
}

async fn me(caller: Caller) -> Response {
    let u = caller.user;
    phi(Json(json!({
        "uid": u.id, "name": u.display_name, "role": u.role.as_str(), "email": u.username,
    })))
}

#[derive(Deserialize)]
struct SubjectQuery {
    subject: String,
}

async fn audit_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SubjectQuery>,
    Query(list): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let events = state.audit_events(caller.user, &q.subject)?;
    let page = paging::page(events, list.page()?, |e| &e.id)?;
    Ok(Json(page_json("items", &page, |e| {
        json!({"eid": e.id, "actor": e.actor_id, "action": e.action, "resource": e.resource, "at": rfc3339(e.at)})
    }))
    .into_response())
}

#[derive(Deserialize)]
struct RecipientQuery {
    recipient: String,
}

async fn notifications(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<RecipientQuery>,
    Query(list): Query<ListQuery>,
) -> Result<Response, ApiError> {
    if !bearer(&headers).is_some_and(|t| state.auth.service_token_valid(t)) {
        return Err(ApiError::Unauthorized);
    }
    let sent = state.notifications(&q.recipient)?;
    let page = paging::page(sent, list.page()?, |n| &n.id)?;
    Ok(Json(page_json("items", &page, |n| {
        json!({"nid": n.id, "channel": n.channel, "address": n.to, "subject": n.subject, "body": n.text})
    }))
    .into_response())
}
