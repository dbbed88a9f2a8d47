//! The messaging checks follow what the profile maps and declares: read receipts without a
//! `mark_read` call are judged by opening the message, closing without a `close_conversation`
//! call is left to a reviewer, and the clinician's reply after closing is judged by
//! `declared.clinician_reply_after_close`, never assumed.

mod common;

use common::Reference;
use common::cli::vvcheck;
use serde_json::Value;
use vvcheck::reference::Dialect;

/// The profile text without the block of operation `op`.
fn without_operation(profile: &str, op: &str) -> String {
    let header = format!("  {op}:");
    let mut out = Vec::new();
    let mut skipping = false;
    for line in profile.lines() {
        if line == header {
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

/// Runs the FUN-05 and FUN-08 checks against `profile`, written into the reference's folder.
fn run(r: &Reference, name: &str, profile: &str) -> (Option<i32>, Value) {
    let path = r.dir.path().join(format!("{name}.yaml"));
    std::fs::write(&path, profile).expect("edited profile");
    let out = r.dir.path().join(format!("out-{name}"));
    let run = vvcheck(["run", "--target"])
        .arg(&path)
        .args([
            "--requirement",
            "FUN-05",
            "--requirement",
            "FUN-08",
            "--out",
        ])
        .arg(&out)
        .run();
    let results = std::fs::read_to_string(out.join("results.json"))
        .unwrap_or_else(|e| panic!("results.json: {e}\n{}\n{}", run.stdout, run.stderr));
    (run.code, serde_json::from_str(&results).expect("JSON"))
}

fn check<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {results}"))
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
async fn read_receipts_without_mark_read_and_closing_without_an_api() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let text = std::fs::read_to_string(&r.profile).expect("profile");
    let edited = without_operation(&without_operation(&text, "mark_read"), "close_conversation");
    assert!(!edited.contains("mark_read:") && !edited.contains("close_conversation:"));

    let (code, results) = run(&r, "no-mark-read-no-close", &edited);
    let read = check(&results, "fun.read-receipt");
    assert_eq!(
        read["status"], "pass",
        "opening the message reads it: {read}"
    );
    let details = read["details"].to_string();
    assert!(
        details.contains("does not map `mark_read`"),
        "the step passed over is named: {details}"
    );
    let fun08 = requirement(&results, "FUN-08");
    assert_eq!(fun08["verdict"], "manual", "{fun08}");
    let reason = fun08["reason"].as_str().expect("reason");
    assert!(
        reason.contains("does not map `close_conversation`"),
        "{reason}"
    );
    assert_eq!(code, Some(0), "{results}");
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clinician_reply_after_closing_is_judged_by_the_declared_value() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let text = std::fs::read_to_string(&r.profile).expect("profile");
    let declared = "clinician_reply_after_close: refused";
    assert!(text.contains(declared), "{text}");

    // The reference refuses every reply to a closed conversation: declaring otherwise fails.
    let allowed = text.replace(declared, "clinician_reply_after_close: allowed");
    let (code, results) = run(&r, "allowed", &allowed);
    let close = check(&results, "fun.close-turns-replies-off");
    assert_eq!(close["status"], "fail", "{close}");
    let message = close["message"].as_str().expect("message");
    assert!(
        message.starts_with("send_message as clinician: expected ok"),
        "{message}"
    );
    assert_eq!(code, Some(0), "FUN-08 is recommended: {results}");

    // Undeclared: the check cannot tell what to expect, and says so.
    let undeclared = text.replace(&format!(", {declared}"), "");
    let (_, results) = run(&r, "undeclared", &undeclared);
    let close = check(&results, "fun.close-turns-replies-off");
    assert_eq!(close["status"], "error", "{close}");
    let message = close["message"].as_str().expect("message");
    assert!(
        message.contains("does not declare `declared.clinician_reply_after_close`"),
        "{message}"
    );
    r.server.shutdown().await;
}
