//! Trusting a vendor's private CA in Chromium without turning certificate checks off: the
//! `--ignore-certificate-errors-spki-list` flag names public keys (base64 SHA-256 of each
//! SubjectPublicKeyInfo) whose presence in a server's chain excuses an untrusted issuer. Only
//! chains that carry one of the given keys are excused; every other site is checked as usual.

use base64::Engine as _;
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
}

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
