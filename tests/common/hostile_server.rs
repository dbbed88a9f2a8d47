//! A vendor stand-in that misbehaves per path, on raw TCP (127.0.0.1 only): each behaviour is
//! one way a hostile or broken server answers, at `/b/<name>`, and two TLS ports misbehave in
//! the handshake. Every connection is bounded in time and the listeners in connections.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The longest any connection is kept, whatever its behaviour.
const CONNECTION_LIMIT: Duration = Duration::from_secs(30);
/// The most connections a listener accepts.
const MAX_CONNECTIONS: usize = 2000;

/// The behaviours of `/b/<name>`.
pub const BEHAVIOURS: &[&str] = &[
    "never-answers",
    "stall-after-headers",
    "trickle",
    "reset",
    "body-50mb",
    "body-80mb-declared",
    "infinite-chunked",
    "redirect-loop",
    "redirect-foreign",
    "invalid-utf8",
    "invalid-json",
    "gzip-bomb",
    "header-1mb",
    "headers-10000",
    "http09",
    "cookie-flood",
];

/// The answer every well-behaved path gives: a message as the profile maps it.
pub const MESSAGE: &str =
    r#"{"body":"hello","author":"u-1","at":"2026-01-01T09:30:00Z","read":false}"#;

/// A running stand-in: its plain and TLS addresses, and how often each path was asked for.
pub struct Hostile {
    pub http: String,
    /// A TLS port that closes the connection after the ClientHello.
    pub tls_close: String,
    /// A TLS port that answers the ClientHello with bytes that are not TLS.
    pub tls_garbage: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
}

impl Hostile {
    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.hits
            .lock()
            .map(|h| h.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

/// Starts the listeners on 127.0.0.1.
pub async fn start() -> Hostile {
    let plain = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let http = format!("http://{}", plain.local_addr().expect("address"));
    let hits = Arc::new(Mutex::new(HashMap::new()));
    let counted = Arc::clone(&hits);
    // Made before the first request: compressing takes longer than a request may.
    let bomb: Arc<[u8]> = tokio::task::spawn_blocking(gzip_bomb)
        .await
        .expect("compressed")
        .into();
    tokio::spawn(async move {
        for _ in 0..MAX_CONNECTIONS {
            let Ok((s, _)) = plain.accept().await else {
                return;
            };
            let hits = Arc::clone(&counted);
            let bomb = Arc::clone(&bomb);
            tokio::spawn(tokio::time::timeout(
                CONNECTION_LIMIT,
                answer(s, hits, bomb),
            ));
        }
    });
    let mut tls = Vec::new();
    for garbage in [false, true] {
        let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        tls.push(format!("https://{}", l.local_addr().expect("address")));
        tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((s, _)) = l.accept().await else {
                    return;
                };
                tokio::spawn(tokio::time::timeout(
                    CONNECTION_LIMIT,
                    tls_answer(s, garbage),
                ));
            }
        });
    }
    Hostile {
        http,
        tls_close: tls[0].clone(),
        tls_garbage: tls[1].clone(),
        hits,
    }
}

/// Reads one request head (and its body); returns method and path.
async fn read_request(s: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).await.ok()? == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut first = head.lines().next()?.split_whitespace();
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .and_then(|v| v.trim().parse().ok())
        })
        .unwrap_or(0);
    let mut body = vec![0u8; len.min(1024 * 1024)];
    s.read_exact(&mut body).await.ok()?;
    Some((method, path))
}

fn reply(status: &str, extra: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// A real gzip bomb: 16 MiB of zeros in about 16 KiB. The client must not inflate it.
fn gzip_bomb() -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..16 {
        z.write_all(&zeros).expect("in memory");
    }
    z.finish().expect("in memory")
}

