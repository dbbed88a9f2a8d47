//! Real TLS 1.2 and TLS 1.3 handshakes with rustls (the HTTP client's crypto provider and client
//! certificate), restricted to one version each. The certificate verifier records what the
//! server sent and lets the handshake finish whatever it holds, so that a bad certificate is a
//! fact to report rather than the end of the scan; nothing is sent over these connections.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientConfig, Resumption};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use tokio::io::AsyncWriteExt;

use super::answer::alert_name;
use super::endpoint::{Endpoint, ScanError};
use super::raw::{ANSWER_TIMEOUT, connect};
use super::version::Version;
use crate::http::tls::provider;
use crate::model::proxy::ResolvedProxy;

/// What a finished handshake showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handshake {
    pub version: Version,
    pub cipher: u16,
    /// The key-exchange group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<u16>,
    /// The certificates the server sent, leaf first, DER.
    #[serde(skip)]
    pub chain: Vec<Vec<u8>>,
    /// Bytes of the stapled OCSP response, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocsp_staple_bytes: Option<usize>,
    /// Why the server's handshake signature did not verify, when it did not (an RSA-1024 key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_problem: Option<String>,
}

/// A handshake's end: finished, or refused with the reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Done(Box<Handshake>),
    Refused(String),
}

/// What the verifier saw, kept for after the handshake.
#[derive(Debug, Default)]
struct Seen {
    chain: Vec<Vec<u8>>,
    ocsp: Option<usize>,
    signature_problem: Option<String>,
}

/// Records the chain and the OCSP staple, checks handshake signatures, and accepts.
#[derive(Debug)]
struct Recorder {
    provider: Arc<CryptoProvider>,
    seen: Mutex<Seen>,
}

impl Recorder {
    fn note_signature(&self, r: Result<HandshakeSignatureValid, rustls::Error>) {
        if let Err(e) = r
            && let Ok(mut seen) = self.seen.lock()
        {
            seen.signature_problem = Some(e.to_string());
        }
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.to_vec())
                .collect();
            seen.ocsp = (!ocsp.is_empty()).then_some(ocsp.len());
        }
        // Judged afterwards, with the same webpki verifier the HTTP client uses.
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        self.note_signature(rustls::crypto::verify_tls12_signature(
            message, cert, dss, algs,
        ));
        Ok(HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        self.note_signature(rustls::crypto::verify_tls13_signature(
            message, cert, dss, algs,
        ));
        Ok(HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What every handshake of a scan shares: the profile's client certificate, when it has one.
#[derive(Clone)]
pub struct Client {
    /// The HTTP client's configuration, whose client-certificate resolver is reused.
    base: Arc<ClientConfig>,
    pub connect_timeout: Duration,
    /// The run's proxy plan: every hello and handshake goes the way requests go.
    pub proxy: Arc<ResolvedProxy>,
}

impl Client {
    /// A client presenting what `base` (the HTTP client's configuration) presents, connecting
    /// as `proxy` says.
    pub fn new(base: Arc<ClientConfig>, connect_timeout: Duration, proxy: ResolvedProxy) -> Client {
        Client {
            base,
            connect_timeout,
            proxy: Arc::new(proxy),
        }
    }

    /// One handshake at `version` (TLS 1.2 or TLS 1.3), bounded by the connect and answer
    /// timeouts, closed with close_notify once done.
    pub async fn handshake(&self, ep: &Endpoint, version: Version) -> Result<Outcome, ScanError> {
        let versions: &[&rustls::SupportedProtocolVersion] = match version {
            Version::Tls13 => &[&rustls::version::TLS13],
            _ => &[&rustls::version::TLS12],
        };
        let recorder = Arc::new(Recorder {
            provider: provider(),
            seen: Mutex::new(Seen::default()),
        });
        let mut config = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(versions)
            .map_err(|e| ScanError::Setup(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        config.client_auth_cert_resolver = self.base.client_auth_cert_resolver.clone();
        config.alpn_protocols = self.base.alpn_protocols.clone();
        // Every handshake full, so each shows the certificate and the key exchange.
        config.resumption = Resumption::disabled();
        let tcp = connect(ep, &self.proxy, self.connect_timeout).await?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let name = ep.server_name()?;
        let tls = match tokio::time::timeout(ANSWER_TIMEOUT, connector.connect(name, tcp)).await {
            Err(_) => {
                return Ok(Outcome::Refused(format!(
                    "no handshake within {} s",
                    ANSWER_TIMEOUT.as_secs()
                )));
            }
            Ok(Err(e)) => return Ok(Outcome::Refused(refusal(&e))),
            Ok(Ok(tls)) => tls,
        };
        let (mut tls, facts) = {
            let (_, conn) = tls.get_ref();
            let facts = (
                conn.negotiated_cipher_suite()
                    .map(|s| u16::from(s.suite()))
                    .unwrap_or_default(),
                conn.negotiated_key_exchange_group()
                    .map(|g| u16::from(g.name())),
            );
            (tls, facts)
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), tls.shutdown()).await;
        let seen = recorder
            .seen
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default();
        Ok(Outcome::Done(Box::new(Handshake {
            version,
            cipher: facts.0,
            group: facts.1,
            chain: seen.chain,
            ocsp_staple_bytes: seen.ocsp,
            signature_problem: seen.signature_problem,
        })))
    }
}

/// Why rustls gave up, in the words of the alert when the server sent one.
fn refusal(e: &std::io::Error) -> String {
    match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        Some(rustls::Error::AlertReceived(a)) => format!("alert {}", alert_name(u8::from(*a))),
        Some(other) => other.to_string(),
        None => e.to_string(),
    }
}
