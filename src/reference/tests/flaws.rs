//! Each flaw visibly changes the behaviour it names, and only that.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use super::forms::sign_in;
use super::rest::{start_conversation, token, upload};
use super::*;

#[tokio::test]
async fn reference_flaw_idor_message_lets_any_user_read() {
    let server = start(Dialect::Rest, &[Flaw::IdorMessage]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "only for my doctor").await;
    let resp = c
        .get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}"),
        ))
        .bearer_auth(&pb)
        .send()
        .await
        .expect("get");
    assert_eq!(
        expect_json(resp, StatusCode::OK).await["body"],
        "only for my doctor"
    );
    // Writes still check participation, and anonymous callers are still refused.
    let reply = c
        .post(url(&server, &format!("/api/conversations/{cid}/messages")))
        .bearer_auth(&pb)
        .json(&serde_json::json!({"body": "x"}))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    let anon = c
        .get(url(&server, &format!("/api/conversations/{cid}")))
        .send()
        .await
        .expect("anon");
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reference_flaw_idor_conversation_lets_any_user_write() {
    let server = start(Dialect::Rest, &[Flaw::IdorConversation]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "only for my doctor").await;
    let reply = c
        .post(url(&server, &format!("/api/conversations/{cid}/messages")))
        .bearer_auth(&pb)
        .json(&serde_json::json!({"body": "intruding"}))
        .send()
        .await
        .expect("reply");
    assert_eq!(reply.status(), StatusCode::CREATED);
    let read = c
        .post(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}/read"),
        ))
        .bearer_auth(&pb)
        .send()
        .await
        .expect("mark read");
    assert!(read.status().is_success(), "{}", read.status());
    // Reads still check participation.
    let get = c
        .get(url(&server, &format!("/api/conversations/{cid}")))
        .bearer_auth(&pb)
        .send()
        .await
        .expect("get");
    assert_eq!(get.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reference_flaw_no_audit_leaves_the_log_empty() {
    let server = start(Dialect::Rest, &[Flaw::NoAudit]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "My secret symptom").await;
    let read = c
        .get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}"),
        ))
        .bearer_auth(&cl)
        .send()
        .await
        .expect("read");
    assert_eq!(read.status(), StatusCode::OK);
    let audit = expect_json(
        c.get(url(&server, &format!("/api/audit?subject={PA}")))
            .bearer_auth(&cl)
            .send()
            .await
            .expect("audit"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(audit["events"], serde_json::json!([]), "{audit}");
}

#[tokio::test]
async fn reference_flaw_idor_attachment_and_unauth_attachment() {
    for flaw in [Flaw::IdorAttachment, Flaw::UnauthAttachment] {
        let server = start(Dialect::Rest, &[flaw]).await;
        let c = client(&server, false);
        let (pa, pb) = (
            token(&server, &c, "patient_a").await,
            token(&server, &c, "patient_b").await,
        );
        let aid = upload(&server, &c, &pa, sample_bytes()).await;
        let att = url(&server, &format!("/api/attachments/{aid}"));
        let by_pb = c
            .get(&att)
            .bearer_auth(&pb)
            .send()
            .await
            .expect("pb")
            .status();
        let anon = c.get(&att).send().await.expect("anon").status();
        match flaw {
            Flaw::IdorAttachment => {
                assert_eq!((by_pb, anon), (StatusCode::OK, StatusCode::UNAUTHORIZED))
            }
            _ => assert_eq!((by_pb, anon), (StatusCode::NOT_FOUND, StatusCode::OK)),
        }
    }
}

#[tokio::test]
async fn reference_flaw_no_hsts_and_http_no_redirect() {
    let server = start(Dialect::Rest, &[Flaw::NoHsts]).await;
    let resp = client(&server, false)
        .get(url(&server, "/"))
        .send()
        .await
        .expect("get");
    assert!(resp.headers().get("strict-transport-security").is_none());
    assert_eq!(header(&resp, "x-frame-options"), "DENY");

    let server = start(Dialect::Forms, &[Flaw::HttpNoRedirect]).await;
    let c = client(&server, false);
    let page = c
        .get(format!("{}/", server.http_url))
        .send()
        .await
        .expect("http page");
    assert_eq!(page.status(), StatusCode::OK);
    let api = c
        .get(format!("{}/whoami", server.http_url))
        .send()
        .await
        .expect("http api");
    assert_eq!(
        api.status(),
        StatusCode::UNAUTHORIZED,
        "the API itself answers over plain HTTP"
    );
}

#[tokio::test]
async fn reference_flaw_weak_cookie() {
    let server = start(Dialect::Rest, &[Flaw::WeakCookie]).await;
    let c = client(&server, true);
    let csrf = super::sessions::login_form(&server, &c, "/login", "csrf_token").await;
    let (username, pw) = password(&server, "patient_a");
    let form = [
        ("username", username),
        ("password", pw),
        ("csrf_token", csrf),
    ];
    let resp = c
        .post(url(&server, "/login"))
        .form(&form)
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vv_session="))
        .expect("cookie")
        .to_owned();
    for attr in ["Secure", "HttpOnly", "SameSite"] {
        assert!(!cookie.contains(attr), "{cookie}");
    }
}

#[tokio::test]
async fn reference_flaw_cacheable_phi() {
    let server = start(Dialect::Forms, &[Flaw::CacheablePhi]).await;
    let s = sign_in(&server, "patient_a").await;
    let who = s
        .client
        .get(url(&server, "/whoami"))
        .send()
        .await
        .expect("whoami");
    assert_eq!(header(&who, "cache-control"), "public, max-age=3600");
    let entry = s
        .client
        .get(url(&server, "/legal/terms"))
        .send()
        .await
        .expect("terms");
    assert_eq!(header(&entry, "cache-control"), "no-store");
}

#[tokio::test]
async fn reference_flaw_attachment_corrupt() {
    let server = start(Dialect::Rest, &[Flaw::AttachmentCorrupt]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let bytes = sample_bytes();
    let aid = upload(&server, &c, &pa, bytes.clone()).await;
    let got = c
        .get(url(&server, &format!("/api/attachments/{aid}")))
        .bearer_auth(&pa)
        .send()
        .await
        .expect("dl");
    let got = got.bytes().await.expect("bytes");
    assert_eq!(got.len(), bytes.len());
    assert_ne!(got.to_vec(), bytes);
}

#[tokio::test]
async fn reference_flaw_slow_adds_latency() {
    let server = start(Dialect::Rest, &[Flaw::Slow]).await;
    let c = client(&server, false);
    let begun = Instant::now();
    c.get(url(&server, "/privacy")).send().await.expect("get");
    assert!(begun.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn reference_flaw_flaky_fails_some_message_requests() {
    let server = start(Dialect::Rest, &[Flaw::Flaky]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (mut ok, mut unavailable, mut aborted) = (0, 0, 0);
    for _ in 0..10 {
        match c
            .get(url(&server, "/api/conversations"))
            .bearer_auth(&pa)
            .send()
            .await
        {
            Ok(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => unavailable += 1,
            Ok(r) => match r.bytes().await {
                Ok(_) => ok += 1,
                Err(_) => aborted += 1,
            },
            Err(_) => aborted += 1,
        }
    }
    assert_eq!((ok, unavailable, aborted), (8, 1, 1));
    // Sign-in and pages are never flaky.
    for _ in 0..10 {
        assert_eq!(
            c.get(url(&server, "/api/me"))
                .bearer_auth(&pa)
                .send()
                .await
                .expect("me")
                .status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn reference_flaw_unauth_message_serves_reads_without_a_session() {
    let server = start(Dialect::Rest, &[Flaw::UnauthMessage]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, mid) = start_conversation(&server, &c, &pa, "read me without a session").await;
    let path = format!("/api/conversations/{cid}/messages/{mid}");
    let anonymous = c.get(url(&server, &path)).send().await.expect("get");
    assert_eq!(
        expect_json(anonymous, StatusCode::OK).await["body"],
        "read me without a session"
    );
    // Only message reads: attachments and writes still need a session.
    let write = c
        .post(url(&server, &format!("/api/conversations/{cid}/messages")))
        .json(&serde_json::json!({"body": "x"}))
        .send()
        .await
        .expect("post");
    assert_eq!(write.status(), StatusCode::UNAUTHORIZED);
    let list = c
        .get(url(&server, "/api/conversations"))
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reference_flaw_mangled_text_drops_non_ascii() {
    let server = start(Dialect::Rest, &[Flaw::MangledText]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, mid) = start_conversation(&server, &c, &pa, "Bonjour, ça va? ✓").await;
    let resp = c
        .get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}"),
        ))
        .bearer_auth(&pa)
        .send()
        .await
        .expect("get");
    assert_eq!(
        expect_json(resp, StatusCode::OK).await["body"],
        "Bonjour, a va? "
    );
}

/// Patient A's message `mid` of conversation `cid`, as `tok` reads it.
async fn rest_message(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    cid: &str,
    mid: &str,
) -> Value {
    let resp = c
        .get(url(
            server,
            &format!("/api/conversations/{cid}/messages/{mid}"),
        ))
        .bearer_auth(tok)
        .send()
        .await
        .expect("get");
    expect_json(resp, StatusCode::OK).await
}

#[tokio::test]
async fn reference_flaw_unicode_mangle_folds_to_latin_1() {
    let server = start(Dialect::Rest, &[Flaw::UnicodeMangle]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, mid) = start_conversation(&server, &c, &pa, "Bonjour, ça va? ✓ cœur ᐃᓄᒃ").await;
    let m = rest_message(&server, &c, &pa, &cid, &mid).await;
    assert_eq!(m["body"], "Bonjour, ça va? ? c?ur ???");
}

#[tokio::test]
async fn reference_flaw_no_read_receipt_never_shows_read() {
    let server = start(Dialect::Rest, &[Flaw::NoReadReceipt]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let cl = token(&server, &c, "clinician").await;
    let (cid, mid) = start_conversation(&server, &c, &pa, "read me").await;
    let marked = c
        .post(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}/read"),
        ))
        .bearer_auth(&cl)
        .send()
        .await
        .expect("mark read");
    assert!(marked.status().is_success(), "{}", marked.status());
    let m = rest_message(&server, &c, &pa, &cid, &mid).await;
    assert_eq!(
        (&m["read"], &m["read_at"]),
        (&Value::Bool(false), &Value::Null)
    );
}

#[tokio::test]
async fn reference_flaw_close_ignored_keeps_accepting_replies() {
    let server = start(Dialect::Rest, &[Flaw::CloseIgnored]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let cl = token(&server, &c, "clinician").await;
    let (cid, _) = start_conversation(&server, &c, &pa, "close me").await;
    let closed = c
        .post(url(&server, &format!("/api/conversations/{cid}/close")))
        .bearer_auth(&cl)
        .send()
        .await
        .expect("close");
    assert!(closed.status().is_success(), "{}", closed.status());
    for tok in [&pa, &cl] {
        let reply = c
            .post(url(&server, &format!("/api/conversations/{cid}/messages")))
            .bearer_auth(tok)
            .json(&serde_json::json!({"body": "still open"}))
            .send()
            .await
            .expect("reply");
        assert_eq!(reply.status(), StatusCode::CREATED);
    }
}

#[tokio::test]
async fn reference_flaw_thread_order_lists_newest_first() {
    let server = start(Dialect::Rest, &[Flaw::ThreadOrder]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, first) = start_conversation(&server, &c, &pa, "first").await;
    let reply = c
        .post(url(&server, &format!("/api/conversations/{cid}/messages")))
        .bearer_auth(&pa)
        .json(&serde_json::json!({"body": "second"}))
        .send()
        .await
        .expect("reply");
    let second = expect_json(reply, StatusCode::CREATED).await["id"].clone();
    let list = c
        .get(url(&server, &format!("/api/conversations/{cid}/messages")))
        .bearer_auth(&pa)
        .send()
        .await
        .expect("list");
    let ids: Vec<Value> = expect_json(list, StatusCode::OK).await["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(ids, vec![second, Value::String(first)]);
}

#[tokio::test]
async fn reference_flaws_on_message_reads_govern_get_conversation_too() {
    for flaw in [Flaw::IdorMessage, Flaw::UnauthMessage] {
        let server = start(Dialect::Rest, &[flaw]).await;
        let c = client(&server, false);
        let (pa, pb) = (
            token(&server, &c, "patient_a").await,
            token(&server, &c, "patient_b").await,
        );
        let (cid, _) = start_conversation(&server, &c, &pa, "conversation metadata").await;
        let conv_url = url(&server, &format!("/api/conversations/{cid}"));
        let by_pb = c.get(&conv_url).bearer_auth(&pb).send().await.expect("pb");
        let anon = c.get(&conv_url).send().await.expect("anon");
        let got = (by_pb.status(), anon.status());
        match flaw {
            Flaw::IdorMessage => assert_eq!(got, (StatusCode::OK, StatusCode::UNAUTHORIZED)),
            _ => {
                assert_eq!(got, (StatusCode::NOT_FOUND, StatusCode::OK));
                assert_eq!(json(anon).await["id"], cid.as_str());
            }
        }
    }
}
