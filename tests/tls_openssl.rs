//! The TLS probe against `openssl s_server`: for each server configuration, what vvcheck reports
//! (through the shipped SEC-01/SEC-02 checks, read back from results.json) must equal what
//! `openssl s_client` shows for the same server, and the weak configurations must fail.
//!
//! Certificates are made here with the `openssl` CLI (it can make RSA-1024 keys, SHA-1
//! signatures and expired certificates, which rcgen cannot). Without `openssl` these tests skip
//! with a notice; with `CI=true` they fail instead.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

use common::cli::vvcheck;
use common::openssl::sh;

/// `openssl` when it runs; `None` (a skip) when it does not and CI is not set.
fn openssl() -> Option<&'static str> {
    common::openssl::available("the OpenSSL agreement tests").then_some("openssl")
}

/// A test CA, and leaves it signs.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        sh(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-sha256",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "30",
                "-subj",
                "/CN=vvcheck test CA",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
            dir.path(),
        );
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A leaf `name.pem`/`name.key` for `san`, with an RSA key of `bits`, signed with `digest`,
    /// valid for `days` (negative: expired that many days ago... from now minus one day).
    fn leaf(
        &self,
        name: &str,
        bits: u32,
        digest: &str,
        san: &str,
        days: i32,
    ) -> (PathBuf, PathBuf) {
        let ext = format!("{name}.ext");
        std::fs::write(
            self.path(&ext),
            format!(
                "subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            ),
        )
        .expect("ext file");
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        sh(
            &[
                "req",
                "-new",
                "-newkey",
                &format!("rsa:{bits}"),
                "-nodes",
                "-keyout",
                &key,
                "-out",
                &csr,
                "-subj",
                "/CN=localhost",
            ],
            self.dir.path(),
        );
        sh(
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                &format!("-{digest}"),
                "-days",
                &days.to_string(),
                "-extfile",
                &ext,
                "-out",
                &pem,
            ],
            self.dir.path(),
        );
        (self.path(&pem), self.path(&key))
    }

    /// A self-signed certificate for localhost and 127.0.0.1.
    fn self_signed(&self) -> (PathBuf, PathBuf) {
        sh(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "self.key",
                "-out",
                "self.pem",
                "-days",
                "30",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            self.dir.path(),
        );
        (self.path("self.pem"), self.path("self.key"))
    }
}

/// `openssl s_server` on 127.0.0.1, a free port; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(cert: &Path, key: &Path, args: &[&str]) -> Server {
        let mut child = Command::new("openssl")
            .arg("s_server")
            .args(["-accept", "127.0.0.1:0", "-cert"])
            .arg(cert)
            .arg("-key")
            .arg(key)
            .args(args)
            // s_server ends at end of input: keep it open.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("s_server starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line
                    .strip_prefix("ACCEPT ")
                    .and_then(|a| a.rsplit(':').next())
                    .and_then(|p| p.parse::<u16>().ok())
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("s_server listens");
        Server { child, port }
    }
}

/// What `openssl s_client` shows.
#[derive(Debug, Default)]
struct ClientView {
    protocol: String,
    /// IANA name, from the OpenSSL name.
    cipher: String,
    temp_key: Option<String>,
    verification_error: Option<String>,
    public_key_bits: Option<usize>,
    /// `a:` lines: `PKEY: rsaEncryption, 1024 (bit); sigalg: RSA-SHA1`.
    chain_algorithms: Vec<String>,
}

