//! Target profiles as written: what a vendor's system looks like, and how the operation contract
//! maps onto its API. Secrets appear only by reference (`{env: VAR}` or `{file: PATH}`).

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::json_template::JsonTemplate;
use super::located::Located;
use super::login::{LoginRequests, Refresh, SendHeaders, TokenPlaces};
use super::outcome::OutcomeMap;
use super::output::OutputSpec;
use super::paginate::{CursorTo, NextPage, Paginate};
use super::request::{CredentialScope, Part, RawBody, RequestSpec};

/// A target profile as written in YAML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetProfile {
    pub name: String,
    /// Which of the vendor's environments this is (`staging`, `uat`): attestations and waivers
    /// may be scoped to it.
    #[serde(default)]
    pub environment: Option<String>,
    pub base_url: Located<String>,
    /// The plain-HTTP address the HTTPS redirect is tested on (default: base_url with http://).
    #[serde(default)]
    pub http_url: Option<Located<String>>,
    #[serde(default)]
    pub tls: TlsOptions,
    #[serde(default)]
    pub timeouts: Timeouts,
    /// How vvcheck speaks HTTP to the target.
    #[serde(default)]
    pub http: HttpSettings,
    /// The outbound proxy, where not the environment's (`HTTPS_PROXY`, `NO_PROXY`).
    #[serde(default)]
    pub proxy: Option<ProxySettings>,
    /// Other origins (`https://api.vendor.example`) that may receive the actors' credentials,
    /// besides `base_url`'s.
    #[serde(default)]
    pub origins: Vec<Located<String>>,
    /// Login schemes by name.
    #[serde(default)]
    pub auth: IndexMap<String, Located<AuthScheme>>,
    pub actors: IndexMap<Located<String>, Located<Actor>>,
    pub operations: IndexMap<Located<String>, Located<Operation>>,
    #[serde(default)]
    pub pages: Pages,
    /// What each outcome looks like for this vendor, where it is not the REST default.
    #[serde(default)]
    pub outcomes: OutcomeMap,
    #[serde(default)]
    pub declared: Declared,
    /// Requirement ID → why it does not apply to this target.
    #[serde(default)]
    pub not_applicable: IndexMap<Located<String>, String>,
}

/// TLS options of the target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    /// Extra trusted CA certificates (PEM), relative to the profile.
    #[serde(default)]
    pub ca_file: Option<Located<String>>,
    /// Client certificate chain (PEM) for mutual TLS.
    #[serde(default)]
    pub client_cert: Option<Located<String>>,
    /// Client private key (PEM: PKCS #8, PKCS #1 or SEC1, not encrypted) for mutual TLS.
    #[serde(default)]
    pub client_key: Option<Secret>,
    /// Trust only `ca_file`, not the system's store besides it.
    #[serde(default)]
    pub ca_only: bool,
}

/// The `proxy:` key of a target profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProxySettings {
    /// `http://host:port`; without it the environment names the proxy.
    #[serde(default)]
    pub url: Option<Located<String>>,
    /// Basic credentials for the proxy (with `password`).
    #[serde(default)]
    pub username: Option<Located<String>>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// Hosts reached directly, as `NO_PROXY` names them (`.corp.example`, `10.0.0.0/8`, `*`).
    #[serde(default)]
    pub no_proxy: Vec<String>,
    /// Send loopback hosts (`localhost`, `127.0.0.1`, `[::1]`) through the proxy too.
    #[serde(default)]
    pub loopback: bool,
}

/// How vvcheck speaks HTTP to the target.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSettings {
    /// The HTTP version to use; by default ALPN chooses HTTP/2 where the server offers it.
    #[serde(default)]
    pub version: HttpVersion,
}

/// The HTTP versions vvcheck may use with the target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum HttpVersion {
    /// HTTP/2 where ALPN agrees on it, else HTTP/1.1.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// HTTP/1.1 only, for a vendor whose HTTP/2 is broken.
    #[serde(rename = "1.1")]
    Http1,
    /// HTTP/2 only (by ALPN): a server without it is a connection error.
    #[serde(rename = "2")]
    Http2,
}

/// Network time limits.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    #[serde(default = "default_connect")]
    pub connect_s: u64,
    #[serde(default = "default_request")]
    pub request_s: u64,
}

fn default_connect() -> u64 {
    10
}
fn default_request() -> u64 {
    30
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect_s: default_connect(),
            request_s: default_request(),
        }
    }
}

