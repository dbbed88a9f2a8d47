//! The attachment checks (FUN-03, FUN-04) against the reference server: without a declared
//! attachment limit the oversize check is left to a reviewer, naming the missing declaration;
//! with it, the streamed file's exchange shows a summary (size, SHA-256, first bytes), not
//! its bytes.

mod common;

use std::sync::Arc;

use common::Reference;

use vvcheck::engine::RunOptions;
use vvcheck::engine::plan::Filters;
use vvcheck::http::HttpOptions;
use vvcheck::model::inputs::InputPaths;
use vvcheck::outcome::{CheckStatus, RunReport, SkipReason};
use vvcheck::reference::Dialect;

async fn run_fun04(profile: std::path::PathBuf) -> Arc<RunReport> {
    let request = vvcheck::RunRequest {
        paths: InputPaths {
            target: Some(profile),
            ..Default::default()
        },
        options: RunOptions {
            filters: Filters {
                requirements: vec!["FUN-04".into()],
                ..Filters::default()
            },
            concurrency: 4,
            http: HttpOptions::default(),
            strict: false,
            max_wait: vvcheck::engine::DEFAULT_MAX_WAIT,
            browser: false,
            interrupt: Default::default(),
        },
    };
    let outcome = vvcheck::run(request, |_| {}).await.expect("the run starts");
    outcome.report
}

fn check<'a>(report: &'a RunReport, id: &str) -> &'a vvcheck::outcome::CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} ran"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_is_manual_without_a_declared_limit() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let profile = std::fs::read_to_string(&r.profile).expect("profile");
    let without = profile.replace("max_attachment_mb: 10, ", "");
    assert_ne!(without, profile, "the profile declares the limit");
    std::fs::write(&r.profile, without).expect("profile written");
    let report = run_fun04(r.profile.clone()).await;
    r.server.shutdown().await;
    let oversize = check(&report, "fun.attachment-refuses-oversize");
    assert_eq!(
        oversize.status,
        CheckStatus::Skipped,
        "{}",
        oversize.message
    );
    match &oversize.skip_reason {
        Some(SkipReason::Manual { reason }) => {
            assert!(reason.contains("declared.max_attachment_mb"), "{reason}")
        }
        other => panic!("expected a manual skip, got {other:?}"),
    }
    // The other FUN-04 checks still decide.
    for id in [
        "fun.attachment-refuses-executable",
        "fun.attachment-refuses-mislabelled-type",
        "fun.attachment-download-headers",
    ] {
        assert_eq!(check(&report, id).status, CheckStatus::Pass, "{id}");
    }
}

#[test]
fn the_oversize_upload_is_recorded_as_a_summary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = common::cli::vvcheck(["demo", "--requirement", "FUN-04", "-v", "--out"])
        .arg(dir.path())
        .run();
    run.assert_code(0);
    let size = 10 * 1024 * 1024 + 1;
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("\"scan.pdf\""))
        .unwrap_or_else(|| panic!("the upload's body is shown: {}", run.stdout));
    assert!(
        line.contains(&format!("(application/pdf, {size} bytes, sha256 "))
            && line.contains("starts 25 50 44 46 2d"),
        "{line}"
    );
    assert!(line.len() < 400, "a summary, not the bytes: {line}");
}
