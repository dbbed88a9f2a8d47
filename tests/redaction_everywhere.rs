//! No secret reaches any output, in any form. The reference server runs with its
//! `echo-credentials` flaw (JSON error bodies quote the request's `Authorization` and `Cookie`
//! headers); its profile gets a planted credential with characters that break naive escaping
//! (a bearer token for `rest`, an HTTP Basic password for `graph`). After `vvcheck run -v`
//! with an evidence bundle, no form of any password or token — as is, base64 (also of
//! `user:password`), percent-encoded, form-encoded, JSON-escaped once or twice — is in
//! stdout, stderr, or any file under the output folder, the bundle included. The forms are
//! computed here, independently of the library's own list.

mod common;

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use common::cli::vvcheck;
use common::{Reference, files_under};
use vvcheck::reference::{Dialect, Flaw};

/// A credential with a quote, a backslash, `~` and `-` together, a space, `%`, `'`, `+` and `/`.
const PLANTED: &str = r#"Pl4nted"tok\en~-x'y/+=%41 z!(1)*"#;

fn percent(s: &str, upper: bool, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || keep.contains(&b) {
                char::from(b).to_string()
            } else if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).expect("a string serialises");
    quoted[1..quoted.len() - 1].to_string()
}

/// Every form of `secret` this test looks for.
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        out.push(engine.encode(secret));
    }
    for upper in [true, false] {
        out.push(percent(secret, upper, b""));
        out.push(percent(secret, upper, b"-._~"));
    }
    out.push(url::form_urlencoded::byte_serialize(secret.as_bytes()).collect());
    out.push(json_escaped(secret));
    out.push(json_escaped(&json_escaped(secret)));
    out.sort();
    out.dedup();
    out
}

/// Every form of every credential: each secret alone and `user:password` in base64.
fn all_forms(credentials: &[(String, String)], secrets: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in secrets {
        out.extend(
            forms(s)
                .into_iter()
                .map(|f| (f, format!("a form of a secret of {} bytes", s.len()))),
        );
    }
    for (user, password) in credentials {
        let pair = format!("{user}:{password}");
        for engine in [STANDARD, URL_SAFE_NO_PAD] {
            out.push((engine.encode(&pair), format!("base64 of {user}:password")));
        }
    }
    out
}

/// The profile with its outbox credential replaced by a reference to `VV_PLANTED`.
fn plant(profile: &Path) {
    let text = std::fs::read_to_string(profile).expect("profile readable");
    let mut planted = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| match line.split_once(": { file:") {
            Some((key, _)) if line.contains("key: OUTBOX_TOKEN") => {
                planted = true;
                format!("{key}: {{ env: VV_PLANTED }}")
            }
            _ => line.to_string(),
        })
        .collect();
    assert!(planted, "the outbox credential is in the profile:\n{text}");
    std::fs::write(profile, lines.join("\n") + "\n").expect("profile written");
}

async fn no_form_leaks(dialect: Dialect, user: &str, scheme: &str) {
    let r = Reference::start(dialect, &[Flaw::EchoCredentials]).await;
    plant(&r.profile);
    let out = tempfile::tempdir().expect("temp dir");
    let bundle = out.path().join("evidence");
    let run = vvcheck(["run", "-v", "--target"])
        .arg(&r.profile)
        .arg("--out")
        .arg(out.path())
        .arg("--evidence")
        .arg(&bundle)
        .env("VV_PLANTED", PLANTED)
        .run_async()
        .await;
    assert_eq!(
        run.code(),
        1,
        "the echo is a finding, and every output is written:\n{}",
        run.stderr
    );
    vvcheck(["verify-bundle"]).arg(&bundle).run().assert_code(0);

    let mut credentials: Vec<(String, String)> = r
        .server
        .credentials
        .iter()
        .map(|c| (c.username.clone(), c.password.clone()))
        .collect();
    credentials.push((user.to_string(), PLANTED.to_string()));
    let mut secrets = r.secrets();
    secrets.push(PLANTED.to_string());
    let forms = all_forms(&credentials, &secrets);
    assert!(
        forms.iter().all(|(f, _)| f.len() >= 16),
        "forms long enough to be unambiguous"
    );

    let files = files_under(out.path());
    assert!(
        files.len() > 20,
        "the bundle is under the output folder: {files:?}"
    );
    let mut texts = vec![
        ("stdout".to_string(), run.stdout.clone()),
        ("stderr".to_string(), run.stderr.clone()),
    ];
    for f in &files {
        let bytes = std::fs::read(f).expect("readable");
        texts.push((
            f.display().to_string(),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
    }
    for (place, text) in &texts {
        for (form, what) in &forms {
            assert!(!text.contains(form.as_str()), "{what} is in {place}");
        }
    }

    // The planted credential did travel and come back: masked where the echo quotes it.
    let echoed = format!(r#""authorization":"{scheme} [REDACTED]""#);
    let masked_echo = files.iter().any(|f| {
        f.extension().is_some_and(|e| e == "http")
            && std::fs::read_to_string(f).is_ok_and(|t| t.contains(&echoed))
    });
    assert!(
        masked_echo,
        "an exchanges.http shows the echo masked: {echoed}"
    );
    r.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_bearer_token_and_every_password_stay_out_of_every_output() {
    no_form_leaks(Dialect::Rest, "outbox", "Bearer").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planted_basic_password_stays_out_of_every_output() {
    no_form_leaks(Dialect::Graph, "mailbox", "Basic").await;
}
