//! A hostile, broken vendor: hanging responses, garbage instead of HTTP, bodies cut short,
//! bodies too large to read, stack traces. vvcheck must end with `error`/`fail` verdicts and
//! exit 1 — never a panic, a hang or a pass it did not earn.

mod common;

use std::time::Duration;

use common::cli::vvcheck;
use common::junit_schema;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Reads one request head (and discards its body); returns method and path.
async fn read_request(s: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).await.ok()? == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut first = head.lines().next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len.min(32 * 1024 * 1024)];
    s.read_exact(&mut body).await.ok()?;
    Some((method, path))
}

async fn respond(mut s: TcpStream) {
    let Some((method, path)) = read_request(&mut s).await else {
        return;
    };
    let json = |status: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let reply = match (method.as_str(), path.split('?').next().unwrap_or("")) {
        ("POST", "/oauth/token") => json("200 OK", r#"{"access_token":"hostile-token-0123456789","token_type":"Bearer","user":{"id":"u-x"}}"#),
        ("POST", "/api/conversations") => json("201 Created", r#"{"id":"c1","messages":[{"id":"m1"}]}"#),
        ("GET", "/") => {
            // Never answers: the request timeout must end it.
            tokio::time::sleep(Duration::from_secs(600)).await;
            return;
        }
        ("GET", "/api/conversations/c1/messages/m1") => {
            // Announces and streams a body larger than vvcheck will read.
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 83886080\r\nConnection: close\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..80 {
                if s.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            return;
        }
        ("GET", "/api/conversations") => "\u{0}\u{1}garbage, not HTTP at all\r\n\r\n".to_string(),
        ("POST", "/api/attachments") => "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":".to_string(),
        _ => json("500 Internal Server Error", r#"{"error":"panic at src/main.rs:42: index out of bounds","trace":"at Foo.bar (Foo.java:12)"}"#),
    };
    let _ = s.write_all(reply.as_bytes()).await;
    let _ = s.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_gets_errors_and_failures_never_a_crash_or_a_hang() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        // Bounded: enough connections for one run, then the task ends with the test.
        for _ in 0..2000 {
            let Ok((s, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(respond(s));
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("secrets.env"), "PATIENT_A_PASSWORD=pa-hostile-0123\nPATIENT_B_PASSWORD=pb-hostile-0123\nPATIENT_C_PASSWORD=pc-hostile-0123\nCLINICIAN_PASSWORD=cl-hostile-0123\nADMIN_PASSWORD=ad-hostile-0123\nOUTBOX_TOKEN=ob-hostile-0123\n").unwrap();
    let profile = include_str!("../src/reference/profiles/rest.yaml")
        .replace("${base_url}", &format!("http://{addr}"))
        .replace("${http_url}", &format!("http://{addr}"))
        .replace(
            "tls: { ca_file: ${ca_file} }",
            "timeouts: { connect_s: 2, request_s: 2 }",
        )
        .replace("${secrets_file}", "secrets.env")
        .replace("${idle_timeout_s}", "900")
        .replace("${latency_p95_ms}", "2000");
    let profile_path = dir.path().join("hostile.yaml");
    std::fs::write(&profile_path, profile).unwrap();
    let out_dir = dir.path().join("out");
    let out = vvcheck(["run", "--target"])
        .arg(&profile_path)
        .arg("--out")
        .arg(&out_dir)
        .arg("--quiet")
        .run_async()
        .await;
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    server.abort();
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "{stdout}\n{stderr}"
    );
    out.assert_code(1);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
            .unwrap();
    for c in json["checks"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        assert_ne!(
            c["status"], "pass",
            "`{id}` passed against a hostile server: {c}"
        );
    }
    assert!(
        stdout.contains("timed out"),
        "the hanging response ends in a timeout:\n{stdout}"
    );
    assert!(
        stdout.contains("larger than 64 MiB"),
        "the oversized body is refused:\n{stdout}"
    );
    assert!(stdout.contains("ERROR"), "{stdout}");
    // Errors are <error>, not <failure>, and the file still validates.
    let junit_path = out_dir.join("junit.xml");
    let junit = std::fs::read_to_string(&junit_path).unwrap();
    assert!(junit.contains("<error"), "{junit}");
    junit_schema::assert_valid(&junit_path, "junit.xml of a run against a hostile server");
}
