//! The accessibility audit against pages built to break it: 5 MB of markup, 10,000-deep
//! nesting, invalid UTF-8, a page that never ends, a missing page, a page that is no HTML. The
//! run ends with verdicts and notes, never a crash or a hang: the pages that could be read are
//! judged, the others are named and left unevaluated.

mod common;

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use common::vendor::{SuiteRun, serve};

const SUITE: &str = r#"
- id: acc.pages
  title: The pages can be audited
  requirements: [ACC-2.1.10]
  steps:
    - probe: a11y_audit
- id: acc.wcag.4.1.1
  title: "WCAG 4.1.1 Parsing (A)"
  requirements: [ACC-2.1.10]
  needs: [acc.pages]
  steps:
    - probe: wcag
      with: { criterion: "4.1.1" }
"#;

fn html(body: String) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
}

fn page(title: &str, main: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><title>{title}</title></head><body><main>{main}</main></body></html>"
    )
}

fn app() -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { html(page("Entry", "<h1>Hello</h1><p id=\"a\">a</p>")) }),
        )
        .route(
            "/big",
            get(|| async {
                let rows = "<p>filler text of a very long page</p>".repeat(5 * 1024 * 1024 / 38);
                html(page("Big", &rows))
            }),
        )
        .route(
            "/deep",
            get(|| async {
                let deep = format!("{}x{}", "<div>".repeat(10_000), "</div>".repeat(10_000));
                html(page("Deep", &deep))
            }),
        )
        .route(
            "/bad-utf8",
            get(|| async {
                let mut bytes = page("Bad", "<p>caf\u{e9}</p>").into_bytes();
                bytes.extend_from_slice(b"<p>\xff\xfe\xc3</p>");
                ([(header::CONTENT_TYPE, "text/html")], bytes)
            }),
        )
        .route(
            "/endless",
            get(|| async {
                let chunks = futures_util::stream::unfold(0u64, |n| async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Some((
                        Ok::<_, std::io::Error>(bytes::Bytes::from("<p>more</p>")),
                        n + 1,
                    ))
                });
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    Body::from_stream(chunks),
                )
            }),
        )
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route("/plain", get(|| async { "just text" }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_and_hostile_pages_end_in_verdicts_and_notes_never_a_crash_or_a_hang() {
    let base = serve(app()).await;
    let profile = format!(
        r#"name: hostile pages
base_url: {base}
timeouts: {{ connect_s: 2, request_s: 3 }}
auth: {{}}
actors: {{}}
operations: {{}}
pages:
  entry: {{ path: / }}
  extra:
    big: {{ path: /big }}
    deep: {{ path: /deep }}
    bad: {{ path: /bad-utf8 }}
    endless: {{ path: /endless }}
    gone: {{ path: /gone }}
    plain: {{ path: /plain }}
"#
    );
    let r = SuiteRun::new(&profile, SUITE);
    let run = r.command(&[]).run_async().await;
    assert!(
        r.out.join("results.json").exists(),
        "no results:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    let results = r.results();
    let check = |id: &str| {
        results["checks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} in the results:\n{}", run.stdout))
    };
    let pages = check("acc.pages");

    assert_eq!(pages["status"], "pass", "{pages:#}");
    let details: Vec<String> = pages["details"]
        .as_array()
        .expect("details")
        .iter()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    let line = |name: &str| {
        details
            .iter()
            .find(|d| d.starts_with(&format!("page {name} ")))
            .cloned()
            .unwrap_or_else(|| panic!("a line for {name}: {details:#?}"))
    };
    for audited in ["entry", "deep", "bad"] {
        assert!(line(audited).contains("rules applied"), "{}", line(audited));
    }
    assert!(
        line("big").contains("only its first 1 MiB"),
        "{}",
        line("big")
    );
    for (name, why) in [
        ("endless", "not audited"),
        ("gone", "404"),
        ("plain", "not an HTML page"),
    ] {
        assert!(line(name).contains(why), "{name}: {}", line(name));
    }
    // Unevaluated pages keep the criterion from a pass; nothing failed, nothing crashed.
    let parsing = check("acc.wcag.4.1.1");
    assert_ne!(parsing["status"], "pass", "{parsing:#}");
    assert_ne!(parsing["status"], "error", "{parsing:#}");
    run.assert_code(0);
}