fn s_client(port: u16, args: &[&str]) -> ClientView {
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-verify_ip",
            "127.0.0.1",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("s_client runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut v = ClientView::default();
    for line in text.lines() {
        let t = line.trim();
        if let Some((p, c)) = t
            .strip_prefix("New, ")
            .and_then(|r| r.split_once(", Cipher is "))
        {
            v.protocol = p.to_string();
            v.cipher = iana(c);
        } else if let Some(p) = t.strip_prefix("Protocol  : ") {
            v.protocol = p.to_string();
        } else if let Some(c) = t.strip_prefix("Cipher    : ") {
            v.cipher = iana(c);
        } else if let Some(k) = t.strip_prefix("Server Temp Key: ") {
            v.temp_key = Some(k.to_string());
        } else if let Some(e) = t.strip_prefix("Verification error: ") {
            v.verification_error = Some(e.to_string());
        } else if let Some(b) = t.strip_prefix("Server public key is ") {
            v.public_key_bits = b.trim_end_matches(" bit").parse().ok();
        } else if let Some(a) = t.strip_prefix("a:") {
            v.chain_algorithms.push(a.to_string());
        }
    }
    v
}

/// (IANA name, OpenSSL name) of every suite this OpenSSL knows, by `openssl ciphers -stdname`.
fn cipher_names() -> Vec<(String, String)> {
    let out = Command::new("openssl")
        .args(["ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        .output()
        .expect("openssl ciphers");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (std, rest) = l.split_once(" - ")?;
            let name = rest.split_whitespace().next()?;
            Some((std.trim().to_string(), name.to_string()))
        })
        .collect()
}

/// The IANA name of an OpenSSL cipher name.
fn iana(openssl_name: &str) -> String {
    cipher_names()
        .into_iter()
        .find(|(_, o)| o == openssl_name)
        .map_or_else(|| openssl_name.to_string(), |(i, _)| i)
}

/// Whether s_client, offering only `suite` (IANA) at `flag`, connects with it.
fn s_client_takes(port: u16, flag: &str, suite: &str) -> bool {
    let Some((_, name)) = cipher_names().into_iter().find(|(i, _)| i == suite) else {
        return false;
    };
    let v = s_client(port, &[flag, "-cipher", &format!("{name}:@SECLEVEL=0")]);
    v.cipher == suite
}

/// The shipped TLS checks, exactly as `suites/security.yaml` writes them.
fn shipped_tls_checks() -> String {
    let text = std::fs::read_to_string(common::cli::root().join("suites/security.yaml"))
        .expect("suites/security.yaml");
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|b| b.trim_start().starts_with("- id: sec.tls."))
        .collect();
    assert_eq!(blocks.len(), 3, "the three shipped TLS checks");
    blocks.join("\n\n") + "\n"
}

/// vvcheck's TLS checks against the server: the results.json checks.
fn scan(port: u16, ca: &Path) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let suites = dir.path().join("suites");
    std::fs::create_dir(&suites).expect("suites dir");
    std::fs::write(suites.join("security.yaml"), shipped_tls_checks()).expect("suite");
    let profile = dir.path().join("target.yaml");
    std::fs::write(
        &profile,
        format!(
            "name: openssl s_server\nbase_url: https://127.0.0.1:{port}\ntls: {{ ca_file: {} }}\nactors: {{}}\noperations: {{}}\n",
            ca.display(),
        ),
    )
    .expect("profile");
    let out = dir.path().join("out");
    let run = vvcheck(["run", "--target"])
        .arg(&profile)
        .arg("--suites")
        .arg(&suites)
        .args(["--requirement", "SEC-01,SEC-02", "--out"])
        .arg(&out)
        .run();
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    let results: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("results.json")).expect("results.json"),
    )
    .expect("JSON");
    let checks = results["checks"].as_array().expect("checks").clone();
    print_facts(&checks);
    checks
}

/// One row of what vvcheck reported, under the test's name (`--nocapture` shows the table).
fn print_facts(checks: &[Value]) {
    let test = std::thread::current()
        .name()
        .unwrap_or("?")
        .rsplit("::")
        .next()
        .unwrap_or("?")
        .to_string();
    let versions = accepted(checks).join(", ");
    let suites: Vec<String> = facts(check(checks, "sec.tls.cipher-suites"))["cipher_suites"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            let names: Vec<&str> = v["suites"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str())
                .collect();
            format!(
                "{}: {}",
                v["version"].as_str().unwrap_or("?"),
                names.join(" ")
            )
        })
        .collect();
    let l = leaf(checks);
    let statuses: Vec<String> = [
        "sec.tls.protocols",
        "sec.tls.cipher-suites",
        "sec.tls.certificate",
    ]
    .iter()
    .map(|id| status(checks, id))
    .collect();
    println!(
        "facts | {test} | versions {versions} | {} | leaf {} {} bits, {}, {} days left | {}",
        suites.join("; "),
        l["key_type"].as_str().unwrap_or("?"),
        l["key_bits"],
        l["signature_algorithm"].as_str().unwrap_or("?"),
        l["days_left"],
        statuses.join("/"),
    );
}

