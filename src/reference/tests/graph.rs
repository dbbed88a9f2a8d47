//! The `graph` dialect end to end: conversations, messages, read receipts, closing and
//! attachments through GraphQL; selections shaped with aliases; refusals as GraphQL errors on
//! HTTP 200; the test mailbox behind HTTP Basic and the audit log as CSV.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::*;

/// Patient A's and the clinician's numbers.
pub(super) const PA_N: u64 = 1001;
pub(super) const CL_N: u64 = 1004;

/// Posts a GraphQL request with an optional bearer token; returns the raw response.
pub(super) async fn post(
    server: &ReferenceServer,
    c: &Client,
    tok: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let req = c.post(url(server, "/graphql")).json(&body);
    let req = match tok {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    req.send().await.expect("graphql response")
}

/// Runs `query` with `variables`; returns the status and the JSON body.
pub(super) async fn gql(
    server: &ReferenceServer,
    c: &Client,
    tok: Option<&str>,
    query: &str,
    variables: Value,
) -> (StatusCode, Value) {
    let resp = post(
        server,
        c,
        tok,
        json!({ "query": query, "variables": variables }),
    )
    .await;
    let status = resp.status();
    (status, json(resp).await)
}

/// The `data` of a request that must succeed.
pub(super) async fn data(
    server: &ReferenceServer,
    c: &Client,
    tok: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let (status, body) = gql(server, c, tok, query, variables).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

/// The code of the one error of a request refused with HTTP 200 and `data: null`.
pub(super) async fn refused(
    server: &ReferenceServer,
    c: &Client,
    tok: Option<&str>,
    query: &str,
    variables: Value,
) -> String {
    let (status, body) = gql(server, c, tok, query, variables).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    code(&body).to_owned()
}

/// `errors[0].extensions.code`.
pub(super) fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// An access token and its refresh token.
pub(super) struct Tokens {
    pub access: String,
    pub refresh: String,
}

const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken expiresIn user { id name role email } } }";

/// Signs `actor` in; returns the whole `login` answer.
pub(super) async fn login_answer(server: &ReferenceServer, c: &Client, actor: &str) -> Value {
    let (email, password) = password(server, actor);
    let vars = json!({ "email": email, "password": password });
    data(server, c, None, LOGIN, vars).await["login"].clone()
}

/// Signs `actor` in; returns the tokens.
pub(super) async fn login(server: &ReferenceServer, c: &Client, actor: &str) -> Tokens {
    let answer = login_answer(server, c, actor).await;
    Tokens {
        access: answer["accessToken"].as_str().expect("access").to_owned(),
        refresh: answer["refreshToken"].as_str().expect("refresh").to_owned(),
    }
}

/// Signs `actor` in; returns the access token.
pub(super) async fn token(server: &ReferenceServer, c: &Client, actor: &str) -> String {
    login(server, c, actor).await.access
}

/// Starts a conversation with the clinician; returns (conversation id, message id).
pub(super) async fn start_conversation(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    body: &str,
) -> (u64, u64) {
    let d = data(
        server,
        c,
        Some(tok),
        "mutation($input: StartConversationInput!) { startConversation(input: $input) { conversation { id } message { id } } }",
        json!({ "input": { "recipientId": CL_N, "subject": "Blood pressure", "body": body } }),
    )
    .await;
    let started = &d["startConversation"];
    (
        started["conversation"]["id"].as_u64().expect("cid"),
        started["message"]["id"].as_u64().expect("mid"),
    )
}

