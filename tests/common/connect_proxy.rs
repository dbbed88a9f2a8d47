//! A small forward proxy on 127.0.0.1 for the tests: `CONNECT` tunnels and plain-HTTP
//! requests in absolute form, each one logged. It knows the reference server's unresolvable
//! name (`reference.vvcheck.test`), which it maps to 127.0.0.1: a run that reaches the server
//! by that name went through this proxy, since nothing else can resolve it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use vvcheck::reference::UNRESOLVABLE_NAME;

/// How the proxy answers.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Every request is let through.
    Open,
    /// Every request is refused with 403.
    Refuse,
    /// Requests need `Proxy-Authorization: Basic` with this user name and password (407
    /// without).
    Credentials(String, String),
}

/// One request the proxy was sent.
#[derive(Clone, Debug)]
pub struct Logged {
    /// `CONNECT` or the forwarded method.
    pub method: String,
    /// `host:port` of a tunnel, or the absolute URL of a forwarded request.
    pub target: String,
    /// Whether it was let through.
    pub allowed: bool,
}

/// A running proxy; it stops when dropped.
pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    log: Arc<Mutex<Vec<Logged>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ConnectProxy {
    /// Starts a proxy answering as `mode` on 127.0.0.1, port 0.
    pub async fn start(mode: Mode) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Arc::clone(&log);
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let (mode, log) = (mode.clone(), Arc::clone(&shared));
                tokio::spawn(async move {
                    // Bounded: a test connection never outlives a minute.
                    let _ =
                        tokio::time::timeout(Duration::from_secs(60), serve(client, &mode, &log))
                            .await;
                });
            }
        });
        ConnectProxy { url, log, task }
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.log.lock().expect("log").clone()
    }
}

/// One client connection: its first request decides the tunnel or the forward.
async fn serve(mut client: TcpStream, mode: &Mode, log: &Mutex<Vec<Logged>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut first = text.lines().next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let target = first.next().unwrap_or_default().to_string();
    let authorized = match mode {
        Mode::Open => Ok(()),
        Mode::Refuse => {
            Err("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        Mode::Credentials(user, password) => {
            let expected = format!(
                "basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            );
            let sent = text.lines().any(|l| {
                l.split_once(':').is_some_and(|(k, v)| {
                    k.eq_ignore_ascii_case("proxy-authorization")
                        && v.trim().eq_ignore_ascii_case(&expected)
                })
            });
            if sent {
                Ok(())
            } else {
                Err(
                    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
            }
        }
    };
    if let Ok(mut l) = log.lock() {
        l.push(Logged {
            method: method.clone(),
            target: target.clone(),
            allowed: authorized.is_ok(),
        });
    }
    if let Err(answer) = authorized {
        let _ = client.write_all(answer.as_bytes()).await;
        return;
    }
    let authority = if method == "CONNECT" {
        target.clone()
    } else {
        match url::Url::parse(&target) {
            Ok(u) => format!(
                "{}:{}",
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or(80)
            ),
            Err(_) => return,
        }
    };
    let Some((host, port)) = authority.rsplit_once(':') else {
        return;
    };
    let host = if host == UNRESOLVABLE_NAME {
        "127.0.0.1"
    } else {
        host.trim_start_matches('[').trim_end_matches(']')
    };
    let Ok(port) = port.parse::<u16>() else {
        return;
    };
    let Ok(mut upstream) = TcpStream::connect((host, port)).await else {
        let _ = client
            .write_all(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )
            .await;
        return;
    };
    if method == "CONNECT" {
        if client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    } else if upstream.write_all(&head).await.is_err() {
        // Forwarded as written: the server reads an absolute-form request line as it is.
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}
