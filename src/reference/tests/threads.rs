//! The `threads` dialect end to end: threads and cursor-paginated posts, read receipts,
//! attachments, archiving, access rules, audit events and the sandbox outbox.

use reqwest::{Client, StatusCode, multipart};
use serde_json::{Value, json};

use super::*;

/// Signs `actor` in with the password grant of the API client; returns the bearer token.
pub(super) async fn token(server: &ReferenceServer, c: &Client, actor: &str) -> String {
    let (username, password) = password(server, actor);
    let form = [
        ("grant_type", "password"),
        ("username", &username),
        ("password", &password),
        ("client_id", "vvcheck-threads"),
    ];
    let resp = c
        .post(url(server, "/v2/oauth/token"))
        .form(&form)
        .send()
        .await
        .expect("token response");
    let body = expect_json(resp, StatusCode::OK).await;
    assert_eq!(
        (&body["token_type"], &body["expires_in"], &body["scope"]),
        (&json!("Bearer"), &json!(900), &json!("threads"))
    );
    body["access_token"].as_str().expect("token").to_owned()
}

/// A GET with an optional bearer token.
pub(super) async fn get(
    server: &ReferenceServer,
    c: &Client,
    path: &str,
    tok: Option<&str>,
) -> reqwest::Response {
    let req = c.get(url(server, path));
    let req = match tok {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send().await.expect("response")
}

/// Patient A starts a thread with the clinician; returns (tid, pid of the first post).
pub(super) async fn start_thread(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    text: &str,
) -> (String, String) {
    let resp = c
        .post(url(server, "/v2/threads"))
        .bearer_auth(tok)
        .json(&json!({"to": CL, "title": "Blood pressure", "text": text}))
        .send()
        .await
        .expect("start");
    let location = header(&resp, "location").to_owned();
    let body = expect_json(resp, StatusCode::CREATED).await;
    let tid = body["thread"]["tid"].as_str().expect("tid").to_owned();
    assert_eq!(location, format!("/v2/threads/{tid}"));
    let pid = body["first_post"]["pid"].as_str().expect("pid").to_owned();
    (tid, pid)
}

/// Posts the JSON `body` (`text`, optional `attachments`) into thread `tid`; returns its pid.
pub(super) async fn reply(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    tid: &str,
    body: Value,
) -> String {
    let resp = c
        .post(url(server, &format!("/v2/threads/{tid}/posts")))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .expect("reply");
    let post = expect_json(resp, StatusCode::CREATED).await;
    post["pid"].as_str().expect("pid").to_owned()
}

/// Uploads `bytes` as a PNG under the `blob` part; returns the attachment id.
pub(super) async fn upload(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    bytes: Vec<u8>,
) -> String {
    let part = multipart::Part::bytes(bytes)
        .file_name("bp-log.png")
        .mime_str("image/png")
        .expect("mime");
    let resp = c
        .post(url(server, "/v2/attachments"))
        .bearer_auth(tok)
        .multipart(multipart::Form::new().part("blob", part))
        .send()
        .await
        .expect("upload");
    let body = expect_json(resp, StatusCode::CREATED).await;
    assert_eq!(body["content_type"], "image/png");
    body["aid"].as_str().expect("aid").to_owned()
}

/// Whether `id` is `prefix` + `_` + 12 lower-case base32 characters.
fn has_shape(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|tail| {
            tail.len() == 12
                && tail
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        })
}

