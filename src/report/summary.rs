//! A run as a short Markdown summary, for a CI job's summary page: the standing, counts per
//! domain, the requirement verdicts, and every failed or errored check.

use std::fmt::Write as _;

use crate::outcome::{CheckStatus, Domain, Level, RunReport, Summary, Verdict};

/// Text fit for a Markdown table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The run as Markdown.
pub fn summary_markdown(report: &RunReport) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## vvcheck: {} — {}\n",
        report.overall.standing,
        cell(&report.target)
    );
    let failed: Vec<&str> = report
        .requirements
        .iter()
        .filter(|r| {
            r.level == Level::Mandatory && matches!(r.verdict, Verdict::Fail | Verdict::Error)
        })
        .map(|r| r.id.as_str())
        .collect();
    let verdict = if failed.is_empty() {
        "no mandatory requirement failed or errored".to_string()
    } else {
        format!(
            "mandatory requirements failed or errored: {}",
            failed.join(", ")
        )
    };
    let _ = writeln!(
        md,
        "Exit code **{}**: {verdict}. Edition `{}`, vvcheck {}, started {}{}{}.\n",
        report.exit_code,
        cell(&report.edition),
        cell(&report.tool_version),
        cell(&report.started_at),
        report
            .partition
            .as_ref()
            .map_or(String::new(), |p| format!(", part {p}")),
        if report.insecure {
            ", certificate NOT verified (--insecure)"
        } else {
            ""
        }
    );
    md.push_str("| domain | pass | fail | error | skipped |\n|---|---:|---:|---:|---:|\n");
    for domain in Domain::ALL {
        let mut counts = Summary::default();
        for c in report.checks.iter().filter(|c| c.domain == domain) {
            counts.add(c.status);
        }
        if counts != Summary::default() {
            let _ = writeln!(
                md,
                "| {domain} | {} | {} | {} | {} |",
                counts.pass, counts.fail, counts.error, counts.skipped
            );
        }
    }
    let s = report.summary;
    let _ = writeln!(
        md,
        "| **all** | **{}** | **{}** | **{}** | **{}** |\n",
        s.pass, s.fail, s.error, s.skipped
    );
    let v = report.verdicts;
    let _ = writeln!(
        md,
        "Requirements: {} pass, {} fail, {} error, {} manual, {} attested, {} waived, {} not applicable.\n",
        v.pass, v.fail, v.error, v.manual, v.attested, v.waived, v.not_applicable
    );
    let failures: Vec<_> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Fail | CheckStatus::Error))
        .collect();
    let _ = writeln!(md, "### Failures and errors ({})\n", failures.len());
    if failures.is_empty() {
        md.push_str("None.\n");
        return md;
    }
    md.push_str("| requirement | level | check | status | message |\n|---|---|---|---|---|\n");
    for c in failures {
        let reqs: Vec<&str> = c.requirements.iter().map(|r| r.as_str()).collect();
        let _ = writeln!(
            md,
            "| {} | {} | `{}` | {} | {} |",
            reqs.join(", "),
            c.level,
            cell(&c.id),
            c.status.label(),
            cell(&c.message)
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_check_is_listed_and_cells_stay_on_one_line() {
        let mut report = super::super::fixture::report();
        let i = report
            .checks
            .iter()
            .position(|c| c.status == CheckStatus::Fail)
            .expect("the fixture has a failed check");
        report.checks[i].message = "saw a | b\nthen c".into();
        let md = summary_markdown(&report);
        assert!(md.contains("saw a \\| b then c"), "{md}");
        assert!(md.contains("| **all** |"), "{md}");
    }
}
