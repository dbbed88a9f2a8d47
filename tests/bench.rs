//! `vvcheck bench` measures every figure it promises and writes them to bench.json; the figures'
//! values are the machine's, so only their presence and coherence are asserted, never a time.

mod common;

use common::cli::vvcheck;

#[test]
fn bench_prints_and_writes_every_figure_with_its_raw_times() {
    let dir = tempfile::tempdir().unwrap();
    let out = vvcheck(["bench", "--checks", "20", "--latency-ms", "20", "--out"])
        .arg(dir.path())
        .run();
    out.assert_code(0);
    for figure in [
        "critical_path_ratio",
        "speedup_vs_sequential",
        "checks_per_second",
        "rss_mb_2",
        "rss_mb_20",
        "validate_ms",
        "nagle_cps_http2",
        "nagle_cps_http1_pool",
        "critical path: logins",
        "slowest checks:",
        "timeline: first check started at",
    ] {
        assert!(out.stdout.contains(figure), "{figure}:\n{}", out.stdout);
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bench.json")).unwrap())
            .unwrap();
    for key in [
        "critical_path_ratio",
        "speedup_vs_sequential",
        "checks_per_second",
        "validate_ms",
        "nagle_checks_per_second_http2",
        "nagle_checks_per_second_http1_pool",
        "nagle_http1_pool_over_http2",
    ] {
        assert!(json[key].as_f64().is_some_and(|v| v > 0.0), "{key}: {json}");
    }
    if cfg!(target_os = "linux") {
        for key in ["rss_mb_2", "rss_mb_20"] {
            assert!(json[key].as_f64().is_some_and(|v| v > 1.0), "{key}: {json}");
        }
    }
    let raw = &json["raw"];
    assert_eq!(raw["latency_ms"], 20.0);
    let concurrent = &raw["suite_concurrent"];
    let trips = concurrent["critical_path"]["round_trips"].as_u64().unwrap();
    assert!(trips >= 3, "logins and a check's calls: {concurrent}");
    assert!(
        concurrent["critical_path"]["checks"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "{concurrent}"
    );
    // The ratio is the wall time over the critical path at the added latency.
    let ratio = json["critical_path_ratio"].as_f64().unwrap();
    let wall = concurrent["wall_ms"].as_f64().unwrap();
    let expected = wall / (trips as f64 * 20.0);
    assert!((ratio - expected).abs() < 0.01, "{ratio} vs {expected}");
    // No scheduler beats the chain of round trips it depends on.
    assert!(ratio >= 1.0, "{ratio}");
    for run in raw["generated"].as_array().unwrap() {
        assert_eq!(
            run["passed"], run["checks"],
            "every generated check ran: {run}"
        );
    }
    // Both Nagle runs are of the smaller size, and ran every check.
    let nagle = raw["nagle"].as_array().unwrap();
    let versions: Vec<&str> = nagle
        .iter()
        .filter_map(|r| r["http_version"].as_str())
        .collect();
    assert_eq!(versions, ["auto", "1.1"]);
    for run in nagle {
        assert_eq!(run["checks"], 2, "{run}");
        assert_eq!(run["passed"], run["checks"], "{run}");
    }
    assert_eq!(raw["validate_ms_runs"].as_array().map(Vec::len), Some(11));
    assert_eq!(
        raw["build"],
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
}
