//! The requirement × verdict matrix, one table per domain: every requirement of the catalogue
//! the run judged, its verdict in colour and in words, the checks behind it and why.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, check_dir, nothing, verdict_badge};
use crate::outcome::Domain;
use crate::report::spec::heading;

/// The matrix section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let r = ctx.report;
    if r.requirements.is_empty() {
        return nothing("No requirement was judged.");
    }
    // Looked up by id for every check of every row: a map, or a run of thousands of checks
    // behind one requirement costs their square.
    let by_id: HashMap<&str, &crate::outcome::CheckResult> =
        r.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut out = String::new();
    for domain in Domain::ALL {
        let rows: Vec<_> = r
            .requirements
            .iter()
            .filter(|q| q.domain == domain)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "<h3>{}</h3>", heading(domain));
        out.push_str("<table><thead><tr><th scope=\"col\">ID</th><th scope=\"col\">Title</th><th scope=\"col\">Level</th><th scope=\"col\">Provenance</th><th scope=\"col\">Verdict</th><th scope=\"col\">Checks</th><th scope=\"col\">Reason</th>");
        if ctx.evidence.is_some() {
            out.push_str("<th scope=\"col\">Evidence</th>");
        }
        out.push_str("</tr></thead><tbody>\n");
        for q in rows {
            let checks: Vec<String> = q
                .checks
                .iter()
                .map(|c| format!("<code>{}</code>", Esc(c)))
                .collect();
            let evidence: Vec<String> = q
                .checks
                .iter()
                .filter_map(|id| by_id.get(id.as_str()).copied())
                .map(|c| (c, ctx.evidence_links(c)))
                .filter(|(_, l)| !l.is_empty())
                // Several checks: each link pair says whose it is.
                .map(|(c, l)| {
                    if q.checks.len() > 1 {
                        format!("<span class=\"check\">{}</span>: {l}", Esc(&c.id))
                    } else {
                        l
                    }
                })
                .collect();
            let mut reason = q
                .reason
                .as_deref()
                .map(|t| Esc(t).to_string())
                .unwrap_or_default();
            if let Some(signoff) = q.signoff {
                let _ = write!(
                    reason,
                    " <span class=\"muted\">(sign-off: {signoff})</span>"
                );
            }
            let _ = writeln!(
                out,
                "<tr id=\"req-{}\"><td class=\"id\"><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}</tr>",
                check_dir(q.id.as_str()),
                Esc(q.id.as_str()),
                Esc(&q.title),
                q.level,
                q.provenance.as_str(),
                verdict_badge(q.verdict),
                checks.join("<br>"),
                reason,
                if ctx.evidence.is_some() {
                    format!("<td>{}</td>", evidence.join("<br>"))
                } else {
                    String::new()
                }
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out
}