fn check<'a>(checks: &'a [Value], id: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}"))
}

fn facts(c: &Value) -> &Value {
    &c["tls"][0]["facts"]
}

fn version_label(openssl: &str) -> &'static str {
    match openssl {
        "TLSv1" | "TLSv1.0" => "TLS 1.0",
        "TLSv1.1" => "TLS 1.1",
        "TLSv1.2" => "TLS 1.2",
        "TLSv1.3" => "TLS 1.3",
        other => panic!("unexpected protocol {other}"),
    }
}

/// The accepted versions vvcheck reported, oldest first.
fn accepted(checks: &[Value]) -> Vec<String> {
    facts(check(checks, "sec.tls.protocols"))["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .filter(|p| p["accepted"] == true)
        .map(|p| p["version"].as_str().expect("label").to_string())
        .collect()
}

/// The suites vvcheck found at `version`.
fn suites_at(checks: &[Value], version: &str) -> Vec<String> {
    facts(check(checks, "sec.tls.cipher-suites"))["cipher_suites"]
        .as_array()
        .expect("suites")
        .iter()
        .filter(|v| v["version"] == version)
        .flat_map(|v| v["suites"].as_array().cloned().unwrap_or_default())
        .map(|s| s["name"].as_str().expect("name").to_string())
        .collect()
}

fn leaf(checks: &[Value]) -> Value {
    facts(check(checks, "sec.tls.certificate"))["certificate"]["chain"]["certificates"][0].clone()
}

fn status(checks: &[Value], id: &str) -> String {
    check(checks, id)["status"]
        .as_str()
        .expect("status")
        .to_string()
}

fn seen(checks: &[Value], id: &str) -> String {
    check(checks, id)["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| x["seen"].to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// One legacy-only server: vvcheck's accepted version, suite and group equal s_client's, and
/// the protocols check fails with a testssl.sh-style line.
fn legacy_only(flag: &str, label: &str) {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("good", 2048, "sha256", "DNS:localhost,IP:127.0.0.1", 30);
    let server = Server::start(&cert, &key, &[flag, "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let client = s_client(server.port, &[flag, "-cipher", "DEFAULT:@SECLEVEL=0"]);
    let checks = scan(server.port, &pki.path("ca.pem"));
    assert_eq!(version_label(&client.protocol), label);
    assert_eq!(accepted(&checks), vec![label.to_string()]);
    // s_client's choice is among the suites found, and s_client gets each one found when it
    // offers only that one.
    let found = suites_at(&checks, label);
    assert!(
        found.contains(&client.cipher),
        "{found:?} vs {}",
        client.cipher
    );
    for suite in &found {
        assert!(s_client_takes(server.port, flag, suite), "{suite}");
    }
    assert_eq!(status(&checks, "sec.tls.protocols"), "fail");
    let wire = if label == "TLS 1.0" {
        "0x0301"
    } else {
        "0x0302"
    };
    let line = seen(&checks, "sec.tls.protocols");
    assert!(
        line.contains(&format!(
            "127.0.0.1:{} accepts {label} (ServerHello {wire}, cipher {}",
            server.port, found[0]
        )),
        "{line}"
    );
    // The certificate comes from the clear-text flight, and is fine.
    assert_eq!(status(&checks, "sec.tls.certificate"), "pass");
    assert_eq!(leaf(&checks)["key_bits"], 2048);
    // Default OpenSSL suites at these versions include static-RSA ones.
    assert_eq!(status(&checks, "sec.tls.cipher-suites"), "fail");
}

#[test]
fn tls10_only_is_seen_as_s_client_sees_it_and_fails() {
    legacy_only("-tls1", "TLS 1.0");
}

#[test]
fn tls11_only_is_seen_as_s_client_sees_it_and_fails() {
    legacy_only("-tls1_1", "TLS 1.1");
}

#[test]
fn tls12_with_one_static_rsa_suite() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("good", 2048, "sha256", "DNS:localhost,IP:127.0.0.1", 30);
    let server = Server::start(&cert, &key, &["-tls1_2", "-cipher", "AES256-SHA"]);
    let client = s_client(server.port, &["-tls1_2"]);
    let checks = scan(server.port, &pki.path("ca.pem"));
    assert_eq!(version_label(&client.protocol), "TLS 1.2");
    assert_eq!(accepted(&checks), vec!["TLS 1.2".to_string()]);
    assert_eq!(suites_at(&checks, "TLS 1.2"), vec![client.cipher.clone()]);
    assert_eq!(client.cipher, "TLS_RSA_WITH_AES_256_CBC_SHA");
    assert_eq!(status(&checks, "sec.tls.protocols"), "pass");
    assert_eq!(status(&checks, "sec.tls.cipher-suites"), "fail");
    let line = seen(&checks, "sec.tls.cipher-suites");
    assert!(line.contains("accepts TLS_RSA_WITH_AES_256_CBC_SHA on TLS 1.2 (static RSA key exchange, no forward secrecy)"), "{line}");
}

#[test]
fn tls13_only_passes_and_agrees_on_suite_and_group() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("good", 2048, "sha256", "DNS:localhost,IP:127.0.0.1", 30);
    let server = Server::start(&cert, &key, &["-tls1_3"]);
    let ca = pki.path("ca.pem").display().to_string();
    let client = s_client(server.port, &["-tls1_3", "-CAfile", &ca]);
    let checks = scan(server.port, &pki.path("ca.pem"));
    assert_eq!(version_label(&client.protocol), "TLS 1.3");
    assert_eq!(accepted(&checks), vec!["TLS 1.3".to_string()]);
    let found = suites_at(&checks, "TLS 1.3");
    assert!(
        found.contains(&client.cipher),
        "{found:?} vs {}",
        client.cipher
    );
    let detail = facts(check(&checks, "sec.tls.protocols"))["protocols"][5]["detail"]
        .as_str()
        .expect("detail")
        .to_string();
    let group = client.temp_key.clone().expect("Server Temp Key");
    assert!(
        group.starts_with("X25519") && detail.contains("group X25519"),
        "{detail} vs {group}"
    );
    for id in [
        "sec.tls.protocols",
        "sec.tls.cipher-suites",
        "sec.tls.certificate",
    ] {
        assert_eq!(status(&checks, id), "pass", "{id}: {}", seen(&checks, id));
    }
    assert_eq!(client.verification_error, None);
}

/// A server on TLS 1.2 and 1.3 with `cert`; vvcheck's certificate check and s_client.
fn certificate_case(cert: &Path, key: &Path, ca: &Path) -> (Vec<Value>, ClientView) {
    let server = Server::start(cert, key, &["-cipher", "DEFAULT:@SECLEVEL=0"]);
    let client = s_client(
        server.port,
        &[
            "-CAfile",
            &ca.display().to_string(),
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
        ],
    );
    (scan(server.port, ca), client)
}

/// A CA and a leaf for localhost that expired 30 days ago (valid from 400 days ago), made
/// with rcgen: OpenSSL 3.0's `x509 -req` cannot back-date a certificate.
fn expired_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let now = time::OffsetDateTime::now_utc();
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name
        .push(DnType::CommonName, "vvcheck test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.not_before = now - time::Duration::days(400);
    ca.not_after = now + time::Duration::days(30);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("key")).expect("CA");
    let mut leaf = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.not_before = now - time::Duration::days(400);
    leaf.not_after = now - time::Duration::days(30);
    let key = KeyPair::generate().expect("key");
    let cert = leaf.signed_by(&key, &ca).expect("leaf");
    let paths = (
        dir.join("expired-ca.pem"),
        dir.join("expired.pem"),
        dir.join("expired.key"),
    );
    std::fs::write(&paths.0, ca.pem()).expect("CA file");
    std::fs::write(&paths.1, cert.pem()).expect("cert file");
    std::fs::write(&paths.2, key.serialize_pem()).expect("key file");
    paths
}

#[test]
fn an_expired_certificate_fails() {
    let Some(_) = openssl() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let (ca, cert, key) = expired_pki(dir.path());
    let (checks, client) = certificate_case(&cert, &key, &ca);
    assert_eq!(
        client.verification_error.as_deref(),
        Some("certificate has expired")
    );
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let l = leaf(&checks);
    assert_eq!(l["days_left"], -30, "{l}");
    let line = seen(&checks, "sec.tls.certificate");
    assert!(
        line.contains(&format!(
            "certificate expired {} (30 days ago), subject CN=localhost",
            l["not_after"].as_str().expect("date")
        )),
        "{line}"
    );
    // Trust is judged apart from time: the chain is otherwise good.
    assert!(!line.contains("not trusted"), "{line}");
}

#[test]
fn a_wrong_host_name_fails() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("other", 2048, "sha256", "DNS:other.example", 30);
    let (checks, client) = certificate_case(&cert, &key, &pki.path("ca.pem"));
    assert_eq!(
        client.verification_error.as_deref(),
        Some("IP address mismatch")
    );
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let line = seen(&checks, "sec.tls.certificate");
    assert!(
        line.contains("certificate does not match host name 127.0.0.1"),
        "{line}"
    );
    assert!(line.contains("DNS:other.example"), "{line}");
}

#[test]
fn a_self_signed_certificate_fails() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.self_signed();
    let (checks, client) = certificate_case(&cert, &key, &pki.path("ca.pem"));
    assert_eq!(
        client.verification_error.as_deref(),
        Some("self-signed certificate")
    );
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let line = seen(&checks, "sec.tls.certificate");
    assert!(
        line.contains("certificate not trusted: self-signed certificate"),
        "{line}"
    );
}

