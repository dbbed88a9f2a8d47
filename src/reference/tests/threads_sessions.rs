//! Signing in to the `threads` dialect: the token endpoint and its clients (password grant,
//! client-credentials grant of the sandbox client, revocation), the browser sign-in with its
//! CSRF token and cookies, and the pages that send anonymous callers to sign in.

use reqwest::StatusCode;
use serde_json::json;

use super::sessions::login_form;
use super::threads::{get, token};
use super::*;

#[tokio::test]
async fn reference_threads_token_endpoint_needs_a_known_client() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    let (username, pw) = password(&server, "patient_a");
    let ask = |form: Vec<(&'static str, String)>| {
        let (c, to) = (c.clone(), url(&server, "/v2/oauth/token"));
        async move { c.post(to).form(&form).send().await.expect("token") }
    };
    let grant = |client: Option<&str>, pw: &str| {
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            ("username", username.clone()),
            ("password", pw.to_owned()),
        ];
        form.extend(client.map(|id| ("client_id", id.to_owned())));
        form
    };
    for (form, status, error) in [
        (grant(None, &pw), StatusCode::UNAUTHORIZED, "invalid_client"),
        (
            grant(Some("vvcheck-demo"), &pw),
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            grant(Some("vvcheck-threads"), "wrong"),
            StatusCode::BAD_REQUEST,
            "invalid_grant",
        ),
        (
            grant(Some("vvcheck-sandbox"), &pw),
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
        ),
        (
            vec![
                ("grant_type", "implicit".into()),
                ("client_id", "vvcheck-threads".into()),
            ],
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
    ] {
        let resp = ask(form).await;
        assert_eq!(expect_json(resp, status).await, json!({ "error": error }));
    }

    // The sandbox client's secret is the outbox token; its token reads nothing but the sandbox.
    let sandbox = |secret: &str, scope: &str| {
        vec![
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", "vvcheck-sandbox".to_owned()),
            ("client_secret", secret.to_owned()),
            ("scope", scope.to_owned()),
        ]
    };
    let wrong = ask(sandbox("guess", "sandbox")).await;
    assert_eq!(
        expect_json(wrong, StatusCode::UNAUTHORIZED).await,
        json!({"error": "invalid_client"})
    );
    let scope = ask(sandbox(&server.outbox_token, "threads")).await;
    assert_eq!(
        expect_json(scope, StatusCode::BAD_REQUEST).await,
        json!({"error": "invalid_scope"})
    );
    let ok = expect_json(
        ask(sandbox(&server.outbox_token, "sandbox")).await,
        StatusCode::OK,
    )
    .await;
    // A service token lives the token lifetime, not the (possibly seconds-short) idle timeout.
    assert_eq!(
        (&ok["expires_in"], &ok["scope"]),
        (&json!(300), &json!("sandbox"))
    );
    let service = ok["access_token"].as_str().expect("token");
    let me = get(&server, &c, "/v2/me", Some(service)).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    // A user's token works until it is revoked.
    let tok = token(&server, &c, "patient_a").await;
    let revoke = c
        .post(url(&server, "/v2/oauth/revoke"))
        .bearer_auth(&tok)
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoke.status(), StatusCode::NO_CONTENT);
    let after = get(&server, &c, "/v2/me", Some(&tok)).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reference_threads_web_sign_in_takes_a_csrf_token() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, true);
    let (login, pass) = password(&server, "patient_a");
    let csrf = login_form(&server, &c, "/signin", "_csrf").await;
    let post =
        |form: Vec<(&'static str, String)>| c.post(url(&server, "/signin")).form(&form).send();
    let forged = post(vec![("login", login.clone()), ("pass", pass.clone())])
        .await
        .expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let without_cookie = client(&server, false)
        .post(url(&server, "/signin"))
        .form(&[("login", &login), ("pass", &pass), ("_csrf", &csrf)])
        .send()
        .await
        .expect("post");
    assert_eq!(without_cookie.status(), StatusCode::FORBIDDEN);
    let ok = post(vec![("login", login), ("pass", pass), ("_csrf", csrf)])
        .await
        .expect("post");
    assert_eq!(
        (ok.status(), header(&ok, "location")),
        (StatusCode::FOUND, "/app/inbox")
    );
    let cookies: Vec<String> = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect();
    let find = |name: &str| {
        cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name} in {cookies:?}"))
            .clone()
    };
    let session = find("thr_session");
    assert!(
        session.ends_with("; Path=/; Secure; HttpOnly; SameSite=Lax"),
        "{session}"
    );
    let xsrf = find("XSRF-TOKEN");
    assert!(xsrf.ends_with("; Path=/; Secure; SameSite=Lax"), "{xsrf}");
    let xsrf = xsrf
        .trim_start_matches("XSRF-TOKEN=")
        .split(';')
        .next()
        .expect("value")
        .to_owned();

    let inbox = c
        .get(url(&server, "/app/inbox"))
        .send()
        .await
        .expect("inbox");
    assert_eq!(inbox.status(), StatusCode::OK);
    let page = inbox.text().await.expect("html");
    assert!(
        page.contains(&format!("name=\"_csrf\" value=\"{xsrf}\"")),
        "{page}"
    );
    let compose = c
        .get(url(&server, "/app/compose"))
        .send()
        .await
        .expect("compose");
    assert_eq!(compose.status(), StatusCode::OK);
    let sent = c
        .post(url(&server, "/app/compose"))
        .form(&[
            ("recipient", CL),
            ("subject", "From the page"),
            ("body", "Hi"),
            ("_csrf", &xsrf),
        ])
        .send()
        .await
        .expect("compose post");
    assert_eq!(
        (sent.status(), header(&sent, "location")),
        (StatusCode::FOUND, "/app/inbox")
    );
    let out = c
        .post(url(&server, "/signout"))
        .form(&[("_csrf", &xsrf)])
        .send()
        .await
        .expect("sign out");
    assert_eq!(
        (out.status(), header(&out, "location")),
        (StatusCode::FOUND, "/signin")
    );
}

#[tokio::test]
async fn reference_threads_pages_send_anonymous_callers_to_sign_in() {
    let server = start(Dialect::Threads, &[]).await;
    let c = client(&server, false);
    for path in ["/app/inbox", "/app/compose"] {
        let resp = c.get(url(&server, path)).send().await.expect("page");
        assert_eq!(
            (resp.status(), header(&resp, "location")),
            (StatusCode::FOUND, "/signin"),
            "{path}"
        );
    }
    for path in ["/", "/signin", "/about/privacy", "/about/terms"] {
        let resp = c.get(url(&server, path)).send().await.expect("page");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
    }
    let forged = c
        .post(url(&server, "/app/compose"))
        .form(&[("recipient", CL), ("subject", "s"), ("body", "b")])
        .send()
        .await
        .expect("compose");
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}
