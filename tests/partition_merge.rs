//! Partitioned runs merged equal one run: the demo run whole and in three parts, the parts
//! merged, and the merged JUnit testcases, check statuses and requirement verdicts compared with
//! the whole run's; merge refuses parts of different runs; diff tells regressions from fixes.

mod common;

use vvcheck::outcome::Standing;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::cli::{Run, vvcheck};
use quick_xml::events::Event;
use vvcheck::outcome::RunReport;

/// `vvcheck demo ARGS --out DIR -q`, with the run's exit code checked.
fn demo(args: &[&str], out: &Path, code: i32) -> Run {
    let run = vvcheck(["demo", "-q", "--out"]).arg(out).args(args).run();
    assert_eq!(
        run.code,
        Some(code),
        "{}\n{}{}",
        run.line,
        run.stdout,
        run.stderr
    );
    run
}

fn results(dir: &Path) -> RunReport {
    let text = std::fs::read_to_string(dir.join("results.json")).expect("results.json written");
    serde_json::from_str(&text).expect("a RunReport")
}

/// `vvcheck merge` of the parts' results into `out`.
fn merge(parts: &[PathBuf], out: &Path) -> Run {
    vvcheck(["merge", "-q", "--out"])
        .arg(out)
        .args(parts.iter().map(|p| p.join("results.json")))
        .run()
}

/// Every testcase of a JUnit file: classname, name and outcome kind, in file order.
fn testcases(dir: &Path) -> Vec<(String, String, &'static str)> {
    let xml = std::fs::read_to_string(dir.join("junit.xml")).expect("junit.xml written");
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut cases = Vec::new();
    let attr = |e: &quick_xml::events::BytesStart, key: &[u8]| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| a.unescape_value().ok())
            .map(|v| v.into_owned())
            .unwrap_or_default()
    };
    loop {
        match reader.read_event().expect("well-formed JUnit") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                cases.push((attr(&e, b"classname"), attr(&e, b"name"), "pass"));
            }
            Event::Start(e) | Event::Empty(e) => {
                let kind = match e.name().as_ref() {
                    b"failure" => "failure",
                    b"error" => "error",
                    b"skipped" => "skipped",
                    _ => continue,
                };
                if let Some(last) = cases.last_mut() {
                    last.2 = kind;
                }
            }
            _ => {}
        }
    }
    cases
}

fn statuses(r: &RunReport) -> Vec<(String, String)> {
    r.checks
        .iter()
        .map(|c| (c.id.clone(), c.status.to_string()))
        .collect()
}

fn verdicts(r: &RunReport) -> Vec<(String, String)> {
    r.requirements
        .iter()
        .map(|v| (v.id.0.clone(), v.verdict.to_string()))
        .collect()
}

/// The demo with `args`, whole and in three parts, and the parts merged: the merge reports
/// what the whole run reports. Returns the folders (whole, parts, merged).
fn whole_and_merged(args: &[&str], code: i32) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let whole = dir.path().join("whole");
    demo(args, &whole, code);
    let parts: Vec<PathBuf> = (1..=3)
        .map(|k| dir.path().join(format!("part-{k}")))
        .collect();
    for (k, part) in parts.iter().enumerate() {
        let partition = format!("{}/3", k + 1);
        let mut with = args.to_vec();
        with.extend(["--partition", &partition]);
        demo(&with, part, code);
    }
    let merged = dir.path().join("merged");
    let run = merge(&parts, &merged);
    assert_eq!(
        run.code,
        Some(code),
        "{}\n{}{}",
        run.line,
        run.stdout,
        run.stderr
    );
    let (w, m) = (results(&whole), results(&merged));
    assert_eq!(statuses(&m), statuses(&w), "check statuses");
    assert_eq!(verdicts(&m), verdicts(&w), "requirement verdicts");
    assert_eq!(
        (m.summary, m.verdicts, m.exit_code),
        (w.summary, w.verdicts, w.exit_code)
    );
    assert_eq!(testcases(&merged), testcases(&whole), "JUnit testcases");
    assert_eq!(m.overall, w.overall, "overall standing");
    let entries = |r: &RunReport| {
        r.attestations
            .iter()
            .map(|e| (e.requirement.clone(), e.outcome))
            .collect::<Vec<_>>()
    };
    assert_eq!(entries(&m), entries(&w), "what became of each attestation");
    for (part, p) in parts.iter().map(|p| (p, results(p))) {
        assert!(
            p.overall.partial.is_some()
                && !matches!(
                    p.overall.standing,
                    Standing::ConformantAttested | Standing::ConformantValidated
                ),
            "{} alone is a part, not the whole run: {:?}",
            part.display(),
            p.overall
        );
    }
    let raw = std::fs::read_to_string(merged.join("results.json")).expect("written");
    assert!(!raw.contains("\"partition\""), "a merged run is not a part");
    (dir, parts)
}

