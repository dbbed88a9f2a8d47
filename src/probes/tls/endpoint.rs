//! Which `host:port` pairs a scan covers: every one the profile's HTTPS URLs touch (base URL,
//! origins, pages on https), each once, in the order the profile names them.

use std::fmt;

use rustls::pki_types::ServerName;

use crate::model::resolve::ResolvedTarget;
use crate::outcome::{CheckError, ErrorKind};

/// One TLS endpoint and the name it is reached by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL's host: a DNS name, or an IP address without brackets.
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    /// The host as a URL spells it (`[::1]` bracketed): the key the per-host pace shares with
    /// the HTTP client.
    pub fn url_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }
}

impl fmt::Display for Endpoint {
    /// `127.0.0.1:8443`, `[::1]:8443`, `vendor.example:443`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Endpoint {
    /// The name certificates are checked against (a DNS name or an IP address).
    pub fn server_name(&self) -> Result<ServerName<'static>, ScanError> {
        ServerName::try_from(self.host.clone())
            .map_err(|e| ScanError::Name(self.to_string(), e.to_string()))
    }

    /// The name sent as SNI: DNS names only (RFC 6066 forbids IP addresses there).
    pub fn sni(&self) -> Option<&str> {
        (self.host.parse::<std::net::IpAddr>().is_err()).then_some(self.host.as_str())
    }
}

/// Why a scan of an endpoint gave no verdict.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ScanError {
    #[error("{0}: connection failed: {1}")]
    Connect(String, String),
    #[error("{0}: {1}")]
    Protocol(String, String),
    #[error("{0}: not a name a certificate can be checked against: {1}")]
    Name(String, String),
    #[error("TLS set-up: {0}")]
    Setup(String),
}

impl From<ScanError> for CheckError {
    fn from(e: ScanError) -> CheckError {
        let kind = match e {
            ScanError::Connect(..) | ScanError::Protocol(..) => ErrorKind::Transport,
            ScanError::Name(..) | ScanError::Setup(_) => ErrorKind::Input,
        };
        CheckError::new(kind, e.to_string())
    }
}

/// The HTTPS endpoints of a target, each once.
pub fn endpoints(target: &ResolvedTarget) -> Vec<Endpoint> {
    let mut urls = vec![target.base_url.clone()];
    urls.extend(
        target
            .credential_origins
            .iter()
            .filter_map(|o| url::Url::parse(&o.ascii_serialization()).ok()),
    );
    urls.extend(
        target
            .pages
            .values()
            .filter_map(|p| target.url(&p.path).ok()),
    );
    let mut out: Vec<Endpoint> = Vec::new();
    for u in urls {
        if u.scheme() != "https" {
            continue;
        }
        let (Some(host), Some(port)) = (u.host_str(), u.port_or_known_default()) else {
            continue;
        };
        let ep = Endpoint {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
        };
        if !out.contains(&ep) {
            out.push(ep);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_print_as_scanners_do() {
        let v6 = Endpoint {
            host: "::1".into(),
            port: 8443,
        };
        assert_eq!(v6.to_string(), "[::1]:8443");
        assert_eq!(v6.sni(), None);
        let dns = Endpoint {
            host: "vendor.example".into(),
            port: 443,
        };
        assert_eq!(dns.sni(), Some("vendor.example"));
    }
}
