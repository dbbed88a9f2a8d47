//! The `flaky` flaw, layered on the message and attachment routes of every dialect (and asked
//! by the `graph` dialect's one endpoint when a request touches messages or attachments).

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use crate::reference::app::error::json_error;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::state::AppState;

/// The `flaky` flaw on message and attachment routes: every fifth request fails, alternately
/// with a 503 and with a response whose body errors (the client sees the connection abort).
pub(crate) async fn flaky(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match flaky_failure(&state) {
        Some(failure) => failure,
        None => next.run(req).await,
    }
}

/// Counts one request under the `flaky` flaw, and gives the failure it meets if it is a
/// fifth one.
pub(crate) fn flaky_failure(state: &AppState) -> Option<Response> {
    if !state.has(Flaw::Flaky) {
        return None;
    }
    let n = state.flaky_counter.fetch_add(1, Ordering::Relaxed);
    if n % 5 != 4 {
        return None;
    }
    Some(if (n / 5).is_multiple_of(2) {
        json_error(StatusCode::SERVICE_UNAVAILABLE, "service unavailable")
    } else {
        Response::new(Body::new(BrokenBody))
    })
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