/// How a login is performed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// A static token sent as `Authorization: Bearer …` (or the scheme's `header`).
    Bearer,
    /// OAuth2 resource-owner password grant.
    Oauth2Password,
    /// OAuth2 client-credentials grant.
    Oauth2ClientCredentials,
    /// A form or JSON login that sets a session cookie, with optional CSRF token.
    FormCookie,
    /// HTTP Basic: the actor's username and password on every request.
    Basic,
    /// Any login request or short sequence (JSON, GraphQL, form) whose answer carries the
    /// token, sent back in a header template, and renewed by a refresh request.
    Request,
}

impl fmt::Display for AuthKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthKind::Bearer => "bearer",
            AuthKind::Oauth2Password => "oauth2_password",
            AuthKind::Oauth2ClientCredentials => "oauth2_client_credentials",
            AuthKind::FormCookie => "form_cookie",
            AuthKind::Basic => "basic",
            AuthKind::Request => "request",
        })
    }
}

/// A login scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthScheme {
    pub kind: AuthKind,
    /// OAuth2 token endpoint (path or URL).
    #[serde(default)]
    pub token_url: Option<Located<String>>,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<Secret>,
    #[serde(default)]
    pub scope: Option<String>,
    /// Login path for `form_cookie`.
    #[serde(default)]
    pub path: Option<Located<String>>,
    /// Form fields of the login (templates: `{{username}}`, `{{password}}`).
    #[serde(default)]
    pub form: Option<IndexMap<String, String>>,
    /// JSON body of the login, instead of a form.
    #[serde(default)]
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub csrf: Option<Csrf>,
    /// Name of the session cookie (default: every cookie set at login but the CSRF cookie).
    #[serde(default)]
    pub session_cookie: Option<String>,
    /// Header for bearer tokens (default `Authorization`, value `Bearer <token>`).
    #[serde(default)]
    pub header: Option<String>,
    /// Actor attributes taken from the login (or token) response: `{id: $.user.id}`.
    #[serde(default)]
    pub capture: IndexMap<String, Located<OutputSpec>>,
    /// The login of `kind: request`: one request, or a list sent in order.
    #[serde(default)]
    pub login: Option<Located<LoginRequests>>,
    /// Where the login's answer holds the token (`kind: request`).
    #[serde(default)]
    pub token: Option<Located<OutputSpec>>,
    /// Where the login's answer holds the refresh token.
    #[serde(default)]
    pub refresh_token: Option<Located<OutputSpec>>,
    /// Where the login's answer holds the token's lifetime, in seconds.
    #[serde(default)]
    pub expires_in: Option<Located<OutputSpec>>,
    /// The header carrying the token, a template of `{{token}}` (one entry).
    #[serde(default)]
    pub send: SendHeaders,
    /// The request renewing the token before it expires.
    #[serde(default)]
    pub refresh: Option<Located<Refresh>>,
}

impl AuthScheme {
    /// Where the login's answer holds the session's token, refresh token and lifetime.
    pub fn places(&self) -> TokenPlaces {
        TokenPlaces {
            token: self.token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: self.expires_in.clone(),
        }
    }
}

/// Where a CSRF token comes from and how it is sent back on unsafe methods.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Csrf {
    /// A page fetched before login whose hidden input carries the login form's token.
    #[serde(default)]
    pub login_page: Option<String>,
    /// Name of that hidden input (also the field it is submitted in).
    #[serde(default)]
    pub login_field: Option<String>,
    /// After login: JSONPath into the login response.
    #[serde(default)]
    pub from_json: Option<Located<String>>,
    /// After login: a cookie's value.
    #[serde(default)]
    pub from_cookie: Option<String>,
    /// After login: a hidden input on `page`.
    #[serde(default)]
    pub from_hidden: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    /// Send the token in this header on unsafe methods.
    #[serde(default)]
    pub send_header: Option<String>,
    /// Send the token in this form/multipart field on unsafe methods.
    #[serde(default)]
    pub send_field: Option<String>,
}

/// A test account (or `anonymous`, which needs no entry).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Name of the login scheme in `auth:`.
    pub auth: Located<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<Secret>,
    /// Static bearer token.
    #[serde(default)]
    pub token: Option<Secret>,
    /// Static attributes, e.g. `id`.
    #[serde(default)]
    pub vars: IndexMap<String, String>,
    /// Attributes captured from this actor's login response (adds to the scheme's).
    #[serde(default)]
    pub capture: IndexMap<String, Located<OutputSpec>>,
    /// Synthetic PHI of this account, searched for where it must not appear.
    #[serde(default)]
    pub canaries: super::canary::Canaries,
}

