//! The storage host's signed URLs: `https://HOST:PORT/blobs/{id}?expires=UNIX&sig=HEX`, where
//! `sig` is an HMAC-SHA256 (aws-lc-rs, the TLS stack's own) of the method, the id and the
//! expiry under a key made at start-up. A URL lives five minutes and serves its one method.

use std::time::Duration;

use aws_lc_rs::hmac;
use axum::http::Method;
use time::OffsetDateTime;

use crate::reference::app::state::AppState;

/// How long a signed URL lives.
const URL_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// A signed URL and when it stops working.
pub(crate) struct SignedUrl {
    pub url: String,
    pub expires: OffsetDateTime,
}

/// Why a signed URL does not let a request through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureError {
    /// No `expires` or no `sig`.
    #[error("the URL is not signed")]
    Unsigned,
    /// The signature is not the server's for this method, id and expiry.
    #[error("the signature does not match")]
    Forged,
    /// The URL's time is up.
    #[error("the URL has expired")]
    Expired,
}

fn key(state: &AppState) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, &state.signing_key)
}

fn signed_text(method: &Method, id: &str, expires: i64) -> String {
    format!("{method}\n{id}\n{expires}")
}

/// A URL on the storage host for `method` on blob `id`, valid from now for [`URL_LIFETIME`];
/// `None` when the server has no storage host.
pub(crate) fn sign(state: &AppState, method: &Method, id: &str) -> Option<SignedUrl> {
    sign_until(state, method, id, OffsetDateTime::now_utc() + URL_LIFETIME)
}

/// A URL on the storage host for `method` on blob `id` that works until `expires`.
fn sign_until(
    state: &AppState,
    method: &Method,
    id: &str,
    expires: OffsetDateTime,
) -> Option<SignedUrl> {
    let base = state.settings.storage_url.as_deref()?;
    let unix = expires.unix_timestamp();
    let sig = hmac::sign(&key(state), signed_text(method, id, unix).as_bytes());
    Some(SignedUrl {
        url: format!(
            "{base}/blobs/{id}?expires={unix}&sig={}",
            hex::encode(sig.as_ref())
        ),
        expires,
    })
}

/// Whether `expires` and `sig` (the query's) sign `method` on blob `id` and have not run out.
/// The signature is checked first, in constant time, so a forged expiry is a forgery.
pub(crate) fn verify(
    state: &AppState,
    method: &Method,
    id: &str,
    expires: Option<&str>,
    sig: Option<&str>,
) -> Result<(), SignatureError> {
    let (Some(expires), Some(sig)) = (expires, sig) else {
        return Err(SignatureError::Unsigned);
    };
    let unix: i64 = expires.parse().map_err(|_| SignatureError::Forged)?;
    let sig = hex::decode(sig).map_err(|_| SignatureError::Forged)?;
    hmac::verify(&key(state), signed_text(method, id, unix).as_bytes(), &sig)
        .map_err(|_| SignatureError::Forged)?;
    if OffsetDateTime::now_utc().unix_timestamp() > unix {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::reference::app::config::Dialect;
    use crate::reference::app::ids::IdStyle;
    use crate::reference::app::state::{Lifetimes, Settings};

    /// The state of a `graph` server that is not listening, its storage host at
    /// `https://storage.test`.
    pub(crate) fn state() -> AppState {
        let settings = Settings {
            dialect: Dialect::Graph,
            flaws: Vec::new(),
            latency: Duration::ZERO,
            base_url: "https://api.test".into(),
            ids: IdStyle::Numeric,
            storage_url: Some("https://storage.test".into()),
        };
        let lifetimes = Lifetimes {
            idle_timeout: Duration::from_secs(900),
            token_lifetime: Duration::from_secs(300),
        };
        AppState::new(settings, lifetimes)
    }

    /// The `expires` and `sig` of a URL signed to end `secs` seconds from now (past when
    /// negative).
    pub(crate) fn query(
        state: &AppState,
        method: &Method,
        id: &str,
        secs: i64,
    ) -> (String, String) {
        let expires = OffsetDateTime::now_utc() + time::Duration::seconds(secs);
        let url = sign_until(state, method, id, expires).expect("signed").url;
        let parsed = url::Url::parse(&url).expect("url");
        let get = |k: &str| {
            parsed
                .query_pairs()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.into_owned())
                .expect("query parameter")
        };
        (get("expires"), get("sig"))
    }

    #[test]
    fn a_url_serves_its_method_and_id_until_it_expires() {
        let state = state();
        let signed = sign(&state, &Method::PUT, "10001").expect("signed");
        assert!(
            signed
                .url
                .starts_with("https://storage.test/blobs/10001?expires="),
            "{}",
            signed.url
        );
        let (expires, sig) = query(&state, &Method::PUT, "10001", 60);
        let check = |method: &Method, id: &str, e: Option<&str>, s: Option<&str>| {
            verify(&state, method, id, e, s)
        };
        assert_eq!(
            check(&Method::PUT, "10001", Some(&expires), Some(&sig)),
            Ok(())
        );
        assert_eq!(
            check(&Method::GET, "10001", Some(&expires), Some(&sig)),
            Err(SignatureError::Forged)
        );
        assert_eq!(
            check(&Method::PUT, "10002", Some(&expires), Some(&sig)),
            Err(SignatureError::Forged)
        );
        let later = (expires.parse::<i64>().expect("unix") + 3600).to_string();
        assert_eq!(
            check(&Method::PUT, "10001", Some(&later), Some(&sig)),
            Err(SignatureError::Forged)
        );
        assert_eq!(
            check(&Method::PUT, "10001", Some(&expires), Some("zz")),
            Err(SignatureError::Forged)
        );
        assert_eq!(
            check(&Method::PUT, "10001", None, Some(&sig)),
            Err(SignatureError::Unsigned)
        );
        let (old, old_sig) = query(&state, &Method::PUT, "10001", -1);
        assert_eq!(
            check(&Method::PUT, "10001", Some(&old), Some(&old_sig)),
            Err(SignatureError::Expired)
        );
    }
}
