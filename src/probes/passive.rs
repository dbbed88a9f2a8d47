//! What passive probes share: the recorded HTTPS responses of the target's own origins, what
//! kind of response each is (an HTML page, an API answer, a download), and a finding that
//! names how many responses broke a rule, with a few of them as examples.

use crate::model::resolve::ResolvedTarget;
use crate::outcome::{CheckError, ErrorKind, Exchange, Finding, RecordedView};

/// Examples named in a finding (the rest are counted).
const EXAMPLES: usize = 3;

/// What a response is, for rules that apply to some kinds only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Html,
    Api,
    Download,
}

impl Kind {
    /// How a finding names responses of this kind.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Html => "HTML pages",
            Kind::Api => "API responses",
            Kind::Download => "downloads",
        }
    }
}

/// A response's header, by name in any case.
pub fn header<'a>(e: &'a Exchange, name: &str) -> Option<&'a str> {
    e.response_headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Every value of a response's header `name`.
pub fn headers<'a>(e: &'a Exchange, name: &'a str) -> impl Iterator<Item = &'a str> {
    e.response_headers
        .iter()
        .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The kind of a response, by its `Content-Type` and `Content-Disposition`.
pub fn kind(e: &Exchange) -> Kind {
    let media = header(e, "content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let attachment = header(e, "content-disposition")
        .is_some_and(|d| d.trim().to_ascii_lowercase().starts_with("attachment"));
    if attachment {
        Kind::Download
    } else if media == "text/html" || media == "application/xhtml+xml" {
        Kind::Html
    } else if media.is_empty()
        || media.ends_with("json")
        || media.starts_with("text/")
        || media.ends_with("+xml")
        || media == "application/xml"
    {
        Kind::Api
    } else {
        Kind::Download
    }
}

/// The recorded responses from the target's own origins over HTTPS (`base_url` and `origins:`):
/// the vendor's service, not a storage host a pre-signed URL pointed to.
pub fn own_https<'a>(recorded: &'a RecordedView, target: &ResolvedTarget) -> Vec<&'a Exchange> {
    recorded
        .exchanges
        .iter()
        .filter(|e| e.status.is_some())
        .filter(|e| {
            url::Url::parse(&e.url)
                .is_ok_and(|u| u.scheme() == "https" && target.carries_credentials(&u))
        })
        .collect()
}

/// No verdict without evidence: a passive probe that found no response to inspect (the target
/// never answered, or no check reached it) is an error, never a pass.
pub fn something_recorded(responses: &[&Exchange]) -> Result<(), CheckError> {
    if responses.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            "no HTTPS response of the target's origins was recorded during the run, so there is nothing to inspect",
        ));
    }
    Ok(())
}

/// What a note adds when the run kept only some of its exchanges.
pub fn not_kept(recorded: &RecordedView) -> String {
    match recorded.left_out {
        0 => String::new(),
        n => format!(" ({n} more exchanges were not kept, past the run's bound)"),
    }
}

/// The note saying what a passive probe looked at.
pub fn looked_at(what: &str, count: usize, recorded: &RecordedView) -> String {
    let left_out = not_kept(recorded);
    format!(
        "inspected {count} recorded HTTPS responses of the target's origins for {what}{left_out}"
    )
}

/// A finding for a rule that `broke` of `of` responses broke, with the first few as examples.
pub fn finding(expected: String, what: &str, broke: &[(&Exchange, String)], of: usize) -> Finding {
    let examples: Vec<String> = broke
        .iter()
        .take(EXAMPLES)
        .map(|(e, why)| {
            let status = e.status.map_or_else(String::new, |s| s.to_string());
            format!("{} {} → {status}{why}", e.method, e.url)
        })
        .collect();
    let more = broke.len().saturating_sub(EXAMPLES);
    let more = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    let mut f = Finding::new(
        expected,
        format!(
            "{what} on {} of {of}: {}{more}",
            broke.len(),
            examples.join("; ")
        ),
    );
    f.exchange = broke.first().map(|(e, _)| e.summary());
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_are_told_apart_by_media_type_and_disposition() {
        let e = |h: &[(&str, &str)]| Exchange::for_test("https://v.test/", 200, h, "x");
        assert_eq!(
            kind(&e(&[("Content-Type", "text/html; charset=utf-8")])),
            Kind::Html
        );
        assert_eq!(kind(&e(&[("Content-Type", "application/json")])), Kind::Api);
        assert_eq!(
            kind(&e(&[("Content-Type", "application/problem+json")])),
            Kind::Api
        );
        assert_eq!(kind(&e(&[("Content-Type", "image/png")])), Kind::Download);
        assert_eq!(
            kind(&e(&[
                ("Content-Type", "text/plain"),
                ("Content-Disposition", "attachment; filename=a.txt")
            ])),
            Kind::Download
        );
        assert_eq!(kind(&e(&[])), Kind::Api);
    }
}
