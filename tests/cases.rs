//! The case folders under `tests/cases/`: each is a vvcheck command line with its inputs and
//! the console output, JUnit and exit code a user would see (see `tests/cases/README.md`).
//! `VVCHECK_BLESS=1 cargo test --test cases` rewrites the expected files;
//! `VVCHECK_CASE=pass,fail` runs only those cases.
//!
//! The other tests here check the kit itself: masking, ordering, diffs, and that a wrong
//! expected file is a failure.

mod common;

use common::cases::{
    self, Case, Places, Produced, diff, mask, mask_console, sort_check_blocks, words,
};

/// Cases at once: each is a reference server plus one vvcheck process.
const JOBS: usize = 3;

/// The case folders that must exist: a deleted folder is a lost test, not a smaller suite.
const REQUIRED: &[&str] = &[
    "error",
    "fail",
    "load-error",
    "not-applicable",
    "pass",
    "skip-prerequisite",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_folders() {
    let all = cases::discover(&cases::cases_dir());
    if std::env::var_os("VVCHECK_CASE").is_none() {
        for name in REQUIRED {
            assert!(
                all.iter().any(|c| c.name == *name),
                "tests/cases/{name} is missing"
            );
        }
    }
    assert!(!all.is_empty(), "no case matched VVCHECK_CASE");
    let count = all.len();
    let results = cases::run_all(all, JOBS).await;
    let failed: Vec<String> = results.values().flatten().map(|m| m.to_string()).collect();
    let bad_cases = results.values().filter(|m| !m.is_empty()).count();
    assert!(
        failed.is_empty(),
        "{bad_cases} of {count} cases differ (VVCHECK_BLESS=1 rewrites the expected files, if \
         the change is meant):\n\n{}",
        failed.join("\n")
    );
    if cases::bless() {
        cases::note(&format!("{count} cases blessed"));
    }
}

fn places() -> Places {
    Places {
        paths: vec![
            ("{out}", "/tmp/.tmpAbC123/out".into()),
            ("{tmp}", "/tmp/.tmpAbC123".into()),
            ("{case}", "/src/vvcheck/tests/cases/pass".into()),
        ],
    }
}

const RAW: &str = "\
PASS [FUN-01] Starts  (functionality.FUN-01, mandatory) custom.start 0.04 s
FAIL [SEC-05] Reads  (security.SEC-05, mandatory) sec.read 0.00 s
     GET https://127.0.0.1:46573/api/conversations/c-fb56f3f392e5a1b2/messages/m-c0564012477e3c4d as patient_b → 200 OK
     expected no response to contain \"hello (vv36e1fc4c)\"
reports: /tmp/.tmpAbC123/out/junit.xml
";

#[test]
fn masking_replaces_paths_ports_ids_run_ids_and_times() {
    let masked = mask(RAW, &places());
    assert_eq!(
        masked,
        "\
PASS [FUN-01] Starts  (functionality.FUN-01, mandatory) custom.start <<TIME>> s
FAIL [SEC-05] Reads  (security.SEC-05, mandatory) sec.read <<TIME>> s
     GET https://127.0.0.1:<<PORT>>/api/conversations/c-<<ID>>/messages/m-<<ID>> as patient_b → 200 OK
     expected no response to contain \"hello (<<RUN_ID>>)\"
reports: {out}/junit.xml
"
    );
    assert_eq!(mask(&masked, &places()), masked, "masking is idempotent");
    let xml = r#"<testsuite time="0.004" timestamp="2026-12-01T10:24:07Z"><property name="vvcheck.version" value="0.1.0"/>"#;
    assert_eq!(
        mask(xml, &places()),
        r#"<testsuite time="<<TIME>>" timestamp="<<TIMESTAMP>>"><property name="vvcheck.version" value="<<VERSION>>"/>"#
    );
}

#[test]
fn masking_covers_the_varying_fields_of_results_json() {
    let json = r#"{ "tool_version": "0.1.0", "started_at": "2026-12-01T11:05:48.870892631Z", "duration_ms": 139, "exit_code": 0 }"#;
    assert_eq!(
        mask(json, &places()),
        r#"{ "tool_version": "<<VERSION>>", "started_at": "<<TIMESTAMP>>", "duration_ms": <<MS>>, "exit_code": 0 }"#
    );
}

#[test]
fn masking_keeps_what_does_not_vary() {
    let text = "SEC-05 exit code 1: 3 passed; expected status 403/404, saw 200 OK; 2 s (p95)\n";
    assert_eq!(mask(text, &places()), text);
}

#[test]
fn check_blocks_are_sorted_with_their_indented_lines_and_the_summary_stays() {
    let out = "\
SKIP [B] b
PASS [C] c
FAIL [A] a
     finding of a
     second line of a

domain  pass
FAIL [Z] requirement lines keep their order
PASS [Y] y
";
    assert_eq!(
        sort_check_blocks(out),
        "\
FAIL [A] a
     finding of a
     second line of a
PASS [C] c
SKIP [B] b

domain  pass
FAIL [Z] requirement lines keep their order
PASS [Y] y
"
    );
    let other = "error: x\n  --> f:1:2\nPASS [B] b\nPASS [A] a\n";
    assert_eq!(
        sort_check_blocks(other),
        "error: x\n  --> f:1:2\nPASS [A] a\nPASS [B] b\n",
        "a line of another kind is a barrier"
    );
}

#[test]
fn a_changed_line_is_a_diff_that_shows_both_sides_with_context() {
    let expected = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n";
    let actual = "one\ntwo\nthree\nfour\nFIVE\nsix\nseven\neight\nnine\n";
    assert_eq!(diff(expected, expected), None);
    let d = diff(expected, actual).expect("a difference");
    assert_eq!(
        d,
        "@@ expected line 2, actual line 2 @@\n two\n three\n four\n-five\n+FIVE\n six\n seven\n eight\n+nine\n"
    );
    let d = diff("a\n", "a").expect("a missing final newline is a difference");
    assert!(d.contains("differ only at the end"), "{d}");
    let d = diff("", "x\n").expect("output where none was expected");
    assert!(d.contains("+x"), "{d}");
}

#[test]
fn a_masked_placeholder_does_not_hide_a_real_difference() {
    let expected =
        "PASS [FUN-01] Starts  (functionality.FUN-01, mandatory) custom.start <<TIME>> s\n";
    let actual = mask_console(&RAW.replace("PASS [FUN-01]", "FAIL [FUN-01]"), &places());
    let d = diff(&mask_console(expected, &places()), &actual).expect("a difference");
    assert!(d.contains("-PASS [FUN-01]"), "{d}");
}

#[test]
fn command_lines_split_on_spaces_and_keep_quoted_words() {
    assert_eq!(
        words(r#"run --target {target}  --tag "a b" --x 'c "d"'"#).expect("splits"),
        [
            "run", "--target", "{target}", "--tag", "a b", "--x", "c \"d\""
        ]
    );
    assert_eq!(words("a ''").expect("splits"), ["a", ""]);
    assert!(words("a 'b").is_err());
}

#[test]
fn server_files_name_a_dialect_and_flaws() {
    let (dialect, flaws) =
        cases::server_options("# comment\n--dialect forms\n--flaw idor-message --flaw no-hsts\n")
            .expect("parses");
    assert_eq!(dialect.to_string(), "forms");
    assert_eq!(flaws.len(), 2);
    assert!(cases::server_options("--flaw idor-mesage").is_err());
    assert!(cases::server_options("--latency 3").is_err());
    assert!(cases::server_options("--dialect").is_err());
}

/// A copy of a real case folder with one expected file changed, run by the kit: the change is
/// reported against that file, and the untouched copy passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_expected_file_fails_its_case() {
    let source = cases::cases_dir().join("unknown-command");
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("unknown-command");
    std::fs::create_dir(&copy).expect("case folder");
    for entry in std::fs::read_dir(&source).expect("case folder readable") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copied");
    }
    let case = Case {
        name: "unknown-command".into(),
        dir: copy.clone(),
    };
    let (produced, places) = cases::produce(&case).await;
    assert_eq!(cases::compare(&case, &produced, &places).len(), 0);

    std::fs::write(copy.join(cases::EXIT_CODE), "0\n").expect("edited");
    let stderr = std::fs::read_to_string(copy.join(cases::STDERR)).expect("expected_stderr");
    std::fs::write(
        copy.join(cases::STDERR),
        stderr.replacen("error", "eror", 1),
    )
    .expect("edited");
    let found = cases::compare(&case, &produced, &places);
    let files: Vec<&str> = found.iter().map(|m| m.file.as_str()).collect();
    assert_eq!(files, [cases::EXIT_CODE, cases::STDERR], "{found:?}");
    assert!(
        found[1]
            .to_string()
            .contains("case `unknown-command`: expected_stderr differs")
    );

    std::fs::remove_file(copy.join(cases::EXIT_CODE)).expect("removed");
    let found = cases::compare(&case, &produced, &places);
    assert!(
        found.iter().any(|m| m.file == cases::EXIT_CODE),
        "a case without an expected exit code fails"
    );
    let unexpected = Produced {
        stdout: "surprise\n".into(),
        ..produced
    };
    let found = cases::compare(&case, &unexpected, &places);
    assert!(
        found.iter().any(|m| m.file == cases::STDOUT),
        "output where the case expects none (no expected_stdout) is a difference"
    );
}
