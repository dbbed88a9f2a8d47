//! The one way the JSON APIs say no: a status and `{"error": "..."}`, the layer that gives
//! every other error response that shape, and the `echo-credentials` flaw's debug block (in
//! GraphQL's errors too, which come on HTTP 200).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::flaws::Flaw;
use super::state::AppState;

/// A refusal from a JSON API handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 400 with a short reason.
    BadRequest(&'static str),
    /// 401 `{"error":"unauthorized"}`.
    Unauthorized,
    /// 403 with a short reason.
    Forbidden(&'static str),
    /// 404 `{"error":"not found"}`; also used for resources the caller may not see.
    NotFound,
    /// 409 with a short reason.
    Conflict(&'static str),
    /// 413.
    TooLarge,
    /// 415 with a short reason.
    Unsupported(&'static str),
}

/// Marks a response whose body reports errors though its status is a success: GraphQL's
/// `errors` on HTTP 200.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReportsErrors;

impl ApiError {
    /// The short reason the error gives.
    pub(crate) fn reason(self) -> &'static str {
        self.parts().1
    }

    fn parts(self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(why) => (StatusCode::BAD_REQUEST, why),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, why),
            ApiError::NotFound => (StatusCode::NOT_FOUND, "not found"),
            ApiError::Conflict(why) => (StatusCode::CONFLICT, why),
            ApiError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload too large"),
            ApiError::Unsupported(why) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, why),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, why) = self.parts();
        json_error(status, why)
    }
}

/// A JSON error response.
pub(crate) fn json_error(status: StatusCode, why: &str) -> Response {
    (status, Json(json!({ "error": why }))).into_response()
}

/// Gives every error response that is neither JSON nor HTML a JSON body (405, 413, extractor
/// rejections), and turns 422 (well-formed but wrong shape) into 400.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return resp;
    }
    let (status, why) = match status {
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            (StatusCode::BAD_REQUEST, "malformed request")
        }
        StatusCode::NOT_FOUND => (status, "not found"),
        StatusCode::METHOD_NOT_ALLOWED => (status, "method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => (status, "payload too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (status, "unsupported media type"),
        s if s.is_server_error() => (s, "internal error"),
        s => (s, s.canonical_reason().unwrap_or("error")),
    };
    let mut out = json_error(status, why);
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(v) = resp.headers().get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}

/// The `echo-credentials` flaw: JSON error bodies carry a `debug` block quoting the request's
/// `Authorization` and `Cookie` headers, as a debugging aid left switched on in production. A
/// body with a GraphQL `errors` list (on an error status, or on a success marked
/// [`ReportsErrors`]) carries it in each error's `extensions`, where GraphQL servers put theirs.
pub(crate) async fn debug_errors(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if !state.has(Flaw::EchoCredentials) {
        return next.run(req).await;
    }
    let debug = json!({
        "authorization": quoted(&req, header::AUTHORIZATION),
        "cookie": quoted(&req, header::COOKIE),
    });
    let resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    let status = resp.status();
    let reports_errors = status.is_client_error()
        || status.is_server_error()
        || resp.extensions().get::<ReportsErrors>().is_some();
    if !is_json || !reports_errors {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
        return json_error(status, "internal error");
    };
    let mut body: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({}));
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for error in errors.iter_mut().filter_map(Value::as_object_mut) {
            let extensions = error.entry("extensions").or_insert_with(|| json!({}));
            if let Some(extensions) = extensions.as_object_mut() {
                extensions.insert("debug".to_string(), debug.clone());
            }
        }
    } else if let Some(obj) = body.as_object_mut() {
        obj.insert("debug".to_string(), debug);
    }
    // The body changed length; the other headers (Cache-Control, the PHI mark) stay.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

fn quoted(req: &Request, name: header::HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
