//! Redaction at capture time: secret values (and their encoded forms), credentials in headers,
//! and session tokens learned during the run never reach a recorded exchange.

use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

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

/// Shared list of values to hide, in every form ([`secret_forms`](super::secret_forms));
/// logins add the tokens they obtain. Matching is one pass over the text for all forms.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    inner: Arc<RwLock<Forms>>,
}

#[derive(Debug, Default)]
struct Forms {
    list: Vec<String>,
    /// `None` until a secret is added (or if the forms could not be compiled: see `text`).
    matcher: Option<AhoCorasick>,
}

impl Redactor {
    /// Registers a secret in all its forms.
    pub fn add(&self, secret: &str) {
        // Very short values would mask ordinary text and are not credible secrets.
        if secret.len() < 4 {
            return;
        }
        let Ok(mut forms) = self.inner.write() else {
            return;
        };
        let before = forms.list.len();
        for f in super::secret_forms::forms(secret) {
            if !forms.list.contains(&f) {
                forms.list.push(f);
            }
        }
        if forms.list.len() != before {
            forms.matcher = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&forms.list)
                .ok();
        }
    }

    /// Masks every known secret, in every form, in a text.
    pub fn text(&self, s: &str) -> String {
        let Ok(forms) = self.inner.read() else {
            return MASK.to_string();
        };
        match &forms.matcher {
            Some(m) => m.replace_all(s, &vec![MASK; forms.list.len()]),
            // Forms registered but not compiled: masking cannot be promised, so nothing shows.
            None if !forms.list.is_empty() => MASK.to_string(),
            None => s.to_string(),
        }
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
        self.inner
            .read()
            .map(|f| f.list.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_secrets_and_their_encodings() {
        let r = Redactor::default();
        r.add("hunter2-long-password");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode("hunter2-long-password");
        assert_eq!(r.text("pw=hunter2-long-password&x=1"), "pw=[REDACTED]&x=1");
        assert_eq!(r.text(&format!("basic {b64}")), "basic [REDACTED]");
    }

    #[test]
    fn a_secret_inside_another_is_masked_whole() {
        let r = Redactor::default();
        r.add("token-abcdef");
        r.add("abcdef-longer");
        assert_eq!(r.text("x token-abcdef-longer y"), "x [REDACTED]-longer y");
        assert_eq!(r.text("nothing here"), "nothing here");
        assert_eq!(r.text("json \"token-abcdef\""), "json \"[REDACTED]\"");
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
