//! Scans of one endpoint, each for one aspect: which protocol versions it accepts, which cipher
//! suites per version (sslyze-style: offer, note the choice, remove it, offer again), and the
//! certificate chain. Handshakes run concurrently, at most [`PER_HOST`] at a time per endpoint;
//! every one is bounded in time, every enumeration in rounds, every scan by [`SCAN_TIMEOUT`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use rustls::RootCertStore;
use serde::Serialize;
use tokio::sync::Semaphore;

use super::answer::Answer;
use super::cert::{self, Chain};
use super::endpoint::{Endpoint, ScanError};
use super::handshake::{Client, Handshake, Outcome};
use super::hello::{Randoms, client_hello, sslv2_client_hello};
use super::raw::exchange;
use super::suites::{self, group_name};
use super::version::Version;
use crate::http::rate::RateLimiter;

/// Connections open at once to one endpoint.
pub const PER_HOST: usize = 6;
/// Most suites enumerated per version: far more than any server accepts, few enough to end.
pub const MAX_ROUNDS: usize = 48;
/// The longest one endpoint's scan may take.
pub const SCAN_TIMEOUT: Duration = Duration::from_secs(90);

/// One handshake or hello and its answer, for the transcript.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    /// The version the hello or handshake was for.
    pub version: Version,
    /// What was sent: `TLS 1.0 ClientHello (312 suites)`, `TLS 1.3 handshake (rustls)`.
    pub sent: String,
    /// What came back, in one line: `ServerHello 0x0301, cipher TLS_RSA_WITH_AES_256_CBC_SHA`.
    pub got: String,
    pub elapsed_ms: u64,
}

impl Attempt {
    /// `TLS 1.0 ClientHello (312 suites) to 127.0.0.1:8443 → alert protocol_version`.
    pub fn line(&self, ep: &str) -> String {
        format!("{} to {ep} → {}", self.sent, self.got)
    }
}

/// The scanner of one endpoint: its client settings, trust store and connection limit.
pub struct Scanner {
    pub endpoint: Endpoint,
    client: Client,
    roots: Arc<RootCertStore>,
    limit: Semaphore,
    pace: Arc<RateLimiter>,
    attempts: Mutex<Vec<Attempt>>,
}

/// Whether a version is accepted, and what showed it.
#[derive(Debug, Clone, Serialize)]
pub struct VersionResult {
    pub version: Version,
    pub accepted: bool,
    /// `ServerHello 0x0301, cipher …` or `alert protocol_version`.
    pub detail: String,
    /// The attempt the verdict rests on.
    #[serde(skip)]
    pub attempt: Attempt,
}

/// A suite a server accepted, and the key exchange it chose with it.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedSuite {
    pub id: u16,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dh_bits: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weaknesses: Vec<suites::Weakness>,
    #[serde(skip)]
    pub attempt: Attempt,
}

/// Who orders the suites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    /// The server's order: the list below is it.
    Server,
    /// The client's order: the server takes the first it supports.
    Client,
    /// One suite, or the test was inconclusive.
    Unknown,
}

/// The suites of one version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionSuites {
    pub version: Version,
    /// In the order the server chose them.
    pub suites: Vec<AcceptedSuite>,
    pub preference: Preference,
    /// The enumeration stopped at [`MAX_ROUNDS`].
    pub truncated: bool,
}

/// The certificate as one handshake showed it.
#[derive(Debug, Clone, Serialize)]
pub struct CertScan {
    /// `TLS 1.3 handshake (rustls)`.
    pub source: String,
    pub chain: Chain,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocsp_staple_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature_problem: Option<String>,
    #[serde(skip)]
    pub attempt: Attempt,
}

impl Scanner {
    /// A scanner of `endpoint`.
    pub fn new(
        endpoint: Endpoint,
        client: Client,
        roots: Arc<RootCertStore>,
        pace: Arc<RateLimiter>,
    ) -> Scanner {
        Scanner {
            endpoint,
            client,
            roots,
            limit: Semaphore::new(PER_HOST),
            pace,
            attempts: Mutex::new(Vec::new()),
        }
    }

    /// Every attempt so far, by version, and in the order they were made within one version
    /// (versions are scanned at once, so the order across them is only timing).
    pub fn attempts(&self) -> Vec<Attempt> {
        let mut all = self.attempts.lock().map(|a| a.clone()).unwrap_or_default();
        all.sort_by_key(|a| a.version);
        all
    }

