//! `--rate N` is honoured where the vendor sees it: a stand-in records when each request
//! arrives, and a raw listener when each TLS probe connection does; no second holds more than
//! N of them (one more at a window's edge), however many checks run at once.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::get;
use common::vendor::{SuiteRun, serve};

type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// The most arrivals within any one second.
fn busiest_second(arrivals: &[Instant]) -> usize {
    let mut sorted = arrivals.to_vec();
    sorted.sort();
    (0..sorted.len())
        .map(|i| {
            sorted[i..]
                .iter()
                .take_while(|t| t.duration_since(sorted[i]) < Duration::from_secs(1))
                .count()
        })
        .max()
        .unwrap_or(0)
}

const CHECKS: usize = 20;

/// `CHECKS` independent checks of one request each: at `--concurrency 16` they would all go out
/// at once without a rate.
fn many_checks() -> String {
    (0..CHECKS)
        .map(|i| {
            format!(
                "- id: fun.read-{i}\n  title: A patient reads message {i}\n  requirements: [FUN-01]\n  steps:\n    \
                 - call: get_message\n      as: patient_a\n      with: {{ conversation_id: c1, message_id: m{i} }}\n      \
                 expect: {{ status: 200 }}\n"
            )
        })
        .collect()
}

fn profile(base: &str) -> String {
    format!(
        "name: stand-in\nbase_url: {base}\n\
         auth: {{ tok: {{ kind: bearer }} }}\n\
         actors: {{ patient_a: {{ auth: tok, token: {{ env: RATE_TEST_TOKEN }} }} }}\n\
         operations:\n  get_message:\n    path: /m/{{{{conversation_id}}}}/{{{{message_id}}}}\n    \
         outputs: {{ body: $.body, author: $.author, created_at: $.at, read: $.read }}\n"
    )
}

async fn message(State(arrivals): State<Arrivals>) -> axum::Json<serde_json::Value> {
    if let Ok(mut a) = arrivals.lock() {
        a.push(Instant::now());
    }
    axum::Json(serde_json::json!({
        "body": "hi", "author": "u-1", "at": "2026-01-01T09:30:00Z", "read": false
    }))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_never_exceed_the_rate() {
    let arrivals = Arrivals::default();
    let app = axum::Router::new()
        .route("/m/{c}/{m}", get(message))
        .with_state(Arc::clone(&arrivals));
    let base = serve(app).await;
    let run = SuiteRun::new(&profile(&base), &many_checks());
    let out = run
        .command(&["--rate", "5", "--concurrency", "16"])
        .env("RATE_TEST_TOKEN", "stand-in-token-0123456789")
        .run_async()
        .await;
    assert_eq!(out.code, Some(0), "{}\n{}", out.stdout, out.stderr);
    let seen = arrivals.lock().expect("arrivals").clone();
    assert_eq!(seen.len(), CHECKS, "every check sent its one request");
    let busiest = busiest_second(&seen);
    assert!(
        busiest <= 6,
        "--rate 5 let {busiest} requests arrive within one second"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_probe_handshakes_keep_to_the_rate_too() {
    // Accepts every connection, notes when, and closes it: each handshake of the scan fails
    // fast, so only the rate spaces them.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let arrivals = Arrivals::default();
    let noted = Arc::clone(&arrivals);
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            if let Ok(mut a) = noted.lock() {
                a.push(Instant::now());
            }
            drop(s);
        }
    });
    let suite = "- id: sec.tls.protocols\n  title: TLS versions\n  requirements: [SEC-01]\n  steps:\n    \
                 - probe: tls\n      with: { aspect: protocols }\n";
    let profile = format!(
        "name: stand-in\nbase_url: https://127.0.0.1:{port}\nauth: {{}}\nactors: {{}}\noperations: {{}}\n"
    );
    let run = SuiteRun::new(&profile, suite);
    let out = run.command(&["--rate", "4"]).run_async().await;
    assert!(
        matches!(out.code, Some(0..=1)),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    let seen = arrivals.lock().expect("arrivals").clone();
    assert!(
        seen.len() >= 6,
        "the scan tried every version: {} connections",
        seen.len()
    );
    let busiest = busiest_second(&seen);
    assert!(
        busiest <= 5,
        "--rate 4 let {busiest} TLS probe connections arrive within one second"
    );
}
