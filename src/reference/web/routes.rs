//! The page and sign-in routes of every dialect: pages, sign-in with a pre-session CSRF token,
//! cookie sessions, compose and sign-out. Paths, field and cookie names come from the dialect's
//! [`Web`], and so does the status of its redirects.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use super::names::{Web, web};
use super::pages::{self, Lang, Look, SignedIn};
use super::stylesheet::{LOGO, LOW_CONTRAST, STYLESHEET};
use crate::reference::app::auth::{Caller, same_secret, secret};
use crate::reference::app::config::Dialect;
use crate::reference::app::error::ApiError;
use crate::reference::app::flaws::Flaw;
use crate::reference::app::phi::phi;
use crate::reference::app::request::{cookie, field};
use crate::reference::app::state::AppState;

/// The page and sign-in routes of the running dialect.
pub(crate) fn router(dialect: Dialect) -> Router<AppState> {
    let w = web(dialect);
    let mut router = Router::new()
        .route(w.entry, get(entry))
        .route(w.login, get(login_form).post(login_submit))
        .route(w.home, get(inbox))
        .route(w.compose, get(compose_form).post(compose_submit))
        .route(
            w.privacy,
            get(|s: State<AppState>| async move {
                Html(pages::privacy(web(s.settings.dialect), &look(&s)))
            }),
        )
        .route(
            w.terms,
            get(|s: State<AppState>| async move {
                Html(pages::terms(web(s.settings.dialect), &look(&s)))
            }),
        )
        .route(w.support, get(support))
        .route(w.logout, post(logout))
        .route("/.well-known/security.txt", get(security_txt))
        .route(
            "/assets/site.css",
            get(|s: State<AppState>| async move {
                let css = if s.has(Flaw::A11yLowContrast) {
                    format!("{STYLESHEET}{LOW_CONTRAST}")
                } else {
                    STYLESHEET.to_string()
                };
                ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], css)
            }),
        )
        .route(
            "/assets/logo.svg",
            get(|| async { ([(header::CONTENT_TYPE, "image/svg+xml")], LOGO) }),
        );
    if let Some(path) = w.entry_fr {
        router = router.route(path, get(entry_fr));
    }
    if let Some(path) = w.compose_fr {
        router = router.route(path, get(compose_form_fr));
    }
    router
}

/// What the pages show under the server's flaws.
fn look(state: &AppState) -> Look {
    Look {
        privacy_link: !state.has(Flaw::NoPrivacyLink),
        emergency_notice: !state.has(Flaw::NoEmergencyNotice),
        response_time: !state.has(Flaw::NoResponseTime),
        zoom: !state.has(Flaw::ZoomBlocked),
        support: !state.has(Flaw::NoSupportPage),
        labels: !state.has(Flaw::A11yMissingLabels),
        lang: !state.has(Flaw::A11yNoLang),
        alt: !state.has(Flaw::A11yMissingAlt),
        named_buttons: !state.has(Flaw::A11yEmptyButton),
        inbox_zoom: !state.has(Flaw::A11yZoomBlocked),
        bypass: !state.has(Flaw::A11yNoBypass),
        titles: !state.has(Flaw::A11yUntitled),
        tab_order: !state.has(Flaw::A11yTabOrder),
        named_links: !state.has(Flaw::A11yEmptyLink),
        lang_parts: !state.has(Flaw::A11yBadLangPart),
        unique_ids: !state.has(Flaw::A11yDuplicateId),
        no_refresh: !state.has(Flaw::A11yMetaRefresh),
        still: !state.has(Flaw::A11yMarquee),
    }
}

/// The support page; absent under `no-support-page`.
async fn support(State(state): State<AppState>) -> Response {
    if state.has(Flaw::NoSupportPage) {
        return StatusCode::NOT_FOUND.into_response();
    }
    Html(pages::support(web(state.settings.dialect), &look(&state))).into_response()
}

