//! The attestation fixtures (`fixtures/attestations/cases/`) each produce the outcome their
//! README documents, against the reference server; the demo's overall standing follows.

mod common;

use std::path::{Path, PathBuf};

use common::cli::{root, vvcheck};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/attestations/cases").join(name)
}

/// `demo` with one fixture and only the reference server's own attestations left out;
/// (exit code, results.json, stdout, stderr).
fn demo(fixture_file: &str, extra: &[&str]) -> (i32, Value, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = vvcheck(["demo", "--no-reference-attestations", "--attestations"])
        .arg(fixture(fixture_file))
        .args(extra)
        .arg("--out")
        .arg(dir.path())
        .run();
    let json = results(dir.path());
    (r.code(), json, r.stdout, r.stderr)
}

fn results(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("results.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn verdict<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["requirements"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no verdict for {id} in {json}"))
}

/// The records of `requirement`'s entries, in file order.
fn entries<'a>(json: &'a Value, requirement: &str) -> Vec<&'a Value> {
    json["attestations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|e| e["requirement"] == requirement)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_valid_file_attests_signs_off_and_waives() {
    let (code, json, stdout, _) =
        demo("valid.yaml", &["--requirement", "SEC-14,PRV-06,FUN-2.1.14"]);
    assert_eq!(code, 0, "{stdout}");
    let sec14 = verdict(&json, "SEC-14");
    assert_eq!(sec14["verdict"], "attested");
    assert_eq!(sec14["signoff"], "vendor");
    let prv06 = verdict(&json, "PRV-06");
    assert_eq!(prv06["verdict"], "attested");
    assert_eq!(prv06["signoff"], "review");
    let fun = verdict(&json, "FUN-2.1.14");
    assert_eq!(fun["verdict"], "waived");
    assert!(
        fun["reason"]
            .as_str()
            .is_some_and(|r| r.contains("approval OH-VAR-2026-014")),
        "{fun}"
    );
    for id in ["SEC-14", "PRV-06", "FUN-2.1.14"] {
        assert_eq!(entries(&json, id)[0]["outcome"], "counted", "{id}");
    }
    let evidence = &entries(&json, "SEC-14")[0]["evidence"][0];
    assert_eq!(
        evidence["sha256"],
        "6c0b3580233c484b8f67d2410233a20f7617b2ae8bcbb7a36adfdf380f1d7666"
    );
    assert!(
        evidence["size"].as_u64().is_some_and(|s| s > 0),
        "{evidence}"
    );
    // Filtered to three requirements, the run cannot stand for the catalogue.
    assert_eq!(json["overall"]["standing"], "incomplete");
    assert!(
        json["overall"]["partial"].is_string(),
        "{}",
        json["overall"]
    );
}

#[test]
fn expired_and_future_dated_entries_are_reported_and_do_not_count() {
    for (file, outcome, says) in [
        ("expired.yaml", "expired", "expired on 2025-01-15"),
        (
            "future-dated.yaml",
            "not_yet_valid",
            "dated 2099-01-15, after this run",
        ),
    ] {
        let (code, json, stdout, _) = demo(file, &["--requirement", "SEC-14"]);
        assert_eq!(code, 0, "{file}: {stdout}");
        let e = entries(&json, "SEC-14");
        assert_eq!(e[0]["outcome"], outcome, "{file}");
        assert_eq!(e[0]["note"], says, "{file}");
        let v = verdict(&json, "SEC-14");
        assert_eq!(v["verdict"], "manual", "{file}");
        let reason = v["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains("not counted: the attestation at") && reason.contains(says),
            "{file}: {reason}"
        );
        assert!(
            stdout.contains("NOT COUNTED attestation for SEC-14 at "),
            "{file}: {stdout}"
        );
    }
}

#[test]
fn a_changed_evidence_file_stops_the_run_at_its_entry() {
    let (code, json, stdout, stderr) = demo("hash-mismatch.yaml", &["--requirement", "SEC-14"]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(json.is_null(), "nothing is run or written");
    assert!(
        stderr.contains("evidence `../evidence/encryption-at-rest.md` has SHA-256 6c0b3580"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hash-mismatch.yaml:8:16"),
        "located: {stderr}"
    );
}

#[test]
fn an_unknown_requirement_is_a_located_warning_and_does_not_count() {
    let (code, json, _, stderr) = demo("wrong-requirement.yaml", &["--requirement", "SEC-14"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: requirement `SEC-99` is not in the catalogue")
            && stderr.contains("wrong-requirement.yaml:3:18"),
        "{stderr}"
    );
    let e = entries(&json, "SEC-99");
    assert_eq!(e[0]["outcome"], "unknown_requirement");
    assert_eq!(verdict(&json, "SEC-14")["verdict"], "manual");
}

#[test]
fn entries_scoped_elsewhere_do_not_count() {
    let (code, json, _, stderr) = demo("wrong-scope.yaml", &["--requirement", "SEC-14"]);
    assert_eq!(code, 0, "{stderr}");
    let e = entries(&json, "SEC-14");
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|e| e["outcome"] == "wrong_scope"), "{e:?}");
    assert_eq!(
        e[0]["note"],
        "scoped to environment `production`; this run's target is `reference`"
    );
    assert!(
        e[1]["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("scoped to target `Acme Secure Messaging (staging)`")),
        "{}",
        e[1]
    );
    assert_eq!(verdict(&json, "SEC-14")["verdict"], "manual");
}

#[test]
fn an_attestation_never_overrides_a_failed_check_and_a_waiver_does_and_says_so() {
    let (code, json, stdout, _) = demo(
        "conflict.yaml",
        &[
            "--flaw",
            "idor-message",
            "--flaw",
            "no-hsts",
            "--requirement",
            "SEC-05,SEC-03",
        ],
    );
    assert_eq!(code, 1, "SEC-05 still fails the run:\n{stdout}");
    assert_eq!(verdict(&json, "SEC-05")["verdict"], "fail");
    let a = &entries(&json, "SEC-05")[0];
    assert_eq!(a["outcome"], "conflict");
    assert!(
        a["note"]
            .as_str()
            .is_some_and(|n| n.ends_with("an attestation never overrides a check")),
        "{a}"
    );
    let sec03 = verdict(&json, "SEC-03");
    assert_eq!(sec03["verdict"], "waived");
    let w = &entries(&json, "SEC-03")[0];
    assert_eq!(w["outcome"], "overrides");
    assert!(
        sec03["reason"]
            .as_str()
            .is_some_and(|r| r.contains("which stands over the failed checks (sec.transport.hsts")),
        "{sec03}"
    );
    assert_eq!(json["overall"]["standing"], "not-conformant");
    assert_eq!(json["overall"]["failed"], serde_json::json!(["SEC-05"]));
    assert_eq!(json["overall"]["waived"], serde_json::json!(["SEC-03"]));
}

#[test]
fn the_demo_is_not_conformant_when_a_patient_reads_another_patients_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = vvcheck(["demo", "--flaw", "idor-message", "--quiet", "--out"])
        .arg(dir.path())
        .run();
    r.assert_code(1);
    let json = results(dir.path());
    assert_eq!(json["overall"]["standing"], "not-conformant", "{r}");
    let failed = json["overall"]["failed"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(failed.contains(&Value::from("SEC-05")), "{failed:?}");
    assert!(
        r.stdout.contains("overall: not conformant — exit code 1"),
        "{r}"
    );
}
