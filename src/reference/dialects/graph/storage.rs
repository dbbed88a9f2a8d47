//! The storage host: another origin that takes and serves attachment bytes by signed URL
//! only. `PUT /blobs/{id}` stores an upload's bytes if they are what was declared;
//! `GET /blobs/{id}` serves an attachment's. Refusals are S3-like XML. A request that carries
//! an `Authorization` header is refused, as S3 refuses a second way to authenticate beside a
//! signed URL: an API client that sends its token here has leaked it to the storage origin.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::signing::{self, SignatureError};
use crate::reference::app::auth::secret;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::phi;
use crate::reference::app::records::MAX_ATTACHMENT_BYTES;
use crate::reference::app::state::AppState;
use crate::reference::app::uploads::BlobRefusal;
use crate::reference::dialects::flaky::flaky;
use crate::reference::dialects::shared::{UPLOAD_BODY_LIMIT, download_disposition};

/// The storage host's routes.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    // Storage caps a body at the attachment limit; `attachment-no-size-limit` lifts the
    // cap to the framework's, a little over it, so that it takes a file just over the limit.
    let cap = if state.has(Flaw::AttachmentNoSizeLimit) {
        UPLOAD_BODY_LIMIT
    } else {
        MAX_ATTACHMENT_BYTES
    };
    Router::new()
        .route("/blobs/{id}", get(download).put(upload))
        .route_layer(middleware::from_fn_with_state(state, flaky))
        .method_not_allowed_fallback(|| async {
            S3Error(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
            )
        })
        .fallback(|| async { NO_SUCH_KEY })
        .layer(DefaultBodyLimit::max(cap))
}

/// An S3-style refusal: the status, the error code and the message of its XML document. The
/// texts are always this module's own, so they need no escaping.
struct S3Error(StatusCode, &'static str, &'static str);

impl IntoResponse for S3Error {
    fn into_response(self) -> Response {
        let S3Error(status, code, message) = self;
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{}</RequestId></Error>",
            secret(16)
        );
        (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
    }
}

const NO_SUCH_KEY: S3Error = S3Error(
    StatusCode::NOT_FOUND,
    "NoSuchKey",
    "The specified key does not exist.",
);

const INCOMPLETE_BODY: S3Error = S3Error(
    StatusCode::BAD_REQUEST,
    "IncompleteBody",
    "You did not provide the number of bytes declared for this upload.",
);

/// Refuses a request with an `Authorization` header or without a good signature for
/// `method` on `id`.
fn admit(
    state: &AppState,
    method: &Method,
    id: &str,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<(), S3Error> {
    if headers.contains_key(header::AUTHORIZATION) {
        return Err(S3Error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed",
        ));
    }
    let param = |k: &str| query.get(k).map(String::as_str);
    signing::verify(state, method, id, param("expires"), param("sig")).map_err(|e| match e {
        SignatureError::Unsigned => S3Error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires the expires and sig parameters",
        ),
        SignatureError::Forged => S3Error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        ),
        SignatureError::Expired => {
            S3Error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired")
        }
    })
}

async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, S3Error> {
    admit(&state, &Method::PUT, &id, &headers, &query)?;
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(S3Error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            ));
        }
        Err(_) => return Err(INCOMPLETE_BODY),
    };
    let header_text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let length = header_text(header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
    let media_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
    state
        .put_upload_bytes(&id, length, media_type, bytes)
        .map_err(|refusal| match refusal {
            BlobRefusal::NoSuchUpload => S3Error(
                StatusCode::NOT_FOUND,
                "NoSuchUpload",
                "The specified upload does not exist.",
            ),
            BlobRefusal::Complete => S3Error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "The upload is complete; its bytes can no longer change.",
            ),
            BlobRefusal::Size => INCOMPLETE_BODY,
            BlobRefusal::MediaType => S3Error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                "Content-Type does not match the declared media type.",
            ),
            BlobRefusal::Digest => S3Error(
                StatusCode::BAD_REQUEST,
                "BadDigest",
                "The SHA-256 you specified did not match what we received.",
            ),
        })?;
    Ok(StatusCode::OK)
}

async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, S3Error> {
    admit(&state, &Method::GET, &id, &headers, &query)?;
    let d = state.attachment_bytes(&id).ok_or(NO_SUCH_KEY)?;
    let content_type = HeaderValue::from_str(&d.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok(phi((
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                download_disposition(&state, &d.filename),
            ),
            // Its own, as the API's downloads: the hardening layer's may be switched off.
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        d.bytes,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::dialects::graph::signing::tests::{query, state};

    async fn body_text(resp: Response) -> String {
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn an_expired_url_is_refused_as_s3_refuses_it() {
        let state = state();
        let (expires, sig) = query(&state, &Method::GET, "10001", -1);
        let q = HashMap::from([("expires".to_owned(), expires), ("sig".to_owned(), sig)]);
        let resp = download(
            State(state.clone()),
            Path("10001".to_owned()),
            Query(q),
            HeaderMap::new(),
        )
        .await
        .into_response();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE),
            Some(&HeaderValue::from_static("application/xml"))
        );
        let text = body_text(resp).await;
        assert!(
            text.contains("<Code>AccessDenied</Code><Message>Request has expired</Message>"),
            "{text}"
        );
        let (expires, sig) = query(&state, &Method::PUT, "10001", -1);
        let q = HashMap::from([("expires".to_owned(), expires), ("sig".to_owned(), sig)]);
        let resp = upload(
            State(state),
            Path("10001".to_owned()),
            Query(q),
            HeaderMap::new(),
            Ok(Bytes::from_static(b"x")),
        )
        .await
        .into_response();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(body_text(resp).await.contains("Request has expired"));
    }
}
