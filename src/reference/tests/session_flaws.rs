//! The session and sign-in flaws, which live in the accounts and sessions every dialect shares
//! and in its browser sign-in: what each does, shown through the dialect's own login page,
//! signed-in page and sign-out (the per-dialect flaw tests call [`bites`]).

use std::time::Duration;

use reqwest::{Client, Response, StatusCode};

use super::*;
use crate::reference::web::names::{Web, web};

/// How long sessions idle in these tests.
const IDLE: Duration = Duration::from_millis(400);

/// Whether `flaw` is one of the session and sign-in flaws [`bites`] shows.
pub(super) fn is_session(flaw: Flaw) -> bool {
    matches!(
        flaw,
        Flaw::ExpiredTokenAccepted
            | Flaw::NoLogoutRevoke
            | Flaw::NoIdleTimeout
            | Flaw::SessionFixation
            | Flaw::NoLockout
            | Flaw::WeakCookieOnPage
    )
}

/// A browser's cookies, kept by hand so that an old session cookie can be sent again.
#[derive(Default, Clone)]
struct Cookies(Vec<(String, String)>);

impl Cookies {
    fn absorb(&mut self, resp: &Response) {
        for c in resp.headers().get_all("set-cookie") {
            let Some((name, rest)) = c.to_str().ok().and_then(|c| c.split_once('=')) else {
                continue;
            };
            let value = rest.split(';').next().unwrap_or("").to_string();
            self.0.retain(|(n, _)| n != name);
            if !value.is_empty() && !rest.contains("Max-Age=0") {
                self.0.push((name.to_string(), value));
            }
        }
    }
    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One browser of the dialect: its client, the dialect's page names and its cookies.
struct Browser<'a> {
    server: &'a ReferenceServer,
    c: Client,
    w: &'static Web,
    jar: Cookies,
}

