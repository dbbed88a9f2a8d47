//! Each dialect's browser-facing names: page paths, form field names and cookies.

use crate::reference::app::config::Dialect;

/// A dialect's browser-facing names.
pub(crate) struct Web {
    pub entry: &'static str,
    pub login: &'static str,
    pub home: &'static str,
    pub compose: &'static str,
    pub privacy: &'static str,
    pub terms: &'static str,
    pub logout: &'static str,
    pub user_field: &'static str,
    pub pass_field: &'static str,
    pub csrf_field: &'static str,
    pub session_cookie: &'static str,
    pub pre_cookie: &'static str,
    /// Double-submit CSRF cookie, readable by scripts (forms dialect only).
    pub csrf_cookie: Option<&'static str>,
    pub same_site: &'static str,
}

const REST: Web = Web {
    entry: "/",
    login: "/login",
    home: "/inbox",
    compose: "/compose",
    privacy: "/privacy",
    terms: "/terms",
    logout: "/logout",
    user_field: "username",
    pass_field: "password",
    csrf_field: "csrf_token",
    session_cookie: "vv_session",
    pre_cookie: "vv_pre",
    csrf_cookie: None,
    same_site: "Lax",
};

const FORMS: Web = Web {
    entry: "/",
    login: "/account/signin",
    home: "/home",
    compose: "/home/compose",
    privacy: "/legal/privacy",
    terms: "/legal/terms",
    logout: "/account/signout",
    user_field: "email",
    pass_field: "passphrase",
    csrf_field: "authenticity_token",
    session_cookie: "sm_sid",
    pre_cookie: "sm_pre",
    csrf_cookie: Some("sm_csrf"),
    same_site: "Strict",
};

/// The browser-facing names of `dialect`.
pub(crate) fn web(dialect: Dialect) -> &'static Web {
    match dialect {
        Dialect::Rest => &REST,
        Dialect::Forms => &FORMS,
    }
}
