//! The TLS handshake over the doctor's TCP connection, with the run's crypto provider, ALPN and
//! client certificate. The verifier records the chain and lets the handshake finish, so that
//! the chain is judged afterwards (by the TLS probe's `examine`, with the HTTP client's trust
//! store) and a bad certificate is named rather than only refused.

use std::sync::Arc;
use std::time::Duration;

use rustls::AlertDescription;
use rustls::client::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

use super::report::Line;
use crate::http::client_cert::{AskedFor, Refusal, VERDICT_WAIT};
use crate::http::tls::{AcceptAnyCert, client_config, provider, root_store, rustls_error};
use crate::model::resolve::ResolvedTarget;
use crate::probes::tls::cert::{self, Chain};

/// Shakes hands over `tcp` with `host` as the server name; the `tls` line.
pub async fn handshake(
    target: &ResolvedTarget,
    host: &str,
    tcp: TcpStream,
    insecure: bool,
) -> Line {
    let has_cert = target.tls.client_identity.is_some();
    let fail = |text: String, fix: &str| Line::fail("tls", text, fix);
    let base = match client_config(&target.tls, insecure, target.http_version) {
        Ok(c) => c,
        Err(e) => {
            return fail(
                e.to_string(),
                "check tls.ca_file, tls.client_cert and tls.client_key",
            );
        }
    };
    let recorder = AcceptAnyCert::new();
    let asked = AskedFor::new(base.client_auth_cert_resolver.clone());
    let mut config = match ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
    {
        Ok(b) => b
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth(),
        Err(e) => return fail(e.to_string(), "a TLS set-up error: report it"),
    };
    config.client_auth_cert_resolver = asked.clone();
    config.alpn_protocols = base.alpn_protocols.clone();
    let name = match ServerName::try_from(host.to_string()) {
        Ok(n) => n,
        Err(e) => return fail(format!("{host}: {e}"), "check the host in base_url"),
    };
    let timeout = Duration::from_secs(target.timeouts.connect_s.max(1));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = match tokio::time::timeout(timeout, connector.connect(name.clone(), tcp)).await {
        Err(_) => {
            return fail(
                format!("no handshake within {} s", timeout.as_secs()),
                "is this port TLS? (raise timeouts.connect_s if the server is slow)",
            );
        }
        Ok(Err(e)) => {
            let (text, fix) = refused(&e, has_cert);
            return fail(text, &fix);
        }
        Ok(Ok(t)) => t,
    };
    let asked = asked.asked();
    if asked {
        // A refusal of the client certificate (or of none) comes as an alert after the
        // handshake; a quiet server has accepted it.
        let mut buf = [0u8; 1];
        if let Ok(Err(e)) = tokio::time::timeout(VERDICT_WAIT, tls.read(&mut buf)).await {
            let (text, fix) = refused(&e, has_cert);
            return fail(text, &fix);
        }
    }
    let (_, conn) = tls.get_ref();
    let version = match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".to_string(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".to_string(),
        other => format!("{other:?}"),
    };
    let suite = conn
        .negotiated_cipher_suite()
        .map_or_else(|| "no suite".to_string(), |s| format!("{:?}", s.suite()));
    let alpn = conn.alpn_protocol().map_or_else(
        || "none".to_string(),
        |p| String::from_utf8_lossy(p).into_owned(),
    );
    let ders = recorder.chain();
    let client_cert = match (asked, has_cert) {
        (false, _) => "client certificate: not asked for".to_string(),
        (true, true) => {
            "client certificate: asked for; the profile's (tls.client_cert) was accepted"
                .to_string()
        }
        (true, false) => {
            "client certificate: asked for, optional; the profile has none".to_string()
        }
    };
    let handshake = format!("{version}, {suite}, ALPN {alpn}");
    judge(target, &name, &ders, insecure, handshake).detail(client_cert)
}

