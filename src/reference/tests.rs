//! Tests of the reference server: each starts its own server on 127.0.0.1 port 0 and talks to
//! it over real TLS with a client that trusts only the server's fresh CA.

mod flaws;
mod forms;
mod graph;
mod graph_flaws;
mod graph_paging;
mod graph_sessions;
mod graph_uploads;
mod hardening_flaws;
mod page_flaws;
mod phi_flaws;
mod rest;
mod robustness;
mod session_flaws;
mod sessions;
mod threads;
mod threads_flaws;
mod threads_paging;
mod threads_sessions;

use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use super::{Dialect, Flaw, ReferenceConfig, ReferenceServer};

/// Patient A and clinician ids.
const PA: &str = "u-pa-7f3a";
const CL: &str = "u-cl-31d5";

/// Starts a server with short timings suitable for tests, and sessions that do not idle out
/// while a test runs.
async fn start(dialect: Dialect, flaws: &[Flaw]) -> ReferenceServer {
    start_with(ReferenceConfig {
        dialect,
        flaws: flaws.to_vec(),
        latency: Duration::from_millis(50),
        idle_timeout: Duration::from_secs(900),
        ..ReferenceConfig::default()
    })
    .await
}

async fn start_with(cfg: ReferenceConfig) -> ReferenceServer {
    ReferenceServer::start(cfg)
        .await
        .expect("reference server starts")
}

/// A client trusting only the server's CA; no redirects followed; optional cookie jar.
fn client(server: &ReferenceServer, cookies: bool) -> Client {
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::{CertificateDer, pem::PemObject};
    for cert in CertificateDer::pem_slice_iter(server.ca_pem.as_bytes()) {
        roots
            .add(cert.expect("CA PEM parses"))
            .expect("CA is a valid root");
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(cookies)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

fn url(server: &ReferenceServer, path: &str) -> String {
    format!("{}{path}", server.base_url)
}

fn password(server: &ReferenceServer, actor: &str) -> (String, String) {
    let c = server.credential(actor).expect("actor exists");
    (c.username.clone(), c.password.clone())
}

/// The body as JSON (panics with the text if it is not).
async fn json(resp: Response) -> Value {
    let text = resp.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Asserts the status, then returns the JSON body.
async fn expect_json(resp: Response, status: StatusCode) -> Value {
    let got = resp.status();
    let body = json(resp).await;
    assert_eq!(got, status, "body: {body}");
    body
}

fn header<'a>(resp: &'a Response, name: &str) -> &'a str {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Sample PNG-like bytes, every byte value present.
fn sample_bytes() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

/// PHI canaries of the synthetic patients.
const CANARIES: &[&str] = &[
    "Zoë Tremblay",
    "1961-04-02",
    "9876543217",
    "Marc-André Lefebvre",
    "1978-11-23",
    "4512638794",
];

#[tokio::test]
async fn reference_tls_handshake_uses_the_generated_ca() {
    let server = start(Dialect::Rest, &[]).await;
    let resp = client(&server, false)
        .get(url(&server, "/"))
        .send()
        .await
        .expect("TLS handshake");
    assert_eq!(resp.status(), StatusCode::OK);
    // A client without the CA must refuse the certificate.
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let stranger = Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    assert!(stranger.get(url(&server, "/")).send().await.is_err());
    assert!(server.base_url.starts_with("https://127.0.0.1:"));
    assert!(server.http_url.starts_with("http://127.0.0.1:"));
    assert!(server.outbox_token.len() >= 24);
    assert_eq!(server.credentials.len(), 5);
    assert!(server.credentials.iter().all(|c| c.password.len() >= 24));
    server.shutdown().await;
}

#[tokio::test]
async fn reference_plain_http_redirects_to_https() {
    let server = start(Dialect::Forms, &[]).await;
    let resp = client(&server, false)
        .get(format!("{}/threads?x=1", server.http_url))
        .send()
        .await
        .expect("plain HTTP answers");
    assert_eq!(resp.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        header(&resp, "location"),
        format!("{}/threads?x=1", server.base_url)
    );
}

#[tokio::test]
async fn reference_security_headers_on_every_response() {
    for dialect in [
        Dialect::Rest,
        Dialect::Forms,
        Dialect::Threads,
        Dialect::Graph,
    ] {
        let server = start(dialect, &[]).await;
        let c = client(&server, false);
        for path in ["/", "/nope", "/assets/site.css"] {
            let resp = c.get(url(&server, path)).send().await.expect("response");
            assert_eq!(
                header(&resp, "strict-transport-security"),
                "max-age=63072000; includeSubDomains"
            );
            assert_eq!(header(&resp, "x-content-type-options"), "nosniff");
            assert_eq!(header(&resp, "x-frame-options"), "DENY");
            assert_eq!(header(&resp, "referrer-policy"), "no-referrer");
            assert!(header(&resp, "content-security-policy").contains("frame-ancestors 'none'"));
            assert_eq!(header(&resp, "cache-control"), "no-store");
            assert!(resp.headers().get("server").is_none());
        }
    }
}

#[test]
fn reference_dialect_and_flaw_names_round_trip() {
    for d in [
        Dialect::Rest,
        Dialect::Forms,
        Dialect::Threads,
        Dialect::Graph,
    ] {
        assert_eq!(d.to_string().parse::<Dialect>(), Ok(d));
    }
    for &f in Flaw::ALL {
        assert_eq!(f.name().parse::<Flaw>(), Ok(f));
        assert!(!f.description().is_empty());
    }
    assert_eq!(Flaw::Slow.requirements(), ["TEC-02"]);
    assert!(Flaw::Flaky.requirements().is_empty());
    assert_eq!(Flaw::IdorMessage.requirements(), ["SEC-05", "PRV-04"]);
    let err = "no-such"
        .parse::<Flaw>()
        .expect_err("unknown flaw")
        .to_string();
    assert!(
        err.contains("idor-message") && err.contains("flaky"),
        "{err}"
    );
    let err = "soap".parse::<Dialect>().expect_err("unknown dialect");
    assert!(
        err.to_string().ends_with("rest, forms, threads, graph"),
        "{err}"
    );
}
