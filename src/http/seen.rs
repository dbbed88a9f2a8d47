//! Whether a response body says a text, seen through the encodings vendors put on text: JSON
//! string escapes (`\u00e9`, `\"`), HTML and XML character references (`&eacute;`, `&#233;`,
//! `&#xE9;`), percent-encoding (`%C3%A9`, `+` for a space), and Unicode normalization (an `é`
//! sent as `e` and a combining accent). Every "must not contain" and every PHI match goes
//! through here, so an escaped leak is still a leak.

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization;

/// How a body said the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    AsIs,
    /// Inside a JSON string, once its escapes are read.
    JsonString,
    /// Once HTML/XML character references are read.
    HtmlEntities,
    /// Once percent-encoding is read.
    Percent,
}

impl Encoding {
    /// How a reviewer would name it.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::AsIs => "as is",
            Encoding::JsonString => "JSON-escaped",
            Encoding::HtmlEntities => "HTML-escaped",
            Encoding::Percent => "percent-encoded",
        }
    }
}

/// Canonical (NFC) form, so composed and decomposed accents compare equal.
fn nfc(s: &str) -> Cow<'_, str> {
    if unicode_normalization::is_nfc(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Every string inside a JSON value, keys included.
fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_strings(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

/// How `body` says `text`, if it does in any of the encodings above; `None` when it does not
/// (or `text` is empty).
pub fn says(body: &[u8], text: &str) -> Option<Encoding> {
    if text.is_empty() {
        return None;
    }
    let needle = nfc(text);
    let raw = String::from_utf8_lossy(body);
    if nfc(&raw).contains(needle.as_ref()) {
        return Some(Encoding::AsIs);
    }
    if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) {
        let mut strings = Vec::new();
        json_strings(&doc, &mut strings);
        // A string may itself hold escaped text (HTML inside JSON), so each is read on.
        for s in strings {
            if nfc(s).contains(needle.as_ref()) {
                return Some(Encoding::JsonString);
            }
            if nfc(&html_escape::decode_html_entities(s)).contains(needle.as_ref()) {
                return Some(Encoding::HtmlEntities);
            }
        }
    }
    if raw.contains('&') && nfc(&html_escape::decode_html_entities(&raw)).contains(needle.as_ref())
    {
        return Some(Encoding::HtmlEntities);
    }
    if raw.contains('%') || raw.contains('+') {
        let spaced = raw.replace('+', " ");
        let decoded = percent_encoding::percent_decode_str(&spaced).decode_utf8_lossy();
        if nfc(&decoded).contains(needle.as_ref()) {
            return Some(Encoding::Percent);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Résultats normaux, à revoir";

    #[test]
    fn a_text_is_seen_through_every_encoding_a_vendor_puts_on_it() {
        let cases: &[(&str, Option<Encoding>)] = &[
            (
                "{\"body\": \"Résultats normaux, à revoir\"}",
                Some(Encoding::AsIs),
            ),
            (
                r#"{"body": "R\u00e9sultats normaux, \u00e0 revoir"}"#,
                Some(Encoding::JsonString),
            ),
            (
                "<p>R&eacute;sultats normaux, &agrave; revoir</p>",
                Some(Encoding::HtmlEntities),
            ),
            (
                "<p>R&#233;sultats normaux, &#xE0; revoir</p>",
                Some(Encoding::HtmlEntities),
            ),
            (
                r#"{"html": "<p>R&eacute;sultats normaux, &agrave; revoir</p>"}"#,
                Some(Encoding::HtmlEntities),
            ),
            (
                "next=/inbox?q=R%C3%A9sultats+normaux%2C%20%C3%A0%20revoir",
                Some(Encoding::Percent),
            ),
            (
                "Re\u{301}sultats normaux, a\u{300} revoir",
                Some(Encoding::AsIs),
            ),
            (r#"{"error": "not found"}"#, None),
            ("R?sultats normaux, ? revoir", None),
        ];
        for (body, want) in cases {
            assert_eq!(says(body.as_bytes(), TEXT), *want, "{body}");
        }
        assert_eq!(says(b"anything", ""), None, "an empty text is never said");
    }
}
