//! Cipher suites: IANA names and attributes from the registry table tls-parser carries, the
//! sets the scanner offers, and the weaknesses SEC-01 forbids. Key-exchange group names too.

use serde::Serialize;
use tls_parser::{TlsCipherAu, TlsCipherEnc, TlsCipherKx, TlsCipherSuite};

/// What makes a suite unacceptable under SEC-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Weakness {
    /// No encryption.
    Null,
    /// Export-grade (40/56-bit) keys.
    Export,
    /// No server authentication (aNULL).
    Anonymous,
    Rc4,
    Des,
    TripleDes,
    /// RSA key transport: no forward secrecy.
    StaticRsa,
    /// Fixed (EC)DH keys from the certificate: no forward secrecy.
    StaticDh,
}

impl Weakness {
    /// How testssl.sh-style output names it.
    pub fn describe(self) -> &'static str {
        match self {
            Weakness::Null => "NULL encryption",
            Weakness::Export => "EXPORT-grade",
            Weakness::Anonymous => "anonymous (aNULL), no server authentication",
            Weakness::Rc4 => "RC4",
            Weakness::Des => "DES",
            Weakness::TripleDes => "3DES",
            Weakness::StaticRsa => "static RSA key exchange, no forward secrecy",
            Weakness::StaticDh => "static DH key exchange, no forward secrecy",
        }
    }
}

/// The IANA name of a suite, or its number when the registry does not know it.
pub fn name(id: u16) -> String {
    match TlsCipherSuite::from_id(id) {
        Some(s) => s.name.to_string(),
        None => format!("0x{id:04X}"),
    }
}

/// Why a suite is unacceptable; empty when it is not (or is unknown to the registry).
pub fn weaknesses(id: u16) -> Vec<Weakness> {
    let Some(s) = TlsCipherSuite::from_id(id) else {
        return Vec::new();
    };
    let mut w = Vec::new();
    if s.enc == TlsCipherEnc::Null {
        w.push(Weakness::Null);
    }
    if s.name.contains("EXPORT") {
        w.push(Weakness::Export);
    }
    if (s.au == TlsCipherAu::Null && s.kx != TlsCipherKx::Tls13) || s.kx == TlsCipherKx::Aecdh {
        w.push(Weakness::Anonymous);
    }
    match s.enc {
        TlsCipherEnc::Rc4 => w.push(Weakness::Rc4),
        TlsCipherEnc::Des => w.push(Weakness::Des),
        TlsCipherEnc::TripleDes => w.push(Weakness::TripleDes),
        _ => {}
    }
    match s.kx {
        TlsCipherKx::Rsa => w.push(Weakness::StaticRsa),
        TlsCipherKx::Dh | TlsCipherKx::Ecdh if s.au != TlsCipherAu::Null => {
            w.push(Weakness::StaticDh)
        }
        _ => {}
    }
    w
}

/// Whether the suite's key exchange is ephemeral (EC)DH, whose group the server names.
pub fn key_exchange(id: u16) -> Option<TlsCipherKx> {
    TlsCipherSuite::from_id(id).map(|s| s.kx)
}

/// Signalling values that are not suites and are never chosen.
const SIGNALLING: [u16; 2] = [0x00FF, 0x5600];

/// Every suite of the registry a TLS 1.2-or-older server could choose, lowest number first.
pub fn legacy_offer() -> Vec<u16> {
    let mut ids: Vec<u16> = tls_parser::CIPHERS
        .values()
        .filter(|s| s.kx != TlsCipherKx::Tls13 && !SIGNALLING.contains(&s.id.0))
        .map(|s| s.id.0)
        .collect();
    ids.sort_unstable();
    ids
}

/// Every TLS 1.3 suite of the registry, lowest number first.
pub fn tls13_offer() -> Vec<u16> {
    let mut ids: Vec<u16> = tls_parser::CIPHERS
        .values()
        .filter(|s| s.kx == TlsCipherKx::Tls13)
        .map(|s| s.id.0)
        .collect();
    ids.sort_unstable();
    ids
}

/// The IANA name of a key-exchange group (`X25519`, `secp256r1`), or its number.
pub fn group_name(id: u16) -> String {
    let known = match id {
        0x0017 => "secp256r1",
        0x0018 => "secp384r1",
        0x0019 => "secp521r1",
        0x001D => "X25519",
        0x001E => "X448",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        0x0201 => "MLKEM768",
        0x11EB => "SecP256r1MLKEM768",
        0x11EC => "X25519MLKEM768",
        _ => return format!("0x{id:04X}"),
    };
    known.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_names_and_judges_suites() {
        assert_eq!(name(0x0035), "TLS_RSA_WITH_AES_256_CBC_SHA");
        assert_eq!(name(0xFFFE), "0xFFFE");
        assert_eq!(weaknesses(0x0035), vec![Weakness::StaticRsa]);
        assert_eq!(
            weaknesses(0x000A),
            vec![Weakness::TripleDes, Weakness::StaticRsa]
        );
        assert!(weaknesses(0x0003).contains(&Weakness::Export));
        assert!(weaknesses(0x0018).contains(&Weakness::Anonymous));
        assert!(weaknesses(0xC016).contains(&Weakness::Anonymous));
        assert!(weaknesses(0x0002).contains(&Weakness::Null));
        assert!(weaknesses(0x0005).contains(&Weakness::Rc4));
        assert!(weaknesses(0xC02F).is_empty(), "ECDHE-RSA-AES128-GCM");
        assert!(weaknesses(0x1301).is_empty(), "TLS_AES_128_GCM_SHA256");
    }

    #[test]
    fn offers_hold_the_registry_split_by_version() {
        let legacy = legacy_offer();
        assert!(legacy.len() > 200, "{}", legacy.len());
        assert!(!legacy.contains(&0x1301) && !legacy.contains(&0x00FF));
        let t13 = tls13_offer();
        for id in [0x1301, 0x1302, 0x1303, 0x1304, 0x1305] {
            assert!(t13.contains(&id), "{t13:?}");
        }
        assert!(!t13.contains(&0xC02F), "{t13:?}");
    }
}
