//! Telling a broken HTTP/2 from a broken server. Some load balancers offer HTTP/2 by ALPN and
//! then reset or close the connection, while HTTP/1.1 to them works. The HTTP client's error
//! says only "connection closed", so when a request to a host has failed for good (its
//! retries spent) and the profile leaves the HTTP version to ALPN, one handshake is made to
//! that host as the client makes it: if ALPN chooses HTTP/2, a second handshake offering only
//! HTTP/1.1 sends `HEAD /`. An HTTP/1.1 answer to it makes the hint: set
//! `http: { version: "1.1" }`.

use std::time::Duration;

use rustls::ClientConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::per_host::PerHost;
use super::proxy::authority;
use crate::model::proxy::ResolvedProxy;

/// How long each diagnostic handshake, and the HTTP/1.1 answer, may take.
const STEP: Duration = Duration::from_secs(10);

/// The diagnoses made in a run, by `host:port`: each host is diagnosed once.
#[derive(Debug)]
pub(super) struct Http2Check {
    /// The client's TLS configuration, or `None` when the profile fixes the HTTP version.
    config: Option<ClientConfig>,
    proxy: ResolvedProxy,
    connect: Duration,
    seen: PerHost,
}

impl Http2Check {
    /// A checker making its handshakes as `config` does, connecting within `connect`, through
    /// `proxy` where it says; `active` only when ALPN chooses the HTTP version.
    pub(super) fn new(
        config: ClientConfig,
        active: bool,
        proxy: ResolvedProxy,
        connect: Duration,
    ) -> Self {
        Http2Check {
            config: active.then_some(config),
            proxy,
            connect,
            seen: PerHost::default(),
        }
    }

    /// The hint for a failed connection to `url`'s host, if its HTTP/2 looks broken.
    pub(super) async fn explain(&self, url: &url::Url) -> Option<String> {
        let config = self.config.as_ref()?;
        if url.scheme() != "https" {
            return None;
        }
        let host = crate::model::proxy::bare_host(url.host_str()?);
        let port = url.port_or_known_default()?;
        self.seen
            .once(authority(host, port), || self.diagnose(config, host, port))
            .await
    }

    async fn diagnose(&self, config: &ClientConfig, host: &str, port: u16) -> Option<String> {
        let chosen = self.handshake(config.clone(), host, port).await?;
        if chosen.get_ref().1.alpn_protocol() != Some(b"h2".as_slice()) {
            return None;
        }
        drop(chosen);
        let mut h1 = config.clone();
        h1.alpn_protocols = vec![b"http/1.1".to_vec()];
        let mut tls = self.handshake(h1, host, port).await?;
        let head = format!(
            "HEAD / HTTP/1.1\r\nHost: {}\r\nUser-Agent: vvcheck/{}\r\nConnection: close\r\n\r\n",
            authority(host, port),
            env!("CARGO_PKG_VERSION")
        );
        let answer = tokio::time::timeout(STEP, async {
            tls.write_all(head.as_bytes()).await.ok()?;
            let mut buf = vec![0u8; 256];
            let mut got = 0;
            // The status line, read until its end or the buffer's.
            while got < buf.len() && !buf[..got].contains(&b'\n') {
                match tls.read(&mut buf[got..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got += n,
                }
            }
            status_line(&buf[..got])
        })
        .await
        .ok()??;
        Some(format!(
            "the server chose HTTP/2 by ALPN and the connection broke, while HTTP/1.1 to it answers ({answer}): if its HTTP/2 is broken, set `http: {{ version: \"1.1\" }}` in the profile"
        ))
    }

    async fn handshake(
        &self,
        config: ClientConfig,
        host: &str,
        port: u16,
    ) -> Option<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
        super::proxy::tls(&self.proxy, config, host, port, self.connect, STEP)
            .await?
            .ok()
    }
}

/// `HTTP/1.1 200 OK` from the start of an answer, if it is an HTTP/1 status line.
fn status_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next()?.trim();
    let mut words = line.split(' ');
    let version = words.next()?;
    let code = words.next()?;
    (version.starts_with("HTTP/1.") && code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| line.chars().take(80).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_http1_status_line_is_an_answer() {
        assert_eq!(
            status_line(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n").as_deref(),
            Some("HTTP/1.1 200 OK")
        );
        assert_eq!(
            status_line(b"HTTP/1.0 404 Not Found\r\n").as_deref(),
            Some("HTTP/1.0 404 Not Found")
        );
        assert!(
            status_line(b"\x00\x00\x12\x04").is_none(),
            "an HTTP/2 frame"
        );
        assert!(status_line(b"").is_none());
        assert!(status_line(b"HTTP/1.1 2xx\r\n").is_none());
    }
}
