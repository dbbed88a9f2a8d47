//! A retry is visible: against a vendor stand-in whose first connection is reset, `vvcheck run
//! -v` shows the failed attempt and the retry that answered, and the exchange results.json
//! names says it came after a failed attempt.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::cli::vvcheck;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Resets the first connection once its request arrived; answers every other with a message.
async fn resetting_vendor() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let count = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf).await;
                if n == 0 {
                    // Closing with a zero linger sends a TCP reset instead of a clean close.
                    let _ = s.set_zero_linger();
                    return;
                }
                let body =
                    r#"{"body":"hi","author":"u-1","at":"2026-01-01T09:30:00Z","read":false}"#;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
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
- id: fun.read-one-message
  title: A patient reads a message
  requirements: [FUN-01]
  steps:
    - call: get_message
      as: patient_a
      with: { conversation_id: c1, message_id: m1 }
      expect: { status: 200 }
"#;

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).expect("written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_connection_and_its_retry_are_both_shown() {
    let base = resetting_vendor().await;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("suites")).expect("suites folder");
    std::fs::write(dir.path().join("suites/read.yaml"), SUITE).expect("suite");
    write_private(&dir.path().join("token.txt"), "stand-in-token-0123456789");
    let profile = format!(
        "name: stand-in\nbase_url: {base}\n\
         auth: {{ tok: {{ kind: bearer }} }}\n\
         actors: {{ patient_a: {{ auth: tok, token: {{ file: token.txt }} }} }}\n\
         operations:\n  get_message:\n    path: /m/{{{{conversation_id}}}}/{{{{message_id}}}}\n    \
         outputs: {{ body: $.body, author: $.author, created_at: $.at, read: $.read }}\n"
    );
    let target = dir.path().join("target.yaml");
    std::fs::write(&target, profile).expect("profile");
    let out_dir = dir.path().join("out");
    let out = vvcheck(["run", "-v", "--retries", "1", "--target"])
        .arg(&target)
        .arg("--suites")
        .arg(dir.path().join("suites"))
        .arg("--out")
        .arg(&out_dir)
        .run_async()
        .await;
    let stdout = &out.stdout;
    out.assert_code(0);
    let lines: Vec<&str> = stdout.lines().map(str::trim_start).collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("< attempt 1 of 2: "))
        .unwrap_or_else(|| panic!("the reset attempt is shown:\n{stdout}"));
    assert!(
        lines[first].contains("reset") && lines[first].ends_with("; retried"),
        "{}",
        lines[first]
    );
    assert!(
        lines[first + 1].starts_with("< 200 OK (")
            && lines[first + 1].ends_with(", attempt 2 of 2)"),
        "the answer of the retry follows: {}",
        lines[first + 1]
    );

    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out_dir.join("results.json")).expect("results.json"),
    )
    .expect("JSON");
    let exchange = results["checks"][0]["exchanges"][0]
        .as_str()
        .unwrap_or_default();
    assert!(
        exchange.ends_with("→ 200 OK (after 1 failed attempt)"),
        "the exchange a report names says it was retried: {exchange}"
    );
}
