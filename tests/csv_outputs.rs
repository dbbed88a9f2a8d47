//! A list output read from a CSV body: an audit log exported as CSV becomes `events` records
//! (`csv: { header: true }`), quoted cells with commas kept whole, and the suite judges them.

mod common;

use axum::Router;
use axum::routing::get;
use common::cli::vvcheck;

const SUITE: &str = r#"
- id: sec.audit-csv
  title: The audit log lists who read and sent what
  requirements: [SEC-12]
  steps:
    - call: audit_log
      as: clinician
      with: { subject: patient_a }
      expect:
        outputs:
          events[*].action: ["read", "sent, twice"]
          events[*].actor: ["u-1", "u-2"]
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_audit_log_becomes_event_records() {
    let app = Router::new().route(
        "/audit.csv",
        get(|| async {
            (
                [("content-type", "text/csv")],
                "user,verb,object\nu-1,read,m-1\nu-2,\"sent, twice\",m-2\n",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("target.yaml");
    std::fs::write(
        &target,
        format!(
            r#"name: csv vendor
base_url: {base}
auth:
  api: {{ kind: bearer }}
actors:
  clinician: {{ auth: api, token: {{ env: CSV_TOKEN }} }}
  patient_a: {{ auth: api, token: {{ env: CSV_TOKEN }}, vars: {{ id: u-1 }} }}
operations:
  audit_log:
    path: /audit.csv
    query: {{ patient: "{{{{actors[subject].id}}}}" }}
    outputs:
      events:
        csv: {{ header: true }}
        items: "$[*]"
        item: {{ actor: $.user, action: $.verb, resource: $.object }}
"#
        ),
    )
    .expect("profile written");
    let suites = dir.path().join("suites");
    std::fs::create_dir(&suites).expect("suites folder");
    std::fs::write(suites.join("s.yaml"), SUITE).expect("suite written");
    let out = dir.path().join("out");
    let run = vvcheck(["run", "--target"])
        .arg(&target)
        .arg("--suites")
        .arg(&suites)
        .arg("--out")
        .arg(&out)
        .env("CSV_TOKEN", "csv-token-0123456789")
        .run_async()
        .await;
    let results = std::fs::read_to_string(out.join("results.json")).unwrap_or_default();
    assert!(results.contains("\"status\": \"pass\""), "{run}\n{results}");
}