/// Sends `body` with `attachments` into conversation `cid`; returns the message id.
pub(super) async fn send(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    cid: u64,
    body: &str,
    attachments: &[u64],
) -> u64 {
    let d = data(
        server,
        c,
        Some(tok),
        "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }",
        json!({ "input": { "conversationId": cid, "body": body, "attachmentIds": attachments } }),
    )
    .await;
    d["sendMessage"]["message"]["id"].as_u64().expect("mid")
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Declares an upload of `bytes` as `media_type`; returns (attachment id, upload URL).
pub(super) async fn create_upload(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    bytes: &[u8],
    media_type: &str,
) -> (u64, String) {
    let d = data(
        server,
        c,
        Some(tok),
        "mutation($input: CreateUploadInput!) { createUpload(input: $input) { attachmentId uploadUrl expiresAt } }",
        json!({ "input": {
            "filename": "bp-log.png", "mediaType": media_type,
            "size": bytes.len(), "sha256": sha256_hex(bytes),
        } }),
    )
    .await;
    let ticket = &d["createUpload"];
    (
        ticket["attachmentId"].as_u64().expect("attachment id"),
        ticket["uploadUrl"].as_str().expect("upload url").to_owned(),
    )
}

/// PUTs `bytes` to a signed URL as `media_type`, without credentials.
pub(super) async fn put_bytes(
    c: &Client,
    to: &str,
    bytes: Vec<u8>,
    media_type: &str,
) -> reqwest::Response {
    c.put(to)
        .header("content-type", media_type)
        .body(bytes)
        .send()
        .await
        .expect("storage answers")
}

pub(super) const COMPLETE: &str = "mutation($id: ID!) { completeUpload(attachmentId: $id) { id filename mediaType size sha256 } }";

/// Uploads `bytes` as a PNG in the three steps; returns the attachment id.
pub(super) async fn upload(server: &ReferenceServer, c: &Client, tok: &str, bytes: Vec<u8>) -> u64 {
    let (aid, to) = create_upload(server, c, tok, &bytes, "image/png").await;
    let put = put_bytes(c, &to, bytes, "image/png").await;
    assert_eq!(put.status(), StatusCode::OK);
    let d = data(server, c, Some(tok), COMPLETE, json!({ "id": aid })).await;
    assert_eq!(d["completeUpload"]["id"], aid);
    aid
}

/// The signed download URL of attachment `aid`.
pub(super) async fn download_url(
    server: &ReferenceServer,
    c: &Client,
    tok: Option<&str>,
    aid: u64,
) -> String {
    let d = data(
        server,
        c,
        tok,
        "query($id: ID!) { attachment(id: $id) { downloadUrl } }",
        json!({ "id": aid }),
    )
    .await;
    d["attachment"]["downloadUrl"]
        .as_str()
        .expect("download url")
        .to_owned()
}

const CONVERSATION: &str = "query($id: ID!) { conversation(id: $id) { id subject status participants { id name role } messages(first: 10) { edges { node { id body author { id name } createdAt read readBy { id } attachments { id filename mediaType size } } } pageInfo { hasNextPage endCursor } } } }";

#[tokio::test]
async fn reference_graph_round_trip() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, cl) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
    );
    let me = data(
        &server,
        &c,
        Some(&pa),
        "{ me { id name role email } }",
        json!({}),
    )
    .await;
    assert_eq!(
        me,
        json!({"me": {"id": PA_N, "name": "Zoë Tremblay", "role": "PATIENT",
                      "email": "zoe.tremblay@patients.reference.test"}})
    );

    let text = "Ma tension est à 150/95 — 心配 🙂";
    let (cid, first) = start_conversation(&server, &c, &pa, text).await;
    assert!(cid > 10_000 && first > cid, "{cid} {first}");
    let bytes = sample_bytes();
    let aid = upload(&server, &c, &cl, bytes.clone()).await;
    let reply = send(&server, &c, &cl, cid, "Log attached.", &[aid]).await;

    let d = data(&server, &c, Some(&pa), CONVERSATION, json!({ "id": cid })).await;
    let conv = &d["conversation"];
    assert_eq!(
        (&conv["id"], &conv["subject"], &conv["status"]),
        (&json!(cid), &json!("Blood pressure"), &json!("OPEN"))
    );
    assert_eq!(
        conv["participants"],
        json!([
            {"id": PA_N, "name": "Zoë Tremblay", "role": "PATIENT"},
            {"id": CL_N, "name": "Dr. Amrit Singh", "role": "CLINICIAN"},
        ])
    );
    let edges = conv["messages"]["edges"].as_array().expect("edges");
    let (m0, m1) = (&edges[0]["node"], &edges[1]["node"]);
    assert_eq!(
        (&m0["id"], &m0["body"], &m0["author"], &m0["read"]),
        (
            &json!(first),
            &json!(text),
            &json!({"id": PA_N, "name": "Zoë Tremblay"}),
            &json!(false)
        )
    );
    assert!(m0["createdAt"].as_str() < m1["createdAt"].as_str());
    assert_eq!(
        m1["attachments"],
        json!([{"id": aid, "filename": "bp-log.png", "mediaType": "image/png", "size": bytes.len()}])
    );
    assert_eq!(conv["messages"]["pageInfo"]["hasNextPage"], false);

    // Read receipts: the author may not mark their own message; the recipient may.
    let mark = "mutation($id: ID!) { markRead(messageId: $id) { id read } }";
    let own = refused(&server, &c, Some(&cl), mark, json!({ "id": reply })).await;
    assert_eq!(own, "FORBIDDEN");
    let marked = data(
        &server,
        &c,
        Some(&pa),
        mark,
        json!({ "id": reply.to_string() }),
    )
    .await;
    assert_eq!(marked, json!({"markRead": {"id": reply, "read": true}}));
    let message = data(
        &server,
        &c,
        Some(&cl),
        "query($id: ID!) { message(id: $id) { id body author { id name } createdAt read readBy { id } conversation { id subject } } }",
        json!({ "id": reply }),
    )
    .await["message"]
        .clone();
    assert_eq!(
        (
            &message["read"],
            &message["readBy"],
            &message["conversation"]
        ),
        (
            &json!(true),
            &json!([{"id": PA_N}]),
            &json!({"id": cid, "subject": "Blood pressure"})
        )
    );

    // The attachment query signs a download URL on the storage origin.
    let to = download_url(&server, &c, Some(&pa), aid).await;
    let storage = server.storage_url.clone().expect("storage host");
    assert_ne!(storage, server.base_url);
    assert!(
        to.starts_with(&format!("{storage}/blobs/{aid}?expires=")),
        "{to}"
    );
    let dl = c.get(&to).send().await.expect("download");
    assert_eq!(dl.status(), StatusCode::OK);
    assert_eq!(header(&dl, "content-type"), "image/png");
    assert_eq!(header(&dl, "cache-control"), "no-store");
    assert!(header(&dl, "content-disposition").starts_with("attachment; filename=\"bp-log.png\""));
    assert_eq!(dl.bytes().await.expect("bytes").to_vec(), bytes);
    let meta = data(
        &server,
        &c,
        Some(&pa),
        "query($id: ID!) { attachment(id: $id) { id filename mediaType size sha256 } }",
        json!({ "id": aid }),
    )
    .await;
    assert_eq!(meta["attachment"]["sha256"], sha256_hex(&bytes));

    // Closing: the clinician's alone; a closed conversation takes no messages.
    let close = "mutation($id: ID!) { closeConversation(id: $id) { id status } }";
    let by_patient = refused(&server, &c, Some(&pa), close, json!({ "id": cid })).await;
    assert_eq!(by_patient, "FORBIDDEN");
    let closed = data(&server, &c, Some(&cl), close, json!({ "id": cid })).await;
    assert_eq!(
        closed,
        json!({"closeConversation": {"id": cid, "status": "CLOSED"}})
    );
    let late = refused(
        &server,
        &c,
        Some(&pa),
        "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }",
        json!({ "input": { "conversationId": cid, "body": "one more" } }),
    )
    .await;
    assert_eq!(late, "CONFLICT");
    let list = data(
        &server,
        &c,
        Some(&pa),
        "{ conversations { edges { node { id status } } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        list["conversations"]["edges"],
        json!([{"node": {"id": cid, "status": "CLOSED"}}])
    );
}

