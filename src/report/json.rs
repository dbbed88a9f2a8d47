//! `results.json`: the run report as it is ([`RunReport`] serialises to the documented keys),
//! pretty-printed, so that tooling and `merge` can read it back into the same types.

use super::ReportError;
use crate::outcome::RunReport;

/// Streams `report` as pretty-printed JSON into `out`.
pub fn write_results_json(
    report: &RunReport,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::report::fixture;

    /// The JSON as text, written the way the report is.
    fn results_json(report: &RunReport) -> Result<String, ReportError> {
        let mut out = Vec::new();
        write_results_json(report, &mut out)?;
        Ok(String::from_utf8(out).expect("JSON is UTF-8"))
    }

    fn parsed() -> Value {
        let text = results_json(&fixture::report()).expect("serialises");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn results_read_back_into_the_outcome_types() {
        let report = fixture::report();
        let text = results_json(&report).expect("serialises");
        let back: RunReport = serde_json::from_str(&text).expect("reads back");
        assert_eq!(results_json(&back).expect("serialises again"), text);
        let mut without_evidence = report.clone();
        for c in &mut without_evidence.checks {
            c.evidence = Default::default();
        }
        assert_eq!(back, without_evidence);
    }

    #[test]
    fn the_streamed_text_is_serde_json_pretty_output_with_a_final_newline() {
        let report = fixture::report();
        let expected = serde_json::to_string_pretty(&report).expect("serialises") + "\n";
        assert_eq!(results_json(&report).ok(), Some(expected));
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
