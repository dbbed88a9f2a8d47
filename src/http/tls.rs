//! rustls client configuration: system trust store, the profile's CA, mutual TLS, and
//! `--insecure` (verification off, reported in every output).

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::model::pem;
use crate::model::resolve::ResolvedTls;
use crate::model::target::HttpVersion;

/// TLS set-up failed.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("no usable certificate in the CA file")]
    NoCa,
    #[error("client certificate or key: {0}")]
    ClientIdentity(String),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The one crypto provider vvcheck uses.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Trusted roots: the platform's store (openssl-probe locations, `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` honoured) unless `ca_only`, plus every certificate of the profile's CA bundle.
pub fn root_store(extra_ca: Option<&[u8]>, ca_only: bool) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    if !ca_only {
        let probe = openssl_probe::probe();
        if let Some(file) = probe.cert_file.as_ref().and_then(|f| std::fs::read(f).ok()) {
            for cert in CertificateDer::pem_slice_iter(&file).flatten() {
                let _ = roots.add(cert);
            }
        }
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
    }
    if let Some(pem) = extra_ca {
        let mut added = 0;
        for cert in pem::certificates(pem).map_err(|_| TlsError::NoCa)? {
            if roots.add(cert).is_ok() {
                added += 1;
            }
        }
        if added == 0 {
            return Err(TlsError::NoCa);
        }
    }
    Ok(roots)
}

/// The ALPN protocols offered for `version`.
pub fn alpn(version: HttpVersion) -> Vec<Vec<u8>> {
    match version {
        HttpVersion::Auto => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
        HttpVersion::Http1 => vec![b"http/1.1".to_vec()],
        HttpVersion::Http2 => vec![b"h2".to_vec()],
    }
}

/// The client configuration for HTTPS requests to the target, offering `version` by ALPN.
pub fn client_config(
    tls: &ResolvedTls,
    insecure: bool,
    version: HttpVersion,
) -> Result<ClientConfig, TlsError> {
    let builder =
        ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let builder = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(AcceptAnyCert::new())
    } else {
        builder.with_root_certificates(root_store(tls.ca_pem.as_deref(), tls.ca_only)?)
    };
    let mut config = match &tls.client_identity {
        Some((cert_pem, key_pem)) => {
            let identity = |e: pem::PemError| TlsError::ClientIdentity(e.to_string());
            let certs = pem::certificates(cert_pem).map_err(identity)?;
            let key = pem::private_key(key_pem.expose()).map_err(identity)?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| TlsError::ClientIdentity(e.to_string()))?
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = alpn(version);
    Ok(config)
}

/// The rustls error inside `e`: tokio-rustls wraps it in an `io::Error` whose `source` skips it.
pub fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

/// Accepts any certificate, keeping the chain the server sent; handshake signatures are still
/// checked. The HTTP client uses it only with `--insecure` (and every report says so); the
/// doctor, to judge the chain after the handshake and name what is wrong with it.
#[derive(Debug)]
pub struct AcceptAnyCert {
    provider: Arc<CryptoProvider>,
    chain: Mutex<Vec<Vec<u8>>>,
}

impl AcceptAnyCert {
    /// A verifier with the crypto provider vvcheck uses.
    pub fn new() -> Arc<AcceptAnyCert> {
        Arc::new(AcceptAnyCert {
            provider: provider(),
            chain: Mutex::new(Vec::new()),
        })
    }

    /// The chain (DER, leaf first) of the last certificate accepted.
    pub fn chain(&self) -> Vec<Vec<u8>> {
        self.chain.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            *chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.to_vec())
                .collect();
        }
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// What a server's alert says of the client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The server wanted a certificate and was sent none.
    Required,
    /// The server refused the certificate sent (or, with none sent, the handshake).
    Rejected(AlertDescription),
}

impl Refusal {
    /// The refusal `e` is, if it is an alert about the client's certificate.
    pub fn of(e: &rustls::Error) -> Option<Refusal> {
        use AlertDescription as A;
        match e {
            rustls::Error::AlertReceived(A::CertificateRequired) => Some(Refusal::Required),
            rustls::Error::AlertReceived(
                a @ (A::BadCertificate
                | A::UnknownCA
                | A::CertificateUnknown
                | A::UnsupportedCertificate
                | A::CertificateExpired
                | A::CertificateRevoked
                | A::AccessDenied),
            ) => Some(Refusal::Rejected(*a)),
            _ => None,
        }
    }
}
