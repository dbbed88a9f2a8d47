//! The overall status: where the solution stands in the programme's terms, the mandatory
//! requirements behind that, and the facts of the run (edition, target, tool, time).

use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, badge};
use crate::outcome::{RequirementId, Standing};

/// The overall-status section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let r = ctx.report;
    let o = &r.overall;
    let mut out = String::new();
    if r.insecure {
        out.push_str("<p class=\"alert\" role=\"alert\">--insecure: the server certificate was NOT verified. TLS results do not vouch for the certificate chain.</p>\n");
    }
    let class = match o.standing {
        Standing::NotConformant => "fail",
        Standing::Incomplete => "manual",
        Standing::ConformantAttested => "attested",
        Standing::ConformantValidated => "pass",
    };
    let _ = writeln!(
        out,
        "<p><span class=\"standing v-{class}\">Standing: {}</span></p>",
        Esc(o.standing.label())
    );
    if let Some(partial) = &o.partial {
        let _ = writeln!(out, "<p><strong>Partial run:</strong> {}</p>", Esc(partial));
    }
    out.push_str("<table><thead><tr><th scope=\"col\">Mandatory requirements</th><th scope=\"col\">Count</th><th scope=\"col\">Requirements</th></tr></thead><tbody>\n");
    for (class, label, ids) in [
        ("fail", "failed", &o.failed),
        ("error", "errored (could not be tested)", &o.errored),
        ("manual", "left to a reviewer (manual)", &o.manual),
        ("attested", "attested by the vendor", &o.vendor_attested),
        ("pass", "signed off by a reviewer", &o.reviewed),
        ("waived", "waived (all levels)", &o.waived),
        (
            "not-applicable",
            "not applicable (all levels)",
            &o.not_applicable,
        ),
    ] {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            badge(class, label),
            ids.len(),
            id_links(ids)
        );
    }
    out.push_str("</tbody></table>\n");
    let s = &r.summary;
    let _ = writeln!(
        out,
        "<p>Checks: {} pass, {} fail, {} error, {} skipped. Exit code {}.</p>",
        s.pass, s.fail, s.error, s.skipped, r.exit_code
    );
    out.push_str("<dl class=\"facts\">\n");
    let duration = format!("{:.1} s", r.duration.as_secs_f64());
    let mut facts: Vec<(&str, &str)> = vec![
        ("Standard edition", &r.edition),
        ("Target", &r.target),
        ("Base URL", &r.base_url),
        ("Tool", &r.tool),
        ("Tool version", &r.tool_version),
        ("Started at", &r.started_at),
        ("Duration", &duration),
        (
            "Certificate verification",
            if r.insecure { "OFF (--insecure)" } else { "on" },
        ),
    ];
    if let Some(p) = &r.partition {
        facts.push(("Partition", p));
    }
    for (k, v) in facts {
        let _ = writeln!(out, "<dt>{k}</dt><dd>{}</dd>", Esc(v));
    }
    out.push_str("</dl>\n");
    out
}

/// Requirement IDs, each linking to its row in the matrix; `none` when empty.
fn id_links(ids: &[RequirementId]) -> String {
    if ids.is_empty() {
        return "<span class=\"muted\">none</span>".to_string();
    }
    ids.iter()
        .map(|id| {
            format!(
                "<a href=\"#req-{}\">{}</a>",
                super::check_dir(id.as_str()),
                Esc(id.as_str())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
