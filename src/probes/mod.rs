//! Probes: observations beyond a single contract call — transport (plain HTTP, HSTS),
//! session cookies, latency. Each returns findings and the exchanges behind them; none writes
//! reports.

pub mod cookies;
pub mod latency;
pub mod transport;

use crate::assert::Failure;
use crate::http::client::TransportError;
use crate::http::{Exchange, HttpClient};
use crate::http::{Incoming, Outgoing, RequestTag};
use crate::model::resolve::ResolvedTarget;

/// What a probe saw.
#[derive(Debug, Default)]
pub struct ProbeOutcome {
    /// Non-conformance found.
    pub failures: Vec<Failure>,
    /// The probe could not be carried out (not a verdict).
    pub error: Option<String>,
    /// Lines describing what was done and seen.
    pub details: Vec<String>,
    pub exchanges: Vec<Exchange>,
}

/// What every probe may use.
pub struct ProbeEnv<'a> {
    pub http: &'a HttpClient,
    pub target: &'a ResolvedTarget,
    pub params: &'a serde_json::Map<String, serde_json::Value>,
}

impl ProbeEnv<'_> {
    /// GETs `url` anonymously and records the exchange under `purpose`.
    pub async fn get(
        &self,
        url: url::Url,
        purpose: &str,
        out: &mut ProbeOutcome,
    ) -> Result<Incoming, TransportError> {
        let tag = RequestTag {
            actor: "anonymous",
            purpose,
        };
        let sent = self.http.send(&Outgoing::get(url), tag).await;
        out.exchanges.push(sent.exchange);
        sent.outcome
    }

    /// A page path from a `page` parameter (a page name of the profile, or a path).
    pub fn page(&self, default: &str) -> String {
        let name = self
            .params
            .get("page")
            .and_then(|v| v.as_str())
            .unwrap_or(default);
        self.target.pages.get(name).cloned().unwrap_or_else(|| {
            if name.starts_with('/') {
                name.to_string()
            } else {
                "/".to_string()
            }
        })
    }
}