/// The line for a finished handshake: the chain's facts and whether it verifies.
fn judge(
    target: &ResolvedTarget,
    name: &ServerName<'_>,
    ders: &[Vec<u8>],
    insecure: bool,
    handshake: String,
) -> Line {
    let trust = match (target.tls.ca_pem.is_some(), target.tls.ca_only) {
        (true, true) => "tls.ca_file only (ca_only)",
        (true, false) => "the system store and tls.ca_file",
        (false, _) => "the system store",
    };
    let roots = match root_store(target.tls.ca_pem.as_deref(), target.tls.ca_only) {
        Ok(r) => r,
        Err(e) => {
            return Line::fail(
                "tls",
                e.to_string(),
                "tls.ca_file must hold a PEM certificate",
            );
        }
    };
    let chain: Chain = match cert::examine(ders, name, &roots, cert::now_unix()) {
        Ok(c) => c,
        Err(e) => {
            return Line::fail(
                "tls",
                format!("{handshake}; {e}"),
                "the server must send its certificate chain",
            );
        }
    };
    let Some(leaf) = chain.certificates.first() else {
        return Line::fail(
            "tls",
            format!("{handshake}; no certificate"),
            "the server must send its certificate chain",
        );
    };
    let facts = format!(
        "certificate: subject {}; issuer {}; SAN {}; expires {} ({} days)",
        leaf.subject,
        leaf.issuer,
        if leaf.san.is_empty() {
            "none".to_string()
        } else {
            leaf.san.join(", ")
        },
        leaf.not_after,
        leaf.days_left
    );
    let problem = if let Some(why) = &chain.untrusted {
        Some((
            format!("unknown issuer: {why}"),
            format!("add the CA that issued it with tls.ca_file (PEM); trust in use: {trust}"),
        ))
    } else if let Some(why) = &chain.name_mismatch {
        Some((
            format!("name mismatch: {why}"),
            "use in base_url a host name the certificate names, or reissue it for this host"
                .to_string(),
        ))
    } else if leaf.expired {
        Some((
            format!("expired on {}", leaf.not_after),
            "renew the server certificate".to_string(),
        ))
    } else if leaf.not_before_unix > cert::now_unix() {
        Some((
            format!("not valid before {}", leaf.not_before),
            "check the server's certificate dates and this machine's clock".to_string(),
        ))
    } else {
        None
    };
    match problem {
        None => Line::ok("tls", format!("{handshake}; chains: yes (trust: {trust})")).detail(facts),
        Some((what, _)) if insecure => Line::ok(
            "tls",
            format!("{handshake}; chains: not checked, verification is off (--insecure); it would fail: {what}"),
        )
        .detail(facts),
        Some((what, fix)) => Line::fail("tls", format!("{handshake}; chains: no, {what}"), fix).detail(facts),
    }
}

/// Why a handshake failed, and the fix, from rustls's error.
fn refused(e: &std::io::Error, has_cert: bool) -> (String, String) {
    let cert_fix =
        "set tls.client_cert and tls.client_key to the client certificate the vendor issued";
    let tls = rustls_error(e);
    match (tls, tls.and_then(Refusal::of)) {
        (_, Some(Refusal::Required)) => (
            "client certificate required: the server asks for one and the profile has none".into(),
            cert_fix.into(),
        ),
        (_, Some(Refusal::Rejected(a))) if has_cert => (
            format!("client certificate rejected (alert {a:?})"),
            "the server refuses tls.client_cert: check it is the one the vendor issued, unexpired"
                .into(),
        ),
        (Some(rustls::Error::AlertReceived(a)), _)
            if !has_cert
                && matches!(
                    a,
                    AlertDescription::HandshakeFailure | AlertDescription::BadCertificate
                ) =>
        {
            (
                format!(
                    "handshake refused (alert {a:?}): the server may require a client certificate, and the profile has none"
                ),
                cert_fix.into(),
            )
        }
        (Some(rustls::Error::AlertReceived(a)), _) => (
            format!("handshake refused (alert {a:?})"),
            "no TLS 1.2 or 1.3 version and cipher suite in common? Compare with `openssl s_client`"
                .into(),
        ),
        (Some(rustls::Error::InvalidMessage(_)), _) => (
            "not TLS at all: the answer is not a TLS record".into(),
            "is base_url's port the HTTPS one (not plain HTTP)?".into(),
        ),
        (Some(other), _) => (
            other.to_string(),
            "compare with `openssl s_client -connect HOST:PORT`".into(),
        ),
        (None, _) => (
            format!("the connection ended during the handshake: {e}"),
            "is base_url's port the HTTPS one? A proxy or firewall may cut TLS".into(),
        ),
    }
}
