//! Reaching a host the way the run's proxy plan says: the HTTP client's proxy, and the
//! `CONNECT` tunnel every connection vvcheck opens itself goes through (the TLS probe's
//! hand-built hellos and handshakes, the client-certificate diagnosis, the doctor, the browser's
//! trust), so that no part of a run leaves by another way.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::per_host::PerHost;
use crate::model::proxy::{ProxyServer, ResolvedProxy, Way, bare_host};

/// The most a proxy's answer to `CONNECT` may hold before its blank line.
const MAX_ANSWER: usize = 16 * 1024;

/// Why no connection to a host was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// The host itself (or the proxy) could not be reached.
    #[error("{0}")]
    Unreachable(String),
    /// The proxy answered `CONNECT` with something other than 2xx.
    #[error("the proxy {proxy} refused CONNECT to {target}: {status}{hint}")]
    Refused {
        proxy: String,
        target: String,
        status: String,
        hint: &'static str,
    },
    /// The proxy's answer to `CONNECT` was not HTTP, or never ended.
    #[error("the proxy {proxy} gave no usable answer to CONNECT {target}: {why}")]
    Broken {
        proxy: String,
        target: String,
        why: String,
    },
}

/// `host:port` as a request line writes it (`[::1]:443`).
pub(super) fn authority(host: &str, port: u16) -> String {
    let bare = bare_host(host);
    if bare.contains(':') {
        format!("[{bare}]:{port}")
    } else {
        format!("{bare}:{port}")
    }
}

/// A TLS handshake of `config` with `host` (bare, as a server name) on `port`, connected by
/// [`connect`] within `connect_in` and shaken within `handshake_in`: `None` when no connection
/// was made, the name is no server name, or the handshake did not end in time; else how the
/// handshake ended.
pub(super) async fn tls(
    plan: &ResolvedProxy,
    config: rustls::ClientConfig,
    host: &str,
    port: u16,
    connect_in: Duration,
    handshake_in: Duration,
) -> Option<std::io::Result<tokio_rustls::client::TlsStream<TcpStream>>> {
    let name = rustls::pki_types::ServerName::try_from(host.to_string()).ok()?;
    let tcp = connect(plan, host, port, connect_in).await.ok()?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    tokio::time::timeout(handshake_in, connector.connect(name, tcp))
        .await
        .ok()
}

/// A TCP connection to `host:port` (`host` as a URL writes it) within `timeout`, through the
/// proxy the plan names for `https` URLs to that host, if any: the stream then carries the
/// tunnel, ready for a TLS hello.
pub async fn connect(
    plan: &ResolvedProxy,
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<TcpStream, ConnectError> {
    let bare = bare_host(host);
    let work = async {
        match plan.way("https", host) {
            Way::Via(server) => tunnel(server, bare, port).await,
            _ => TcpStream::connect((bare, port))
                .await
                .map_err(|e| ConnectError::Unreachable(e.to_string())),
        }
    };
    let stream = tokio::time::timeout(timeout, work).await.map_err(|_| {
        ConnectError::Unreachable(format!("no connection within {} s", timeout.as_secs()))
    })??;
    // Hellos and requests are single writes; there is nothing to batch.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Opens a `CONNECT` tunnel to `host:port` (no brackets) through `server`.
async fn tunnel(server: &ProxyServer, host: &str, port: u16) -> Result<TcpStream, ConnectError> {
    let proxy = server.shown().to_string();
    let target = authority(host, port);
    let proxy_host = server.url.host_str().unwrap_or_default();
    let proxy_port = server.url.port_or_known_default().unwrap_or(80);
    let mut stream = TcpStream::connect((bare_host(proxy_host), proxy_port))
        .await
        .map_err(|e| ConnectError::Unreachable(format!("cannot reach the proxy {proxy}: {e}")))?;
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some((user, password)) = &server.credentials {
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{user}:{}", password.expose()));
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    let broken = |why: String| ConnectError::Broken {
        proxy: proxy.clone(),
        target: target.clone(),
        why,
    };
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| broken(e.to_string()))?;
    // Read one byte at a time: whatever follows the blank line is the server's, not ours.
    let mut answer = Vec::with_capacity(128);
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= MAX_ANSWER {
            return Err(broken(format!(
                "more than {} KiB of headers",
                MAX_ANSWER / 1024
            )));
        }
        match stream.read(&mut byte).await {
            Ok(0) => return Err(broken("it closed the connection".into())),
            Ok(_) => answer.push(byte[0]),
            Err(e) => return Err(broken(e.to_string())),
        }
    }
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or_default().trim().to_string();
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or_default(), parts.next());
    let code = match (
        version.starts_with("HTTP/"),
        code.and_then(|c| c.parse::<u16>().ok()),
    ) {
        (true, Some(code)) => code,
        _ => return Err(broken(format!("not an HTTP answer: {status_line:?}"))),
    };
    if (200..300).contains(&code) {
        return Ok(stream);
    }
    let hint = match (code, server.credentials.is_some()) {
        (407, false) => {
            " (it wants credentials: set `proxy.username` and `proxy.password` in the profile)"
        }
        (407, true) => " (it refused the credentials: check `proxy.username` and `proxy.password`)",
        _ => "",
    };
    Err(ConnectError::Refused {
        proxy,
        target,
        status: status_line,
        hint,
    })
}