#[test]
fn an_rsa_1024_key_fails() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("rsa1024", 1024, "sha256", "DNS:localhost,IP:127.0.0.1", 30);
    let (checks, client) = certificate_case(&cert, &key, &pki.path("ca.pem"));
    assert_eq!(client.public_key_bits, Some(1024));
    assert_eq!(leaf(&checks)["key_bits"], 1024);
    assert_eq!(leaf(&checks)["key_type"], "RSA");
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let line = seen(&checks, "sec.tls.certificate");
    assert!(
        line.contains("certificate key is RSA 1024-bit, subject CN=localhost"),
        "{line}"
    );
}

#[test]
fn a_sha1_signature_fails() {
    let Some(_) = openssl() else { return };
    let pki = Pki::new();
    let (cert, key) = pki.leaf("sha1", 2048, "sha1", "DNS:localhost,IP:127.0.0.1", 30);
    let (checks, client) = certificate_case(&cert, &key, &pki.path("ca.pem"));
    assert!(
        client
            .chain_algorithms
            .first()
            .is_some_and(|a| a.contains("sigalg: RSA-SHA1")),
        "{:?}",
        client.chain_algorithms
    );
    assert_eq!(
        leaf(&checks)["signature_algorithm"],
        "sha1WithRSAEncryption"
    );
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let line = seen(&checks, "sec.tls.certificate");
    assert!(
        line.contains("certificate is signed with sha1WithRSAEncryption (SHA-1)"),
        "{line}"
    );
}

