//! Every flaw bites in the `threads` dialect, breaking the same requirement as in `rest`. The
//! match over [`Flaw`] is exhaustive, so a new flaw cannot ship without its `threads` proof.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::json;

use super::sessions::login_form;
use super::threads::{get, reply, start_thread, token, upload};
use super::*;

/// A threads server with `flaw`, a client, and patient A's and patient B's tokens.
async fn setup(flaw: Flaw) -> (ReferenceServer, Client, String, String) {
    let server = start(Dialect::Threads, &[flaw]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let pb = token(&server, &c, "patient_b").await;
    (server, c, pa, pb)
}

async fn status(server: &ReferenceServer, c: &Client, path: &str, tok: Option<&str>) -> StatusCode {
    get(server, c, path, tok).await.status()
}

/// The pid of the first post of a thread's post list.
async fn page_pid(server: &ReferenceServer, c: &Client, posts: &str, tok: &str) -> String {
    let page = json(get(server, c, posts, Some(tok)).await).await;
    page["posts"][0]["pid"].as_str().expect("pid").to_owned()
}

/// Shows that `flaw` does in `threads` what it does in `rest`.
async fn bites(flaw: Flaw) {
    let (server, c, pa, pb) = setup(flaw).await;
    let (tid, _) = start_thread(&server, &c, &pa, "Bonjour, ça va? ✓").await;
    let posts = format!("/v2/threads/{tid}/posts");
    let thread = format!("/v2/threads/{tid}");
    match flaw {
        Flaw::IdorMessage => {
            for path in [&posts, &thread] {
                assert_eq!(status(&server, &c, path, Some(&pb)).await, StatusCode::OK);
                assert_eq!(
                    status(&server, &c, path, None).await,
                    StatusCode::UNAUTHORIZED
                );
            }
            let page = json(get(&server, &c, &posts, Some(&pb)).await).await;
            assert_eq!(page["posts"][0]["text"], "Bonjour, ça va? ✓");
            let write = c
                .post(url(&server, &posts))
                .bearer_auth(&pb)
                .json(&json!({"text": "x"}))
                .send()
                .await
                .expect("reply");
            assert_eq!(write.status(), StatusCode::NOT_FOUND, "writes still check");
        }
        Flaw::NoAudit => {
            let cl = token(&server, &c, "clinician").await;
            assert_eq!(status(&server, &c, &posts, Some(&cl)).await, StatusCode::OK);
            let path = format!("/v2/audit-events?subject={PA}&limit=50");
            let audit = json(get(&server, &c, &path, Some(&cl)).await).await;
            assert_eq!(audit["items"], json!([]), "{audit}");
        }
        Flaw::IdorConversation => {
            reply(&server, &c, &pb, &tid, json!({"text": "intruding"})).await;
            assert_eq!(
                status(&server, &c, &posts, Some(&pb)).await,
                StatusCode::NOT_FOUND,
                "reads still check"
            );
            let page = json(get(&server, &c, &posts, Some(&pa)).await).await;
            assert_eq!(page["posts"][1]["text"], "intruding");
        }
        f @ (Flaw::NoSecurityHeaders
        | Flaw::CorsWildcard
        | Flaw::CorsReflect
        | Flaw::StackTraceErrors
        | Flaw::VerboseBanner
        | Flaw::NoSecurityTxt) => {
            super::hardening_flaws::bites(f, &server, &c, "/v2/threads", &pa).await;
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
            super::session_flaws::bites(Dialect::Threads, f).await;
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
            let resp = get(&server, &c, &posts, None).await;
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
            let page = json(resp).await;
            assert_eq!(
                page["posts"][0]["text"], "Bonjour, ça va? ✓",
                "the refusal leaks"
            );
            assert_eq!(status(&server, &c, &posts, Some(&pa)).await, StatusCode::OK);
        }
        Flaw::IdorAttachment | Flaw::UnauthAttachment => {
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let path = format!("/v2/attachments/{aid}/content");
            let got = (
                status(&server, &c, &path, Some(&pb)).await,
                status(&server, &c, &path, None).await,
            );
            let want = if flaw == Flaw::IdorAttachment {
                (StatusCode::OK, StatusCode::UNAUTHORIZED)
            } else {
                (StatusCode::NOT_FOUND, StatusCode::OK)
            };
            assert_eq!(got, want);
        }
        Flaw::NoHsts => {
            let resp = get(&server, &c, "/", None).await;
            assert!(resp.headers().get("strict-transport-security").is_none());
        }
        Flaw::HttpNoRedirect => {
            let page = c
                .get(format!("{}/", server.http_url))
                .send()
                .await
                .expect("http");
            assert_eq!(page.status(), StatusCode::OK);
            let api = c
                .get(format!("{}/v2/me", server.http_url))
                .send()
                .await
                .expect("http");
            assert_eq!(
                api.status(),
                StatusCode::UNAUTHORIZED,
                "the API answers over HTTP"
            );
        }
        Flaw::WeakCookie => {
            let browser = client(&server, true);
            let csrf = login_form(&server, &browser, "/signin", "_csrf").await;
            let (login, pass) = password(&server, "patient_a");
            let resp = browser
                .post(url(&server, "/signin"))
                .form(&[("login", login), ("pass", pass), ("_csrf", csrf)])
                .send()
                .await
                .expect("sign in");
            assert_eq!(resp.status(), StatusCode::FOUND);
            let cookie = resp
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("thr_session="))
                .expect("session cookie")
                .to_owned();
            for attr in ["Secure", "HttpOnly", "SameSite"] {
                assert!(!cookie.contains(attr), "{cookie}");
            }
        }
        Flaw::CacheablePhi => {
            for path in [&posts, &thread, "/v2/threads", "/v2/me"] {
                let resp = get(&server, &c, path, Some(&pa)).await;
                assert_eq!(
                    header(&resp, "cache-control"),
                    "public, max-age=3600",
                    "{path}"
                );
            }
            let terms = get(&server, &c, "/about/terms", None).await;
            assert_eq!(header(&terms, "cache-control"), "no-store");
        }
        Flaw::AttachmentAnyType | Flaw::AttachmentNoSizeLimit => {
            let (name, kind, bytes) = if flaw == Flaw::AttachmentAnyType {
                let exe = b"MZ\x90\x00\x03\x00 a program".to_vec();
                ("setup.exe", "application/x-msdownload", exe)
            } else {
                let mut big = b"%PDF-1.7\n".to_vec();
                big.resize(10 * 1024 * 1024 + 1, b'x');
                ("scan.pdf", "application/pdf", big)
            };
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name(name)
                .mime_str(kind)
                .expect("mime");
            let resp = c
                .post(url(&server, "/v2/attachments"))
                .bearer_auth(&pa)
                .multipart(reqwest::multipart::Form::new().part("blob", part))
                .send()
                .await
                .expect("upload");
            assert_eq!(resp.status(), StatusCode::CREATED);
        }
        Flaw::AttachmentInline => {
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let path = format!("/v2/attachments/{aid}/content");
            let resp = get(&server, &c, &path, Some(&pa)).await;
            assert!(
                header(&resp, "content-disposition").starts_with("inline;"),
                "{:?}",
                resp.headers()
            );
        }
        Flaw::AttachmentCorrupt => {
            let bytes = sample_bytes();
            let aid = upload(&server, &c, &pa, bytes.clone()).await;
            let path = format!("/v2/attachments/{aid}/content");
            let got = get(&server, &c, &path, Some(&pa))
                .await
                .bytes()
                .await
                .expect("bytes");
            assert_eq!(got.len(), bytes.len());
            assert_ne!(got.to_vec(), bytes);
        }
        Flaw::Slow => {
            let begun = Instant::now();
            get(&server, &c, "/about/privacy", None).await;
            assert!(begun.elapsed() >= Duration::from_millis(50));
        }
        Flaw::UnauthMessage => {
            let page = json(get(&server, &c, &posts, None).await).await;
            assert_eq!(page["posts"][0]["text"], "Bonjour, ça va? ✓");
            assert_eq!(status(&server, &c, &thread, None).await, StatusCode::OK);
            // Only conversation and message reads: lists, writes and attachments still refuse.
            assert_eq!(
                status(&server, &c, "/v2/threads", None).await,
                StatusCode::UNAUTHORIZED
            );
            let write = c
                .post(url(&server, &posts))
                .json(&json!({"text": "x"}))
                .send()
                .await
                .expect("post");
            assert_eq!(write.status(), StatusCode::UNAUTHORIZED);
            let aid = upload(&server, &c, &pa, sample_bytes()).await;
            let path = format!("/v2/attachments/{aid}/content");
            assert_eq!(
                status(&server, &c, &path, None).await,
                StatusCode::UNAUTHORIZED
            );
        }
        Flaw::EchoCredentials => {
            let missing = "/v2/threads/thr_aaaaaaaaaaaa";
            let body = get(&server, &c, missing, Some(&pa))
                .await
                .text()
                .await
                .expect("body");
            assert!(body.contains("\"debug\""), "{body}");
            assert!(
                body.contains(&pa),
                "the error quotes the caller's token: {body}"
            );
        }
        Flaw::MangledText => {
            let page = json(get(&server, &c, &posts, Some(&pa)).await).await;
            assert_eq!(page["posts"][0]["text"], "Bonjour, a va? ");
        }
        Flaw::UnicodeMangle => {
            let page = json(get(&server, &c, &posts, Some(&pa)).await).await;
            assert_eq!(page["posts"][0]["text"], "Bonjour, ça va? ?");
        }
        Flaw::NoReadReceipt => {
            let cl = token(&server, &c, "clinician").await;
            let pid = page_pid(&server, &c, &posts, &pa).await;
            let marked = c
                .put(url(&server, &format!("{posts}/{pid}/receipt")))
                .bearer_auth(&cl)
                .send()
                .await
                .expect("receipt");
            assert!(marked.status().is_success(), "{}", marked.status());
            let page = json(get(&server, &c, &posts, Some(&pa)).await).await;
            assert_eq!(page["posts"][0]["seen_by"], json!([]), "{page}");
        }
        Flaw::CloseIgnored => {
            let cl = token(&server, &c, "clinician").await;
            let closed = c
                .patch(url(&server, &thread))
                .bearer_auth(&cl)
                .json(&json!({"status": "archived"}))
                .send()
                .await
                .expect("archive");
            assert!(closed.status().is_success(), "{}", closed.status());
            reply(&server, &c, &pa, &tid, json!({"text": "still open"})).await;
        }
        Flaw::ThreadOrder => {
            let mut sent = Vec::new();
            for n in 2..=4 {
                sent.push(
                    reply(&server, &c, &pa, &tid, json!({"text": format!("post {n}")})).await,
                );
            }
            sent.reverse();
            let page = json(get(&server, &c, &posts, Some(&pa)).await).await;
            let pids: Vec<&str> = page["posts"]
                .as_array()
                .expect("posts")
                .iter()
                .filter_map(|p| p["pid"].as_str())
                .collect();
            assert_eq!(pids, sent, "the newest post comes first, across pages too");
            assert_eq!(page["has_more"], true);
        }
        Flaw::Flaky => {
            let (mut ok, mut unavailable, mut aborted) = (0, 0, 0);
            for _ in 0..10 {
                match c
                    .get(url(&server, "/v2/threads"))
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
            for _ in 0..10 {
                assert_eq!(
                    status(&server, &c, "/v2/me", Some(&pa)).await,
                    StatusCode::OK
                );
            }
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn reference_threads_every_flaw_bites() {
    // The TLS flaws live below every dialect: `hardening_flaws` shows them.
    for &flaw in Flaw::ALL
        .iter()
        .filter(|f| !super::hardening_flaws::is_tls(**f))
    {
        bites(flaw).await;
    }
}
