//! One hand-built hello over a fresh TCP connection, and the server's answer: bounded by the
//! connect timeout, the answer deadline and [`MAX_ANSWER_BYTES`](super::answer::MAX_ANSWER_BYTES).

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::answer::{Answer, AnswerError, AnswerReader};
use super::endpoint::{Endpoint, ScanError};
use crate::model::proxy::ResolvedProxy;

/// How long a server may take to answer a hello.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(8);

/// Opens a TCP connection to the endpoint within `connect`, through the run's proxy where
/// its plan says (a `CONNECT` tunnel carries the hello as a direct connection would).
pub async fn connect(
    ep: &Endpoint,
    proxy: &ResolvedProxy,
    connect: Duration,
) -> Result<TcpStream, ScanError> {
    crate::http::proxy::connect(proxy, &ep.url_host(), ep.port, connect)
        .await
        .map_err(|e| ScanError::Connect(ep.to_string(), e.to_string()))
}

/// Sends `hello` and reads the answer; an SSL 2.0 hello may get an SSL 2.0 answer.
pub async fn exchange(
    ep: &Endpoint,
    proxy: &ResolvedProxy,
    connect_timeout: Duration,
    hello: &[u8],
    sslv2: bool,
) -> Result<Answer, ScanError> {
    let mut stream = connect(ep, proxy, connect_timeout).await?;
    if let Err(e) = stream.write_all(hello).await {
        return Ok(Answer::Closed {
            how: format!("hello not sent: {e}"),
        });
    }
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut reader = AnswerReader::new(sslv2);
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let read = tokio::time::timeout(left, stream.read(&mut chunk)).await;
        let n = match read {
            Err(_) => return Ok(reader.end(None)),
            Ok(Ok(0)) => return Ok(reader.end(Some("connection closed".into()))),
            Ok(Ok(n)) => n,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(reader.end(Some("connection reset".into())));
            }
            Ok(Err(e)) => return Ok(reader.end(Some(e.to_string()))),
        };
        match reader.push(&chunk[..n]) {
            Ok(Some(answer)) => return Ok(answer),
            Ok(None) => {}
            Err(e @ (AnswerError::Malformed(_) | AnswerError::TooLong)) => {
                return Err(ScanError::Protocol(ep.to_string(), e.to_string()));
            }
        }
    }
}
