//! PEM files a profile names for TLS: a bundle of CA certificates, and a client certificate
//! with its key (PKCS #8, PKCS #1 or SEC1). Read when the profile is resolved, so a bad file
//! is a located diagnostic before any connection, not a handshake error in every check.

use rustls::pki_types::pem::{self, PemObject, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why a PEM file is not usable, in the reviewer's terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PemError {
    #[error("no PEM certificate (`-----BEGIN CERTIFICATE-----`) in the file")]
    NoCertificate,
    #[error("a certificate in the file is not valid PEM: {0}")]
    BadCertificate(String),
    #[error(
        "the client key is encrypted (a passphrase-protected PEM), and vvcheck asks for no passphrase: keep a decrypted copy as a secret instead (`openssl pkey -in KEY -out KEY.plain`, mode 0600)"
    )]
    EncryptedKey,
    #[error(
        "no private key in the file: expected `BEGIN PRIVATE KEY` (PKCS #8), `BEGIN RSA PRIVATE KEY` (PKCS #1) or `BEGIN EC PRIVATE KEY` (SEC1)"
    )]
    NoKey,
    #[error("the client key is not valid PEM: {0}")]
    BadKey(String),
}

/// Every certificate in a PEM bundle, in order; at least one.
pub fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, PemError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| PemError::BadCertificate(e.to_string()))?;
    if certs.is_empty() {
        return Err(PemError::NoCertificate);
    }
    Ok(certs)
}

/// The private key of a PEM file: the first PKCS #8, PKCS #1 or SEC1 key in it.
pub fn private_key(pem: &str) -> Result<PrivateKeyDer<'static>, PemError> {
    // An encrypted PKCS #8 key has a label of its own; a legacy OpenSSL one keeps the RSA or EC
    // label and says so in a header, which the PEM reader would skip as if it were the key.
    if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || pem.contains("Proc-Type: 4,ENCRYPTED")
    {
        return Err(PemError::EncryptedKey);
    }
    for section in <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(pem.as_bytes()) {
        let (kind, der) = section.map_err(|e: pem::Error| PemError::BadKey(e.to_string()))?;
        let key = match kind {
            SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(der.into()),
            SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(der.into()),
            SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(der.into()),
            _ => continue,
        };
        return Ok(key);
    }
    Err(PemError::NoKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn each_key_format_is_recognised_by_its_label() {
        let body = "AAEC";
        assert!(matches!(
            private_key(&pem("PRIVATE KEY", body)),
            Ok(PrivateKeyDer::Pkcs8(_))
        ));
        assert!(matches!(
            private_key(&pem("RSA PRIVATE KEY", body)),
            Ok(PrivateKeyDer::Pkcs1(_))
        ));
        assert!(matches!(
            private_key(&pem("EC PRIVATE KEY", body)),
            Ok(PrivateKeyDer::Sec1(_))
        ));
        let with_cert = format!(
            "{}{}",
            pem("CERTIFICATE", body),
            pem("EC PRIVATE KEY", body)
        );
        assert!(matches!(
            private_key(&with_cert),
            Ok(PrivateKeyDer::Sec1(_))
        ));
    }

    #[test]
    fn an_encrypted_key_is_named_as_such() {
        assert_eq!(
            private_key(&pem("ENCRYPTED PRIVATE KEY", "AAEC")),
            Err(PemError::EncryptedKey)
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAEC\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(private_key(legacy), Err(PemError::EncryptedKey));
        assert!(PemError::EncryptedKey.to_string().contains("passphrase"));
    }

    #[test]
    fn a_file_without_a_key_or_certificate_says_what_was_expected() {
        assert_eq!(
            private_key(&pem("CERTIFICATE", "AAEC")),
            Err(PemError::NoKey)
        );
        assert_eq!(private_key("not pem"), Err(PemError::NoKey));
        assert_eq!(certificates(b"not pem"), Err(PemError::NoCertificate));
        assert_eq!(
            certificates(
                format!(
                    "{}{}",
                    pem("CERTIFICATE", "AAEC"),
                    pem("CERTIFICATE", "AQID")
                )
                .as_bytes()
            )
            .map(|c| c.len()),
            Ok(2),
            "a bundle"
        );
    }
}
