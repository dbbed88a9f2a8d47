//! Sessions in the `rest` dialect: revocation, new ids at login, lockout, idle timeout, and the
//! browser sign-in with its pre-session CSRF token, cookie attributes, compose and sign-out.

use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use super::rest::token;
use super::*;

#[tokio::test]
async fn reference_rest_sessions_revoke_rotate_and_lock_out() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, false);
    let (t1, t2) = (
        token(&server, &c, "patient_a").await,
        token(&server, &c, "patient_a").await,
    );
    assert_ne!(t1, t2);
    assert_eq!(
        c.post(url(&server, "/oauth/revoke"))
            .bearer_auth(&t1)
            .send()
            .await
            .expect("revoke")
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        c.get(url(&server, "/api/me"))
            .bearer_auth(&t1)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        c.get(url(&server, "/api/me"))
            .bearer_auth(&t2)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        c.get(url(&server, "/api/me"))
            .bearer_auth("garbage")
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let (username, right) = password(&server, "patient_b");
    let attempt = |pw: String| {
        let c = c.clone();
        let (u, to) = (username.clone(), url(&server, "/oauth/token"));
        async move {
            let form = [
                ("grant_type", "password"),
                ("username", u.as_str()),
                ("password", pw.as_str()),
                ("client_id", "vvcheck-demo"),
            ];
            c.post(to).form(&form).send().await.expect("token")
        }
    };
    for _ in 0..5 {
        let resp = attempt("wrong".into()).await;
        assert_eq!(
            expect_json(resp, StatusCode::BAD_REQUEST).await,
            json!({"error": "invalid_grant"})
        );
    }
    assert_eq!(
        attempt(right).await.status(),
        StatusCode::BAD_REQUEST,
        "locked even for the right password"
    );
}

#[tokio::test]
async fn reference_rest_idle_timeout_ends_sessions() {
    let server = start_with(ReferenceConfig {
        idle_timeout: Duration::from_millis(300),
        ..ReferenceConfig::default()
    })
    .await;
    let c = client(&server, false);
    let (username, pw) = password(&server, "clinician");
    let form = [
        ("grant_type", "password"),
        ("username", username.as_str()),
        ("password", pw.as_str()),
        ("client_id", "vvcheck-demo"),
    ];
    let tok: Value = json(
        c.post(url(&server, "/oauth/token"))
            .form(&form)
            .send()
            .await
            .expect("token"),
    )
    .await;
    let tok = tok["access_token"].as_str().expect("token").to_owned();
    assert_eq!(
        c.get(url(&server, "/api/me"))
            .bearer_auth(&tok)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(
        c.get(url(&server, "/api/me"))
            .bearer_auth(&tok)
            .send()
            .await
            .expect("me")
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// Fetches the login form; returns the CSRF token (the client keeps the pre-session cookie).
pub(super) async fn login_form(
    server: &ReferenceServer,
    c: &Client,
    path: &str,
    field: &str,
) -> String {
    let page = c
        .get(url(server, path))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("html");
    let marker = format!("name=\"{field}\" value=\"");
    let start = page.find(&marker).expect("csrf field") + marker.len();
    page[start..].split('"').next().expect("token").to_owned()
}

#[tokio::test]
async fn reference_rest_browser_login_and_logout() {
    let server = start(Dialect::Rest, &[]).await;
    let c = client(&server, true);
    let (username, pw) = password(&server, "patient_a");
    let csrf = login_form(&server, &c, "/login", "csrf_token").await;
    let post =
        |form: Vec<(&'static str, String)>| c.post(url(&server, "/login")).form(&form).send();
    let bad_csrf = post(vec![
        ("username", username.clone()),
        ("password", pw.clone()),
        ("csrf_token", "x".into()),
    ])
    .await
    .expect("post");
    assert_eq!(bad_csrf.status(), StatusCode::FORBIDDEN);
    let bad_pw = post(vec![
        ("username", username.clone()),
        ("password", "nope".into()),
        ("csrf_token", csrf.clone()),
    ])
    .await
    .expect("post");
    assert_eq!(bad_pw.status(), StatusCode::UNAUTHORIZED);
    let ok = post(vec![
        ("username", username),
        ("password", pw),
        ("csrf_token", csrf),
    ])
    .await
    .expect("post");
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(header(&ok, "location"), "/inbox");
    let cookie = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vv_session="))
        .expect("session cookie")
        .to_owned();
    assert!(
        cookie.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );

    let inbox = c.get(url(&server, "/inbox")).send().await.expect("inbox");
    assert_eq!(inbox.status(), StatusCode::OK);
    assert_eq!(header(&inbox, "cache-control"), "no-store");
    assert!(
        inbox
            .text()
            .await
            .expect("html")
            .contains("no conversations")
    );

    // The compose form starts a conversation and returns to the inbox.
    let page = c
        .get(url(&server, "/compose"))
        .send()
        .await
        .expect("compose")
        .text()
        .await
        .expect("html");
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_owned();
    let form = [
        ("recipient", CL),
        ("subject", "Sent from the page"),
        ("body", "Hello"),
        ("csrf_token", csrf.as_str()),
    ];
    let sent = c
        .post(url(&server, "/compose"))
        .form(&form)
        .send()
        .await
        .expect("compose post");
    assert_eq!(
        (sent.status(), header(&sent, "location")),
        (StatusCode::SEE_OTHER, "/inbox")
    );
    let forged = c
        .post(url(&server, "/compose"))
        .form(&[("recipient", CL), ("subject", "s"), ("body", "b")])
        .send()
        .await
        .expect("forged");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let page = c
        .get(url(&server, "/inbox"))
        .send()
        .await
        .expect("inbox")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Sent from the page"));
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_owned();
    let out = c
        .post(url(&server, "/logout"))
        .form(&[("csrf_token", csrf)])
        .send()
        .await
        .expect("logout");
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    // The old session id is dead server-side even if a client replays it.
    let sid = cookie.split(';').next().expect("pair").to_owned();
    let replay = client(&server, false)
        .get(url(&server, "/inbox"))
        .header("cookie", sid)
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
}
