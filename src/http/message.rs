//! What goes over the wire, as data: a request ready to send, a response as received, the tag
//! an exchange is recorded under, and a transport failure. Both the client and the recorder use
//! these; neither owns them.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;

use crate::outcome::Exchange;

/// How much of a body an exchange keeps.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub method: Method,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub body: OutBody,
    pub follow_redirects: bool,
}

impl Outgoing {
    /// A plain GET without credentials, not following redirects.
    pub fn get(url: url::Url) -> Outgoing {
        Outgoing {
            method: Method::GET,
            url,
            headers: Vec::new(),
            body: OutBody::None,
            follow_redirects: false,
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum OutBody {
    None,
    Json(serde_json::Value),
    Form(Vec<(String, String)>),
    Multipart(Vec<OutPart>),
    Text(String),
    /// A file's bytes as they are, with its media type.
    Bytes {
        filename: String,
        media_type: String,
        bytes: bytes::Bytes,
    },
}

/// One multipart part.
#[derive(Debug, Clone)]
pub enum OutPart {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        filename: String,
        media_type: String,
        bytes: Bytes,
    },
}

/// A response as received.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub elapsed: Duration,
    /// The URL that answered (after redirects, if followed).
    pub url: url::Url,
}

impl Incoming {
    /// First header value, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Every value of a header.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Who sends a request and why: what its exchange is recorded under.
#[derive(Debug, Clone, Copy)]
pub struct RequestTag<'a> {
    /// The sending actor (`anonymous` when unauthenticated).
    pub actor: &'a str,
    /// The contract operation or probe that makes it, e.g. `get_message`.
    pub purpose: &'a str,
}

/// A request sent: what came back, and the redacted exchange recorded for it.
#[derive(Debug)]
pub struct Sent {
    /// The response, or why none arrived.
    pub outcome: Result<Incoming, TransportError>,
    /// The request and its outcome as kept for assertions and evidence.
    pub exchange: Exchange,
}

/// What went wrong when no response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// No connection could be made (refused, unreachable, connect timeout, TLS handshake).
    Connect,
    /// Connected, but no (complete) answer within the time limit.
    Timeout,
    /// The answer was not HTTP, or was cut short.
    Broken,
    /// The body was larger than [`MAX_RESPONSE_BYTES`](super::client::MAX_RESPONSE_BYTES).
    TooLarge,
}

/// A request that produced no usable response, described in one line (without the URL: the
/// exchange has it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TransportError {
    pub kind: TransportKind,
    pub message: String,
}

impl TransportError {
    pub(super) fn from_reqwest(e: &reqwest::Error) -> Self {
        // A connect timeout is a connect failure: nothing was ever listening and answering.
        let (kind, label) = if e.is_connect() {
            (TransportKind::Connect, "connection failed")
        } else if e.is_timeout() {
            (TransportKind::Timeout, "timed out")
        } else if e.is_body() || e.is_decode() {
            (TransportKind::Broken, "response body broken off")
        } else {
            (TransportKind::Broken, "request failed")
        };
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut last = None;
        while let Some(s) = source {
            last = Some(s.to_string());
            source = s.source();
        }
        let message = match last {
            Some(cause) => format!("{label}: {cause}"),
            None => label.to_string(),
        };
        TransportError { kind, message }
    }
}
