//! The mark on a response that carries PHI, so the header layer keeps it out of caches (see the
//! `cacheable-phi` flaw).

use axum::response::{IntoResponse, Response};

/// Marks a response as carrying PHI (see the `cacheable-phi` flaw).
#[derive(Clone, Copy)]
pub(crate) struct Phi;

/// Wraps a response and marks it as carrying PHI.
pub(crate) fn phi(resp: impl IntoResponse) -> Response {
    let mut resp = resp.into_response();
    resp.extensions_mut().insert(Phi);
    resp
}