type Fields = Form<HashMap<String, String>>;

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// The dialect's page redirect (303 or 302) to `to`, with these `Set-Cookie` values.
fn redirect(w: &Web, to: &str, cookies: &[String]) -> Response {
    let mut resp = (w.redirect, [(header::LOCATION, to)]).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

fn strong_cookie(w: &Web, name: &str, value: &str, http_only: bool) -> String {
    let http_only = if http_only { "; HttpOnly" } else { "" };
    format!(
        "{name}={value}; Path=/; Secure{http_only}; SameSite={}",
        w.same_site
    )
}

fn expired_cookie(w: &Web, name: &str) -> String {
    format!(
        "{name}=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite={}",
        w.same_site
    )
}

/// The disclosure contact (RFC 9116), valid for 180 days from now; absent under
/// `no-security-txt`.
async fn security_txt(State(state): State<AppState>) -> Response {
    if state.has(Flaw::NoSecurityTxt) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(180))
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "2099-01-01T00:00:00Z".to_string());
    let body = format!(
        "# Security contact of the vvcheck reference server (RFC 9116).\n\
         Contact: mailto:security@reference.test\n\
         Expires: {expires}\n\
         Preferred-Languages: en, fr\n\
         Canonical: {}/.well-known/security.txt\n",
        state.settings.base_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The session signed in through the browser, if any.
fn page_caller(state: &AppState, headers: &HeaderMap) -> Option<Caller> {
    let w = web(state.settings.dialect);
    state.auth.session(cookie(headers, w.session_cookie)?)
}

/// Appends a `Set-Cookie` header.
fn set_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Whether the request carries no session cookie yet.
fn no_session_cookie(w: &Web, headers: &HeaderMap) -> bool {
    cookie(headers, w.session_cookie).is_none_or(str::is_empty)
}

async fn entry(state: State<AppState>, headers: HeaderMap) -> Response {
    entry_in(state, headers, Lang::En)
}

async fn entry_fr(state: State<AppState>, headers: HeaderMap) -> Response {
    entry_in(state, headers, Lang::Fr)
}

fn entry_in(State(state): State<AppState>, headers: HeaderMap, lang: Lang) -> Response {
    let w = web(state.settings.dialect);
    let mut resp = Html(pages::entry(w, &look(&state), lang)).into_response();
    // `weak-cookie-on-page`: an anonymous session starts on the first page, its cookie bare.
    if state.has(Flaw::WeakCookieOnPage) && no_session_cookie(w, &headers) {
        set_cookie(
            &mut resp,
            &format!("{}={}; Path=/", w.session_cookie, secret(40)),
        );
    }
    resp
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let w = web(state.settings.dialect);
    let (pre, csrf) = state.auth.open_pre_session();
    let mut resp = Html(pages::login(w, &look(&state), &csrf, None)).into_response();
    set_cookie(&mut resp, &strong_cookie(w, w.pre_cookie, &pre, true));
    // `session-fixation`: the session id is handed out before sign-in, and kept through it.
    if state.has(Flaw::SessionFixation) && no_session_cookie(w, &headers) {
        set_cookie(
            &mut resp,
            &strong_cookie(w, w.session_cookie, &secret(40), true),
        );
    }
    resp
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Fields,
) -> Response {
    let w = web(state.settings.dialect);
    let csrf = field(&form, w.csrf_field);
    let pre_ok =
        cookie(&headers, w.pre_cookie).is_some_and(|pre| state.auth.pre_session_matches(pre, csrf));
    if !pre_ok {
        let page = pages::login(
            w,
            &look(&state),
            "",
            Some("Your sign-in form expired. Please reload the page and try again."),
        );
        return html(StatusCode::FORBIDDEN, page);
    }
    let Some(user) = state
        .auth
        .login(field(&form, w.user_field), field(&form, w.pass_field))
    else {
        let page = pages::login(
            w,
            &look(&state),
            csrf,
            Some("The email address or password is not correct."),
        );
        return html(StatusCode::UNAUTHORIZED, page);
    };
    let held = cookie(&headers, w.session_cookie).filter(|sid| !sid.is_empty());
    let session = match held {
        Some(sid) if state.has(Flaw::SessionFixation) => state.auth.open_session_as(user, sid),
        _ => state.auth.open_session(user),
    };
    let session_cookie = if state.has(Flaw::WeakCookie) {
        format!("{}={}; Path=/", w.session_cookie, session.sid)
    } else {
        strong_cookie(w, w.session_cookie, &session.sid, true)
    };
    let mut cookies = vec![session_cookie, expired_cookie(w, w.pre_cookie)];
    if let Some(name) = w.csrf_cookie {
        cookies.push(strong_cookie(w, name, &session.csrf, false));
    }
    redirect(w, w.home, &cookies)
}

async fn inbox(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let w = web(state.settings.dialect);
    let Some(caller) = page_caller(&state, &headers) else {
        return redirect(w, w.login, &[]);
    };
    let who = SignedIn {
        user: caller.user,
        csrf: &caller.csrf,
    };
    phi(Html(pages::inbox(
        w,
        &look(&state),
        &who,
        &state.conversations(caller.user),
    )))
}

async fn compose_form(state: State<AppState>, headers: HeaderMap) -> Response {
    compose_in(state, headers, Lang::En)
}

async fn compose_form_fr(state: State<AppState>, headers: HeaderMap) -> Response {
    compose_in(state, headers, Lang::Fr)
}

fn compose_in(State(state): State<AppState>, headers: HeaderMap, lang: Lang) -> Response {
    let w = web(state.settings.dialect);
    let Some(caller) = page_caller(&state, &headers) else {
        return redirect(w, w.login, &[]);
    };
    let who = SignedIn {
        user: caller.user,
        csrf: &caller.csrf,
    };
    phi(Html(pages::compose(w, &look(&state), &who, lang)))
}

async fn compose_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Fields,
) -> Response {
    let w = web(state.settings.dialect);
    let Some(caller) = page_caller(&state, &headers) else {
        return ApiError::Unauthorized.into_response();
    };
    if !same_secret(field(&form, w.csrf_field), &caller.csrf) {
        return ApiError::Forbidden("invalid CSRF token").into_response();
    }
    let started = state.start_conversation(
        caller.user,
        field(&form, "recipient"),
        field(&form, "subject"),
        field(&form, "body"),
        &[],
    );
    match started {
        Ok(_) => redirect(w, w.home, &[]),
        Err(e) => e.into_response(),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, Form(form): Fields) -> Response {
    let w = web(state.settings.dialect);
    if let Some(caller) = page_caller(&state, &headers) {
        if !same_secret(field(&form, w.csrf_field), &caller.csrf) {
            return ApiError::Forbidden("invalid CSRF token").into_response();
        }
        state.auth.revoke(&caller.sid);
    }
    let mut cookies = vec![expired_cookie(w, w.session_cookie)];
    if let Some(name) = w.csrf_cookie {
        cookies.push(expired_cookie(w, name));
    }
    redirect(w, w.login, &cookies)
}
