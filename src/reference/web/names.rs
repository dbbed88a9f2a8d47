//! Each dialect's browser-facing names: page paths, form field names and cookies.

use axum::http::StatusCode;

use crate::reference::app::config::Dialect;

/// A dialect's browser-facing names.
pub(crate) struct Web {
    pub entry: &'static str,
    pub login: &'static str,
    pub home: &'static str,
    pub compose: &'static str,
    pub privacy: &'static str,
    pub terms: &'static str,
    pub support: &'static str,
    /// The French entry and compose pages, in the dialects that have them.
    pub entry_fr: Option<&'static str>,
    pub compose_fr: Option<&'static str>,
    pub logout: &'static str,
    pub user_field: &'static str,
    pub pass_field: &'static str,
    pub csrf_field: &'static str,
    pub session_cookie: &'static str,
    pub pre_cookie: &'static str,
    /// Double-submit CSRF cookie holding the session's CSRF token, readable by scripts.
    pub csrf_cookie: Option<&'static str>,
    pub same_site: &'static str,
    /// The status of every page redirect (after sign-in and sign-out, and to the sign-in page).
    pub redirect: StatusCode,
}

const REST: Web = Web {
    entry: "/",
    login: "/login",
    home: "/inbox",
    compose: "/compose",
    privacy: "/privacy",
    terms: "/terms",
    support: "/support",
    entry_fr: None,
    compose_fr: None,
    logout: "/logout",
    user_field: "username",
    pass_field: "password",
    csrf_field: "csrf_token",
    session_cookie: "vv_session",
    pre_cookie: "vv_pre",
    csrf_cookie: None,
    same_site: "Lax",
    redirect: StatusCode::SEE_OTHER,
};

const FORMS: Web = Web {
    entry: "/",
    login: "/account/signin",
    home: "/home",
    compose: "/home/compose",
    privacy: "/legal/privacy",
    terms: "/legal/terms",
    support: "/help",
    entry_fr: Some("/fr"),
    compose_fr: Some("/fr/messagerie/nouveau"),
    logout: "/account/signout",
    user_field: "email",
    pass_field: "passphrase",
    csrf_field: "authenticity_token",
    session_cookie: "sm_sid",
    pre_cookie: "sm_pre",
    csrf_cookie: Some("sm_csrf"),
    same_site: "Strict",
    redirect: StatusCode::SEE_OTHER,
};

const THREADS: Web = Web {
    entry: "/",
    login: "/signin",
    home: "/app/inbox",
    compose: "/app/compose",
    privacy: "/about/privacy",
    terms: "/about/terms",
    support: "/about/support",
    entry_fr: None,
    compose_fr: None,
    logout: "/signout",
    user_field: "login",
    pass_field: "pass",
    csrf_field: "_csrf",
    session_cookie: "thr_session",
    pre_cookie: "thr_signin",
    csrf_cookie: Some("XSRF-TOKEN"),
    same_site: "Lax",
    redirect: StatusCode::FOUND,
};

const GRAPH: Web = Web {
    entry: "/",
    login: "/account/login",
    home: "/app/messages",
    compose: "/app/messages/new",
    privacy: "/legal/privacy",
    terms: "/legal/terms",
    support: "/help/contact",
    entry_fr: None,
    compose_fr: None,
    logout: "/account/logout",
    user_field: "email",
    pass_field: "password",
    csrf_field: "csrf",
    session_cookie: "gq_sid",
    pre_cookie: "gq_login",
    csrf_cookie: None,
    same_site: "Strict",
    redirect: StatusCode::SEE_OTHER,
};

/// The browser-facing names of `dialect`.
pub(crate) fn web(dialect: Dialect) -> &'static Web {
    match dialect {
        Dialect::Rest => &REST,
        Dialect::Forms => &FORMS,
        Dialect::Threads => &THREADS,
        Dialect::Graph => &GRAPH,
    }
}
