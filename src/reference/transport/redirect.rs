//! The plain-HTTP port's application: a redirect to HTTPS.

use axum::Router;
use axum::http::{StatusCode, Uri, header};

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
