//! Telling a client-certificate refusal from a broken connection. Under TLS 1.3 the client's
//! side of the handshake ends before the server has judged the client's certificate, so a
//! server that wants one the client lacks (or distrusts the one sent) closes the connection
//! after the handshake, and the request only sees a broken pipe. When a request to a host fails
//! so, one handshake of the client's own configuration is made to that host and read until the
//! server's alert: that alert, or the server's certificate request, says what happened.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::{ClientConfig, SignatureScheme};
use tokio::io::AsyncReadExt;

use super::message::concise_tls;
use super::per_host::PerHost;
pub use super::tls::Refusal;
use super::tls::rustls_error;

/// How long the diagnostic handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// How long a server that asked for a client certificate has, after the handshake, to refuse
/// it: a TLS 1.3 server says so only once the client has finished its side.
pub const VERDICT_WAIT: Duration = Duration::from_secs(2);

/// The diagnoses made in a run, by `host:port`: each host is diagnosed once.
#[derive(Debug)]
pub(super) struct ClientCertCheck {
    config: ClientConfig,
    connect: Duration,
    has_identity: bool,
    proxy: crate::model::proxy::ResolvedProxy,
    seen: PerHost,
}

impl ClientCertCheck {
    /// A checker making its handshakes as `config` does (the client certificate included, if
    /// `has_identity`), connecting within `connect`, through `proxy` where it says.
    pub(super) fn new(
        config: ClientConfig,
        has_identity: bool,
        proxy: crate::model::proxy::ResolvedProxy,
        connect: Duration,
    ) -> Self {
        ClientCertCheck {
            config,
            connect,
            has_identity,
            proxy,
            seen: PerHost::default(),
        }
    }

    /// Why connections to `url`'s host fail, if it is the client certificate.
    pub(super) async fn explain(&self, url: &url::Url) -> Option<String> {
        if url.scheme() != "https" {
            return None;
        }
        let host = crate::model::proxy::bare_host(url.host_str()?);
        let port = url.port_or_known_default()?;
        self.seen
            .once(super::proxy::authority(host, port), || {
                self.diagnose(host, port)
            })
            .await
    }

    async fn diagnose(&self, host: &str, port: u16) -> Option<String> {
        let mut config = self.config.clone();
        // A full handshake: a resumed one would skip the server's certificate request.
        config.resumption = rustls::client::Resumption::disabled();
        let asked = AskedFor::new(Arc::clone(&config.client_auth_cert_resolver));
        config.client_auth_cert_resolver = asked.clone();
        let shaken =
            super::proxy::tls(&self.proxy, config, host, port, self.connect, HANDSHAKE).await?;
        let failure = match shaken {
            Err(e) => e,
            Ok(mut tls) => {
                let mut byte = [0u8; 1];
                match tokio::time::timeout(VERDICT_WAIT, tls.read(&mut byte)).await {
                    Ok(Err(e)) => e,
                    // Silence, data, or a clean close: nothing said about the certificate.
                    _ => return None,
                }
            }
        };
        match rustls_error(&failure) {
            Some(tls) if Refusal::of(tls).is_some() => Some(concise_tls(tls)),
            _ if asked.asked() => Some(format!(
                "the server asked for a client certificate, then closed the connection ({}): {}",
                failure,
                if self.has_identity {
                    "it rejected the one sent; is `tls.client_cert` signed by the CA the server trusts?"
                } else {
                    "the profile gives none (`tls.client_cert` and `tls.client_key`)"
                }
            )),
            _ => None,
        }
    }
}

/// A client's certificate resolver that notes whether the server asked for a certificate,
/// then answers as the resolver it wraps.
#[derive(Debug)]
pub struct AskedFor {
    inner: Arc<dyn ResolvesClientCert>,
    asked: AtomicBool,
}

impl AskedFor {
    /// Wraps `inner`, a configuration's resolver.
    pub fn new(inner: Arc<dyn ResolvesClientCert>) -> Arc<AskedFor> {
        Arc::new(AskedFor {
            inner,
            asked: AtomicBool::new(false),
        })
    }

    /// Whether a server has asked for a client certificate.
    pub fn asked(&self) -> bool {
        self.asked.load(Ordering::Relaxed)
    }
}

impl ResolvesClientCert for AskedFor {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        self.asked.store(true, Ordering::Relaxed);
        self.inner.resolve(root_hint_subjects, sigschemes)
    }

    fn has_certs(&self) -> bool {
        self.inner.has_certs()
    }
}
