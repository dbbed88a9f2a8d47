//! `results.json`: the run's results in a stable shape for tooling. Top-level keys are those of
//! [`RunReport`] plus `schema_version`, per-verdict counts and, per check, its JUnit class name
//! and one line per recorded exchange.

use serde::Serialize;

use super::ReportError;
use super::text::classname;
use crate::model::outcome::{CheckResult, RequirementVerdict, RunReport, Verdict};

/// Version of the JSON layout; raised when a key is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Results<'a> {
    schema_version: u32,
    tool: &'static str,
    tool_version: &'a str,
    edition: &'a str,
    target: &'a str,
    base_url: &'a str,
    started_at: &'a str,
    duration_ms: u64,
    insecure: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    partition: Option<&'a str>,
    exit_code: i32,
    summary: &'a crate::model::outcome::Summary,
    verdicts: VerdictCounts,
    checks: Vec<CheckEntry<'a>>,
    requirements: &'a [RequirementVerdict],
}

#[derive(Serialize)]
struct CheckEntry<'a> {
    #[serde(flatten)]
    check: &'a CheckResult,
    /// `security.SEC-04`, as in the JUnit report.
    classname: String,
    /// `Exchange::summary()` of each recorded exchange.
    exchanges: Vec<String>,
}

/// How many requirements ended with each verdict.
#[derive(Default, Serialize)]
struct VerdictCounts {
    pass: usize,
    fail: usize,
    error: usize,
    manual: usize,
    attested: usize,
    waived: usize,
    #[serde(rename = "not-applicable")]
    not_applicable: usize,
}

impl VerdictCounts {
    fn of(requirements: &[RequirementVerdict]) -> VerdictCounts {
        let mut counts = VerdictCounts::default();
        for rv in requirements {
            let slot = match rv.verdict {
                Verdict::Pass => &mut counts.pass,
                Verdict::Fail => &mut counts.fail,
                Verdict::Error => &mut counts.error,
                Verdict::Manual => &mut counts.manual,
                Verdict::Attested => &mut counts.attested,
                Verdict::Waived => &mut counts.waived,
                Verdict::NotApplicable => &mut counts.not_applicable,
            };
            *slot += 1;
        }
        counts
    }
}

/// Renders `report` as pretty-printed JSON.
pub fn results_json(report: &RunReport) -> Result<String, ReportError> {
    let results = Results {
        schema_version: SCHEMA_VERSION,
        tool: "vvcheck",
        tool_version: &report.tool_version,
        edition: &report.edition,
        target: &report.target,
        base_url: &report.base_url,
        started_at: &report.started_at,
        duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
        insecure: report.insecure,
        partition: report.partition.as_deref(),
        exit_code: report.exit_code,
        summary: &report.summary,
        verdicts: VerdictCounts::of(&report.requirements),
        checks: report
            .checks
            .iter()
            .map(|check| CheckEntry {
                check,
                classname: classname(check),
                exchanges: check.exchanges.iter().map(|e| e.summary()).collect(),
            })
            .collect(),
        requirements: &report.requirements,
    };
    let mut text = serde_json::to_string_pretty(&results)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::fixture;

    fn parsed() -> Value {
        let text = results_json(&fixture::report()).expect("serialises");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn top_level_keys_are_stable() {
        let json = parsed();
        for key in [
            "schema_version",
            "edition",
            "target",
            "started_at",
            "duration_ms",
            "summary",
            "checks",
            "requirements",
            "exit_code",
        ] {
            assert!(json.get(key).is_some(), "missing key {key}");
        }
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["duration_ms"], 4321);
        assert_eq!(json["exit_code"], 1);
        assert_eq!(json["partition"], "1/2");
        assert_eq!(
            json["summary"],
            serde_json::json!({"pass": 5, "fail": 1, "error": 1, "skipped": 1})
        );
        assert_eq!(json["verdicts"]["manual"], 3);
        assert_eq!(json["verdicts"]["not-applicable"], 1);
    }

    #[test]
    fn checks_carry_the_documented_keys() {
        let json = parsed();
        let checks = json["checks"].as_array().expect("array");
        assert_eq!(checks.len(), 8);
        for check in checks {
            for key in [
                "id",
                "title",
                "domain",
                "requirements",
                "level",
                "status",
                "duration_ms",
                "message",
                "classname",
                "exchanges",
            ] {
                assert!(check.get(key).is_some(), "check lacks {key}: {check}");
            }
        }
        let cross = &checks[2];
        assert_eq!(cross["id"], "sec.access.cross-patient");
        assert_eq!(cross["status"], "fail");
        assert_eq!(cross["domain"], "security");
        assert_eq!(cross["requirements"], serde_json::json!(["SEC-05"]));
        assert_eq!(cross["duration_ms"], 310);
        assert_eq!(cross["classname"], "security.SEC-05");
        assert_eq!(
            cross["exchanges"][0],
            "GET https://vendor.example:8443/api/messages/42 as patient_b → 200 OK"
        );
    }

    #[test]
    fn requirements_carry_verdict_and_checks() {
        let json = parsed();
        let reqs = json["requirements"].as_array().expect("array");
        for req in reqs {
            for key in ["id", "domain", "level", "verdict", "checks"] {
                assert!(req.get(key).is_some(), "requirement lacks {key}: {req}");
            }
        }
        let tec = reqs
            .iter()
            .find(|r| r["id"] == "TEC-02")
            .expect("TEC-02 present");
        assert_eq!(tec["verdict"], "not-applicable");
        assert_eq!(tec["reason"], "target has no mobile app");
    }
}
