//! Evidence: what a check did and saw, kept to back its verdict. Today HTTP exchanges; TLS
//! transcripts, accessibility findings and the access matrix join them as their probes land.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything a check recorded, in the order it happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// HTTP exchanges, secrets redacted at capture.
    pub exchanges: Vec<Exchange>,
}

impl Evidence {
    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.exchanges.is_empty()
    }
}

/// One request and its response (or transport error), as kept for assertions and evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    #[serde(rename = "elapsed_ms", with = "super::millis")]
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