#[tokio::test]
async fn reference_threads_round_trip() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let me = expect_json(get(&server, &c, "/v2/me", Some(&pa)).await, StatusCode::OK).await;
    assert_eq!(
        me,
        json!({"uid": PA, "name": "Zoë Tremblay", "role": "patient",
               "email": "zoe.tremblay@patients.reference.test"})
    );

    let text = "Ma tension est à 150/95 — 心配 🙂";
    let (tid, pid) = start_thread(&server, &c, &pa, text).await;
    assert!(
        has_shape(&tid, "thr") && has_shape(&pid, "pst"),
        "{tid} {pid}"
    );
    let thread = expect_json(
        get(&server, &c, &format!("/v2/threads/{tid}"), Some(&cl)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (&thread["tid"], &thread["title"], &thread["status"]),
        (&json!(tid), &json!("Blood pressure"), &json!("open"))
    );
    assert_eq!(
        thread["members"],
        json!([
            {"uid": PA, "name": "Zoë Tremblay", "role": "patient"},
            {"uid": CL, "name": "Dr. Amrit Singh", "role": "clinician"},
        ])
    );
    assert!(thread.get("posts").is_none(), "metadata only: {thread}");

    // The clinician answers with an attachment; the patient reads the posts and downloads it.
    let bytes = sample_bytes();
    let aid = upload(&server, &c, &cl, bytes.clone()).await;
    assert!(has_shape(&aid, "att"), "{aid}");
    let rpid = reply(
        &server,
        &c,
        &cl,
        &tid,
        json!({"text": "Log attached.", "attachments": [aid]}),
    )
    .await;
    let page = expect_json(
        get(&server, &c, &format!("/v2/threads/{tid}/posts"), Some(&pa)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["has_more"], false);
    let posts = page["posts"].as_array().expect("posts");
    assert_eq!(
        (&posts[0]["pid"], &posts[0]["text"], &posts[0]["author"]),
        (
            &json!(pid),
            &json!(text),
            &json!({"uid": PA, "name": "Zoë Tremblay"})
        )
    );
    assert_eq!(posts[0]["seen_by"], json!([]));
    assert!(posts[0]["posted_at"].as_str() < posts[1]["posted_at"].as_str());
    assert_eq!(
        posts[1]["attachments"][0],
        json!({"aid": aid, "filename": "bp-log.png", "content_type": "image/png", "size": bytes.len()})
    );
    let dl = get(
        &server,
        &c,
        &format!("/v2/attachments/{aid}/content"),
        Some(&pa),
    )
    .await;
    assert_eq!(dl.status(), StatusCode::OK);
    assert_eq!(header(&dl, "content-type"), "image/png");
    assert!(header(&dl, "content-disposition").starts_with("attachment; filename=\"bp-log.png\""));
    assert_eq!(dl.bytes().await.expect("bytes").to_vec(), bytes);
    // There is no single-post route: a post is read through its thread's list.
    let single = get(
        &server,
        &c,
        &format!("/v2/threads/{tid}/posts/{pid}"),
        Some(&pa),
    )
    .await;
    assert_eq!(single.status(), StatusCode::NOT_FOUND);

    // Receipts: the author may not mark their own post; the recipient may, and is listed.
    let receipt = |tok: String, post: String| {
        let to = url(&server, &format!("/v2/threads/{tid}/posts/{post}/receipt"));
        let c = c.clone();
        async move {
            c.put(to)
                .bearer_auth(tok)
                .send()
                .await
                .expect("receipt")
                .status()
        }
    };
    assert_eq!(
        receipt(cl.clone(), rpid.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        receipt(pa.clone(), rpid.clone()).await,
        StatusCode::NO_CONTENT
    );
    let page = expect_json(
        get(&server, &c, &format!("/v2/threads/{tid}/posts"), Some(&cl)).await,
        StatusCode::OK,
    )
    .await;
    let seen = &page["posts"][1]["seen_by"];
    assert_eq!(
        (seen[0]["user"].as_str(), seen.as_array().map(Vec::len)),
        (Some(PA), Some(1))
    );
    let at = seen[0]["at"].as_str().expect("at");
    assert!(
        time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_ok(),
        "{at}"
    );

    // Archiving: only to `archived`, only by the clinician; an archived thread takes no posts.
    let patch = |tok: String, body: Value| {
        let to = url(&server, &format!("/v2/threads/{tid}"));
        let c = c.clone();
        async move {
            c.patch(to)
                .bearer_auth(tok)
                .json(&body)
                .send()
                .await
                .expect("patch")
        }
    };
    let reopen = patch(cl.clone(), json!({"status": "open"})).await;
    assert_eq!(reopen.status(), StatusCode::BAD_REQUEST);
    let by_patient = patch(pa.clone(), json!({"status": "archived"})).await;
    assert_eq!(by_patient.status(), StatusCode::FORBIDDEN);
    let archived = patch(cl.clone(), json!({"status": "archived"})).await;
    assert_eq!(
        expect_json(archived, StatusCode::OK).await,
        json!({"tid": tid, "status": "archived"})
    );
    let late = c
        .post(url(&server, &format!("/v2/threads/{tid}/posts")))
        .bearer_auth(&pa)
        .json(&json!({"text": "one more"}))
        .send()
        .await
        .expect("late");
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let list = expect_json(
        get(&server, &c, "/v2/threads", Some(&pa)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["items"][0]["status"], "archived");
}

#[tokio::test]
async fn reference_threads_refuses_other_users_and_anonymous_callers() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let (tid, _) = start_thread(&server, &c, &pa, "Only for my doctor").await;
    let aid = upload(&server, &c, &pa, sample_bytes()).await;
    reply(
        &server,
        &c,
        &pa,
        &tid,
        json!({"text": "scan", "attachments": [aid]}),
    )
    .await;
    for path in [
        format!("/v2/threads/{tid}"),
        format!("/v2/threads/{tid}/posts"),
        format!("/v2/attachments/{aid}/content"),
    ] {
        let by_pb = get(&server, &c, &path, Some(&pb)).await;
        assert_eq!(by_pb.status(), StatusCode::NOT_FOUND, "{path}");
        let anon = get(&server, &c, &path, None).await;
        assert_eq!(
            expect_json(anon, StatusCode::UNAUTHORIZED).await,
            json!({"error": "unauthorized"}),
            "{path}"
        );
    }
    let list = expect_json(
        get(&server, &c, "/v2/threads", Some(&pb)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list, json!({"items": [], "has_more": false}));
    let anon_list = get(&server, &c, "/v2/threads", None).await;
    assert_eq!(anon_list.status(), StatusCode::UNAUTHORIZED);
    let intrude = c
        .post(url(&server, &format!("/v2/threads/{tid}/posts")))
        .bearer_auth(&pb)
        .json(&json!({"text": "hello"}))
        .send()
        .await
        .expect("intrude");
    assert_eq!(intrude.status(), StatusCode::NOT_FOUND);
    let to_patient = c
        .post(url(&server, "/v2/threads"))
        .bearer_auth(&pb)
        .json(&json!({"to": PA, "title": "hi", "text": "hi"}))
        .send()
        .await
        .expect("pb to pa");
    assert_eq!(to_patient.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reference_threads_audit_events_and_sandbox_outbox() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let (tid, pid) = start_thread(&server, &c, &pa, "My secret symptom").await;
    get(&server, &c, &format!("/v2/threads/{tid}/posts"), Some(&cl)).await;

    let path = format!("/v2/audit-events?subject={PA}&limit=50");
    let audit = expect_json(get(&server, &c, &path, Some(&cl)).await, StatusCode::OK).await;
    let events = audit["items"].as_array().expect("items");
    assert!(
        events.iter().any(|e| e["actor"] == CL
            && e["action"] == "message.read"
            && e["resource"] == pid.as_str()
            && e["eid"].as_str().is_some_and(|id| has_shape(id, "evt"))),
        "{audit}"
    );
    let denied = get(&server, &c, &path, Some(&pa)).await;
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    let first = expect_json(
        get(
            &server,
            &c,
            &format!("/v2/audit-events?subject={PA}&limit=1"),
            Some(&cl),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (first["items"].as_array().map(Vec::len), &first["has_more"]),
        (Some(1), &json!(true))
    );

    let outbox = format!("/v2/sandbox/notifications?recipient={CL}");
    for tok in [None, Some(pa.as_str()), Some(server.outbox_token.as_str())] {
        let resp = get(&server, &c, &outbox, tok).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "vvcheck-sandbox"),
        ("client_secret", server.outbox_token.as_str()),
    ];
    let resp = c
        .post(url(&server, "/v2/oauth/token"))
        .form(&form)
        .send()
        .await
        .expect("sandbox token");
    let service = expect_json(resp, StatusCode::OK).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let notes = expect_json(
        get(&server, &c, &outbox, Some(&service)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(notes["has_more"], false);
    let item = &notes["items"][0];
    assert_eq!(
        (&item["channel"], &item["address"], &item["subject"]),
        (
            &json!("email"),
            &json!("amrit.singh@clinic.reference.test"),
            &json!("New secure message")
        )
    );
    assert!(
        item["nid"].as_str().is_some_and(|id| has_shape(id, "ntf")),
        "{item}"
    );
    let body = item["body"].as_str().expect("body");
    assert!(body.contains(&server.base_url), "{body}");
    for secret in CANARIES.iter().chain(&["secret symptom", "Blood pressure"]) {
        assert!(!body.contains(secret), "{body}");
    }
}
