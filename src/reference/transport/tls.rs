//! The rustls server configuration: aws-lc-rs, TLS 1.2 and 1.3 only, HTTP/2 and HTTP/1.1; and
//! the handshake signer of the `weak-key` flaw's RSA-1024 key, which aws-lc-rs will not load.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use rustls::sign::{CertifiedKey, Signer, SigningKey, SingleCertAndKey};
use rustls::{SignatureAlgorithm, SignatureScheme};

use super::certs::{Certificates, ServerKey};
use super::rsa::{Hash, RsaKey};

/// The provider every reference listener uses.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The key that signs the handshakes of `certs`' leaf.
pub(crate) fn signing_key(certs: &Certificates) -> Result<Arc<dyn SigningKey>, String> {
    Ok(match &certs.key {
        ServerKey::Standard(der) => provider()
            .key_provider
            .load_private_key(der.clone_key())
            .map_err(|e| e.to_string())?,
        ServerKey::Weak(rsa) => Arc::new(TextbookRsa(rsa.clone())),
    })
}

/// A server configuration presenting `certs`' chain, signing with `key`; with `client_ca`
/// (PEM, one or more CAs) it requires a client certificate one of them signed. ALPN offers
/// HTTP/2 unless `http1_only`.
pub(crate) fn server_config(
    certs: &Certificates,
    key: Arc<dyn SigningKey>,
    client_ca: Option<&str>,
    http1_only: bool,
) -> Result<Arc<rustls::ServerConfig>, String> {
    let provider = provider();
    let certified = CertifiedKey::new(certs.chain.clone(), key);
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| e.to_string())?;
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(pem) => builder.with_client_cert_verifier(client_verifier(pem, provider)?),
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    config.alpn_protocols = if http1_only {
        vec![b"http/1.1".to_vec()]
    } else {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    };
    Ok(Arc::new(config))
}

/// A verifier that requires a client certificate signed by one of the CAs in `pem`.
fn client_verifier(
    pem: &str,
    provider: Arc<CryptoProvider>,
) -> Result<Arc<dyn rustls::server::danger::ClientCertVerifier>, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let cert = cert.map_err(|e| format!("client CA: {e}"))?;
        roots.add(cert).map_err(|e| format!("client CA: {e}"))?;
    }
    if roots.is_empty() {
        return Err("client CA: no certificate in the file".to_string());
    }
    rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| format!("client CA: {e}"))
}

/// Signs handshakes with an RSA key through [`RsaKey`]: PSS for TLS 1.3 (and TLS 1.2 clients
/// that offer it), PKCS #1 v1.5 with SHA-256 otherwise.
#[derive(Debug)]
struct TextbookRsa(Arc<RsaKey>);

impl SigningKey for TextbookRsa {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        [
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PKCS1_SHA256,
        ]
        .into_iter()
        .find(|s| offered.contains(s))
        .map(|scheme| Box::new(TextbookSigner(self.0.clone(), scheme)) as Box<dyn Signer>)
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

#[derive(Debug)]
struct TextbookSigner(Arc<RsaKey>, SignatureScheme);

impl Signer for TextbookSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rustls::Error> {
        let signed = match self.1 {
            SignatureScheme::RSA_PSS_SHA256 => self.0.sign_pss_sha256(message),
            _ => self.0.sign_pkcs1(Hash::Sha256, message),
        };
        signed.map_err(rustls::Error::General)
    }

    fn scheme(&self) -> SignatureScheme {
        self.1
    }
}
