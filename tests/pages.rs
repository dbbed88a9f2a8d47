//! Pages of a profile: one that needs sign-in (`{ path, as: ACTOR }`) is fetched with that
//! actor's session, in both dialects, and a probe naming a page the profile does not declare
//! is a load error, never a fetch of `/` in its place.

mod common;

use std::sync::{Arc, Mutex};

use common::Reference;
use vvcheck::engine::RunOptions;
use vvcheck::engine::plan::Filters;
use vvcheck::http::HttpOptions;
use vvcheck::model::inputs::InputPaths;
use vvcheck::outcome::{CheckResult, CheckStatus, Event};
use vvcheck::reference::Dialect;

const SUITE: &str = r#"
- id: sec.pages.inbox-as-its-actor
  title: The inbox, fetched as the actor it needs, carries HSTS
  requirements: [SEC-03]
  steps:
    - probe: hsts
      with: { page: inbox }
"#;

/// Runs `suite` against the reference server of `dialect`; the finished checks, with evidence.
async fn run(dialect: Dialect, suite: &str) -> Vec<Arc<CheckResult>> {
    let r = Reference::start(dialect, &[]).await;
    let suite_file = r.dir.path().join("pages.yaml");
    std::fs::write(&suite_file, suite).expect("suite written");
    let request = vvcheck::RunRequest {
        paths: InputPaths {
            target: Some(r.profile.clone()),
            suite_files: vec![suite_file],
            ..Default::default()
        },
        options: RunOptions {
            filters: Filters::default(),
            concurrency: 4,
            http: HttpOptions::default(),
            strict: false,
            max_wait: vvcheck::engine::DEFAULT_MAX_WAIT,
            browser: false,
            interrupt: Default::default(),
        },
    };
    let finished = Mutex::new(Vec::new());
    vvcheck::run(request, |e| {
        if let Event::CheckFinished(c) = e {
            finished.lock().expect("unpoisoned").push(Arc::clone(c));
        }
    })
    .await
    .expect("the run starts");
    r.server.shutdown().await;
    finished.into_inner().expect("unpoisoned")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_needs_sign_in_is_fetched_as_its_actor() {
    for (dialect, actor) in [
        (Dialect::Rest, "patient_a_browser"),
        (Dialect::Forms, "patient_a"),
    ] {
        let checks = run(dialect, SUITE).await;
        let c = checks.first().expect("the check finished");
        assert_eq!(c.status, CheckStatus::Pass, "{dialect}: {c:?}");
        let ex = c.evidence.exchanges.last().expect("the page was fetched");
        assert_eq!(ex.actor, actor, "{dialect}: fetched as its actor");
        assert_eq!(
            ex.status,
            Some(200),
            "{dialect}: signed in, not sent to the login page"
        );
        assert!(
            ex.request_headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("cookie") && v.contains("[REDACTED]")),
            "{dialect}: the session cookie went with it (masked): {:?}",
            ex.request_headers
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_the_profile_does_not_declare_is_a_load_error_pointing_at_the_step() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let suite_file = r.dir.path().join("pages.yaml");
    std::fs::write(
        &suite_file,
        SUITE.replace("page: inbox", "page: accessibility"),
    )
    .expect("written");
    let out = common::cli::vvcheck(["validate"])
        .arg(&r.profile)
        .arg(&suite_file)
        .run();
    r.server.shutdown().await;
    out.assert_code(2);
    assert!(
        out.stderr.contains("error: unknown page `accessibility`")
            && out.stderr.contains("pages.yaml:7:21")
            && out
                .stderr
                .contains("expected one of: entry, login, inbox, compose, privacy, terms, support"),
        "{}",
        out.stderr
    );
}
