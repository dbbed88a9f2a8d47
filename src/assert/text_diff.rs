//! Where two texts part, for a finding: the first differing code point, its position, its
//! neighbourhood on both sides, and whether the texts differ only in Unicode normalisation.
//! A 20,000-character body is never quoted whole: only the code points around the difference.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Code points shown on each side of the first difference.
const AROUND: usize = 12;

/// How `received` differs from `sent`, or `None` when they are the same text.
pub fn difference(sent: &str, received: &str) -> Option<String> {
    if sent == received {
        return None;
    }
    let s: Vec<char> = sent.chars().collect();
    let r: Vec<char> = received.chars().collect();
    let at = s
        .iter()
        .zip(&r)
        .position(|(a, b)| a != b)
        .unwrap_or(s.len().min(r.len()));
    let mut out = format!(
        "at code point {} (of {} sent, {} received): sent {}, received {}",
        at + 1,
        s.len(),
        r.len(),
        code_point_at(&s, at),
        code_point_at(&r, at)
    );
    out.push_str(&format!(
        "; sent {}, received {}",
        neighbourhood(&s, at),
        neighbourhood(&r, at)
    ));
    if sent.nfc().eq(received.nfc()) {
        out.push_str(
            "; the texts are equal in NFC: only the Unicode normalisation differs (composed vs decomposed)",
        );
    } else if sent.nfkc().eq(received.nfkc()) {
        out.push_str(
            "; the texts are equal in NFKC: only compatibility forms differ (e.g. a no-break space, a ligature)",
        );
    }
    Some(out)
}

/// `U+00E9 'é'`, with the combining marks that follow it; `the end of the text` past the end.
fn code_point_at(text: &[char], i: usize) -> String {
    let Some(&c) = text.get(i) else {
        return "the end of the text".to_string();
    };
    let mut out = one(c);
    for &m in text[i + 1..].iter().take_while(|&&m| is_combining_mark(m)) {
        out.push_str(" followed by ");
        out.push_str(&one(m));
    }
    out
}

/// `U+00E9 'é'`; a character that would not show (a control, a combining mark, a space other
/// than U+0020, a zero-width or direction mark) by its code point alone.
fn one(c: char) -> String {
    if shows(c) {
        format!("U+{:04X} '{c}'", u32::from(c))
    } else {
        format!("U+{:04X}", u32::from(c))
    }
}

fn shows(c: char) -> bool {
    let unseen = c.is_control()
        || is_combining_mark(c)
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}');
    !unseen
}

/// The code points around `i`, quoted, with `…` where the text goes on.
fn neighbourhood(text: &[char], i: usize) -> String {
    let from = i.saturating_sub(AROUND);
    let to = (i + AROUND).min(text.len());
    let shown: String = text[from..to].iter().collect();
    format!(
        "{}{:?}{}",
        if from > 0 { "…" } else { "" },
        shown,
        if to < text.len() { "…" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_has_no_difference() {
        assert_eq!(difference("ᐃᓄᒃᑎᑐᑦ", "ᐃᓄᒃᑎᑐᑦ"), None);
    }

    #[test]
    fn a_decomposed_letter_is_named_and_called_a_normalisation() {
        let d = difference("Bonjour, résultats", "Bonjour, re\u{301}sultats").expect("differs");
        assert!(
            d.starts_with(
                "at code point 11 (of 18 sent, 19 received): sent U+00E9 'é', received U+0065 'e' followed by U+0301"
            ),
            "{d}"
        );
        assert!(d.contains("only the Unicode normalisation differs"), "{d}");
    }

    #[test]
    fn a_lossy_fold_is_not_a_normalisation() {
        let d = difference("cœur « oui »", "c?ur « oui »").expect("differs");
        assert!(
            d.starts_with(
                "at code point 2 (of 12 sent, 12 received): sent U+0153 'œ', received U+003F '?'"
            ),
            "{d}"
        );
        assert!(!d.contains("equal in"), "{d}");
    }

    #[test]
    fn a_no_break_space_shows_by_its_code_point_and_as_a_compatibility_form() {
        let d = difference("« oui\u{202F}»", "« oui »").expect("differs");
        assert!(d.contains("sent U+202F, received U+0020 ' '"), "{d}");
        assert!(d.contains("equal in NFKC"), "{d}");
    }

    #[test]
    fn a_long_body_is_shown_around_the_difference_only() {
        let sent = "a".repeat(20_000);
        let received = format!("{}b{}", "a".repeat(9_999), "a".repeat(10_000));
        let d = difference(&sent, &received).expect("differs");
        assert!(d.len() < 300, "{} bytes: {d}", d.len());
        assert!(
            d.contains("code point 10000 (of 20000 sent, 20000 received)"),
            "{d}"
        );
    }

    #[test]
    fn a_cut_text_says_where_it_ends() {
        let d = difference("merci 🙏🏽", "merci ").expect("differs");
        assert!(d.contains("received the end of the text"), "{d}");
        assert!(d.contains("sent U+1F64F '🙏'"), "{d}");
    }
}
