//! `vvcheck report spec` on the demo's results.json: the recommended requirements met under
//! the five domain headings, as Markdown and as JSON, the same either way; and a file that is
//! no results.json of this layout is refused with exit code 2.

mod common;

use common::cli::vvcheck;
use serde_json::Value;

#[test]
fn the_demo_s_specification_in_both_formats_and_bad_input_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    vvcheck(["demo", "-q", "--out"])
        .arg(&out)
        .run()
        .assert_code(0);
    let results = out.join("results.json");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&results).expect("results.json"))
            .expect("JSON");
    let met: Vec<(String, String)> = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| {
            r["level"] == "recommended"
                && ["pass", "attested"].contains(&r["verdict"].as_str().unwrap_or_default())
        })
        .map(|r| {
            (
                r["domain"].as_str().unwrap_or_default().to_string(),
                r["id"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        !met.is_empty(),
        "the demo meets some recommended requirements"
    );

    let md = vvcheck(["report", "spec"]).arg(&results).run();
    md.assert_code(0);
    assert!(
        md.stdout.contains("## Recommended requirements met\n"),
        "{md}"
    );
    let headings: Vec<&str> = md
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|l| l.split(" (").next().unwrap_or_default())
        .collect();
    assert_eq!(
        headings,
        [
            "Privacy",
            "Security",
            "Technology",
            "Accessibility",
            "Functionality"
        ]
    );
    for (_, id) in &met {
        assert!(
            md.stdout.contains(&format!("\n- {id}: ")),
            "{id} listed:\n{md}"
        );
    }

    let json_file = dir.path().join("spec.json");
    vvcheck(["report", "spec", "--format", "json", "--out"])
        .arg(&json_file)
        .arg(&results)
        .run()
        .assert_code(0);
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).expect("spec.json"))
            .expect("JSON");
    let listed: Vec<(String, String)> = spec["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .flat_map(|d| {
            let domain = d["domain"].as_str().unwrap_or_default().to_string();
            d["met"].as_array().into_iter().flatten().map(move |m| {
                (
                    domain.clone(),
                    m["id"].as_str().unwrap_or_default().to_string(),
                )
            })
        })
        .collect();
    let mut expected = met.clone();
    expected.sort();
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, expected, "JSON lists what the verdicts say");

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"schema_version\": 99}").expect("written");
    let refused = vvcheck(["report", "spec"]).arg(&bad).run();
    refused.assert_code(2);
    assert!(refused.stderr.contains("schema_version 99"), "{refused}");
    std::fs::write(&bad, "not json").expect("written");
    let refused = vvcheck(["report", "spec"]).arg(&bad).run();
    refused.assert_code(2);
    assert!(
        refused.stderr.contains("not a vvcheck results.json"),
        "{refused}"
    );
}
