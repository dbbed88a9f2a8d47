//! Redaction at capture time: secret values (and their encoded forms), credentials in headers,
//! and session tokens learned during the run never reach a recorded exchange.

use std::sync::{Arc, RwLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::secret_forms::Form;

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

/// What a secret is to the target, which decides whether seeing it in a response is a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretKind {
    /// A password, token, key or session cookie: a response must never carry it back.
    Credential,
    /// An anti-forgery (CSRF) token: pages are meant to carry it; masked, never a finding.
    AntiForgery,
}

/// A secret seen in a response: in which form, and what kind of secret it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    pub form: Form,
    pub kind: SecretKind,
}

/// Shared list of values to hide, in every form ([`secret_forms`](super::secret_forms));
/// logins add the tokens they obtain. Matching is one pass over the text for all forms.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    inner: Arc<RwLock<Forms>>,
}

#[derive(Debug, Default)]
struct Forms {
    list: Vec<String>,
    /// What each form of `list` is, at the same index.
    seen: Vec<Seen>,
    /// `None` until a secret is added (or if the forms could not be compiled: see `text`).
    matcher: Option<AhoCorasick>,
}

/// How many forms the redactor held at one moment; forms are only ever added, so a match
/// below the mark was known then (see [`Redactor::reflected`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Known(usize);

impl Redactor {
    /// Registers a credential in all its forms.
    pub fn add(&self, secret: &str) {
        self.add_kind(secret, SecretKind::Credential);
    }

    /// Registers a secret of `kind` in all its forms.
    pub fn add_kind(&self, secret: &str, kind: SecretKind) {
        // Very short values would mask ordinary text and are not credible secrets.
        if secret.len() < 4 {
            return;
        }
        let Ok(mut forms) = self.inner.write() else {
            return;
        };
        let before = forms.list.len();
        for (f, form) in super::secret_forms::forms(secret) {
            match forms.list.iter().position(|known| *known == f) {
                // A value first seen as a cookie and then found to be the anti-forgery token
                // (double-submit) is expected in pages.
                Some(i) if kind == SecretKind::AntiForgery => forms.seen[i].kind = kind,
                Some(_) => {}
                None => {
                    forms.list.push(f);
                    forms.seen.push(Seen { form, kind });
                }
            }
        }
        if forms.list.len() != before {
            forms.matcher = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&forms.list)
                .ok();
        }
    }

    /// The mark of what is known now, to tell later which secrets a response echoed rather
    /// than issued.
    pub fn known(&self) -> Known {
        Known(self.inner.read().map(|f| f.list.len()).unwrap_or(0))
    }

    /// The secrets in `s` that were already known at `mark`, each form and kind once: what a
    /// response echoed back (a token it issues itself is learned after the mark).
    pub fn reflected(&self, s: &str, mark: Known) -> Vec<Seen> {
        let Ok(forms) = self.inner.read() else {
            return Vec::new();
        };
        let Some(m) = &forms.matcher else {
            return Vec::new();
        };
        let mut out: Vec<Seen> = Vec::new();
        for hit in m.find_iter(s) {
            let i = hit.pattern().as_usize();
            if let Some(seen) = forms.seen.get(i).filter(|_| i < mark.0)
                && !out.contains(seen)
            {
                out.push(*seen);
            }
        }
        out
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
    fn a_reflection_is_a_credential_known_before_the_response() {
        let r = Redactor::default();
        r.add("hunter2-long-password");
        r.add_kind("csrf-token-123456", SecretKind::AntiForgery);
        let mark = r.known();
        r.add("issued-token-7890");
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode("x:hunter2-long-password");
        let body = format!(
            "issued-token-7890 hunter2-long-password {b64} csrf-token-123456 hunter2-long-password"
        );
        let seen = r.reflected(&body, mark);
        let forms: Vec<Form> = seen.iter().map(|s| s.form).collect();
        assert_eq!(
            forms,
            [Form::AsIs, Form::InsideBase64, Form::AsIs],
            "{seen:?}"
        );
        assert_eq!(seen[2].kind, SecretKind::AntiForgery);
        assert!(seen[..2].iter().all(|s| s.kind == SecretKind::Credential));
        assert!(r.reflected("nothing", mark).is_empty());
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
