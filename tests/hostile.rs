//! A hostile, broken vendor: answers that never come, stall or trickle, resets, bodies of 50 MB
//! and more, endless chunked bodies, redirect loops and redirects off the profile's hosts,
//! invalid UTF-8 and JSON, a gzip bomb, a 1 MB header, 10,000 headers, HTTP/0.9, TLS ports that
//! close or answer garbage, a cookie flood, and a login that never answers. Each behaviour ends
//! `error` (or `fail`, where that is the truth) with a telling message, within the configured
//! timeouts, in bounded memory; the other checks complete, and the reports are written and valid.

mod common;

use std::time::{Duration, Instant};

use common::cli::vvcheck;
use common::hostile_server::{self, BEHAVIOURS};
use common::junit_schema;

/// The profile of the stand-in: 2 s timeouts, one actor whose login works and one whose login
/// never answers; the TLS operations on the ports that misbehave in the handshake.
fn profile(h: &hostile_server::Hostile, request_s: u64) -> String {
    format!(
        r#"name: hostile stand-in
base_url: {http}
timeouts: {{ connect_s: 2, request_s: {request_s} }}
auth:
  api: {{ kind: oauth2_password, token_url: /oauth/token, client_id: vvcheck }}
  hang: {{ kind: oauth2_password, token_url: /oauth/hang, client_id: vvcheck }}
actors:
  patient_a: {{ auth: api, username: a@hostile.test, password: {{ file: secrets.env, key: A }} }}
  patient_b: {{ auth: hang, username: b@hostile.test, password: {{ file: secrets.env, key: B }} }}
operations:
  start_conversation:
    method: POST
    path: /start
    json: {{ subject: "{{{{subject}}}}" }}
    outputs: {{ conversation_id: $.id, message_id: $.mid }}
  get_message:
    path: /b/{{{{message_id}}}}
    outputs: {{ body: $.body, author: $.author, created_at: $.at, read: $.read }}
  get_conversation:
    path: /b/{{{{conversation_id}}}}
    follow_redirects: true
    outputs:
      conversation_id: $.id
      subject: $.subject
      participants: {{ items: "$.participants[*]", item: {{ id: $.id, name: $.name }} }}
  download_attachment:
    path: {close}/attachment
    outputs:
      sha256: {{ body: sha256 }}
      size: {{ body: size }}
      media_type: {{ header: Content-Type }}
      disposition: {{ header: Content-Disposition }}
  list_conversations:
    path: {garbage}/conversations
    outputs:
      conversations: {{ items: "$.conversations[*]", item: {{ conversation_id: $.id, subject: $.subject }} }}
pages:
  entry: /b/entry-foreign-link
  support: /b/entry-redirecting-link
"#,
        http = h.http,
        close = h.tls_close,
        garbage = h.tls_garbage,
    )
}

/// One check per behaviour of `/b/<name>`, and the checks of the redirect rule, the TLS ports,
/// the hanging login (twice) and a control that must pass.
fn suite() -> String {
    let mut s = String::new();
    let check = |id: &str, step: &str| {
        format!(
            "- id: fun.hostile-{id}\n  title: {id}\n  requirements: [FUN-01]\n  steps:\n{step}\n"
        )
    };
    let get = |actor: &str, id: &str| {
        format!(
            "    - call: get_message\n      as: {actor}\n      with: {{ conversation_id: c1, message_id: {id} }}\n      expect: {{ outputs: {{ body: hello }} }}"
        )
    };
    for b in BEHAVIOURS {
        s.push_str(&check(b, &get("patient_a", b)));
    }
    s.push_str(&check("control", &get("patient_a", "fine")));
    s.push_str(&check("login-1", &get("patient_b", "fine")));
    // Its own session: without the record of the unanswered login, a second wait.
    s.push_str(&check("login-2", &get("patient_b", "fine")).replacen(
        "  steps:",
        "  fresh_session: true\n  steps:",
        1,
    ));
    s.push_str(&check(
        "redirect-post",
        "    - call: start_conversation\n      as: patient_a\n      with: { to: patient_a, subject: hi, body: hello }",
    ));
    s.push_str(&check(
        "followed-redirect-foreign",
        "    - call: get_conversation\n      as: patient_a\n      with: { conversation_id: redirect-foreign }",
    ));
    s.push_str(&check(
        "tls-close-after-hello",
        "    - call: download_attachment\n      as: patient_a\n      with: { attachment_id: a1 }",
    ));
    for page in ["entry", "support"] {
        s.push_str(&check(
            &format!("links-from-{page}"),
            &format!("    - probe: policy_links\n      with: {{ page: {page} }}"),
        ));
    }
    s.push_str(&check(
        "tls-garbage",
        "    - call: list_conversations\n      as: patient_a",
    ));
    s
}

