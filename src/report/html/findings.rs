//! The findings, as a penetration-test report writes them: one numbered finding per failed
//! check with its severity, the requirement it breaks, what was done as whom, what was expected
//! and observed, and where in the suite; then the checks that could not be carried out.
//!
//! Severity follows the requirement, not the check: a failed check that breaks any mandatory
//! requirement is **High** (the solution cannot be listed), one that breaks only recommended
//! requirements is **Medium** (a clinic comparing solutions sees it). Errors carry none: they
//! are no verdict on the target.

use std::fmt::Write as _;

use super::escape::Esc;
use super::{Ctx, nothing};
use crate::outcome::{CheckResult, CheckStatus, Level};

/// How bad a finding is, derived from the levels of the requirements it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    /// Breaks a mandatory requirement.
    High,
    /// Breaks recommended requirements only.
    Medium,
}

impl Ctx<'_> {
    /// The levels of the requirements `check` verifies, as the catalogue gives them (the check's
    /// own level for one the catalogue does not list).
    fn levels(&self, check: &CheckResult) -> Vec<(String, Level)> {
        check
            .requirements
            .iter()
            .map(|id| {
                let level = self
                    .report
                    .requirements
                    .iter()
                    .find(|r| &r.id == id)
                    .map_or(check.level, |r| r.level);
                (id.to_string(), level)
            })
            .collect()
    }

    /// The severity of a failed `check`.
    pub(crate) fn severity(&self, check: &CheckResult) -> Severity {
        let levels = self.levels(check);
        if levels.iter().any(|(_, l)| *l == Level::Mandatory)
            || (levels.is_empty() && check.level == Level::Mandatory)
        {
            Severity::High
        } else {
            Severity::Medium
        }
    }
}

/// The findings section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let checks = &ctx.report.checks;
    let mut failed: Vec<&CheckResult> = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .collect();
    failed.sort_by_key(|c| ctx.severity(c) != Severity::High);
    let errored: Vec<&CheckResult> = checks
        .iter()
        .filter(|c| c.status == CheckStatus::Error)
        .collect();
    let mut out = String::from(
        "<p class=\"muted\">Severity: High when the failed check breaks a mandatory requirement, Medium when it breaks recommended requirements only.</p>\n",
    );
    if failed.is_empty() {
        out.push_str(&nothing("No check failed."));
    }
    for (n, c) in failed.iter().enumerate() {
        finding(ctx, &mut out, n + 1, c);
    }
    out.push_str("<h3 id=\"untested\">Could not be tested</h3>\n");
    if errored.is_empty() {
        out.push_str(&nothing("Every check that ran reached a verdict."));
    }
    for (n, c) in errored.iter().enumerate() {
        untested(ctx, &mut out, n + 1, c);
    }
    out
}

fn requirements(ctx: &Ctx<'_>, c: &CheckResult) -> String {
    ctx.levels(c)
        .iter()
        .map(|(id, level)| format!("{} ({level})", Esc(id)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn finding(ctx: &Ctx<'_>, out: &mut String, n: usize, c: &CheckResult) {
    let (severity, class) = match ctx.severity(c) {
        Severity::High => ("High", "sev-high"),
        Severity::Medium => ("Medium", "sev-medium"),
    };
    let _ = writeln!(
        out,
        "<article class=\"finding {class}\" id=\"finding-{n}\"><h3>F-{n:02}: {}</h3>",
        Esc(&c.title)
    );
    let _ = writeln!(
        out,
        "<dl class=\"facts\"><dt>Severity</dt><dd><strong>{severity}</strong></dd><dt>Affected requirements</dt><dd>{}</dd><dt>Check</dt><dd><code>{}</code> ({}, {:.2} s)</dd></dl>",
        requirements(ctx, c),
        Esc(&c.id),
        Esc(&c.classname),
        c.duration.as_secs_f64()
    );
    description(ctx, out, c);
    if !c.findings.is_empty() {
        out.push_str("<table><thead><tr><th scope=\"col\">Expected</th><th scope=\"col\">Observed</th><th scope=\"col\">Exchange</th><th scope=\"col\">Suite step</th></tr></thead><tbody>\n");
        for f in &c.findings {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td></tr>",
                Esc(&f.expected),
                Esc(&f.seen),
                Esc(f.exchange.as_deref().unwrap_or("")),
                Esc(&f.at.as_ref().map(ToString::to_string).unwrap_or_default())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    exchanges(ctx, out, c);
    out.push_str("</article>\n");
}

/// What the requirement asks and what the check found, in words.
fn description(ctx: &Ctx<'_>, out: &mut String, c: &CheckResult) {
    for id in &c.requirements {
        if let Some(r) = ctx.report.requirements.iter().find(|r| &r.id == id) {
            let _ = writeln!(
                out,
                "<p><strong>{}</strong> {}: {}</p>",
                Esc(r.id.as_str()),
                Esc(&r.title),
                Esc(&r.text)
            );
        }
    }
    if !c.message.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", Esc(&c.message));
    }
}

/// What was done, as whom: the check's exchanges and details, and its evidence.
fn exchanges(ctx: &Ctx<'_>, out: &mut String, c: &CheckResult) {
    if !c.exchanges.is_empty() {
        out.push_str("<p>What was done, as whom:</p>\n<pre>");
        for line in &c.exchanges {
            let _ = writeln!(out, "{}", Esc(line));
        }
        out.push_str("</pre>\n");
    }
    if !c.details.is_empty() {
        out.push_str("<p>Details:</p>\n<pre>");
        for line in &c.details {
            let _ = writeln!(out, "{}", Esc(line));
        }
        out.push_str("</pre>\n");
    }
    let links = ctx.evidence_links(c);
    if !links.is_empty() {
        let _ = writeln!(out, "<p>Evidence: {links}</p>");
    }
}

fn untested(ctx: &Ctx<'_>, out: &mut String, n: usize, c: &CheckResult) {
    let _ = writeln!(
        out,
        "<article class=\"finding untested\" id=\"untested-{n}\"><h3>E-{n:02}: {}</h3>",
        Esc(&c.title)
    );
    let (kind, message, at) = match &c.error {
        Some(e) => (
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            e.message.as_str(),
            e.at.as_ref().map(ToString::to_string).unwrap_or_default(),
        ),
        None => (String::new(), c.message.as_str(), String::new()),
    };
    let _ = writeln!(
        out,
        "<dl class=\"facts\"><dt>Affected requirements</dt><dd>{}</dd><dt>Check</dt><dd><code>{}</code></dd><dt>Error</dt><dd>{}: {}</dd><dt>Suite step</dt><dd class=\"mono\">{}</dd></dl>",
        requirements(ctx, c),
        Esc(&c.id),
        Esc(&kind),
        Esc(message),
        Esc(&at)
    );
    exchanges(ctx, out, c);
    out.push_str("</article>\n");
}
