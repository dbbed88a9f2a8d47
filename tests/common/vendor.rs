//! Stand-in vendors: a small axum app on 127.0.0.1 port 0, and a `vvcheck run` of one profile
//! and one suite against it, in a temporary folder.

use std::path::PathBuf;

use super::cli::{Vvcheck, vvcheck};

/// Serves `app` on 127.0.0.1, port 0; its `http://HOST:PORT`.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A profile and a suite written into a temporary folder, ready to run.
pub struct SuiteRun {
    pub dir: tempfile::TempDir,
    pub target: PathBuf,
    /// Where the reports go.
    pub out: PathBuf,
    suites: PathBuf,
}

impl SuiteRun {
    /// Writes `profile` and `suite` (the only suite of the run).
    pub fn new(profile: &str, suite: &str) -> SuiteRun {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("target.yaml");
        std::fs::write(&target, profile).expect("profile written");
        let suites = dir.path().join("suites");
        std::fs::create_dir(&suites).expect("suites folder");
        std::fs::write(suites.join("suite.yaml"), suite).expect("suite written");
        let out = dir.path().join("out");
        SuiteRun {
            dir,
            target,
            out,
            suites,
        }
    }

    /// `vvcheck run [extra…] --target … --suites … --out …`, to add environment to and run.
    pub fn command(&self, extra: &[&str]) -> Vvcheck {
        vvcheck(["run"])
            .args(extra.iter().copied())
            .arg("--target")
            .arg(&self.target)
            .arg("--suites")
            .arg(&self.suites)
            .arg("--out")
            .arg(&self.out)
    }

    /// The written `results.json`, parsed.
    pub fn results(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.out.join("results.json")).expect("results.json");
        serde_json::from_str(&text).expect("JSON")
    }
}

/// A hand-written profile of `fixtures/targets/` pointed at a running reference server, as a
/// user points it at their vendor: only its `base_line` (`base_url: …`) changes, to the server's
/// address, plain-HTTP address and CA; secrets come from `PREFIX_<ACTOR>_PASSWORD` and
/// `outbox_key`.
pub struct FixtureRun {
    pub dir: tempfile::TempDir,
    /// Where the reports go.
    pub out: PathBuf,
}

impl FixtureRun {
    /// Runs `suite` with `vvcheck run [extra…]` against `server` through the fixture.
    pub async fn run(
        server: &vvcheck::reference::ReferenceServer,
        fixture: &str,
        base_line: &str,
        env_prefix: &str,
        outbox_key: &str,
        suite: &str,
        extra: &[&str],
    ) -> (FixtureRun, super::cli::Run) {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, &server.ca_pem).expect("CA written");
        let text =
            std::fs::read_to_string(super::cli::root().join("fixtures/targets").join(fixture))
                .expect("fixture readable");
        let profile = text.replace(
            base_line,
            &format!(
                "base_url: {}\nhttp_url: {}\ntls: {{ ca_file: {} }}\n",
                server.base_url,
                server.http_url,
                ca.display()
            ),
        );
        assert_ne!(profile, text, "the fixture names its base_url");
        let target = dir.path().join("target.yaml");
        std::fs::write(&target, profile).expect("profile written");
        let suites = dir.path().join("suites");
        std::fs::create_dir(&suites).expect("suites folder");
        std::fs::write(suites.join("suite.yaml"), suite).expect("suite written");
        let out = dir.path().join("out");
        let mut cmd = vvcheck(["run", "--target"])
            .arg(&target)
            .arg("--suites")
            .arg(&suites)
            .arg("--out")
            .arg(&out)
            .args(extra.iter().copied())
            .env(outbox_key, &server.outbox_token);
        for c in &server.credentials {
            let key = format!("{env_prefix}_{}_PASSWORD", c.actor.to_ascii_uppercase());
            cmd = cmd.env(key, &c.password);
        }
        let run = cmd.run_async().await;
        (FixtureRun { dir, out }, run)
    }

    /// The written `results.json`, as text.
    pub fn results_text(&self) -> String {
        std::fs::read_to_string(self.out.join("results.json")).expect("results.json written")
    }
}

/// Serves `app` over HTTPS on 127.0.0.1, port 0, with a leaf for 127.0.0.1 signed by a CA made
/// for the test: its `https://HOST:PORT` and the CA's PEM, for the profile's `tls.ca_file`.
pub async fn serve_https(app: axum::Router) -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key")).expect("CA");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("leaf params")
        .signed_by(&leaf_key, &ca)
        .expect("leaf");
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .expect("server config");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("https://{}", listener.local_addr().expect("address"));
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(std::sync::Arc::new(config));
    let server = axum_server::from_tcp_rustls(listener, tls);
    tokio::spawn(async move { server.serve(app.into_make_service()).await });
    (base, ca.pem())
}
