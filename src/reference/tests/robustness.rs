//! Bad input gets a 4xx with a JSON error, never a 5xx; pages carry the accessibility basics.

use reqwest::{Client, StatusCode, multipart};

use super::rest::{start_conversation, token};
use super::*;

async fn status_and_error(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    let body = json(resp).await;
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn upload_status(
    server: &ReferenceServer,
    c: &Client,
    tok: &str,
    bytes: Vec<u8>,
    mime: &str,
) -> StatusCode {
    let part = multipart::Part::bytes(bytes)
        .file_name("f")
        .mime_str(mime)
        .expect("mime");
    let form = multipart::Form::new().part("file", part);
    let resp = c
        .post(url(server, "/api/attachments"))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    status_and_error(resp).await.0
}

#[tokio::test]
async fn reference_bad_input_gets_4xx_json() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let pa = token(&server, &c, "patient_a").await;
    let (cid, _) = start_conversation(&server, &c, &pa, "hello").await;
    let conv = url(&server, "/api/conversations");

    let cases = [
        c.post(&conv)
            .bearer_auth(&pa)
            .header("content-type", "application/json")
            .body("{not json"),
        c.post(&conv)
            .bearer_auth(&pa)
            .header("content-type", "application/json")
            .body("{\"subject\": 5}"),
        c.post(&conv)
            .bearer_auth(&pa)
            .header("content-type", "application/json")
            .body(vec![b' '; 70 * 1024]),
        c.post(&conv).bearer_auth(&pa).json(
            &serde_json::json!({"recipient_id": CL, "subject": "s", "body": "x".repeat(20_001)}),
        ),
        c.post(&conv)
            .bearer_auth(&pa)
            .json(&serde_json::json!({"recipient_id": "u-nobody", "subject": "s", "body": "b"})),
        c.get(url(&server, "/api/conversations/c-000000000000"))
            .bearer_auth(&pa),
        c.get(url(
            &server,
            &format!("/api/conversations/{cid}/messages/m-000000000000"),
        ))
        .bearer_auth(&pa),
        c.get(url(&server, "/api/attachments/a-000000000000"))
            .bearer_auth(&pa),
        c.delete(&conv).bearer_auth(&pa),
        c.get(url(&server, "/api/audit")).bearer_auth(&pa),
        c.get(url(&server, "/no/such/route")),
        c.post(url(&server, "/oauth/token"))
            .body("%%%")
            .header("content-type", "application/x-www-form-urlencoded"),
        c.post(url(&server, "/api/attachments"))
            .bearer_auth(&pa)
            .header("content-type", "multipart/form-data; boundary=x")
            .body("garbage"),
    ];
    let expected = [
        400, 400, 413, 400, 404, 404, 404, 404, 405, 400, 404, 400, 400,
    ];
    for (req, want) in cases.into_iter().zip(expected) {
        let (status, error) = status_and_error(req.send().await.expect("response")).await;
        assert_eq!(status.as_u16(), want, "error: {error}");
        assert!(!error.is_empty());
    }
    assert_eq!(
        upload_status(
            &server,
            &c,
            &pa,
            b"MZ\x90\x00".to_vec(),
            "application/x-msdownload"
        )
        .await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let just_over = vec![0u8; 10 * 1024 * 1024 + 1];
    assert_eq!(
        upload_status(&server, &c, &pa, just_over, "text/plain").await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let far_over = vec![0u8; 11 * 1024 * 1024];
    assert_eq!(
        upload_status(&server, &c, &pa, far_over, "text/plain").await,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn reference_pages_meet_the_accessibility_basics() {
    for (dialect, paths) in [
        (Dialect::Rest, ["/", "/login", "/privacy", "/terms"]),
        (
            Dialect::Forms,
            ["/", "/account/signin", "/legal/privacy", "/legal/terms"],
        ),
    ] {
        let server = start(dialect, &[]).await;
        let c = client(&server, false);
        for path in paths {
            let page = c
                .get(url(&server, path))
                .send()
                .await
                .expect("page")
                .text()
                .await
                .expect("html");
            for needle in [
                "<!doctype html>",
                "<html lang=\"en\">",
                "<title>",
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                "href=\"#main\"",
                "<header>",
                "<nav",
                "<main",
                "<footer>",
                "Support: support@reference.test, Monday–Friday 8:00–17:00",
            ] {
                assert!(page.contains(needle), "{dialect} {path} lacks {needle}");
            }
        }
        let entry = c
            .get(url(&server, "/"))
            .send()
            .await
            .expect("entry")
            .text()
            .await
            .expect("html");
        for link in &paths[1..] {
            assert!(
                entry.contains(&format!("href=\"{link}\"")),
                "{dialect} entry lacks a link to {link}"
            );
        }
    }
}

#[tokio::test]
async fn reference_compose_page_shows_the_notices() {
    let server = start(Dialect::Forms, &[]).await;
    let s = super::forms::sign_in(&server, "patient_a").await;
    let page = s
        .client
        .get(url(&server, "/home/compose"))
        .send()
        .await
        .expect("compose");
    assert_eq!(header(&page, "cache-control"), "no-store");
    let html = page.text().await.expect("html");
    assert!(
        html.contains("This service is not for emergencies. If you have an emergency, call 911.")
    );
    assert!(html.contains("Your clinic will reply within 2 business days."));
    assert!(html.contains("<label for=\"body\">"));
    let anon = client(&server, false)
        .get(url(&server, "/home/compose"))
        .send()
        .await
        .expect("anon");
    assert_eq!(
        (anon.status(), header(&anon, "location")),
        (StatusCode::SEE_OTHER, "/account/signin")
    );
}