impl<'a> Browser<'a> {
    fn new(server: &'a ReferenceServer, dialect: Dialect) -> Browser<'a> {
        Browser {
            server,
            c: client(server, false),
            w: web(dialect),
            jar: Cookies::default(),
        }
    }

    async fn get(&mut self, path: &str) -> Response {
        let resp = self
            .c
            .get(url(self.server, path))
            .header("Cookie", self.jar.header())
            .send()
            .await
            .expect("page");
        self.jar.absorb(&resp);
        resp
    }

    /// The hidden CSRF field of a page.
    async fn csrf_of(&mut self, path: &str) -> String {
        let page = self.get(path).await.text().await.expect("html");
        let marker = format!("name=\"{}\" value=\"", self.w.csrf_field);
        let start = page.find(&marker).expect("csrf field") + marker.len();
        page[start..].split('"').next().expect("token").to_owned()
    }

    /// Signs in as `actor` with `pw` through the login page; the login's answer.
    async fn sign_in(&mut self, actor: &str, pw: Option<&str>) -> Response {
        let (username, right) = password(self.server, actor);
        let csrf = self.csrf_of(self.w.login).await;
        let form = [
            (self.w.user_field, username),
            (self.w.pass_field, pw.map_or(right, str::to_owned)),
            (self.w.csrf_field, csrf),
        ];
        let resp = self
            .c
            .post(url(self.server, self.w.login))
            .header("Cookie", self.jar.header())
            .form(&form)
            .send()
            .await
            .expect("login");
        self.jar.absorb(&resp);
        resp
    }

    /// Whether the signed-in page opens with these cookies.
    async fn signed_in(&mut self) -> bool {
        let home = self.w.home;
        self.get(home).await.status() == StatusCode::OK
    }

    /// Signs out through the signed-in page's form.
    async fn sign_out(&mut self) {
        let csrf = self.csrf_of(self.w.home).await;
        let resp = self
            .c
            .post(url(self.server, self.w.logout))
            .header("Cookie", self.jar.header())
            .form(&[(self.w.csrf_field, csrf)])
            .send()
            .await
            .expect("logout");
        assert_eq!(resp.status(), self.w.redirect, "sign-out answers as usual");
        self.jar.absorb(&resp);
    }
}

/// Shows that `flaw`, one of the session and sign-in flaws, bites in `dialect`: on a server of
/// its own whose sessions idle after [`IDLE`].
pub(super) async fn bites(dialect: Dialect, flaw: Flaw) {
    let server = start_with(ReferenceConfig {
        dialect,
        flaws: vec![flaw],
        latency: Duration::ZERO,
        idle_timeout: IDLE,
        ..ReferenceConfig::default()
    })
    .await;
    let mut b = Browser::new(&server, dialect);
    let session = b.w.session_cookie;
    match flaw {
        Flaw::ExpiredTokenAccepted | Flaw::NoLogoutRevoke => {
            b.sign_in("patient_a", None).await;
            let kept = b.jar.clone();
            assert!(b.signed_in().await);
            b.sign_out().await;
            assert!(!b.signed_in().await, "the browser dropped its cookie");
            b.jar = kept;
            assert!(
                b.signed_in().await,
                "{flaw}: the logged-out session still works"
            );
            tokio::time::sleep(IDLE * 2).await;
            assert_eq!(
                b.signed_in().await,
                flaw == Flaw::ExpiredTokenAccepted,
                "{flaw}: only expired-token-accepted also takes an idled-out session"
            );
        }
        Flaw::NoIdleTimeout => {
            b.sign_in("patient_a", None).await;
            tokio::time::sleep(IDLE * 2).await;
            assert!(b.signed_in().await, "an idle session still works");
            let kept = b.jar.clone();
            b.sign_out().await;
            b.jar = kept;
            assert!(!b.signed_in().await, "logout still ends it");
        }
        Flaw::SessionFixation => {
            b.get(b.w.entry).await;
            let csrf = b.csrf_of(b.w.login).await;
            assert!(!csrf.is_empty());
            let planted = b
                .jar
                .get(session)
                .expect("a session cookie before login")
                .to_owned();
            b.sign_in("patient_a", None).await;
            assert_eq!(b.jar.get(session), Some(planted.as_str()), "the same id");
            assert!(b.signed_in().await, "the planted id is signed in");
        }
        Flaw::NoLockout => {
            for _ in 0..8 {
                let wrong = b.sign_in("patient_c", Some("not-the-password")).await;
                assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
            }
            let right = b.sign_in("patient_c", None).await;
            assert_eq!(right.status(), b.w.redirect, "never locked");
            assert!(b.signed_in().await);
        }
        Flaw::WeakCookieOnPage => {
            let page = b.get(b.w.entry).await;
            let set = header(&page, "set-cookie").to_owned();
            assert!(set.starts_with(&format!("{session}=")), "{set}");
            for flag in ["Secure", "HttpOnly", "SameSite"] {
                assert!(!set.contains(flag), "{set}");
            }
            let login = b.sign_in("patient_a", None).await;
            let strong = login
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with(&format!("{session}=")))
                .expect("the login sets the session cookie")
                .to_owned();
            assert!(
                strong.contains("Secure") && strong.contains("HttpOnly"),
                "{strong}"
            );
        }
        other => panic!("`{other}` is not a session flaw"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn reference_session_flaws_bite_in_rest_and_forms() {
    for dialect in [Dialect::Rest, Dialect::Forms] {
        for &flaw in Flaw::ALL.iter().filter(|f| is_session(**f)) {
            bites(dialect, flaw).await;
        }
    }
}

#[tokio::test]
async fn reference_clean_sessions_end_rotate_and_lock() {
    let server = start_with(ReferenceConfig {
        idle_timeout: IDLE,
        latency: Duration::ZERO,
        ..ReferenceConfig::default()
    })
    .await;
    let mut b = Browser::new(&server, Dialect::Rest);
    let session = b.w.session_cookie;
    b.get(b.w.entry).await;
    b.csrf_of(b.w.login).await;
    assert_eq!(b.jar.get(session), None, "no session cookie before login");
    b.sign_in("patient_a", None).await;
    let kept = b.jar.clone();
    b.sign_out().await;
    b.jar = kept;
    assert!(!b.signed_in().await, "logout ends the session");
    b.sign_in("patient_a", None).await;
    tokio::time::sleep(IDLE * 2).await;
    assert!(!b.signed_in().await, "an idle session ends");
    for _ in 0..5 {
        b.sign_in("patient_c", Some("not-the-password")).await;
    }
    let right = b.sign_in("patient_c", None).await;
    assert_eq!(right.status(), StatusCode::UNAUTHORIZED, "locked");
    server.shutdown().await;
}
