//! Evidence: what a check did and saw, kept to back its verdict. Today HTTP exchanges and TLS
//! transcripts, the access matrix and latency figures; accessibility findings join them as their
//! probes land.

use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Everything a check recorded, in the order it happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// HTTP exchanges, secrets redacted at capture.
    pub exchanges: Vec<Exchange>,
    /// TLS transcripts, one per endpoint scanned: hellos sent, answers, facts (JSON).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<serde_json::Value>,
    /// The access matrix (actor × operation × outcome), when the check drew one.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub access: serde_json::Value,
    /// Latency figures, one record per latency probe: per operation p50/p95/max, a histogram
    /// and every sample.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency: Vec<serde_json::Value>,
    /// Accessibility records: the audit of each page (rules run, elements found), or one
    /// criterion's conformance page by page with the offending elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub a11y: Vec<serde_json::Value>,
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
    /// Request body as text (redacted); binary parts are described.
    pub request_body: Option<Body>,
    /// `None` when the request failed before a response arrived.
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// Response body as text (redacted); binary bodies are summarised.
    pub response_body: Option<Body>,
    /// Size of the full response body in bytes.
    pub response_size: usize,
    /// Transport error, if the request failed.
    pub error: Option<String>,
    /// Time from the first attempt to the outcome, retries and their pauses included.
    #[serde(rename = "elapsed_ms", with = "super::millis")]
    pub elapsed: Duration,
    /// Earlier attempts that got no response and were retried, in order; the outcome above is
    /// the last attempt's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attempts: Vec<Attempt>,
    /// Credentials vvcheck held before the request that the response carried back (masked in
    /// the record, so this is the only trace of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reflected: Vec<Reflection>,
    /// When the request was first sent, for the run's own timing (`vvcheck bench` draws the
    /// critical path from it); an instant of this process, so never written to a report.
    #[serde(skip)]
    pub sent: Option<Instant>,
}

/// One attempt of a request that got no response and was retried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// Why it got no response (redacted), e.g. `request failed: connection reset by peer`.
    pub error: String,
    /// How long it took to fail.
    #[serde(rename = "elapsed_ms", with = "super::millis")]
    pub elapsed: Duration,
}

/// A credential seen in a response that was known before the request was sent: echoed, not
/// issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reflection {
    /// Where: `body`, `header Location`, `final URL`.
    pub place: String,
    /// How it was written: `as is`, `base64-encoded`, `percent-encoded`, …
    pub form: String,
}

/// A recorded body, redacted: small ones are kept in memory, larger ones in the run's spill file
/// and only referenced, so that memory does not grow with what the target sends back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Body {
    Inline(String),
    Spilled { spilled: SpillRef },
}

/// Where a spilled body is: a stretch of UTF-8 text in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpillRef {
    pub file: PathBuf,
    pub offset: u64,
    pub len: u64,
}

impl Body {
    /// Length of the text in bytes.
    pub fn len(&self) -> usize {
        match self {
            Body::Inline(t) => t.len(),
            Body::Spilled { spilled } => usize::try_from(spilled.len).unwrap_or(usize::MAX),
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text; a spilled body is read back from its file (while the run that wrote it, or
    /// the evidence it was copied into, keeps the file).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Body::Inline(t) => Cow::Borrowed(t),
            Body::Spilled { spilled } => Cow::Owned(spilled.read().unwrap_or_else(|e| {
                format!(
                    "[{} bytes kept in {}, not readable: {e}]",
                    spilled.len,
                    spilled.file.display()
                )
            })),
        }
    }
}

impl SpillRef {
    fn read(&self) -> std::io::Result<String> {
        let mut file = std::fs::File::open(&self.file)?;
        file.seek(SeekFrom::Start(self.offset))?;
        let mut bytes = Vec::new();
        file.take(self.len).read_to_end(&mut bytes)?;
        String::from_utf8(bytes).map_err(std::io::Error::other)
    }
}

impl Exchange {
    /// An exchange made in a test: a response of `status` with `headers` and `body`.
    #[cfg(test)]
    pub fn for_test(url: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            actor: "anonymous".into(),
            purpose: "test".into(),
            method: "GET".into(),
            url: url.into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(status),
            response_headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            response_body: (!body.is_empty()).then(|| Body::Inline(body.into())),
            response_size: body.len(),
            error: None,
            elapsed: Duration::ZERO,
            attempts: Vec::new(),
            reflected: Vec::new(),
            sent: None,
        }
    }

    /// Passes every text of the record through `mask`: for a secret learned only after the
    /// exchange was recorded (a login page's form token).
    pub fn redact(&mut self, mask: &dyn Fn(&str) -> String) {
        self.url = mask(&self.url);
        for (_, v) in self
            .request_headers
            .iter_mut()
            .chain(self.response_headers.iter_mut())
        {
            *v = mask(v);
        }
        for body in [&mut self.request_body, &mut self.response_body]
            .into_iter()
            .flatten()
        {
            let text = body.text();
            let masked = mask(&text);
            if masked != text {
                *body = Body::Inline(masked);
            }
        }
        for e in self
            .error
            .iter_mut()
            .chain(self.attempts.iter_mut().map(|a| &mut a.error))
        {
            *e = mask(e);
        }
    }

    /// `GET https://host/path → 200` — the one-line form used in findings.
    pub fn summary(&self) -> String {
        let outcome = match (self.status, &self.error) {
            (Some(s), _) => format!("{s} {}", reason(s)),
            (None, Some(e)) => e.clone(),
            (None, None) => "no response".to_string(),
        };
        let retried = match self.attempts.len() {
            0 => String::new(),
            1 => " (after 1 failed attempt)".to_string(),
            n => format!(" (after {n} failed attempts)"),
        };
        format!(
            "{} {} as {} → {}{retried}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_can_be_masked_after_the_fact() {
        let mut e = Exchange {
            actor: "patient_a".into(),
            purpose: "login".into(),
            method: "GET".into(),
            url: "https://v.example/login?t=csrf-123456".into(),
            request_headers: vec![("x-token".into(), "csrf-123456".into())],
            request_body: None,
            status: Some(200),
            response_headers: Vec::new(),
            response_body: Some(Body::Inline("<input value=\"csrf-123456\">".into())),
            response_size: 0,
            reflected: Vec::new(),
            sent: None,
            error: None,
            elapsed: Duration::ZERO,
            attempts: vec![Attempt {
                error: "connection reset after csrf-123456".into(),
                elapsed: Duration::ZERO,
            }],
        };
        e.redact(&|t| t.replace("csrf-123456", "[REDACTED]"));
        let json = serde_json::to_string(&e).expect("serialises");
        assert!(!json.contains("csrf-123456"), "{json}");
    }
}
