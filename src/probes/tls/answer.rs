//! The server's answer to a hand-built hello, read from the wire with tls-parser: a ServerHello
//! (and, up to TLS 1.2, the rest of its flight: certificates, key-exchange group, OCSP staple),
//! a HelloRetryRequest, an alert, or nothing TLS at all. Bounded in bytes; the caller bounds it
//! in time.

use serde::Serialize;
use tls_parser::{
    ECParametersContent, TlsExtension, TlsMessage, TlsMessageHandshake, parse_dh_params,
    parse_ecdh_params, parse_tls_extensions, parse_tls_message_handshake,
};

use super::suites;

/// Most bytes read for one answer: a flight with a long chain fits well within it.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;
/// The largest record a conforming peer sends (2^14 plus expansion).
const MAX_RECORD: usize = 16384 + 2048;
/// The random of a HelloRetryRequest (RFC 8446 §4.1.3).
const HRR_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// What the server said to one hello.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum Answer {
    /// A ServerHello (or HelloRetryRequest).
    ServerHello(Box<ServerFlight>),
    /// An SSL 2.0 SERVER-HELLO.
    Sslv2ServerHello {
        version: u16,
        cipher_kinds: usize,
    },
    Alert {
        level: u8,
        description: String,
    },
    /// The connection ended (closed or reset) before any answer.
    Closed {
        how: String,
    },
    /// No answer within the time allowed.
    Silent,
    /// Bytes that are no TLS answer to a hello.
    NotTls {
        first_bytes: String,
    },
}

/// What a ServerHello and the rest of its flight say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServerFlight {
    /// `legacy_version`, or the supported_versions choice in TLS 1.3.
    pub version: u16,
    pub cipher: u16,
    pub hello_retry: bool,
    /// The key-exchange group: TLS 1.3 key share or HelloRetryRequest, or the ECDHE curve of
    /// the ServerKeyExchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<u16>,
    /// The size of the finite-field DH prime of a DHE ServerKeyExchange.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dh_bits: Option<usize>,
    /// The certificates sent (TLS 1.2 and older; TLS 1.3 encrypts them), DER.
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// Bytes of a stapled OCSP response, when one was sent in clear.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocsp_staple_bytes: Option<usize>,
}

/// Why an answer could not be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AnswerError {
    #[error("the server sent a malformed {0}")]
    Malformed(&'static str),
    #[error("the server's answer exceeds {MAX_ANSWER_BYTES} bytes")]
    TooLong,
}

/// Reads an answer as bytes arrive.
#[derive(Debug, Default)]
pub struct AnswerReader {
    /// Bytes not yet framed into records.
    buf: Vec<u8>,
    /// Handshake bytes not yet framed into messages (one message may span records).
    handshake: Vec<u8>,
    flight: Option<ServerFlight>,
    total: usize,
    /// The hello was SSL 2.0: an SSL 2.0 answer is possible.
    sslv2: bool,
}

impl AnswerReader {
    /// A reader for the answer to a TLS hello, or to an SSL 2.0 one.
    pub fn new(sslv2: bool) -> AnswerReader {
        AnswerReader {
            sslv2,
            ..AnswerReader::default()
        }
    }

    /// Takes the next bytes; `Some` once the answer is complete.
    pub fn push(&mut self, data: &[u8]) -> Result<Option<Answer>, AnswerError> {
        self.total += data.len();
        if self.total > MAX_ANSWER_BYTES {
            return Err(AnswerError::TooLong);
        }
        self.buf.extend_from_slice(data);
        if self.flight.is_none()
            && self.handshake.is_empty()
            && let Some(first) = self.buf.first().copied()
        {
            if self.sslv2 && first & 0x80 != 0 {
                return Ok(sslv2_answer(&self.buf));
            }
            if !matches!(first, 20..=23) {
                return Ok(Some(Answer::NotTls {
                    first_bytes: hex::encode(&self.buf[..self.buf.len().min(8)]),
                }));
            }
        }
        while self.buf.len() >= 5 {
            let kind = self.buf[0];
            let len = usize::from(u16::from_be_bytes([self.buf[3], self.buf[4]]));
            if len > MAX_RECORD {
                return Err(AnswerError::Malformed("record length"));
            }
            if self.buf.len() < 5 + len {
                return Ok(None);
            }
            let fragment: Vec<u8> = self.buf.drain(..5 + len).skip(5).collect();
            match kind {
                21 => return alert(&fragment).map(Some),
                22 => {
                    self.handshake.extend_from_slice(&fragment);
                    if let Some(done) = self.messages()? {
                        return Ok(Some(done));
                    }
                }
                // ChangeCipherSpec or encrypted data: nothing more can be read in clear.
                _ => return Ok(self.finish_early()),
            }
        }
        Ok(None)
    }