#[tokio::test]
async fn reference_graph_shapes_answers_onto_the_selection() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, mid) = start_conversation(&server, &c, &pa, "Hello").await;
    // Only what is selected, each under its alias; a field selected twice merges; literals as
    // arguments; __typename anywhere.
    let query = format!(
        r#"query Look {{
             who: me {{ id }}
             me {{ name }}
             me {{ role }}
             c: conversation(id: "{cid}") {{
               __typename
               title: subject
               first: messages(first: 1) {{ edges {{ node {{ text: body by: author {{ id }} }} }} }}
             }}
             __typename
           }}"#
    );
    let d = data(&server, &c, Some(&pa), &query, Value::Null).await;
    assert_eq!(
        d,
        json!({
            "who": {"id": PA_N},
            "me": {"name": "Zoë Tremblay", "role": "PATIENT"},
            "c": {
                "__typename": "Conversation",
                "title": "Blood pressure",
                "first": {"edges": [{"node": {"text": "Hello", "by": {"id": PA_N}}}]},
            },
            "__typename": "Query",
        })
    );
    // Anonymous operations, operation names and input objects as literals.
    let document = format!(
        "query A {{ me {{ id }} }} mutation B {{ sendMessage(input: {{ conversationId: {cid}, body: \"again\", attachmentIds: [] }}) {{ message {{ id }} }} }}"
    );
    let body = json!({ "query": document, "operationName": "B" });
    let resp = post(&server, &c, Some(&pa), body).await;
    let sent = expect_json(resp, StatusCode::OK).await;
    assert!(
        sent["data"]["sendMessage"]["message"]["id"].as_u64() > Some(mid),
        "{sent}"
    );
    assert!(sent["data"].get("me").is_none());
}

