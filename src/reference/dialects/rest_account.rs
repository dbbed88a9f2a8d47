//! The `rest` dialect's account and staff endpoints: OAuth2 password grant and revocation,
//! `/api/me`, the audit log and the `/test/outbox` reader.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::reference::app::auth::{Caller, same_secret};
use crate::reference::app::error::ApiError;
use crate::reference::app::phi::phi;
use crate::reference::app::request::{bearer, field};
use crate::reference::app::state::{AppState, rfc3339};

/// The account, audit and outbox routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/api/me", get(me))
        .route("/api/audit", get(audit))
        .route("/test/outbox", get(outbox))
}

async fn token(
    State(state): State<AppState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| field(&form, k);
    if field("grant_type") != "password" {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    if field("client_id") != "vvcheck-demo" {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_client"})),
        )
            .into_response();
    }
    let Some(user) = state.auth.login(field("username"), field("password")) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let session = state.auth.open_session(user);
    Json(json!({
        "access_token": session.sid,
        "token_type": "Bearer",
        "expires_in": state.auth.idle_secs(),
        "user": { "id": user.id, "role": user.role.as_str(), "display_name": user.display_name },
    }))
    .into_response()
}

async fn revoke(State(state): State<AppState>, caller: Caller) -> StatusCode {
    state.auth.revoke(&caller.sid);
    StatusCode::NO_CONTENT
}

async fn me(caller: Caller) -> Response {
    let u = caller.user;
    let mut body = json!({
        "id": u.id, "role": u.role.as_str(), "display_name": u.display_name, "username": u.username,
    });
    if let (Some(dob), Some((hcn, version))) = (u.dob, u.hcn) {
        body["dob"] = json!(dob);
        body["hcn"] = json!(hcn);
        body["hcn_version"] = json!(version);
    }
    phi(Json(body))
}

#[derive(Deserialize)]
struct AuditQuery {
    subject: String,
}

async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let events: Vec<Value> = state
        .audit_events(caller.user, &q.subject)?
        .iter()
        .map(|e| json!({"actor_id": e.actor_id, "action": e.action, "resource": e.resource, "at": rfc3339(e.at)}))
        .collect();
    Ok(Json(json!({ "events": events })).into_response())
}

#[derive(Deserialize)]
struct OutboxQuery {
    recipient: String,
}

async fn outbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> Result<Response, ApiError> {
    if !bearer(&headers).is_some_and(|t| same_secret(t, &state.outbox_token)) {
        return Err(ApiError::Unauthorized);
    }
    let items: Vec<Value> = state
        .notifications(&q.recipient)?
        .iter()
        .map(|n| json!({"channel": n.channel, "to": n.to, "text": n.text}))
        .collect();
    Ok(Json(json!({ "notifications": items })).into_response())
}
