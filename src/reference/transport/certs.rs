//! The certificates made at start-up: a fresh rcgen CA and a leaf it signs for the loopback
//! names, kept as DER so any TLS stack can serve them.

use std::net::IpAddr;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// The CA certificate (PEM) and the leaf's chain and key.
pub(crate) struct Certificates {
    pub ca_pem: String,
    /// The leaf, then the CA.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key (PKCS #8).
    pub key: PrivateKeyDer<'static>,
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
}

/// Makes a fresh CA and leaf valid for `127.0.0.1`, `::1`, `localhost` and `host` (or made
/// wrong as `fault` says).
pub(crate) fn make(host: IpAddr, fault: LeafFault) -> Result<Certificates, String> {
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
    let ca =
        CertifiedIssuer::self_signed(ca_params, KeyPair::generate().map_err(err)?).map_err(err)?;

    let mut names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    if !host.is_loopback() && !host.is_unspecified() {
        names.push(host.to_string());
    }
    if fault == LeafFault::WrongHost {
        names = vec!["wrong-host.example".to_owned()];
    }
    let mut leaf_params = CertificateParams::new(names).map_err(err)?;
    leaf_params.distinguished_name = name("localhost");
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.use_authority_key_identifier_extension = true;
    leaf_params.not_before = now - Duration::days(1);
    leaf_params.not_after = now + Duration::days(180);
    if fault == LeafFault::Expired {
        leaf_params.not_before = now - Duration::days(90);
        leaf_params.not_after = now - Duration::days(1);
    }
    let leaf_key = KeyPair::generate().map_err(err)?;
    let (leaf, chain_ca) = if fault == LeafFault::SelfSigned {
        (leaf_params.self_signed(&leaf_key).map_err(err)?, None)
    } else {
        (
            leaf_params.signed_by(&leaf_key, &ca).map_err(err)?,
            Some(ca.der().clone()),
        )
    };

    Ok(Certificates {
        ca_pem: ca.pem(),
        chain: std::iter::once(leaf.der().clone())
            .chain(chain_ca)
            .collect(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
    })
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "vvcheck reference vendor");
    dn
}
