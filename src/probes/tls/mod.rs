//! The TLS probe (SEC-01, SEC-02): for every HTTPS endpoint of the profile, with SNI and the
//! profile's trust settings, the protocol versions it accepts (TLS 1.2/1.3 by rustls handshakes,
//! SSL 2.0 to TLS 1.1 by hand-built hellos), the cipher suites per version, and its certificate
//! chain. One aspect per check; each records a TLS transcript (JSON) in its evidence.

mod answer;
pub mod cert;
mod endpoint;
mod handshake;
mod hello;
mod judge;
mod raw;
pub mod scan;
mod suites;
mod version;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, join_all};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::rate::RateLimiter;
use crate::model::probe::ProbeParams;
use crate::model::resolve::ResolvedTarget;
use crate::outcome::{CheckError, ErrorKind};
pub use endpoint::{Endpoint, ScanError};
use judge::Judged;
use scan::{SCAN_TIMEOUT, Scanner};

/// What a `tls` step judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aspect {
    /// SEC-01: only TLS 1.2 and 1.3.
    Protocols,
    /// SEC-01: no weak cipher suites on any version.
    Ciphers,
    /// SEC-02: a trusted, matching, current, strong certificate.
    Certificate,
}

fn thirty() -> u32 {
    30
}

/// Parameters of `tls`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsParams {
    pub aspect: Aspect,
    /// Days of validity left under which the certificate draws a warning (default 30).
    #[serde(default = "thirty")]
    pub warn_days: u32,
}

impl ProbeParams for TlsParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `tls`: protocol versions, cipher suites or the certificate of every HTTPS endpoint.
pub struct Tls;

impl Probe for Tls {
    const NAME: &'static str = "tls";
    const ABOUT: &'static str =
        "TLS versions, cipher suites and certificate of every HTTPS endpoint";
    const PARAMS: &'static [&'static str] = &["aspect", "warn_days"];
    type Params = TlsParams;
    fn run<'a, 'b>(p: &'a TlsParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(run(p, env))
    }
}

async fn run(p: &TlsParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let endpoints = endpoint::endpoints(env.target);
    if endpoints.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Input,
            "the profile names no https:// URL to scan",
        ));
    }
    let scans = scanners(env.target, endpoints, &env.http.pace())?;
    let results = join_all(scans.iter().map(|s| scan_one(s, p))).await;
    let mut findings = Vec::new();
    let mut error = None;
    for (s, r) in scans.iter().zip(results) {
        let (facts, judged) = match r {
            Ok(x) => x,
            Err(e) => {
                env.evidence
                    .tls
                    .push(transcript(s, p.aspect, json!({ "error": e.to_string() })));
                error.get_or_insert(e);
                continue;
            }
        };
        env.evidence.tls.push(transcript(s, p.aspect, facts));
        env.notes.extend(judged.notes);
        findings.extend(judged.findings);
    }
    // A finding stands even when another endpoint could not be scanned; otherwise no verdict.
    match error {
        Some(e) if findings.is_empty() => Err(e.into()),
        _ => Ok(findings),
    }
}

/// One scanner per endpoint, sharing the HTTP client's client certificate and trust store, and
/// its per-host pace (`--rate` spaces handshakes as it spaces requests).
pub fn scanners(
    target: &ResolvedTarget,
    endpoints: Vec<Endpoint>,
    pace: &Arc<RateLimiter>,
) -> Result<Vec<Scanner>, CheckError> {
    let setup = |e: crate::http::tls::TlsError| {
        CheckError::new(ErrorKind::Input, format!("TLS set-up: {e}"))
    };
    let base = Arc::new(
        crate::http::tls::client_config(&target.tls, false, target.http_version).map_err(setup)?,
    );
    let roots = Arc::new(
        crate::http::tls::root_store(target.tls.ca_pem.as_deref(), target.tls.ca_only)
            .map_err(setup)?,
    );
    let client = handshake::Client::new(
        base,
        Duration::from_secs(target.timeouts.connect_s),
        target.proxy.clone(),
    );
    Ok(endpoints
        .into_iter()
        .map(|ep| Scanner::new(ep, client.clone(), roots.clone(), Arc::clone(pace)))
        .collect())
}

/// Scans one endpoint for one aspect, within [`SCAN_TIMEOUT`]: the facts (for the transcript)
/// and their judgement.
pub async fn scan_one(s: &Scanner, p: &TlsParams) -> Result<(Value, Judged), ScanError> {
    let ep = s.endpoint.to_string();
    let work = async {
        match p.aspect {
            Aspect::Protocols => {
                let r = s.protocols().await?;
                Ok((json!({ "protocols": r }), judge::protocols(&ep, &r)))
            }
            Aspect::Ciphers => {
                let r = s.ciphers().await?;
                Ok((json!({ "cipher_suites": r }), judge::ciphers(&ep, &r)))
            }
            Aspect::Certificate => match s.certificate(cert::now_unix()).await? {
                Some(c) => {
                    let j = judge::certificate(&ep, &s.endpoint.host, &c, i64::from(p.warn_days));
                    Ok((json!({ "certificate": c }), j))
                }
                None => Err(ScanError::Protocol(
                    ep.clone(),
                    "no handshake showed a certificate (TLS 1.0 to 1.3 tried)".into(),
                )),
            },
        }
    };
    match tokio::time::timeout(SCAN_TIMEOUT, work).await {
        Ok(r) => r,
        Err(_) => Err(ScanError::Protocol(
            ep,
            format!(
                "the scan did not finish within {} s",
                SCAN_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// The TLS transcript of one endpoint: what was sent, what came back, and the facts.
fn transcript(s: &Scanner, aspect: Aspect, facts: Value) -> Value {
    json!({
        "endpoint": s.endpoint.to_string(),
        "aspect": aspect,
        "attempts": s.attempts(),
        "facts": facts,
    })
}
