//! A vendor that echoes every credential it receives back: in response headers, a redirect
//! `Location`, JSON outputs, error bodies and login responses, as is and encoded (base64,
//! URL-safe base64, percent-encoding, JSON inside JSON). The shipped suites run against it at
//! default verbosity and with `-v`; no form of any secret may appear in stdout, stderr or any
//! report, and the reports are still written (and valid JUnit), with the echo itself reported
//! as a finding of the reflection check.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use common::cli::vvcheck;
use common::junit_schema;

/// Passwords with the characters that break naive escaping.
const PASSWORDS: [(&str, &str); 3] = [
    ("PATIENT_A_PASSWORD", r#"pa"ss\w/o<&>rd é#%A1"#),
    ("PATIENT_B_PASSWORD", "Zz9 plus+slash/percent%41"),
    ("CLINICIAN_PASSWORD", r#"doc'tor"s&secret<1>"#),
];

/// Every value the server hands out as a credential, so the test knows them all, and the one
/// conversation it keeps (its id is the first caller's `Authorization`, base64-encoded, so that
/// later requests carry a credential in their URLs).
#[derive(Clone, Default)]
struct Issued(
    Arc<Mutex<Vec<String>>>,
    Arc<Mutex<Option<(String, String)>>>,
);

impl Issued {
    fn new_token(&self, prefix: &str) -> String {
        use rand::Rng;
        let tail: String = (0..24)
            .map(|_| {
                char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[rand::rng().random_range(0..36)])
            })
            .collect();
        let t = format!("{prefix}{tail}");
        self.0.lock().expect("unpoisoned").push(t.clone());
        t
    }
    fn all(&self) -> Vec<String> {
        self.0.lock().expect("unpoisoned").clone()
    }
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// The ways this server writes a value back.
fn reflections(v: &str) -> serde_json::Value {
    json!({
        "raw": v,
        "b64": STANDARD.encode(v),
        "b64url": URL_SAFE_NO_PAD.encode(v),
        "pct": pct(v),
        "json_in_json": serde_json::to_string(&json!({ "v": v })).unwrap_or_default(),
    })
}

async fn echo(
    issued: Issued,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let path = uri.path().to_string();
    let echoed = json!({ "auth": reflections(&auth), "cookie": reflections(&cookie), "body": reflections(&text) });
    let location = format!("/next?auth={}&body={}", pct(&auth), pct(&text));
    let mut h = HeaderMap::new();
    for (name, value) in [
        ("x-echo-auth", auth.clone()),
        ("x-echo-auth-b64", STANDARD.encode(&auth)),
        ("x-echo-body-b64", STANDARD.encode(&text)),
        ("location", location),
    ] {
        if let Ok(v) = value.parse() {
            h.insert(name, v);
        }
    }
    if path == "/oauth/token" {
        let body = json!({
            "access_token": issued.new_token("at-"),
            "refresh_token": issued.new_token("rt-"),
            "id_token": issued.new_token("it-"),
            "token_type": "bearer",
            "expires_in": 900,
            "user": { "id": "u-1" },
            "echo": echoed,
        });
        return (StatusCode::OK, h, axum::Json(body)).into_response();
    }
    if path == "/login" && method == Method::GET {
        let csrf = issued.new_token("csrf-");
        let page = format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\"></form>"
        );
        return (StatusCode::OK, h, axum::response::Html(page)).into_response();
    }
    if path == "/login" {
        let session = issued.new_token("sess-");
        let set = format!("vv_session={session}; Secure; HttpOnly; SameSite=Lax");
        if let Ok(v) = set.parse() {
            h.insert(header::SET_COOKIE, v);
        }
        return (StatusCode::OK, h, axum::Json(json!({ "echo": echoed }))).into_response();
    }
    // Error bodies echo too; the rest answers with outputs made of what came in.
    let status = if path.contains("/attachments/") {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::OK
    };
    let (conversation, message_text) = {
        let mut kept = issued.1.lock().expect("unpoisoned");
        if method == Method::POST && path == "/api/conversations" {
            let sent: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let said = sent["body"].as_str().unwrap_or_default().to_string();
            kept.get_or_insert_with(|| (STANDARD.encode(&auth), said));
        }
        kept.clone().unwrap_or_default()
    };
    let body = json!({
        "id": conversation,
        "messages": [{ "id": pct(&auth), "body": message_text, "sender": { "id": "u-1" }, "sent_at": "2026-01-01T00:00:00Z", "read": false }],
        "conversations": [{ "id": conversation, "subject": cookie }],
        "body": message_text,
        "sender": { "id": "u-1" },
        "sent_at": "2026-01-01T00:00:00Z",
        "read": false,
        "echo": echoed,
        "auth": auth,
    });
    (status, h, axum::Json(body)).into_response()
}

/// Every form of `secret` this test looks for; the README's list, as a table.
fn forms(secret: &str) -> Vec<(&'static str, String)> {
    let json_once = serde_json::to_string(secret).unwrap_or_default();
    let json_once = json_once.trim_matches('"').to_string();
    let json_twice = serde_json::to_string(&json_once).unwrap_or_default();
    vec![
        ("as is", secret.to_string()),
        ("base64", STANDARD.encode(secret)),
        ("base64url", URL_SAFE_NO_PAD.encode(secret)),
        ("percent, lower", pct(secret)),
        ("percent, upper", pct(secret).to_uppercase()),
        (
            "form-encoded",
            url::form_urlencoded::byte_serialize(secret.as_bytes()).collect(),
        ),
        ("JSON-escaped", json_once),
        (
            "JSON-escaped twice",
            json_twice.trim_matches('"').to_string(),
        ),
        (
            "XML-escaped",
            secret
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;"),
        ),
        (
            "base64(Bearer …)",
            STANDARD.encode(format!("Bearer {secret}")),
        ),
    ]
}

fn profile(base: &str, secrets_file: &std::path::Path) -> String {
    let secrets = secrets_file.display();
    format!(
        r#"name: echo vendor
base_url: {base}
http_url: {base}
auth:
  api: {{ kind: oauth2_password, token_url: /oauth/token, client_id: echo, capture: {{ id: $.user.id }} }}
  web:
    kind: form_cookie
    path: /login
    form: {{ username: "{{{{username}}}}", password: "{{{{password}}}}" }}
    csrf: {{ login_page: /login, login_field: csrf_token }}
    session_cookie: vv_session
actors:
  patient_a: {{ auth: api, username: pa@echo.test, password: {{ file: {secrets}, key: PATIENT_A_PASSWORD }} }}
  patient_b: {{ auth: api, username: pb@echo.test, password: {{ file: {secrets}, key: PATIENT_B_PASSWORD }} }}
  clinician: {{ auth: api, username: dr@echo.test, password: {{ file: {secrets}, key: CLINICIAN_PASSWORD }} }}
  patient_a_browser: {{ auth: web, username: pa@echo.test, password: {{ file: {secrets}, key: PATIENT_A_PASSWORD }} }}
operations:
  start_conversation:
    method: POST
    path: /api/conversations
    json: {{ to: "{{{{actors[to].id}}}}", subject: "{{{{subject}}}}", body: "{{{{body}}}}" }}
    outputs: {{ conversation_id: $.id, message_id: "$.messages[0].id" }}
  send_message:
    method: POST
    path: /api/conversations/{{{{conversation_id}}}}/messages
    json: {{ body: "{{{{body}}}}" }}
    outputs: {{ message_id: $.id }}
  get_conversation:
    path: /api/conversations/{{{{conversation_id}}}}
    outputs: {{ conversation_id: $.id, subject: $.subject, participants: {{ items: "$.participants[*]", item: {{ id: $.id, name: $.name }} }} }}
  list_conversations:
    path: /api/conversations
    outputs:
      conversations: {{ items: "$.conversations[*]", item: {{ conversation_id: $.id, subject: $.subject }} }}
  list_messages:
    path: /api/conversations/{{{{conversation_id}}}}/messages
    outputs:
      messages:
        items: "$.messages[*]"
        item: {{ message_id: $.id, body: $.body, author: $.sender.id, created_at: $.sent_at, read: $.read }}
  get_message:
    path: /api/conversations/{{{{conversation_id}}}}/messages/{{{{message_id}}}}
    outputs: {{ body: $.body, author: $.sender.id, created_at: $.sent_at, read: $.read }}
  upload_attachment:
    method: POST
    path: /api/attachments
    multipart: [{{ name: file, file: file }}]
    outputs: {{ attachment_id: $.id }}
  download_attachment:
    path: /api/attachments/{{{{attachment_id}}}}
    outputs:
      sha256: {{ body: sha256 }}
      size: {{ body: size }}
      media_type: {{ header: Content-Type }}
      disposition: {{ header: x-echo-auth }}
pages: {{ entry: /, login: /login }}
declared: {{ idle_timeout_s: 900, latency_p95_ms: 2000 }}
not_applicable: {{ PRV-02: "the echo vendor sends no notifications" }}
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_form_of_any_secret_leaves_vvcheck() {
    let issued = Issued::default();
    let state = issued.clone();
    let app = Router::new().fallback(move |method, uri, headers, body| {
        echo(state.clone(), method, uri, headers, body)
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().expect("temp dir");
    let secrets = dir.path().join("echo.secrets.env");
    let lines: Vec<String> = PASSWORDS.iter().map(|(k, v)| format!("{k}={v}")).collect();
    std::fs::write(&secrets, lines.join("\n") + "\n").expect("secrets written");
    let target = dir.path().join("echo.yaml");
    std::fs::write(&target, profile(&base, &secrets)).expect("profile written");

    for verbose in [false, true] {
        // Each run starts a conversation of its own, with its own tokens in the id.
        *issued.1.lock().expect("unpoisoned") = None;
        let out = dir.path().join(if verbose { "out-v" } else { "out" });
        let mut args = vec![
            "run".to_string(),
            "--target".into(),
            target.display().to_string(),
            "--out".into(),
            out.display().to_string(),
        ];
        if verbose {
            args.push("-v".into());
        }
        let run = vvcheck(args).run_async().await;
        assert_eq!(
            run.code(),
            1,
            "the echo vendor fails checks, and the reports are still written\n{run}"
        );
        junit_schema::assert_valid(
            &out.join("junit.xml"),
            "junit.xml of a run against a vendor that echoes credentials",
        );
        let mut outputs = vec![
            ("stdout".to_string(), run.stdout.clone()),
            ("stderr".to_string(), run.stderr.clone()),
        ];
        for name in ["junit.xml", "results.json"] {
            let text = std::fs::read_to_string(out.join(name))
                .unwrap_or_else(|e| panic!("{name} was written: {e}"));
            outputs.push((name.to_string(), text));
        }
        let results: serde_json::Value =
            serde_json::from_str(&outputs[3].1).expect("results.json is JSON");
        let reflection = results["checks"]
            .as_array()
            .and_then(|cs| {
                cs.iter()
                    .find(|c| c["id"] == "sec.errors.no-credential-reflection")
            })
            .expect("the reflection check ran");
        assert_eq!(
            reflection["status"], "fail",
            "echoing credentials is itself a finding: {reflection}"
        );
        let seen: Vec<&str> = reflection["findings"]
            .as_array()
            .map(|fs| fs.iter().filter_map(|f| f["seen"].as_str()).collect())
            .unwrap_or_default();
        assert!(
            seen.iter().any(|s| s.contains("carried one back")),
            "{reflection}"
        );
        let mut secrets: Vec<String> = PASSWORDS.iter().map(|(_, v)| v.to_string()).collect();
        secrets.extend(issued.all());
        for user in ["pa@echo.test", "pb@echo.test", "dr@echo.test"] {
            for (_, pw) in PASSWORDS {
                secrets.push(format!("{user}:{pw}"));
            }
        }
        for secret in &secrets {
            for (form, value) in forms(secret) {
                for (where_, text) in &outputs {
                    assert!(
                        value.len() < 6 || !text.contains(&value),
                        "{form} of secret #{} is in {where_} (verbose: {verbose})",
                        secrets.iter().position(|s| s == secret).unwrap_or(0)
                    );
                }
            }
        }
    }
    server.abort();
}
