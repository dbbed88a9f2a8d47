//! Hostile and broken input files given to `vvcheck validate`: each is refused with exit 2 and a
//! located message (file:line:column), quickly and with bounded output, never a crash, a hang or
//! a silent success. One test per reproducer; the fixtures are in `fixtures/hostile-inputs/`
//! (see the README there), the large ones generated here.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::cli::{self, Run, vvcheck};

/// Far more than any of these takes; a parser that goes exponential or recurses without end
/// would pass it.
const LIMIT: Duration = Duration::from_secs(60);

/// The most a refusal may print.
const MAX_PRINTED: usize = 64 * 1024;

fn fixture(name: &str) -> String {
    format!("fixtures/hostile-inputs/{name}")
}

fn validate(files: &[&str]) -> Run {
    vvcheck(["validate"])
        .args(files)
        .current_dir(cli::root())
        .timeout(LIMIT)
        .run()
}

/// Exit 2, no panic, a diagnostic at `file:at` whose `error:` line contains `message`, and
/// output bounded.
fn refused(r: &Run, file: &str, at: &str, message: &str) {
    let stderr = &r.stderr;
    assert_eq!(r.code(), 2, "exit code\n{stderr}");
    assert!(!stderr.contains("panicked"), "panic\n{stderr}");
    assert!(
        stderr.len() + r.stdout.len() <= MAX_PRINTED,
        "{} bytes printed",
        stderr.len() + r.stdout.len()
    );
    let arrow = format!("  --> {file}:{at}");
    let lines: Vec<&str> = stderr.lines().collect();
    let Some(k) = lines.iter().position(|l| *l == arrow) else {
        panic!("no diagnostic at {file}:{at}\n{stderr}");
    };
    let error = k.checked_sub(1).map_or("", |i| lines[i]);
    assert!(
        error.starts_with("error: ") && error.contains(message),
        "`{message}` not in `{error}`\n{stderr}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path.display().to_string()
}

fn suite_with_json_key(path: &str) -> String {
    // An explicit key (`? …`): a plain one may be no longer than 1024 characters.
    format!(
        "- id: hostile.path\n  title: A long JSONPath\n  requirements: [FUN-01]\n  steps:\n    - call: list_conversations\n      as: patient_a\n      expect:\n        json:\n          ? \"{path}\"\n          : exists\n"
    )
}

#[test]
fn four_thousand_nested_parentheses_are_refused_not_a_stack_overflow() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = format!("$[?{}@.a{}]", "(".repeat(4000), ")".repeat(4000));
    let file = write(dir.path(), "parens.yaml", &suite_with_json_key(&path));
    let r = validate(&[&file]);
    refused(
        &r,
        &file,
        "9:13",
        "the JSONPath nests 33 levels deep; the limit is 32",
    );
}

#[test]
fn a_profile_jsonpath_nested_too_deep_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let example = std::fs::read_to_string(cli::root().join("fixtures/targets/example.yaml"))
        .expect("example profile");
    let deep = format!("$.{}a{}", "[".repeat(40), "]".repeat(40));
    let profile = example.replacen("from_json: $.csrf", &format!("from_json: \"{deep}\""), 1);
    assert_ne!(profile, example, "the example profile reads a CSRF token");
    let file = write(dir.path(), "target.yaml", &profile);
    let r = vvcheck(["validate", &file])
        .current_dir(cli::root())
        .timeout(LIMIT)
        .env("ACME_PA_PASSWORD", "x")
        .env("ACME_PB_PASSWORD", "x")
        .env("ACME_DR_PASSWORD", "x")
        .env("ACME_OUTBOX_TOKEN", "x")
        .env("ACME_LOCK_PASSWORD", "x")
        .run();
    assert_eq!(r.code(), 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the JSONPath nests 33 levels deep; the limit is 32"),
        "{}",
        r.stderr
    );
}

