//! Denial as the vendor says it: a GraphQL-style vendor answers every request with HTTP 200 and
//! says "denied" with `errors[].extensions.code`. With the profile's `outcomes:`, a check that
//! expects `outcome: denied` passes on a correct denial (no false failure), fails on a 200 that
//! still carries the content, and fails on a real answer to the wrong caller.

mod common;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use common::vendor::{SuiteRun, serve};
use serde_json::{Value, json};

const TEXT: &str = "Résultats normaux, à revoir dans six mois";

/// How the stand-in vendor behaves towards a caller without the right token.
#[derive(Clone, Copy, PartialEq)]
enum Denial {
    /// `data: null` and an error code: correct.
    Proper,
    /// An error code, but the message in `data` all the same.
    Leaky,
    /// The message, as if the caller were allowed.
    None,
}

async fn vendor(denial: Denial) -> String {
    let app = Router::new().route(
        "/graphql",
        post(move |h: HeaderMap, body: axum::Json<Value>| async move {
            let allowed = h.get("authorization").and_then(|v| v.to_str().ok())
                == Some("Bearer graph-token-0123456789");
            let message = json!({ "message": { "text": TEXT, "author": "u-1", "at": "2026-03-01T09:30:00Z", "read": false } });
            let _ = body;
            let answer = match (allowed, denial) {
                (true, _) | (false, Denial::None) => json!({ "data": message }),
                (false, Denial::Proper) => json!({
                    "data": null,
                    "errors": [{ "message": "not signed in", "extensions": { "code": "UNAUTHENTICATED" } }]
                }),
                (false, Denial::Leaky) => json!({
                    "data": message,
                    "errors": [{ "message": "not signed in", "extensions": { "code": "UNAUTHENTICATED" } }]
                }),
            };
            axum::Json(answer)
        }),
    );
    serve(app).await
}

const SUITE: &str = r#"
- id: sec.graph.anonymous-message
  title: A message cannot be read without authentication
  requirements: [SEC-04]
  steps:
    - call: get_message
      as: patient_a
      with: { conversation_id: "1", message_id: "2" }
      expect: { outputs: { body: "Résultats normaux, à revoir dans six mois" } }
    - call: get_message
      as: anonymous
      with: { conversation_id: "1", message_id: "2" }
      expect: { outcome: denied, body_not_contains: "Résultats normaux" }
"#;

fn profile(base: &str) -> String {
    format!(
        r#"name: graph vendor
base_url: {base}
auth:
  api: {{ kind: bearer }}
actors:
  patient_a: {{ auth: api, token: {{ env: GRAPH_TOKEN }} }}
outcomes:
  ok: [{{ status: 200, json: {{ path: $.data.message }} }}]
  denied: [{{ status: 200, json: {{ path: "$.errors[*].extensions.code", in: [UNAUTHENTICATED, FORBIDDEN, NOT_FOUND] }} }}]
operations:
  get_message:
    method: POST
    path: /graphql
    json: {{ query: "query($id: ID!) {{ message(id: $id) {{ text author at read }} }}", variables: {{ id: "{{{{message_id}}}}" }} }}
    outputs:
      body: $.data.message.text
      author: $.data.message.author
      created_at: $.data.message.at
      read: $.data.message.read
"#
    )
}

/// Runs the suite against a vendor that denies the given way; the check's status and findings.
async fn run(denial: Denial) -> (String, String) {
    let base = vendor(denial).await;
    let r = SuiteRun::new(&profile(&base), SUITE);
    let run = r
        .command(&[])
        .env("GRAPH_TOKEN", "graph-token-0123456789")
        .run_async()
        .await;
    assert!(matches!(run.code(), 0 | 1), "{run}");
    let results = r.results();
    let check = &results["checks"][0];
    (
        check["status"].as_str().unwrap_or_default().to_string(),
        check["findings"].to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_the_vendor_s_way_passes_and_a_leaky_or_missing_one_fails() {
    let (status, findings) = run(Denial::Proper).await;
    assert_eq!(
        status, "pass",
        "a correct HTTP 200 denial is no failure: {findings}"
    );

    let (status, findings) = run(Denial::Leaky).await;
    assert_eq!(status, "fail", "denied in words, but the content came back");
    assert!(findings.contains("Résultats normaux"), "{findings}");

    let (status, findings) = run(Denial::None).await;
    assert_eq!(status, "fail");
    assert!(
        findings.contains("denied (HTTP 200 and $.errors[*].extensions.code in")
            && findings.contains("$.errors[*].extensions.code = nothing"),
        "the finding says what denial looks like and what was seen: {findings}"
    );
}