/// The reference server started with `flaws` (rest dialect), on a runtime of its own that
/// serves it while the test blocks on `openssl`; and its CA in a file.
struct FlawedReference {
    runtime: tokio::runtime::Runtime,
    reference: Option<common::Reference>,
    ca: PathBuf,
    port: u16,
}

impl FlawedReference {
    fn start(flaws: &[vvcheck::reference::Flaw]) -> FlawedReference {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let reference = runtime.block_on(common::Reference::start(
            vvcheck::reference::Dialect::Rest,
            flaws,
        ));
        let ca = reference.dir.path().join("reference-ca.pem");
        std::fs::write(&ca, &reference.server.ca_pem).expect("CA file");
        let port = reference
            .server
            .base_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in the base URL");
        FlawedReference {
            runtime,
            reference: Some(reference),
            ca,
            port,
        }
    }

    fn ca(&self) -> String {
        self.ca.display().to_string()
    }
}

impl Drop for FlawedReference {
    fn drop(&mut self) {
        if let Some(r) = self.reference.take() {
            self.runtime.block_on(r.server.shutdown());
        }
    }
}

/// The handshake messages s_client received (`-msg`), and the version and suite of the
/// ServerHello, read from its hex dump.
#[derive(Debug, Default)]
struct Received {
    messages: Vec<String>,
    server_hello: Option<(u16, u16)>,
}

