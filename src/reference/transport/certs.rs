//! The certificates made at start-up: a fresh rcgen CA and a leaf it signs for the loopback
//! names, kept as DER so any TLS stack can serve them; made wrong on purpose for the
//! certificate flaws.

use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256, PublicKeyData,
    SignatureAlgorithm,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::rsa::{Hash, RsaKey};

/// A name on the server's certificate that no resolver knows (`.test` is reserved): a client
/// that reaches the server by it went through a proxy that maps it to the server's address.
pub const UNRESOLVABLE_NAME: &str = "reference.vvcheck.test";

/// The `weak-key` flaw's 1024-bit RSA key, made once with
/// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024` (committed because neither
/// rcgen nor aws-lc-rs makes keys under 2048 bits). It protects nothing.
const WEAK_KEY_PEM: &[u8] = include_bytes!("rsa1024.pem");

/// How the server signs its handshakes.
pub(crate) enum ServerKey {
    /// A key aws-lc-rs loads (PKCS #8).
    Standard(PrivateKeyDer<'static>),
    /// The `weak-key` flaw's RSA-1024 key, which only the textbook signer takes.
    Weak(Arc<RsaKey>),
}

/// The CA certificate (PEM) and the leaf's chain and key.
pub(crate) struct Certificates {
    pub ca_pem: String,
    /// The leaf, then the CA.
    pub chain: Vec<CertificateDer<'static>>,
    pub key: ServerKey,
    /// An RSA leaf (then the CA) for the legacy front's static-RSA suites, when asked for.
    pub rsa_chain: Option<Vec<CertificateDer<'static>>>,
}

/// How the leaf is made wrong, for the certificate flaws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum LeafFault {
    #[default]
    None,
    /// Its validity ended yesterday (`expired-cert`).
    Expired,
    /// It names only `wrong-host.example` (`wrong-host-cert`).
    WrongHost,
    /// It is signed by its own key, not the CA's (`self-signed`).
    SelfSigned,
    /// Its key is RSA-1024 (`weak-key`).
    WeakKey,
    /// The CA (RSA) signed it with SHA-1 (`sha1-cert`).
    Sha1Signature,
}

/// The RSA public key of an [`RsaKey`], for rcgen to certify.
struct RsaPublic(Vec<u8>);

