//! The certificate chain a server sent: facts read with x509-parser (names, validity, key,
//! signature), and whether it is trusted and matches the host, decided by rustls's webpki
//! verifier with the HTTP client's trust store (system roots plus the profile's `tls.ca_file`).

use std::time::Duration;

use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, RootCertStore};
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::answer::bit_length;
use crate::http::tls::provider;

/// One certificate of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// Subject alternative names: `DNS:localhost`, `IP:127.0.0.1`.
    pub san: Vec<String>,
    /// `2025-03-01` (UTC).
    pub not_before: String,
    pub not_after: String,
    /// Whole days from now to `not_after`, rounded toward zero (`-30`: expired 30 days ago).
    pub days_left: i64,
    /// Whether `not_after` has passed.
    pub expired: bool,
    /// `RSA`, `EC`, `Ed25519`, `DSA`, or the key's algorithm identifier.
    pub key_type: String,
    pub key_bits: usize,
    /// The curve of an EC key (`prime256v1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// `sha256WithRSAEncryption`, as OpenSSL names it.
    pub signature_algorithm: String,
    /// The digest that makes the signature unacceptable (SHA-1, MD5, MD2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weak_digest: Option<&'static str>,
    /// Issued by itself: a root (or a self-signed leaf).
    pub self_signed: bool,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
    /// `not_before` in seconds since 1970.
    #[serde(skip)]
    pub not_before_unix: i64,
    #[serde(skip)]
    not_after_unix: i64,
    #[serde(skip)]
    subject_der: Vec<u8>,
    #[serde(skip)]
    issuer_der: Vec<u8>,
}

/// What the chain amounts to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    /// Leaf first, as sent.
    pub certificates: Vec<CertInfo>,
    /// `None`: chains to a trusted root; otherwise why not (time aside: an expired but
    /// otherwise good chain is trusted here, and its dates are judged on their own).
    pub untrusted: Option<String>,
    /// `None`: the leaf's subject alternative names cover the host; otherwise why not.
    pub name_mismatch: Option<String>,
    /// Positions where a certificate is not the issuer of the one before it.
    pub out_of_order: Vec<usize>,
}

/// Why a chain could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CertError {
    #[error("the server sent no certificate")]
    Empty,
    #[error("certificate {0} is not valid DER X.509: {1}")]
    Parse(usize, String),
}

/// Reads and judges the chain `ders` (leaf first) for `host`, at `now` (seconds since 1970).
pub fn examine(
    ders: &[Vec<u8>],
    host: &ServerName<'_>,
    roots: &RootCertStore,
    now: i64,
) -> Result<Chain, CertError> {
    if ders.is_empty() {
        return Err(CertError::Empty);
    }
    let certificates = ders
        .iter()
        .enumerate()
        .map(|(i, der)| info(der, now).map_err(|e| CertError::Parse(i, e)))
        .collect::<Result<Vec<_>, _>>()?;
    let out_of_order = certificates
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].issuer_der != w[1].subject_der)
        .map(|(i, _)| i + 1)
        .collect();
    let leaf = CertificateDer::from(ders[0].as_slice());
    let intermediates: Vec<CertificateDer<'_>> = ders[1..]
        .iter()
        .map(|d| CertificateDer::from(d.as_slice()))
        .collect();
    let (untrusted, name_mismatch) = match ParsedCertificate::try_from(&leaf) {
        Err(e) => (Some(e.to_string()), Some(e.to_string())),
        Ok(parsed) => (
            trust(&parsed, &intermediates, roots, &certificates, now),
            verify_server_name(&parsed, host)
                .err()
                .map(|_| mismatch(host, &certificates[0])),
        ),
    };
    Ok(Chain {
        certificates,
        untrusted,
        name_mismatch,
        out_of_order,
    })
}

/// Chains to a trusted root? Checked now, and, when only time stands in the way, again at a
/// moment inside every certificate's validity window, so that trust is judged apart from dates.
fn trust(
    leaf: &ParsedCertificate<'_>,
    intermediates: &[CertificateDer<'_>],
    roots: &RootCertStore,
    chain: &[CertInfo],
    now: i64,
) -> Option<String> {
    let algs = provider().signature_verification_algorithms.all;
    let at =
        |t: i64| UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(t).unwrap_or(0)));
    let verdict =
        |t: i64| verify_server_cert_signed_by_trust_anchor(leaf, roots, intermediates, at(t), algs);
    let first = verdict(now);
    let time_only = |e: &rustls::Error| {
        matches!(
            e,
            rustls::Error::InvalidCertificate(
                CertificateError::Expired
                    | CertificateError::ExpiredContext { .. }
                    | CertificateError::NotValidYet
                    | CertificateError::NotValidYetContext { .. }
            )
        )
    };
    let result = match first {
        Err(e) if time_only(&e) => {
            let start = chain.iter().map(|c| c.not_before_unix).max().unwrap_or(now);
            let end = chain.iter().map(|c| c.not_after_unix).min().unwrap_or(now);
            if start < end {
                verdict(start + 1)
            } else {
                Err(e)
            }
        }
        other => other,
    };
    result.err().map(|e| untrusted_reason(&e, chain))
}

