//! `vvcheck run` against the real reference server: the JUnit validates against the Jenkins
//! xUnit schema (`common::junit_schema`: skipped with a notice when the schema or xmllint is
//! missing, a failure then under `CI=true`), results.json has its documented shape, exit codes
//! follow the verdicts, and no secret reaches any output.

mod common;

use common::cli::{Run, vvcheck};
use common::{Reference, files_under, junit_schema};
use serde_json::Value;
use vvcheck::reference::{Dialect, Flaw};

/// `vvcheck run --target PROFILE --out DIR EXTRA…`, off the runtime that serves the reference.
async fn run(r: &Reference, out: &std::path::Path, extra: &[&str]) -> Run {
    vvcheck(["run", "--target"])
        .arg(&r.profile)
        .arg("--out")
        .arg(out)
        .args(extra)
        .run_async()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_writes_valid_junit_and_results_json() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(&r, out_dir.path(), &[]).await;
    out.assert_code(0);
    let stdout = &out.stdout;

    let junit_path = out_dir.path().join("junit.xml");
    let junit = std::fs::read_to_string(&junit_path).unwrap();
    junit_schema::assert_valid(&junit_path, "junit.xml of a clean run");
    // One testsuite per domain; testcases name their requirement; manual ones are present too.
    assert!(junit.contains(r#"classname="security.SEC-05""#), "{junit}");
    assert!(
        junit.contains(
            "[SEC-05] A patient cannot read, list or post into another patient&apos;s conversation"
        ) || junit.contains(
            "[SEC-05] A patient cannot read, list or post into another patient's conversation"
        )
    );
    assert!(
        junit.contains(r#"classname="security.SEC-14""#),
        "manual requirements appear as testcases"
    );
    assert!(junit.contains("standard.edition"), "suite-level properties");
    let mut names = std::collections::HashSet::new();
    for (i, _) in junit.match_indices("<testcase ") {
        let tag = &junit[i..junit[i..].find('>').map_or(junit.len(), |e| i + e)];
        let name = tag
            .split("name=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        let class = tag
            .split("classname=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or("");
        assert!(
            names.insert((name.to_string(), class.to_string())),
            "duplicate testcase {name} / {class}"
        );
    }

    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.path().join("results.json")).unwrap(),
    )
    .unwrap();
    for key in [
        "edition",
        "target",
        "started_at",
        "duration_ms",
        "summary",
        "checks",
        "requirements",
        "exit_code",
    ] {
        assert!(json.get(key).is_some(), "results.json lacks `{key}`");
    }
    assert_eq!(json["edition"], "vvcheck-baseline-1");
    assert_eq!(json["exit_code"], 0);
    let summary = &json["summary"];
    assert_eq!(summary["fail"], 0);
    assert_eq!(summary["error"], 0);
    let checks = json["checks"].as_array().unwrap();
    // WCAG criteria that rules decide only in part, or not at all, are left to a reviewer on
    // the clean server; every other check passes.
    let reviewers = checks
        .iter()
        .filter(|c| {
            c["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("acc.wcag."))
                && c["status"] == "skipped"
                && c["skip_reason"]["kind"] == "manual"
        })
        .count();
    assert_eq!(
        summary["pass"].as_u64().unwrap() as usize + reviewers,
        checks.len()
    );
    for c in checks {
        for key in [
            "id",
            "title",
            "domain",
            "requirements",
            "level",
            "status",
            "duration_ms",
            "message",
        ] {
            assert!(c.get(key).is_some(), "check lacks `{key}`: {c}");
        }
    }
    let reqs = json["requirements"].as_array().unwrap();
    assert_eq!(reqs.len(), 37, "every catalogue requirement has a verdict");
    let verdict = |id: &str| {
        reqs.iter()
            .find(|r| r["id"] == id)
            .map(|r| r["verdict"].clone())
            .unwrap()
    };
    assert_eq!(verdict("SEC-05"), "pass");
    assert_eq!(verdict("SEC-14"), "manual");
    for r in reqs {
        for key in ["id", "domain", "level", "verdict", "checks"] {
            assert!(r.get(key).is_some(), "requirement lacks `{key}`: {r}");
        }
    }
    assert!(
        stdout.contains("functionality"),
        "per-domain summary on the console:\n{stdout}"
    );
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_junit_adds_testcase_properties() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let out_dir = tempfile::tempdir().unwrap();
    run(
        &r,
        out_dir.path(),
        &["--junit-flavor", "extended", "--requirement", "SEC-03"],
    )
    .await
    .assert_code(0);
    let junit = std::fs::read_to_string(out_dir.path().join("junit.xml")).unwrap();
    let case = junit
        .find("classname=\"security.SEC-03\"")
        .expect("SEC-03 testcase");
    let rest = &junit[case..];
    let end = rest.find("</testcase>").unwrap();
    let body = &rest[..end];
    for prop in [
        r#"name="requirements" value="SEC-03""#,
        r#"name="level" value="mandatory""#,
        r#"name="provenance""#,
        r#"name="test_description""#,
    ] {
        assert!(
            body.contains(prop),
            "extended testcase lacks {prop}:\n{body}"
        );
    }
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mandatory_failure_exits_1_and_names_the_requirement() {
    let r = Reference::start(Dialect::Forms, &[Flaw::IdorMessage]).await;
    let out_dir = tempfile::tempdir().unwrap();
    let out = run(&r, out_dir.path(), &["--quiet"]).await;
    out.assert_code(1);
    let stdout = &out.stdout;
    assert!(stdout.contains("FAIL [SEC-05]"), "{stdout}");
    assert!(
        stdout.contains(
            "expected denied (HTTP 401/403/404, or a redirect to the login page), saw HTTP 200 OK"
        ),
        "{stdout}"
    );
    let junit_path = out_dir.path().join("junit.xml");
    let junit = std::fs::read_to_string(&junit_path).unwrap();
    assert!(junit.contains("<failure"), "{junit}");
    junit_schema::assert_valid(&junit_path, "junit.xml with failures");
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_the_console_or_any_report() {
    let r = Reference::start(Dialect::Forms, &[]).await;
    let out_dir = tempfile::tempdir().unwrap();
    // --verbose prints every exchange, logins included.
    let out = run(
        &r,
        out_dir.path(),
        &["--verbose", "--junit-flavor", "extended"],
    )
    .await;
    out.assert_code(0);
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    let secrets = r.secrets();
    assert_eq!(secrets.len(), 6, "five passwords and a token are planted");
    for s in &secrets {
        assert!(
            s.len() >= 16,
            "planted secrets are long enough to be unambiguous"
        );
        assert!(
            !stdout.contains(s.as_str()) && !stderr.contains(s.as_str()),
            "a secret reached the console"
        );
        for f in files_under(out_dir.path()) {
            let content = std::fs::read_to_string(&f).unwrap_or_default();
            assert!(
                !content.contains(s.as_str()),
                "a secret reached {}",
                f.display()
            );
        }
    }
    assert!(
        stdout.contains("[REDACTED]"),
        "verbose output shows redaction happened:\n{stdout}"
    );
    r.server.shutdown().await;
}