    /// The answer when the connection ends or time runs out: what was read so far.
    pub fn end(self, how: Option<String>) -> Answer {
        match self.flight {
            Some(f) => Answer::ServerHello(Box::new(f)),
            None => match how {
                Some(how) => Answer::Closed { how },
                None => Answer::Silent,
            },
        }
    }

    fn finish_early(&mut self) -> Option<Answer> {
        self.flight.take().map(|f| Answer::ServerHello(Box::new(f)))
    }

    /// Frames and reads complete handshake messages; `Some` when the flight is over.
    fn messages(&mut self) -> Result<Option<Answer>, AnswerError> {
        loop {
            if self.handshake.len() < 4 {
                return Ok(None);
            }
            let len = usize::from(self.handshake[1]) << 16
                | usize::from(self.handshake[2]) << 8
                | usize::from(self.handshake[3]);
            if self.handshake.len() < 4 + len {
                return Ok(None);
            }
            let msg: Vec<u8> = self.handshake.drain(..4 + len).collect();
            let (_, parsed) = parse_tls_message_handshake(&msg)
                .map_err(|_| AnswerError::Malformed("handshake message"))?;
            let TlsMessage::Handshake(hs) = parsed else {
                return Err(AnswerError::Malformed("handshake message"));
            };
            match (hs, self.flight.as_mut()) {
                (TlsMessageHandshake::ServerHello(sh), None) => {
                    let mut f = ServerFlight {
                        version: sh.version.0,
                        cipher: sh.cipher.0,
                        hello_retry: sh.random == HRR_RANDOM,
                        ..ServerFlight::default()
                    };
                    read_hello_extensions(sh.ext.unwrap_or(&[]), &mut f)?;
                    // TLS 1.3 encrypts the rest of its flight; a retry request ends it too.
                    let over = f.version == 0x0304 || f.hello_retry;
                    self.flight = Some(f);
                    if over {
                        return Ok(self.finish_early());
                    }
                }
                (TlsMessageHandshake::Certificate(c), Some(f)) => {
                    f.certificates = c.cert_chain.iter().map(|c| c.data.to_vec()).collect();
                }
                (TlsMessageHandshake::CertificateStatus(s), Some(f)) => {
                    f.ocsp_staple_bytes = Some(s.blob.len());
                }
                (TlsMessageHandshake::ServerKeyExchange(ske), Some(f)) => {
                    read_key_exchange(ske.parameters, f);
                }
                (TlsMessageHandshake::ServerDone(_), Some(_)) => return Ok(self.finish_early()),
                (TlsMessageHandshake::CertificateRequest(_), Some(_)) => {}
                _ => return Err(AnswerError::Malformed("handshake flight")),
            }
        }
    }
}

fn alert(fragment: &[u8]) -> Result<Answer, AnswerError> {
    match fragment {
        [level, description, ..] => Ok(Answer::Alert {
            level: *level,
            description: alert_name(*description),
        }),
        _ => Err(AnswerError::Malformed("alert")),
    }
}

