//! HTTP: client set-up (rustls, trust store, CA, mTLS, proxy, timeouts), authentication flows,
//! value extraction, and transcripts redacted at capture.

pub mod auth;
pub mod client;
pub mod cookies;
mod exchange;
pub mod extract;
mod rate;
mod record;
pub mod redact;
pub mod session;
pub mod tls;

pub use client::{HttpClient, HttpOptions, Incoming, OutBody, OutPart, Outgoing, RequestTag, Sent};
pub use exchange::{Exchange, reason};
pub use session::{LoginError, Session};

/// A forged credential: same length and alphabet, different value, so a server that checks
/// only the shape would accept it while one that checks the value refuses it.
pub fn forge(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            'a'..='y' | 'A'..='Y' | '0'..='8' => char::from(c as u8 + 1),
            'z' => 'a',
            'Z' => 'A',
            '9' => '0',
            other => other,
        })
        .collect()
}
