//! Reports of demo runs compared with the reports the same runs wrote before the spine was
//! rebuilt: `results.json` may gain keys but keeps every key and value it had, and the JUnit of a
//! clean run is unchanged, once times, ports, ids and latency figures are masked.
//!
//! Each `results.json` is also read back into the outcome types and written again, unchanged.
//!
//! `VVCHECK_BLESS=1 cargo test --test golden` rewrites the expected files (only after a change
//! to the reports that is meant, and said so in the commit).

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::cli::vvcheck;

/// Masks what differs between two runs of the same plan.
fn normalize(text: &str) -> String {
    let rules: [(&str, &str); 21] = [
        // The demo's temporary folder (where the reference attestations are written).
        (r#"[^\s"]*vvcheck-demo-[A-Za-z0-9]+"#, "DEMO"),
        (r"read \d+ notifications", "read N notifications"),
        // Counts of the whole run's exchanges and cookies grow with the sessions renewed.
        (r"of \d+ answered exchanges", "of N answered exchanges"),
        (r"\d+ session cookies set", "N session cookies set"),
        (r"PHI in (\d+) of \d+", "PHI in $1 of N"),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        // What passive checks count depends on how many pages concurrent checks' lists ran to.
        (r"inspected \d+ recorded", "inspected N recorded"),
        (r"on \d+ of \d+", "on N of N"),
        // How many examples a finding lists past its first three depends on how many times a
        // loaded machine's shared sessions had to sign in again.
        (r", and \d+ more", ""),
        (r"in \d+ elements?\b", "in N elements"),
        // The reference server's certificates are made at start-up.
        (r"\b\d{4}-\d{2}-\d{2}\b", "DATE"),
        (r"[0-9a-f]{64}", "SHA256"),
        (r"\(\d+ days left\)", "(N days left)"),
        (r#""days_left": -?\d+"#, r#""days_left": 0"#),
        (r"\b([a-z])-[0-9a-f]{16}\b", "$1-ID"),
        (r"\bvv[0-9a-f]{8}\b", "RUN_ID"),
        (r"\d+ ms\b", "N ms"),
        (r#""(duration_ms|elapsed_ms)": \d+"#, r#""$1": 0"#),
        (r#"time="[0-9.]+""#, r#"time="0""#),
        (r#""started_at": "[^"]+""#, r#""started_at": "T""#),
        (r#"timestamp="[^"]+""#, r#"timestamp="T""#),
    ];
    let mut out = text.to_string();
    for (pattern, with) in rules {
        let re = regex::Regex::new(pattern).expect("valid pattern");
        out = re.replace_all(&out, with).into_owned();
    }
    out
}

/// Whether a report line is there only because of when the run's shared sessions came due:
/// a renewal note, or a sign-in request of the two dialects the goldens run (renewals sign in
/// again; every other sign-in goes too, so a golden never depends on which check saw one).
fn timing_line(line: &str) -> bool {
    let sign_in = regex::Regex::new(
        r"^\s*(GET|POST) https://127\.0\.0\.1:PORT/(oauth/token|account/signin) as ",
    )
    .expect("valid pattern");
    line.contains("the shared session of ") || sign_in.is_match(line.trim_start_matches('"'))
}

/// results.json masked, without the lines that depend on when sessions came due.
fn normalize_json(text: &str) -> String {
    let mut report: Value = serde_json::from_str(&normalize(text)).expect("results.json parses");
    let checks = report["checks"].as_array_mut().expect("checks");
    for check in checks {
        // The lockout check reads throttling from answer times, so what it tried and noted
        // depends on the machine's load; its verdict stays compared.
        if check["id"] == "sec.session.lockout" {
            for key in ["details", "exchanges"] {
                check[key] = Value::Array(Vec::new());
            }
        }
        for key in ["details", "exchanges"] {
            if let Some(lines) = check[key].as_array_mut() {
                lines.retain(|l| !l.as_str().is_some_and(timing_line));
            }
        }
        // How many elements a page's rules applied to depends on what concurrent checks had
        // put in the inbox by then; the rules and verdicts stay compared.
        let mut stack: Vec<&mut Value> =
            check["a11y"].as_array_mut().into_iter().flatten().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Object(o) => {
                    if let Some(n) = o.get_mut("checked") {
                        *n = Value::from(0);
                    }
                    if let Some(Value::Array(rules)) = o.get_mut("rules") {
                        for r in rules.iter_mut() {
                            if let Some(n) = r.get_mut(1).filter(|n| n.is_number()) {
                                *n = Value::from(0);
                            }
                        }
                    }
                    stack.extend(o.values_mut());
                }
                Value::Array(a) => stack.extend(a.iter_mut()),
                _ => {}
            }
        }
        // Latency figures keep their shape; what they measured differs from run to run.
        for op in check["latency"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .filter_map(|l| l["operations"].as_array_mut())
            .flatten()
        {
            for key in ["p50_ms", "p95_ms", "max_ms", "p95_unstalled_ms"] {
                op[key] = Value::from(0);
            }
            for bucket in op["histogram"].as_array_mut().into_iter().flatten() {
                bucket["count"] = Value::from(0);
            }
            for key in ["samples_ms", "stalled_ms"] {
                op[key] = Value::Array(Vec::new());
            }
        }
    }
    let mut out = serde_json::to_string_pretty(&report).expect("serialises");
    out.push('\n');
    out
}

/// junit.xml masked, without the lines that depend on when sessions came due.
fn normalize_xml(text: &str) -> String {
    let masked = normalize(text);
    // As in results.json: the lockout check's details depend on the machine's load.
    let masked = regex::Regex::new(
        r"(check: sec\.session\.lockout\n(?:[^\n]*\n)*?status: \w+)(?s:.*?)</system-out>",
    )
    .expect("valid pattern")
    .replace_all(&masked, "$1</system-out>")
    .into_owned();
    let lines: Vec<&str> = masked.lines().filter(|l| !timing_line(l)).collect();
    let joined = lines.join("\n") + "\n";
    regex::Regex::new(r"\n\n\n+")
        .expect("valid pattern")
        .replace_all(&joined, "\n\n")
        .into_owned()
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn bless() -> bool {
    std::env::var_os("VVCHECK_BLESS").is_some()
}

/// Every key and value of `expected` is in `actual` (objects may gain keys; arrays keep length
/// and order). Returns the path of the first difference.
fn contains(expected: &Value, actual: &Value, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let Some(av) = a.get(k) else {
                    return Err(format!("{path}.{k}: missing"));
                };
                contains(ev, av, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{path}: {} items, expected {}", a.len(), e.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                contains(ev, av, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        _ if expected == actual => Ok(()),
        _ => Err(format!("{path}: {actual}, expected {expected}")),
    }
}

async fn demo(name: &str, args: &[&str], junit: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = vvcheck(["demo"])
        .args(args)
        .arg("--out")
        .arg(dir.path())
        .run_async()
        .await;
    assert!(matches!(out.code, Some(0 | 1)), "{name}: demo ran\n{out}");
    let written = std::fs::read_to_string(dir.path().join("results.json")).unwrap();
    // results.json is the outcome types: read back and written again, it is the same text.
    let back: vvcheck::outcome::RunReport =
        serde_json::from_str(&written).expect("results.json reads back into RunReport");
    let mut again = serde_json::to_string_pretty(&back).expect("serialises");
    again.push('\n');
    assert!(again == written, "{name}: results.json does not round-trip");
    let json = normalize_json(&written);
    let xml = normalize_xml(&std::fs::read_to_string(dir.path().join("junit.xml")).unwrap());
    let json_file = golden(&format!("{name}.results.json"));
    let xml_file = golden(&format!("{name}.junit.xml"));
    if bless() {
        std::fs::create_dir_all(golden("")).unwrap();
        std::fs::write(&json_file, &json).unwrap();
        if junit {
            std::fs::write(&xml_file, &xml).unwrap();
        }
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&json_file).unwrap())
        .expect("golden JSON parses");
    let actual: Value = serde_json::from_str(&json).expect("results.json parses");
    if let Err(diff) = contains(&expected, &actual, "$") {
        panic!("{name}: results.json changed at {diff}");
    }
    if junit {
        let expected = std::fs::read_to_string(&xml_file).unwrap();
        assert!(
            expected == xml,
            "{name}: junit.xml changed\n--- expected\n{expected}\n--- actual\n{xml}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_reports_are_unchanged() {
    tokio::join!(
        demo("clean-rest", &[], true),
        demo("clean-forms", &["--dialect", "forms"], true),
        demo("idor-message", &["--flaw", "idor-message"], false),
        demo(
            "no-hsts-weak-cookie",
            &["--flaw", "no-hsts", "--flaw", "weak-cookie"],
            false
        ),
        demo(
            "cacheable-phi-forms",
            &["--dialect", "forms", "--flaw", "cacheable-phi"],
            false
        ),
    );
}

#[test]
fn contains_sees_a_changed_value_and_a_missing_key() {
    let e = serde_json::json!({"a": [1, {"b": 2}]});
    assert!(
        contains(
            &e,
            &serde_json::json!({"a": [1, {"b": 2, "c": 3}], "d": 4}),
            "$"
        )
        .is_ok()
    );
    assert_eq!(
        contains(&e, &serde_json::json!({"a": [1, {"b": 3}]}), "$"),
        Err("$.a[1].b: 3, expected 2".into())
    );
    assert_eq!(
        contains(&e, &serde_json::json!({"a": [1, {}]}), "$"),
        Err("$.a[1].b: missing".into())
    );
}
