//! The hardening flaws, which live in the layers every dialect shares: what each does to an
//! answer, shown through the dialect's own API path (the per-dialect flaw tests call this).

use reqwest::{Client, StatusCode};

use super::*;

/// Whether `flaw` lives in the TLS layer below every dialect (shown here, once).
pub(super) fn is_tls(flaw: Flaw) -> bool {
    matches!(
        flaw,
        Flaw::ExpiredCert
            | Flaw::WrongHostCert
            | Flaw::SelfSigned
            | Flaw::WeakKey
            | Flaw::Sha1Cert
            | Flaw::Tls10
            | Flaw::WeakCipher
    )
}

/// Shows that `flaw` does what it says on the entry page and on `api` (a JSON route of the
/// dialect that takes a POST body, posted as the bearer of `token`).
pub(super) async fn bites(
    flaw: Flaw,
    server: &ReferenceServer,
    c: &Client,
    api: &str,
    token: &str,
) {
    let page = c.get(url(server, "/")).send().await.expect("entry page");
    let h = page.headers().clone();
    let has = |name: &str| h.get(name).is_some();
    match flaw {
        Flaw::NoSecurityHeaders => {
            for name in [
                "x-content-type-options",
                "content-security-policy",
                "x-frame-options",
                "referrer-policy",
            ] {
                assert!(!has(name), "{name} is gone");
            }
            assert!(has("strict-transport-security"), "HSTS is another flaw's");
        }
        Flaw::CorsWildcard | Flaw::CorsReflect => {
            let resp = c
                .get(url(server, "/"))
                .header("Origin", "https://evil.example")
                .send()
                .await
                .expect("page with Origin");
            let allow = resp.headers().get("access-control-allow-origin").cloned();
            let want = if flaw == Flaw::CorsWildcard {
                "*"
            } else {
                "https://evil.example"
            };
            assert_eq!(allow.as_ref().and_then(|v| v.to_str().ok()), Some(want));
            assert_eq!(
                resp.headers()
                    .get("access-control-allow-credentials")
                    .and_then(|v| v.to_str().ok()),
                Some("true")
            );
        }
        Flaw::StackTraceErrors => {
            let resp = c
                .post(url(server, api))
                .bearer_auth(token)
                .header("Content-Type", "application/json")
                .body("{\"broken\": ")
                .send()
                .await
                .expect("malformed request");
            assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let text = resp.text().await.expect("body");
            assert!(
                text.contains("Traceback (most recent call last):"),
                "{text}"
            );
        }
        Flaw::VerboseBanner => {
            assert_eq!(
                h.get("server").and_then(|v| v.to_str().ok()),
                Some("nginx/1.18.0")
            );
            assert!(has("x-powered-by"));
        }
        Flaw::NoSecurityTxt => {
            let resp = c
                .get(url(server, "/.well-known/security.txt"))
                .send()
                .await
                .expect("security.txt");
            assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        }
        other => panic!("`{other}` is not a hardening flaw"),
    }
}

#[tokio::test]
async fn reference_a_clean_server_publishes_a_current_security_txt_and_no_cors() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let resp = c
        .get(url(&server, "/.well-known/security.txt"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("security.txt");
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("access-control-allow-origin").is_none());
    assert!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    let text = resp.text().await.expect("body");
    assert!(
        text.contains("Contact: mailto:security@reference.test"),
        "{text}"
    );
    assert!(text.contains("Expires: 20"), "{text}");
}

#[tokio::test]
async fn reference_each_certificate_flaw_keeps_a_trusting_client_out() {
    for (flaw, why) in [
        (Flaw::ExpiredCert, "xpired"),
        (Flaw::WrongHostCert, "NotValidForName"),
        (Flaw::SelfSigned, "UnknownIssuer"),
        // webpki refuses both: the RSA-1024 key's handshake signature (below its 2048-bit
        // floor it reads as a bad one), and the SHA-1 signature.
        (Flaw::WeakKey, "BadSignature"),
        (Flaw::Sha1Cert, "UnsupportedSignatureAlgorithm"),
    ] {
        let server = start(Dialect::Rest, &[flaw]).await;
        let c = client(&server, false);
        let err = c
            .get(url(&server, "/"))
            .send()
            .await
            .expect_err("the certificate is refused");
        let chain = format!("{err:?}");
        assert!(chain.contains(why), "{flaw}: {chain}");
        server.shutdown().await;
    }
    let clean = start(Dialect::Rest, &[]).await;
    let c = client(&clean, false);
    assert!(
        c.get(url(&clean, "/")).send().await.is_ok(),
        "the clean certificate is trusted"
    );
    clean.shutdown().await;
}

#[tokio::test]
async fn reference_the_legacy_front_passes_modern_clients_on_to_the_application() {
    // What the front answers itself is shown against OpenSSL in tests/tls_openssl.rs.
    let server = start(Dialect::Rest, &[Flaw::Tls10, Flaw::WeakCipher]).await;
    let c = client(&server, false);
    for _ in 0..3 {
        let page = c.get(url(&server, "/")).send().await.expect("entry page");
        assert_eq!(page.status(), StatusCode::OK);
    }
    server.shutdown().await;
}