#[test]
fn the_demo_in_three_parts_merged_equals_one_run() {
    let (dir, parts) = whole_and_merged(&[], 0);
    let whole = results(&dir.path().join("whole"));
    // No part reports more than its share of the active checks (set-up checks are not reported).
    let passive: BTreeSet<String> = results(&parts[0]).passive_checks.into_iter().collect();
    let active = whole.checks.len() - passive.len();
    for part in &parts {
        let r = results(part);
        let own = r.checks.iter().filter(|c| !passive.contains(&c.id)).count();
        assert!(
            own <= whole.checks.len().div_ceil(3) && own <= active.div_ceil(3),
            "{} reports {own} active checks of {active}",
            part.display()
        );
        assert!(own + 1 >= active / 3, "{} is balanced", part.display());
    }
    // GitLab drops testcases with the same classname and name.
    let cases = testcases(&dir.path().join("merged"));
    let pairs: BTreeSet<(&str, &str)> = cases
        .iter()
        .map(|(c, n, _)| (c.as_str(), n.as_str()))
        .collect();
    assert_eq!(pairs.len(), cases.len(), "unique (classname, name) pairs");
}

#[test]
fn a_flaw_only_a_passive_check_sees_is_caught_by_the_merged_parts() {
    let (dir, _) = whole_and_merged(
        &[
            "--flaw",
            "other-patient-phi",
            "--requirement",
            "PRV-04,FUN-02",
        ],
        1,
    );
    let merged = results(&dir.path().join("merged"));
    let passive = merged
        .checks
        .iter()
        .find(|c| c.id == "prv.phi.no-other-patients-phi")
        .expect("the passive PRV-04 check");
    assert_eq!(passive.status.to_string(), "fail");
    assert!(!passive.findings.is_empty());
}

/// A small run's two parts, for the refusals.
fn two_parts(dir: &Path) -> Vec<PathBuf> {
    (1..=2)
        .map(|k| {
            let part = dir.join(format!("part-{k}"));
            demo(
                &["--requirement", "SEC-05", "--partition", &format!("{k}/2")],
                &part,
                0,
            );
            part
        })
        .collect()
}

/// A copy of `part`'s results with `edit` applied, in a folder of its own.
fn edited(part: &Path, name: &str, edit: impl Fn(&mut serde_json::Value)) -> PathBuf {
    let text = std::fs::read_to_string(part.join("results.json")).expect("written");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    edit(&mut json);
    let dir = part.with_file_name(name);
    std::fs::create_dir_all(&dir).expect("made");
    std::fs::write(dir.join("results.json"), json.to_string()).expect("written");
    dir
}