/// The HTTP client's proxy for `plan`: the same decisions as [`connect`] (loopback, `NO_PROXY`),
/// with the credentials the proxy URL hands to the client.
pub fn reqwest_proxy(plan: &ResolvedProxy) -> Option<reqwest::Proxy> {
    if plan.https.is_none() && plan.http.is_none() {
        return None;
    }
    let plan = plan.clone();
    Some(reqwest::Proxy::custom(move |url| {
        let server = plan.for_url(url)?;
        let mut with = server.url.clone();
        if let Some((user, password)) = &server.credentials {
            let _ = with.set_username(user);
            let _ = with.set_password(Some(password.expose()));
        }
        Some(with)
    }))
}

/// Why requests to a proxied host fail, learnt once per host by opening a tunnel: the proxy's
/// refusal says more than the HTTP client's "tunnel error: unsuccessful".
#[derive(Debug)]
pub(super) struct ProxyCheck {
    plan: ResolvedProxy,
    timeout: Duration,
    seen: PerHost,
}

impl ProxyCheck {
    /// A checker of `plan`'s proxies, connecting within `timeout`.
    pub(super) fn new(plan: ResolvedProxy, timeout: Duration) -> Self {
        ProxyCheck {
            plan,
            timeout,
            seen: PerHost::default(),
        }
    }

    /// The plan it checks.
    pub(super) fn plan(&self) -> &ResolvedProxy {
        &self.plan
    }

    /// Why connections to `url`'s host fail, if it is the proxy.
    pub(super) async fn explain(&self, url: &url::Url) -> Option<String> {
        let server = self.plan.for_url(url)?;
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        let key = authority(host, port);
        let shown = key.clone();
        self.seen
            .once(key, || async move {
                match tokio::time::timeout(self.timeout, tunnel(server, bare_host(host), port))
                    .await
                {
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some(format!(
                        "the proxy {} did not open a tunnel to {shown} within {} s",
                        server.shown(),
                        self.timeout.as_secs()
                    )),
                    Ok(Ok(_)) => None,
                }
            })
            .await
    }
}

