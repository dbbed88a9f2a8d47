//! `acr.md`: the accessibility results as a conformance report reads (the WCAG tables of a
//! VPAT/ACR): one row per WCAG 2.0 success criterion, Level A then Level AA, with its
//! conformance level and remarks page by page, naming the offending elements. Written when the
//! run judged any criterion; it is drawn from the criterion checks' records alone.

use std::fmt::Write as _;

use serde_json::Value;

use crate::outcome::{CheckStatus, RunReport};

/// File name of the conformance report inside the output directory.
pub const ACR_FILE: &str = "acr.md";

/// Offending elements named per page (the rest are counted).
const ELEMENTS: usize = 5;

/// The conformance report of `report`, or `None` when no WCAG criterion was judged.
pub fn acr_markdown(report: &RunReport) -> Option<String> {
    let rows: Vec<(&str, &Value)> = report
        .checks
        .iter()
        .filter_map(|c| {
            let j = c.a11y.iter().find(|v| v.get("criterion").is_some())?;
            Some((c.id.as_str(), j))
        })
        .collect();
    let not_run: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("acc.wcag.") && c.a11y.is_empty())
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| c.id.as_str())
        .collect();
    if rows.is_empty() {
        return None;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Accessibility Conformance Report: WCAG 2.0 Level AA\n"
    );
    let _ = writeln!(
        out,
        "- Product: {} ({})\n- Evaluated: {} by {} {} (edition {})\n- Method: every page of the target profile fetched as its actor; static rules on its markup and linked stylesheets{}\n- Conformance levels: Supports (rules decide the criterion and every page passes them), Partially Supports / Does Not Support (elements fail on some / every page), Not Evaluated (a reviewer must decide: no rule decides it, rules test only part of it, or an element could not be decided), Not Applicable (nothing on the pages it applies to).\n",
        cell(&report.target),
        cell(&report.base_url),
        cell(&report.started_at),
        report.tool,
        report.tool_version,
        cell(&report.edition),
        if rows.iter().any(|(_, j)| rendered(j)) {
            "; each page also rendered in a browser and tested with axe-core"
        } else {
            ""
        }
    );
    for (level, heading) in [
        ("A", "Table 1: Success Criteria, Level A"),
        ("AA", "Table 2: Success Criteria, Level AA"),
    ] {
        let _ = writeln!(out, "## {heading}\n");
        let _ = writeln!(
            out,
            "| Criteria | Conformance Level | Remarks and Explanations |"
        );
        let _ = writeln!(out, "|---|---|---|");
        for (id, j) in rows.iter().filter(|(_, j)| text(j, "level") == level) {
            let _ = writeln!(
                out,
                "| {} {} | {} | {} |",
                text(j, "criterion"),
                cell(text(j, "name")),
                conformance(text(j, "conformance")),
                remarks(id, j)
            );
        }
        out.push('\n');
    }
    if !not_run.is_empty() {
        let _ = writeln!(
            out,
            "Criteria checks that did not run (their results say why): {}\n",
            not_run.join(", ")
        );
    }
    Some(out)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Whether any page's rules include a rendered one.
fn rendered(j: &Value) -> bool {
    pages(j).any(|p| {
        p.get("rules")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x.to_string().contains("(rendered)")))
    })
}

fn pages(j: &Value) -> impl Iterator<Item = &Value> {
    j.get("pages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn conformance(c: &str) -> &'static str {
    match c {
        "supports" => "Supports",
        "partially_supports" => "Partially Supports",
        "does_not_support" => "Does Not Support",
        "not_applicable" => "Not Applicable",
        _ => "Not Evaluated",
    }
}

/// Page by page: its conformance, why, and its first offending elements; pages with the same
/// conformance and remark and nothing failing share one line.
fn remarks(check: &str, j: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut alike: Vec<((&str, &str), Vec<&str>)> = Vec::new();
    for p in pages(j) {
        let fails: Vec<&Value> = p
            .get("fails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        if fails.is_empty() {
            let key = (text(p, "conformance"), text(p, "remark"));
            match alike.iter_mut().find(|(k, _)| *k == key) {
                Some((_, names)) => names.push(text(p, "page")),
                None => alike.push((key, vec![text(p, "page")])),
            }
            continue;
        }
        let mut s = format!(
            "**{}** ({}): {}: {}",
            cell(text(p, "page")),
            cell(text(p, "fetched")),
            conformance(text(p, "conformance")),
            cell(text(p, "remark"))
        );
        for f in fails.iter().take(ELEMENTS) {
            let _ = write!(
                s,
                "; `{}` [{}] {}: `{}`",
                code(text(f, "selector")),
                cell(text(f, "rule")),
                cell(text(f, "message")),
                code(text(f, "snippet"))
            );
        }
        if fails.len() > ELEMENTS {
            let _ = write!(s, "; and {} more", fails.len() - ELEMENTS);
        }
        parts.push(s);
    }
    for ((c, remark), names) in alike {
        parts.push(format!(
            "**{}**: {}: {}",
            cell(&names.join(", ")),
            conformance(c),
            cell(remark)
        ));
    }
    parts.push(format!("(check `{check}`)"));
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
