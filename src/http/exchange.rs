//! A recorded HTTP exchange: what was sent and what came back, redacted at capture.

use std::time::Duration;

use serde::Serialize;

/// One request and its response (or transport error), as kept for assertions and evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    /// Which actor sent it (`anonymous` when unauthenticated).
    pub actor: String,
    /// The contract operation or probe that made it, e.g. `get_message`.
    pub purpose: String,
    pub method: String,
    /// URL with secrets in the query string redacted.
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// Request body as text (truncated, redacted); binary bodies are summarised.
    pub request_body: Option<String>,
    /// `None` when the request failed before a response arrived.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (truncated, redacted); binary bodies are summarised.
    pub response_body: Option<String>,
    /// Size of the full response body in bytes.
    pub response_size: usize,
    /// Transport error, if the request failed.
    pub error: Option<String>,
    #[serde(
        rename = "elapsed_ms",
        serialize_with = "crate::model::outcome::ser_ms"
    )]
    pub elapsed: Duration,
}

impl Exchange {
    /// `GET https://host/path → 200` — the one-line form used in findings.
    pub fn summary(&self) -> String {
        let outcome = match (self.status, &self.error) {
            (Some(s), _) => format!("{s} {}", reason(s)),
            (None, Some(e)) => e.clone(),
            (None, None) => "no response".to_string(),
        };
        format!(
            "{} {} as {} → {}",
            self.method,
            self.url,
            self.actor,
            outcome.trim_end()
        )
    }
}

/// The canonical reason phrase of a status code.
pub fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}
