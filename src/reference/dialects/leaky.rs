//! The `leaky-denial` flaw's layer: a refusal that still carries what was refused.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use super::caller::api_caller;
use crate::reference::app::config::Dialect;
use crate::reference::app::error::{ReportsErrors, json_error};
use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::Phi;
use crate::reference::app::state::AppState;

/// The `leaky-denial` flaw: an answer with PHI to a caller without a valid session (which
/// [`reader`](super::caller::reader) let fall through to the service account) is turned
/// into a refusal — 401, or for GraphQL an `UNAUTHENTICATED` error beside the `data` — that
/// still carries the content.
pub(crate) async fn leaky_denial(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !state.has(Flaw::LeakyDenial) {
        return next.run(req).await;
    }
    let anonymous = api_caller(&state, req.headers()).is_none() && !page_session(&state, &req);
    let resp = next.run(req).await;
    let carries_phi = resp.extensions().get::<Phi>().is_some();
    if !anonymous || !carries_phi || !resp.status().is_success() {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    if state.settings.dialect != Dialect::Graph {
        parts.status = StatusCode::UNAUTHORIZED;
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return json_error(StatusCode::INTERNAL_SERVER_ERROR, "internal error");
    };
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    if let Some(obj) = doc.as_object_mut() {
        obj.insert(
            "errors".to_string(),
            json!([{ "message": "not signed in", "extensions": { "code": "UNAUTHENTICATED" } }]),
        );
    }
    parts.extensions.insert(ReportsErrors);
    Response::from_parts(parts, axum::body::Body::from(doc.to_string()))
}

/// Whether any cookie of the request is a live session (a browser signed in to the pages,
/// whose answers this flaw leaves alone).
fn page_session(state: &AppState, req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.split_once('='))
        .any(|(_, value)| state.auth.session(value.trim()).is_some())
}
