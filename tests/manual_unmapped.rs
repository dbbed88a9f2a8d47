//! A check written `unmapped: manual` is skipped, not a load error, when the profile does not
//! map one of its operations: its requirement is then left to a reviewer, and says why. The
//! audit check is one: a vendor may keep an audit log that no API reaches.

mod common;

use common::Reference;
use common::cli::vvcheck;
use serde_json::Value;
use vvcheck::reference::Dialect;

/// The profile text without the `audit_log:` operation block.
fn without_audit_log(profile: &str) -> String {
    let mut out = Vec::new();
    let mut skipping = false;
    for line in profile.lines() {
        if line == "  audit_log:" {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with("    ") {
            continue;
        }
        skipping = false;
        out.push(line);
    }
    out.join("\n") + "\n"
}

fn run(profile: &std::path::Path, out: &std::path::Path) -> (Option<i32>, Value) {
    let run = vvcheck(["run", "--target"])
        .arg(profile)
        .args(["--requirement", "SEC-12", "--out"])
        .arg(out)
        .run();
    let results = std::fs::read_to_string(out.join("results.json"))
        .unwrap_or_else(|e| panic!("results.json: {e}\n{}\n{}", run.stdout, run.stderr));
    (run.code, serde_json::from_str(&results).expect("JSON"))
}

fn requirement<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {results}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmapped_audit_log_leaves_sec_12_manual_with_the_reason() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let text = std::fs::read_to_string(&r.profile).expect("profile");
    let edited = without_audit_log(&text);
    assert!(!edited.contains("audit_log"), "{edited}");
    let profile = r.dir.path().join("no-audit-api.yaml");
    std::fs::write(&profile, edited).expect("edited profile");

    let (code, results) = run(&profile, &r.dir.path().join("out-unmapped"));
    let check = &results["checks"][0];
    assert_eq!(check["id"], "sec.audit.phi-read-recorded");
    assert_eq!(check["status"], "skipped", "{check}");
    let sec12 = requirement(&results, "SEC-12");
    assert_eq!(sec12["verdict"], "manual", "{sec12}");
    let reason = sec12["reason"].as_str().expect("reason");
    assert!(reason.contains("does not map `audit_log`"), "{reason}");
    assert_eq!(code, Some(0), "a manual requirement is no failure");

    // The same server with the operation mapped: the check runs and passes.
    let (code, results) = run(&r.profile, &r.dir.path().join("out-mapped"));
    assert_eq!(results["checks"][0]["status"], "pass", "{results}");
    assert_eq!(requirement(&results, "SEC-12")["verdict"], "pass");
    assert_eq!(code, Some(0));
    r.server.shutdown().await;
}