/// `protocol_version`: the registry's name of an alert, as OpenSSL and testssl.sh print it.
pub fn alert_name(code: u8) -> String {
    let camel = tls_parser::TlsAlertDescription(code).to_string();
    if camel.starts_with(|c: char| c.is_ascii_digit()) || camel.contains('(') {
        return format!("alert {code}");
    }
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn read_hello_extensions(ext: &[u8], f: &mut ServerFlight) -> Result<(), AnswerError> {
    if ext.is_empty() {
        return Ok(());
    }
    let (_, list) =
        parse_tls_extensions(ext).map_err(|_| AnswerError::Malformed("ServerHello extension"))?;
    for e in list {
        match e {
            TlsExtension::SupportedVersions(v) => {
                if let [chosen] = v[..] {
                    f.version = chosen.0;
                }
            }
            // A ServerHello's key share starts with its group; a HelloRetryRequest's is only it.
            TlsExtension::KeyShare([a, b, ..]) => {
                f.group = Some(u16::from_be_bytes([*a, *b]));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads the group of an ECDHE ServerKeyExchange, or the prime size of a DHE one; other key
/// exchanges (and unreadable parameters) leave both unknown.
fn read_key_exchange(params: &[u8], f: &mut ServerFlight) {
    match suites::key_exchange(f.cipher) {
        Some(tls_parser::TlsCipherKx::Ecdhe) => {
            if let Ok((_, p)) = parse_ecdh_params(params)
                && let ECParametersContent::NamedGroup(g) = p.curve_params.params_content
            {
                f.group = Some(g.0);
            }
        }
        Some(tls_parser::TlsCipherKx::Dhe) => {
            if let Ok((_, p)) = parse_dh_params(params) {
                f.dh_bits = Some(bit_length(p.dh_p));
            }
        }
        _ => {}
    }
}

/// Bits of a big-endian unsigned integer, leading zeros not counted.
pub fn bit_length(be: &[u8]) -> usize {
    let trimmed: &[u8] = match be.iter().position(|b| *b != 0) {
        Some(i) => &be[i..],
        None => return 0,
    };
    let lead = usize::try_from(trimmed[0].leading_zeros()).unwrap_or(0);
    trimmed.len() * 8 - lead
}

/// An SSL 2.0 SERVER-HELLO: header, type 4, session-id-hit, certificate type, version,
/// certificate length, cipher-specs length.
fn sslv2_answer(buf: &[u8]) -> Option<Answer> {
    let head = buf.get(..13)?;
    if head[2] != 4 {
        return Some(Answer::NotTls {
            first_bytes: hex::encode(head),
        });
    }
    Some(Answer::Sslv2ServerHello {
        version: u16::from_be_bytes([head[5], head[6]]),
        cipher_kinds: usize::from(u16::from_be_bytes([head[9], head[10]])) / 3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut r = vec![kind, 3, 3];
        r.extend_from_slice(&u16::try_from(body.len()).expect("small").to_be_bytes());
        r.extend_from_slice(body);
        r
    }

    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let len = u32::try_from(body.len()).expect("small").to_be_bytes();
        let mut m = vec![kind, len[1], len[2], len[3]];
        m.extend_from_slice(body);
        m
    }

    fn server_hello(version: u16, cipher: u16, ext: &[u8]) -> Vec<u8> {
        let mut b = version.to_be_bytes().to_vec();
        b.extend_from_slice(&[0x11; 32]);
        b.push(0);
        b.extend_from_slice(&cipher.to_be_bytes());
        b.push(0);
        b.extend_from_slice(&u16::try_from(ext.len()).expect("small").to_be_bytes());
        b.extend_from_slice(ext);
        handshake(2, &b)
    }

    #[test]
    fn a_tls10_flight_split_across_records_is_read_whole() {
        let mut flight = server_hello(0x0301, 0x0035, &[0xFF, 0x01, 0, 1, 0]);
        // Certificate: one 3-byte "certificate".
        flight.extend(handshake(11, &[0, 0, 6, 0, 0, 3, 1, 2, 3]));
        flight.extend(handshake(14, &[]));
        let (a, b) = flight.split_at(20);
        let mut r = AnswerReader::new(false);
        assert_eq!(r.push(&record(22, a)), Ok(None));
        let got = r.push(&record(22, b)).expect("reads").expect("complete");
        let Answer::ServerHello(f) = got else {
            panic!("{got:?}")
        };
        assert_eq!((f.version, f.cipher), (0x0301, 0x0035));
        assert_eq!(f.certificates, vec![vec![1, 2, 3]]);
    }

    #[test]
    fn a_tls13_hello_says_its_version_and_group() {
        // supported_versions = 0x0304; key_share = X25519 with a 2-byte stand-in key.
        let ext = [
            0x00, 0x2B, 0, 2, 0x03, 0x04, 0x00, 0x33, 0, 6, 0x00, 0x1D, 0, 2, 9, 9,
        ];
        let mut r = AnswerReader::new(false);
        let got = r.push(&record(22, &server_hello(0x0303, 0x1302, &ext)));
        let Ok(Some(Answer::ServerHello(f))) = got else {
            panic!("{got:?}")
        };
        assert_eq!(
            (f.version, f.cipher, f.group),
            (0x0304, 0x1302, Some(0x001D))
        );
    }

    #[test]
    fn alerts_and_garbage_are_answers_too() {
        let mut r = AnswerReader::new(false);
        assert_eq!(
            r.push(&record(21, &[2, 70])),
            Ok(Some(Answer::Alert {
                level: 2,
                description: "protocol_version".into()
            }))
        );
        let mut r = AnswerReader::new(false);
        assert!(matches!(
            r.push(b"HTTP/1.1 400 Bad Request"),
            Ok(Some(Answer::NotTls { .. }))
        ));
        let mut r = AnswerReader::new(false);
        assert_eq!(
            r.push(&[22, 3, 3, 0xFF, 0xFF]),
            Err(AnswerError::Malformed("record length"))
        );
        assert_eq!(AnswerReader::new(false).end(None), Answer::Silent);
    }

    #[test]
    fn bit_lengths_ignore_leading_zeros() {
        assert_eq!(bit_length(&[0, 0x80, 0]), 16);
        assert_eq!(bit_length(&[0x01, 0]), 9);
        assert_eq!(bit_length(&[0, 0]), 0);
    }
}
