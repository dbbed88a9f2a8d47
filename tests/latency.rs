//! The latency probe against a vendor stand-in on 127.0.0.1 whose answers fail now and then
//! (503s and connections closed without an answer), or come slowly: failed samples are left out
//! of the figures and named in the notes, when more than a quarter fail the check is an error of
//! kind `unavailable`, never a pass, and once enough answers are over the threshold that the
//! p95 cannot come back under, the users stop and the check fails.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vvcheck::engine::RunOptions;
use vvcheck::http::HttpOptions;
use vvcheck::model::inputs::InputPaths;
use vvcheck::outcome::{CheckResult, CheckStatus, ErrorKind};

/// Answers the n-th request (from 0; the first opens the conversation) with a 503 when
/// `unavailable` holds n, closes the connection unanswered when `dropped` does, and with a
/// message otherwise, after `delay`.
async fn vendor(
    unavailable: &'static [usize],
    dropped: &'static [usize],
    delay: std::time::Duration,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let count = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let count = Arc::clone(&count);
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf).await;
                let n = count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(delay).await;
                if dropped.contains(&n) {
                    return;
                }
                let (status, body) = if unavailable.contains(&n) {
                    ("503 Service Unavailable", r#"{"error":"busy"}"#)
                } else {
                    (
                        "200 OK",
                        r#"{"cid":"c1","id":"m1","body":"hi","author":"u-1","at":"2026-01-01T09:30:00Z","read":false}"#,
                    )
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(reply.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

const SUITE: &str = r#"
- id: tec.latency.stand-in
  title: get_message answers within the declared p95 latency
  requirements: [TEC-02]
  steps:
    - probe: latency
      with:
        actors: [patient_a]
        to: patient_a
        users: 1
        requests: 20
        operations: [get_message]
"#;

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

/// Runs the one latency check against `base`, without retries.
async fn latency_check(base: &str) -> CheckResult {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("suites")).expect("suites folder");
    std::fs::write(dir.path().join("suites/latency.yaml"), SUITE).expect("suite");
    write_private(&dir.path().join("token.txt"), "stand-in-token-0123456789");
    let profile = format!(
        "name: stand-in\nbase_url: {base}\n\
         auth: {{ tok: {{ kind: bearer }} }}\n\
         actors: {{ patient_a: {{ auth: tok, token: {{ file: token.txt }} }} }}\n\
         operations:\n  start_conversation:\n    method: POST\n    path: /c\n    \
         json: {{ subject: \"{{{{subject}}}}\", body: \"{{{{body}}}}\" }}\n    \
         outputs: {{ conversation_id: $.cid, message_id: $.id }}\n  \
         get_message:\n    path: /m/{{{{conversation_id}}}}/{{{{message_id}}}}\n    \
         outputs: {{ body: $.body, author: $.author, created_at: $.at, read: $.read }}\n\
         declared: {{ latency_p95_ms: 250 }}\n"
    );
    let target = dir.path().join("target.yaml");
    std::fs::write(&target, profile).expect("profile");
    let request = vvcheck::RunRequest {
        paths: InputPaths {
            target: Some(target),
            suites_dir: Some(dir.path().join("suites")),
            ..Default::default()
        },
        options: RunOptions {
            filters: Default::default(),
            concurrency: 1,
            http: HttpOptions {
                retries: 0,
                ..Default::default()
            },
            strict: false,
            max_wait: vvcheck::engine::DEFAULT_MAX_WAIT,
            browser: false,
            interrupt: Default::default(),
        },
    };
    let outcome = vvcheck::run(request, |_| {}).await.expect("the run starts");
    let mut checks = outcome.report.checks.clone();
    assert_eq!(checks.len(), 1);
    checks.remove(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_samples_are_left_out_and_named_up_to_a_quarter() {
    let base = vendor(&[3, 10, 16], &[6, 13], Duration::ZERO).await;
    let check = latency_check(&base).await;
    let details = check.details.join("\n");
    assert_eq!(check.status, CheckStatus::Pass, "{details}");
    let failed = details
        .lines()
        .find(|l| l.contains("5 of 20 samples failed"))
        .unwrap_or_else(|| panic!("the failures are in the notes:\n{details}"));
    assert!(failed.contains("3× 503 Service Unavailable"), "{failed}");
    assert!(
        failed.contains("left out of the latency figures"),
        "{failed}"
    );
    let figures = details
        .lines()
        .find(|l| l.starts_with("get_message: p50"))
        .unwrap_or_else(|| panic!("no figures:\n{details}"));
    assert!(
        figures.contains("over 15 answers"),
        "only successes are timed: {figures}"
    );
    assert!(
        details.contains("threshold p95 ≤ 250 ms"),
        "the declared threshold: {details}"
    );
    let evidence = check.latency.first().expect("the figures are evidence");
    assert_eq!(evidence["operations"][0]["answers"], 15, "{evidence}");
    assert_eq!(evidence["operations"][0]["failed"], 5, "{evidence}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_quarter_failed_is_an_error_never_a_pass() {
    let base = vendor(&[2, 5, 8, 11, 14], &[17], Duration::ZERO).await;
    let check = latency_check(&base).await;
    assert_eq!(check.status, CheckStatus::Error, "{:?}", check.details);
    let error = check.error.expect("an error says why");
    assert_eq!(error.kind, ErrorKind::Unavailable);
    assert!(
        error.message.contains("6 of 20 samples failed"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("5× 503 Service Unavailable"),
        "{}",
        error.message
    );
    let figures: BTreeSet<&str> = check
        .details
        .iter()
        .filter(|d| d.contains("p50"))
        .map(String::as_str)
        .collect();
    assert!(figures.is_empty(), "no percentile is given: {figures:?}");
}

/// Answers over the threshold from the start: the second one settles the p95 of 20 (nearest
/// rank allows one above it), so the user stops there and the check fails on what it saw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_p95_settled_over_the_threshold_stops_the_users_and_fails() {
    let base = vendor(&[], &[], Duration::from_millis(300)).await;
    let check = latency_check(&base).await;
    let details = check.details.join("\n");
    assert_eq!(check.status, CheckStatus::Fail, "{details}");
    assert!(
        details.contains("stopped after 2 of 20 requests"),
        "it stops as soon as the verdict is settled:\n{details}"
    );
    let finding = &check.findings[0];
    assert_eq!(finding.expected, "get_message p95 ≤ 250 ms");
    assert!(finding.seen.contains("2 over 250 ms"), "{}", finding.seen);
    assert_eq!(check.latency[0]["stopped_early_by"], "get_message");
}
