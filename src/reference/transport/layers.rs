//! The layers that belong to the transport, around every HTTPS response: the `slow` flaw's
//! delay, the security headers, `Cache-Control`, the banner and CORS flaws, and the
//! `stack-trace-errors` flaw's answer to requests the API could not read.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::Phi;
use crate::reference::app::state::AppState;

const CSP: &str = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";

/// Adds the security headers and `Cache-Control` to every HTTPS response.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let origin = req.headers().get(header::ORIGIN).cloned();
    let mut resp = next.run(req).await;
    let carries_phi = resp.extensions().get::<Phi>().is_some();
    let h = resp.headers_mut();
    if !state.has(Flaw::NoHsts) {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !state.has(Flaw::NoSecurityHeaders) {
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    let allowed = if state.has(Flaw::CorsWildcard) {
        Some(HeaderValue::from_static("*"))
    } else if state.has(Flaw::CorsReflect) {
        origin
    } else {
        None
    };
    if let Some(o) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    let cache = if carries_phi && state.has(Flaw::CacheablePhi) {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.remove(header::SERVER);
    if state.has(Flaw::VerboseBanner) {
        h.insert(header::SERVER, HeaderValue::from_static("nginx/1.18.0"));
        h.insert("x-powered-by", HeaderValue::from_static("Express/4.17.1"));
    }
    resp
}

/// What the `stack-trace-errors` flaw answers in place of a request it could not read.
const TRACE: &str = "Internal Server Error\n\nTraceback (most recent call last):\n  File \"/srv/sm/api/views.py\", line 88, in dispatch\n    payload = json.loads(request.body)\n  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n    return _default_decoder.decode(s)\njson.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n";

/// The `stack-trace-errors` flaw: a request the API could not read (400, 405, 413, 415, 422)
/// is answered with a 500 and a stack trace.
pub(crate) async fn stack_traces(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    // The upload views read their own multipart bodies and answer their own refusals of a
    // file (FUN-04); the flaw is the JSON views' failure to read a request.
    let upload = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let resp = next.run(req).await;
    let unreadable = matches!(resp.status().as_u16(), 400 | 405 | 413 | 415 | 422);
    if !state.has(Flaw::StackTraceErrors) || !unreadable || upload {
        return resp;
    }
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        TRACE,
    )
        .into_response()
}

/// The `slow` flaw: holds every answer back by the configured latency.
pub(crate) async fn slow(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The request is handled on arrival and its answer held back: a slow answer, not a late
    // arrival, so a session used just before its idle timeout is still alive when checked.
    let resp = next.run(req).await;
    if state.has(Flaw::Slow) {
        tokio::time::sleep(state.settings.latency).await;
    }
    resp
}