/// A secret given by reference.
#[derive(Debug, Clone)]
pub enum Secret {
    Env(Located<String>),
    /// The whole file (trimmed), or the value of `KEY=value` line `key` in it.
    File {
        path: Located<String>,
        key: Option<String>,
    },
}

impl Secret {
    /// Where the reference is written: the variable's name or the file's path.
    pub fn loc(&self) -> super::yaml::Loc {
        match self {
            Secret::Env(var) => var.loc,
            Secret::File { path, .. } => path.loc,
        }
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Repr {
            #[serde(default)]
            env: Option<Located<String>>,
            #[serde(default)]
            file: Option<Located<String>>,
            #[serde(default)]
            key: Option<String>,
        }
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Secret;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`{env: VAR}` or `{file: PATH, key: NAME}`")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Secret, E> {
                Err(E::custom(
                    "secrets are never written inline: use `{env: VAR}` or `{file: PATH}`",
                ))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
                self.visit_str("")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Secret, A::Error> {
                let r = Repr::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (r.env, r.file) {
                    (Some(e), None) if r.key.is_none() => Ok(Secret::Env(e)),
                    (None, Some(path)) => Ok(Secret::File { path, key: r.key }),
                    _ => Err(de::Error::custom(
                        "a secret is `{env: VAR}` or `{file: PATH, key: NAME}`",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A profile operation: one request or a short sequence, and the contract outputs. Both written
/// forms (`steps:`, or one request's fields inline) become [`Operation::requests`] on load.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "OperationRepr")]
pub struct Operation {
    /// Always run as this actor (e.g. a test-outbox reader).
    pub actor: Option<Located<String>>,
    /// The requests, in order; captures of one are variables for the next.
    pub requests: Vec<Located<RequestSpec>>,
    /// Contract output name → where it is in the final response.
    pub outputs: IndexMap<Located<String>, Located<OutputSpec>>,
    /// How the final request's further pages are read, for an operation with a list output.
    pub paginate: Option<Located<Paginate>>,
    /// Outcomes this operation shows otherwise than the profile says.
    pub outcomes: OutcomeMap,
}

/// An operation as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct OperationRepr {
    #[serde(default, rename = "as")]
    actor: Option<Located<String>>,
    #[serde(default)]
    steps: Option<Vec<Located<RequestSpec>>>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<Located<String>>,
    #[serde(default)]
    headers: IndexMap<String, Located<String>>,
    #[serde(default)]
    query: IndexMap<String, Located<String>>,
    #[serde(default)]
    json: Option<JsonTemplate>,
    #[serde(default)]
    form: Option<IndexMap<String, Located<String>>>,
    #[serde(default)]
    multipart: Option<Vec<Part>>,
    #[serde(default)]
    body: Option<Located<RawBody>>,
    #[serde(default)]
    follow_redirects: bool,
    #[serde(default)]
    credentials: CredentialScope,
    #[serde(default)]
    outputs: IndexMap<Located<String>, Located<OutputSpec>>,
    #[serde(default)]
    paginate: Option<Located<Paginate>>,
    #[serde(default)]
    outcomes: OutcomeMap,
}

impl Operation {
    /// The template variable a list's cursor goes in, when it is paged that way: `null` for
    /// the first page.
    pub fn cursor_variable(&self) -> Option<&str> {
        match &self.paginate.as_ref()?.next {
            NextPage::Cursor {
                to: CursorTo::Variable(v),
                ..
            } => Some(v),
            _ => None,
        }
    }
}

impl TryFrom<OperationRepr> for Operation {
    type Error = String;

    fn try_from(r: OperationRepr) -> Result<Self, String> {
        let requests = match (r.steps, r.path) {
            (Some(steps), None) if r.method.is_none() => steps,
            (Some(_), _) => {
                return Err(
                    "an operation with `steps:` puts method and path inside each step".into(),
                );
            }
            (None, Some(path)) => {
                let loc = path.loc;
                let spec = RequestSpec {
                    method: r.method,
                    path,
                    headers: r.headers,
                    query: r.query,
                    json: r.json,
                    form: r.form,
                    multipart: r.multipart,
                    body: r.body,
                    follow_redirects: r.follow_redirects,
                    credentials: r.credentials,
                    capture: IndexMap::new(),
                };
                vec![Located { value: spec, loc }]
            }
            (None, None) => return Err("an operation needs a `path` (or `steps:`)".into()),
        };
        Ok(Operation {
            actor: r.actor,
            requests,
            outputs: r.outputs,
            paginate: r.paginate,
            outcomes: r.outcomes,
        })
    }
}

/// The pages of the service that checks know by name; `extra:` holds any others. A name not in
/// this set is a load error, so a misspelt page is not silently left unchecked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pages {
    #[serde(default)]
    pub entry: Option<Located<Page>>,
    #[serde(default)]
    pub login: Option<Located<Page>>,
    #[serde(default)]
    pub inbox: Option<Located<Page>>,
    #[serde(default)]
    pub compose: Option<Located<Page>>,
    #[serde(default)]
    pub privacy: Option<Located<Page>>,
    #[serde(default)]
    pub terms: Option<Located<Page>>,
    #[serde(default)]
    pub support: Option<Located<Page>>,
    #[serde(default)]
    pub accessibility: Option<Located<Page>>,
    /// More pages, by names of the profile's choosing.
    #[serde(default)]
    pub extra: IndexMap<Located<String>, Located<Page>>,
}

impl Pages {
    /// The names of the pages checks know, in the order of [`Pages::all`].
    pub const KNOWN: &[&str] = &[
        "entry",
        "login",
        "inbox",
        "compose",
        "privacy",
        "terms",
        "support",
        "accessibility",
    ];

    /// Every page with its name, the known ones first.
    pub fn all(&self) -> Vec<(&str, &Located<Page>)> {
        let known = [
            ("entry", &self.entry),
            ("login", &self.login),
            ("inbox", &self.inbox),
            ("compose", &self.compose),
            ("privacy", &self.privacy),
            ("terms", &self.terms),
            ("support", &self.support),
            ("accessibility", &self.accessibility),
        ];
        known
            .into_iter()
            .filter_map(|(name, p)| p.as_ref().map(|p| (name, p)))
            .chain(self.extra.iter().map(|(k, p)| (k.as_str(), p)))
            .collect()
    }
}

/// A page: its path, the actor to fetch it as when it needs sign-in, and the path of its French
/// version when the service has one (fetched as the same actor). Written as a path (`/privacy`)
/// or as `{ path: /compose, as: patient_a_browser, fr: /fr/compose }`.
#[derive(Debug, Clone)]
pub struct Page {
    pub path: Located<String>,
    pub actor: Option<Located<String>>,
    /// The French version's path (`fr:`), which checks of French text read.
    pub fr: Option<Located<String>>,
}

impl<'de> Deserialize<'de> for Page {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, which would lose where `as:` was written.
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Page;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a path (`/compose`) or `{ path: /compose, as: ACTOR, fr: /fr/compose }`",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Page, E> {
                Ok(Page {
                    path: Located::new(s.to_string()),
                    actor: None,
                    fr: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Page, A::Error> {
                let (mut path, mut actor, mut fr) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "path" => path = Some(map.next_value::<Located<String>>()?),
                        "as" => actor = Some(map.next_value::<Located<String>>()?),
                        "fr" => fr = Some(map.next_value::<Located<String>>()?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["path", "as", "fr"]));
                        }
                    }
                }
                let path = path.ok_or_else(|| de::Error::missing_field("path"))?;
                Ok(Page { path, actor, fr })
            }
        }
        d.deserialize_any(V)
    }
}

