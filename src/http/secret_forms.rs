//! Every form a secret can take on its way back from a vendor or into a report: as is; base64
//! (standard and URL-safe, padded or not, at each of the three byte alignments, so a secret
//! inside a longer base64 text is still found); percent-encoded (upper and lower case hex, a
//! space as `+` or `%20`); JSON-escaped once and twice (with and without `\u` escapes for
//! non-ASCII); XML/HTML-escaped. The redactor registers them all; the report scan looks for them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// The shortest form worth masking: shorter runs would match ordinary text.
const MIN_FORM: usize = 4;

/// The shortest base64 fragment worth looking for inside other base64: a shorter one would be
/// found by chance in ordinary text, and a report scan that finds one refuses to write.
const MIN_CORE: usize = 8;

/// How a form was made from its secret, for saying where a reflected secret was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    AsIs,
    Base64,
    /// The part of a longer base64 text that holds the secret (`Basic base64(user:password)`).
    InsideBase64,
    PercentEncoded,
    JsonEscaped,
    JsonEscapedTwice,
    XmlEscaped,
}

impl Form {
    /// How a reviewer would name it.
    pub fn label(self) -> &'static str {
        match self {
            Form::AsIs => "as is",
            Form::Base64 => "base64-encoded",
            Form::InsideBase64 => "inside base64",
            Form::PercentEncoded => "percent-encoded",
            Form::JsonEscaped => "JSON-escaped",
            Form::JsonEscapedTwice => "JSON-escaped twice",
            Form::XmlEscaped => "HTML-escaped",
        }
    }
}

/// Every form of `secret`, itself first, without duplicates (a form equal to an earlier one
/// keeps the earlier one's kind).
pub fn forms(secret: &str) -> Vec<(String, Form)> {
    let mut out = vec![(secret.to_string(), Form::AsIs)];
    let bytes = secret.as_bytes();
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        out.push((engine.encode(bytes), Form::Base64));
    }
    for alphabet in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        for shift in 0..3 {
            out.extend(base64_core(alphabet, bytes, shift).map(|f| (f, Form::InsideBase64)));
        }
    }
    for form in percent_forms(bytes) {
        out.push((form, Form::PercentEncoded));
    }
    // What form bodies and query pairs are written as (ours included), and what browsers'
    // `encodeURIComponent` writes: each keeps its own set of marks, so a secret holding marks
    // of both kinds (`~` and `-`) matches none of the forms above.
    out.push((
        url::form_urlencoded::byte_serialize(bytes).collect(),
        Form::PercentEncoded,
    ));
    out.push((uri_component(bytes), Form::PercentEncoded));
    let json_once = json_escaped(secret, false);
    let json_ascii = json_escaped(secret, true);
    out.push((json_escaped(&json_once, false), Form::JsonEscapedTwice));
    out.push((json_escaped(&json_ascii, false), Form::JsonEscapedTwice));
    out.push((json_once, Form::JsonEscaped));
    out.push((json_ascii, Form::JsonEscaped));
    out.extend(xml_forms(secret).into_iter().map(|f| (f, Form::XmlEscaped)));
    let mut seen = std::collections::HashSet::new();
    out.retain(|(f, _)| f.len() >= MIN_FORM && seen.insert(f.clone()));
    out
}

/// The base64 characters that depend on `secret` alone when it starts `shift` bytes into the
/// encoded data: what any base64 text holding the secret at that alignment contains.
fn base64_core(engine: &impl Engine, secret: &[u8], shift: usize) -> Option<String> {
    let mut data = vec![0u8; shift];
    data.extend_from_slice(secret);
    let encoded = engine.encode(&data);
    let first = (8 * shift).div_ceil(6);
    let end_bits = 8 * (shift + secret.len());
    let last = end_bits / 6; // characters [first, last) lie wholly inside the secret's bits
    let last = last.min(encoded.len());
    (last >= first + MIN_CORE).then(|| encoded[first..last].to_string())
}

