//! Request plumbing the dialects share: multipart uploads and attachment downloads.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::caller::api_caller;
use crate::reference::app::error::ApiError;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::phi;
use crate::reference::app::records::MAX_ATTACHMENT_BYTES;
use crate::reference::app::state::AppState;

/// Request-body limit on upload routes: the attachment limit plus room for multipart framing,
/// so a file just over the limit still gets our own 413.
pub(crate) const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 256 * 1024;

/// The file part of an upload.
pub(crate) struct UploadedFile {
    pub filename: String,
    pub media_type: String,
    pub bytes: Bytes,
}

/// A parsed multipart upload: the named file part and every small text part.
pub(crate) struct Upload {
    pub file: Option<UploadedFile>,
    pub fields: HashMap<String, String>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge
    } else {
        ApiError::BadRequest("malformed multipart body")
    }
}

/// Reads every part; `file_part` names the one that carries the file.
pub(crate) async fn read_upload(
    mut multipart: Multipart,
    file_part: &str,
) -> Result<Upload, ApiError> {
    let mut upload = Upload {
        file: None,
        fields: HashMap::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == file_part {
            let filename = field.file_name().unwrap_or("attachment").to_owned();
            let media_type = field.content_type().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            upload.file = Some(UploadedFile {
                filename,
                media_type,
                bytes,
            });
        } else {
            let text = field.text().await.map_err(multipart_error)?;
            upload.fields.insert(name, text);
        }
    }
    Ok(upload)
}

/// How a download is disposed: `attachment` (saved, never shown in the page), or `inline`
/// under `attachment-inline`.
pub(crate) fn download_disposition(state: &AppState, filename: &str) -> HeaderValue {
    let kind = if state.has(Flaw::AttachmentInline) {
        "inline"
    } else {
        "attachment"
    };
    disposition(kind, filename)
}

/// `Content-Disposition: KIND` with an ASCII fallback and the UTF-8 name (RFC 6266).
fn disposition(kind: &'static str, filename: &str) -> HeaderValue {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| !matches!(c, '"' | '\\'))
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let value = format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static(kind))
}

/// Serves attachment `aid` to the API caller (or to anyone under `unauth-attachment`).
pub(crate) fn attachment_response(
    state: &AppState,
    headers: &HeaderMap,
    aid: &str,
) -> Result<Response, ApiError> {
    let caller = match api_caller(state, headers) {
        Some(c) => Some(c.user),
        None if state.has(Flaw::UnauthAttachment) => None,
        None => return Err(ApiError::Unauthorized),
    };
    let d = state.download(caller, aid)?;
    let content_type = HeaderValue::from_str(&d.media_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let resp = (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                download_disposition(state, &d.filename),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        d.bytes,
    );
    Ok(phi(resp.into_response()))
}
