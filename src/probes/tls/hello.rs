//! Hand-built client hellos, for what rustls will not send: SSL 2.0, SSL 3.0, TLS 1.0 and 1.1,
//! and TLS 1.2/1.3 hellos offering any suite of the registry, so that the server's choice (or
//! refusal) can be read from its answer. Nothing here completes a handshake.

use super::version::Version;

/// Groups offered in `supported_groups`: the usual curves and finite-field groups.
const GROUPS: [u16; 9] = [
    0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101, 0x0102, 0x0103,
];

/// Signature schemes offered, SHA-1 and PKCS #1 included, so that a server whose only
/// certificate needs one still answers.
const SIGNATURE_SCHEMES: [u16; 17] = [
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x0401,
    0x0501, 0x0601, 0x0201, 0x0203, 0x0202,
];

/// The group a TLS 1.3 hello sends a key share for.
const X25519: u16 = 0x001D;

/// The random parts of one hello.
#[derive(Debug, Clone)]
pub struct Randoms {
    pub random: [u8; 32],
    pub session_id: [u8; 32],
    /// An X25519 public value; any 32 bytes is one, and no shared secret is ever computed.
    pub key_share: [u8; 32],
}

impl Randoms {
    /// Fresh random values.
    pub fn fresh() -> Randoms {
        Randoms {
            random: rand::random(),
            session_id: rand::random(),
            key_share: rand::random(),
        }
    }
}

/// A ClientHello record for `version` (SSL 3.0 to TLS 1.3) offering `suites`, with SNI when a
/// DNS name is given.
pub fn client_hello(version: Version, suites: &[u16], sni: Option<&str>, r: &Randoms) -> Vec<u8> {
    let tls13 = version == Version::Tls13;
    let mut body = Vec::with_capacity(512 + 2 * suites.len());
    // TLS 1.3 says 1.2 here and its real version in supported_versions.
    let legacy = if tls13 { 0x0303 } else { version.wire() };
    body.extend_from_slice(&legacy.to_be_bytes());
    body.extend_from_slice(&r.random);
    if tls13 {
        // A session id makes middleboxes see a resumption, as RFC 8446 §D.4 advises.
        body.push(32);
        body.extend_from_slice(&r.session_id);
    } else {
        body.push(0);
    }
    let mut offered: Vec<u16> = suites.to_vec();
    if !tls13 {
        // TLS_EMPTY_RENEGOTIATION_INFO_SCSV: what every real client of these versions sends.
        offered.push(0x00FF);
    }
    push_u16_list(&mut body, &offered);
    body.extend_from_slice(&[1, 0]); // compression: null only
    if version != Version::Ssl3 {
        let ext = extensions(version, sni, r);
        push_u16(&mut body, ext.len());
        body.extend_from_slice(&ext);
    }
    let mut hs = Vec::with_capacity(body.len() + 4);
    hs.push(1); // client_hello
    push_u24(&mut hs, body.len());
    hs.extend_from_slice(&body);
    let mut record = Vec::with_capacity(hs.len() + 5);
    record.push(22); // handshake
    // Record version: SSL 3.0 for SSL 3.0, else TLS 1.0, what servers expect of a first hello.
    let record_version: u16 = if version == Version::Ssl3 {
        0x0300
    } else {
        0x0301
    };
    record.extend_from_slice(&record_version.to_be_bytes());
    push_u16(&mut record, hs.len());
    record.extend_from_slice(&hs);
    record
}

