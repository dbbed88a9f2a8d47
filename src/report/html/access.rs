//! The access matrix: for each check that drew one, who (a row: an actor, anonymous, forged or
//! revoked credentials) tried which operation, and whether it was allowed or denied as expected.

use std::fmt::Write as _;

use serde_json::Value;

use super::escape::Esc;
use super::{Ctx, badge, nothing};

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The access-matrix section.
pub(super) fn render(ctx: &Ctx<'_>) -> String {
    let mut out = String::new();
    for c in &ctx.report.checks {
        let Some(cells) = c.access.as_array().filter(|a| !a.is_empty()) else {
            continue;
        };
        let mut operations: Vec<&str> = Vec::new();
        let mut rows: Vec<(&str, &str)> = Vec::new();
        for cell in cells {
            let op = text(cell, "operation");
            if !operations.contains(&op) {
                operations.push(op);
            }
            let row = (text(cell, "row"), text(cell, "actor"));
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        let _ = writeln!(
            out,
            "<h3>{} <span class=\"muted\">(<code>{}</code>)</span></h3>",
            Esc(&c.title),
            Esc(&c.id)
        );
        out.push_str("<table><thead><tr><th scope=\"col\">Caller</th>");
        for op in &operations {
            let _ = write!(out, "<th scope=\"col\"><code>{}</code></th>", Esc(op));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (row, actor) in &rows {
            let who = if row == actor {
                Esc(row).to_string()
            } else {
                format!(
                    "{} <span class=\"muted\">as {}</span>",
                    Esc(row),
                    Esc(actor)
                )
            };
            let _ = write!(out, "<tr><th scope=\"row\">{who}</th>");
            for op in &operations {
                let cell = cells.iter().find(|x| {
                    text(x, "operation") == *op
                        && text(x, "row") == *row
                        && text(x, "actor") == *actor
                });
                out.push_str("<td>");
                if let Some(cell) = cell {
                    out.push_str(&cell_text(cell));
                }
                out.push_str("</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
        let links = ctx.evidence_links(c);
        if !links.is_empty() {
            let _ = writeln!(out, "<p>Evidence: {links}</p>");
        }
    }
    if out.is_empty() {
        return nothing("No check drew an access matrix.");
    }
    out
}

/// A cell: the outcome and status in words, coloured by whether it was as expected.
fn cell_text(cell: &Value) -> String {
    let verdict = text(cell, "verdict");
    let outcome = text(cell, "outcome");
    let status = match cell.get("status") {
        Some(Value::Number(n)) => format!(" {n}"),
        _ => String::new(),
    };
    let class = if verdict.is_empty() {
        "manual"
    } else {
        verdict
    };
    let mut s = badge(class, &format!("{outcome}{status}"));
    if verdict != "pass" {
        let _ = write!(
            s,
            "<br><span class=\"muted\">expected {}; {}</span>",
            Esc(text(cell, "expected")),
            Esc(verdict)
        );
    }
    s
}
