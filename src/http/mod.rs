//! HTTP: client set-up (rustls, trust store, CA, mTLS, proxy, timeouts), authentication flows,
//! value extraction, and transcripts redacted at capture.

pub mod auth;
pub mod body;
pub mod build;
pub mod client;
pub mod client_cert;
pub mod cookies;
pub mod extract;
pub mod file_body;
mod http2;
pub mod link;
mod message;
mod per_host;
pub mod proxy;
pub mod rate;
mod record;
pub mod redact;
pub mod redirect;
pub mod secret_forms;
pub mod seen;
pub mod session;
pub mod spill;
pub mod tls;
pub mod transform;

pub use crate::outcome::{Exchange, reason};
pub use client::{HttpClient, HttpOptions, Incoming, OutBody, OutPart, Outgoing, RequestTag, Sent};
pub use session::{LoginError, Session};

/// A forged credential: the same length and alphabet, random content, and no letter or digit
/// where the real one has the same, so a server that checks only the shape would accept it
/// while one that checks the value refuses it, and echoing it gives nothing of the real one away.
pub fn forge(value: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut pick = |alphabet: &[u8], real: char| loop {
        let c = char::from(alphabet[rng.random_range(0..alphabet.len())]);
        if c != real {
            break c;
        }
    };
    value
        .chars()
        .map(|c| match c {
            'a'..='z' => pick(b"abcdefghijklmnopqrstuvwxyz", c),
            'A'..='Z' => pick(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", c),
            '0'..='9' => pick(b"0123456789", c),
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

#[cfg(test)]
mod tests {
    use super::forge;

    #[test]
    fn a_forgery_keeps_the_shape_and_shares_no_letter_or_digit_in_place() {
        let real = "eyJhbGciOi.J9-Ab12_zz";
        let forged = forge(real);
        assert_eq!(forged.len(), real.len());
        for (r, f) in real.chars().zip(forged.chars()) {
            if r.is_ascii_alphanumeric() {
                assert_ne!(r, f, "{forged}");
                assert_eq!(
                    (
                        r.is_ascii_lowercase(),
                        r.is_ascii_uppercase(),
                        r.is_ascii_digit()
                    ),
                    (
                        f.is_ascii_lowercase(),
                        f.is_ascii_uppercase(),
                        f.is_ascii_digit()
                    )
                );
            } else {
                assert_eq!(r, f, "punctuation keeps the shape");
            }
        }
        assert_ne!(forge(real), forge(real), "random, not a reversible shift");
    }
}
