//! Reaching staging environments as corporate networks put them: a client-certificate gate
//! (mutual TLS), a private CA with an intermediate, a CA bundle with or without the system's
//! store, an IPv6 address, and HTTP/1.1-only or broken-HTTP/2 load balancers. Each runs the real
//! binary against the reference server configured that way on loopback.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::cli::{KillOnDrop, Run, vvcheck};
use common::openssl::sh;
use common::{Reference, all_pass, checks};
use vvcheck::reference::{ClientAuth, Dialect, HttpVersions, ReferenceConfig};

/// A quick cross-section: logins, an API round trip, attachments (multipart, downloads), the
/// TLS probe's handshakes and the plain-HTTP redirect.
const REQUIREMENTS: &str = "FUN-01,FUN-04,SEC-01,SEC-03";

async fn start(config: ReferenceConfig) -> Reference {
    Reference::start_with(ReferenceConfig {
        dialect: Dialect::Rest,
        ..config
    })
    .await
}

/// Runs the checks of `requirements` against `profile`, reports under `out`.
async fn run(profile: &Path, out: &Path, requirements: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = vvcheck(["run", "--target"])
        .arg(profile)
        .args(["--requirement", requirements, "--out"])
        .arg(out)
        .timeout(Duration::from_secs(240));
    for (k, v) in env {
        cmd = cmd.env(k, v);
    }
    cmd.run_async().await
}

/// Asserts that no check failed and that at least three errors say `why`: a network refusal
/// is never a verdict on the target.
fn errors_saying(run: &Run, out: &Path, why: &str) {
    let checks = checks(out);
    let failed: Vec<_> = checks.iter().filter(|(_, s, _)| s == "fail").collect();
    assert!(failed.is_empty(), "{failed:#?}");
    let saying = checks
        .iter()
        .filter(|(_, s, m)| s == "error" && m.contains(why))
        .count();
    assert!(saying >= 3, "{checks:#?}");
    assert!(!run.stdout.contains("panicked") && !run.stderr.contains("panicked"));
}

