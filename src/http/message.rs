//! What goes over the wire, as data: a request ready to send, a response as received, the tag
//! an exchange is recorded under, and a transport failure. Both the client and the recorder use
//! these; neither owns them.

use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;

use super::body::Cut;
use super::file_body::FileBody;
use super::tls::Refusal;
use super::tls::rustls_error;
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
        bytes: FileBody,
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
        bytes: FileBody,
    },
}

/// A response as received.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body, or its first [`KEEP_LIMIT`](super::spill::KEEP_LIMIT) bytes when `cut` says so.
    pub body: Bytes,
    /// Set when the body was larger than what is kept of it.
    pub cut: Option<Cut>,
    pub elapsed: Duration,
    /// The URL that answered (after redirects, if followed).
    pub url: url::Url,
    /// A redirect that was not followed, because it pointed outside the target profile's
    /// hosts: where it pointed, in one line.
    pub unfollowed: Option<String>,
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
    /// The whole body's size in bytes, kept or not.
    pub fn size(&self) -> u64 {
        self.cut.as_ref().map_or(self.body.len() as u64, |c| c.size)
    }
    /// Why `what`, an expectation on the body, cannot be decided from the part kept; `None`
    /// when the whole body was kept. Every judgement of a body asks here first, so that a cut
    /// body never passes by what was left out.
    pub fn undecided(&self, what: &str) -> Option<String> {
        self.cut.as_ref().map(|c| c.undecided(what))
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
    /// Not sent: the URL is on a host outside the target profile.
    OffProfile,
    /// The body was larger than [`MAX_RESPONSE_BYTES`](super::body::MAX_RESPONSE_BYTES).
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
            let tls = s
                .downcast_ref::<rustls::Error>()
                .or_else(|| s.downcast_ref::<std::io::Error>().and_then(rustls_error));
            last = Some(match tls {
                Some(tls) => concise_tls(tls),
                None => s.to_string(),
            });
            source = s.source();
        }
        let message = match last {
            Some(cause) => format!("{label}: {cause}"),
            None => label.to_string(),
        };
        TransportError { kind, message }
    }
}

/// A rustls error in one readable line: the certificate errors about signature algorithms
/// name the algorithm instead of dumping every algorithm the verifier supports.
pub(super) fn concise_tls(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let named = |id: &[u8]| {
        x509_parser::der_parser::parse_der(id)
            .ok()
            .and_then(|(_, o)| o.as_oid().ok().map(|oid| oid.to_owned()))
            .map(|oid| {
                x509_parser::objects::oid2sn(&oid, x509_parser::objects::oid_registry())
                    .map(str::to_string)
                    .unwrap_or_else(|_| oid.to_id_string())
            })
            .unwrap_or_else(|| "an unknown algorithm".to_string())
    };
    match Refusal::of(e) {
        Some(Refusal::Required) => {
            return "the server asked for a client certificate, and the profile gives none (`tls.client_cert` and `tls.client_key`)".to_string();
        }
        Some(Refusal::Rejected(alert)) => {
            return format!(
                "the server asked for a client certificate and rejected the one sent (alert {alert:?}): is `tls.client_cert` signed by the CA the server trusts?"
            );
        }
        None => {}
    }
    match e {
        rustls::Error::InvalidCertificate(C::UnsupportedSignatureAlgorithmContext {
            signature_algorithm_id,
            ..
        }) => format!(
            "invalid peer certificate: signed with {}, which the client does not accept",
            named(signature_algorithm_id)
        ),
        rustls::Error::InvalidCertificate(
            C::UnsupportedSignatureAlgorithmForPublicKeyContext {
                signature_algorithm_id,
                public_key_algorithm_id,
            },
        ) => format!(
            "invalid peer certificate: signature algorithm {} does not fit key type {}",
            named(signature_algorithm_id),
            named(public_key_algorithm_id)
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod concise_tests {
    use super::*;

    #[test]
    fn an_unsupported_signature_algorithm_is_named_not_dumped() {
        let e = rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnsupportedSignatureAlgorithmContext {
                signature_algorithm_id: vec![6, 9, 42, 134, 72, 134, 247, 13, 1, 1, 5, 5, 0],
                supported_algorithms: Vec::new(),
            },
        );
        assert_eq!(
            concise_tls(&e),
            "invalid peer certificate: signed with sha1WithRSAEncryption, which the client does not accept"
        );
    }
}
