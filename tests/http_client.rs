//! The HTTP layer against a server that drops connections: idempotent requests are retried
//! after a connection error, others are not, and the error says so; each request sent is
//! recorded once, under the tag it was sent with, with the attempts it took.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vvcheck::http::{HttpClient, HttpOptions, OutBody, Outgoing, RequestTag};

/// Every odd-numbered connection is closed as soon as the request arrives; even ones get 200.
async fn dropping_server(count: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                if n.is_multiple_of(2) {
                    drop(s);
                } else {
                    let _ = s
                        .write_all(
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                        )
                        .await;
                }
            });
        }
    });
    format!("http://{addr}")
}

const TAG: RequestTag<'static> = RequestTag {
    actor: "anonymous",
    purpose: "dropper",
};

fn request(base: &str, method: reqwest::Method) -> Outgoing {
    Outgoing {
        method,
        url: url::Url::parse(&format!("{base}/x")).unwrap(),
        headers: Vec::new(),
        body: OutBody::None,
        follow_redirects: false,
    }
}

#[tokio::test]
async fn idempotent_requests_are_retried_after_a_dropped_connection_and_others_are_not() {
    let count = Arc::new(AtomicUsize::new(0));
    let base = dropping_server(Arc::clone(&count)).await;
    let dir = tempfile::tempdir().unwrap();
    let t = common::target_from_yaml(
        &format!("name: dropper\nbase_url: {base}\nactors: {{}}\noperations: {{}}\n"),
        dir.path(),
    );

    let http = HttpClient::new(
        &t,
        &HttpOptions {
            insecure: false,
            retries: 1,
            rate: None,
            ..Default::default()
        },
    )
    .unwrap();
    let sent = http.send(&request(&base, reqwest::Method::GET), TAG).await;
    assert_eq!(sent.exchange.purpose, "dropper");
    assert_eq!(sent.exchange.status, Some(200));
    assert_eq!(
        sent.exchange.attempts.len(),
        1,
        "the dropped attempt is recorded with the exchange"
    );
    assert!(
        !sent.exchange.attempts[0].error.is_empty(),
        "{:?}",
        sent.exchange.attempts
    );
    let ok = sent.outcome.expect("GET succeeds on the retry");
    assert_eq!(ok.status, 200);
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "one dropped connection, one retry"
    );

    let sent = http.send(&request(&base, reqwest::Method::POST), TAG).await;
    let err = sent.outcome.expect_err("POST is not retried");
    assert_eq!(sent.exchange.status, None);
    assert_eq!(sent.exchange.error.as_deref(), Some(err.message.as_str()));
    assert!(sent.exchange.attempts.is_empty(), "nothing was retried");
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "no second attempt for POST"
    );
    assert!(!err.message.contains("retried"), "{}", err.message);

    let no_retries = HttpClient::new(
        &t,
        &HttpOptions {
            insecure: false,
            retries: 0,
            rate: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        no_retries
            .send(&request(&base, reqwest::Method::GET), TAG)
            .await
            .outcome
            .is_ok(),
        "connection 4 answers"
    );
    let err = no_retries
        .send(&request(&base, reqwest::Method::GET), TAG)
        .await
        .outcome
        .expect_err("--retries 0: no second attempt");
    assert_eq!(count.load(Ordering::SeqCst), 5);
    assert!(!err.message.is_empty());
}
