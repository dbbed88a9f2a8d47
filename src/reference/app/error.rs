//! The one way the JSON APIs say no: a status and `{"error": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

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

impl ApiError {
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