/// Values the vendor declares, which checks need.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Declared {
    #[serde(default)]
    pub idle_timeout_s: Option<u64>,
    #[serde(default)]
    pub lockout_after: Option<u32>,
    /// Actor the lockout probe may lock: one no other check uses.
    #[serde(default)]
    pub lockout_actor: Option<Located<String>>,
    #[serde(default)]
    pub max_attachment_mb: Option<u64>,
    /// p95 latency threshold of message operations (TEC-02), default 2000.
    #[serde(default = "default_latency")]
    pub latency_p95_ms: u64,
    /// Whether the clinician may still reply once a conversation is closed (FUN-08); a
    /// patient never may.
    #[serde(default)]
    pub clinician_reply_after_close: Option<ReplyAfterClose>,
}

/// What the target does with the clinician's reply to a closed conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyAfterClose {
    /// The clinician may still write (closing turns the patient's replies off).
    Allowed,
    /// Nobody may write to a closed conversation.
    Refused,
}

fn default_latency() -> u64 {
    2000
}

impl Default for Declared {
    fn default() -> Self {
        Declared {
            idle_timeout_s: None,
            lockout_after: None,
            lockout_actor: None,
            max_attachment_mb: None,
            latency_p95_ms: default_latency(),
            clinician_reply_after_close: None,
        }
    }
}
