//! `vvcheck validate` on every bad-input fixture in `fixtures/invalid/`: exit 2 with
//! file:line:col, a clear message, and exactly the hint under the caret (or none, asserted).
//! Other `validate` behaviour (all errors of a file at once, every bad step, files of unknown
//! kind, the shipped suites and the example profile) is in case folders (`tests/cases/`).

mod common;

use common::cli::{self, vvcheck};

/// (fixture, position printed, message, hint under the caret or `None`) — one row per fixture.
const CASES: &[(&str, &str, &str, Option<&str>)] = &[
    ("bad-yaml-syntax.yaml", "4:8", "invalid YAML", None),
    ("profile-broken-yaml.yaml", "5:7", "invalid YAML", None),
    (
        "duplicate-key.yaml",
        "3:3",
        "duplicate mapping key: title",
        Some("each key may appear once in a mapping"),
    ),
    (
        "unknown-field.yaml",
        "2:3",
        "unknown field `titel`",
        Some("did you mean `title`?"),
    ),
    (
        "latency-mix-input.yaml",
        "7:9",
        "probe `latency`: `upload_attachment` needs `file`, which the latency mix does not provide (it gives conversation_id, message_id, body) (at `steps[0].with`)",
        None,
    ),
    (
        "probe-param-typo.yaml",
        "6:28",
        "probe `hsts`: unknown field `min_max_agee` (at `steps[0].with`)",
        Some("did you mean `min_max_age`?"),
    ),
    (
        "unknown-requirement.yaml",
        "3:18",
        "unknown requirement `SEC-99`",
        Some("did you mean `SEC-09`?"),
    ),
    (
        "unknown-operation.yaml",
        "5:13",
        "unknown operation `get_mesage`",
        Some("did you mean `get_message`?"),
    ),
    (
        "needs-cycle.yaml",
        "11:11",
        "`needs` forms a cycle: fun.first → fun.second → fun.first",
        Some("a check cannot depend on itself, directly or through others"),
    ),
    (
        "missing-env-secret.yaml",
        "18:76",
        "environment variable `VVCHECK_FIXTURE_UNSET_SECRET` is not set",
        Some("export VVCHECK_FIXTURE_UNSET_SECRET=… before running"),
    ),
    (
        "wrong-type.yaml",
        "4:14",
        "invalid type: string \"soon\", expected u64 (at `timeout_s`)",
        None,
    ),
    (
        "empty-suite.yaml",
        "1:1",
        "the suite has no checks",
        Some("add at least one `- id: …` entry"),
    ),
    (
        "bad-url.yaml",
        "6:11",
        "invalid URL `htps//sm.staging.acme.example`",
        Some("write a full URL such as https://sm.example.org"),
    ),
    (
        "bad-regex.yaml",
        "8:23",
        "invalid regular expression `([a-z`",
        None,
    ),
    (
        "bad-jsonpath.yaml",
        "9:11",
        "invalid JSONPath `$.conversations[[0`",
        None,
    ),
    (
        "templated-jsonpath.yaml",
        "10:11",
        "invalid JSONPath `$.conversations[?@.id = '{{conversation_id}}']`: at position 22,",
        None,
    ),
    (
        "profile-templated-jsonpath.yaml",
        "46:13",
        "invalid JSONPath `$.posts[?@.key = '{{message_id}}'].text`: at position 15,",
        None,
    ),
    (
        "profile-actor-attribute.yaml",
        "27:40",
        "no actor has attribute `uid` (asked of `actors[to]`); the actors' attributes: canaries, id, name, username",
        Some("did you mean `id`?"),
    ),
    (
        "profile-named-actor-attribute.yaml",
        "71:74",
        "actor `clinician` has no attribute `uid`; its attributes: canaries, id, name, username",
        Some("did you mean `id`?"),
    ),
    (
        "undefined-variable.yaml",
        "7:35",
        "undefined variable `conversation_idd`",
        None,
    ),
    (
        "profile-undefined-variable.yaml",
        "27:57",
        "undefined variable `subjet`",
        Some("did you mean `subject`?"),
    ),
    (
        "missing-input.yaml",
        "5:13",
        "`get_message` needs input `message_id`",
        None,
    ),
    (
        "inline-secret.yaml",
        "18:69",
        "secrets are never written inline",
        None,
    ),
    (
        "profile-unknown-operation.yaml",
        "43:3",
        "unknown operation `get_mesage`",
        Some("did you mean `get_message`?"),
    ),
    (
        "profile-unknown-page.yaml",
        "74:35",
        "unknown field `inbx` (at `pages`)",
        Some("did you mean `inbox`?"),
    ),
    (
        "profile-page-unknown-actor.yaml",
        "74:71",
        "unknown actor `patient_a_browsr`",
        Some("did you mean `patient_a_browser`?"),
    ),
    (
        "profile-page-bad-french.yaml",
        "75:94",
        "page `compose`: its French version `messages/nouveau` is neither a path (`/…`) nor an https:// URL",
        None,
    ),
    (
        "profile-canary-bad-dob.yaml",
        "14:135",
        "canary `dob` `1961-13-02` is not a date: the 'month' component could not be parsed",
        Some("write the date of birth as YYYY-MM-DD, e.g. 1961-04-02"),
    ),
    (
        "profile-canary-bad-hcn.yaml",
        "14:154",
        "canary `hcn` `9876 543 218`: the check digit does not match (the last digit must be the Luhn check digit of the first nine)",
        Some(
            "an Ontario health number is 10 digits whose last is the Luhn check digit of the first nine, optionally followed by a 2-letter version code",
        ),
    ),
    (
        "profile-canary-unknown-key.yaml",
        "14:149",
        "unknown field `hcm` (at `actors.patient_a.canaries`)",
        Some("did you mean `hcn`?"),
    ),
    (
        "profile-lockout-unknown-actor.yaml",
        "75:67",
        "unknown actor `bruno`",
        Some(
            "expected one of: patient_a, patient_b, clinician, locked_out, patient_a_browser, outbox",
        ),
    ),
    (
        "profile-lockout-actor-shared.yaml",
        "75:67",
        // Where each check is written moves as the suite grows: only the first is named here.
        "`declared.lockout_actor` is `patient_b`, whom other checks use: sec.access.cross-patient-message (<embedded>/suites/security.yaml:",
        Some("the lockout probe locks that account; name an actor of its own that no check uses"),
    ),
    (
        "transform-unknown.yaml",
        "45:118",
        "unknown variant `not-empty` (at `operations.list_messages.outputs.messages.item.read.transform`)",
        Some("did you mean `not_empty`?"),
    ),
    (
        "transform-join-without-separator.yaml",
        "45:118",
        "`join` takes its separator: `transform: { join: \", \" }` (at `operations.list_messages.outputs.messages.item.read.transform`)",
        None,
    ),
    (
        "transform-and-template.yaml",
        "45:88",
        "an output takes `transform:` or `template:`, not both (at `operations.list_messages.outputs.messages.item.read`)",
        None,
    ),
    (
        "transform-template-variable.yaml",
        "73:49",
        "undefined variable `itme`",
        Some("did you mean `item`?"),
    ),
    (
        "list-item-source.yaml",
        "45:76",
        "a list item field is a JSONPath into the item (`$.id`, `{json: …}`) or a `value` (at `operations.list_messages.outputs.messages.item.created_at`)",
        None,
    ),
    (
        "list-item-unknown-field.yaml",
        "45:17",
        "unknown field `mesage_id` in the items of `messages`",
        Some("did you mean `message_id`?"),
    ),
    (
        "list-item-missing-field.yaml",
        "45:15",
        "output `messages` does not map field `read` of its items",
        Some("add `read: …` under `item:`"),
    ),
    (
        "paginate-two-ways.yaml",
        "41:15",
        "`paginate` takes exactly one of `cursor`, `next` or `page` (at `operations.list_messages.paginate`)",
        None,
    ),
    (
        "paginate-bad-next.yaml",
        "78:15",
        "`next: links.next` is neither `link_header` nor a JSONPath to the next page's address (`$.links.next`) (at `operations.audit_log.paginate`)",
        None,
    ),
    (
        "paginate-max-pages-zero.yaml",
        "78:15",
        "`max_pages` is at least 1 (at `operations.audit_log.paginate`)",
        None,
    ),
    (
        "paginate-unknown-field.yaml",
        "78:39",
        "unknown field `max_page` (at `operations.audit_log.paginate`)",
        Some("did you mean `max_pages`?"),
    ),
    (
        "paginate-without-list.yaml",
        "48:15",
        "`paginate` needs a list output (`items:` and `item:`), and `get_message` maps none",
        None,
    ),
    (
        "profile-proxy-socks.yaml",
        "7:15",
        "the profile's proxy.url: vvcheck speaks to proxies over `http://` only, not `socks5://`",
        Some("write `url: http://proxy.example:3128`"),
    ),
    (
        "profile-proxy-inline-password.yaml",
        "7:15",
        "the profile's proxy.url carries credentials: secrets are never written inline",
        Some("write `url: http://proxy.example:3128`"),
    ),
    (
        "profile-proxy-username-only.yaml",
        "7:59",
        "`proxy.username` without `proxy.password`",
        Some("add `password: {env: VAR}`, or drop the user name"),
    ),
    (
        "profile-origin-not-https.yaml",
        "7:11",
        "`http://files.acme.example` is not an https:// origin",
        Some(
            "write scheme, host and port only (https://api.vendor.example); credentials never go over plain HTTP",
        ),
    ),
    (
        "profile-request-send-without-token.yaml",
        "11:28",
        "auth scheme `api`: `send: Authorization` needs the `token` it carries",
        Some("say where the login's answer holds it: `token: $.access_token`"),
    ),
    (
        "profile-request-undefined-variable.yaml",
        "10:167",
        "undefined variable `user_name`",
        Some("did you mean `username`?"),
    ),
    (
        "profile-ignored-auth-field.yaml",
        "8:8",
        "auth scheme `api`: `json` has no effect with kind `oauth2_password`",
        Some("remove `json`, or use a kind that reads it"),
    ),
    (
        "profile-unknown-outcome.yaml",
        "85:13",
        "unknown variant `denyed` (at `outcomes`)",
        Some("did you mean `denied`?"),
    ),
    (
        "csv-paged.yaml",
        "82:15",
        "`audit_log` reads a CSV list, which comes in one response: `paginate` pages JSON",
        None,
    ),
    (
        "csv-without-list.yaml",
        "82:24",
        "`csv:` reads a list: give it `items` and `item` (at `operations.audit_log.outputs.events`)",
        None,
    ),
    (
        "outcome-templated-jsonpath.yaml",
        "85:13",
        "`denied`: an outcome's JSONPath is read without variables, so `$.errors[?@.id == '{{message_id}}'].code` would never match",
        Some("write the JSONPath without `{{ … }}`"),
    ),
    (
        "attestation-bad-date.yaml",
        "5:11",
        "`2026-02-30` is not a date (YYYY-MM-DD)",
        None,
    ),
    (
        "unknown-declared-value.yaml",
        "7:24",
        "unknown declared value `clinician_reply_after_clos`",
        Some("did you mean `clinician_reply_after_close`?"),
    ),
    (
        "empty-rationale.yaml",
        "4:14",
        "`rationale` is one sentence on one line, saying why the requirement matters",
        None,
    ),
];

