//! Whether a response body says a text, seen through the encodings vendors put on text: JSON
//! string escapes (`\u00e9`, `\"`), HTML and XML character references (`&eacute;`, `&#233;`,
//! `&#xE9;`), percent-encoding (`%C3%A9`, `+` for a space), and Unicode normalization (an `é`
//! sent as `e` and a combining accent); names are also compared with case and spacing folded.
//! Every "must not contain" and every PHI match goes through here, so an escaped leak is still
//! a leak.

use std::borrow::Cow;
use std::sync::OnceLock;

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

/// A text with case and spacing differences taken out: lower case, every run of white space
/// (no-break spaces included) one space, trimmed. Names are compared in this form, since a
/// vendor may write `ZOË  TREMBLAY` for `Zoë Tremblay`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Every string inside a JSON value, keys included, with its JSON path (`$.a[0].b`; a key
/// as `$.a (key b)`).
fn json_strings<'a>(v: &'a serde_json::Value, path: &str, out: &mut Vec<(String, &'a str)>) {
    match v {
        serde_json::Value::String(s) => out.push((path.to_string(), s)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                json_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push((format!("{path} (key {k})"), k));
                let child = if k.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    format!("{path}.{k}")
                } else {
                    format!("{path}[{}]", serde_json::Value::String(k.clone()))
                };
                json_strings(v, &child, out);
            }
        }
        _ => {}
    }
}

/// Where and how a text was found: the encoding it was read through and, inside a JSON
/// body, the path of the string that held it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub encoding: Encoding,
    pub at: Option<String>,
}

impl Hit {
    /// `, JSON-escaped, at $.a.b` — what a finding adds after naming what was found.
    pub fn describe(&self) -> String {
        let how = match self.encoding {
            Encoding::AsIs => String::new(),
            other => format!(", {}", other.label()),
        };
        let at = self
            .at
            .as_ref()
            .map_or_else(String::new, |p| format!(", at {p}"));
        format!("{how}{at}")
    }
}

/// One way of reading a text: how it was decoded, what came out (NFC), and for a JSON
/// string, its path.
#[derive(Debug)]
pub struct Layer {
    pub encoding: Encoding,
    pub text: String,
    pub at: Option<String>,
    folded: OnceLock<String>,
}

impl Layer {
    fn new(encoding: Encoding, text: &str) -> Layer {
        Layer {
            encoding,
            text: nfc(text).into_owned(),
            at: None,
            folded: OnceLock::new(),
        }
    }

    fn at(mut self, path: &str) -> Layer {
        self.at = Some(path.to_string());
        self
    }

    /// Where and how this reading holds what was found.
    pub fn hit(&self) -> Hit {
        Hit {
            encoding: self.encoding,
            at: self.at.clone(),
        }
    }

    /// The text [`fold`]ed, computed once.
    pub fn folded(&self) -> &str {
        self.folded.get_or_init(|| fold(&self.text))
    }
}

/// A body decoded once in every way a vendor may have encoded text in it, for matching many
/// texts against it: as is, each JSON string (and each read as HTML and percent-decoded), the
/// whole read as HTML, and the whole percent-decoded. JSON strings are separate layers, so a
/// match never spans two, and a match in one says its path.
#[derive(Debug)]
pub struct Layers(Vec<Layer>);

impl Layers {
    /// Every reading of `body`.
    pub fn of(body: &[u8]) -> Layers {
        let raw = String::from_utf8_lossy(body);
        let mut layers = vec![Layer::new(Encoding::AsIs, &raw)];
        if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(body) {
            let mut strings = Vec::new();
            json_strings(&doc, "$", &mut strings);
            // A string may itself hold escaped text (HTML or a link inside JSON), so each is
            // read on, keeping its path.
            for (path, s) in strings {
                layers.push(Layer::new(Encoding::JsonString, s).at(&path));
                if s.contains('&') {
                    let decoded = html_escape::decode_html_entities(s);
                    layers.push(Layer::new(Encoding::HtmlEntities, &decoded).at(&path));
                }
                if s.contains('%') {
                    layers.push(Layer::new(Encoding::Percent, &percent_decoded(s)).at(&path));
                }
            }
        }
        if raw.contains('&') {
            let decoded = html_escape::decode_html_entities(&raw);
            layers.push(Layer::new(Encoding::HtmlEntities, &decoded));
        }
        if raw.contains('%') || raw.contains('+') {
            layers.push(Layer::new(Encoding::Percent, &percent_decoded(&raw)));
        }
        Layers(layers)
    }

    /// The first reading in which `found` holds.
    pub fn find(&self, mut found: impl FnMut(&Layer) -> bool) -> Option<&Layer> {
        self.0.iter().find(|l| found(l))
    }

    /// Where and how the body says `text` exactly (after NFC), if it does in any reading.
    pub fn hit(&self, text: &str) -> Option<Hit> {
        if text.is_empty() {
            return None;
        }
        let needle = nfc(text);
        self.find(|l| l.text.contains(needle.as_ref()))
            .map(Layer::hit)
    }

    /// How the body says `text` exactly (after NFC), if it does in any reading.
    pub fn says(&self, text: &str) -> Option<Encoding> {
        self.hit(text).map(|h| h.encoding)
    }
}

/// `text` with percent-encoding read, `+` taken as a space (form and query encoding).
pub fn percent_decoded(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// How `body` says `text`, if it does in any of the encodings above; `None` when it does not
/// (or `text` is empty).
pub fn says(body: &[u8], text: &str) -> Option<Encoding> {
    if text.is_empty() {
        return None;
    }
    Layers::of(body).says(text)
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

    #[test]
    fn folding_takes_out_case_and_spacing_only() {
        assert_eq!(fold("  ZOË\u{a0} Tremblay\n"), "zoë tremblay");
        assert_eq!(fold("Marc-André"), "marc-andré");
        let layers = Layers::of(br#"{"who": [{"name": "ZO\u00cb  TREMBLAY"}]}"#);
        let found = layers.find(|l| l.folded().contains("zoë tremblay"));
        assert_eq!(
            found.map(Layer::hit),
            Some(Hit {
                encoding: Encoding::JsonString,
                at: Some("$.who[0].name".into())
            })
        );
    }
}
