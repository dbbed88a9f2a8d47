//! Redaction at capture time: secret values (and their encoded forms), credentials in headers,
//! and session tokens learned during the run never reach a recorded exchange.

use std::sync::{Arc, RwLock};

use base64::Engine;

/// What replaces a secret.
pub const MASK: &str = "[REDACTED]";

/// Headers whose whole value is a credential.
const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "x-auth-token",
    "x-outbox-key",
];

/// Shared list of values to hide; login adds the tokens it obtains.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// Registers a secret and its base64 and URL-encoded forms.
    pub fn add(&self, secret: &str) {
        // Very short values would mask ordinary text and are not credible secrets.
        if secret.len() < 4 {
            return;
        }
        let mut forms = vec![
            secret.to_string(),
            base64::engine::general_purpose::STANDARD.encode(secret),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        ];
        forms.dedup();
        let Ok(mut list) = self.secrets.write() else {
            return;
        };
        for f in forms {
            if !list.contains(&f) {
                list.push(f);
            }
        }
        // Longest first, so a secret inside another is not half-masked.
        list.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Masks every known secret in a text.
    pub fn text(&self, s: &str) -> String {
        let Ok(list) = self.secrets.read() else {
            return MASK.to_string();
        };
        let mut out = s.to_string();
        for secret in list.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        out
    }

    /// Masks a header value: credentials entirely (keeping the scheme), cookie values.
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if CREDENTIAL_HEADERS.contains(&lower.as_str()) {
            return match value.split_once(' ') {
                Some((scheme, _)) if lower.ends_with("authorization") => format!("{scheme} {MASK}"),
                _ => MASK.to_string(),
            };
        }
        match lower.as_str() {
            "cookie" => value
                .split(';')
                .map(|c| {
                    c.split_once('=').map_or_else(
                        || c.trim().to_string(),
                        |(k, _)| format!("{}={MASK}", k.trim()),
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            "set-cookie" => match value.split_once('=') {
                Some((k, rest)) => {
                    let attrs = rest.split_once(';').map_or("", |(_, a)| a);
                    if attrs.is_empty() {
                        format!("{k}={MASK}")
                    } else {
                        format!("{k}={MASK};{attrs}")
                    }
                }
                None => self.text(value),
            },
            _ => self.text(value),
        }
    }

    /// Every registered form, for scanning written files.
    pub fn values(&self) -> Vec<String> {
        self.secrets.read().map(|l| l.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_their_encodings() {
        let r = Redactor::default();
        r.add("hunter2-long-password");
        let b64 = base64::engine::general_purpose::STANDARD.encode("hunter2-long-password");
        assert_eq!(r.text("pw=hunter2-long-password&x=1"), "pw=[REDACTED]&x=1");
        assert_eq!(r.text(&format!("basic {b64}")), "basic [REDACTED]");
    }

    #[test]
    fn masks_credential_headers() {
        let r = Redactor::default();
        assert_eq!(
            r.header("Authorization", "Bearer abc.def"),
            "Bearer [REDACTED]"
        );
        assert_eq!(
            r.header("Cookie", "sid=1; csrf=2"),
            "sid=[REDACTED]; csrf=[REDACTED]"
        );
        assert_eq!(
            r.header("Set-Cookie", "sid=1; Secure; HttpOnly"),
            "sid=[REDACTED]; Secure; HttpOnly"
        );
        assert_eq!(r.header("Content-Type", "text/plain"), "text/plain");
    }
}
