//! Findings of the PHI checks, which must not repeat the PHI they report: each names the
//! exchange with its URL masked (a path segment or query that holds PHI becomes `•••`), and
//! says whose value of what kind was found where, the value itself masked.

use super::health_number;
use super::planted::Planted;
use crate::http::seen::{Layers, percent_decoded};
use crate::outcome::{Exchange, Finding};

/// Examples named in a finding (the rest are counted).
const EXAMPLES: usize = 3;

/// `url` with every path segment, query parameter and fragment that holds PHI shown as `•••`.
pub fn masked_url(url: &str, planted: &[Planted]) -> String {
    let hide = |part: &str| phi_in(part, planted).is_some();
    let whole = || {
        if hide(url) {
            "•••".to_string()
        } else {
            url.to_string()
        }
    };
    let Ok(u) = url::Url::parse(url) else {
        return whole();
    };
    let origin = u.origin();
    if !origin.is_tuple() {
        return whole();
    }
    let mut out = origin.ascii_serialization();
    let path: Vec<&str> = u
        .path()
        .split('/')
        .map(|seg| if hide(seg) { "•••" } else { seg })
        .collect();
    out.push_str(&path.join("/"));
    if let Some(q) = u.query() {
        let kept: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if hide(v) => format!("{k}=•••"),
                None if hide(pair) => "•••".to_string(),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = u.fragment() {
        out.push('#');
        out.push_str(if hide(f) { "•••" } else { f });
    }
    out
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

/// What PHI a URL holds, if any: a planted value (and through which encoding), or a health
/// number by its shape.
pub fn phi_in(url: &str, planted: &[Planted]) -> Option<String> {
    let layers = Layers::of(url.as_bytes());
    if let Some((p, how)) = planted
        .iter()
        .find_map(|p| p.found_in(&layers).map(|how| (p, how)))
    {
        return Some(format!("{}{}", p.describe(), how.describe()));
    }
    let decoded = percent_decoded(url);
    health_number::find_all(&decoded).first().map(|_| {
        "a number of the shape of an Ontario health card number, its check digit valid (not a declared canary)".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::phi::planted::What;

    fn planted() -> Vec<Planted> {
        vec![
            Planted::name("patient_a", "Zoë Tremblay"),
            Planted::sent("patient_a", What::Subject, "Question about my results"),
        ]
    }

    #[test]
    fn urls_in_findings_hide_the_segments_and_parameters_that_hold_phi() {
        let p = planted();
        assert_eq!(
            masked_url(
                "https://v.test/patients/Zo%C3%AB%20Tremblay/inbox?who=Zo%C3%AB+Tremblay&page=2#Question%20about%20my%20results",
                &p
            ),
            "https://v.test/patients/•••/inbox?who=•••&page=2#•••"
        );
        assert_eq!(
            masked_url("https://v.test/records?card=9876-543-217", &p),
            "https://v.test/records?card=•••",
            "a health number by its shape is hidden too"
        );
        let clean = "https://v.test/api/conversations/c-1?after=m-2";
        assert_eq!(masked_url(clean, &p), clean);
    }

    #[test]
    fn a_url_says_which_phi_it_holds_and_through_which_encoding() {
        let p = planted();
        let what = phi_in("/inbox?who=Zo%C3%AB+Tremblay", &p).expect("found");
        assert!(what.starts_with("patient_a's name (Z"), "{what}");
        assert!(what.ends_with(", percent-encoded"), "{what}");
        assert!(!what.contains("Tremblay"), "never the value: {what}");
        let by_shape = phi_in("/records/9876%20543%20217", &p).expect("found by shape");
        assert!(
            by_shape.contains("Ontario health card number"),
            "{by_shape}"
        );
        assert_eq!(phi_in("/api/conversations/c-9876543217?t=1", &p), None);
    }
}