/// `profile` with its `tls:` line replaced by `tls`.
fn with_tls(profile: &Path, tls: &str) -> PathBuf {
    let text = std::fs::read_to_string(profile).expect("profile readable");
    let edited: String = text
        .lines()
        .map(|l| if l.starts_with("tls:") { tls } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    let path = profile.with_file_name("edited.yaml");
    std::fs::write(&path, edited + "\n").expect("profile written");
    path
}

/// `profile` with `extra` (top-level YAML) appended.
fn with_extra(profile: &Path, extra: &str) -> PathBuf {
    let text = std::fs::read_to_string(profile).expect("profile readable");
    let path = profile.with_file_name("extended.yaml");
    std::fs::write(&path, format!("{text}\n{extra}\n")).expect("profile written");
    path
}

fn quoted(p: &Path) -> String {
    format!("{:?}", p.display().to_string())
}

/// A reference server that requires the client certificate it makes (and writes in the profile).
fn gated() -> ReferenceConfig {
    ReferenceConfig {
        client_auth: ClientAuth::Generate,
        ..ReferenceConfig::default()
    }
}

/// A `tls:` line trusting the reference CA and presenting `cert` with `key`.
fn identity_tls(cert: &Path, key: &Path) -> String {
    format!(
        "tls: {{ ca_file: \"target-ca.pem\", client_cert: {}, client_key: {{ file: {} }} }}",
        quoted(cert),
        quoted(key)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_with_the_right_certificate_passes() {
    let r = start(gated()).await;
    let text = std::fs::read_to_string(&r.profile).expect("profile");
    assert!(
        text.contains(
            "client_cert: \"target-client.pem\", client_key: { file: \"target-client.key\" }"
        ),
        "{text}"
    );
    let out = r.dir.path().join("out");
    let run = run(&r.profile, &out, REQUIREMENTS, &[]).await;
    all_pass(&run, &out);
    // The key is a secret: in no report.
    let key = std::fs::read_to_string(r.dir.path().join("target-client.key")).expect("key");
    let body = key.lines().nth(1).expect("a base64 line");
    for f in common::files_under(&out) {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        assert!(!text.contains(body), "the client key is in {}", f.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_client_certificate_every_request_errors_and_says_why() {
    let r = start(gated()).await;
    let profile = with_tls(&r.profile, "tls: { ca_file: \"target-ca.pem\" }");
    let out = r.dir.path().join("out");
    let run = run(&profile, &out, REQUIREMENTS, &[]).await;
    errors_saying(&run, &out, "the server asked for a client certificate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_certificate_of_another_ca_is_reported_rejected() {
    let r = start(gated()).await;
    let other = start(gated()).await;
    let dir = other.dir.path();
    let tls = identity_tls(
        &dir.join("target-client.pem"),
        &dir.join("target-client.key"),
    );
    let profile = with_tls(&r.profile, &tls);
    let out = r.dir.path().join("out");
    let run = run(&profile, &out, REQUIREMENTS, &[]).await;
    errors_saying(&run, &out, "rejected the one sent");
}

#[test]
fn the_demo_runs_behind_a_client_certificate_gate() {
    let dir = tempfile::tempdir().expect("temp dir");
    vvcheck([
        "demo",
        "--mtls",
        "--requirement",
        "FUN-01",
        "--quiet",
        "--out",
    ])
    .arg(dir.path())
    .run()
    .assert_code(0);
}

/// A reviewer's own PKI, made with openssl: a CA, and a client certificate for each key
/// format (PKCS #8 and PKCS #1 RSA, SEC1 EC), and encrypted keys.
fn reviewer_pki(dir: &Path) {
    sh(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "30",
            "-subj",
            "/CN=Reviewer CA",
        ],
        dir,
    );
    std::fs::write(dir.join("ext.cnf"), "extendedKeyUsage=clientAuth\n").expect("ext");
    sh(
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "pkcs8.key",
        ],
        dir,
    );
    sh(
        &[
            "rsa",
            "-in",
            "pkcs8.key",
            "-traditional",
            "-out",
            "pkcs1.key",
        ],
        dir,
    );
    sh(
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "sec1.key",
        ],
        dir,
    );
    for (key, cert) in [("pkcs8.key", "rsa.pem"), ("sec1.key", "ec.pem")] {
        sh(
            &[
                "req",
                "-new",
                "-key",
                key,
                "-subj",
                "/CN=vvcheck reviewer",
                "-out",
                "c.csr",
            ],
            dir,
        );
        sh(
            &[
                "x509",
                "-req",
                "-in",
                "c.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-out",
                cert,
            ],
            dir,
        );
    }
    sh(
        &[
            "pkey",
            "-in",
            "pkcs8.key",
            "-aes256",
            "-passout",
            "pass:hunter2",
            "-out",
            "encrypted.key",
        ],
        dir,
    );
    sh(
        &[
            "rsa",
            "-in",
            "pkcs8.key",
            "-traditional",
            "-aes256",
            "-passout",
            "pass:hunter2",
            "-out",
            "legacy-encrypted.key",
        ],
        dir,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pkcs8_pkcs1_and_sec1_keys_sign_in_and_an_encrypted_key_is_a_located_error() {
    if !common::openssl::available("the client-key format test") {
        return;
    }
    let pki = tempfile::tempdir().expect("temp dir");
    reviewer_pki(pki.path());
    let ca = std::fs::read_to_string(pki.path().join("ca.pem")).expect("ca");
    let r = start(ReferenceConfig {
        client_auth: ClientAuth::Ca(ca),
        ..ReferenceConfig::default()
    })
    .await;
    let identity =
        |cert: &str, key: &str| identity_tls(&pki.path().join(cert), &pki.path().join(key));
    for (cert, key) in [
        ("rsa.pem", "pkcs8.key"),
        ("rsa.pem", "pkcs1.key"),
        ("ec.pem", "sec1.key"),
    ] {
        let profile = with_tls(&r.profile, &identity(cert, key));
        let out = r.dir.path().join(format!("out-{key}"));
        let run = run(&profile, &out, "FUN-01", &[]).await;
        all_pass(&run, &out);
    }
    for key in ["encrypted.key", "legacy-encrypted.key"] {
        let profile = with_tls(&r.profile, &identity("rsa.pem", key));
        let run = vvcheck(["validate"]).arg(&profile).run();
        run.assert_code(2);
        let text = format!("{}{}", run.stdout, run.stderr);
        assert!(text.contains("the client key is encrypted"), "{text}");
        assert!(text.contains("edited.yaml:"), "located: {text}");
        assert!(!text.contains("hunter2"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reference_requires_the_reviewers_ca_and_writes_their_certificate_in() {
    let other = start(gated()).await;
    let identity = other.server.client_identity.clone().expect("an identity");
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = dir.path().join("reviewer-ca.pem");
    std::fs::write(&ca, &identity.ca_pem).expect("ca written");
    let (cert, key) = (
        other.dir.path().join("target-client.pem"),
        other.dir.path().join("target-client.key"),
    );
    let profile = dir.path().join("ref.yaml");
    let child = vvcheck(["serve-reference", "--port", "0", "--client-ca"])
        .arg(&ca)
        .arg("--client-cert")
        .arg(&cert)
        .arg("--client-key")
        .arg(&key)
        .arg("--write-profile")
        .arg(&profile)
        .command()
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve-reference starts");
    let _guard = KillOnDrop(child);
    let mut ready = false;
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if std::fs::read_to_string(&profile).is_ok_and(|t| t.contains("declared:")) {
            ready = true;
            break;
        }
    }
    assert!(ready, "serve-reference wrote no profile");
    let text = std::fs::read_to_string(&profile).expect("profile");
    assert!(
        text.contains("client_cert:") && text.contains("target-client.key"),
        "{text}"
    );
    let out = dir.path().join("out");
    let run = run(&profile, &out, "FUN-01", &[]).await;
    all_pass(&run, &out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_bundle_trusts_a_chain_through_an_intermediate() {
    let r = start(ReferenceConfig {
        intermediate_ca: true,
        ..ReferenceConfig::default()
    })
    .await;
    let unrelated = start(ReferenceConfig::default()).await;
    // Several certificates, the one that matters last.
    let bundle = r.dir.path().join("bundle.pem");
    std::fs::write(
        &bundle,
        format!("{}{}", unrelated.server.ca_pem, r.server.ca_pem),
    )
    .expect("bundle written");
    let profile = with_tls(&r.profile, "tls: { ca_file: \"bundle.pem\" }");
    let out = r.dir.path().join("out");
    let run = run(&profile, &out, "FUN-01,SEC-01", &[]).await;
    all_pass(&run, &out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_store_is_trusted_besides_the_bundle_unless_ca_only() {
    let r = start(ReferenceConfig::default()).await;
    let unrelated = start(ReferenceConfig::default()).await;
    // The system store, as OpenSSL and the platform read it: `SSL_CERT_FILE`.
    let system = r.dir.path().join("system.pem");
    std::fs::write(&system, &r.server.ca_pem).expect("written");
    let system = system.display().to_string();
    let env = [("SSL_CERT_FILE", system.as_str())];
    let other = r.dir.path().join("other-ca.pem");
    std::fs::write(&other, &unrelated.server.ca_pem).expect("written");

    let profile = with_tls(&r.profile, "tls: { ca_file: \"other-ca.pem\" }");
    let out = r.dir.path().join("out-system");
    let run_ = run(&profile, &out, "FUN-01", &env).await;
    all_pass(&run_, &out);

    let profile = with_tls(
        &r.profile,
        "tls: { ca_file: \"other-ca.pem\", ca_only: true }",
    );
    let out = r.dir.path().join("out-ca-only");
    let run_ = run(&profile, &out, REQUIREMENTS, &env).await;
    // Both reference CAs have one name, so the unrelated one is found and its signature fails.
    errors_saying(&run_, &out, "invalid peer certificate");

    let profile = with_tls(&r.profile, "tls: { ca_only: true }");
    let v = vvcheck(["validate"]).arg(&profile).run();
    v.assert_code(2);
    assert!(
        v.stderr.contains("`tls.ca_only` trusts only `tls.ca_file`"),
        "{}",
        v.stderr
    );
}

/// Whether this machine has an IPv6 loopback to listen on.
fn ipv6_loopback() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_url_on_ipv6_loopback_works() {
    if !ipv6_loopback() {
        eprintln!("notice: skipped: this machine has no IPv6 loopback ([::1] cannot be bound)");
        return;
    }
    let r = start(ReferenceConfig {
        host: std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ..ReferenceConfig::default()
    })
    .await;
    assert!(
        r.server.base_url.starts_with("https://[::1]:"),
        "{}",
        r.server.base_url
    );
    let out = r.dir.path().join("out");
    let run = run(&r.profile, &out, REQUIREMENTS, &[]).await;
    all_pass(&run, &out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_1_1_only_server_works() {
    let r = start(ReferenceConfig {
        http: HttpVersions::Http1Only,
        ..ReferenceConfig::default()
    })
    .await;
    let out = r.dir.path().join("out");
    let run = run(&r.profile, &out, REQUIREMENTS, &[]).await;
    all_pass(&run, &out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_version_1_1_is_a_profile_setting_and_a_wrong_one_is_located() {
    let r = start(ReferenceConfig::default()).await;
    let profile = with_extra(&r.profile, "http: { version: \"1.1\" }");
    let out = r.dir.path().join("out-h1");
    let run_ = run(&profile, &out, "FUN-01,FUN-04", &[]).await;
    all_pass(&run_, &out);

    let bad = with_extra(&r.profile, "http: { version: \"3\" }");
    let v = vvcheck(["validate"]).arg(&bad).run();
    v.assert_code(2);
    assert!(v.stderr.contains("extended.yaml:"), "{}", v.stderr);
}

/// A load balancer whose HTTP/2 is broken: ALPN offers it, and a connection that takes it is
/// dropped. Requests end `error` naming HTTP/2 and the profile key that avoids it, never `fail`;
/// with `http: { version: "1.1" }` the same server passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_http2_errs_and_http_version_1_1_reaches_it() {
    let r = start(ReferenceConfig {
        http: HttpVersions::BrokenHttp2,
        ..ReferenceConfig::default()
    })
    .await;
    let out = r.dir.path().join("out-h2");
    let broken = run(&r.profile, &out, "FUN-01,FUN-04", &[]).await;
    errors_saying(&broken, &out, "http: { version: \"1.1\" }");

    let profile = with_extra(&r.profile, "http: { version: \"1.1\" }");
    let out = r.dir.path().join("out-h1");
    let fixed = run(&profile, &out, "FUN-01,FUN-04", &[]).await;
    all_pass(&fixed, &out);
}
