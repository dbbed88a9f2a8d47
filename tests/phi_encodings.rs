//! A vendor that shows one patient another patient's planted canaries, each in an encoding of
//! its own — JSON-escaped (`Zo\u00eb`), HTML-escaped inside JSON (`Zo&euml;`), percent-encoded
//! in a link (`Zo%C3%AB+Tremblay`, a grouped health number) and HTML-escaped in a notification
//! beside an undeclared health number — and answers the patient's own name to her: the PHI
//! checks find every form, name the encoding and the JSON path, never quote the value, and
//! leave the patient's own PHI alone.

mod common;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use common::vendor::{SuiteRun, serve_https};

const PROFILE: &str = r#"
name: PHI encodings stand-in
base_url: BASE
tls: { ca_file: ca.pem }
auth:
  tokens: { kind: bearer }
actors:
  patient_a: { auth: tokens, token: { env: PHI_PA_TOKEN }, canaries: { name: "Zoë Tremblay", dob: "1961-04-02", hcn: "9876543217" } }
  patient_b: { auth: tokens, token: { env: PHI_PB_TOKEN }, canaries: { name: "Marc-André Lefebvre", dob: "1978-11-23", hcn: "4512638794" } }
  outbox: { auth: tokens, token: { env: PHI_OUTBOX_TOKEN } }
operations:
  list_conversations:
    path: /conversations
    outputs: { conversations: { items: "$.conversations[*]", item: { conversation_id: $.id, subject: $.subject } } }
  get_conversation:
    path: /conversations/{{conversation_id}}
    outputs:
      conversation_id: $.id
      subject: $.subject
      participants: { items: "$.participants[*]", item: { id: $.id, name: $.name } }
  list_messages:
    path: /conversations/{{conversation_id}}/messages
    outputs:
      messages: { items: "$.messages[*]", item: { message_id: $.id, body: $.html, author: $.by, created_at: $.at, read: $.read } }
  notifications:
    as: outbox
    path: /outbox
    query: { to: "{{recipient}}" }
    outputs: { notifications: { items: "$[*]", item: { channel: $.channel, to: $.to, text: $.text } } }
"#;

const SUITE: &str = r#"
- id: t.patients-read
  title: Each patient reads their conversations
  requirements: [FUN-01]
  steps:
    - call: list_conversations
      as: patient_a
    - call: list_conversations
      as: patient_b
    - call: get_conversation
      as: patient_b
      with: { conversation_id: c-1 }
    - call: list_messages
      as: patient_b
      with: { conversation_id: c-1 }

- id: t.urls
  title: No PHI in URLs
  requirements: [PRV-01]
  steps:
    - probe: phi_in_urls

- id: t.other-patients
  title: No other patient's PHI
  requirements: [PRV-04]
  steps:
    - probe: phi_other_patients

- id: t.notifications
  title: Notifications carry no PHI
  requirements: [PRV-02]
  steps:
    - call: notifications
      with: { recipient: patient_b }
      save: { sent: notifications }
    - probe: phi_notifications
      with: { notifications: ["{{ sent }}"] }
"#;

const PA: &str = "pa-token-0123456789";
const PB: &str = "pb-token-0123456789";
const OUTBOX: &str = "outbox-token-0123456789";

fn bearer(h: &HeaderMap) -> &str {
    h.get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
}

