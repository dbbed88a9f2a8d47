//! Findings of the PHI checks, which must not repeat the PHI they report: each names the
//! exchange with its URL masked (a path segment or query that holds PHI becomes `•••`), and
//! says whose value of what kind was found where, the value itself masked.

use super::in_urls::phi_in;
use super::planted::Planted;
use crate::outcome::{Exchange, Finding};

/// Examples named in a finding (the rest are counted).
const EXAMPLES: usize = 3;

/// `url` with every path segment, query parameter and fragment that holds PHI shown as `•••`.
pub fn masked_url(url: &str, planted: &[Planted]) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return match phi_in(url, planted) {
            Some(_) => "•••".to_string(),
            None => url.to_string(),
        };
    };
    let segments: Vec<String> = u
        .path_segments()
        .map(|s| {
            s.map(|seg| match phi_in(seg, planted) {
                Some(_) => "•••".to_string(),
                None => seg.to_string(),
            })
            .collect()
        })
        .unwrap_or_default();
    if !segments.is_empty() {
        u.set_path(&segments.join("/"));
    }
    if let Some(q) = u.query().map(str::to_string) {
        let kept: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if phi_in(v, planted).is_some() => format!("{k}=•••"),
                None if phi_in(pair, planted).is_some() => "•••".to_string(),
                _ => pair.to_string(),
            })
            .collect();
        u.set_query(Some(&kept.join("&")));
    }
    if u.fragment().is_some_and(|f| phi_in(f, planted).is_some()) {
        u.set_fragment(Some("•••"));
    }
    u.to_string()
}

/// The one-line summary of `e` with its URL masked.
pub fn masked_summary(e: &Exchange, planted: &[Planted]) -> String {
    let status = e
        .status
        .map_or_else(|| "no response".to_string(), |s| s.to_string());
    format!(
        "{} {} as {} → {status}",
        e.method,
        masked_url(&e.url, planted),
        e.actor
    )
}

/// A finding for `broke` of `of` exchanges, each with why, the first few as examples.
pub fn phi_finding(
    expected: &str,
    what: &str,
    broke: &[(&Exchange, String)],
    of: usize,
    planted: &[Planted],
) -> Finding {
    let examples: Vec<String> = broke
        .iter()
        .take(EXAMPLES)
        .map(|(e, why)| format!("{}: {why}", masked_summary(e, planted)))
        .collect();
    let more = match broke.len().saturating_sub(EXAMPLES) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    let mut f = Finding::new(
        expected,
        format!(
            "{what} in {} of {of}: {}{more}",
            broke.len(),
            examples.join("; ")
        ),
    );
    f.exchange = broke.first().map(|(e, _)| masked_summary(e, planted));
    f
}