    fn record(&self, version: Version, sent: String, got: String, start: Instant) -> Attempt {
        let a = Attempt {
            version,
            sent,
            got,
            elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        if let Ok(mut all) = self.attempts.lock() {
            all.push(a.clone());
        }
        a
    }

    /// A hand-built hello at `version` offering `offer`, and the answer.
    async fn hello(&self, version: Version, offer: &[u16]) -> Result<(Answer, Attempt), ScanError> {
        let _permit = self.limit.acquire().await;
        self.pace.acquire(&self.endpoint.url_host()).await;
        let start = Instant::now();
        let (bytes, sslv2) = match version {
            Version::Ssl2 => (sslv2_client_hello(&rand::random()), true),
            v => (
                client_hello(v, offer, self.endpoint.sni(), &Randoms::fresh()),
                false,
            ),
        };
        let answer = exchange(
            &self.endpoint,
            &self.client.proxy,
            self.client.connect_timeout,
            &bytes,
            sslv2,
        )
        .await?;
        let sent = match version {
            Version::Ssl2 => "SSL 2.0 CLIENT-HELLO".to_string(),
            v => format!("{v} ClientHello ({} suites)", offer.len()),
        };
        let attempt = self.record(version, sent, describe(&answer), start);
        Ok((answer, attempt))
    }

    /// A real handshake with rustls at TLS 1.2 or 1.3.
    async fn handshake(&self, version: Version) -> Result<(Outcome, Attempt), ScanError> {
        let _permit = self.limit.acquire().await;
        self.pace.acquire(&self.endpoint.url_host()).await;
        let start = Instant::now();
        let outcome = self.client.handshake(&self.endpoint, version).await?;
        let got = match &outcome {
            Outcome::Done(h) => format!("handshake done, {}", handshake_facts(h)),
            Outcome::Refused(why) => format!("refused: {why}"),
        };
        let attempt = self.record(version, format!("{version} handshake (rustls)"), got, start);
        Ok((outcome, attempt))
    }

    /// Which versions the endpoint accepts, every one tried at once.
    pub async fn protocols(&self) -> Result<Vec<VersionResult>, ScanError> {
        let results = join_all(Version::ALL.map(|v| self.version(v))).await;
        results.into_iter().collect()
    }

    async fn version(&self, version: Version) -> Result<VersionResult, ScanError> {
        if version >= Version::Tls12 {
            let (outcome, attempt) = self.handshake(version).await?;
            match outcome {
                Outcome::Done(h) => {
                    return Ok(VersionResult {
                        version,
                        accepted: true,
                        detail: handshake_facts(&h),
                        attempt,
                    });
                }
                // TLS 1.3 suites are all rustls's; a TLS 1.2 server may take only others.
                Outcome::Refused(why) if version == Version::Tls13 => {
                    return Ok(VersionResult {
                        version,
                        accepted: false,
                        detail: why,
                        attempt,
                    });
                }
                Outcome::Refused(_) => {}
            }
        }
        let offer = match version {
            Version::Ssl2 => Vec::new(),
            _ => suites::legacy_offer(),
        };
        let (answer, attempt) = self.hello(version, &offer).await?;
        let (accepted, detail) = match &answer {
            Answer::Sslv2ServerHello { .. } => (true, attempt.got.clone()),
            Answer::ServerHello(f) if f.version != version.wire() => {
                // A server that answers a TLS 1.1 hello at TLS 1.0 does not speak TLS 1.1.
                let chose = Version::from_wire(f.version)
                    .map_or_else(|| format!("0x{:04X}", f.version), |v| v.to_string());
                (false, format!("answered at {chose}: {}", attempt.got))
            }
            Answer::ServerHello(f) => (!f.hello_retry, attempt.got.clone()),
            _ => (false, attempt.got.clone()),
        };
        Ok(VersionResult {
            version,
            accepted,
            detail,
            attempt,
        })
    }

    /// The suites each version (SSL 3.0 to TLS 1.3) accepts, versions enumerated at once.
    pub async fn ciphers(&self) -> Result<Vec<VersionSuites>, ScanError> {
        let versions = [
            Version::Ssl3,
            Version::Tls10,
            Version::Tls11,
            Version::Tls12,
            Version::Tls13,
        ];
        let results = join_all(versions.map(|v| self.enumerate(v))).await;
        let mut out = Vec::new();
        for r in results {
            if let Some(s) = r? {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// Offers every suite, removes the one chosen, offers again, until the server refuses;
    /// then offers the accepted ones reversed to see whose order counts. `None`: the version is
    /// not accepted at all.
    async fn enumerate(&self, version: Version) -> Result<Option<VersionSuites>, ScanError> {
        let mut offer = match version {
            Version::Tls13 => suites::tls13_offer(),
            _ => suites::legacy_offer(),
        };
        let mut accepted: Vec<AcceptedSuite> = Vec::new();
        let mut truncated = true;
        for _ in 0..MAX_ROUNDS {
            let (answer, attempt) = self.hello(version, &offer).await?;
            let Some(f) = chosen(&answer, version) else {
                truncated = false;
                break;
            };
            let Some(pos) = offer.iter().position(|s| *s == f.cipher) else {
                return Err(ScanError::Protocol(
                    self.endpoint.to_string(),
                    format!(
                        "chose {} at {version}, which was not offered",
                        suites::name(f.cipher)
                    ),
                ));
            };
            offer.remove(pos);
            accepted.push(AcceptedSuite {
                id: f.cipher,
                name: suites::name(f.cipher),
                group: f.group.map(group_name),
                dh_bits: f.dh_bits,
                weaknesses: suites::weaknesses(f.cipher),
                attempt,
            });
            if offer.is_empty() {
                truncated = false;
                break;
            }
        }
        if accepted.is_empty() {
            return Ok(None);
        }
        let preference = if accepted.len() < 2 {
            Preference::Unknown
        } else {
            let reversed: Vec<u16> = accepted.iter().rev().map(|s| s.id).collect();
            let (answer, _) = self.hello(version, &reversed).await?;
            match chosen(&answer, version).map(|f| f.cipher) {
                Some(c) if c == accepted[0].id => Preference::Server,
                Some(c) if c == reversed[0] => Preference::Client,
                _ => Preference::Unknown,
            }
        };
        Ok(Some(VersionSuites {
            version,
            suites: accepted,
            preference,
            truncated,
        }))
    }

    /// The chain from the first handshake that shows one: TLS 1.3, then TLS 1.2 with rustls,
    /// then the clear-text flight of a hand-built TLS 1.2, 1.1 or 1.0 hello.
    pub async fn certificate(&self, now: i64) -> Result<Option<CertScan>, ScanError> {
        let host = self.endpoint.server_name()?;
        for version in [Version::Tls13, Version::Tls12] {
            let (outcome, attempt) = self.handshake(version).await?;
            if let Outcome::Done(h) = outcome
                && !h.chain.is_empty()
            {
                let chain = cert::examine(&h.chain, &host, &self.roots, now)
                    .map_err(|e| ScanError::Protocol(self.endpoint.to_string(), e.to_string()))?;
                return Ok(Some(CertScan {
                    source: format!("{version} handshake (rustls)"),
                    chain,
                    ocsp_staple_bytes: h.ocsp_staple_bytes,
                    signature_problem: h.signature_problem,
                    attempt,
                }));
            }
        }
        for version in [Version::Tls12, Version::Tls11, Version::Tls10] {
            let (answer, attempt) = self.hello(version, &suites::legacy_offer()).await?;
            if let Answer::ServerHello(f) = answer
                && !f.certificates.is_empty()
            {
                let chain = cert::examine(&f.certificates, &host, &self.roots, now)
                    .map_err(|e| ScanError::Protocol(self.endpoint.to_string(), e.to_string()))?;
                return Ok(Some(CertScan {
                    source: format!("{version} ClientHello"),
                    chain,
                    ocsp_staple_bytes: f.ocsp_staple_bytes,
                    signature_problem: None,
                    attempt,
                }));
            }
        }
        Ok(None)
    }
}

/// The ServerHello of an answer, when it accepts `version`.
fn chosen(answer: &Answer, version: Version) -> Option<&super::answer::ServerFlight> {
    match answer {
        Answer::ServerHello(f) if f.version == version.wire() => Some(f),
        _ => None,
    }
}

/// `cipher TLS_AES_256_GCM_SHA384, group X25519`.
fn handshake_facts(h: &Handshake) -> String {
    let mut s = format!("cipher {}", suites::name(h.cipher));
    if let Some(g) = h.group {
        s.push_str(&format!(", group {}", group_name(g)));
    }
    s
}

/// An answer in one line, as testssl.sh would say it.
pub fn describe(answer: &Answer) -> String {
    match answer {
        Answer::ServerHello(f) => {
            let kind = if f.hello_retry {
                "HelloRetryRequest"
            } else {
                "ServerHello"
            };
            let mut s = format!(
                "{kind} 0x{:04X}, cipher {}",
                f.version,
                suites::name(f.cipher)
            );
            if let Some(g) = f.group {
                s.push_str(&format!(", group {}", group_name(g)));
            }
            if let Some(bits) = f.dh_bits {
                s.push_str(&format!(", DH {bits} bits"));
            }
            s
        }
        Answer::Sslv2ServerHello {
            version,
            cipher_kinds,
        } => format!("SSL 2.0 SERVER-HELLO 0x{version:04X}, {cipher_kinds} cipher kinds"),
        Answer::Alert { description, .. } => format!("alert {description}"),
        Answer::Closed { how } => how.clone(),
        Answer::Silent => format!(
            "no answer within {} s",
            super::raw::ANSWER_TIMEOUT.as_secs()
        ),
        Answer::NotTls { first_bytes } => format!("not TLS (first bytes {first_bytes})"),
    }
}