fn untrusted_reason(e: &rustls::Error, chain: &[CertInfo]) -> String {
    let last = chain.last();
    // Whatever webpki objects to first (a CA used as a leaf, say), one self-signed
    // certificate is untrusted because it is its own issuer.
    if let [only] = chain
        && only.self_signed
    {
        return "self-signed certificate, not a trusted root".to_string();
    }
    match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => match last {
            Some(c) if c.self_signed => format!("the chain ends at {}, which is not a trusted root", c.subject),
            Some(c) => format!(
                "issuer unknown: {} is issued by {}, which the server does not send and no trusted \
                 root is (a missing intermediate, or an untrusted CA)",
                c.subject, c.issuer
            ),
            None => "issuer unknown".to_string(),
        },
        rustls::Error::InvalidCertificate(
            CertificateError::UnsupportedSignatureAlgorithmContext { .. },
        ) => "a signature in the chain uses an algorithm the verifier refuses (SHA-1, MD5 or a weak key)"
            .to_string(),
        rustls::Error::InvalidCertificate(CertificateError::BadSignature) => {
            "a signature in the chain does not verify".to_string()
        }
        other => other.to_string(),
    }
}

fn mismatch(host: &ServerName<'_>, leaf: &CertInfo) -> String {
    let host = match host {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    };
    if leaf.san.is_empty() {
        format!(
            "{host} is not named: the certificate has no subject alternative names (CN is never used)"
        )
    } else {
        format!(
            "{host} is not among the subject alternative names ({})",
            leaf.san.join(", ")
        )
    }
}

fn info(der: &[u8], now: i64) -> Result<CertInfo, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    let registry = x509_parser::objects::oid_registry();
    let san = match cert.subject_alternative_name() {
        Ok(Some(ext)) => ext
            .value
            .general_names
            .iter()
            .filter_map(general_name)
            .collect(),
        _ => Vec::new(),
    };
    let not_before_unix = cert.validity().not_before.timestamp();
    let not_after_unix = cert.validity().not_after.timestamp();
    let sig_oid = &cert.signature_algorithm.algorithm;
    let signature_algorithm = x509_parser::objects::oid2sn(sig_oid, registry)
        .map(str::to_string)
        .unwrap_or_else(|_| sig_oid.to_id_string());
    let (key_type, key_bits, curve) = key(&cert);
    let subject_der = cert.subject().as_raw().to_vec();
    let issuer_der = cert.issuer().as_raw().to_vec();
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        san,
        not_before: date(not_before_unix),
        not_after: date(not_after_unix),
        days_left: (not_after_unix - now) / 86_400,
        expired: not_after_unix < now,
        key_type,
        key_bits,
        curve,
        weak_digest: weak_digest(&sig_oid.to_id_string()),
        signature_algorithm,
        self_signed: subject_der == issuer_der,
        sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(der)),
        not_before_unix,
        not_after_unix,
        subject_der,
        issuer_der,
    })
}

fn general_name(n: &GeneralName<'_>) -> Option<String> {
    match n {
        GeneralName::DNSName(d) => Some(format!("DNS:{d}")),
        GeneralName::IPAddress(b) => match b.len() {
            4 => <[u8; 4]>::try_from(*b)
                .ok()
                .map(|a| format!("IP:{}", std::net::Ipv4Addr::from(a))),
            16 => <[u8; 16]>::try_from(*b)
                .ok()
                .map(|a| format!("IP:{}", std::net::Ipv6Addr::from(a))),
            _ => None,
        },
        _ => None,
    }
}

/// The signature digests SEC-02 refuses, by signature algorithm OID.
fn weak_digest(oid: &str) -> Option<&'static str> {
    match oid {
        // sha1WithRSAEncryption, ecdsa-with-SHA1, dsa-with-sha1, sha1WithRSA (OIW)
        "1.2.840.113549.1.1.5" | "1.2.840.10045.4.1" | "1.2.840.10040.4.3" | "1.3.14.3.2.29" => {
            Some("SHA-1")
        }
        "1.2.840.113549.1.1.4" => Some("MD5"),
        "1.2.840.113549.1.1.2" => Some("MD2"),
        _ => None,
    }
}

fn key(cert: &X509Certificate<'_>) -> (String, usize, Option<String>) {
    let spki = cert.public_key();
    let registry = x509_parser::objects::oid_registry();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|oid| {
            x509_parser::objects::oid2sn(&oid, registry)
                .map(str::to_string)
                .unwrap_or_else(|_| oid.to_id_string())
        });
    match (
        spki.algorithm.algorithm.to_id_string().as_str(),
        spki.parsed(),
    ) {
        ("1.3.101.112", _) => ("Ed25519".into(), 256, None),
        ("1.3.101.113", _) => ("Ed448".into(), 456, None),
        (_, Ok(PublicKey::RSA(rsa))) => ("RSA".into(), bit_length(rsa.modulus), None),
        (_, Ok(PublicKey::EC(point))) => ("EC".into(), point.key_size(), curve),
        (_, Ok(PublicKey::DSA(y))) => ("DSA".into(), bit_length(y), None),
        (oid, _) => (oid.to_string(), 0, None),
    }
}

/// `2025-03-01`, UTC.
pub fn date(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!("[year]-[month]-[day]"))
                .ok()
        })
        .unwrap_or_else(|| format!("@{unix}"))
}

/// Seconds since 1970, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}
