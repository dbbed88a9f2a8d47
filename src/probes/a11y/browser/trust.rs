//! Trusting a vendor's private CA in Chromium without turning certificate checks off: the
//! `--ignore-certificate-errors-spki-list` flag names public keys (base64 SHA-256 of each
//! SubjectPublicKeyInfo) whose presence in a server's chain excuses an untrusted issuer. Only
//! chains that carry one of the given keys are excused; every other site is checked as usual.
//!
//! Chromium compares the keys of the chain the server *sends*: a server that sends its leaf
//! without the CA is excused only by the leaf's key. [`served_chain_pem`] learns that chain in
//! a handshake verified against the CA, so the leaf is trusted because the CA signed it.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};
use sha2::{Digest, Sha256};
use x509_parser::pem::Pem;

/// Why the CA text cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("the CA file is not PEM: {0}")]
    Pem(String),
    #[error("a certificate in the CA file does not parse: {0}")]
    Certificate(String),
    #[error("the CA file holds no certificate")]
    Empty,
    #[error("{0} is not an https:// URL with a host")]
    NotHttps(String),
    #[error("cannot learn the certificates of {origin}: {reason}")]
    Served { origin: String, reason: String },
}

/// How long connecting and the handshake of [`served_chain_pem`] may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The base64 SHA-256 of the SubjectPublicKeyInfo of every certificate in `pem` (a CA, a leaf,
/// or both), in file order.
pub fn spki_hashes(pem: &str) -> Result<Vec<String>, TrustError> {
    let mut hashes = Vec::new();
    for block in Pem::iter_from_buffer(pem.as_bytes()) {
        let block = block.map_err(|e| TrustError::Pem(e.to_string()))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        let cert = block
            .parse_x509()
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        let digest = Sha256::digest(cert.public_key().raw);
        hashes.push(base64::engine::general_purpose::STANDARD.encode(digest));
    }
    if hashes.is_empty() {
        return Err(TrustError::Empty);
    }
    Ok(hashes)
}

/// The Chromium flag that excuses chains carrying one of `hashes`.
pub fn spki_flag(hashes: &[String]) -> String {
    format!("--ignore-certificate-errors-spki-list={}", hashes.join(","))
}

/// The certificates the server of `url` sends (leaf first), as PEM, after a handshake that
/// verifies them against the CA certificates in `ca_pem` and the URL's host; an error when they
/// do not chain to it.
pub async fn served_chain_pem(
    url: &url::Url,
    ca_pem: &str,
    proxy: &crate::model::proxy::ResolvedProxy,
) -> Result<String, TrustError> {
    let origin = url.origin().ascii_serialization();
    let served = |reason: String| TrustError::Served {
        origin: origin.clone(),
        reason,
    };
    let (Some(host), Some(port), "https") =
        (url.host_str(), url.port_or_known_default(), url.scheme())
    else {
        return Err(TrustError::NotHttps(origin.clone()));
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| TrustError::Pem(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| served(e.to_string()))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    // An IPv6 literal is bracketed in URLs, not in names or socket addresses.
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let name = ServerName::try_from(host.clone()).map_err(|e| served(e.to_string()))?;
    let handshake = async {
        let tcp = crate::http::proxy::connect(proxy, &host, port, HANDSHAKE_TIMEOUT)
            .await
            .map_err(|e| served(e.to_string()))?;
        tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| served(e.to_string()))
    };
    let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
        .await
        .map_err(|_| served(format!("no handshake in {} s", HANDSHAKE_TIMEOUT.as_secs())))??;
    let chain = tls.get_ref().1.peer_certificates().unwrap_or_default();
    if chain.is_empty() {
        return Err(served("it sent no certificate".into()));
    }
    Ok(chain.iter().map(|c| pem(c)).collect())
}

/// One certificate as PEM.
fn pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_of_the_public_key_and_survives_a_reissue() {
        let key = rcgen::KeyPair::generate().expect("key");
        let one = rcgen::CertificateParams::new(vec!["a.test".into()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        let two = rcgen::CertificateParams::new(vec!["b.test".into()])
            .expect("params")
            .self_signed(&key)
            .expect("cert");
        let both = format!("{}{}", one.pem(), two.pem());
        let hashes = spki_hashes(&both).expect("hashes");
        assert_eq!(hashes.len(), 2);
        assert_eq!(hashes[0], hashes[1], "same key, same hash");
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(
            rcgen::PublicKeyData::subject_public_key_info(&key),
        ));
        assert_eq!(hashes[0], expected);
        assert!(spki_flag(&hashes).starts_with("--ignore-certificate-errors-spki-list="));
    }

    #[test]
    fn text_without_a_certificate_is_refused() {
        assert!(matches!(spki_hashes(""), Err(TrustError::Empty)));
        assert!(
            spki_hashes("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
                .is_err()
        );
    }
}