/// The diagnostic printed at `--> {at}`: its `error:` message and its hint (the text after
/// the caret, or a `= help:` line), `None` when it has no hint. `None` overall when no
/// diagnostic is printed at `at`.
fn diagnostic_at(stderr: &str, at: &str) -> Option<(String, Option<String>)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let arrow = format!("--> {at}");
    let k = lines.iter().position(|l| l.trim() == arrow)?;
    let message = lines[..k]
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or("")
        .to_string();
    let mut hint = None;
    for line in &lines[k + 1..] {
        if line.is_empty() || line.starts_with("error: ") {
            break;
        }
        let body = line.trim_start();
        if let Some(h) = body.strip_prefix("= help: ") {
            hint = Some(h.to_string());
        } else if let Some(rest) = body.strip_prefix('|') {
            let rest = rest.trim_start();
            if rest.starts_with('^') {
                let after = rest.trim_start_matches('^').trim();
                hint = (!after.is_empty()).then(|| after.to_string());
            }
        }
    }
    Some((message, hint))
}

#[test]
fn every_invalid_fixture_exits_2_with_position_message_and_hint() {
    let dir = cli::root().join("fixtures/invalid");
    let on_disk = std::fs::read_dir(&dir)
        .expect("fixtures/invalid readable")
        .count();
    assert_eq!(
        on_disk,
        CASES.len(),
        "every fixture in fixtures/invalid needs a row in CASES"
    );
    for (file, pos, message, hint) in CASES {
        let path = format!("fixtures/invalid/{file}");
        let r = vvcheck(["validate", path.as_str()])
            .current_dir(cli::root())
            .env("ACME_PA_PASSWORD", "pa-secret-1")
            .env("ACME_PB_PASSWORD", "pb-secret-1")
            .env("ACME_DR_PASSWORD", "dr-secret-1")
            .env("ACME_OUTBOX_TOKEN", "outbox-token-1")
            .env("ACME_LOCK_PASSWORD", "lock-secret-1")
            .env_remove("VVCHECK_FIXTURE_UNSET_SECRET")
            .run();
        let stderr = &r.stderr;
        assert_eq!(r.code(), 2, "{file}: exit code\n{stderr}");
        assert!(!stderr.contains("panicked"), "{file}: panic\n{stderr}");
        let Some((printed, printed_hint)) = diagnostic_at(stderr, &format!("{path}:{pos}")) else {
            panic!("{file}: no diagnostic at {pos} in\n{stderr}");
        };
        assert!(
            printed.contains(message),
            "{file}: message `{message}` missing in `{printed}`\n{stderr}"
        );
        assert_eq!(
            printed_hint.as_deref(),
            *hint,
            "{file}: the hint at {pos}\n{stderr}"
        );
    }
}

