//! The hand-written `fixtures/targets/graph.yaml`, pointed at the reference server's `graph`
//! dialect as a user would point it at their GraphQL vendor, with access tokens of 1 second:
//! the sessions are refreshed by mutation as the run goes, a seven-message thread is read whole
//! over relay pages, an attachment goes to and comes back from the signed storage URLs (which
//! refuse any request carrying the API token), the Basic-auth mailbox and the CSV audit export
//! are read, and an anonymous read is denied the GraphQL way, with HTTP 200.

mod common;

use std::time::Duration;

use common::vendor::FixtureRun;
use vvcheck::reference::{Dialect, ReferenceConfig, ReferenceServer};

const SUITE: &str = r#"
- id: fun.graph.whole-thread
  title: A seven-message thread is read whole, over its pages, with its read receipt
  requirements: [FUN-02]
  steps:
    - call: start_conversation
      as: patient_a
      with: { to: clinician, subject: "Paging {{run_id}}", body: "message 1" }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "message 2" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "message 3" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "message 4" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "message 5" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "message 6" } }
    - call: send_message
      as: patient_a
      with: { conversation_id: "{{conversation_id}}", body: "message 7" }
    - call: mark_read
      as: clinician
      with: { conversation_id: "{{conversation_id}}", message_id: "{{message_id}}" }
    - call: list_messages
      as: clinician
      with: { conversation_id: "{{conversation_id}}" }
      expect:
        outputs:
          messages[*].body: ["message 1", "message 2", "message 3", "message 4", "message 5", "message 6", "message 7"]
          messages[*].read: [false, false, false, false, false, false, true]
    - call: list_conversations
      as: patient_a
      expect:
        outputs:
          conversations[*].conversation_id: { contains: "{{conversation_id}}" }
    - call: get_message
      as: anonymous
      with: { conversation_id: "{{conversation_id}}", message_id: "{{message_id}}" }
      expect: { outcome: denied, body_not_contains: "message 7" }

- id: fun.graph.attachment
  title: An attachment goes up to and comes back from the storage host intact
  requirements: [FUN-03]
  steps:
    - call: upload_attachment
      as: patient_a
      with: { file: { name: "scan.pdf", media_type: application/pdf, bytes: 70000 } }
      save: { scan_id: attachment_id, scan_sha256: "{{sent.file.sha256}}" }
    - call: start_conversation
      as: patient_a
      with: { to: clinician, subject: "Scan {{run_id}}", body: "Scan attached.", attachment_ids: ["{{scan_id}}"] }
    - call: download_attachment
      as: clinician
      with: { attachment_id: "{{scan_id}}" }
      expect:
        outputs: { sha256: "{{scan_sha256}}" }
    - call: download_attachment
      as: patient_b
      with: { attachment_id: "{{scan_id}}" }
      expect: { outcome: denied }
    - call: notifications
      with: { recipient: clinician }
    - call: audit_log
      with: { subject: patient_a }
      expect:
        outputs:
          events[*].action: { contains: "attachment.read" }
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hand_written_graph_profile_signs_in_refreshes_pages_and_uploads() {
    let server = ReferenceServer::start(ReferenceConfig {
        dialect: Dialect::Graph,
        token_lifetime: Duration::from_secs(1),
        ..ReferenceConfig::default()
    })
    .await
    .expect("reference server starts");
    let (fixture, run) = FixtureRun::run(
        &server,
        "graph.yaml",
        "base_url: https://graph.staging.example\n",
        "GRAPH",
        "GRAPH_MAILBOX_TOKEN",
        SUITE,
        &["--concurrency", "1"],
    )
    .await;
    server.shutdown().await;
    run.assert_code(0);
    let text = fixture.results_text();
    let results: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    for check in results["checks"].as_array().expect("checks") {
        assert_eq!(check["status"], "pass", "{check}");
    }
    let thread = &results["checks"][0];
    let pages = thread["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.as_str())
        .filter(|e| e.contains("list_messages") || e.contains("/graphql as clinician"))
        .count();
    assert!(pages >= 3, "the thread takes three pages or more: {thread}");
    assert!(
        text.contains("was refreshed"),
        "1-second tokens are refreshed by mutation during the run"
    );
    assert!(
        !text.contains("Only one auth mechanism allowed"),
        "the storage host never saw the API token"
    );
}
