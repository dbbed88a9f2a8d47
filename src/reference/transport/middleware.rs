//! Cross-cutting layers: security and cache headers, JSON error bodies, the `slow` and `flaky`
//! flaws, and the plain-HTTP redirect listener.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::reference::app::error::json_error;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::state::AppState;

/// Marks a response as carrying PHI (see the `cacheable-phi` flaw).
#[derive(Clone, Copy)]
pub(crate) struct Phi;

/// Wraps a response and marks it as carrying PHI.
pub(crate) fn phi(resp: impl IntoResponse) -> Response {
    let mut resp = resp.into_response();
    resp.extensions_mut().insert(Phi);
    resp
}

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

/// The `slow` flaw: waits the configured latency before every request.
pub(crate) async fn slow(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.has(Flaw::Slow) {
        tokio::time::sleep(state.settings.latency).await;
    }
    next.run(req).await
}

/// The `flaky` flaw on message and attachment routes: every fifth request fails, alternately
/// with a 503 and with a response whose body errors (the client sees the connection abort).
pub(crate) async fn flaky(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.has(Flaw::Flaky) {
        let n = state.flaky_counter.fetch_add(1, Ordering::Relaxed);
        if n % 5 == 4 {
            return if (n / 5) % 2 == 0 {
                json_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable")
            } else {
                Response::new(Body::new(BrokenBody))
            };
        }
    }
    next.run(req).await
}

/// A body that fails on first read, so the server aborts the stream or connection.
struct BrokenBody;

impl HttpBody for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "flaky",
        ))))
    }
}

/// The plain-HTTP app: `301` to the same path and query on `https_base`.
pub(crate) fn redirect_router(https_base: String) -> Router {
    Router::new().fallback(move |uri: Uri| {
        let target = format!(
            "{https_base}{}",
            uri.path_and_query().map_or("/", |pq| pq.as_str())
        );
        async move { (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, target)]) }
    })
}
