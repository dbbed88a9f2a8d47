//! `vvcheck doctor` against the reference server on 127.0.0.1 port 0: a clean server passes every
//! step; a missing CA, a wrong password and a closed port each fail their own step with a fix; a
//! broken profile is exit 2 with located diagnostics. No secret reaches the output.

mod common;

use common::Reference;
use common::cli::{Run, vvcheck};
use vvcheck::reference::Dialect;

fn doctor(profile: &std::path::Path) -> Run {
    vvcheck(["doctor", "--target"]).arg(profile).run()
}

/// The line of `step` whose text starts with `start`.
fn line<'a>(out: &'a str, step: &str, start: &str) -> &'a str {
    out.lines()
        .find(|l| {
            let mut words = l.split_whitespace();
            let _status = words.next();
            words.next() == Some(step)
                && l.split_once(step)
                    .is_some_and(|(_, t)| t.trim_start().starts_with(start))
        })
        .unwrap_or_else(|| panic!("no `{step}` line starting `{start}` in:\n{out}"))
}

/// Writes `edit(profile text)` beside the reference profile.
fn edited(r: &Reference, name: &str, edit: impl Fn(&str) -> String) -> std::path::PathBuf {
    let text = std::fs::read_to_string(&r.profile).expect("profile");
    let path = r.dir.path().join(name);
    std::fs::write(&path, edit(&text)).expect("edited profile");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_reference_server_passes_every_step() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let run = doctor(&r.profile);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        line(out, "resolve", "127.0.0.1").contains("(IPv4)"),
        "{out}"
    );
    assert!(
        line(out, "connect", "127.0.0.1:").starts_with("ok"),
        "{out}"
    );
    let tls = line(out, "tls", "TLS 1.3");
    assert!(
        tls.starts_with("ok") && tls.contains("chains: yes"),
        "{out}"
    );
    assert!(out.contains("issuer CN=vvcheck reference CA"), "{out}");
    for actor in ["patient_a", "patient_b", "clinician", "admin", "outbox"] {
        assert!(
            line(out, "login", actor).starts_with("ok"),
            "{actor}: {out}"
        );
    }
    assert!(line(out, "operations", "mapped").starts_with("ok"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_reference_ca_the_tls_line_fails_and_names_tls_ca_file() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let profile = edited(&r, "no-ca.yaml", |t| {
        t.lines()
            .filter(|l| !l.starts_with("tls:"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    let run = doctor(&profile);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    let tls = line(out, "tls", "TLS 1.3");
    assert!(
        tls.starts_with("FAIL") && tls.contains("unknown issuer"),
        "{out}"
    );
    assert!(
        out.contains("fix: add the CA that issued it with tls.ca_file"),
        "{out}"
    );
    assert!(
        line(out, "login", "the server").starts_with("skip"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_that_actor_alone_and_no_secret_is_printed() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let secrets = r.dir.path().join("target.secrets.env");
    let text = std::fs::read_to_string(&secrets).expect("secrets file");
    let wrong: String = text
        .lines()
        .map(|l| match l.split_once('=') {
            Some(("CLINICIAN_PASSWORD", _)) => "CLINICIAN_PASSWORD=not-the-password\n".to_string(),
            _ => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&secrets, wrong).expect("secrets written");
    let run = doctor(&r.profile);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(line(out, "login", "clinician").starts_with("FAIL"), "{out}");
    for actor in ["patient_a", "patient_b", "admin", "outbox"] {
        assert!(
            line(out, "login", actor).starts_with("ok"),
            "{actor}: {out}"
        );
    }
    let all = format!("{}{}", run.stdout, run.stderr);
    for secret in r.secrets().iter().chain([&"not-the-password".to_string()]) {
        assert!(
            !all.contains(secret.as_str()),
            "a secret is printed:\n{all}"
        );
    }
    // The reference server's session ids, CSRF and refresh tokens are 32 to 48 alphanumerics.
    let token = regex::Regex::new("[A-Za-z0-9]{32,}").expect("regex");
    assert!(
        !token.is_match(&all),
        "a token-shaped string is printed:\n{all}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_nothing_listens_on_fails_connect_with_a_fix() {
    let r = Reference::start(Dialect::Rest, &[]).await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let profile = edited(&r, "closed-port.yaml", |t| {
        t.lines()
            .map(|l| {
                if l.starts_with("base_url:") {
                    format!("base_url: https://127.0.0.1:{port}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect()
    });
    let run = doctor(&profile);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let out = &run.stdout;
    let connect = line(out, "connect", &format!("127.0.0.1:{port}"));
    assert!(connect.starts_with("FAIL"), "{out}");
    assert!(out.contains("fix: is the server running"), "{out}");
    assert!(line(out, "tls", "no TCP").starts_with("skip"), "{out}");
}

#[test]
fn a_malformed_profile_is_exit_2_with_file_line_and_column() {
    let path = common::cli::root().join("fixtures/invalid/profile-broken-yaml.yaml");
    let run = doctor(&path);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    let located = regex::Regex::new(r"profile-broken-yaml\.yaml:\d+:\d+").expect("regex");
    assert!(located.is_match(&run.stderr), "{}", run.stderr);
    assert!(run.stdout.starts_with("FAIL  profile"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_gate_is_named_with_and_without_the_certificate() {
    let r = Reference::start_with(vvcheck::reference::ReferenceConfig {
        client_auth: vvcheck::reference::ClientAuth::Generate,
        ..Default::default()
    })
    .await;
    let run = doctor(&r.profile);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(
            "client certificate: asked for; the profile's (tls.client_cert) was accepted"
        ),
        "{}",
        run.stdout
    );
    let profile = edited(&r, "no-cert.yaml", |t| {
        t.lines()
            .map(|l| {
                if l.starts_with("tls:") {
                    "tls: { ca_file: \"target-ca.pem\" }\n".to_string()
                } else {
                    format!("{l}\n")
                }
            })
            .collect()
    });
    let run = doctor(&profile);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let tls = line(&run.stdout, "tls", "client certificate required");
    assert!(tls.starts_with("FAIL"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("fix: set tls.client_cert and tls.client_key"),
        "{}",
        run.stdout
    );
}
