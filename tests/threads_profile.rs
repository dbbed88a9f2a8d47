//! The hand-written `fixtures/targets/threads.yaml`, pointed at the reference server's `threads`
//! dialect as a user would point it at their vendor: a seven-post thread is listed whole over at
//! least three pages of its exclusive `after` cursor, and the clinician's read receipts are read
//! through `seen_by`.

mod common;

use common::vendor::FixtureRun;
use vvcheck::reference::{Dialect, ReferenceConfig, ReferenceServer};

const SUITE: &str = r#"
- id: fun.threads.whole-thread
  title: A seven-post thread is listed whole, over its pages
  requirements: [FUN-02]
  steps:
    - call: start_conversation
      as: patient_a
      with: { to: clinician, subject: "Paging {{run_id}}", body: "post 1" }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 2" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 3" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 4" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 5" } }
    - { call: send_message, as: patient_a, with: { conversation_id: "{{conversation_id}}", body: "post 6" } }
    - call: send_message
      as: patient_a
      with: { conversation_id: "{{conversation_id}}", body: "post 7" }
    - call: mark_read
      as: clinician
      with: { conversation_id: "{{conversation_id}}", message_id: "{{message_id}}" }
    - call: list_messages
      as: clinician
      with: { conversation_id: "{{conversation_id}}" }
      expect:
        outputs:
          messages[*].body: ["post 1", "post 2", "post 3", "post 4", "post 5", "post 6", "post 7"]
          messages[*].read: [false, false, false, false, false, false, true]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hand_written_threads_profile_pages_a_thread_whole() {
    let server = ReferenceServer::start(ReferenceConfig {
        dialect: Dialect::Threads,
        ..ReferenceConfig::default()
    })
    .await
    .expect("reference server starts");
    let (fixture, run) = FixtureRun::run(
        &server,
        "threads.yaml",
        "base_url: https://threads.staging.example\n",
        "THREADS",
        "THREADS_OUTBOX_TOKEN",
        SUITE,
        &[],
    )
    .await;
    server.shutdown().await;
    run.assert_code(0);
    let results: serde_json::Value = serde_json::from_str(&fixture.results_text()).expect("JSON");
    let check = &results["checks"][0];
    assert_eq!(check["status"], "pass", "{check}");
    let pages: Vec<&str> = check["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.as_str())
        .filter(|e| e.starts_with("GET ") && e.contains("/posts") && e.contains("as clinician"))
        .collect();
    assert!(pages.len() >= 3, "three pages or more: {pages:#?}");
    assert!(
        pages.iter().skip(1).all(|p| p.contains("after=pst_")),
        "later pages follow the exclusive cursor: {pages:#?}"
    );
}
