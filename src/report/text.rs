//! Wording shared by every writer: requirement labels, the reason behind a verdict without a
//! check, and one-line forms of free text.

use crate::model::standard::RequirementId;
use crate::outcome::{CheckResult, RequirementVerdict, RunReport, Verdict};

/// What a `manual` requirement needs when the verdict carries no reason of its own.
pub(crate) const NEEDS_ATTESTATION: &str = "needs an attestation (see --attestations)";

/// `SEC-04,PRV-03`; the check id when a check names no requirement.
pub(crate) fn requirement_list(check: &CheckResult) -> String {
    if check.requirements.is_empty() {
        return check.id.clone();
    }
    join_ids(&check.requirements, ",")
}

/// Joins requirement ids with `sep`.
pub(crate) fn join_ids(ids: &[RequirementId], sep: &str) -> String {
    ids.iter()
        .map(RequirementId::as_str)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Requirements whose verdict comes from no check in this report (manual, attested, waived or
/// not applicable), so that writers can list them and nothing goes silently missing.
pub(crate) fn requirements_without_checks(report: &RunReport) -> Vec<&RequirementVerdict> {
    report
        .requirements
        .iter()
        .filter(|rv| {
            matches!(
                rv.verdict,
                Verdict::Manual | Verdict::Attested | Verdict::Waived | Verdict::NotApplicable
            )
        })
        .filter(|rv| {
            !report
                .checks
                .iter()
                .any(|c| c.requirements.contains(&rv.id))
        })
        .collect()
}

/// Why a requirement without a check has its verdict, without the verdict label.
pub(crate) fn reason_text(rv: &RequirementVerdict) -> String {
    match (&rv.reason, rv.verdict) {
        (Some(reason), _) if !reason.trim().is_empty() => one_line(reason),
        (_, Verdict::Manual) => NEEDS_ATTESTATION.to_string(),
        (_, Verdict::Attested) => "attestation on file".to_string(),
        (_, Verdict::Waived) => "waiver on file".to_string(),
        (_, Verdict::NotApplicable) => "does not apply to this target".to_string(),
        (_, verdict) => verdict.as_str().to_string(),
    }
}

/// `manual: needs an attestation (see --attestations)`, `attested: …`, `waived: …`.
pub(crate) fn verdict_reason(rv: &RequirementVerdict) -> String {
    format!("{}: {}", rv.verdict.as_str(), reason_text(rv))
}

/// Folds line breaks and tabs into single spaces, for attributes and one-line output.
pub(crate) fn one_line(text: &str) -> String {
    text.split(['\n', '\r', '\t'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`one_line`] for a terminal: also drops control characters (ESC included), so that text
/// from the target (titles, messages, response snippets) cannot move the cursor or recolour
/// the screen.
pub(crate) fn terminal_line(text: &str) -> String {
    one_line(text).chars().filter(|c| !c.is_control()).collect()
}

/// Seconds with two decimals, as shown on the console.
pub(crate) fn seconds(d: std::time::Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    #[test]
    fn terminal_line_drops_escape_sequences_introducers() {
        assert_eq!(
            terminal_line("\u{1b}[2Jok\u{7}\u{9b}31m\nnext"),
            "[2Jok31m next"
        );
    }

    #[test]
    fn one_line_folds_breaks() {
        assert_eq!(one_line("a\r\n  b\tc\n"), "a b c");
        assert_eq!(one_line(""), "");
    }

    #[test]
    fn uncovered_requirements_are_those_without_a_check() {
        let report = fixture::report();
        let ids: Vec<_> = requirements_without_checks(&report)
            .iter()
            .map(|rv| rv.id.as_str())
            .collect();
        assert_eq!(ids, ["PRV-05", "PRV-09", "SEC-14", "ACC-1.4.3", "TEC-02"]);
    }

    #[test]
    fn manual_without_reason_says_what_it_needs() {
        let report = fixture::report();
        let sec14 = report
            .requirements
            .iter()
            .find(|rv| rv.id.as_str() == "SEC-14")
            .expect("fixture has SEC-14");
        assert_eq!(
            verdict_reason(sec14),
            "manual: needs an attestation (see --attestations)"
        );
    }
}
