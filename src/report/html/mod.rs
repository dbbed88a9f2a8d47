//! `report.html`: the whole run in one self-contained page for a reviewer: inline CSS and SVG,
//! no script, no external asset (its Content-Security-Policy forbids them), readable offline and
//! printable, one section per concern. Every value from the run is escaped ([`escape`]). Links
//! into the evidence bundle appear only when the bundle's location is given.

mod access;
mod accessibility;
mod attestations;
mod escape;
mod evidence;
mod findings;
mod latency;
mod matrix;
mod overview;
mod specification;
mod svg;
mod tls;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use crate::outcome::{RunReport, Verdict};
use escape::Esc;

pub use evidence::check_dir;

/// File name of the HTML report inside the output directory.
pub const HTML_FILE: &str = "report.html";

/// How the HTML report is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// Where the evidence bundle is, relative to the report (`evidence/`); `None`: no bundle,
    /// no evidence links.
    pub evidence: Option<String>,
}

const STYLE: &str = include_str!("style.css");

/// What every section reads: the run and where its evidence is.
pub(crate) struct Ctx<'a> {
    pub report: &'a RunReport,
    pub evidence: Option<&'a str>,
}

/// A section of the page: its anchor, heading and body.
struct Section {
    id: &'static str,
    title: &'static str,
    body: String,
}

/// The HTML report of `report`.
pub fn report_html(report: &RunReport, options: &HtmlOptions) -> String {
    let ctx = Ctx {
        report,
        evidence: options.evidence.as_deref(),
    };
    let sections = [
        ("overall", "Overall status", overview::render(&ctx)),
        (
            "requirements",
            "Requirements by domain",
            matrix::render(&ctx),
        ),
        ("findings", "Findings", findings::render(&ctx)),
        ("access", "Access matrix", access::render(&ctx)),
        ("tls", "TLS per endpoint", tls::render(&ctx)),
        (
            "accessibility",
            "Accessibility conformance",
            accessibility::render(&ctx),
        ),
        ("latency", "Latency (TEC-02)", latency::render(&ctx)),
        (
            "attestations",
            "Attestations and waivers",
            attestations::render(&ctx),
        ),
        (
            "specification",
            "Solution specification",
            specification::render(&ctx),
        ),
    ]
    .map(|(id, title, body)| Section { id, title, body });
    let mut out = String::with_capacity(64 * 1024);
    let title = format!("vvcheck report: {}", report.target);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n\
         <p class=\"muted\">Ontario Health Virtual Visits Verification Standard, secure messaging: {} {} against edition {}</p>\n</header>\n",
        Esc(&title),
        Esc(&title),
        Esc(&report.tool),
        Esc(&report.tool_version),
        Esc(&report.edition),
    );
    out.push_str("<nav aria-label=\"Sections\"><ol>");
    for s in &sections {
        let _ = write!(out, "<li><a href=\"#{}\">{}</a></li>", s.id, s.title);
    }
    out.push_str("</ol></nav>\n<main>\n");
    for s in &sections {
        let _ = write!(
            out,
            "<section id=\"{}\" aria-labelledby=\"{}-h\">\n<h2 id=\"{}-h\">{}</h2>\n{}</section>\n",
            s.id, s.id, s.id, s.title, s.body
        );
    }
    let _ = write!(
        out,
        "</main>\n<footer>Written by {} {} from the run started {}. Generated file; every value from the target, the suites and the attestations is shown as text.</footer>\n</body>\n</html>\n",
        Esc(&report.tool),
        Esc(&report.tool_version),
        Esc(&report.started_at)
    );
    out
}

/// A verdict as a coloured badge that also says it in words.
pub(crate) fn verdict_badge(v: Verdict) -> String {
    format!(
        "<span class=\"badge v-{}\">{}</span>",
        v.as_str(),
        v.as_str()
    )
}

/// A badge of class `v-{class}` reading `text`.
pub(crate) fn badge(class: &str, text: &str) -> String {
    format!(
        "<span class=\"badge v-{}\">{}</span>",
        Esc(class),
        Esc(text)
    )
}

/// `<p class="muted">…</p>` for a section with nothing to show.
pub(crate) fn nothing(why: &str) -> String {
    format!("<p class=\"muted\">{}</p>\n", Esc(why))
}
