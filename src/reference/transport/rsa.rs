//! Textbook RSA signatures for the two certificate flaws aws-lc-rs refuses by design: a
//! 1024-bit server key (`weak-key`, which must sign its handshakes) and a certificate signed
//! with SHA-1 (`sha1-cert`). The arithmetic is num-bigint's (through x509-parser, so no new
//! crate); it is not constant time, which is acceptable only because the reference server is
//! meant to be weak here. vvcheck itself never signs with it.

use aws_lc_rs::digest;
use x509_parser::der_parser::ber::BerObject;
use x509_parser::der_parser::num_bigint::BigUint;
use x509_parser::der_parser::parse_der;

/// The digests the flaws sign with, and their DigestInfo prefixes (RFC 8017 §9.2, note 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    fn algorithm(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
        }
    }

    fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            Hash::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            Hash::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
        }
    }
}

/// An RSA private key with its CRT parameters.
pub(crate) struct RsaKey {
    n: BigUint,
    e: BigUint,
    p: BigUint,
    q: BigUint,
    dp: BigUint,
    dq: BigUint,
    qinv: BigUint,
}

impl std::fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RsaKey({} bits)", self.bits())
    }
}

impl RsaKey {
    /// Reads a PKCS #8 `PrivateKeyInfo` holding an RSA key (RFC 5208, RFC 8017 appendix A.1.2).
    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<RsaKey, String> {
        let (_, info) = parse_der(der).map_err(|e| format!("PKCS #8: {e}"))?;
        let info = sequence(&info, 3, "PrivateKeyInfo")?;
        let inner = info[2]
            .as_slice()
            .map_err(|e| format!("PKCS #8 privateKey: {e}"))?;
        let (_, key) = parse_der(inner).map_err(|e| format!("RSAPrivateKey: {e}"))?;
        let key = sequence(&key, 9, "RSAPrivateKey")?;
        let int = |i: usize| {
            key[i]
                .as_biguint()
                .map_err(|e| format!("RSAPrivateKey field {i}: {e}"))
        };
        Ok(RsaKey {
            n: int(1)?,
            e: int(2)?,
            p: int(4)?,
            q: int(5)?,
            dp: int(6)?,
            dq: int(7)?,
            qinv: int(8)?,
        })
    }

    /// The modulus size in bits.
    pub(crate) fn bits(&self) -> u64 {
        self.n.bits()
    }

    fn len(&self) -> usize {
        self.bits().div_ceil(8) as usize
    }

    /// The `RSAPublicKey` DER (what a SubjectPublicKeyInfo's bit string holds).
    pub(crate) fn public_der(&self) -> Vec<u8> {
        let mut body = der_integer(&self.n);
        body.extend(der_integer(&self.e));
        der_tlv(0x30, &body)
    }

    /// An RSASSA-PKCS1-v1_5 signature of `msg` (RFC 8017 §8.2).
    pub(crate) fn sign_pkcs1(&self, hash: Hash, msg: &[u8]) -> Result<Vec<u8>, String> {
        let digest = digest::digest(hash.algorithm(), msg);
        let mut t = hash.digest_info_prefix().to_vec();
        t.extend_from_slice(digest.as_ref());
        let k = self.len();
        if k < t.len() + 11 {
            return Err("RSA key too short for PKCS #1 v1.5".into());
        }
        let mut em = vec![0x00, 0x01];
        em.resize(k - t.len() - 1, 0xff);
        em.push(0x00);
        em.extend_from_slice(&t);
        self.private(&em)
    }

    /// An RSASSA-PSS signature of `msg` with SHA-256, MGF1-SHA-256 and a 32-byte salt, as
    /// TLS 1.3 requires (RFC 8017 §9.1.1, RFC 8446 §4.2.3).
    pub(crate) fn sign_pss_sha256(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        const H_LEN: usize = 32;
        let em_bits = self.bits() as usize - 1;
        let em_len = em_bits.div_ceil(8);
        if em_len < 2 * H_LEN + 2 {
            return Err("RSA key too short for PSS".into());
        }
        let m_hash = digest::digest(&digest::SHA256, msg);
        let salt: [u8; H_LEN] = rand::random();
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(m_hash.as_ref());
        m_prime.extend_from_slice(&salt);
        let h = digest::digest(&digest::SHA256, &m_prime);
        let db_len = em_len - H_LEN - 1;
        let mut db = vec![0u8; db_len - H_LEN - 1];
        db.push(0x01);
        db.extend_from_slice(&salt);
        for (b, m) in db.iter_mut().zip(mgf1_sha256(h.as_ref(), db_len)) {
            *b ^= m;
        }
        db[0] &= 0xff >> (8 * em_len - em_bits);
        let mut em = db;
        em.extend_from_slice(h.as_ref());
        em.push(0xbc);
        self.private(&em)
    }

