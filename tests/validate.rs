//! `vvcheck validate`: every bad-input fixture exits 2 with file:line:col and a clear message;
//! the shipped suites and the example profile are valid.

use assert_cmd::Command;

fn validate(file: &str) -> (i32, String, String) {
    let out = Command::cargo_bin("vvcheck")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["validate", file])
        .env("ACME_PA_PASSWORD", "pa-secret-1")
        .env("ACME_PB_PASSWORD", "pb-secret-1")
        .env("ACME_DR_PASSWORD", "dr-secret-1")
        .env("ACME_OUTBOX_TOKEN", "outbox-token-1")
        .env_remove("VVCHECK_FIXTURE_UNSET_SECRET")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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
        "probe-param-typo.yaml",
        "6:28",
        "probe `hsts`: unknown field `min_max_agee` (at `steps[0].with`)",
        "did you mean `min_max_age`?",
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

#[test]
fn all_errors_of_a_file_are_reported_at_once() {
    // Two unknown requirement IDs in two checks, plus a misspelt operation: three errors.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suite.yaml");
    std::fs::write(
        &path,
        "- id: a\n  title: A\n  requirements: [SEC-98]\n  steps: [{ call: list_conversations, as: patient_a }]\n\
         - id: b\n  title: B\n  requirements: [SEC-97]\n  steps: [{ call: list_conversatons, as: patient_a }]\n",
    )
    .unwrap();
    let (code, _, stderr) = validate(path.to_str().unwrap());
    assert_eq!(code, 2);
    assert!(stderr.contains("3 errors in the input files"), "{stderr}");
    assert!(
        stderr.contains(":3:18") && stderr.contains(":7:18") && stderr.contains(":8:19"),
        "{stderr}"
    );
}

#[test]
fn the_shipped_suites_and_the_example_profile_are_valid() {
    let (code, stdout, stderr) = validate("fixtures/targets/example.yaml");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("fixtures/targets/example.yaml: target profile"),
        "{stdout}"
    );
    assert!(stdout.contains("ok: "), "{stdout}");
    let out = Command::cargo_bin("vvcheck")
        .unwrap()
        .arg("validate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("edition vvcheck-baseline-1"));
}

#[test]
fn a_file_of_unknown_kind_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("what.yaml");
    std::fs::write(&path, "hello: world\n").unwrap();
    let (code, _, stderr) = validate(path.to_str().unwrap());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot tell what kind of file this is"),
        "{stderr}"
    );
}

#[test]
fn every_bad_step_actor_and_operation_is_reported_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("suite.yaml");
    std::fs::write(
        &suite,
        "- id: a\n  title: t\n  requirements: [FUN-01]\n  steps:\n    - call: list_conversations\n      az: x\n    - call: list_conversations\n      expect: { stauts: 200 }\n",
    )
    .unwrap();
    let (code, _, stderr) = validate(suite.to_str().unwrap());
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown field `az` (at `steps[0]`)") && stderr.contains(":6:7"),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown field `stauts` (at `steps[1].expect`)")
            && stderr.contains("did you mean `status`?"),
        "{stderr}"
    );

    let target = dir.path().join("target.yaml");
    std::fs::write(
        &target,
        "name: x\nbase_url: https://x.example\nauth:\n  a: { kind: bearer }\nactors:\n  p: { auth: a, tokn: { env: X } }\noperations:\n  logout: { method: POST }\n  mark_read: { pth: /b }\n",
    )
    .unwrap();
    let (code, _, stderr) = validate(target.to_str().unwrap());
    assert_eq!(code, 2);
    for expected in [
        "unknown field `tokn` (at `actors.p`)",
        "an operation needs a `path` (or `steps:`) (at `operations.logout`)",
        "unknown field `pth` (at `operations.mark_read`)",
    ] {
        assert!(
            stderr.contains(expected),
            "`{expected}` missing in\n{stderr}"
        );
    }
}
