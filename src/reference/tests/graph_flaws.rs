//! Every flaw bites in the `graph` dialect, breaking the same requirement as in `rest`. The
//! match over [`Flaw`] is exhaustive, so a new flaw cannot ship without its `graph` proof.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::graph::{
    COMPLETE, create_upload, data, download_url, gql, post, put_bytes, refused, send,
    start_conversation, token, upload,
};
use super::sessions::login_form;
use super::*;

/// A graph server with `flaw`, a client, and patient A's and patient B's tokens.
async fn setup(flaw: Flaw) -> (ReferenceServer, Client, String, String) {
    let server = start(Dialect::Graph, &[flaw]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let pb = token(&server, &c, "patient_b").await;
    (server, c, pa, pb)
}

const CONVERSATION: &str =
    "query($id: ID!) { conversation(id: $id) { subject messages { edges { node { id body } } } } }";
const MESSAGE: &str = "query($id: ID!) { message(id: $id) { body } }";
const ATTACHMENT: &str = "query($id: ID!) { attachment(id: $id) { id downloadUrl } }";

/// The bodies of a conversation's messages as `tok` reads them.
async fn bodies(server: &ReferenceServer, c: &Client, tok: Option<&str>, cid: u64) -> Vec<String> {
    let d = data(server, c, tok, CONVERSATION, json!({ "id": cid })).await;
    d["conversation"]["messages"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["body"].as_str().expect("body").to_owned())
        .collect()
}

/// Shows that `flaw` does in `graph` what it does in `rest`.
async fn bites(flaw: Flaw) {
    let (server, c, pa, pb) = setup(flaw).await;
    let text = "Bonjour, ça va? ✓";
    let (cid, mid) = start_conversation(&server, &c, &pa, text).await;
    match flaw {
        Flaw::IdorMessage => {
            assert_eq!(bodies(&server, &c, Some(&pb), cid).await, [text]);
            let m = data(&server, &c, Some(&pb), MESSAGE, json!({ "id": mid })).await;
            assert_eq!(m["message"]["body"], text);
            let anon = refused(&server, &c, None, MESSAGE, json!({ "id": mid })).await;
            assert_eq!(anon, "UNAUTHENTICATED");
            let write = refused(
                &server,
                &c,
                Some(&pb),
                "mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }",
                json!({ "input": { "conversationId": cid, "body": "x" } }),
            )
            .await;
            assert_eq!(write, "NOT_FOUND", "writes still check");
        }
        Flaw::NoAudit => {
            let cl = token(&server, &c, "clinician").await;
            assert_eq!(bodies(&server, &c, Some(&cl), cid).await, [text]);
            let resp = c
                .get(url(
                    &server,
                    &format!("/exports/audit-events.csv?subject={}", super::graph::PA_N),
                ))
                .bearer_auth(&cl)
                .send()
                .await
                .expect("csv");
            assert_eq!(resp.status(), StatusCode::OK);
            let text = resp.text().await.expect("csv");
            assert_eq!(text.lines().count(), 1, "only the header: {text}");
        }
        Flaw::IdorConversation => {
            // Patient B posts into patient A's conversation; reading it is still refused.
            let posted = send(&server, &c, &pb, cid, "intruding", &[]).await;
            assert!(posted > 0);
            let read = refused(&server, &c, Some(&pb), MESSAGE, json!({ "id": mid })).await;
            assert_eq!(read, "NOT_FOUND", "reads still check");
            assert_eq!(
                bodies(&server, &c, Some(&pa), cid).await,
                [text, "intruding"]
            );
        }
        Flaw::IdorAttachment | Flaw::UnauthAttachment => {
            let bytes = sample_bytes();
            let aid = upload(&server, &c, &pa, bytes.clone()).await;
            let (by_pb, anon) = (
                gql(&server, &c, Some(&pb), ATTACHMENT, json!({ "id": aid }))
                    .await
                    .1,
                gql(&server, &c, None, ATTACHMENT, json!({ "id": aid }))
                    .await
                    .1,
            );
            let (open, shut) = if flaw == Flaw::IdorAttachment {
                (&by_pb, &anon)
            } else {
                (&anon, &by_pb)
            };
            let to = open["data"]["attachment"]["downloadUrl"]
                .as_str()
                .unwrap_or_else(|| panic!("{open}"));
            let got = c.get(to).send().await.expect("download");
            assert_eq!(got.bytes().await.expect("bytes").to_vec(), bytes);
            let want = if flaw == Flaw::IdorAttachment {
                "UNAUTHENTICATED"
            } else {
                "NOT_FOUND"
            };
            assert_eq!(shut["errors"][0]["extensions"]["code"], want, "{shut}");
        }
        Flaw::NoHsts => {
            let resp = post(&server, &c, Some(&pa), json!({ "query": "{ me { id } }" })).await;
            assert!(resp.headers().get("strict-transport-security").is_none());
            let storage = server.storage_url.clone().expect("storage");
            let blob = c
                .get(format!("{storage}/blobs/1"))
                .send()
                .await
                .expect("storage");
            assert!(blob.headers().get("strict-transport-security").is_none());
        }
        Flaw::HttpNoRedirect => {
            let page = c
                .get(format!("{}/", server.http_url))
                .send()
                .await
                .expect("http");
            assert_eq!(page.status(), StatusCode::OK);
            let api = c
                .post(format!("{}/graphql", server.http_url))
                .json(&json!({ "query": "{ me { id } }" }))
                .send()
                .await
                .expect("http");
            let body = json(api).await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "the API answers over HTTP: {body}"
            );
        }
        Flaw::WeakCookie => {
            let browser = client(&server, true);
            let csrf = login_form(&server, &browser, "/account/login", "csrf").await;
            let (email, pass) = password(&server, "patient_a");
            let resp = browser
                .post(url(&server, "/account/login"))
                .form(&[("email", email), ("password", pass), ("csrf", csrf)])
                .send()
                .await
                .expect("sign in");
            assert_eq!(resp.status(), StatusCode::SEE_OTHER);
            let cookie = resp
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("gq_sid="))
                .expect("session cookie")
                .to_owned();
            for attr in ["Secure", "HttpOnly", "SameSite"] {
                assert!(!cookie.contains(attr), "{cookie}");
            }
        }
        Flaw::CacheablePhi => {
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let reads = [
                (CONVERSATION, cid),
                (MESSAGE, mid),
                (ATTACHMENT, aid),
                ("query($id: ID) { me { name } }", 0),
                ("query($id: ID) { conversations { edges { cursor } } }", 0),
            ];
            for (query, id) in reads {
                let body = json!({ "query": query, "variables": { "id": id } });
                let resp = post(&server, &c, Some(&pa), body).await;
                assert_eq!(
                    header(&resp, "cache-control"),
                    "public, max-age=3600",
                    "{query}"
                );
            }
            let to = download_url(&server, &c, Some(&pa), aid).await;
            let blob = c.get(&to).send().await.expect("download");
            assert_eq!(header(&blob, "cache-control"), "public, max-age=3600");
            let refusal = post(
                &server,
                &c,
                Some(&pb),
                json!({ "query": format!("{{ message(id: {mid}) {{ body }} }}") }),
            )
            .await;
            assert_eq!(header(&refusal, "cache-control"), "no-store");
            let terms = c
                .get(url(&server, "/legal/terms"))
                .send()
                .await
                .expect("terms");
            assert_eq!(header(&terms, "cache-control"), "no-store");
        }
        Flaw::AttachmentAnyType => {
            let exe = b"MZ\x90\x00\x03\x00 a program".to_vec();
            let kind = "application/x-msdownload";
            let (aid, to) = create_upload(&server, &c, &pa, &exe, kind).await;
            assert_eq!(put_bytes(&c, &to, exe, kind).await.status(), StatusCode::OK);
            let d = data(&server, &c, Some(&pa), COMPLETE, json!({ "id": aid })).await;
            assert_eq!(d["completeUpload"]["mediaType"], kind, "{d}");
        }
        Flaw::AttachmentNoSizeLimit => {
            // The declaration is what a clean server refuses; the bytes need not be sent.
            let d = data(
                &server,
                &c,
                Some(&pa),
                "mutation($input: CreateUploadInput!) { createUpload(input: $input) { attachmentId } }",
                json!({ "input": {
                    "filename": "scan.pdf", "mediaType": "application/pdf",
                    "size": 10 * 1024 * 1024 + 1, "sha256": "0".repeat(64),
                } }),
            )
            .await;
            assert!(d["createUpload"]["attachmentId"].is_u64(), "{d}");
        }
        Flaw::AttachmentInline => {
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let to = download_url(&server, &c, Some(&pa), aid).await;
            let blob = c.get(&to).send().await.expect("download");
            assert!(
                header(&blob, "content-disposition").starts_with("inline;"),
                "{:?}",
                blob.headers()
            );
            assert_eq!(header(&blob, "x-content-type-options"), "nosniff");
        }
        Flaw::AttachmentCorrupt => {
            let bytes = sample_bytes();
            let aid = upload(&server, &c, &pa, bytes.clone()).await;
            let to = download_url(&server, &c, Some(&pa), aid).await;
            let got = c
                .get(&to)
                .send()
                .await
                .expect("download")
                .bytes()
                .await
                .expect("bytes");
            assert_eq!(got.len(), bytes.len());
            assert_ne!(got.to_vec(), bytes);
        }
        Flaw::Slow => {
            let begun = Instant::now();
            c.get(url(&server, "/legal/privacy"))
                .send()
                .await
                .expect("page");
            assert!(begun.elapsed() >= Duration::from_millis(50));
            let begun = Instant::now();
            let storage = server.storage_url.clone().expect("storage");
            c.get(format!("{storage}/blobs/1"))
                .send()
                .await
                .expect("storage");
            assert!(begun.elapsed() >= Duration::from_millis(50));
        }
        f @ (Flaw::NoSecurityHeaders
        | Flaw::CorsWildcard
        | Flaw::CorsReflect
        | Flaw::StackTraceErrors
        | Flaw::VerboseBanner
        | Flaw::NoSecurityTxt) => {
            super::hardening_flaws::bites(f, &server, &c, "/graphql", &pa).await;
        }
        f @ (Flaw::PhiInUrl
        | Flaw::PhiInNotification
        | Flaw::OtherPatientPhi
        | Flaw::NoPrivacyLink) => {
            super::phi_flaws::bites(f, &super::phi_flaws::shown(&server).await);
        }
        f @ (Flaw::NoEmergencyNotice
        | Flaw::NoResponseTime
        | Flaw::ZoomBlocked
        | Flaw::NoSupportPage) => {
            super::page_flaws::bites(f, &server).await;
        }
        // The accessibility flaws live in the pages every dialect shares; self-verification
        // proves each fails exactly its WCAG criteria, in every dialect.
        Flaw::A11yMissingLabels
        | Flaw::A11yNoLang
        | Flaw::A11yMissingAlt
        | Flaw::A11yLowContrast
        | Flaw::A11yEmptyButton
        | Flaw::A11yZoomBlocked
        | Flaw::A11yNoBypass
        | Flaw::A11yUntitled
        | Flaw::A11yTabOrder
        | Flaw::A11yEmptyLink
        | Flaw::A11yBadLangPart
        | Flaw::A11yDuplicateId
        | Flaw::A11yMetaRefresh
        | Flaw::A11yMarquee => {}
        f @ (Flaw::ExpiredTokenAccepted
        | Flaw::NoLogoutRevoke
        | Flaw::NoIdleTimeout
        | Flaw::SessionFixation
        | Flaw::NoLockout
        | Flaw::WeakCookieOnPage) => {
            super::session_flaws::bites(Dialect::Graph, f).await;
        }
        Flaw::ExpiredCert
        | Flaw::WrongHostCert
        | Flaw::SelfSigned
        | Flaw::WeakKey
        | Flaw::Sha1Cert
        | Flaw::Tls10
        | Flaw::WeakCipher => {
            unreachable!("`{flaw}` is shown in hardening_flaws")
        }
        Flaw::LeakyDenial => {
            // Refused the GraphQL way, with the message still in `data`.
            let (status, body) = gql(&server, &c, None, MESSAGE, json!({ "id": mid })).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
                "{body}"
            );
            assert_eq!(body["data"]["message"]["body"], text, "{body}");
            assert_eq!(
                bodies(&server, &c, Some(&pa), cid).await,
                [text],
                "a session still reads"
            );
        }
        Flaw::UnauthMessage => {
            assert_eq!(bodies(&server, &c, None, cid).await, [text]);
            assert_eq!(
                bodies(&server, &c, Some("expired-or-forged"), cid).await,
                [text]
            );
            let m = data(&server, &c, None, MESSAGE, json!({ "id": mid })).await;
            assert_eq!(m["message"]["body"], text);
            // Only conversation and message reads: lists, writes and attachments still refuse.
            let list = "{ conversations { edges { cursor } } }";
            assert_eq!(
                refused(&server, &c, None, list, Value::Null).await,
                "UNAUTHENTICATED"
            );
            let write = refused(
                &server,
                &c,
                None,
                "mutation($id: ID!) { markRead(messageId: $id) { id } }",
                json!({ "id": mid }),
            )
            .await;
            assert_eq!(write, "UNAUTHENTICATED");
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let att = refused(&server, &c, None, ATTACHMENT, json!({ "id": aid })).await;
            assert_eq!(att, "UNAUTHENTICATED");
        }
        Flaw::EchoCredentials => {
            let resp = post(
                &server,
                &c,
                Some(&pa),
                json!({ "query": "{ conversation(id: 99999) { id } }" }),
            )
            .await;
            assert_eq!(resp.status(), StatusCode::OK);
            let body = json(resp).await;
            let debug = &body["errors"][0]["extensions"]["debug"];
            assert_eq!(debug["authorization"], format!("Bearer {pa}"), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND");
            let unparsable = c
                .post(url(&server, "/graphql"))
                .bearer_auth(&pa)
                .header("Content-Type", "application/json")
                .body("not json")
                .send()
                .await
                .expect("response");
            assert_eq!(unparsable.status(), StatusCode::BAD_REQUEST);
            let text = unparsable.text().await.expect("body");
            assert!(
                text.contains(&pa),
                "the parse failure quotes the token too: {text}"
            );
            let fine = post(&server, &c, Some(&pa), json!({ "query": "{ me { id } }" })).await;
            let text = fine.text().await.expect("body");
            assert!(!text.contains("debug"), "{text}");
        }
        Flaw::MangledText => {
            assert_eq!(
                bodies(&server, &c, Some(&pa), cid).await,
                ["Bonjour, a va? "]
            );
        }
        Flaw::UnicodeMangle => {
            assert_eq!(
                bodies(&server, &c, Some(&pa), cid).await,
                ["Bonjour, ça va? ?"]
            );
        }
        Flaw::NoReadReceipt => {
            let cl = token(&server, &c, "clinician").await;
            let mark = "mutation($id: ID!) { markRead(messageId: $id) { id read } }";
            let marked = data(&server, &c, Some(&cl), mark, json!({ "id": mid })).await;
            assert_eq!(marked["markRead"]["read"], false, "{marked}");
            let read = "query($id: ID!) { message(id: $id) { read } }";
            let m = data(&server, &c, Some(&pa), read, json!({ "id": mid })).await;
            assert_eq!(m["message"]["read"], false, "{m}");
        }
        Flaw::CloseIgnored => {
            let cl = token(&server, &c, "clinician").await;
            let close = "mutation($id: ID!) { closeConversation(id: $id) { id status } }";
            let closed = data(&server, &c, Some(&cl), close, json!({ "id": cid })).await;
            assert_eq!(closed["closeConversation"]["status"], "OPEN", "{closed}");
            send(&server, &c, &pa, cid, "still open", &[]).await;
        }
        Flaw::ThreadOrder => {
            let mut sent = vec![mid];
            for n in 2..=4 {
                sent.push(send(&server, &c, &pa, cid, &format!("message {n}"), &[]).await);
            }
            sent.reverse();
            let d = data(
                &server,
                &c,
                Some(&pa),
                "query($id: ID!) { conversation(id: $id) { messages(first: 3) { edges { node { id } } pageInfo { hasNextPage } } } }",
                json!({ "id": cid }),
            )
            .await;
            let page = &d["conversation"]["messages"];
            let ids: Vec<u64> = page["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .filter_map(|e| e["node"]["id"].as_u64())
                .collect();
            assert_eq!(
                ids,
                sent[..3],
                "the newest message comes first, across pages too"
            );
            assert_eq!(page["pageInfo"]["hasNextPage"], true);
        }
        Flaw::Flaky => {
            let (mut ok, mut unavailable, mut aborted) = (0, 0, 0);
            for _ in 0..10 {
                let req = c
                    .post(url(&server, "/graphql"))
                    .bearer_auth(&pa)
                    .json(&json!({ "query": "{ conversations { edges { cursor } } }" }));
                match req.send().await {
                    Ok(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => unavailable += 1,
                    Ok(r) => match r.bytes().await {
                        Ok(_) => ok += 1,
                        Err(_) => aborted += 1,
                    },
                    Err(_) => aborted += 1,
                }
            }
            assert_eq!((ok, unavailable, aborted), (8, 1, 1));
            // Signing in and `me` are spared, as the other dialects' account endpoints are.
            for _ in 0..10 {
                data(&server, &c, Some(&pa), "{ me { id } }", Value::Null).await;
                token(&server, &c, "clinician").await;
            }
            // The storage host is flaky too.
            let storage = server.storage_url.clone().expect("storage");
            let mut failed = 0;
            for _ in 0..10 {
                match c.get(format!("{storage}/blobs/1")).send().await {
                    Ok(r) if r.status() == StatusCode::FORBIDDEN => {
                        if r.bytes().await.is_err() {
                            failed += 1;
                        }
                    }
                    _ => failed += 1,
                }
            }
            assert_eq!(failed, 2);
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn reference_graph_every_flaw_bites() {
    // The TLS flaws live below every dialect: `hardening_flaws` shows them.
    for &flaw in Flaw::ALL
        .iter()
        .filter(|f| !super::hardening_flaws::is_tls(**f))
    {
        bites(flaw).await;
    }
}