/// A folder with the profile (`request_s` seconds to answer), its secrets and `suite`.
fn setup(h: &hostile_server::Hostile, request_s: u64, suite: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let secrets = dir.path().join("secrets.env");
    std::fs::write(&secrets, "A=pa-hostile-0123\nB=pb-hostile-0123\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    std::fs::create_dir(dir.path().join("suites")).unwrap();
    std::fs::write(dir.path().join("suites/hostile.yaml"), suite).unwrap();
    std::fs::write(dir.path().join("hostile.yaml"), profile(h, request_s)).unwrap();
    dir
}

/// Runs the suite of `dir` against its profile; the run and how long it took.
async fn run(dir: &std::path::Path) -> (common::cli::Run, Duration) {
    let start = Instant::now();
    let out = vvcheck(["run", "--target"])
        .arg(dir.join("hostile.yaml"))
        .arg("--suites")
        .arg(dir.join("suites"))
        .arg("--out")
        .arg(dir.join("out"))
        .timeout(Duration::from_secs(240))
        .run_async()
        .await;
    (out, start.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_body_is_read_in_bounded_memory_and_undecided_past_what_was_kept() {
    let h = hostile_server::start().await;
    let suite = "- id: fun.hostile-body-50mb\n  title: body-50mb\n  requirements: [FUN-01]\n  steps:\n    - call: get_message\n      as: patient_a\n      with: { conversation_id: c1, message_id: body-50mb }\n      expect: { outputs: { body: hello } }\n";
    let dir = setup(&h, 60, suite);
    let (out, took) = run(dir.path()).await;
    eprintln!(
        "a 50 MB body: {:.1} s, peak RSS {:?} MB",
        took.as_secs_f64(),
        out.peak_rss.map(|b| b / 1_000_000)
    );
    out.assert_code(1);
    assert!(
        out.stdout
            .contains("only the first 1 MiB was kept, so its JSON cannot be decided"),
        "{}",
        out.stdout
    );
    if let Some(peak) = out.peak_rss {
        assert!(peak < 100_000_000, "peak RSS {peak} bytes");
    }
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_gets_errors_and_failures_never_a_crash_or_a_hang() {
    let h = hostile_server::start().await;
    let dir = setup(&h, 2, &suite());
    let out_dir = dir.path().join("out");
    let (out, took) = run(dir.path()).await;
    eprintln!(
        "run against the hostile server: {:.1} s, peak RSS {:?} MB",
        took.as_secs_f64(),
        out.peak_rss.map(|b| b / 1_000_000)
    );
    let (stdout, stderr) = (&out.stdout, &out.stderr);
    assert!(
        !stderr.contains("panicked") && !stdout.contains("panicked"),
        "{stdout}\n{stderr}"
    );
    out.assert_code(1);
    // Every wait is bounded by the 2 s timeouts: far less than the 120 s a check may take.
    assert!(took < Duration::from_secs(90), "took {took:?}\n{stdout}");
    // A 50 MB body and an endless one are read keeping at most 1 MiB of each.
    if let Some(peak) = out.peak_rss {
        assert!(peak < 150_000_000, "peak RSS {peak} bytes");
    }

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
            .unwrap();
    let checks = json["checks"].as_array().unwrap();
    let verdict = |id: &str| {
        let c = checks
            .iter()
            .find(|c| c["id"] == format!("fun.hostile-{id}"))
            .unwrap_or_else(|| panic!("no check {id}"));
        (
            c["status"].as_str().unwrap_or("").to_string(),
            c.to_string(),
        )
    };
    let wrong = std::cell::RefCell::new(Vec::new());
    let expect = |id: &str, status: &str, says: &[&str]| {
        let (got, c) = verdict(id);
        if got != status || !says.iter().any(|s| c.contains(s)) {
            wrong.borrow_mut().push(format!(
                "`{id}` is not {status} saying one of {says:?}: {c}"
            ));
        }
    };
    expect("never-answers", "error", &["timed out"]);
    expect("stall-after-headers", "error", &["timed out"]);
    expect("trickle", "error", &["timed out"]);
    expect("reset", "error", &["request failed", "connection"]);
    // Read in time or not (see the test of that body alone), it never passes.
    expect(
        "body-50mb",
        "error",
        &["only the first 1 MiB was kept", "timed out"],
    );
    expect("body-80mb-declared", "error", &["larger than 64 MiB"]);
    expect(
        "infinite-chunked",
        "error",
        &["larger than 64 MiB", "timed out"],
    );
    expect("redirect-loop", "fail", &["302 Found"]);
    expect(
        "redirect-foreign",
        "fail",
        &["Location: https://evil.example/steal"],
    );
    expect("invalid-utf8", "error", &["not JSON"]);
    expect("invalid-json", "error", &["not JSON"]);
    expect("gzip-bomb", "error", &["not JSON"]);
    // Refused by the HTTP parser; on a loaded machine the retry may time out first.
    expect("header-1mb", "error", &["request failed", "timed out"]);
    expect("headers-10000", "error", &["request failed", "timed out"]);
    expect("http09", "error", &["request failed"]);
    // A flood of cookies on a correct answer is still a correct answer.
    expect("cookie-flood", "pass", &["pass"]);
    expect("control", "pass", &["pass"]);
    // One rule for redirects: an unfollowed 3xx is an answer, and not the `ok` expected.
    expect("redirect-post", "fail", &["302 Found"]);
    expect(
        "followed-redirect-foreign",
        "fail",
        &[
            "redirected to https://evil.example/steal?from=vvcheck — a host outside the target profile; not followed",
        ],
    );
    expect("tls-close-after-hello", "error", &["connection failed"]);
    expect("tls-garbage", "error", &["connection failed"]);
    // Links and redirects off the profile's hosts are not followed, and the check says where.
    expect(
        "links-from-entry",
        "error",
        &[
            "not sent to https://evil.example/privacy — a host outside the target profile; not followed",
        ],
    );
    expect(
        "links-from-support",
        "error",
        &[
            "redirected to https://evil.example/privacy — a host outside the target profile; not followed",
        ],
    );
    expect("login-1", "error", &["login as patient_b"]);
    expect(
        "login-2",
        "error",
        &["login as patient_b not tried again: an earlier one in this run got no answer"],
    );
    let wrong = wrong.into_inner();
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    assert_eq!(
        h.hits("/oauth/hang"),
        1,
        "a login that did not answer is not tried again in the run"
    );

    let junit_path = out_dir.join("junit.xml");
    let junit = std::fs::read_to_string(&junit_path).unwrap();
    assert!(junit.contains("<error"), "{junit}");
    junit_schema::assert_valid(&junit_path, "junit.xml of a run against a hostile server");
}
