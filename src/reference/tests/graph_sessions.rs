//! Signing in to the `graph` dialect: `login` with its lockout, refresh tokens that work once,
//! `logout` that ends both tokens, access tokens that end after their lifetime or idle, and the
//! browser sign-in with its CSRF field and cookie.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::graph::{CL_N, PA_N, data, login, login_answer, refused};
use super::sessions::login_form;
use super::*;

const ME: &str = "{ me { id } }";
const REFRESH: &str = "mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken refreshToken expiresIn } }";

#[tokio::test]
async fn reference_graph_login_refresh_and_logout() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let answer = login_answer(&server, &c, "clinician").await;
    assert_eq!(answer["expiresIn"], 300);
    assert_eq!(
        answer["user"],
        json!({"id": CL_N, "name": "Dr. Amrit Singh", "role": "CLINICIAN",
               "email": "amrit.singh@clinic.reference.test"})
    );
    let first = login(&server, &c, "patient_a").await;
    let me = data(&server, &c, Some(&first.access), ME, json!({})).await;
    assert_eq!(me, json!({"me": {"id": PA_N}}));

    // A refresh brings a new pair and ends the old one; the old refresh token works once.
    let renewed = data(&server, &c, None, REFRESH, json!({ "r": first.refresh })).await;
    let pair = &renewed["refreshSession"];
    let (access, refresh) = (
        pair["accessToken"].as_str().expect("access").to_owned(),
        pair["refreshToken"].as_str().expect("refresh").to_owned(),
    );
    assert_eq!(pair["expiresIn"], 300);
    assert!(access != first.access && refresh != first.refresh);
    assert_eq!(
        refused(&server, &c, Some(&first.access), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let again = refused(&server, &c, None, REFRESH, json!({ "r": first.refresh })).await;
    assert_eq!(again, "UNAUTHENTICATED");
    data(&server, &c, Some(&access), ME, json!({})).await;

    // Logout ends the access token and its refresh token; it needs a token itself.
    assert_eq!(
        refused(&server, &c, None, "mutation { logout }", json!({})).await,
        "UNAUTHENTICATED"
    );
    let out = data(&server, &c, Some(&access), "mutation { logout }", json!({})).await;
    assert_eq!(out, json!({"logout": true}));
    assert_eq!(
        refused(&server, &c, Some(&access), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let after = refused(&server, &c, None, REFRESH, json!({ "r": refresh })).await;
    assert_eq!(after, "UNAUTHENTICATED");
    // Another sign-in of the same user is untouched.
    let other = login(&server, &c, "patient_a").await;
    data(&server, &c, Some(&other.access), ME, json!({})).await;
}

#[tokio::test]
async fn reference_graph_wrong_passwords_then_lockout() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, false);
    let (email, pw) = password(&server, "patient_c");
    let attempt = |pass: String| {
        let (server, c, email) = (&server, c.clone(), email.clone());
        async move {
            refused(
                server,
                &c,
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                json!({ "e": email, "p": pass }),
            )
            .await
        }
    };
    for n in 0..5 {
        assert_eq!(
            attempt(format!("wrong-{n}")).await,
            "UNAUTHENTICATED",
            "attempt {n}"
        );
    }
    assert_eq!(attempt(pw).await, "LOCKED");
    let stranger = refused(
        &server,
        &c,
        None,
        "mutation { login(email: \"nobody@reference.test\", password: \"x\") { accessToken } }",
        Value::Null,
    )
    .await;
    assert_eq!(stranger, "UNAUTHENTICATED");
}

#[tokio::test]
async fn reference_graph_access_tokens_end_after_their_lifetime_and_when_idle() {
    let server = start_with(ReferenceConfig {
        dialect: Dialect::Graph,
        token_lifetime: Duration::from_millis(1500),
        ..ReferenceConfig::default()
    })
    .await;
    let c = client(&server, false);
    let answer = login_answer(&server, &c, "patient_a").await;
    assert_eq!(answer["expiresIn"], 1);
    let tokens = login(&server, &c, "patient_a").await;
    // Used all along, the token still ends at its lifetime; its refresh token still works.
    for _ in 0..3 {
        data(&server, &c, Some(&tokens.access), ME, json!({})).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        refused(&server, &c, Some(&tokens.access), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let renewed = data(&server, &c, None, REFRESH, json!({ "r": tokens.refresh })).await;
    let access = renewed["refreshSession"]["accessToken"]
        .as_str()
        .expect("access");
    data(&server, &c, Some(access), ME, json!({})).await;

    let idle = start_with(ReferenceConfig {
        dialect: Dialect::Graph,
        idle_timeout: Duration::from_millis(600),
        ..ReferenceConfig::default()
    })
    .await;
    let c = client(&idle, false);
    let tokens = login(&idle, &c, "patient_a").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        refused(&idle, &c, Some(&tokens.access), ME, json!({})).await,
        "UNAUTHENTICATED"
    );
    let late = refused(&idle, &c, None, REFRESH, json!({ "r": tokens.refresh })).await;
    assert_eq!(late, "UNAUTHENTICATED", "a refresh token idles out too");
}

#[tokio::test]
async fn reference_graph_web_sign_in_and_pages() {
    let server = start(Dialect::Graph, &[]).await;
    let c = client(&server, true);
    for path in ["/app/messages", "/app/messages/new"] {
        let resp = client(&server, false)
            .get(url(&server, path))
            .send()
            .await
            .expect("page");
        assert_eq!(
            (resp.status(), header(&resp, "location")),
            (StatusCode::SEE_OTHER, "/account/login"),
            "{path}"
        );
    }
    for path in ["/", "/account/login", "/legal/privacy", "/legal/terms"] {
        let resp = c.get(url(&server, path)).send().await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    let (email, pass) = password(&server, "patient_a");
    let csrf = login_form(&server, &c, "/account/login", "csrf").await;
    let ok = c
        .post(url(&server, "/account/login"))
        .form(&[("email", email), ("password", pass), ("csrf", csrf)])
        .send()
        .await
        .expect("sign in");
    assert_eq!(
        (ok.status(), header(&ok, "location")),
        (StatusCode::SEE_OTHER, "/app/messages")
    );
    let session = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gq_sid="))
        .expect("session cookie")
        .to_owned();
    assert!(
        session.ends_with("; Path=/; Secure; HttpOnly; SameSite=Strict"),
        "{session}"
    );
    let inbox = c
        .get(url(&server, "/app/messages"))
        .send()
        .await
        .expect("inbox");
    assert_eq!(inbox.status(), StatusCode::OK);
    let page = inbox.text().await.expect("html");
    assert!(page.contains("action=\"/account/logout\""), "{page}");
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("sign-out token") + marker.len();
    let token = page[start..].split('"').next().expect("token");
    let out = c
        .post(url(&server, "/account/logout"))
        .form(&[("csrf", token)])
        .send()
        .await
        .expect("sign out");
    assert_eq!(
        (out.status(), header(&out, "location")),
        (StatusCode::SEE_OTHER, "/account/login")
    );
}
