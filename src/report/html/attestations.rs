//! Attestations and waivers: each entry the run was given, who signed it, when it holds, for
//! what, the files behind it, and what became of it; expired and rejected entries stand out.

use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, badge, nothing};
use crate::outcome::EntryOutcome;

/// The attestations section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let entries = &ctx.report.attestations;
    if entries.is_empty() {
        return nothing("The run was given no attestation or waiver.");
    }
    let rejected = entries.iter().filter(|e| e.outcome.is_rejected()).count();
    let mut out = String::new();
    if rejected > 0 {
        let _ = writeln!(
            out,
            "<p class=\"alert\">{rejected} of {} entries did not count (expired, not yet valid, out of scope, unknown requirement or contradicted by a check): see the highlighted rows.</p>",
            entries.len()
        );
    }
    out.push_str("<table><thead><tr><th scope=\"col\">Requirement</th><th scope=\"col\">Entry</th><th scope=\"col\">Statement or reason</th><th scope=\"col\">By</th><th scope=\"col\">Dated</th><th scope=\"col\">Expires</th><th scope=\"col\">Scope</th><th scope=\"col\">Evidence (SHA-256)</th><th scope=\"col\">Outcome</th></tr></thead><tbody>\n");
    for e in entries {
        let kind = match e.kind {
            Some(k) => format!("{} ({k})", e.entry),
            None => e.entry.to_string(),
        };
        let mut statement = Esc(&e.text).to_string();
        if let Some(a) = &e.approval {
            let _ = write!(
                statement,
                "<br><span class=\"muted\">approval {}</span>",
                Esc(a)
            );
        }
        let _ = write!(
            statement,
            "<br><span class=\"muted mono\">{}</span>",
            Esc(&e.source)
        );
        let evidence: Vec<String> = e
            .evidence
            .iter()
            .map(|f| {
                format!(
                    "{} ({} bytes)<br><code>{}</code>",
                    Esc(&f.file),
                    f.size,
                    Esc(&f.sha256)
                )
            })
            .collect();
        let outcome = serde_json::to_value(e.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let class = match e.outcome {
            EntryOutcome::Counted | EntryOutcome::Overrides => "pass",
            EntryOutcome::Unused | EntryOutcome::Superseded | EntryOutcome::NotApplicable => {
                "manual"
            }
            _ => "fail",
        };
        let mut outcome = badge(class, &outcome.replace('_', " "));
        if let Some(note) = &e.note {
            let _ = write!(outcome, "<br>{}", Esc(note));
        }
        let _ = writeln!(
            out,
            "<tr{}><td>{}</td><td>{}</td><td>{statement}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{outcome}</td></tr>",
            if e.outcome.is_rejected() {
                " class=\"rejected\""
            } else {
                ""
            },
            Esc(&e.requirement),
            Esc(&kind),
            Esc(&e.by.to_string()),
            Esc(&e.date),
            Esc(&e.expires),
            Esc(e.scope.as_deref().unwrap_or("any target")),
            evidence.join("<br>")
        );
    }
    out.push_str("</tbody></table>\n");
    out
}