fn extensions(version: Version, sni: Option<&str>, r: &Randoms) -> Vec<u8> {
    let mut ext = Vec::new();
    if let Some(host) = sni {
        let mut list = vec![0]; // host_name
        push_u16(&mut list, host.len());
        list.extend_from_slice(host.as_bytes());
        let mut data = Vec::new();
        push_u16(&mut data, list.len());
        data.extend_from_slice(&list);
        push_ext(&mut ext, 0x0000, &data);
    }
    // status_request (OCSP), so that a stapled response shows in the answer.
    push_ext(&mut ext, 0x0005, &[1, 0, 0, 0, 0]);
    let mut groups = Vec::new();
    push_u16_list(&mut groups, &GROUPS);
    push_ext(&mut ext, 0x000A, &groups);
    push_ext(&mut ext, 0x000B, &[1, 0]); // ec_point_formats: uncompressed
    if version >= Version::Tls12 {
        let mut schemes = Vec::new();
        push_u16_list(&mut schemes, &SIGNATURE_SCHEMES);
        push_ext(&mut ext, 0x000D, &schemes);
    }
    if version == Version::Tls13 {
        push_ext(&mut ext, 0x002B, &[2, 0x03, 0x04]); // supported_versions: TLS 1.3 only
        let mut share = Vec::new();
        share.extend_from_slice(&X25519.to_be_bytes());
        push_u16(&mut share, r.key_share.len());
        share.extend_from_slice(&r.key_share);
        let mut data = Vec::new();
        push_u16(&mut data, share.len());
        data.extend_from_slice(&share);
        push_ext(&mut ext, 0x0033, &data);
        push_ext(&mut ext, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
    } else {
        push_ext(&mut ext, 0xFF01, &[0]); // renegotiation_info, empty
    }
    ext
}

/// SSL 2.0 cipher kinds: RC4-MD5, RC4-EXPORT, RC2, RC2-EXPORT, IDEA, DES, 3DES.
const SSL2_CIPHER_KINDS: [[u8; 3]; 7] = [
    [0x01, 0x00, 0x80],
    [0x02, 0x00, 0x80],
    [0x03, 0x00, 0x80],
    [0x04, 0x00, 0x80],
    [0x05, 0x00, 0x80],
    [0x06, 0x00, 0x40],
    [0x07, 0x00, 0xC0],
];

/// An SSL 2.0 CLIENT-HELLO offering every SSL 2.0 cipher kind.
pub fn sslv2_client_hello(challenge: &[u8; 16]) -> Vec<u8> {
    let mut msg = vec![1]; // CLIENT-HELLO
    msg.extend_from_slice(&Version::Ssl2.wire().to_be_bytes());
    push_u16(&mut msg, SSL2_CIPHER_KINDS.len() * 3);
    push_u16(&mut msg, 0); // session id
    push_u16(&mut msg, challenge.len());
    for kind in SSL2_CIPHER_KINDS {
        msg.extend_from_slice(&kind);
    }
    msg.extend_from_slice(challenge);
    // Two-byte header, high bit set: no padding. The message is far below 0x7FFF bytes.
    let len = u16::try_from(msg.len()).unwrap_or(u16::MAX) | 0x8000;
    let mut record = len.to_be_bytes().to_vec();
    record.extend_from_slice(&msg);
    record
}

fn push_ext(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, data.len());
    out.extend_from_slice(data);
}

fn push_u16_list(out: &mut Vec<u8>, items: &[u16]) {
    push_u16(out, items.len() * 2);
    for i in items {
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// Lengths here are of what this module builds, always far below the field's limit.
fn push_u16(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes());
}

fn push_u24(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).unwrap_or(u32::MAX).min(0x00FF_FFFF);
    out.extend_from_slice(&n.to_be_bytes()[1..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use tls_parser::{TlsMessage, TlsMessageHandshake, parse_tls_plaintext};

    fn parsed_hello(version: Version, suites: &[u16]) -> (u16, usize, bool) {
        let r = Randoms::fresh();
        let bytes = client_hello(version, suites, Some("vendor.example"), &r);
        let (rest, record) = parse_tls_plaintext(&bytes).expect("a record tls-parser reads");
        assert!(rest.is_empty());
        match &record.msg[..] {
            [TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))] => {
                (ch.version.0, ch.ciphers.len(), ch.ext.is_some())
            }
            other => panic!("not one ClientHello: {other:?}"),
        }
    }

    #[test]
    fn hellos_carry_the_version_and_suites_asked_for() {
        // The renegotiation SCSV is added to every legacy offer.
        assert_eq!(
            parsed_hello(Version::Tls10, &[0x0035, 0x002F]),
            (0x0301, 3, true)
        );
        assert_eq!(parsed_hello(Version::Ssl3, &[0x000A]), (0x0300, 2, false));
        assert_eq!(parsed_hello(Version::Tls13, &[0x1301]), (0x0303, 1, true));
    }

    #[test]
    fn an_sslv2_hello_has_its_own_header() {
        let h = sslv2_client_hello(&[7; 16]);
        assert_eq!(h[0] & 0x80, 0x80);
        assert_eq!(
            usize::from(u16::from_be_bytes([h[0] & 0x7F, h[1]])),
            h.len() - 2
        );
        assert_eq!(&h[2..5], &[1, 0x00, 0x02]);
    }
}