fn s_client_msg(port: u16, args: &[&str]) -> Received {
    let out = Command::new("openssl")
        .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-msg"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("s_client runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut r = Received::default();
    let mut hello_hex: Option<Vec<u8>> = None;
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("<<< ") {
            let what = m.rsplit(", ").next().unwrap_or(m).to_string();
            if !what.starts_with("RecordHeader") {
                r.messages.push(what.clone());
            }
            hello_hex = (what == "ServerHello").then(Vec::new);
        } else if line.starts_with(">>> ") {
            hello_hex = None;
        } else if let Some(bytes) = hello_hex.as_mut() {
            let hex: Vec<u8> = line
                .split_whitespace()
                .map_while(|b| u8::from_str_radix(b, 16).ok())
                .collect();
            if hex.is_empty() {
                hello_hex = None;
            } else {
                bytes.extend(hex);
            }
        }
        if let Some(b) = hello_hex.as_ref()
            && b.len() >= 39
            && r.server_hello.is_none()
        {
            let sid = usize::from(b[38]);
            if b.len() >= 39 + sid + 2 {
                r.server_hello = Some((
                    u16::from_be_bytes([b[4], b[5]]),
                    u16::from_be_bytes([b[39 + sid], b[40 + sid]]),
                ));
            }
        }
    }
    r
}

/// The IANA id of a suite name vvcheck reported.
fn suite_id(checks: &[Value], version: &str, name: &str) -> u16 {
    facts(check(checks, "sec.tls.cipher-suites"))["cipher_suites"]
        .as_array()
        .expect("suites")
        .iter()
        .filter(|v| v["version"] == version)
        .flat_map(|v| v["suites"].as_array().cloned().unwrap_or_default())
        .find(|s| s["name"] == name)
        .and_then(|s| s["id"].as_u64())
        .and_then(|id| u16::try_from(id).ok())
        .expect("suite id")
}

