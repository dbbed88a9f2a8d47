//! The text a reader sees on an HTML page, and a searchable form of it. Scripts, styles,
//! templates and elements kept out of sight (`hidden`, `aria-hidden="true"`, an inline
//! `display: none` or `visibility: hidden`) are left out; character references are read by the
//! HTML parser, so `n&apos;est pas` and `n'est pas` are the same text.

use scraper::{ElementRef, Html, Selector};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters of a page's text shown in a finding, at most.
const SHOWN_CHARS: usize = 300;

/// The text a reader sees in the body of an HTML page, spacing folded.
pub fn visible_text(html: &str) -> String {
    visible_text_of(&Html::parse_document(html))
}

/// [`visible_text`] of a page already parsed.
pub fn visible_text_of(doc: &Html) -> String {
    let Ok(body) = Selector::parse("body") else {
        return String::new();
    };
    let mut out = String::new();
    for b in doc.select(&body) {
        collect(b, &mut out);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn collect(el: ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        if let Some(text) = child.value().as_text() {
            out.push_str(text);
            out.push(' ');
        } else if let Some(e) = ElementRef::wrap(child)
            && !out_of_sight(e)
        {
            collect(e, out);
        }
    }
}

/// Whether an element's content is never shown to a reader.
fn out_of_sight(e: ElementRef<'_>) -> bool {
    let v = e.value();
    if matches!(
        v.name(),
        "script" | "style" | "noscript" | "template" | "head"
    ) {
        return true;
    }
    if v.attr("hidden").is_some() {
        return true;
    }
    if v.attr("aria-hidden")
        .is_some_and(|a| a.trim().eq_ignore_ascii_case("true"))
    {
        return true;
    }
    v.attr("style").is_some_and(hides)
}

/// Whether an inline style hides the element.
fn hides(style: &str) -> bool {
    style.split(';').any(|decl| {
        let Some((prop, value)) = decl.split_once(':') else {
            return false;
        };
        let value = value.trim().trim_end_matches("!important").trim();
        match prop.trim().to_ascii_lowercase().as_str() {
            "display" => value.eq_ignore_ascii_case("none"),
            "visibility" => value.eq_ignore_ascii_case("hidden"),
            _ => false,
        }
    })
}

/// `text` in the form patterns are written against: lower case, accents taken off (`é` → `e`),
/// typographic apostrophes and dashes made plain, every run of spacing one space. French
/// patterns then need no accents, and a vendor's `’` or `–` is no miss.
pub fn searchable(text: &str) -> String {
    let plain: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' => '\'',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect();
    crate::http::seen::fold(&plain)
}

/// The start of a page's text, for a finding: what was searched, shortened.
pub fn shown(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    if chars.next().is_some() {
        format!("\"{head}…\" ({} characters)", text.chars().count())
    } else {
        format!("\"{head}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_and_hidden_elements_are_not_seen() {
        let text = visible_text(
            r#"<html><head><title>T</title></head><body><h1>Privacy</h1>
<script>var x = 'long script text';</script><style>p{}</style><template><p>later</p></template>
<p hidden>hidden attribute</p><div aria-hidden="true">decoration</div>
<p style="color: red; display : none !important">inline none</p><span style="visibility:hidden">ghost</span>
<p aria-hidden="false">We  keep   records.</p></body></html>"#,
        );
        assert_eq!(text, "Privacy We keep records.");
    }

    #[test]
    fn entities_accents_apostrophes_and_dashes_are_seen_through() {
        let text = visible_text(
            "<p>Ce service n&rsquo;est pas pour les urgences&nbsp;: composez le 9&#8209;1&#8209;1.</p>",
        );
        assert_eq!(
            searchable(&text),
            "ce service n'est pas pour les urgences : composez le 9-1-1."
        );
        assert_eq!(searchable("Délai de réponse"), "delai de reponse");
    }

    #[test]
    fn long_text_is_shortened_with_its_length() {
        assert_eq!(shown("short"), "\"short\"");
        let long = "a".repeat(400);
        let s = shown(&long);
        let head = "a".repeat(SHOWN_CHARS);
        assert_eq!(s, format!("\"{head}…\" (400 characters)"));
    }
}
