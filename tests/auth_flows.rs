//! Login flows the reference server does not use: OAuth2 client credentials, and a JSON login
//! whose CSRF token comes from the response body and goes back in a header. A tiny vendor
//! stand-in on 127.0.0.1 checks what vvcheck sends.

mod common;

use axum::Router;
use axum::extract::Form;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use vvcheck::http::{HttpClient, HttpOptions, OutBody, Outgoing, RequestTag, auth};
use vvcheck::model::resolve::ResolvedTarget;

const CLIENT_SECRET: &str = "cc-secret-0123456789";
const PASSWORD: &str = "json-login-password-0123";

async fn token(Form(f): Form<std::collections::HashMap<String, String>>) -> Response {
    let ok = f.get("grant_type").map(String::as_str) == Some("client_credentials")
        && f.get("client_id").map(String::as_str) == Some("svc")
        && f.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
        && f.get("scope").map(String::as_str) == Some("outbox.read");
    if ok {
        axum::Json(json!({"access_token": "cc-token-abcdef0123", "token_type": "Bearer", "user": {"id": "svc-1"}})).into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!({"error": "invalid_client"})),
        )
            .into_response()
    }
}

async fn session_login(axum::Json(body): axum::Json<Value>) -> Response {
    if body["email"] == "pa@test" && body["password"] == PASSWORD {
        (
            [(
                "set-cookie",
                "sid=s-42; Path=/; Secure; HttpOnly; SameSite=Strict",
            )],
            axum::Json(json!({"csrf": "csrf-777", "user": {"uid": "u-9"}})),
        )
            .into_response()
    } else {
        StatusCode::UNAUTHORIZED.into_response()
    }
}

async fn protected(headers: HeaderMap) -> StatusCode {
    let cookie = headers
        .get("cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let csrf = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if (cookie.contains("sid=s-42") && csrf == "csrf-777") || bearer == "Bearer cc-token-abcdef0123"
    {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    }
}

async fn stand_in() -> String {
    let app = Router::new()
        .route("/oauth/token", post(token))
        .route("/session", post(session_login))
        .route("/protected", post(protected));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}")
}

fn target(base: &str, dir: &std::path::Path) -> ResolvedTarget {
    std::fs::write(
        dir.join("secrets.env"),
        format!("CC_SECRET={CLIENT_SECRET}\nPA_PASSWORD={PASSWORD}\n"),
    )
    .unwrap();
    let yaml = format!(
        r#"name: stand-in
base_url: {base}
auth:
  svc: {{ kind: oauth2_client_credentials, token_url: /oauth/token, client_id: svc, client_secret: {{ file: secrets.env, key: CC_SECRET }}, scope: outbox.read, capture: {{ id: $.user.id }} }}
  web:
    kind: form_cookie
    path: /session
    json: {{ email: "{{{{username}}}}", password: "{{{{password}}}}" }}
    csrf: {{ from_json: $.csrf, send_header: X-CSRF-Token }}
    capture: {{ id: $.user.uid }}
actors:
  service: {{ auth: svc }}
  patient_a: {{ auth: web, username: pa@test, password: {{ file: secrets.env, key: PA_PASSWORD }} }}
operations: {{}}
"#
    );
    common::target_from_yaml(&yaml, dir)
}

async fn post_protected(http: &HttpClient, t: &ResolvedTarget, s: &vvcheck::http::Session) -> u16 {
    let mut req = Outgoing {
        method: reqwest::Method::POST,
        url: t.url("/protected").unwrap(),
        headers: Vec::new(),
        body: OutBody::None,
        follow_redirects: false,
    };
    s.apply(&mut req);
    let tag = RequestTag {
        actor: &s.actor,
        purpose: "protected",
    };
    http.send(&req, tag).await.outcome.unwrap().status
}

#[tokio::test]
async fn client_credentials_and_json_login_with_csrf_header() {
    let base = stand_in().await;
    let dir = tempfile::tempdir().unwrap();
    let t = target(&base, dir.path());
    let http = HttpClient::new(
        &t,
        &HttpOptions {
            insecure: false,
            retries: 0,
            rate: None,
            ..Default::default()
        },
    )
    .unwrap();

    let svc = auth::login(&http, &t, &t.actors["service"])
        .await
        .expect("client-credentials login");
    assert_eq!(svc.attrs["id"], "svc-1");
    assert_eq!(post_protected(&http, &t, &svc).await, 200);
    assert_eq!(
        post_protected(&http, &t, &svc.malformed()).await,
        403,
        "a forged token is refused"
    );

    let pa = auth::login(&http, &t, &t.actors["patient_a"])
        .await
        .expect("JSON login");
    assert_eq!(pa.attrs["id"], "u-9");
    assert_eq!(pa.csrf.as_ref().map(|c| c.value.as_str()), Some("csrf-777"));
    assert_eq!(pa.login_cookies[0].name, "sid");
    assert_eq!(
        post_protected(&http, &t, &pa).await,
        200,
        "cookie and CSRF header go back on unsafe methods"
    );

    // The login exchanges are evidence, and hold no secret.
    let recorded = format!("{:?}", pa.login_exchanges);
    assert!(
        !recorded.contains(PASSWORD) && recorded.contains("[REDACTED]"),
        "{recorded}"
    );
    assert!(
        !recorded.contains("csrf-777"),
        "the CSRF token taken from the login response is masked in its record too: {recorded}"
    );
    let recorded = format!("{:?}", svc.login_exchanges);
    assert!(
        !recorded.contains(CLIENT_SECRET) && !recorded.contains("cc-token-abcdef0123"),
        "{recorded}"
    );
}

#[tokio::test]
async fn a_refused_login_is_an_error_naming_the_actor() {
    let base = stand_in().await;
    let dir = tempfile::tempdir().unwrap();
    let mut t = target(&base, dir.path());
    t.actors.get_mut("patient_a").unwrap().password = Some(
        vvcheck::model::resolve::SecretString::new("wrong-password-xyz"),
    );
    let http = HttpClient::new(
        &t,
        &HttpOptions {
            insecure: false,
            retries: 0,
            rate: None,
            ..Default::default()
        },
    )
    .unwrap();
    let err = auth::login(&http, &t, &t.actors["patient_a"])
        .await
        .unwrap_err();
    assert_eq!(
        err.message,
        "login as patient_a failed: the login answered 401"
    );
}