#[test]
fn reference_tls10_flaw_answers_openssl_as_vvcheck_reports() {
    let Some(_) = openssl() else { return };
    let server = FlawedReference::start(&[vvcheck::reference::Flaw::Tls10]);
    let checks = scan(server.port, &server.ca);
    assert_eq!(accepted(&checks), ["TLS 1.0", "TLS 1.2", "TLS 1.3"]);
    assert_eq!(status(&checks, "sec.tls.protocols"), "fail");
    let found = suites_at(&checks, "TLS 1.0");
    assert_eq!(
        found,
        [
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA"
        ]
    );
    // OpenSSL gets the flight a TLS 1.0 server sends, with the suite vvcheck saw first; the
    // front cannot finish the key exchange and says so with an alert.
    let got = s_client_msg(server.port, &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert_eq!(
        got.server_hello,
        Some((0x0301, suite_id(&checks, "TLS 1.0", &found[0]))),
        "{got:?}"
    );
    assert_eq!(
        got.messages[..3],
        ["ServerHello", "Certificate", "ServerHelloDone"]
    );
    assert!(
        got.messages.iter().any(|m| m == "fatal handshake_failure"),
        "{got:?}"
    );
    // A TLS 1.1 hello is answered at TLS 1.0, which vvcheck does not count as TLS 1.1.
    let got = s_client_msg(server.port, &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    assert_eq!(got.server_hello.map(|h| h.0), Some(0x0301), "{got:?}");
    let detail = facts(check(&checks, "sec.tls.protocols"))["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .find(|p| p["version"] == "TLS 1.1")
        .map(|p| p["detail"].to_string())
        .expect("TLS 1.1 row");
    assert!(detail.contains("answered at TLS 1.0"), "{detail}");
}

#[test]
fn reference_weak_cipher_flaw_answers_openssl_as_vvcheck_reports() {
    let Some(_) = openssl() else { return };
    let server = FlawedReference::start(&[vvcheck::reference::Flaw::WeakCipher]);
    let checks = scan(server.port, &server.ca);
    assert_eq!(status(&checks, "sec.tls.protocols"), "pass");
    assert_eq!(status(&checks, "sec.tls.cipher-suites"), "fail");
    let found = suites_at(&checks, "TLS 1.2");
    for weak in [
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ] {
        assert!(found.iter().any(|s| s == weak), "{weak} in {found:?}");
    }
    // Every suite vvcheck found that this OpenSSL knows is the one OpenSSL gets when it
    // offers only that suite (Debian's OpenSSL 3 has no 3DES left).
    let names = cipher_names();
    let mut compared = 0;
    for suite in &found {
        let Some((_, name)) = names.iter().find(|(i, _)| i == suite) else {
            continue;
        };
        let got = s_client_msg(
            server.port,
            &["-tls1_2", "-cipher", &format!("{name}:@SECLEVEL=0")],
        );
        assert_eq!(
            got.server_hello,
            Some((0x0303, suite_id(&checks, "TLS 1.2", suite))),
            "{suite}: {got:?}"
        );
        compared += 1;
    }
    assert!(compared >= 4, "compared {compared} suites");
    let line = seen(&checks, "sec.tls.cipher-suites");
    assert!(
        line.contains("accepts TLS_RSA_WITH_AES_256_GCM_SHA384 on TLS 1.2 (static RSA key exchange, no forward secrecy)"),
        "{line}"
    );
}

#[test]
fn reference_weak_key_flaw_signs_handshakes_openssl_verifies() {
    let Some(_) = openssl() else { return };
    let server = FlawedReference::start(&[vvcheck::reference::Flaw::WeakKey]);
    let checks = scan(server.port, &server.ca);
    assert_eq!(leaf(&checks)["key_bits"], 1024);
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    // OpenSSL finishes both handshakes, so the RSA-1024 signatures are real ones: PSS in
    // TLS 1.3, PKCS #1 v1.5 in TLS 1.2.
    let ca = server.ca();
    for args in [vec!["-tls1_3"], vec!["-tls1_2", "-sigalgs", "RSA+SHA256"]] {
        let mut all = args.clone();
        all.extend(["-CAfile", &ca, "-cipher", "DEFAULT:@SECLEVEL=0"]);
        let client = s_client(server.port, &all);
        assert!(!client.protocol.is_empty(), "{args:?}: {client:?}");
        assert_eq!(client.public_key_bits, Some(1024), "{args:?}");
        assert_eq!(client.verification_error, None, "{args:?}");
    }
}

#[test]
fn reference_sha1_cert_flaw_is_a_sha1_signature_openssl_verifies() {
    let Some(_) = openssl() else { return };
    let server = FlawedReference::start(&[vvcheck::reference::Flaw::Sha1Cert]);
    let checks = scan(server.port, &server.ca);
    assert_eq!(
        leaf(&checks)["signature_algorithm"],
        "sha1WithRSAEncryption"
    );
    assert_eq!(status(&checks, "sec.tls.certificate"), "fail");
    let client = s_client(
        server.port,
        &["-CAfile", &server.ca(), "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    assert!(
        client
            .chain_algorithms
            .first()
            .is_some_and(|a| a.contains("sigalg: RSA-SHA1")),
        "{client:?}"
    );
    assert_eq!(client.verification_error, None, "{client:?}");
}