#[test]
fn twenty_four_nested_filters_are_refused_at_once() {
    let file = fixture("deep-filters.yaml");
    let started = Instant::now();
    let r = validate(&[&file]);
    refused(
        &r,
        &file,
        "9:11",
        "the JSONPath nests 7 filters (`[?…]`); the limit is 6",
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn thirty_thousand_bad_items_print_forty_diagnostics_and_a_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let items = vec!["SEC-99"; 30_000].join(", ");
    let text = format!(
        "- id: hostile.many\n  title: Many bad items\n  requirements: [{items}]\n  steps: [{{ call: list_conversations, as: patient_a }}]\n"
    );
    assert!(text.len() > 60_000);
    let file = write(dir.path(), "many.yaml", &text);
    let r = validate(&[&file]);
    refused(&r, &file, "3:18", "unknown requirement `SEC-99`");
    assert_eq!(r.stderr.matches("error: unknown requirement").count(), 40);
    assert!(
        r.stderr
            .contains("… and 29960 more errors\n\n30000 errors in the input files"),
        "{}",
        r.stderr
    );
    // Each source line is a window around its column, not the whole 180 KB line.
    assert!(r.stderr.lines().all(|l| l.chars().count() < 200));
}

#[test]
fn a_nul_byte_is_an_error_where_it_is_not_the_end_of_the_file() {
    let file = fixture("nul-attestation.yaml");
    let r = validate(&[&file]);
    refused(&r, &file, "7:1", "the file holds a NUL byte");
    assert!(!r.stdout.contains("ok:"), "{}", r.stdout);
}

#[test]
fn a_template_error_inside_expect_points_at_the_template() {
    let file = fixture("expect-template-error.yaml");
    let r = validate(&[&file]);
    refused(&r, &file, "8:29", "template `{{ conversation_id `");
    assert!(!r.stderr.contains(":0:0"), "{}", r.stderr);
}

#[test]
fn invalid_utf8_is_located_at_its_first_bad_byte() {
    let file = fixture("invalid-utf8.yaml");
    let r = validate(&[&file]);
    refused(&r, &file, "2:52", "the file is not valid UTF-8");
}

#[test]
fn a_utf16_file_is_named_as_such() {
    let file = fixture("utf16.yaml");
    let r = validate(&[&file]);
    refused(
        &r,
        &file,
        "1:1",
        "the file is UTF-16; input files are UTF-8",
    );
}

#[test]
fn a_template_bomb_is_refused_without_allocating_it() {
    let file = fixture("template-bomb.yaml");
    let r = validate(&[&file]);
    refused(
        &r,
        &file,
        "8:24",
        "a string may be repeated with `*` only by numbers written beside it",
    );
}

#[test]
fn yaml_nested_too_deep_is_refused_in_plain_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Flow lists (the parser's own guard) and block mappings (the depth limit).
    let flow = format!("x: {}1{}\n", "[".repeat(2001), "]".repeat(2001));
    let block: String = (0..100)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    for (name, text) in [("flow.yaml", flow), ("block.yaml", block)] {
        let file = write(dir.path(), name, &text);
        let r = validate(&[&file]);
        assert_eq!(r.code(), 2, "{}", r.stderr);
        assert!(
            r.stderr
                .contains("lists and mappings nest more than 64 levels deep; the limit is 64"),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("budget"), "{}", r.stderr);
        assert!(r.stderr.contains(&format!("  --> {file}:")), "{}", r.stderr);
    }
}

#[test]
fn a_second_document_is_refused_in_plain_words() {
    let file = fixture("multiple-documents.yaml");
    let r = validate(&[&file]);
    refused(
        &r,
        &file,
        "8:1",
        "the file holds more than one YAML document",
    );
    assert!(!r.stderr.contains("from_multiple"), "{}", r.stderr);
}

#[test]
fn a_tagged_value_is_refused_in_plain_words() {
    let file = fixture("tagged-scalar.yaml");
    let r = validate(&[&file]);
    refused(&r, &file, "2:16", "a value has a tag (`!name`)");
    assert!(!r.stderr.contains("scalar tagged"), "{}", r.stderr);
}

#[test]
fn one_shipped_suite_validates_beside_the_others() {
    let r = validate(&["suites/privacy.yaml"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("suites/privacy.yaml: suite\nok: "),
        "{}",
        r.stdout
    );
    let all = validate(&[]);
    let checks = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("ok: "))
            .map(str::to_string)
    };
    assert_eq!(
        checks(&r.stdout),
        checks(&all.stdout),
        "the same checks, once each"
    );
}