impl PublicKeyData for RsaPublic {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

/// Makes a fresh CA and leaf valid for `127.0.0.1`, `::1`, `localhost` and `host` (or made
/// wrong as `fault` says), and with `rsa_leaf` an RSA-2048 leaf for the same names. With
/// `intermediate` a sound leaf is signed by an intermediate CA the root signed, and the
/// chain served is the leaf and the intermediate, as most public servers send theirs.
pub(crate) fn make(
    host: IpAddr,
    fault: LeafFault,
    rsa_leaf: bool,
    intermediate: bool,
) -> Result<Certificates, String> {
    let err = |e: rcgen::Error| e.to_string();
    let now = OffsetDateTime::now_utc();

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.distinguished_name = name("vvcheck reference CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca_params.not_before = now - Duration::days(1);
    ca_params.not_after = now + Duration::days(365);
    // A SHA-1 signature needs an RSA issuer: the textbook signer re-signs with its key.
    let ca_key = if fault == LeafFault::Sha1Signature {
        KeyPair::generate_for(&PKCS_RSA_SHA256).map_err(err)?
    } else {
        KeyPair::generate().map_err(err)?
    };
    let ca_key_der = ca_key.serialize_der();
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).map_err(err)?;

    let mut names = vec![
        UNRESOLVABLE_NAME.to_owned(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !host.is_loopback() && !host.is_unspecified() {
        names.push(host.to_string());
    }
    let leaf_params = |names: Vec<String>| -> Result<CertificateParams, String> {
        let mut p = CertificateParams::new(names).map_err(err)?;
        p.distinguished_name = name("localhost");
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
        p.not_before = now - Duration::days(1);
        p.not_after = now + Duration::days(180);
        Ok(p)
    };
    let mut params = leaf_params(if fault == LeafFault::WrongHost {
        vec!["wrong-host.example".to_owned()]
    } else {
        names.clone()
    })?;
    if fault == LeafFault::Expired {
        params.not_before = now - Duration::days(90);
        params.not_after = now - Duration::days(1);
    }

    let ca_der = ca.der().clone();
    let (leaf, key, chain_ca): (CertificateDer<'static>, ServerKey, _) = match fault {
        LeafFault::SelfSigned => {
            let key = KeyPair::generate().map_err(err)?;
            let leaf = params.self_signed(&key).map_err(err)?;
            (leaf.der().clone(), standard(&key), None)
        }
        LeafFault::WeakKey => {
            let der = PrivatePkcs8KeyDer::from_pem_slice(WEAK_KEY_PEM)
                .map_err(|e| format!("the weak-key flaw's key: {e}"))?;
            let weak = RsaKey::from_pkcs8(der.secret_pkcs8_der())?;
            let leaf = params
                .signed_by(&RsaPublic(weak.public_der()), &ca)
                .map_err(err)?;
            (
                leaf.der().clone(),
                ServerKey::Weak(Arc::new(weak)),
                Some(ca_der.clone()),
            )
        }
        LeafFault::Sha1Signature => {
            let key = KeyPair::generate().map_err(err)?;
            let leaf = params.signed_by(&key, &ca).map_err(err)?;
            let issuer = RsaKey::from_pkcs8(&ca_key_der)?;
            let der = resign_sha1(leaf.der(), &issuer)?;
            (
                CertificateDer::from(der),
                standard(&key),
                Some(ca_der.clone()),
            )
        }
        LeafFault::None if intermediate => {
            let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
            p.distinguished_name = name("vvcheck reference intermediate CA");
            p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            p.use_authority_key_identifier_extension = true;
            p.not_before = now - Duration::days(1);
            p.not_after = now + Duration::days(365);
            let issuer = CertifiedIssuer::signed_by(p, KeyPair::generate().map_err(err)?, &ca)
                .map_err(err)?;
            let key = KeyPair::generate().map_err(err)?;
            let leaf = params.signed_by(&key, &issuer).map_err(err)?;
            (
                leaf.der().clone(),
                standard(&key),
                Some(issuer.der().clone()),
            )
        }
        LeafFault::None | LeafFault::Expired | LeafFault::WrongHost => {
            let key = KeyPair::generate().map_err(err)?;
            let leaf = params.signed_by(&key, &ca).map_err(err)?;
            (leaf.der().clone(), standard(&key), Some(ca_der.clone()))
        }
    };

    let rsa_chain = if rsa_leaf {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256).map_err(err)?;
        let leaf = leaf_params(names)?.signed_by(&key, &ca).map_err(err)?;
        Some(vec![leaf.der().clone(), ca_der])
    } else {
        None
    };

    Ok(Certificates {
        ca_pem: ca.pem(),
        chain: std::iter::once(leaf).chain(chain_ca).collect(),
        key,
        rsa_chain,
    })
}

/// A client certificate for mutual TLS and the CA that signed it, all PEM.
#[derive(Clone, Debug)]
pub struct ClientIdentity {
    /// The CA a server that requires this certificate trusts.
    pub ca_pem: String,
    /// The client's certificate.
    pub cert_pem: String,
    /// The client's private key (PKCS #8). It unlocks only this test server.
    pub key_pem: String,
}

/// Makes a fresh client CA and a client certificate (`clientAuth`) it signed, for a reviewer
/// named `common_name`.
pub(crate) fn client_identity(common_name: &str) -> Result<ClientIdentity, String> {
    let err = |e: rcgen::Error| e.to_string();
    let now = OffsetDateTime::now_utc();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.distinguished_name = name("vvcheck reference client CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = now - Duration::days(1);
    ca_params.not_after = now + Duration::days(365);
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;
    let mut p = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    p.distinguished_name = name(common_name);
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    p.use_authority_key_identifier_extension = true;
    p.not_before = now - Duration::days(1);
    p.not_after = now + Duration::days(180);
    let key = KeyPair::generate().map_err(err)?;
    let cert = p.signed_by(&key, &ca).map_err(err)?;
    Ok(ClientIdentity {
        ca_pem: ca.pem(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    })
}

fn standard(key: &KeyPair) -> ServerKey {
    ServerKey::Standard(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        key.serialize_der(),
    )))
}

/// The AlgorithmIdentifier of sha256WithRSAEncryption, as rcgen writes it (OID and NULL).
const SHA256_WITH_RSA: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
];
/// sha1WithRSAEncryption (1.2.840.113549.1.1.5): the same length, so no DER length changes.
const SHA1_WITH_RSA: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00,
];