#[test]
fn merge_refuses_parts_of_different_runs_and_a_part_twice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let parts = two_parts(dir.path());
    let out = dir.path().join("merged");
    let refused = |files: &[PathBuf], says: &str| {
        let run = merge(files, &out);
        assert_eq!(
            run.code,
            Some(2),
            "{}\n{}{}",
            run.line,
            run.stdout,
            run.stderr
        );
        assert!(run.stderr.contains(says), "{says:?} in {}", run.stderr);
        assert!(!out.join("results.json").exists(), "nothing written");
    };
    refused(
        &[parts[0].clone(), parts[0].clone()],
        "part 1/2 was already given",
    );
    refused(&[parts[0].clone()], "parts missing: 2/2");
    let other_target = edited(&parts[1], "target", |j| {
        j["target"] = "another vendor".into()
    });
    refused(
        &[parts[0].clone(), other_target],
        "the target is another vendor",
    );
    let other_edition = edited(&parts[1], "edition", |j| j["edition"] = "official-2".into());
    refused(
        &[parts[0].clone(), other_edition],
        "the edition is official-2",
    );
    let other_suites = edited(&parts[1], "suites", |j| j["suites_digest"] = "00".into());
    refused(
        &[parts[0].clone(), other_suites],
        "the suites' digest is 00",
    );
    let three = edited(&parts[1], "three", |j| j["partition"] = "2/3".into());
    refused(&[parts[0].clone(), three], "the number of parts is 3");
    // Part 2 also reporting an active check part 1 reports.
    let part_one = results(&parts[0]);
    let owned = &part_one.checks[0].id;
    let clash = edited(&parts[1], "clash", |j| {
        j["checks"][0]["id"] = owned.clone().into()
    });
    refused(
        &[parts[0].clone(), clash],
        &format!("check `{owned}` is also reported by"),
    );
    let not_json = dir.path().join("junk");
    std::fs::create_dir_all(&not_json).expect("made");
    std::fs::write(not_json.join("results.json"), "{\"hello\": 1}").expect("written");
    refused(
        &[parts[0].clone(), not_json.clone()],
        "junk/results.json: not a vvcheck results.json",
    );
    let run = merge(&parts, &out);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
}

#[test]
fn diff_tells_a_new_mandatory_failure_from_a_fix() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (clean, flawed) = (dir.path().join("clean"), dir.path().join("flawed"));
    demo(&["--requirement", "SEC-05"], &clean, 0);
    demo(
        &["--requirement", "SEC-05", "--flaw", "idor-message"],
        &flawed,
        1,
    );
    let (old, new) = (clean.join("results.json"), flawed.join("results.json"));
    let worse = vvcheck(["diff"]).arg(&old).arg(&new).run();
    assert_eq!(worse.code, Some(1), "{}{}", worse.stdout, worse.stderr);
    assert!(worse.stdout.contains("New failures ("), "{}", worse.stdout);
    assert!(
        worse.stdout.contains("SEC-05")
            && worse.stdout.contains("pass → fail")
            && worse.stdout.contains("REGRESSED"),
        "{}",
        worse.stdout
    );
    let better = vvcheck(["diff"]).arg(&new).arg(&old).run();
    assert_eq!(better.code, Some(0), "{}{}", better.stdout, better.stderr);
    assert!(
        better.stdout.contains("New failures (0)"),
        "{}",
        better.stdout
    );
    assert!(
        better.stdout.contains("sec.access.cross-patient-message")
            && better.stdout.contains("fail → pass"),
        "{}",
        better.stdout
    );
    let json = vvcheck(["diff", "--format", "json"])
        .arg(&old)
        .arg(&new)
        .run();
    assert_eq!(json.code, Some(1));
    let d: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert!(
        d["verdicts"]
            .as_array()
            .expect("verdicts")
            .iter()
            .any(|v| v["id"] == "SEC-05"
                && v["old"] == "pass"
                && v["new"] == "fail"
                && v["regressed"] == true),
        "{d}"
    );
    let unreadable = vvcheck(["diff"])
        .arg(&old)
        .arg(dir.path().join("none.json"))
        .run();
    assert_eq!(unreadable.code, Some(2));
    assert!(
        unreadable.stderr.contains("none.json: cannot read"),
        "{}",
        unreadable.stderr
    );
    let summary = vvcheck(["summary"]).arg(&new).run();
    assert_eq!(summary.code, Some(0));
    assert!(
        summary.stdout.contains("## vvcheck") && summary.stdout.contains("SEC-05"),
        "{}",
        summary.stdout
    );
}
