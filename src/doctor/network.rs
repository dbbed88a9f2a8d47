//! The network steps before TLS: the base URL's host resolved and a TCP connection to it, each
//! bounded by the profile's connect timeout.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use super::report::Line;
use crate::http::proxy::ConnectError;
use crate::model::proxy::ProxyServer;
use crate::model::resolve::ResolvedTarget;

/// Resolves `host:port`; the addresses, or the failed line.
pub async fn resolve(host: &str, port: u16, timeout: Duration) -> Result<Vec<SocketAddr>, Line> {
    let fix = "check the host name in base_url, and this machine's DNS (or /etc/hosts)";
    match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
        Err(_) => Err(Line::fail(
            "resolve",
            format!("{host}: no answer within {} s", timeout.as_secs()),
            fix,
        )),
        Ok(Err(e)) => Err(Line::fail("resolve", format!("{host}: {e}"), fix)),
        Ok(Ok(addrs)) => {
            let mut all: Vec<SocketAddr> = Vec::new();
            for a in addrs {
                if !all.contains(&a) {
                    all.push(a);
                }
            }
            if all.is_empty() {
                Err(Line::fail("resolve", format!("{host}: no address"), fix))
            } else {
                Ok(all)
            }
        }
    }
}

/// The line of a resolved host: each address with its family.
pub fn resolved_line(host: &str, addrs: &[SocketAddr]) -> Line {
    let shown: Vec<String> = addrs
        .iter()
        .map(|a| {
            let family = if a.is_ipv4() { "IPv4" } else { "IPv6" };
            format!("{} ({family})", a.ip())
        })
        .collect();
    Line::ok("resolve", format!("{host}: {}", shown.join(", ")))
}

/// Connects to each address in turn until one answers; the stream and its line, or the failed
/// line naming every address tried.
pub async fn connect(addrs: &[SocketAddr], timeout: Duration) -> Result<(TcpStream, Line), Line> {
    let mut tried = Vec::new();
    let mut timed_out = false;
    for addr in addrs {
        match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => {
                return Ok((stream, Line::ok("connect", format!("{addr}: connected"))));
            }
            Ok(Err(e)) => tried.push(format!("{addr}: {e}")),
            Err(_) => {
                timed_out = true;
                tried.push(format!("{addr}: no answer within {} s", timeout.as_secs()));
            }
        }
    }
    let fix = if timed_out {
        "a firewall drops the connection, or this network needs a proxy (HTTPS_PROXY); \
         raise timeouts.connect_s if the server is slow to accept"
    } else {
        "is the server running, and is the port in base_url the one it listens on?"
    };
    Err(Line::fail("connect", tried.join("; "), fix))
}

/// A tunnel through `server` (the proxy the plan names for the base URL) to the base URL's
/// host; the stream and its line, or the failed line with the proxy's answer.
pub async fn tunnel(
    target: &ResolvedTarget,
    server: &ProxyServer,
    timeout: Duration,
) -> Result<(TcpStream, Line), Line> {
    let host = target.base_url.host_str().unwrap_or_default();
    let port = target.base_url.port_or_known_default().unwrap_or(443);
    let proxy = server.shown();
    match crate::http::proxy::connect(&target.proxy, host, port, timeout).await {
        Ok(stream) => Ok((
            stream,
            Line::ok(
                "connect",
                format!("{host}:{port} through the proxy {proxy}: tunnel open"),
            ),
        )),
        Err(e) => {
            let fix = match &e {
                ConnectError::Refused { .. } => {
                    "ask the proxy's administrators to allow CONNECT to this host and port, or \
                     list the host in NO_PROXY (or the profile's proxy.no_proxy) if it is reached directly"
                }
                _ => {
                    "is the proxy's address right (HTTPS_PROXY or the profile's proxy.url), and is it running?"
                }
            };
            Err(Line::fail("connect", e.to_string(), fix))
        }
    }
}
