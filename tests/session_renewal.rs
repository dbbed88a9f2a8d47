//! Shared sessions with short lifetimes: a token whose `expires_in` is nearly spent is renewed
//! before it is handed out again, the renewal is evidence, and the renewed session works; the old
//! one, left alone, would have been refused by then.

use std::collections::BTreeSet;
use std::time::Duration;

use vvcheck::engine::sessions::SharedSessions;
use vvcheck::http::{HttpClient, HttpOptions, Outgoing, RequestTag};
use vvcheck::model::inputs::{self, InputPaths};
use vvcheck::probes::registry::Registry;
use vvcheck::reference::{Dialect, ReferenceConfig, ReferenceServer, profile};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_about_to_expire_is_renewed_before_it_is_handed_out() {
    // The reference server's tokens last as long as its idle timeout, and say so in expires_in.
    let idle = Duration::from_secs(2);
    let server = ReferenceServer::start(ReferenceConfig {
        dialect: Dialect::Rest,
        idle_timeout: idle,
        ..ReferenceConfig::default()
    })
    .await
    .expect("reference server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("target.yaml");
    profile::write(&server, &path, None, idle.as_secs(), None).expect("profile written");
    let loaded = inputs::load(
        &InputPaths {
            target: Some(path),
            ..Default::default()
        },
        &Registry,
    )
    .expect("the profile loads");
    let target = loaded.resolved.expect("a resolved target");
    let http = HttpClient::new(&target, &HttpOptions::default()).expect("client");
    let actors: BTreeSet<String> = ["patient_a".to_string()].into();
    let sessions = SharedSessions::login_all(&http, &target, &actors).await;

    let first = sessions
        .get(&http, &target, "patient_a")
        .await
        .expect("patient_a was logged in")
        .expect("the session is live");
    assert!(first.renewed.is_none(), "fresh: handed out as is");
    assert_eq!(first.session.expires_in, Some(idle), "expires_in was read");

    // Past the renewal point (a fifth of the lifetime, at least 1 s, before it ends) and past
    // the server's idle timeout, so the old token no longer works.
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let second = sessions
        .get(&http, &target, "patient_a")
        .await
        .expect("patient_a was logged in")
        .expect("renewed");
    let renewal = second.renewed.as_ref().expect("a renewal was due");
    assert!(
        renewal.note.starts_with(
            "the shared session of patient_a was renewed by signing in again: its token was"
        ) && renewal.note.contains("(expires_in)"),
        "{}",
        renewal.note
    );
    assert!(
        renewal.exchanges.iter().any(|e| e.purpose == "login"),
        "the renewal's login is evidence"
    );
    assert_ne!(first.session.auth_header, second.session.auth_header);

    let list = |s: &vvcheck::http::Session| {
        let mut req = Outgoing::get(target.url("/api/conversations").expect("url"));
        s.apply(&mut req);
        req
    };
    let tag = RequestTag {
        actor: "patient_a",
        purpose: "list_conversations",
    };
    let old = http.send(&list(&first.session), tag).await;
    let new = http.send(&list(&second.session), tag).await;
    assert_eq!(
        old.outcome.map(|r| r.status).ok(),
        Some(401),
        "the old token expired"
    );
    assert_eq!(
        new.outcome.map(|r| r.status).ok(),
        Some(200),
        "the renewed one works"
    );
    server.shutdown().await;
}