/// A JSON answer written by hand, so that its escapes are exactly the ones given.
fn raw_json(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn vendor() -> Router {
    Router::new()
        .route(
            "/conversations",
            get(|h: HeaderMap| async move {
                match bearer(&h) {
                    // Her own name, JSON-escaped: hers to see.
                    PA => raw_json(r#"{"conversations": [], "me": "Zo\u00eb Tremblay"}"#),
                    // Patient A's name, JSON-escaped, in patient B's list.
                    PB => raw_json(
                        r#"{"conversations": [{"id": "c-1", "subject": "Suivi", "also_waiting": "Zo\u00eb Tremblay"}]}"#,
                    ),
                    _ => StatusCode::UNAUTHORIZED.into_response(),
                }
            }),
        )
        .route(
            "/conversations/c-1",
            get(|h: HeaderMap| async move {
                if bearer(&h) != PB {
                    return StatusCode::NOT_FOUND.into_response();
                }
                // Patient A's name and health number, percent-encoded and grouped, in a link.
                raw_json(
                    r#"{"id": "c-1", "subject": "Suivi", "participants": [],
                        "links": {"related": "/records?who=Zo%C3%AB+Tremblay&card=9876-543-217"}}"#,
                )
            }),
        )
        .route(
            "/conversations/c-1/messages",
            get(|h: HeaderMap| async move {
                if bearer(&h) != PB {
                    return StatusCode::NOT_FOUND.into_response();
                }
                // Patient A's name HTML-escaped, inside a JSON string.
                raw_json(
                    r#"{"messages": [{"id": "m-1", "html": "<p>Copie de Zo&euml; Tremblay</p>", "by": "u-1", "at": "2026-12-01T10:00:00Z", "read": false}]}"#,
                )
            }),
        )
        .route(
            "/outbox",
            get(|h: HeaderMap| async move {
                if bearer(&h) != OUTBOX {
                    return StatusCode::UNAUTHORIZED.into_response();
                }
                raw_json(
                    r#"[{"channel": "email", "to": "pb@test", "text": "Nouveau message de Zo&#235; Tremblay"},
                        {"channel": "sms", "to": "+14165550100", "text": "Your card 1234 567 897 is on file"},
                        {"channel": "sms", "to": "+14165550100", "text": "You have a new secure message."}]"#,
                )
            }),
        )
}

fn check<'a>(results: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    results["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in {results}"))
}

fn seen(c: &serde_json::Value) -> String {
    c["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| format!("{} | {}", f["seen"], f["exchange"]))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_canaries_are_found_json_escaped_html_escaped_and_percent_encoded() {
    let (base, ca) = serve_https(vendor()).await;
    let run = SuiteRun::new(&PROFILE.replace("BASE", &base), SUITE);
    std::fs::write(run.dir.path().join("ca.pem"), ca).expect("CA written");
    let out = run
        .command(&[])
        .env("PHI_PA_TOKEN", PA)
        .env("PHI_PB_TOKEN", PB)
        .env("PHI_OUTBOX_TOKEN", OUTBOX)
        .run_async()
        .await;
    out.assert_code(1);
    let results = run.results();
    assert_eq!(
        check(&results, "t.patients-read")["status"],
        "pass",
        "{results}"
    );

    let others = check(&results, "t.other-patients");
    assert_eq!(others["status"], "fail", "{others}");
    let found = seen(others);
    for form in ["JSON-escaped", "HTML-escaped", "percent-encoded"] {
        assert!(
            found.contains(form),
            "PRV-04 finds the {form} canary: {found}"
        );
    }
    assert!(
        found.contains("in 3 of 4"),
        "patient A's own answer is hers: {found}"
    );
    for path in [
        "JSON-escaped, at $.conversations[0].also_waiting",
        "percent-encoded, at $.links.related",
        "HTML-escaped, at $.messages[0].html",
    ] {
        assert!(
            found.contains(path),
            "the finding says where: {path} in {found}"
        );
    }
    assert!(found.contains("patient_a's name"), "{found}");

    let urls = check(&results, "t.urls");
    assert_eq!(urls["status"], "fail", "{urls}");
    let found = seen(urls);
    assert!(
        found.contains("percent-encoded in JSON $.links.related"),
        "PRV-01 names the form and the place: {found}"
    );

    let notes = check(&results, "t.notifications");
    assert_eq!(notes["status"], "fail", "{notes}");
    let found = seen(notes);
    assert!(found.contains("in 2 of 3 notifications"), "{found}");
    assert!(found.contains("patient_a's name (Z"), "{found}");
    assert!(found.contains("HTML-escaped"), "{found}");
    assert!(found.contains("health card number by its shape"), "{found}");

    // The findings show the canaries masked: no report or console line repeats one.
    let report = std::fs::read_to_string(run.out.join("junit.xml")).expect("junit.xml");
    for text in [&out.stdout, &report] {
        for canary in ["Tremblay", "Zo%C3%AB", "9876-543-217", "1234 567 897"] {
            assert!(!text.contains(canary), "`{canary}` repeated:\n{text}");
        }
    }
}
