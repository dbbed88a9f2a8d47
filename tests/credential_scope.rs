//! Credentials go only where they belong: a step that follows a URL the vendor hands out to
//! another origin (a pre-signed upload URL on a storage host) is sent without the actor's token,
//! unless the profile says `credentials: send` for it.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::get;
use common::vendor::{SuiteRun, serve};

/// A server on 127.0.0.1 port 0, and the `Authorization` headers it received.
async fn recording(
    app: impl FnOnce(Arc<Mutex<Vec<String>>>) -> Router,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let base = serve(app(Arc::clone(&seen))).await;
    (base, seen)
}

fn authorization(h: &HeaderMap) -> String {
    h.get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string()
}

const SUITE: &str = r#"
- id: fun.lists-through-storage
  title: The conversation list is read through a URL the vendor hands out
  requirements: [FUN-01]
  steps:
    - call: list_conversations
      as: patient_a
"#;

fn profile(vendor: &str, storage_step: &str) -> String {
    format!(
        r#"name: scoped vendor
base_url: {vendor}
auth:
  api: {{ kind: bearer }}
actors:
  patient_a: {{ auth: api, token: {{ env: SCOPE_TOKEN }} }}
operations:
  list_conversations:
    steps:
      - path: /api/export
        capture: {{ url: $.url }}
      - path: "{{{{url}}}}"
        {storage_step}
    outputs:
      conversations: {{ items: "$.conversations[*]", item: {{ conversation_id: $.id, subject: $.subject }} }}
"#
    )
}

async fn run(storage_step: &str) -> (Vec<String>, Vec<String>) {
    let (storage, storage_seen) = recording(|seen| {
        Router::new().route(
            "/signed/export",
            get(move |h: HeaderMap| async move {
                seen.lock().expect("unpoisoned").push(authorization(&h));
                axum::Json(serde_json::json!({ "conversations": [] }))
            }),
        )
    })
    .await;
    let signed = format!("{storage}/signed/export");
    let (vendor, vendor_seen) = recording(move |seen| {
        Router::new().route(
            "/api/export",
            get(move |h: HeaderMap| async move {
                seen.lock().expect("unpoisoned").push(authorization(&h));
                axum::Json(serde_json::json!({ "url": signed }))
            }),
        )
    })
    .await;
    let r = SuiteRun::new(&profile(&vendor, storage_step), SUITE);
    let out = r
        .command(&[])
        .env("SCOPE_TOKEN", "scope-token-0123456789")
        .run_async()
        .await;
    out.assert_code(0);
    let v = vendor_seen.lock().expect("unpoisoned").clone();
    let s = storage_seen.lock().expect("unpoisoned").clone();
    (v, s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_on_another_origin_gets_no_credentials_unless_the_profile_says_so() {
    let (vendor, storage) = run("").await;
    assert_eq!(
        vendor,
        ["Bearer scope-token-0123456789"],
        "the vendor gets them"
    );
    assert_eq!(storage, ["none"], "the storage host does not");

    let (_, storage) = run("credentials: send").await;
    assert_eq!(
        storage,
        ["Bearer scope-token-0123456789"],
        "`credentials: send` sends them there too"
    );
}