/// One line on how `url` is reached: the proxy (never its credentials) and where it was
/// named, or why there is none.
pub fn describe(plan: &ResolvedProxy, url: &url::Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match plan.way(url.scheme(), host) {
        Way::Via(server) => format!(
            "{} (from {}{})",
            server.shown(),
            server.source,
            if server.credentials.is_some() {
                ", with credentials"
            } else {
                ""
            }
        ),
        Way::NoProxySet => format!(
            "none: no proxy set for {}:// URLs ({} or ALL_PROXY, or the profile's proxy.url)",
            url.scheme(),
            if url.scheme() == "https" {
                "HTTPS_PROXY"
            } else {
                "HTTP_PROXY"
            }
        ),
        Way::Loopback => format!(
            "none: {host} is loopback, never proxied unless the profile says `proxy.loopback: true`"
        ),
        Way::Listed(entry) => format!(
            "none: {host} is reached directly, as `{entry}` in {} says",
            plan.no_proxy_sources.join(" and ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proxy::ProxySource;
    use crate::model::secret::SecretString;

    #[test]
    fn ipv6_hosts_are_bracketed_once() {
        assert_eq!(authority("::1", 443), "[::1]:443");
        assert_eq!(authority("[::1]", 443), "[::1]:443");
        assert_eq!(
            authority("sm.vendor.example", 8443),
            "sm.vendor.example:8443"
        );
    }

    fn plan(url: &str, credentials: Option<(&str, &str)>) -> ResolvedProxy {
        let server = ProxyServer {
            url: url::Url::parse(url).expect("URL"),
            credentials: credentials.map(|(u, p)| (u.to_string(), SecretString::new(p))),
            source: ProxySource::Env("HTTPS_PROXY"),
        };
        // Loopback through the proxy too: the test proxies listen on 127.0.0.1.
        ResolvedProxy {
            https: Some(server),
            loopback: true,
            ..ResolvedProxy::default()
        }
    }

    /// A one-shot proxy that reads a `CONNECT` request and answers `answer`; it gives back
    /// what it read.
    async fn proxy(answer: &'static str) -> (String, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut got = Vec::new();
            let mut buf = [0u8; 1024];
            while !got.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).await.expect("read");
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            s.write_all(answer.as_bytes()).await.expect("write");
            s.write_all(b"server bytes").await.expect("write");
            String::from_utf8_lossy(&got).into_owned()
        });
        (format!("http://{addr}"), task)
    }

    #[tokio::test]
    async fn a_tunnel_sends_connect_with_credentials_and_leaves_the_servers_bytes_unread() {
        let (url, task) = proxy("HTTP/1.1 200 Connection established\r\n\r\n").await;
        let plan = plan(&url, Some(("me", "pw")));
        let mut s = connect(&plan, "vendor.example", 443, Duration::from_secs(5))
            .await
            .expect("tunnel");
        let mut rest = Vec::new();
        s.read_to_end(&mut rest).await.expect("read");
        assert_eq!(rest, b"server bytes");
        let sent = task.await.expect("proxy");
        assert!(
            sent.starts_with("CONNECT vendor.example:443 HTTP/1.1\r\n"),
            "{sent}"
        );
        assert!(
            sent.contains("Proxy-Authorization: Basic bWU6cHc=\r\n"),
            "{sent}"
        );
    }

    #[tokio::test]
    async fn a_refusal_names_the_proxy_status_and_the_fix() {
        let (url, _task) = proxy("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
        let e = connect(&plan(&url, None), "[::1]", 8443, Duration::from_secs(5))
            .await
            .expect_err("refused");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "the proxy {url} refused CONNECT to [::1]:8443: HTTP/1.1 407"
            )),
            "{text}"
        );
        assert!(text.contains("proxy.password"), "{text}");
        let (url, _task) = proxy("SSH-2.0-OpenSSH\r\n\r\n").await;
        let e = connect(
            &plan(&url, None),
            "vendor.example",
            443,
            Duration::from_secs(5),
        )
        .await
        .expect_err("not HTTP");
        assert!(matches!(e, ConnectError::Broken { .. }), "{e}");
    }

    #[test]
    fn the_line_shows_the_proxy_never_its_credentials() {
        let mut p = plan("http://proxy.corp:3128", Some(("me", "s3cret")));
        p.loopback = false;
        let url = url::Url::parse("https://sm.vendor.example/").expect("URL");
        let line = describe(&p, &url);
        assert_eq!(
            line,
            "http://proxy.corp:3128 (from HTTPS_PROXY, with credentials)"
        );
        let local = url::Url::parse("https://127.0.0.1:8443/").expect("URL");
        assert!(describe(&p, &local).contains("loopback"));
        let http = url::Url::parse("http://sm.vendor.example/").expect("URL");
        assert!(describe(&p, &http).starts_with("none: no proxy set for http://"));
    }
}
