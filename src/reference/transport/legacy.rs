//! The legacy front of the `tls10` and `weak-cipher` flaws. rustls cannot speak TLS 1.0 or
//! offer static-RSA and 3DES suites, so this acceptor reads each connection's ClientHello
//! before rustls does. A hello that only a legacy server would take is answered here with the
//! flight such a server sends (ServerHello, Certificate with an RSA leaf, ServerHelloDone);
//! every other connection goes on to rustls with the hello replayed, so the application is
//! served as usual.
//!
//! The front negotiates but never completes the key exchange (aws-lc-rs offers neither the
//! raw RSA decryption of a premaster secret nor the TLS 1.0 PRF): after its flight it waits a
//! moment for the client's next flight and ends with a `handshake_failure` alert. That is what
//! a scanner needs — it reads the answer to its ClientHello — and chosen over starting an
//! `openssl s_server`, which would make the flaws depend on a binary being installed.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use futures_util::future::BoxFuture;
use rustls::SignatureAlgorithm;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use tls_parser::{
    TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_client_hello_extensions,
    parse_tls_plaintext,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// The suites the `tls10` flaw takes at TLS 1.0, in the server's order: static RSA, CBC.
const TLS10_SUITES: &[u16] = &[
    0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
    0x002F, // TLS_RSA_WITH_AES_128_CBC_SHA
];
/// The suites the `weak-cipher` flaw adds at TLS 1.2, after rustls's own.
const WEAK_SUITES: &[u16] = &[
    0x009D, // TLS_RSA_WITH_AES_256_GCM_SHA384: no forward secrecy
    0x000A, // TLS_RSA_WITH_3DES_EDE_CBC_SHA: 3DES, no forward secrecy
];
const TLS10: u16 = 0x0301;
const TLS11: u16 = 0x0302;
const TLS12: u16 = 0x0303;
/// The signalling suite that stands for an empty renegotiation_info (RFC 5746).
const RENEGOTIATION_SCSV: u16 = 0x00FF;
/// How long the front waits for a ClientHello, and for the client's next flight.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const NEXT_FLIGHT_TIMEOUT: Duration = Duration::from_secs(2);
/// A ClientHello record is at most this long (2^14 bytes of fragment and its header).
const MAX_HELLO: usize = 5 + 16384;
const HANDSHAKE_FAILURE: u8 = 40;

/// What the front answers itself.
pub(crate) struct Legacy {
    /// `tls10`: TLS 1.0 accepted; a TLS 1.1 client is answered at TLS 1.0.
    tls10: bool,
    /// `weak-cipher`: TLS 1.2 also takes [`WEAK_SUITES`], after every suite rustls would choose.
    weak_suites: bool,
    /// The TLS 1.2 suites rustls would choose with the server's key.
    modern_tls12: Vec<u16>,
    /// The RSA leaf, then the CA.
    chain: Vec<CertificateDer<'static>>,
}

impl Legacy {
    /// A front for the flaws asked for, whose rustls behind it uses `provider` with a key of
    /// `key_algorithm`, presenting `chain` (an RSA leaf) on the legacy path.
    pub(crate) fn new(
        tls10: bool,
        weak_suites: bool,
        provider: &CryptoProvider,
        key_algorithm: SignatureAlgorithm,
        chain: Vec<CertificateDer<'static>>,
    ) -> Legacy {
        let modern_tls12 = provider
            .cipher_suites
            .iter()
            .filter(|s| {
                s.version() == &rustls::version::TLS12
                    && s.usable_for_signature_algorithm(key_algorithm)
            })
            .map(|s| u16::from(s.suite()))
            .collect();
        Legacy {
            tls10,
            weak_suites,
            modern_tls12,
            chain,
        }
    }

    /// The bytes to answer `hello` with, when it is the front's to answer.
    fn answer(&self, hello: &[u8]) -> Option<Vec<u8>> {
        let hello = Hello::parse(hello)?;
        let first_offered = |ours: &[u16]| ours.iter().copied().find(|s| hello.suites.contains(s));
        if self.tls10 && (hello.max_version == TLS10 || hello.max_version == TLS11) {
            return Some(match first_offered(TLS10_SUITES) {
                Some(suite) => self.flight(&hello, TLS10, suite),
                None => alert(TLS10, HANDSHAKE_FAILURE),
            });
        }
        let modern = hello.suites.iter().any(|s| self.modern_tls12.contains(s));
        if self.weak_suites && hello.max_version == TLS12 && !modern {
            return first_offered(WEAK_SUITES).map(|suite| self.flight(&hello, TLS12, suite));
        }
        None
    }

    /// ServerHello, Certificate and ServerHelloDone, in as many records as they need.
    fn flight(&self, hello: &Hello, version: u16, suite: u16) -> Vec<u8> {
        let mut server_hello = version.to_be_bytes().to_vec();
        server_hello.extend_from_slice(&rand::random::<[u8; 32]>());
        server_hello.push(32);
        server_hello.extend_from_slice(&rand::random::<[u8; 32]>());
        server_hello.extend_from_slice(&suite.to_be_bytes());
        server_hello.push(0); // no compression
        if hello.secure_renegotiation {
            // renegotiation_info, empty: a server may only answer extensions it was offered.
            server_hello.extend_from_slice(&[0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00]);
        }
        let mut certificates = Vec::new();
        for der in &self.chain {
            certificates.extend_from_slice(&u24(der.len()));
            certificates.extend_from_slice(der);
        }
        let mut certificate = u24(certificates.len()).to_vec();
        certificate.extend(certificates);

        let mut handshake = handshake_message(2, &server_hello);
        handshake.extend(handshake_message(11, &certificate));
        handshake.extend(handshake_message(14, &[]));
        let mut out = Vec::new();
        for fragment in handshake.chunks(16384) {
            out.extend(record(22, version, fragment));
        }
        out
    }
}

/// What the front reads from a ClientHello.
struct Hello {
    /// The highest version offered: the largest of supported_versions, else the hello's own.
    max_version: u16,
    suites: Vec<u16>,
    /// renegotiation_info or its signalling suite was offered.
    secure_renegotiation: bool,
}

impl Hello {
    /// A whole ClientHello in one record, or `None` for anything else (rustls then decides).
    fn parse(bytes: &[u8]) -> Option<Hello> {
        let (_, plain) = parse_tls_plaintext(bytes).ok()?;
        let Some(TlsMessage::Handshake(TlsMessageHandshake::ClientHello(ch))) = plain.msg.first()
        else {
            return None;
        };
        let suites: Vec<u16> = ch.ciphers.iter().map(|c| c.0).collect();
        let extensions = ch
            .ext
            .and_then(|e| parse_tls_client_hello_extensions(e).ok())
            .map(|(_, e)| e)
            .unwrap_or_default();
        let supported = extensions.iter().find_map(|e| match e {
            TlsExtension::SupportedVersions(v) => v
                .iter()
                .map(|v| v.0)
                .filter(|v| v & 0x0f0f != 0x0a0a) // GREASE values
                .max(),
            _ => None,
        });
        let secure_renegotiation = suites.contains(&RENEGOTIATION_SCSV)
            || extensions
                .iter()
                .any(|e| matches!(e, TlsExtension::RenegotiationInfo(_)));
        Some(Hello {
            max_version: supported.unwrap_or(ch.version.0),
            suites,
            secure_renegotiation,
        })
    }
}

fn u24(n: usize) -> [u8; 3] {
    let b = (n as u32).to_be_bytes();
    [b[1], b[2], b[3]]
}

fn handshake_message(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![kind];
    m.extend_from_slice(&u24(body.len()));
    m.extend_from_slice(body);
    m
}

fn record(kind: u8, version: u16, fragment: &[u8]) -> Vec<u8> {
    let mut r = vec![kind];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
    r.extend_from_slice(fragment);
    r
}

/// A fatal alert record.
fn alert(version: u16, description: u8) -> Vec<u8> {
    record(21, version, &[2, description])
}

/// The acceptor in front of rustls (`RustlsAcceptor::acceptor`), and whether it sets
/// `TCP_NODELAY` (see [`super::listener::Tcp`]).
#[derive(Clone)]
pub(crate) struct Front(pub(crate) Arc<Legacy>, pub(crate) bool);

impl<S: Send + 'static> Accept<TcpStream, S> for Front {
    type Stream = Rewind<TcpStream>;
    type Service = S;
    type Future = BoxFuture<'static, io::Result<(Rewind<TcpStream>, S)>>;

    fn accept(&self, mut stream: TcpStream, service: S) -> Self::Future {
        let legacy = self.0.clone();
        let nodelay = self.1;
        Box::pin(async move {
            // As the other listeners (see `Listener::serve`): no delayed-ACK stalls.
            stream.set_nodelay(nodelay)?;
            let hello = read_hello(&mut stream).await;
            match legacy.answer(&hello) {
                Some(reply) => {
                    let version = u16::from_be_bytes([reply[1], reply[2]]);
                    stream.write_all(&reply).await?;
                    // Whatever the client sends next cannot be answered: end the handshake.
                    let mut sink = vec![0u8; 16 * 1024];
                    let _ = tokio::time::timeout(NEXT_FLIGHT_TIMEOUT, stream.read(&mut sink)).await;
                    let _ = stream.write_all(&alert(version, HANDSHAKE_FAILURE)).await;
                    let _ = stream.shutdown().await;
                    Err(io::Error::other("a legacy hello, answered by the front"))
                }
                None => Ok((Rewind::new(stream, hello), service)),
            }
        })
    }
}

