//! Masking what goes into the bundle with every secret form the run knew at its end: records
//! were masked when captured, but a secret learned later (a token issued after the exchange)
//! is only known now. And the forms the scan looks for, the bundle's own quoting included.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;

use super::BundleError;
use crate::http::redact::MASK;
use crate::outcome::{Body, Exchange};

/// Replaces every secret form with [`MASK`] in one pass.
pub(super) struct Mask {
    matcher: Option<AhoCorasick>,
}

/// The forms the redactor registers are 4 bytes or more; shorter ones would mask ordinary text.
const MIN_FORM: usize = 4;

impl Mask {
    /// A mask of every form in `secrets`.
    pub(super) fn new(secrets: &[String]) -> Result<Mask, BundleError> {
        let forms: Vec<&str> = secrets
            .iter()
            .map(String::as_str)
            .filter(|s| s.len() >= MIN_FORM)
            .collect();
        let matcher = if forms.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&forms)
                    .map_err(|e| BundleError::Scan(e.to_string()))?,
            )
        };
        Ok(Mask { matcher })
    }

    /// `text` with every secret form masked.
    pub(super) fn text(&self, text: &str) -> String {
        match &self.matcher {
            Some(m) => m.replace_all(text, &vec![MASK; m.patterns_len()]),
            None => text.to_string(),
        }
    }
}

/// Every string of a JSON value (keys too) passed through `mask`.
pub(super) fn json(value: &Value, mask: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(mask(s)),
        Value::Array(a) => Value::Array(a.iter().map(|v| json(v, mask)).collect()),
        Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (mask(k), json(v, mask))).collect())
        }
        other => other.clone(),
    }
}

/// A copy of `e` passed through `mask`, its bodies read back from the spill file and kept
/// inline (a bundle must not point into a temporary file).
pub(super) fn exchange(e: &Exchange, mask: &dyn Fn(&str) -> String) -> Exchange {
    let mut e = e.clone();
    for body in [&mut e.request_body, &mut e.response_body]
        .into_iter()
        .flatten()
    {
        *body = Body::Inline(body.text().into_owned());
    }
    e.redact(mask);
    e
}

/// Every form the scan looks for: the run's, and each as the `.http` file's curl commands
/// quote it for a shell (`'` written `'\''`, or `\'` and `\\` inside `$'…'`).
pub(super) fn scan_forms(secrets: &[String]) -> Vec<String> {
    let mut forms = secrets.to_vec();
    for s in secrets.iter().filter(|s| s.contains(['\'', '\\'])) {
        forms.push(s.replace('\'', r"'\''"));
        forms.push(s.replace('\\', r"\\").replace('\'', r"\'"));
    }
    forms.sort();
    forms.dedup();
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_text_json_and_exchanges() {
        let mask = Mask::new(&["tok-123456".to_string(), "ab".to_string()]).expect("mask");
        assert_eq!(mask.text("x tok-123456 ab"), "x [REDACTED] ab");
        let mask = |t: &str| mask.text(t);
        let v = serde_json::json!({"tok-123456": ["tok-123456", 1]});
        assert_eq!(
            json(&v, &mask),
            serde_json::json!({"[REDACTED]": ["[REDACTED]", 1]})
        );
        let e = Exchange::for_test("https://v.test/?t=tok-123456", 200, &[], "tok-123456");
        let masked = exchange(&e, &mask);
        assert_eq!(masked.url, "https://v.test/?t=[REDACTED]");
        assert_eq!(
            masked.response_body,
            Some(Body::Inline("[REDACTED]".into()))
        );
    }

    #[test]
    fn the_scan_also_looks_for_shell_quoted_forms() {
        let forms = scan_forms(&["it's-secret".to_string()]);
        assert_eq!(forms, [r"it'\''s-secret", "it's-secret", r"it\'s-secret"]);
    }
}
