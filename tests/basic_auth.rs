//! `kind: basic`: an actor whose vendor takes HTTP Basic authentication sends
//! `Authorization: Basic base64(username:password)`, with the password from a secret reference,
//! and no form of the password reaches the console or a report.

mod common;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::vendor::{SuiteRun, serve};

const PASSWORD: &str = "mail catcher pässword #1";

const SUITE: &str = r#"
- id: fun.basic-listing
  title: The mailbox lists conversations to its reader
  requirements: [FUN-01]
  steps:
    - call: list_conversations
      as: reader
      expect: { status: 200 }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_basic_actor_sends_its_username_and_password_and_neither_leaks() {
    let want = format!(
        "Basic {}",
        STANDARD.encode(format!("reader@mail.test:{PASSWORD}"))
    );
    let app = Router::new().route(
        "/api/messages",
        get(move |h: HeaderMap| async move {
            let given = h.get("authorization").and_then(|v| v.to_str().ok());
            if given == Some(want.as_str()) {
                (
                    StatusCode::OK,
                    axum::Json(serde_json::json!({ "items": [] })),
                )
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    axum::Json(serde_json::json!({ "error": "no" })),
                )
            }
        }),
    );
    let base = serve(app).await;

    let profile = format!(
        r#"name: mail catcher
base_url: {base}
auth:
  mail: {{ kind: basic }}
actors:
  reader: {{ auth: mail, username: reader@mail.test, password: {{ env: MAIL_PASSWORD }} }}
operations:
  list_conversations:
    path: /api/messages
    outputs:
      conversations: {{ items: "$.items[*]", item: {{ conversation_id: $.id, subject: $.subject }} }}
"#
    );
    let r = SuiteRun::new(&profile, SUITE);
    let run = r
        .command(&["-v"])
        .env("MAIL_PASSWORD", PASSWORD)
        .run_async()
        .await;
    run.assert_code(0);
    let mut texts = vec![run.stdout.clone(), run.stderr.clone()];
    for f in ["junit.xml", "results.json"] {
        texts.push(std::fs::read_to_string(r.out.join(f)).expect("report written"));
    }
    let pair = STANDARD.encode(format!("reader@mail.test:{PASSWORD}"));
    for t in &texts {
        assert!(
            !t.contains(PASSWORD) && !t.contains(&pair),
            "a form leaked:\n{t}"
        );
    }
    assert!(
        run.stdout.contains("Authorization: Basic [REDACTED]"),
        "{}",
        run.stdout
    );
}
