//! The command line: `demo`, `list`, `--help`, argument errors and broken pipes.

use std::io::Read;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

fn vvcheck(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("vvcheck")
        .unwrap()
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_passes_against_the_clean_reference_server() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = vvcheck(&["demo", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("domain") && stdout.contains("security") && stdout.contains("total"),
        "per-domain summary:\n{stdout}"
    );
    assert!(
        stdout.contains("MANUAL [SEC-14]"),
        "manual requirements are reported as such:\n{stdout}"
    );
    assert!(stdout.contains("0 failed, 0 errors"), "{stdout}");
    assert!(dir.path().join("junit.xml").exists() && dir.path().join("results.json").exists());
}

#[test]
fn demo_with_a_mandatory_flaw_exits_1_naming_its_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = vvcheck(&[
        "demo",
        "--flaw",
        "no-hsts",
        "--dialect",
        "forms",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("FAIL [SEC-03] HTTPS responses carry HSTS"),
        "{stdout}"
    );
}

#[test]
fn unknown_flaws_and_bad_arguments_exit_2() {
    let (code, _, stderr) = vvcheck(&["demo", "--flaw", "idor-mesage"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown flaw `idor-mesage`") && stderr.contains("idor-message"),
        "{stderr}"
    );
    let (code, _, _) = vvcheck(&["run", "--target", "x.yaml", "--partition", "3/2"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = vvcheck(&["run", "--target", "/nonexistent/profile.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/profile.yaml"), "{stderr}");
    let (code, _, stderr) = vvcheck(&["demo", "--requirement", "SEC-99"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--requirement `SEC-99` is not in the catalogue")
            && stderr.contains("did you mean `SEC-09`?"),
        "{stderr}"
    );
    let (code, _, stderr) = vvcheck(&["demo", "--tag", "acess"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("no check has tag `acess`; did you mean `access`?"),
        "{stderr}"
    );
    let (code, _, _) = vvcheck(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn help_works_for_every_command() {
    for cmd in ["run", "demo", "validate", "list", "serve-reference"] {
        let (code, stdout, _) = vvcheck(&[cmd, "--help"]);
        assert_eq!(code, 0, "{cmd} --help");
        assert!(
            stdout.contains("Examples:"),
            "{cmd} --help shows examples:\n{stdout}"
        );
    }
}

#[test]
fn list_prints_requirements_checks_and_flaws() {
    let (code, stdout, _) = vvcheck(&["list", "requirements"]);
    assert_eq!(code, 0);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("SEC-05") && l.contains("mandatory")),
        "{stdout}"
    );
    let (code, stdout, _) = vvcheck(&["list", "checks", "--format", "json"]);
    assert_eq!(code, 0);
    let checks: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        checks
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "sec.access.cross-patient-message")
    );
    let (code, stdout, _) = vvcheck(&["list", "flaws"]);
    assert_eq!(code, 0);
    let first = stdout
        .lines()
        .find(|l| l.starts_with("idor-message"))
        .expect("idor-message listed");
    let fields: Vec<&str> = first.split_whitespace().collect();
    assert_eq!(
        fields[1], "SEC-05",
        "name first, then the requirement: {first}"
    );
    assert_eq!(stdout.lines().count(), vvcheck::reference::Flaw::ALL.len());
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = Command::cargo_bin("vvcheck")
        .unwrap()
        .args(["list", "requirements"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0));
}

/// Kills the child process when the test ends, however it ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_reference_writes_a_profile_that_run_uses_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ref.yaml");
    let child = Command::cargo_bin("vvcheck")
        .unwrap()
        .args([
            "serve-reference",
            "--port",
            "0",
            "--dialect",
            "forms",
            "--write-profile",
            profile.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
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
        let mode = std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the secrets file is private");
    }
    let profile_text = std::fs::read_to_string(&profile).unwrap();
    for line in std::fs::read_to_string(&secrets)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
    {
        let (_, value) = line.split_once('=').unwrap();
        assert!(
            !profile_text.contains(value),
            "the profile references secrets, never holds them"
        );
    }
    let out_dir = dir.path().join("out");
    let (code, stdout, stderr) = vvcheck(&[
        "run",
        "--target",
        profile.to_str().unwrap(),
        "--quiet",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
}
