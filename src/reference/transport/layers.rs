//! The layers that belong to the transport, around every HTTPS response: the `slow` flaw's
//! delay, the security headers and `Cache-Control`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

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
    let mut resp = next.run(req).await;
    let carries_phi = resp.extensions().get::<Phi>().is_some();
    let h = resp.headers_mut();
    if !state.has(Flaw::NoHsts) {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
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
    let cache = if carries_phi && state.has(Flaw::CacheablePhi) {
        "public, max-age=3600"
    } else {
        "no-store"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.remove(header::SERVER);
    resp
}

/// The `slow` flaw: waits the configured latency before every request.
pub(crate) async fn slow(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.has(Flaw::Slow) {
        tokio::time::sleep(state.settings.latency).await;
    }
    next.run(req).await
}
