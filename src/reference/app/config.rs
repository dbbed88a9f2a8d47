//! Configuration and public value types of the reference server: dialect, start-up options,
//! credentials and start-up errors.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use super::flaws::Flaw;

/// The API style the server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// JSON API with OAuth2 password-grant bearer tokens under `/api`.
    Rest,
    /// Cookie sessions, form-encoded writes with a CSRF token, JSON reads.
    Forms,
    /// JSON API under `/v2` with cursor-paginated lists, OAuth2 tokens bound to a client id and
    /// prefixed base32 ids.
    Threads,
    /// One GraphQL endpoint, errors as GraphQL errors on HTTP 200, numeric ids, rotating
    /// refresh tokens, and attachments through signed URLs on a storage host of its own.
    Graph,
}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rest" => Ok(Dialect::Rest),
            "forms" => Ok(Dialect::Forms),
            "threads" => Ok(Dialect::Threads),
            "graph" => Ok(Dialect::Graph),
            _ => Err(UnknownDialect(s.to_owned())),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Rest => "rest",
            Dialect::Forms => "forms",
            Dialect::Threads => "threads",
            Dialect::Graph => "graph",
        })
    }
}

/// A dialect name other than `rest`, `forms`, `threads` or `graph`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dialect `{0}`; valid dialects: rest, forms, threads, graph")]
pub struct UnknownDialect(pub String);

/// The reference server's idle timeout unless told otherwise: short, so that the idle-timeout
/// check's wait keeps a demo or a test run short, yet longer than the slowest operation of the
/// `slow` flaw (three requests of 2.5 s each), so no session idles out in the middle of one.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How to start the reference server.
#[derive(Clone, Debug)]
pub struct ReferenceConfig {
    /// The API dialect.
    pub dialect: Dialect,
    /// Flaws to switch on.
    pub flaws: Vec<Flaw>,
    /// Delay added to every request by the `slow` flaw.
    pub latency: Duration,
    /// Sessions unused for this long end.
    pub idle_timeout: Duration,
    /// Access tokens end this long after they were issued, however much they are used (the
    /// `graph` dialect's; its refresh tokens get new ones).
    pub token_lifetime: Duration,
    /// Address every listener binds to.
    pub host: IpAddr,
    /// HTTPS port; 0 picks a free one.
    pub https_port: u16,
    /// Plain-HTTP port; 0 picks a free one.
    pub http_port: u16,
    /// Whether the HTTPS listeners require a client certificate, and signed by what.
    pub client_auth: ClientAuth,
    /// The HTTP versions the HTTPS listeners speak.
    pub http: HttpVersions,
    /// A sound leaf is signed by an intermediate CA, sent with it, as public servers do.
    pub intermediate_ca: bool,
    /// `TCP_NODELAY` on accepted connections (the default). Off only to measure a client against
    /// a server that leaves Nagle's algorithm on (`vvcheck bench`).
    pub nodelay: bool,
}

/// Client certificates (mutual TLS) the HTTPS listeners require.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// None asked for.
    #[default]
    None,
    /// The server makes a client CA and one client certificate it signed, and requires a
    /// certificate of that CA; the written profile carries the certificate.
    Generate,
    /// Certificates signed by one of these CAs (PEM), the reviewer's own.
    Ca(String),
}

/// The HTTP versions the HTTPS listeners speak, as a load balancer in front of a vendor may.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HttpVersions {
    /// HTTP/2 and HTTP/1.1, chosen by ALPN.
    #[default]
    Both,
    /// HTTP/1.1 only: ALPN offers nothing else.
    Http1Only,
    /// A broken HTTP/2, as some load balancers have: ALPN offers HTTP/2 and HTTP/1.1, and a
    /// connection that takes HTTP/2 is dropped right after the handshake.
    BrokenHttp2,
}

impl Default for ReferenceConfig {
    fn default() -> Self {
        ReferenceConfig {
            dialect: Dialect::Rest,
            flaws: Vec::new(),
            latency: Duration::from_millis(2500),
            idle_timeout: IDLE_TIMEOUT,
            token_lifetime: Duration::from_secs(300),
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            https_port: 0,
            http_port: 0,
            client_auth: ClientAuth::None,
            http: HttpVersions::Both,
            intermediate_ca: false,
            nodelay: true,
        }
    }
}

/// The sign-in details of one synthetic account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Actor name in target profiles: `patient_a`, `patient_b`, `clinician` or `admin`.
    pub actor: &'static str,
    /// Username (an e-mail address).
    pub username: String,
    /// Random password, new at each start.
    pub password: String,
}

/// Why the reference server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// A listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// Certificates or the TLS configuration could not be made.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}
