//! A run stopped by SIGINT or SIGTERM: it writes its reports for what finished, marks every
//! unfinished check `error: interrupted`, and exits 2; a second signal ends it at once, and a
//! report file is never half-written (the old one stays whole until a new one replaces it).

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::cli::vvcheck;
use common::junit_schema;
use serde_json::Value;

/// The longest any run here may take before the test gives up on it (a hang, not a measure).
const LIMIT: Duration = Duration::from_secs(240);

/// A demo slow enough to be stopped in its middle: every answer of the reference server waits
/// 100 ms.
fn slow_demo(out: &Path) -> Child {
    vvcheck(["demo", "--latency-ms", "100", "--out"])
        .arg(out)
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vvcheck starts")
}

/// Reads `child`'s stdout in the background; the receiver gets each line.
fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Read to the end even once nobody listens, so the run never blocks on a full pipe.
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Waits until `n` checks have reported on the console (their verdict lines), so that the run
/// is under way but far from done.
fn wait_for_checks(rx: &mpsc::Receiver<String>, n: usize) -> Vec<String> {
    let deadline = Instant::now() + LIMIT;
    let mut seen = Vec::new();
    let verdict = |l: &str| {
        let t = l.trim_start();
        ["PASS", "FAIL", "ERROR", "SKIP"]
            .iter()
            .any(|v| t.starts_with(v))
    };
    while seen.iter().filter(|l: &&String| verdict(l)).count() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => seen.push(l),
            Err(e) => panic!("the run reported fewer than {n} checks ({e}); it printed {seen:#?}"),
        }
    }
    seen
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{name} {}", child.id());
}

/// Waits for `child` to end within [`LIMIT`]; kills it and fails otherwise.
fn wait(mut child: Child) -> (ExitStatus, String) {
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            let mut stderr = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
            }
            return (status, stderr);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the interrupted run did not end within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn results(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json is written");
    serde_json::from_str(&text).expect("results.json is whole JSON")
}

fn stopped_by(name: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let mut child = slow_demo(&out);
    let rx = lines(&mut child);
    wait_for_checks(&rx, 3);
    signal(&child, name);
    let (status, stderr) = wait(child);
    assert_eq!(
        status.code(),
        Some(2),
        "exit code 2 after {name}; stderr: {stderr}"
    );
    assert!(
        stderr.contains(&format!("vvcheck: {name}: stopping")),
        "stderr says it is stopping: {stderr}"
    );
    let report = results(&out);
    assert_eq!(report["interrupted"], name);
    assert_eq!(report["exit_code"], 2);
    assert_eq!(
        report["overall"]["standing"], "incomplete",
        "{}",
        report["overall"]
    );
    let partial = report["overall"]["partial"].as_str().unwrap_or_default();
    assert!(
        partial.contains(&format!("stopped by {name}")),
        "the standing says why it is incomplete: {partial}"
    );
    let checks = report["checks"].as_array().expect("checks");
    let interrupted: Vec<&Value> = checks
        .iter()
        .filter(|c| c["error"]["kind"] == "interrupted")
        .collect();
    let finished = checks
        .iter()
        .filter(|c| c["status"] == "pass" || c["status"] == "fail")
        .count();
    assert!(
        finished >= 3,
        "the checks that finished keep their verdicts"
    );
    assert!(!interrupted.is_empty(), "some checks did not finish");
    for c in &interrupted {
        assert_eq!(c["status"], "error", "{c}");
        let message = c["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with(&format!(
                "interrupted: the run was stopped by {name} before this check"
            )),
            "{message}"
        );
    }
    let junit = out.join("junit.xml");
    let xml = std::fs::read_to_string(&junit).expect("junit.xml is written");
    assert!(
        xml.contains(&format!(r#"<property name="interrupted" value="{name}"/>"#)),
        "the JUnit suite says the run was stopped"
    );
    junit_schema::assert_valid(&junit, "the JUnit of an interrupted run");
    assert!(
        out.join("report.html").is_file(),
        "the HTML report is written"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .expect("out is a folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file is left: {leftovers:?}"
    );
}

#[test]
fn sigint_writes_the_reports_for_what_finished_and_exits_2() {
    stopped_by("SIGINT");
}

#[test]
fn sigterm_does_the_same() {
    stopped_by("SIGTERM");
}

/// What `results.json` held before the run under test.
const OLD_REPORT: &str = r#"{"a run": "before this one"}"#;

/// A slow demo writing into a folder that already holds [`OLD_REPORT`], two checks into its
/// run: the folder (kept while the test runs), the output path, and the running process.
fn under_way_over_an_old_report() -> (tempfile::TempDir, std::path::PathBuf, Child) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("results.json"), OLD_REPORT).expect("old report");
    let mut child = slow_demo(&out);
    let rx = lines(&mut child);
    wait_for_checks(&rx, 2);
    (dir, out, child)
}

#[test]
fn a_second_signal_stops_at_once_and_leaves_the_old_reports_whole() {
    let (_dir, out, child) = under_way_over_an_old_report();
    signal(&child, "SIGINT");
    signal(&child, "SIGINT");
    let (status, stderr) = wait(child);
    assert_eq!(status.code(), Some(2), "stderr: {stderr}");
    let now = std::fs::read_to_string(out.join("results.json")).expect("results.json");
    // Either the stop came before the reports were written (the old file is untouched) or
    // after (a whole new one): never a mix.
    if now != OLD_REPORT {
        let v: Value = serde_json::from_str(&now).expect("a replaced report is whole JSON");
        assert_eq!(v["interrupted"], "SIGINT");
    }
}

#[test]
fn a_killed_run_leaves_the_old_report_whole() {
    let (_dir, out, child) = under_way_over_an_old_report();
    signal(&child, "SIGKILL");
    let (status, _) = wait(child);
    assert_eq!(status.code(), None, "SIGKILL ends it");
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).expect("results.json"),
        OLD_REPORT,
        "the old report is untouched"
    );
}
