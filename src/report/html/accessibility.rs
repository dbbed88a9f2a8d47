//! The accessibility conformance section, VPAT-style: the WCAG tables of the conformance report
//! (the model `acr.md` is written from), Level A then Level AA, remarks page by page.

use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, nothing};
use crate::report::wcag::{self, Criterion, LEGEND, LEVELS};

/// The accessibility section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let Some(model) = wcag::conformance(ctx.report) else {
        return nothing("The run judged no WCAG success criterion.");
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p>WCAG 2.0 Level AA. Method: every page of the target profile fetched as its actor; static rules on its markup and linked stylesheets{}.</p>\n<p class=\"muted\">Conformance levels: {}</p>",
        if model.rendered {
            "; each page also rendered in a browser and tested with axe-core"
        } else {
            ""
        },
        Esc(LEGEND)
    );
    for (level, heading) in LEVELS {
        let _ = writeln!(out, "<h3>{heading}</h3>");
        out.push_str("<table><thead><tr><th scope=\"col\">Criteria</th><th scope=\"col\">Conformance Level</th><th scope=\"col\">Remarks and Explanations</th></tr></thead><tbody>\n");
        for row in model.rows.iter().filter(|r| r.level == level) {
            let _ = writeln!(
                out,
                "<tr><td>{} {}</td><td>{}</td><td>{}</td></tr>",
                Esc(row.criterion),
                Esc(row.name),
                conformance_badge(row.conformance),
                remarks(ctx, row)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    if !model.not_run.is_empty() {
        let _ = writeln!(
            out,
            "<p>Criteria checks that did not run (their results say why): {}</p>",
            Esc(&model.not_run.join(", "))
        );
    }
    out
}

fn conformance_badge(c: &str) -> String {
    let class = match c {
        "Supports" => "pass",
        "Partially Supports" => "error",
        "Does Not Support" => "fail",
        "Not Applicable" => "not-applicable",
        _ => "manual",
    };
    super::badge(class, c)
}

fn remarks(ctx: &Ctx<'_>, row: &Criterion<'_>) -> String {
    let mut out = String::new();
    for r in &row.remarks {
        let _ = write!(out, "<p><strong>{}</strong>", Esc(&r.pages.join(", ")));
        if let Some(fetched) = r.fetched {
            let _ = write!(out, " ({})", Esc(fetched));
        }
        let _ = write!(out, ": {}: {}", Esc(r.conformance), Esc(r.remark));
        if !r.fails.is_empty() {
            out.push_str("<ul>");
            for f in &r.fails {
                let _ = write!(
                    out,
                    "<li><code>{}</code> [{}] {}: <code>{}</code></li>",
                    Esc(f.selector),
                    Esc(f.rule),
                    Esc(f.message),
                    Esc(f.snippet)
                );
            }
            if r.more > 0 {
                let _ = write!(out, "<li>and {} more</li>", r.more);
            }
            out.push_str("</ul>");
        }
        out.push_str("</p>");
    }
    let _ = write!(
        out,
        "<p class=\"muted\">check <code>{}</code>",
        Esc(row.check)
    );
    if let Some(c) = ctx.report.checks.iter().find(|c| c.id == row.check) {
        let links = ctx.evidence_links(c);
        if !links.is_empty() {
            let _ = write!(out, "; evidence: {links}");
        }
    }
    out.push_str("</p>");
    out
}
