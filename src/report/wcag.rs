//! The accessibility conformance model both `acr.md` and the HTML report render: one row per
//! judged WCAG success criterion with its conformance and remarks page by page, drawn from the
//! criterion checks' `a11y` records alone.

use serde_json::Value;

use crate::outcome::{CheckStatus, RunReport};

/// Offending elements named per page (the rest are counted).
pub(crate) const ELEMENTS: usize = 5;

/// The accessibility results of a run, as a conformance report reads them.
pub(crate) struct Conformance<'a> {
    /// One row per judged criterion, in the order the checks ran.
    pub rows: Vec<Criterion<'a>>,
    /// Criterion checks that did not run (their results say why).
    pub not_run: Vec<&'a str>,
    /// Whether any page was also rendered in a browser and tested with axe-core.
    pub rendered: bool,
}

/// One WCAG success criterion as the run judged it.
pub(crate) struct Criterion<'a> {
    /// The check that judged it.
    pub check: &'a str,
    /// `1.1.1`.
    pub criterion: &'a str,
    pub name: &'a str,
    /// `A` or `AA`.
    pub level: &'a str,
    pub conformance: &'static str,
    /// Pages with failing elements one by one, then pages alike in conformance and remark.
    pub remarks: Vec<Remark<'a>>,
}

/// What one page (or several alike) showed for a criterion.
pub(crate) struct Remark<'a> {
    /// Page names; several when they share conformance and remark and nothing failed.
    pub pages: Vec<&'a str>,
    /// How the page was fetched (`anonymously`, `as patient_a`), for a page with failures.
    pub fetched: Option<&'a str>,
    pub conformance: &'static str,
    pub remark: &'a str,
    /// The first [`ELEMENTS`] offending elements.
    pub fails: Vec<Element<'a>>,
    /// How many more elements failed.
    pub more: usize,
}

/// One offending element.
pub(crate) struct Element<'a> {
    pub selector: &'a str,
    pub rule: &'a str,
    pub message: &'a str,
    pub snippet: &'a str,
}

/// Conformance levels as a VPAT names them.
pub(crate) const LEVELS: [(&str, &str); 2] = [
    ("A", "Table 1: Success Criteria, Level A"),
    ("AA", "Table 2: Success Criteria, Level AA"),
];

/// The legend of the conformance levels.
pub(crate) const LEGEND: &str = "Supports (rules decide the criterion and every page passes them), Partially Supports / Does Not Support (elements fail on some / every page), Not Evaluated (a reviewer must decide: no rule decides it, rules test only part of it, or an element could not be decided), Not Applicable (nothing on the pages it applies to).";

/// The conformance model of `report`, or `None` when no WCAG criterion was judged.
pub(crate) fn conformance(report: &RunReport) -> Option<Conformance<'_>> {
    let judged: Vec<(&str, &Value)> = report
        .checks
        .iter()
        .filter_map(|c| {
            let j = c.a11y.iter().find(|v| v.get("criterion").is_some())?;
            Some((c.id.as_str(), j))
        })
        .collect();
    if judged.is_empty() {
        return None;
    }
    let not_run = report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("acc.wcag.") && c.a11y.is_empty())
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| c.id.as_str())
        .collect();
    let rendered = judged.iter().any(|(_, j)| rendered(j));
    let rows = judged
        .into_iter()
        .map(|(check, j)| Criterion {
            check,
            criterion: text(j, "criterion"),
            name: text(j, "name"),
            level: text(j, "level"),
            conformance: label(text(j, "conformance")),
            remarks: remarks(j),
        })
        .collect();
    Some(Conformance {
        rows,
        not_run,
        rendered,
    })
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

/// A record's conformance value as a VPAT words it.
pub(crate) fn label(c: &str) -> &'static str {
    match c {
        "supports" => "Supports",
        "partially_supports" => "Partially Supports",
        "does_not_support" => "Does Not Support",
        "not_applicable" => "Not Applicable",
        _ => "Not Evaluated",
    }
}

/// Page by page: pages with failing elements each on their own, then the others grouped by
/// conformance and remark.
fn remarks(j: &Value) -> Vec<Remark<'_>> {
    let mut failing = Vec::new();
    let mut alike: Vec<Remark<'_>> = Vec::new();
    for p in pages(j) {
        let fails: Vec<&Value> = p
            .get("fails")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        let conformance = label(text(p, "conformance"));
        let remark = text(p, "remark");
        if fails.is_empty() {
            match alike
                .iter_mut()
                .find(|r| r.conformance == conformance && r.remark == remark)
            {
                Some(r) => r.pages.push(text(p, "page")),
                None => alike.push(Remark {
                    pages: vec![text(p, "page")],
                    fetched: None,
                    conformance,
                    remark,
                    fails: Vec::new(),
                    more: 0,
                }),
            }
            continue;
        }
        failing.push(Remark {
            pages: vec![text(p, "page")],
            fetched: Some(text(p, "fetched")),
            conformance,
            remark,
            fails: fails
                .iter()
                .take(ELEMENTS)
                .map(|f| Element {
                    selector: text(f, "selector"),
                    rule: text(f, "rule"),
                    message: text(f, "message"),
                    snippet: text(f, "snippet"),
                })
                .collect(),
            more: fails.len().saturating_sub(ELEMENTS),
        });
    }
    failing.extend(alike);
    failing
}
