//! Ontario health card numbers found by their shape, declared or not: ten digits, plain or
//! grouped 4-3-3 with spaces or dashes, optionally followed by the 2-letter version code, that
//! pass the check digit ([`check_digit_ok`]).
//!
//! Ten digits are common in machine text, so a candidate must also stand on its own:
//! - not part of a longer token: no letter, digit or `_` right before it, and no `-`, `.`, `:`
//!   joining it to one (`c-9876543217`, `v1.9876543217`, `tel:4165550123` are ids and links);
//!   after it, no digit or `_`, no letter unless exactly a 2-letter version code ends there, and
//!   no `-` or `.` joining it to more (`9876543217.5`, `9876-543-217-1234`);
//! - one kind of grouping: `9876 543-217` is not a number someone wrote;
//! - not a Unix time in seconds within a year of the run (a plain ten-digit number such as
//!   `1733070000` is a cache-buster, a `since=` or a signed URL's expiry far more often than a
//!   card): such numbers are not reported by shape, though a declared canary still is.
//!
//! One in ten ten-digit numbers passes the check digit by chance, so what remains can still be
//! a false positive; the finding says the number was found by its shape, never its value.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use regex::Regex;

use crate::model::canary::check_digit_ok;

/// Four, three and three digits, each gap a space, a dash or nothing.
static SHAPE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[0-9]{4}[ -]?[0-9]{3}[ -]?[0-9]{3}").ok());

/// A year, in seconds: the window around the run in which a plain number is taken for a time.
const YEAR_S: u64 = 366 * 24 * 3600;

/// The ten digits of every health number in `text` by shape (see the module's rules), in order.
pub fn find_all(text: &str) -> Vec<String> {
    let Some(shape) = SHAPE.as_ref() else {
        return Vec::new();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut out = Vec::new();
    // Overlapping candidates matter (`1 9876543217` is found from its second digit), so the
    // search restarts one character after each rejected start.
    let mut from = 0;
    while let Some(m) = shape.find_at(text, from) {
        let candidate = m.as_str();
        let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
        let accepted = one_grouping(candidate)
            && stands_alone(text, m.start(), m.end())
            && check_digit_ok(&digits)
            && !(candidate.len() == 10 && near(now, &digits));
        if accepted {
            out.push(digits);
            from = m.end();
        } else {
            from = m.start() + 1;
        }
    }
    out
}

/// The two gaps are alike: both empty, both spaces or both dashes.
fn one_grouping(candidate: &str) -> bool {
    let gaps: Vec<char> = candidate.chars().filter(|c| !c.is_ascii_digit()).collect();
    match gaps.as_slice() {
        [] => true,
        [a, b] => a == b,
        _ => false,
    }
}

fn joins(c: char) -> bool {
    matches!(c, '-' | '.' | ':')
}

fn word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether text[start..end] is a token of its own (the rules in the module comment).
fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let mut before = text[..start].chars().rev();
    match before.next() {
        Some(c) if word(c) => return false,
        Some(c) if joins(c) && before.next().is_some_and(word) => return false,
        _ => {}
    }
    let rest = &text[end..];
    let mut after = rest.chars();
    match after.next() {
        None => true,
        Some(c) if c.is_ascii_digit() || c == '_' => false,
        Some(c) if c.is_alphabetic() => version_code_ends(rest),
        Some(c) if c == '-' || c == ' ' => {
            let next = after.next();
            match next {
                Some(n) if n.is_ascii_uppercase() => version_code_ends(&rest[1..]) || c == ' ',
                Some(n) if c == '-' && word(n) => false,
                _ => true,
            }
        }
        Some('.') => !after.next().is_some_and(word),
        Some(_) => true,
    }
}

/// `rest` starts with exactly two letters (a version code) and then no more of the token.
fn version_code_ends(rest: &str) -> bool {
    let mut chars = rest.chars();
    let two = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    two && !chars.next().is_some_and(word)
}

/// Whether ten plain digits read as Unix seconds fall within a year of `now`.
fn near(now: u64, digits: &str) -> bool {
    digits
        .parse::<u64>()
        .is_ok_and(|t| t.abs_diff(now) <= YEAR_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_numbers_are_found_in_every_grouping_with_or_without_version_code() {
        for text in [
            "9876543217",
            "hcn=9876543217&x=1",
            "/patients/9876-543-217/",
            "card 9876 543 217 AB on file",
            "9876543217AB",
            "9876-543-217-KT",
            "\"9876543217\"",
            "(9876 543 217)",
        ] {
            assert_eq!(find_all(text), ["9876543217"], "{text}");
        }
    }

    #[test]
    fn numbers_that_only_look_like_health_numbers_are_not_reported() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A Unix time near the run that happens to pass the check digit.
        let stamp = (now..now + 100)
            .map(|t| t.to_string())
            .find(|t| check_digit_ok(t))
            .expect("one in ten passes");
        for text in [
            "9876543218".to_string(),             // check digit wrong
            "98765432170".to_string(),            // eleven digits
            "19876543217".to_string(),            // inside a longer number
            "c-9876543217".to_string(),           // an id
            "id_9876543217".to_string(),          // an id
            "v1.9876543217".to_string(),          // a version
            "tel:9876543217".to_string(),         // a phone link
            "9876543217abc".to_string(),          // letters run on
            "9876543217.5".to_string(),           // a decimal
            "9876-543-217-1234".to_string(),      // a longer group
            "9876 543-217".to_string(),           // mixed grouping
            format!("?since={stamp}"),            // a timestamp
            format!("X-Amz-Expires&t={stamp}&s"), // an expiry
        ] {
            assert_eq!(find_all(&text), Vec::<String>::new(), "{text}");
        }
    }
}
