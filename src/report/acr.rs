//! `acr.md`: the accessibility results as a conformance report reads (the WCAG tables of a
//! VPAT/ACR): one row per WCAG 2.0 success criterion, Level A then Level AA, with its
//! conformance level and remarks page by page, naming the offending elements. Written when the
//! run judged any criterion; the model is [`super::wcag`]'s, shared with the HTML report.

use std::fmt::Write as _;

use super::wcag::{self, Criterion, LEGEND, LEVELS};
use crate::outcome::RunReport;

/// File name of the conformance report inside the output directory.
pub const ACR_FILE: &str = "acr.md";

/// The conformance report of `report`, or `None` when no WCAG criterion was judged.
pub fn acr_markdown(report: &RunReport) -> Option<String> {
    let model = wcag::conformance(report)?;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Accessibility Conformance Report: WCAG 2.0 Level AA\n"
    );
    let _ = writeln!(
        out,
        "- Product: {} ({})\n- Evaluated: {} by {} {} (edition {})\n- Method: every page of the target profile fetched as its actor; static rules on its markup and linked stylesheets{}\n- Conformance levels: {LEGEND}\n",
        cell(&report.target),
        cell(&report.base_url),
        cell(&report.started_at),
        report.tool,
        report.tool_version,
        cell(&report.edition),
        if model.rendered {
            "; each page also rendered in a browser and tested with axe-core"
        } else {
            ""
        }
    );
    for (level, heading) in LEVELS {
        let _ = writeln!(out, "## {heading}\n");
        let _ = writeln!(
            out,
            "| Criteria | Conformance Level | Remarks and Explanations |"
        );
        let _ = writeln!(out, "|---|---|---|");
        for row in model.rows.iter().filter(|r| r.level == level) {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                row.criterion,
                cell(row.name),
                row.conformance,
                remarks(row)
            );
        }
        out.push('\n');
    }
    if !model.not_run.is_empty() {
        let _ = writeln!(
            out,
            "Criteria checks that did not run (their results say why): {}\n",
            model.not_run.join(", ")
        );
    }
    Some(out)
}

/// Page by page: its conformance, why, and its first offending elements; pages alike share
/// one line.
fn remarks(row: &Criterion<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in &row.remarks {
        let Some(fetched) = r.fetched else {
            parts.push(format!(
                "**{}**: {}: {}",
                cell(&r.pages.join(", ")),
                r.conformance,
                cell(r.remark)
            ));
            continue;
        };
        let mut s = format!(
            "**{}** ({}): {}: {}",
            cell(&r.pages.join(", ")),
            cell(fetched),
            r.conformance,
            cell(r.remark)
        );
        for f in &r.fails {
            let _ = write!(
                s,
                "; `{}` [{}] {}: `{}`",
                code(f.selector),
                cell(f.rule),
                cell(f.message),
                code(f.snippet)
            );
        }
        if r.more > 0 {
            let _ = write!(s, "; and {} more", r.more);
        }
        parts.push(s);
    }
    parts.push(format!("(check `{}`)", row.check));
    parts.join("<br>")
}

/// Text made safe for a table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
        .replace('<', "&lt;")
}

/// Text made safe inside a code span in a table cell.
fn code(s: &str) -> String {
    s.replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_judged_criterion_is_a_row_of_its_level_naming_the_failing_elements() {
        let mut report = crate::report::fixture::report();
        let mut c = report.checks[0].clone();
        c.id = "acc.wcag.1.1.1".into();
        c.a11y = vec![serde_json::json!({
            "criterion": "1.1.1", "name": "Non-text Content", "level": "A",
            "conformance": "does_not_support",
            "pages": [{
                "page": "entry", "url": "https://v.test/", "fetched": "anonymously",
                "conformance": "does_not_support", "remark": "1 element fails (image-alt)",
                "rules": [["image-alt", 1]],
                "fails": [{"rule": "image-alt", "engine": "static", "help": "h", "kind": "fail",
                           "selector": "#logo", "snippet": "<img src=\"l|o.svg\">", "message": "no alt"}],
                "undecided": []
            }]
        })];
        report.checks.push(c);
        let md = acr_markdown(&report).expect("a report");
        let row = md
            .lines()
            .find(|l| l.starts_with("| 1.1.1"))
            .expect("the 1.1.1 row");
        assert!(row.contains("| Does Not Support |"), "{row}");
        assert!(
            row.contains("`#logo` [image-alt] no alt: `<img src=\"l\\|o.svg\">`"),
            "{row}"
        );
        let table2 = md.find("Table 2").expect("the AA table");
        assert!(md.find("| 1.1.1").expect("row") < table2, "a Level A row");
    }

    #[test]
    fn no_judged_criterion_no_report() {
        assert!(acr_markdown(&crate::report::fixture::report()).is_none());
    }
}
