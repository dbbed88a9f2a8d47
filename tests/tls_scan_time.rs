//! How long a full TLS scan (protocols, cipher suites, certificate) of the reference server's
//! one loopback endpoint takes. Ignored by default, and it never asserts a time: run
//! `cargo test --test tls_scan_time -- --ignored --nocapture` to print the figure.

mod common;

use std::time::Instant;

use common::Reference;
use common::cli::vvcheck;
use vvcheck::reference::Dialect;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "prints a timing; run with --ignored --nocapture"]
async fn full_scan_of_one_loopback_endpoint() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let out = r.dir.path().join("out");
    let start = Instant::now();
    let run = vvcheck(["run", "--target"])
        .arg(&r.profile)
        .args(["--requirement", "SEC-01,SEC-02", "--out"])
        .arg(&out)
        .run();
    let wall = start.elapsed();
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let results: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("JSON");
    for c in results["checks"].as_array().expect("checks") {
        let attempts: usize = c["tls"]
            .as_array()
            .map(|t| {
                t.iter()
                    .map(|e| e["attempts"].as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0);
        println!(
            "{:<24} {:>5} ms  {attempts} handshakes",
            c["id"].as_str().unwrap_or("?"),
            c["duration_ms"]
        );
    }
    println!(
        "whole run (process start, three TLS checks at once, reports): {} ms",
        wall.as_millis()
    );
}
