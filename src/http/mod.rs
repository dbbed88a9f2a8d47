//! HTTP: client set-up (rustls, trust store, CA, mTLS, proxy, timeouts), authentication flows,
//! value extraction, and transcripts redacted at capture.

pub mod auth;
pub mod client;
pub mod cookies;

pub mod extract;
mod message;
mod rate;
mod record;
pub mod redact;
pub mod session;
pub mod spill;
pub mod tls;

pub use crate::outcome::{Exchange, reason};
pub use client::{HttpClient, HttpOptions, Incoming, OutBody, OutPart, Outgoing, RequestTag, Sent};
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

/// A request that produced no response, as the error of the check that sent it.
pub fn check_error(e: &client::TransportError) -> crate::outcome::CheckError {
    use crate::outcome::{CheckError, ErrorKind};
    let kind = match e.kind {
        client::TransportKind::Timeout => ErrorKind::Timeout,
        _ => ErrorKind::Transport,
    };
    CheckError::new(kind, e.message.clone())
}
