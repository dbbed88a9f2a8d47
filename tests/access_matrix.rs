//! The access matrix against the reference server: every cell of every row it tries, the
//! `expired` row included when the profile declares an idle timeout short enough to wait out,
//! and the matrix in results.json as a reviewer reads it.

mod common;

use std::time::Duration;

use common::Reference;
use common::cli::vvcheck;
use serde_json::Value;
use vvcheck::reference::{Dialect, Flaw, ReferenceConfig};

/// The matrix checks of one run, by id, from results.json.
fn matrix_checks(r: &Reference, requirement: &str) -> Vec<Value> {
    let out = r.dir.path().join(format!("out-{requirement}"));
    let run = vvcheck(["run", "--target"])
        .arg(&r.profile)
        .args(["--requirement", requirement, "--tag", "matrix", "--out"])
        .arg(&out)
        .run();
    let text = std::fs::read_to_string(out.join("results.json"))
        .unwrap_or_else(|e| panic!("results.json: {e}\n{}\n{}", run.stdout, run.stderr));
    let results: Value = serde_json::from_str(&text).expect("JSON");
    results["checks"].as_array().expect("checks").clone()
}

fn cells<'a>(check: &'a Value, row: &str) -> Vec<&'a Value> {
    check["access"]
        .as_array()
        .expect("the matrix is in results.json")
        .iter()
        .filter(|c| c["row"] == row)
        .collect()
}

const OPERATIONS: [&str; 7] = [
    "get_message",
    "list_messages",
    "get_conversation",
    "list_conversations",
    "download_attachment",
    "send_message",
    "mark_read",
];

async fn short_idle(flaws: &[Flaw]) -> Reference {
    Reference::start_with(ReferenceConfig {
        dialect: Dialect::Rest,
        flaws: flaws.to_vec(),
        idle_timeout: Duration::from_secs(2),
        ..ReferenceConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_that_idled_out_and_one_logged_out_are_refused_everywhere() {
    let r = short_idle(&[]).await;
    let checks = matrix_checks(&r, "SEC-06");
    assert_eq!(checks.len(), 1, "{checks:#?}");
    let check = &checks[0];
    assert_eq!(check["id"], "sec.session.matrix-revoked-expired");
    assert_eq!(check["status"], "pass", "{check:#}");
    for row in ["revoked", "expired"] {
        let got = cells(check, row);
        let ops: Vec<&str> = got.iter().filter_map(|c| c["operation"].as_str()).collect();
        assert_eq!(ops, OPERATIONS, "{row}");
        for c in got {
            assert_eq!(c["expected"], "denied", "{c}");
            assert_eq!(c["outcome"], "denied", "{c}");
            assert_eq!(c["verdict"], "pass", "{c}");
            assert!(c.get("leaked").is_none(), "{c}");
        }
    }
    // The controls: the owner and the clinician got through.
    for c in cells(check, "owner")
        .into_iter()
        .chain(cells(check, "clinician"))
    {
        assert_eq!(c["verdict"], "pass", "{c}");
        assert_eq!(c["outcome"], "ok", "{c}");
    }
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_that_carries_the_content_fails_its_cell_and_names_what_leaked() {
    let r = short_idle(&[Flaw::LeakyDenial]).await;
    let checks = matrix_checks(&r, "SEC-04");
    let check = checks
        .iter()
        .find(|c| c["id"] == "sec.access.matrix-authenticated")
        .expect("the SEC-04 matrix");
    assert_eq!(check["status"], "fail", "{check:#}");
    let anonymous = cells(check, "anonymous");
    let get = anonymous
        .iter()
        .find(|c| c["operation"] == "get_message")
        .expect("get_message as anonymous");
    assert_eq!(get["outcome"], "denied", "refused by status: {get}");
    assert_eq!(get["verdict"], "fail", "{get}");
    let leaked = get["leaked"].to_string();
    assert!(leaked.contains("the message text"), "{leaked}");
    let findings = check["findings"].to_string();
    assert!(
        findings.contains("`get_message` refused to anonymous (anonymous), with no content"),
        "{findings}"
    );
    r.server.shutdown().await;
}
