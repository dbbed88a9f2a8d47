//! The `rest` dialect end to end: tokens, conversations, attachments, access rules, audit,
//! outbox, sessions and the browser sign-in.

use reqwest::{Client, StatusCode, multipart};
use serde_json::json;

use super::*;

/// Signs `actor` in with the password grant; returns the bearer token.
pub(super) async fn token(server: &ReferenceServer, c: &Client, actor: &str) -> String {
    let (username, password) = password(server, actor);
    let resp = c
        .post(url(server, "/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", &username),
            ("password", &password),
            ("client_id", "vvcheck-demo"),
        ])
        .send()
        .await
        .expect("token response");
    let body = expect_json(resp, StatusCode::OK).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    body["access_token"].as_str().expect("token").to_owned()
}

/// Patient A starts a conversation with the clinician; returns (conversation id, message id).
pub(super) async fn start_conversation(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    body: &str,
) -> (String, String) {
    let resp = c
        .post(url(server, "/api/conversations"))
        .bearer_auth(tok)
        .json(&json!({"recipient_id": CL, "subject": "Prescription renewal", "body": body}))
        .send()
        .await
        .expect("start");
    let conv = expect_json(resp, StatusCode::CREATED).await;
    let cid = conv["id"].as_str().expect("id").to_owned();
    let mid = conv["messages"][0]["id"]
        .as_str()
        .expect("message id")
        .to_owned();
    (cid, mid)
}

