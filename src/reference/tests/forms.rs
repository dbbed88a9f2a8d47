//! The `forms` dialect end to end: cookie sign-in, CSRF on every POST, threads, posts, files,
//! access rules, access log, notifications and sign-out.

use reqwest::{Client, StatusCode, multipart};
use serde_json::json;

use super::sessions::login_form;
use super::*;

/// A signed-in browser-like client and its session CSRF token.
pub(super) struct Session {
    pub client: Client,
    pub csrf: String,
}

/// Signs `actor` in through `/account/signin`.
pub(super) async fn sign_in(server: &ReferenceServer, actor: &str) -> Session {
    let c = client(server, true);
    let token = login_form(server, &c, "/account/signin", "authenticity_token").await;
    let (email, pass) = password(server, actor);
    let form = [
        ("email", email),
        ("passphrase", pass),
        ("authenticity_token", token),
    ];
    let resp = c
        .post(url(server, "/account/signin"))
        .form(&form)
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&resp, "location"), "/home");
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    let sid = cookies
        .iter()
        .find(|c| c.starts_with("sm_sid="))
        .expect("sm_sid");
    assert!(
        sid.ends_with("; Path=/; Secure; HttpOnly; SameSite=Strict"),
        "{sid}"
    );
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("sm_csrf="))
        .expect("sm_csrf");
    assert!(
        csrf.ends_with("; Path=/; Secure; SameSite=Strict"),
        "{csrf}"
    );
    let csrf = csrf
        .trim_start_matches("sm_csrf=")
        .split(';')
        .next()
        .expect("value")
        .to_owned();
    Session { client: c, csrf }
}

/// Starts a thread from patient A to the clinician; returns (tid, pid).
pub(super) async fn start_thread(
    server: &ReferenceServer,
    s: &Session,
    text: &str,
) -> (String, String) {
    let form = [
        ("recipient", CL),
        ("topic", "Test results"),
        ("text", text),
        ("authenticity_token", &s.csrf),
    ];
    let resp = s
        .client
        .post(url(server, "/threads"))
        .form(&form)
        .send()
        .await
        .expect("thread");
    let body = expect_json(resp, StatusCode::CREATED).await;
    (
        body["thread"]["tid"].as_str().expect("tid").to_owned(),
        body["post"]["pid"].as_str().expect("pid").to_owned(),
    )
}