#[test]
fn the_hint_reader_tells_a_hint_from_none() {
    let stderr = "error: one\n  --> f.yaml:1:2\n  |\n1 | ab\n  |  ^ a hint\n\nerror: two\n  --> f.yaml:3:1\n  |\n3 | c\n  | ^\n\nerror: three\n  --> g.yaml:0:0\n  = help: help text\n";
    assert_eq!(
        diagnostic_at(stderr, "f.yaml:1:2"),
        Some(("one".into(), Some("a hint".into())))
    );
    assert_eq!(
        diagnostic_at(stderr, "f.yaml:3:1"),
        Some(("two".into(), None))
    );
    assert_eq!(
        diagnostic_at(stderr, "g.yaml:0:0"),
        Some(("three".into(), Some("help text".into())))
    );
    assert_eq!(diagnostic_at(stderr, "f.yaml:9:9"), None);
}

/// A secrets file its group or other users can read is named with its mode and the `chmod`
/// that fixes it, by `validate` and by `run`; relative paths in a profile are taken from the
/// profile's folder, wherever vvcheck is started.
#[cfg(unix)]
#[test]
fn a_secrets_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let example = std::fs::read_to_string(cli::root().join("fixtures/targets/example.yaml"))
        .expect("example profile");
    let profile = example
        .replace(
            "base_url: https://sm.staging.acme.example",
            "base_url: https://127.0.0.1:9",
        )
        .replace(
            "password: { env: ACME_DR_PASSWORD }",
            "password: { file: secrets.env, key: DR_PASSWORD }",
        );
    let target = dir.path().join("target.yaml");
    std::fs::write(&target, &profile).expect("profile");
    let secrets = dir.path().join("secrets.env");
    std::fs::write(&secrets, "DR_PASSWORD=dr-secret-1\n").expect("secrets");
    let (line, column) = profile
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("secrets.env").map(|c| (i + 1, c + 1)))
        .expect("the reference is in the profile");
    let expected = format!(
        "warning: secret file `{}` can be read by group or others (mode 0644)\n  --> {}:{line}:{column}\n",
        secrets.display(),
        target.display()
    );
    let hint = format!("^^^^^^^^^^^ run `chmod 600 {}`", secrets.display());
    let command = |args: &[&str]| {
        vvcheck(args.iter().copied())
            .arg(&target)
            .current_dir(cli::root())
            .env("ACME_PA_PASSWORD", "pa-secret-1")
            .env("ACME_PB_PASSWORD", "pb-secret-1")
            .env("ACME_OUTBOX_TOKEN", "outbox-token-1")
            .env("ACME_LOCK_PASSWORD", "lock-secret-1")
    };
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let validated = command(&["validate"]).run();
    assert_eq!(
        validated.code(),
        0,
        "a warning does not fail: {}",
        validated.stderr
    );
    assert!(validated.stderr.contains(&expected), "{}", validated.stderr);
    assert!(validated.stderr.contains(&hint), "{}", validated.stderr);
    let out = dir.path().join("out");
    let ran = command(&[
        "run",
        "--quiet",
        "--out",
        &out.display().to_string(),
        "--target",
    ])
    .run();
    assert!(ran.stderr.contains(&expected), "{}", ran.stderr);

    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let validated = command(&["validate"]).run();
    assert_eq!(validated.code(), 0, "{}", validated.stderr);
    assert!(
        !validated.stderr.contains("warning"),
        "{}",
        validated.stderr
    );
}