/// Uploads `bytes` as a PNG; returns the attachment id.
pub(super) async fn upload(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    bytes: Vec<u8>,
) -> String {
    let part = multipart::Part::bytes(bytes)
        .file_name("scan.png")
        .mime_str("image/png")
        .expect("mime");
    let resp = c
        .post(url(server, "/api/attachments"))
        .bearer_auth(tok)
        .multipart(multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let body = expect_json(resp, StatusCode::CREATED).await;
    body["id"].as_str().expect("attachment id").to_owned()
}

#[tokio::test]
async fn reference_rest_conversation_round_trip() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let (pa, cl, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
        token(&server, &c, "patient_b").await,
    );

    let me = expect_json(
        c.get(url(&server, "/api/me"))
            .bearer_auth(&pa)
            .send()
            .await
            .expect("me"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (me["id"].as_str(), me["hcn"].as_str(), me["dob"].as_str()),
        (Some(PA), Some("9876543217"), Some("1961-04-02"))
    );

    let text = "Bonjour, docteur — j'ai besoin d'un renouvellement. 你好 🙂";
    let (cid, mid) = start_conversation(&server, &c, &pa, text).await;
    let msg_url = url(&server, &format!("/api/conversations/{cid}/messages/{mid}"));
    let got = expect_json(
        c.get(&msg_url).bearer_auth(&cl).send().await.expect("get"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (
            got["body"].as_str(),
            got["sender"]["id"].as_str(),
            got["read"].as_bool()
        ),
        (Some(text), Some(PA), Some(false))
    );

    // Clinician replies with an attachment; patient reads the thread in order and downloads it.
    let bytes = sample_bytes();
    let aid = upload(&server, &c, &cl, bytes.clone()).await;
    let reply = c
        .post(url(&server, &format!("/api/conversations/{cid}/messages")))
        .bearer_auth(&cl)
        .json(&json!({"body": "Renewed.", "attachment_ids": [aid]}))
        .send()
        .await
        .expect("reply");
    let reply = expect_json(reply, StatusCode::CREATED).await;
    let list_url = url(&server, &format!("/api/conversations/{cid}/messages"));
    let list = expect_json(
        c.get(&list_url)
            .bearer_auth(&pa)
            .send()
            .await
            .expect("list"),
        StatusCode::OK,
    )
    .await;
    let msgs = list["messages"].as_array().expect("messages");
    assert_eq!(msgs.len(), 2);
    assert!(msgs[0]["sent_at"].as_str() < msgs[1]["sent_at"].as_str());
    assert_eq!(msgs[1]["attachments"][0]["id"].as_str(), Some(aid.as_str()));
    let dl = c
        .get(url(&server, &format!("/api/attachments/{aid}")))
        .bearer_auth(&pa)
        .send()
        .await
        .expect("download");
    assert_eq!(dl.status(), StatusCode::OK);
    assert_eq!(header(&dl, "content-type"), "image/png");
    assert!(header(&dl, "content-disposition").starts_with("attachment; filename=\"scan.png\""));
    assert_eq!(header(&dl, "cache-control"), "no-store");
    assert_eq!(dl.bytes().await.expect("bytes").to_vec(), bytes);

    // Read receipt: the recipient marks read, the sender sees it; the sender may not.
    let rid = reply["id"].as_str().expect("reply id");
    let read_url = url(
        &server,
        &format!("/api/conversations/{cid}/messages/{rid}/read"),
    );
    assert_eq!(
        c.post(&read_url)
            .bearer_auth(&cl)
            .send()
            .await
            .expect("read")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post(&read_url)
            .bearer_auth(&pa)
            .send()
            .await
            .expect("read")
            .status(),
        StatusCode::NO_CONTENT
    );
    let seen = c
        .get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{rid}"),
        ))
        .bearer_auth(&cl)
        .send()
        .await
        .expect("get");
    assert_eq!(json(seen).await["read"], true);

    // Patient B sees nothing of it; anonymous callers get 401 with no content.
    for path in [
        format!("/api/conversations/{cid}"),
        format!("/api/conversations/{cid}/messages/{mid}"),
        format!("/api/attachments/{aid}"),
    ] {
        let resp = c
            .get(url(&server, &path))
            .bearer_auth(&pb)
            .send()
            .await
            .expect("pb");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let anon = c.get(url(&server, &path)).send().await.expect("anon");
        assert_eq!(
            expect_json(anon, StatusCode::UNAUTHORIZED).await,
            json!({"error": "unauthorized"})
        );
    }
    let lists = expect_json(
        c.get(url(&server, "/api/conversations"))
            .bearer_auth(&pb)
            .send()
            .await
            .expect("pb list"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(lists["conversations"], json!([]));
    let to_pa = c
        .post(url(&server, "/api/conversations"))
        .bearer_auth(&pb)
        .json(&json!({"recipient_id": PA, "subject": "hi", "body": "hi"}))
        .send()
        .await
        .expect("pb to pa");
    assert_eq!(to_pa.status(), StatusCode::FORBIDDEN);

    // Closing: patients may not, the clinician may, and then replies are refused.
    let close_url = url(&server, &format!("/api/conversations/{cid}/close"));
    assert_eq!(
        c.post(&close_url)
            .bearer_auth(&pa)
            .send()
            .await
            .expect("close")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post(&close_url)
            .bearer_auth(&cl)
            .send()
            .await
            .expect("close")
            .status(),
        StatusCode::NO_CONTENT
    );
    let late = c
        .post(&list_url)
        .bearer_auth(&pa)
        .json(&json!({"body": "one more"}))
        .send()
        .await
        .expect("late");
    assert_eq!(late.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn reference_rest_audit_and_outbox() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "My secret symptom").await;
    c.get(url(
        &server,
        &format!("/api/conversations/{cid}/messages/{mid}"),
    ))
    .bearer_auth(&cl)
    .send()
    .await
    .expect("read");

    let audit_url = url(&server, &format!("/api/audit?subject={PA}"));
    let audit = expect_json(
        c.get(&audit_url)
            .bearer_auth(&cl)
            .send()
            .await
            .expect("audit"),
        StatusCode::OK,
    )
    .await;
    let events = audit["events"].as_array().expect("events");
    assert!(
        events.iter().any(|e| e["actor_id"] == CL
            && e["action"] == "message.read"
            && e["resource"] == mid.as_str()),
        "{audit}"
    );
    // Patient B's refused read is an access event too.
    let pb = token(&server, &c, "patient_b").await;
    let refused = c
        .get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/{mid}"),
        ))
        .bearer_auth(&pb)
        .send()
        .await
        .expect("refused read");
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let audit = expect_json(
        c.get(&audit_url)
            .bearer_auth(&cl)
            .send()
            .await
            .expect("audit"),
        StatusCode::OK,
    )
    .await;
    assert!(
        audit["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "access.denied" && e["resource"] == cid.as_str()),
        "{audit}"
    );
    assert_eq!(
        c.get(&audit_url)
            .bearer_auth(&pa)
            .send()
            .await
            .expect("audit")
            .status(),
        StatusCode::FORBIDDEN
    );

    let outbox_url = url(&server, &format!("/test/outbox?recipient={CL}"));
    assert_eq!(
        c.get(&outbox_url).send().await.expect("outbox").status(),
        StatusCode::UNAUTHORIZED
    );
    let outbox = expect_json(
        c.get(&outbox_url)
            .bearer_auth(&server.outbox_token)
            .send()
            .await
            .expect("outbox"),
        StatusCode::OK,
    )
    .await;
    let items = outbox["notifications"].as_array().expect("notifications");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["channel"], "email");
    assert_eq!(items[0]["to"], "amrit.singh@clinic.reference.test");
    let text = items[0]["text"].as_str().expect("text");
    assert!(text.contains(&server.base_url));
    for secret in CANARIES.iter().chain(&["secret symptom", "Prescription"]) {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn reference_rest_get_conversation_names_its_participants() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let (cid, _) = start_conversation(&server, &c, &pa, "who is in here").await;
    let conv_url = url(&server, &format!("/api/conversations/{cid}"));
    let conv = expect_json(
        c.get(&conv_url).bearer_auth(&pa).send().await.expect("get"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (conv["id"].as_str(), conv["subject"].as_str()),
        (Some(cid.as_str()), Some("Prescription renewal"))
    );
    assert_eq!(
        conv["participants"],
        json!([
            {"id": PA, "display_name": "Zoë Tremblay"},
            {"id": CL, "display_name": "Dr. Amrit Singh"},
        ])
    );
    let by_pb = c.get(&conv_url).bearer_auth(&pb).send().await.expect("pb");
    assert_eq!(by_pb.status(), StatusCode::NOT_FOUND);
    let anon = c.get(&conv_url).send().await.expect("anon");
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}
