//! Telling a client-certificate refusal from a broken connection. Under TLS 1.3 the client's
//! side of the handshake ends before the server has judged the client's certificate, so a
//! server that wants one the client lacks (or distrusts the one sent) closes the connection
//! after the handshake, and the request only sees a broken pipe. When a request to a host fails
//! so, one handshake of the client's own configuration is made to that host and read until the
//! server's alert: that alert, or the server's certificate request, says what happened.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::ResolvesClientCert;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, SignatureScheme};
use tokio::io::AsyncReadExt;

use super::message::concise_tls;

/// How long the diagnostic handshake, and then its read for the server's alert, may take.
const HANDSHAKE: Duration = Duration::from_secs(10);
const ALERT: Duration = Duration::from_secs(2);

/// The diagnoses made in a run, by `host:port`: each host is diagnosed once.
#[derive(Debug)]
pub(super) struct ClientCertCheck {
    config: ClientConfig,
    connect: Duration,
    has_identity: bool,
    seen: Mutex<HashMap<String, Option<String>>>,
}

impl ClientCertCheck {
    /// A checker making its handshakes as `config` does (the client certificate included, if
    /// `has_identity`), connecting within `connect`.
    pub(super) fn new(config: ClientConfig, has_identity: bool, connect: Duration) -> Self {
        ClientCertCheck {
            config,
            connect,
            has_identity,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Why connections to `url`'s host fail, if it is the client certificate.
    pub(super) async fn explain(&self, url: &url::Url) -> Option<String> {
        if url.scheme() != "https" {
            return None;
        }
        let host = url
            .host_str()?
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = url.port_or_known_default()?;
        let key = format!("{host}:{port}");
        if let Some(known) = self.seen.lock().ok()?.get(&key) {
            return known.clone();
        }
        let found = self.diagnose(host, port).await;
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(key, found.clone());
        }
        found
    }

    async fn diagnose(&self, host: &str, port: u16) -> Option<String> {
        let asked = Arc::new(AtomicBool::new(false));
        let mut config = self.config.clone();
        config.client_auth_cert_resolver = Arc::new(Watch {
            inner: Arc::clone(&config.client_auth_cert_resolver),
            asked: Arc::clone(&asked),
        });
        let name = ServerName::try_from(host.to_string()).ok()?;
        let tcp = tokio::time::timeout(self.connect, tokio::net::TcpStream::connect((host, port)))
            .await
            .ok()?
            .ok()?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let failure = match tokio::time::timeout(HANDSHAKE, connector.connect(name, tcp)).await {
            Err(_) => return None,
            Ok(Err(e)) => e,
            Ok(Ok(mut tls)) => {
                let mut byte = [0u8; 1];
                match tokio::time::timeout(ALERT, tls.read(&mut byte)).await {
                    Ok(Err(e)) => e,
                    // Silence, data, or a clean close: nothing said about the certificate.
                    _ => return None,
                }
            }
        };
        let alert = failure
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map(concise_tls);
        match alert {
            Some(text) if text.contains("client certificate") => Some(text),
            _ if asked.load(Ordering::Relaxed) => Some(format!(
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

/// The client's certificate resolver, noting whether the server asked for a certificate.
#[derive(Debug)]
struct Watch {
    inner: Arc<dyn ResolvesClientCert>,
    asked: Arc<AtomicBool>,
}

impl ResolvesClientCert for Watch {
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
