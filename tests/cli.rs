//! The command line: `demo`, `list`, `--help`, broken pipes and `serve-reference`. Argument
//! errors and a demo run with a flaw are case folders (`tests/cases/`).

mod common;

use std::io::Read;
use std::process::Stdio;

use common::cli::{KillOnDrop, vvcheck};

/// Runs vvcheck; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let r = vvcheck(args).run();
    (r.code(), r.stdout, r.stderr)
}

#[test]
fn demo_passes_against_the_clean_reference_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let r = vvcheck(["demo", "--out"]).arg(dir.path()).run();
    r.assert_code(0);
    assert!(
        r.stdout.contains("domain") && r.stdout.contains("security") && r.stdout.contains("total"),
        "per-domain summary:\n{r}"
    );
    assert!(
        r.stdout.contains("MANUAL [SEC-13]"),
        "manual requirements are reported as such:\n{r}"
    );
    assert!(
        r.stdout.contains("ATTESTED [SEC-14]") && r.stdout.contains("ATTESTED [PRV-06]"),
        "the reference server's attestations are loaded:\n{r}"
    );
    assert!(
        r.stdout
            .contains("overall: CONFORMANT — ATTESTED — every mandatory requirement passed its checks or is covered; attested by the vendor: SEC-14, PRV-06"),
        "the demo reaches conformant, attested:\n{r}"
    );
    assert!(r.stdout.contains("0 failed, 0 errors"), "{r}");
    assert!(dir.path().join("junit.xml").exists() && dir.path().join("results.json").exists());
}

#[test]
fn help_works_for_every_command() {
    for cmd in [
        "run",
        "demo",
        "validate",
        "list",
        "serve-reference",
        "doctor",
    ] {
        let (code, stdout, _) = run(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd} --help");
        assert!(
            stdout.contains("Examples:"),
            "{cmd} --help shows examples:\n{stdout}"
        );
    }
}

#[test]
fn list_prints_requirements_checks_and_flaws() {
    let (code, stdout, _) = run(&["list", "requirements"]);
    assert_eq!(code, 0);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("SEC-05") && l.contains("mandatory")),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["list", "checks", "--format", "json"]);
    assert_eq!(code, 0);
    let checks: serde_json::Value = serde_json::from_str(&stdout).expect("list checks prints JSON");
    assert!(
        checks
            .as_array()
            .expect("a JSON array")
            .iter()
            .any(|c| c["id"] == "sec.access.cross-patient-message")
    );
    let (code, stdout, _) = run(&["list", "checks", "--requirement", "sec-01"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        ["sec.tls.protocols", "sec.tls.cipher-suites"],
        "{stdout}"
    );
    let (code, _, stderr) = run(&["list", "checks", "--requirement", "SEC-99"]);
    assert_eq!(code, 2, "an unknown requirement is a usage error: {stderr}");
    assert!(stderr.contains("unknown requirement `SEC-99`"), "{stderr}");
    let (code, stdout, _) = run(&["list", "flaws"]);
    assert_eq!(code, 0);
    let first = stdout
        .lines()
        .find(|l| l.starts_with("idor-message"))
        .expect("idor-message listed");
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(
        fields[1], "SEC-05,PRV-04",
        "name first, then the requirement: {first}"
    );
    assert_eq!(stdout.lines().count(), vvcheck::reference::Flaw::ALL.len());
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = vvcheck(["list", "requirements"])
        .command()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vvcheck starts");
    drop(child.stdout.take());
    let status = child.wait().expect("vvcheck ends");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr piped")
        .read_to_string(&mut stderr)
        .expect("stderr readable");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn serve_reference_writes_a_profile_that_run_uses_as_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = dir.path().join("ref.yaml");
    let child = vvcheck([
        "serve-reference",
        "--port",
        "0",
        "--dialect",
        "forms",
        "--write-profile",
    ])
    .arg(&profile)
    .command()
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("serve-reference starts");
    let _guard = KillOnDrop(child);
    // Bounded wait for the profile (the server writes it once it listens).
    let ready = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::read_to_string(&profile).is_ok_and(|t| t.contains("declared:"))
    });
    assert!(ready, "serve-reference wrote no profile");
    let secrets = dir.path().join("ref.secrets.env");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secrets)
            .expect("secrets file written")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "the secrets file is private");
    }
    let profile_text = std::fs::read_to_string(&profile).expect("profile readable");
    for line in std::fs::read_to_string(&secrets)
        .expect("secrets readable")
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let (_, value) = line.split_once('=').expect("KEY=VALUE");
        assert!(
            !profile_text.contains(value),
            "the profile references secrets, never holds them"
        );
    }
    let out_dir = dir.path().join("out");
    vvcheck(["run", "--target"])
        .arg(&profile)
        .args(["--quiet", "--out"])
        .arg(&out_dir)
        .run()
        .assert_code(0);
}