#[tokio::test]
async fn reference_graph_refusals_are_graphql_errors() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, pb) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_b").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "Only for my doctor").await;
    let aid = upload(&server, &c, &pa, sample_bytes()).await;
    send(&server, &c, &pa, cid, "scan", &[aid]).await;
    let reads = [
        (
            "query($id: ID!) { conversation(id: $id) { id } }",
            cid,
            "conversation",
        ),
        (
            "query($id: ID!) { message(id: $id) { body } }",
            mid,
            "message",
        ),
        (
            "query($id: ID!) { attachment(id: $id) { downloadUrl } }",
            aid,
            "attachment",
        ),
    ];
    for (query, id, field) in reads {
        let (status, body) = gql(&server, &c, Some(&pb), query, json!({ "id": id })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            json!({"data": null, "errors": [{"message": "not found", "path": [field],
                   "extensions": {"code": "NOT_FOUND"}}]})
        );
        for tok in [None, Some("not-a-token")] {
            let anon = refused(&server, &c, tok, query, json!({ "id": id })).await;
            assert_eq!(anon, "UNAUTHENTICATED", "{field}");
        }
    }
    let list = "{ conversations { edges { node { id } } pageInfo { hasNextPage } } }";
    let none = data(&server, &c, Some(&pb), list, json!({})).await;
    assert_eq!(
        none,
        json!({"conversations": {"edges": [], "pageInfo": {"hasNextPage": false}}})
    );
    assert_eq!(
        refused(&server, &c, None, list, json!({})).await,
        "UNAUTHENTICATED"
    );
    let intrude =
        "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }";
    let vars = json!({ "input": { "conversationId": cid, "body": "hello" } });
    assert_eq!(
        refused(&server, &c, Some(&pb), intrude, vars).await,
        "NOT_FOUND"
    );
    let to_patient = refused(
        &server,
        &c,
        Some(&pb),
        "mutation { startConversation(input: { recipientId: 1001, subject: \"hi\", body: \"hi\" }) { conversation { id } } }",
        Value::Null,
    )
    .await;
    assert_eq!(to_patient, "FORBIDDEN");

    // Bad arguments, and the error's path below the root.
    let bad_id = refused(
        &server,
        &c,
        Some(&pa),
        "{ conversation(id: \"c-1\") { id } }",
        Value::Null,
    )
    .await;
    assert_eq!(bad_id, "BAD_USER_INPUT");
    let extra = "mutation { startConversation(input: { recipientId: 1004, subject: \"s\", body: \"b\", cc: 1 }) { conversation { id } } }";
    assert_eq!(
        refused(&server, &c, Some(&pa), extra, Value::Null).await,
        "BAD_USER_INPUT"
    );
    let empty = "mutation { startConversation(input: { recipientId: 1004, subject: \" \", body: \"b\" }) { conversation { id } } }";
    assert_eq!(
        refused(&server, &c, Some(&pa), empty, Value::Null).await,
        "BAD_USER_INPUT"
    );
    let (_, body) = gql(
        &server,
        &c,
        Some(&pa),
        "query($id: ID!) { conversation(id: $id) { messages(first: 0) { edges { cursor } } } }",
        json!({ "id": cid }),
    )
    .await;
    assert_eq!(
        (code(&body), &body["errors"][0]["path"]),
        ("BAD_USER_INPUT", &json!(["conversation", "messages"]))
    );

    // Documents the schema refuses: HTTP 200, no data; bodies that are no GraphQL request: 400.
    for query in [
        "{ me { id dob } }",
        "{ me }",
        "{ conversation { id } }",
        "{ me { id ...F } } fragment F on User { name }",
        "query($x: Int) { me(x: $x) { id } }",
        "subscription { me { id } }",
    ] {
        let (status, body) = gql(&server, &c, Some(&pa), query, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{query}: {body}");
        assert!(body.get("data").is_none(), "{query}: {body}");
    }
    let missing = refused(
        &server,
        &c,
        Some(&pa),
        "query($id: ID!) { conversation(id: $id) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(missing, "BAD_USER_INPUT");
    let unparsable = json!({ "query": "{ me { id " }).to_string();
    for raw in [unparsable.as_str(), "not json", "{\"variables\": {}}"] {
        let resp = c
            .post(url(&server, "/graphql"))
            .bearer_auth(&pa)
            .header("content-type", "application/json")
            .body(raw.to_owned())
            .send()
            .await
            .expect("response");
        let got = expect_json(resp, StatusCode::BAD_REQUEST).await;
        assert_eq!(code(&got), "GRAPHQL_PARSE_FAILED", "{raw}: {got}");
        assert!(got.get("data").is_none());
    }
    let big = "x".repeat(600 * 1024);
    let resp = post(&server, &c, Some(&pa), json!({ "query": big })).await;
    let got = expect_json(resp, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(code(&got), "PAYLOAD_TOO_LARGE");
    let get = c.get(url(&server, "/graphql")).send().await.expect("get");
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);

    // Answers with PHI are kept out of caches, and so are refusals.
    let resp = post(
        &server,
        &c,
        Some(&pa),
        json!({ "query": "{ me { name } }" }),
    )
    .await;
    assert_eq!(header(&resp, "cache-control"), "no-store");
    let resp = post(
        &server,
        &c,
        Some(&pb),
        json!({ "query": format!("{{ message(id: {mid}) {{ body }} }}") }),
    )
    .await;
    assert_eq!(header(&resp, "cache-control"), "no-store");
    let text = resp.text().await.expect("body");
    assert!(!text.contains("Only for my doctor"), "{text}");
}

#[tokio::test]
async fn reference_graph_mailbox_and_audit_csv() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (pa, cl, admin) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "clinician").await,
        token(&server, &c, "admin").await,
    );
    let (cid, mid) = start_conversation(&server, &c, &pa, "My secret symptom").await;
    data(&server, &c, Some(&cl), CONVERSATION, json!({ "id": cid })).await;

    // The mailbox: HTTP Basic as `mailbox` with the outbox token, by number or address.
    let mailbox = |to: &str| url(&server, &format!("/mailbox/api/messages?to={to}"));
    for (user, pass) in [
        (None, None),
        (Some("mailbox"), Some("guess")),
        (Some("admin"), Some(server.outbox_token.as_str())),
    ] {
        let req = c.get(mailbox("1004"));
        let req = match user {
            Some(u) => req.basic_auth(u, pass),
            None => req,
        };
        let resp = req.send().await.expect("mailbox");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&resp, "www-authenticate"), "Basic realm=\"mailbox\"");
    }
    let bearer = c
        .get(mailbox("1004"))
        .bearer_auth(&server.outbox_token)
        .send()
        .await
        .expect("mailbox");
    assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED);
    for to in ["1004", "amrit.singh@clinic.reference.test"] {
        let resp = c
            .get(mailbox(to))
            .basic_auth("mailbox", Some(&server.outbox_token))
            .send()
            .await
            .expect("mailbox");
        let got = expect_json(resp, StatusCode::OK).await;
        assert_eq!(got["total"], 1, "{got}");
        let m = &got["messages"][0];
        assert_eq!(
            (&m["channel"], &m["to"], &m["subject"]),
            (
                &json!("email"),
                &json!("amrit.singh@clinic.reference.test"),
                &json!("New secure message")
            )
        );
        assert!(m["id"].as_u64().is_some(), "{m}");
        let text = m["text"].as_str().expect("text");
        assert!(text.contains(&server.base_url), "{text}");
        for secret in CANARIES.iter().chain(&["secret symptom", "Blood pressure"]) {
            assert!(!text.contains(secret), "{text}");
        }
    }
    let nobody = c
        .get(mailbox("9999"))
        .basic_auth("mailbox", Some(&server.outbox_token))
        .send()
        .await
        .expect("mailbox");
    assert_eq!(nobody.status(), StatusCode::NOT_FOUND);

    // The audit log as CSV: staff only.
    let export = url(
        &server,
        &format!("/exports/audit-events.csv?subject={PA_N}"),
    );
    for tok in [&cl, &admin] {
        let resp = c.get(&export).bearer_auth(tok).send().await.expect("csv");
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(header(&resp, "content-type"), "text/csv; charset=utf-8");
        let text = resp.text().await.expect("csv");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("event_id,occurred_at,actor_id,action,resource_id")
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert!(
            rows.iter().any(|r| r[2] == CL_N.to_string()
                && r[3] == "message.read"
                && r[4] == mid.to_string()
                && r[0].parse::<u64>().is_ok()
                && time::OffsetDateTime::parse(
                    r[1],
                    &time::format_description::well_known::Rfc3339
                )
                .is_ok()),
            "{text}"
        );
    }
    let patient = c.get(&export).bearer_auth(&pa).send().await.expect("csv");
    assert_eq!(patient.status(), StatusCode::FORBIDDEN);
    let anon = c.get(&export).send().await.expect("csv");
    assert_eq!(
        expect_json(anon, StatusCode::UNAUTHORIZED).await,
        json!({"error": "unauthorized"})
    );
    let unknown = c
        .get(url(&server, "/exports/audit-events.csv?subject=9999"))
        .bearer_auth(&cl)
        .send()
        .await
        .expect("csv");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
