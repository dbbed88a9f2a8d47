//! `vvcheck validate` on every bad-input fixture in `fixtures/invalid/`: exit 2 with
//! file:line:col and a clear message. Other `validate` behaviour (all errors of a file at once,
//! every bad step, files of unknown kind, the shipped suites and the example profile) is in case
//! folders (`tests/cases/`).

mod common;

use common::cli::{self, vvcheck};

fn validate(file: &str) -> (i32, String, String) {
    let r = vvcheck(["validate", file])
        .current_dir(cli::root())
        .env("ACME_PA_PASSWORD", "pa-secret-1")
        .env("ACME_PB_PASSWORD", "pb-secret-1")
        .env("ACME_DR_PASSWORD", "dr-secret-1")
        .env("ACME_OUTBOX_TOKEN", "outbox-token-1")
        .env_remove("VVCHECK_FIXTURE_UNSET_SECRET")
        .run();
    (r.code(), r.stdout, r.stderr)
}

/// (fixture, position printed, message, hint) — one row per bad-input case.
const CASES: &[(&str, &str, &str, &str)] = &[
    ("bad-yaml-syntax.yaml", "4:8", "invalid YAML", ""),
    (
        "duplicate-key.yaml",
        "3:3",
        "duplicate mapping key: title",
        "each key may appear once",
    ),
    (
        "unknown-field.yaml",
        "2:3",
        "unknown field `titel`",
        "did you mean `title`?",
    ),
    (
        "unknown-requirement.yaml",
        "3:18",
        "unknown requirement `SEC-99`",
        "did you mean `SEC-09`?",
    ),
    (
        "unknown-operation.yaml",
        "5:13",
        "unknown operation `get_mesage`",
        "did you mean `get_message`?",
    ),
    (
        "needs-cycle.yaml",
        "11:11",
        "`needs` forms a cycle: fun.first → fun.second → fun.first",
        "",
    ),
    (
        "missing-env-secret.yaml",
        "18:76",
        "environment variable `VVCHECK_FIXTURE_UNSET_SECRET` is not set",
        "export VVCHECK_FIXTURE_UNSET_SECRET",
    ),
    (
        "wrong-type.yaml",
        "4:14",
        "invalid type: string \"soon\", expected u64 (at `timeout_s`)",
        "",
    ),
    ("empty-suite.yaml", "1:1", "the suite has no checks", ""),
    (
        "bad-url.yaml",
        "6:11",
        "invalid URL `htps//sm.staging.acme.example`",
        "write a full URL",
    ),
    (
        "bad-regex.yaml",
        "8:23",
        "invalid regular expression `([a-z`",
        "",
    ),
    (
        "bad-jsonpath.yaml",
        "9:11",
        "invalid JSONPath `$.conversations[[0`",
        "",
    ),
    (
        "undefined-variable.yaml",
        "7:32",
        "undefined variable `conversation_idd`",
        "",
    ),
    (
        "missing-input.yaml",
        "5:13",
        "`get_message` needs input `message_id`",
        "",
    ),
    (
        "inline-secret.yaml",
        "18:69",
        "secrets are never written inline",
        "",
    ),
    (
        "profile-unknown-operation.yaml",
        "39:3",
        "unknown operation `get_mesage`",
        "did you mean `get_message`?",
    ),
    (
        "attestation-bad-date.yaml",
        "5:11",
        "`2026-02-30` is not a date (YYYY-MM-DD)",
        "",
    ),
];

#[test]
fn every_invalid_fixture_exits_2_with_position_message_and_hint() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/invalid");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        CASES.len(),
        "every fixture in fixtures/invalid needs a row in CASES"
    );
    for (file, pos, message, hint) in CASES {
        let path = format!("fixtures/invalid/{file}");
        let (code, _, stderr) = validate(&path);
        assert_eq!(code, 2, "{file}: exit code\n{stderr}");
        assert!(
            stderr.contains(&format!("--> {path}:{pos}")),
            "{file}: position {pos} missing in\n{stderr}"
        );
        assert!(
            stderr.contains(message),
            "{file}: message `{message}` missing in\n{stderr}"
        );
        assert!(
            stderr.contains(hint),
            "{file}: hint `{hint}` missing in\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{file}: panic\n{stderr}");
    }
}