/// Reads the first record (a ClientHello, normally), bounded in size and time. Whatever
/// arrived is returned, complete or not, to be replayed to rustls.
async fn read_hello(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let wanted = match buf.as_slice() {
            [22, _, _, hi, lo, ..] => {
                (5 + usize::from(u16::from_be_bytes([*hi, *lo]))).min(MAX_HELLO)
            }
            [first, ..] if *first != 22 => return buf,
            _ => 5,
        };
        if buf.len() >= wanted {
            return buf;
        }
        let room = (wanted - buf.len()).min(chunk.len());
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk[..room])).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return buf,
        }
    }
}

/// A stream that yields `prefix` before reading on from `inner`.
pub(crate) struct Rewind<T> {
    prefix: Vec<u8>,
    at: usize,
    inner: T,
}

impl<T> Rewind<T> {
    fn new(inner: T, prefix: Vec<u8>) -> Rewind<T> {
        Rewind {
            prefix,
            at: 0,
            inner,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Rewind<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.at < self.prefix.len() {
            let n = (self.prefix.len() - self.at).min(buf.remaining());
            let at = self.at;
            buf.put_slice(&self.prefix[at..at + n]);
            self.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Rewind<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy(tls10: bool, weak: bool) -> Legacy {
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        Legacy::new(
            tls10,
            weak,
            &provider,
            SignatureAlgorithm::ECDSA,
            vec![CertificateDer::from(vec![0x30, 0x00])],
        )
    }

    /// A ClientHello record at `version` offering `suites`, optionally with supported_versions.
    fn hello(version: u16, suites: &[u16], supported: &[u16]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[7u8; 32]);
        body.push(0);
        body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
        for s in suites {
            body.extend_from_slice(&s.to_be_bytes());
        }
        body.extend_from_slice(&[1, 0]);
        if !supported.is_empty() {
            let mut ext = vec![0x00, 0x2b];
            let list_len = supported.len() * 2;
            ext.extend_from_slice(&((list_len + 1) as u16).to_be_bytes());
            ext.push(list_len as u8);
            for v in supported {
                ext.extend_from_slice(&v.to_be_bytes());
            }
            body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
            body.extend(ext);
        }
        record(22, 0x0301, &handshake_message(1, &body))
    }

    #[test]
    fn tls10_answers_tls10_and_tls11_hellos_at_tls10_with_a_static_rsa_suite() {
        let front = legacy(true, false);
        for v in [TLS10, TLS11] {
            let reply = front
                .answer(&hello(v, &[0x002F, 0x0035], &[]))
                .expect("answered");
            // Record header at TLS 1.0, then ServerHello (2) whose version is TLS 1.0.
            assert_eq!(&reply[..3], &[22, 0x03, 0x01]);
            assert_eq!(reply[5], 2);
            assert_eq!(&reply[9..11], &[0x03, 0x01]);
            let suite_at = 9 + 2 + 32 + 1 + 32;
            assert_eq!(
                &reply[suite_at..suite_at + 2],
                &[0x00, 0x35],
                "server order"
            );
        }
        let refused = front
            .answer(&hello(TLS10, &[0xC02B], &[]))
            .expect("answered");
        assert_eq!(refused, alert(TLS10, HANDSHAKE_FAILURE));
    }

    #[test]
    fn hellos_rustls_can_take_go_on_to_rustls() {
        let both = legacy(true, true);
        // TLS 1.2 with a suite rustls chooses, and anything offering TLS 1.3.
        assert!(both.answer(&hello(TLS12, &[0xC02C, 0x000A], &[])).is_none());
        assert!(
            both.answer(&hello(TLS12, &[0x000A], &[0x0304, 0x0303]))
                .is_none()
        );
        // Without the flaws, nothing is answered by the front.
        let none = legacy(false, false);
        assert!(none.answer(&hello(TLS10, &[0x0035], &[])).is_none());
        assert!(none.answer(&hello(TLS12, &[0x000A], &[])).is_none());
        // Not a ClientHello at all.
        assert!(both.answer(b"GET / HTTP/1.1\r\n\r\n").is_none());
    }

    #[test]
    fn weak_cipher_takes_weak_suites_only_once_rustls_suites_are_gone() {
        let front = legacy(false, true);
        let reply = front
            .answer(&hello(TLS12, &[0x000A, 0x009D], &[TLS12]))
            .expect("answered");
        let suite_at = 9 + 2 + 32 + 1 + 32;
        assert_eq!(&reply[9..11], &[0x03, 0x03]);
        assert_eq!(
            &reply[suite_at..suite_at + 2],
            &[0x00, 0x9D],
            "server order"
        );
        // ECDHE-RSA suites are rustls's but not usable with an ECDSA key: still the front's.
        assert!(
            front
                .answer(&hello(TLS12, &[0xC030, 0x000A], &[]))
                .is_some()
        );
        assert!(front.answer(&hello(TLS12, &[0x0035], &[])).is_none());
    }
}
