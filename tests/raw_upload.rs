//! A two-step upload as storage services take it: create the upload on the vendor, then `PUT` the
//! file's raw bytes to the signed URL it returns, on another origin. The bytes arrive as they are
//! (size, digest and media type intact, no multipart wrapping), and the signed URL gets no token.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::routing::{post, put};
use common::vendor::{SuiteRun, serve};

/// What the storage host received: content type, authorization and the body's first bytes and
/// size.
type Received = Arc<Mutex<Vec<(String, String, usize, Vec<u8>)>>>;

const SUITE: &str = r#"
- id: fun.raw-upload
  title: A file goes to storage as its raw bytes
  requirements: [FUN-03]
  steps:
    - call: upload_attachment
      as: patient_a
      with: { file: { name: "scan.png", media_type: image/png, bytes: 70000 } }
      expect:
        outputs: { attachment_id: "att-1" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_bytes_reach_the_signed_url_whole_and_without_the_token() {
    let received: Received = Arc::default();
    let seen = Arc::clone(&received);
    let storage = Router::new().route(
        "/bucket/att-1",
        put(move |h: HeaderMap, body: Bytes| async move {
            let header = |n: &str| {
                h.get(n)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("none")
                    .to_string()
            };
            seen.lock().expect("unpoisoned").push((
                header("content-type"),
                header("authorization"),
                body.len(),
                body.iter().take(8).copied().collect(),
            ));
            axum::http::StatusCode::OK
        }),
    );
    let signed = format!("{}/bucket/att-1", serve(storage).await);
    let vendor = Router::new().route(
        "/api/uploads",
        post(move || async move {
            axum::Json(serde_json::json!({ "key": "att-1", "put_url": signed }))
        }),
    );
    let base = serve(vendor).await;

    let profile = format!(
        r#"name: storage vendor
base_url: {base}
auth:
  api: {{ kind: bearer }}
actors:
  patient_a: {{ auth: api, token: {{ env: RAW_TOKEN }} }}
operations:
  upload_attachment:
    steps:
      - method: POST
        path: /api/uploads
        json: {{ name: "{{{{file.name}}}}", size: "{{{{file.size}}}}", type: "{{{{file.media_type}}}}" }}
        capture: {{ put_url: $.put_url, key: $.key }}
      - method: PUT
        path: "{{{{put_url}}}}"
        body: {{ file: file }}
    outputs: {{ attachment_id: "{{{{key}}}}" }}
"#
    );
    let r = SuiteRun::new(&profile, SUITE);
    let run = r
        .command(&[])
        .env("RAW_TOKEN", "raw-token-0123456789")
        .run_async()
        .await;
    run.assert_code(0);
    let got = received.lock().expect("unpoisoned").clone();
    assert_eq!(got.len(), 1, "one PUT reached storage: {got:?}");
    let (media_type, authorization, size, head) = &got[0];
    assert_eq!(media_type, "image/png");
    assert_eq!(authorization, "none", "the signed URL gets no token");
    assert_eq!(*size, 70000, "the raw bytes, not a multipart body");
    let results = std::fs::read_to_string(r.out.join("results.json")).expect("results");
    assert!(results.contains("\"status\": \"pass\""), "{results}");
    assert_eq!(
        head.as_slice(),
        b"\x89PNG\r\n\x1a\n",
        "the file itself, not a multipart preamble"
    );
}