/// Percent-encodings as servers write them: `+` or `%20` for a space, upper or lower hex, and
/// the unreserved marks (`-._~*`) kept or encoded too.
fn percent_forms(bytes: &[u8]) -> Vec<String> {
    let encode = |form: bool, upper: bool, marks: bool| {
        let mut s = String::with_capacity(bytes.len() * 3);
        for &b in bytes {
            let mark = matches!(b, b'-' | b'.' | b'_' | b'~' | b'*');
            let keep = b.is_ascii_alphanumeric() || (marks && mark);
            if keep {
                s.push(char::from(b));
            } else if form && b == b' ' {
                s.push('+');
            } else if upper {
                s.push_str(&format!("%{b:02X}"));
            } else {
                s.push_str(&format!("%{b:02x}"));
            }
        }
        s
    };
    let mut out = Vec::new();
    for form in [true, false] {
        for upper in [true, false] {
            for marks in [true, false] {
                out.push(encode(form, upper, marks));
            }
        }
    }
    out
}

/// `encodeURIComponent`: letters, digits and `-_.!~*'()` kept, the rest `%XX` (upper case).
fn uri_component(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// `text` as it appears inside a JSON string (without the quotes); `ascii` also writes every
/// non-ASCII character as `\uXXXX`, as many serialisers do.
fn json_escaped(text: &str, ascii: bool) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&quoted);
    if !ascii {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    for c in inner.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `text` with XML/HTML special characters as entities, in the spellings writers use.
fn xml_forms(text: &str) -> Vec<String> {
    let base = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let mut out = Vec::new();
    for quote in ["&quot;", "&#34;", "&#x22;"] {
        for apos in ["&apos;", "&#39;", "&#x27;"] {
            out.push(base.replace('"', quote).replace('\'', apos));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(forms: &[(String, Form)], want: &str, kind: Form) -> bool {
        forms.iter().any(|(f, k)| f == want && *k == kind)
    }

    #[test]
    fn base64_is_found_inside_longer_base64_at_every_alignment() {
        let secret = "hunter2-pass";
        let forms = forms(secret);
        for prefix in ["", "a", "ab", "user:", "Bearer "] {
            for engine in [STANDARD, URL_SAFE_NO_PAD] {
                let encoded = engine.encode(format!("{prefix}{secret}!tail"));
                assert!(
                    forms
                        .iter()
                        .any(|(f, _)| f.len() >= 8 && encoded.contains(f.as_str())),
                    "{prefix:?}{secret} encoded as {encoded} is not seen"
                );
            }
        }
    }

    #[test]
    fn escaped_and_encoded_forms() {
        let forms = forms(r#"pa ss"w\o/rd<&>é#%"#);
        for (want, kind) in [
            (r#"pa ss"w\o/rd<&>é#%"#, Form::AsIs),
            (
                r#"pa+ss%22w%5Co%2Frd%3C%26%3E%C3%A9%23%25"#,
                Form::PercentEncoded,
            ),
            (
                r#"pa%20ss%22w%5co%2frd%3c%26%3e%c3%a9%23%25"#,
                Form::PercentEncoded,
            ),
            (r#"pa ss\"w\\o/rd<&>é#%"#, Form::JsonEscaped),
            (r#"pa ss\"w\\o/rd<&>\u00e9#%"#, Form::JsonEscaped),
            (r#"pa ss\\\"w\\\\o/rd<&>é#%"#, Form::JsonEscapedTwice),
            (r#"pa ss&quot;w\o/rd&lt;&amp;&gt;é#%"#, Form::XmlEscaped),
        ] {
            assert!(has(&forms, want, kind), "missing {want} in {forms:#?}");
        }
    }

    #[test]
    fn form_bodies_and_uri_components_keep_their_own_marks() {
        let secret = "pa~ss-wo rd!é";
        let forms = forms(secret);
        let form_body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("password", secret)
            .finish();
        let value = form_body.strip_prefix("password=").expect("one pair");
        assert_eq!(value, "pa%7Ess-wo+rd%21%C3%A9");
        assert!(has(&forms, value, Form::PercentEncoded), "{forms:#?}");
        assert!(has(&forms, "pa~ss-wo%20rd!%C3%A9", Form::PercentEncoded));
    }

    #[test]
    fn short_forms_are_left_out() {
        assert!(forms("abcd").iter().all(|(f, _)| f.len() >= MIN_FORM));
    }
}