/// Uploads a PDF; returns the file id.
pub(super) async fn upload_file(server: &ReferenceServer, s: &Session, bytes: Vec<u8>) -> String {
    let part = multipart::Part::bytes(bytes)
        .file_name("résultats.pdf")
        .mime_str("application/pdf")
        .expect("mime");
    let form = multipart::Form::new()
        .text("authenticity_token", s.csrf.clone())
        .part("upload", part);
    let resp = s
        .client
        .post(url(server, "/files"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let body = expect_json(resp, StatusCode::CREATED).await;
    assert_eq!(body["file"]["type"], "application/pdf");
    body["file"]["fid"].as_str().expect("fid").to_owned()
}

#[tokio::test]
async fn reference_forms_thread_round_trip() {
    let server = start(Dialect::Forms, &[]).await;
    let (pa, cl, pb) = (
        sign_in(&server, "patient_a").await,
        sign_in(&server, "clinician").await,
        sign_in(&server, "patient_b").await,
    );
    let who = expect_json(
        pa.client
            .get(url(&server, "/whoami"))
            .send()
            .await
            .expect("whoami"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        who,
        json!({"account": {"uid": PA, "kind": "patient", "full_name": "Zoë Tremblay"}})
    );

    let no_token = [("recipient", CL), ("topic", "t"), ("text", "hello")];
    assert_eq!(
        pa.client
            .post(url(&server, "/threads"))
            .form(&no_token)
            .send()
            .await
            .expect("post")
            .status(),
        StatusCode::FORBIDDEN
    );
    let text = "Résultats d'analyse — Ελληνικά 👍";
    let (tid, pid) = start_thread(&server, &pa, text).await;

    // A PDF's bytes under its PDF name: the server looks at the content.
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend_from_slice(&sample_bytes()[8..]);
    let fid = upload_file(&server, &cl, bytes.clone()).await;
    let form = [
        ("text", "Voici le rapport."),
        ("files", fid.as_str()),
        ("authenticity_token", cl.csrf.as_str()),
    ];
    let resp = cl
        .client
        .post(url(&server, &format!("/threads/{tid}/posts")))
        .form(&form)
        .send()
        .await
        .expect("reply");
    let reply = expect_json(resp, StatusCode::CREATED).await;
    let rpid = reply["post"]["pid"].as_str().expect("pid").to_owned();

    let seen_url = url(&server, &format!("/threads/{tid}/posts/{pid}/seen"));
    let resp = cl
        .client
        .post(&seen_url)
        .form(&[("authenticity_token", &cl.csrf)])
        .send()
        .await
        .expect("seen");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let thread = expect_json(
        pa.client
            .get(url(&server, &format!("/threads/{tid}")))
            .send()
            .await
            .expect("thread"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (thread["tid"].as_str(), thread["topic"].as_str()),
        (Some(tid.as_str()), Some("Test results"))
    );
    assert_eq!(
        thread["members"],
        json!([
            {"uid": PA, "kind": "patient", "full_name": "Zoë Tremblay"},
            {"uid": CL, "kind": "clinician", "full_name": "Dr. Amrit Singh"},
        ])
    );
    let posts = thread["posts"].as_array().expect("posts");
    assert_eq!(
        (posts[0]["body_text"].as_str(), posts[0]["seen"].as_bool()),
        (Some(text), Some(true))
    );
    assert_eq!(
        (posts[1]["pid"].as_str(), posts[1]["files"][0].as_str()),
        (Some(rpid.as_str()), Some(fid.as_str()))
    );
    assert!(posts[0]["created"].as_str() < posts[1]["created"].as_str());

    let raw_url = url(&server, &format!("/files/{fid}/raw"));
    let dl = pa.client.get(&raw_url).send().await.expect("raw");
    assert_eq!(header(&dl, "content-type"), "application/pdf");
    assert!(header(&dl, "content-disposition").starts_with("attachment;"));
    assert_eq!(dl.bytes().await.expect("bytes").to_vec(), bytes);

    // Patient B and anonymous callers get nothing.
    let anon = client(&server, false);
    for path in [format!("/threads/{tid}"), format!("/files/{fid}/raw")] {
        assert_eq!(
            pb.client
                .get(url(&server, &path))
                .send()
                .await
                .expect("pb")
                .status(),
            StatusCode::NOT_FOUND
        );
        let resp = anon.get(url(&server, &path)).send().await.expect("anon");
        assert_eq!(
            expect_json(resp, StatusCode::UNAUTHORIZED).await,
            json!({"error": "unauthorized"})
        );
    }
    let pb_list = expect_json(
        pb.client
            .get(url(&server, "/threads"))
            .send()
            .await
            .expect("list"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(pb_list, json!({"threads": []}));

    // Lock: the patient may not, the clinician may; a locked thread refuses posts.
    let lock_url = url(&server, &format!("/threads/{tid}/lock"));
    assert_eq!(
        pa.client
            .post(&lock_url)
            .form(&[("authenticity_token", &pa.csrf)])
            .send()
            .await
            .expect("lock")
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        cl.client
            .post(&lock_url)
            .form(&[("authenticity_token", &cl.csrf)])
            .send()
            .await
            .expect("lock")
            .status(),
        StatusCode::NO_CONTENT
    );
    let form = [
        ("text", "again"),
        ("files", ""),
        ("authenticity_token", pa.csrf.as_str()),
    ];
    let late = pa
        .client
        .post(url(&server, &format!("/threads/{tid}/posts")))
        .form(&form)
        .send()
        .await
        .expect("late");
    assert_eq!(late.status(), StatusCode::CONFLICT);
    let list = expect_json(
        pa.client
            .get(url(&server, "/threads"))
            .send()
            .await
            .expect("list"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["threads"][0]["state"], "locked");
}

#[tokio::test]
async fn reference_forms_access_log_notifications_and_sign_out() {
    let server = start(Dialect::Forms, &[]).await;
    let (pa, cl) = (
        sign_in(&server, "patient_a").await,
        sign_in(&server, "clinician").await,
    );
    let (tid, _) = start_thread(&server, &pa, "Private worry").await;
    cl.client
        .get(url(&server, &format!("/threads/{tid}")))
        .send()
        .await
        .expect("view");

    let log_url = url(&server, &format!("/admin/access-log?account={PA}"));
    let log = expect_json(
        cl.client.get(&log_url).send().await.expect("log"),
        StatusCode::OK,
    )
    .await;
    let entries = log["entries"].as_array().expect("entries");
    assert!(
        entries.iter().any(|e| e["who"] == CL
            && e["what"] == "conversation.view"
            && e["target"] == tid.as_str()),
        "{log}"
    );
    assert_eq!(
        pa.client.get(&log_url).send().await.expect("log").status(),
        StatusCode::FORBIDDEN
    );

    let anon = client(&server, false);
    let note_url = url(&server, &format!("/_test/notifications?account={CL}"));
    assert_eq!(
        anon.get(&note_url).send().await.expect("notes").status(),
        StatusCode::UNAUTHORIZED
    );
    let notes = expect_json(
        anon.get(&note_url)
            .header("X-Outbox-Key", &server.outbox_token)
            .send()
            .await
            .expect("notes"),
        StatusCode::OK,
    )
    .await;
    let item = &notes["items"][0];
    assert_eq!(
        (item["via"].as_str(), item["address"].as_str()),
        (Some("email"), Some("amrit.singh@clinic.reference.test"))
    );
    let body = item["body"].as_str().expect("body");
    for secret in CANARIES.iter().chain(&["Private worry", "Test results"]) {
        assert!(!body.contains(secret), "{body}");
    }

    let wrong = pa
        .client
        .post(url(&server, "/account/signout"))
        .form(&[("authenticity_token", "nope")])
        .send()
        .await
        .expect("out");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let out = pa
        .client
        .post(url(&server, "/account/signout"))
        .form(&[("authenticity_token", &pa.csrf)])
        .send()
        .await
        .expect("out");
    assert_eq!(
        (out.status(), header(&out, "location")),
        (StatusCode::SEE_OTHER, "/account/signin")
    );
    assert_eq!(
        pa.client
            .get(url(&server, "/whoami"))
            .send()
            .await
            .expect("whoami")
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn reference_forms_bad_sign_in_is_401_html() {
    let server = start(Dialect::Forms, &[]).await;
    let c = client(&server, true);
    let token = login_form(&server, &c, "/account/signin", "authenticity_token").await;
    let form = [
        ("email", "amrit.singh@clinic.reference.test"),
        ("passphrase", "wrong"),
        ("authenticity_token", token.as_str()),
    ];
    let resp = c
        .post(url(&server, "/account/signin"))
        .form(&form)
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&resp, "content-type").starts_with("text/html"));
    assert!(resp.headers().get("set-cookie").is_none());
}
