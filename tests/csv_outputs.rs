//! A list output read from a CSV body: an audit log exported as CSV becomes `events` records
//! (`csv: { header: true }`), quoted cells with commas kept whole, and the suite judges them.

mod common;

use axum::Router;
use axum::routing::get;
use common::vendor::{SuiteRun, serve};

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
    let base = serve(app).await;
    let profile = format!(
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
    );
    let r = SuiteRun::new(&profile, SUITE);
    let run = r
        .command(&[])
        .env("CSV_TOKEN", "csv-token-0123456789")
        .run_async()
        .await;
    let results = std::fs::read_to_string(r.out.join("results.json")).unwrap_or_default();
    assert!(results.contains("\"status\": \"pass\""), "{run}\n{results}");
}