async fn answer(mut s: TcpStream, hits: Arc<Mutex<HashMap<String, usize>>>, bomb: Arc<[u8]>) {
    let Some((_, path)) = read_request(&mut s).await else {
        return;
    };
    let path = path.split('?').next().unwrap_or("").to_string();
    if let Ok(mut h) = hits.lock() {
        *h.entry(path.clone()).or_insert(0) += 1;
    }
    let name = path.strip_prefix("/b/").unwrap_or(&path);
    match name {
        "/oauth/token" => {
            let body = r#"{"access_token":"hostile-token-0123456789","token_type":"Bearer","user":{"id":"u-x"}}"#;
            let _ = s.write_all(reply("200 OK", "", body).as_bytes()).await;
        }
        "/oauth/hang" | "never-answers" => {
            tokio::time::sleep(CONNECTION_LIMIT).await;
            return;
        }
        "/start" => {
            let _ = s
                .write_all(reply("302 Found", "Location: /start\r\n", "").as_bytes())
                .await;
        }
        "stall-after-headers" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"bo";
            let _ = s.write_all(head.as_bytes()).await;
            tokio::time::sleep(CONNECTION_LIMIT).await;
            return;
        }
        "trickle" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            for _ in 0..300 {
                if s.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            return;
        }
        "reset" => {
            // A zero linger makes the close a TCP reset.
            let _ = s.set_zero_linger();
            return;
        }
        "body-50mb" => {
            // A real message, padded to 50 MB: what decides it lies past the part kept.
            let pad = 50 * 1024 * 1024;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{{\"pad\":\"",
                pad + MESSAGE.len() + 15
            );
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..50 {
                if s.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            let tail = format!("\",\"m\":{MESSAGE}}}");
            let _ = s.write_all(tail.as_bytes()).await;
        }
        "body-80mb-declared" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 83886080\r\nConnection: close\r\n\r\n";
            let _ = s.write_all(head.as_bytes()).await;
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..80 {
                if s.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        "infinite-chunked" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut chunk = b"10000\r\n".to_vec();
            chunk.extend(std::iter::repeat_n(b'a', 0x10000));
            chunk.extend_from_slice(b"\r\n");
            // Bounded by the connection limit, not by an end: it never sends the last chunk.
            loop {
                if s.write_all(&chunk).await.is_err() {
                    return;
                }
            }
        }
        "redirect-loop" => {
            let _ = s
                .write_all(reply("302 Found", &format!("Location: {path}\r\n"), "").as_bytes())
                .await;
        }
        "redirect-foreign" => {
            let to = "Location: https://evil.example/steal?from=vvcheck\r\n";
            let _ = s.write_all(reply("302 Found", to, "").as_bytes()).await;
        }
        "invalid-utf8" => {
            let mut r = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"body\":\"".to_vec();
            r.extend_from_slice(&[0xff, 0xfe, b'"']);
            let _ = s.write_all(&r).await;
        }
        "invalid-json" => {
            let _ = s
                .write_all(reply("200 OK", "", r#"{"body": "hello", "author"#).as_bytes())
                .await;
        }
        "gzip-bomb" => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bomb.len()
            );
            if s.write_all(head.as_bytes()).await.is_ok() {
                let _ = s.write_all(&bomb).await;
            }
        }
        "header-1mb" => {
            let big = format!("X-Big: {}\r\n", "h".repeat(1024 * 1024));
            let _ = s.write_all(reply("200 OK", &big, MESSAGE).as_bytes()).await;
        }
        "headers-10000" => {
            let many: String = (0..10_000).map(|i| format!("X-H{i}: v\r\n")).collect();
            let _ = s
                .write_all(reply("200 OK", &many, MESSAGE).as_bytes())
                .await;
        }
        "http09" => {
            // HTTP/0.9: the body alone, no status line, no headers.
            let _ = s.write_all(MESSAGE.as_bytes()).await;
        }
        "cookie-flood" => {
            let cookies: String = (0..90)
                .map(|i| format!("Set-Cookie: c{i}={}; Path=/\r\n", "k".repeat(1000)))
                .collect();
            let _ = s
                .write_all(reply("200 OK", &cookies, MESSAGE).as_bytes())
                .await;
        }
        // Entry pages whose notice links leave the profile's hosts, directly or by a redirect.
        "entry-foreign-link" | "entry-redirecting-link" => {
            let privacy = if name == "entry-foreign-link" {
                "https://evil.example/privacy"
            } else {
                "/b/privacy-moved"
            };
            let page = format!(
                "<html><body><a href=\"{privacy}\">Privacy notice</a> <a href=\"/b/fine\">Terms of use</a></body></html>"
            );
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                page.len()
            );
            let _ = s.write_all((head + &page).as_bytes()).await;
        }
        "privacy-moved" => {
            let to = "Location: https://evil.example/privacy\r\n";
            let _ = s.write_all(reply("302 Found", to, "").as_bytes()).await;
        }
        _ => {
            let _ = s.write_all(reply("200 OK", "", MESSAGE).as_bytes()).await;
        }
    }
    let _ = s.shutdown().await;
}

/// A TLS port: the ClientHello is read, then the connection closes (`garbage` false) or
/// bytes that are not TLS come back.
async fn tls_answer(mut s: TcpStream, garbage: bool) {
    let mut hello = [0u8; 4096];
    if s.read(&mut hello).await.unwrap_or(0) == 0 {
        return;
    }
    if garbage {
        let _ = s
            .write_all(b"HTTP/1.1 200 OK garbage, not a TLS record\r\n\r\n")
            .await;
    }
    let _ = s.shutdown().await;
}