/// Turns a certificate rcgen signed with sha256WithRSAEncryption into the same certificate
/// signed with sha1WithRSAEncryption by `issuer`: both algorithm identifiers (the TBS one and
/// the outer one) are rewritten in place and the TBS signed again.
fn resign_sha1(der: &[u8], issuer: &RsaKey) -> Result<Vec<u8>, String> {
    let mut cert = der.to_vec();
    let at: Vec<usize> = cert
        .windows(SHA256_WITH_RSA.len())
        .enumerate()
        .filter(|(_, w)| *w == SHA256_WITH_RSA)
        .map(|(i, _)| i)
        .collect();
    if at.len() != 2 {
        return Err(format!(
            "expected the signature algorithm twice in the leaf, found it {} times",
            at.len()
        ));
    }
    for i in at {
        cert[i..i + SHA1_WITH_RSA.len()].copy_from_slice(&SHA1_WITH_RSA);
    }
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }: both
    // SEQUENCEs longer than 255 bytes, so each header is 30 82 LL LL.
    let long_header = |at: usize| cert.get(at) == Some(&0x30) && cert.get(at + 1) == Some(&0x82);
    if !long_header(0) || !long_header(4) {
        return Err("the leaf's DER is not laid out as expected".into());
    }
    let tbs_len = 4 + usize::from(u16::from_be_bytes([cert[6], cert[7]]));
    let tbs = cert
        .get(4..4 + tbs_len)
        .ok_or("the leaf's TBS runs past its end")?;
    let signature = issuer.sign_pkcs1(Hash::Sha1, tbs)?;
    let start = cert
        .len()
        .checked_sub(signature.len())
        .ok_or("the leaf is shorter than its signature")?;
    cert[start..].copy_from_slice(&signature);
    Ok(cert)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "vvcheck reference vendor");
    dn
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{self, UnparsedPublicKey};
    use std::net::Ipv4Addr;
    use x509_parser::prelude::{FromDer, X509Certificate};

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    #[test]
    fn the_sha1_leaf_is_signed_with_sha1_by_the_rsa_ca() {
        let certs = make(LOOPBACK, LeafFault::Sha1Signature, false, false).expect("made");
        let (_, leaf) = X509Certificate::from_der(&certs.chain[0]).expect("leaf parses");
        let (_, ca) = X509Certificate::from_der(&certs.chain[1]).expect("CA parses");
        let sha1 = "1.2.840.113549.1.1.5";
        assert_eq!(leaf.signature_algorithm.algorithm.to_id_string(), sha1);
        assert_eq!(
            leaf.tbs_certificate.signature.algorithm.to_id_string(),
            sha1
        );
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            ca.public_key().subject_public_key.data.as_ref(),
        )
        .verify(
            leaf.tbs_certificate.as_ref(),
            leaf.signature_value.data.as_ref(),
        )
        .expect("the CA's SHA-1 signature verifies");
    }

    #[test]
    fn the_weak_leaf_holds_the_1024_bit_key_and_the_ca_signed_it() {
        let certs = make(LOOPBACK, LeafFault::WeakKey, false, false).expect("made");
        let (_, leaf) = X509Certificate::from_der(&certs.chain[0]).expect("leaf parses");
        let x509_parser::public_key::PublicKey::RSA(rsa) =
            leaf.public_key().parsed().expect("key parses")
        else {
            panic!("the weak leaf's key is RSA");
        };
        assert_eq!(rsa.key_size(), 1024);
        assert!(matches!(certs.key, ServerKey::Weak(_)));
    }

    #[test]
    fn the_rsa_leaf_is_made_only_when_asked() {
        assert!(
            make(LOOPBACK, LeafFault::None, false, false)
                .expect("made")
                .rsa_chain
                .is_none()
        );
        let chain = make(LOOPBACK, LeafFault::None, true, false)
            .expect("made")
            .rsa_chain
            .expect("an RSA chain");
        let (_, leaf) = X509Certificate::from_der(&chain[0]).expect("parses");
        assert!(matches!(
            leaf.public_key().parsed(),
            Ok(x509_parser::public_key::PublicKey::RSA(_))
        ));
    }
}