    /// `em^d mod n` by the Chinese remainder theorem, checked by `s^e mod n`, left-padded to
    /// the modulus length.
    fn private(&self, em: &[u8]) -> Result<Vec<u8>, String> {
        let m = BigUint::from_bytes_be(em);
        if m >= self.n {
            return Err("message representative out of range".into());
        }
        let m1 = m.modpow(&self.dp, &self.p);
        let m2 = m.modpow(&self.dq, &self.q);
        let diff = (&m1 + &self.p - (&m2 % &self.p)) % &self.p;
        let h = (&self.qinv * diff) % &self.p;
        let s = m2 + h * &self.q;
        if s.modpow(&self.e, &self.n) != m {
            return Err("RSA signature does not verify against its own key".into());
        }
        let bytes = s.to_bytes_be();
        let mut out = vec![0u8; self.len().saturating_sub(bytes.len())];
        out.extend(bytes);
        Ok(out)
    }
}

/// MGF1 with SHA-256 (RFC 8017 appendix B.2.1).
fn mgf1_sha256(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut block = seed.to_vec();
        block.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(digest::digest(&digest::SHA256, &block).as_ref());
        counter += 1;
    }
    out.truncate(len);
    out
}

fn sequence<'a>(
    obj: &'a BerObject<'a>,
    at_least: usize,
    what: &str,
) -> Result<&'a [BerObject<'a>], String> {
    let items = obj.as_sequence().map_err(|e| format!("{what}: {e}"))?;
    if items.len() < at_least {
        return Err(format!(
            "{what}: {} fields, expected {at_least}",
            items.len()
        ));
    }
    Ok(items)
}

/// A DER INTEGER holding a non-negative number.
fn der_integer(n: &BigUint) -> Vec<u8> {
    let mut bytes = n.to_bytes_be();
    if bytes[0] & 0x80 != 0 {
        bytes.insert(0, 0);
    }
    der_tlv(0x02, &bytes)
}

/// A DER tag, definite length and contents.
fn der_tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = contents.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let len_bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | len_bytes.len() as u8);
        out.extend(len_bytes);
    }
    out.extend_from_slice(contents);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{self, UnparsedPublicKey};

    /// The committed 1024-bit key of the `weak-key` flaw.
    fn weak() -> RsaKey {
        use rustls::pki_types::PrivatePkcs8KeyDer;
        use rustls::pki_types::pem::PemObject;
        let der = PrivatePkcs8KeyDer::from_pem_slice(include_bytes!("rsa1024.pem"))
            .expect("the committed key is PEM");
        RsaKey::from_pkcs8(der.secret_pkcs8_der()).expect("the committed key is RSA")
    }

    #[test]
    fn the_committed_key_is_1024_bits_and_signs_pkcs1_that_aws_lc_verifies() {
        let key = weak();
        assert_eq!(key.bits(), 1024);
        let sig = key.sign_pkcs1(Hash::Sha256, b"hello").expect("signs");
        assert_eq!(sig.len(), 128);
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            key.public_der(),
        )
        .verify(b"hello", &sig)
        .expect("aws-lc-rs verifies the PKCS #1 signature");
    }

    #[test]
    fn pss_and_sha1_signatures_of_a_2048_bit_key_verify_with_aws_lc() {
        let pair =
            aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("generates");
        let pkcs8 = aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
            .expect("exports");
        let key = RsaKey::from_pkcs8(pkcs8.as_ref()).expect("reads back");
        let public = key.public_der();
        let pss = key.sign_pss_sha256(b"tls 1.3").expect("signs PSS");
        UnparsedPublicKey::new(&signature::RSA_PSS_2048_8192_SHA256, &public)
            .verify(b"tls 1.3", &pss)
            .expect("aws-lc-rs verifies the PSS signature");
        let sha1 = key.sign_pkcs1(Hash::Sha1, b"tbs").expect("signs SHA-1");
        UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
            &public,
        )
        .verify(b"tbs", &sha1)
        .expect("aws-lc-rs verifies the SHA-1 signature");
    }

    #[test]
    fn a_tampered_message_does_not_verify() {
        let key = weak();
        let sig = key.sign_pkcs1(Hash::Sha256, b"hello").expect("signs");
        assert!(
            UnparsedPublicKey::new(
                &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                key.public_der(),
            )
            .verify(b"hellO", &sig)
            .is_err()
        );
    }
}
