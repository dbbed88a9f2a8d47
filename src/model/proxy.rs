//! The outbound proxy of a run: the profile's `proxy:` key, or else the environment's
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` (upper or lower case, as curl and most
//! HTTP clients read them). A loopback host is never proxied unless `proxy.loopback: true`.
//! Only `http://` proxies are spoken to (HTTPS goes through them in a `CONNECT` tunnel): every
//! part of a run, the TLS probe's hand-built handshakes included, must take the same way out.

use super::secret::SecretString;
use super::target::ProxySettings;

/// Where a proxy was named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxySource {
    /// The profile's `proxy.url`.
    Profile,
    /// An environment variable (`HTTPS_PROXY`, `https_proxy`, …).
    Env(&'static str),
}

impl std::fmt::Display for ProxySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxySource::Profile => f.write_str("the profile's proxy.url"),
            ProxySource::Env(var) => f.write_str(var),
        }
    }
}

/// One proxy server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyServer {
    /// `http://host:port/`, without credentials: safe to show.
    pub url: url::Url,
    /// Basic credentials (user name, password).
    pub credentials: Option<(String, SecretString)>,
    pub source: ProxySource,
}

impl ProxyServer {
    /// `http://host:port` as shown in lines and errors (no credentials, no trailing slash).
    pub fn shown(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }
}

/// A host as a URL writes it, without the brackets of an IPv6 literal (`[::1]` → `::1`), as
/// names, sockets and `NO_PROXY` entries take it.
pub fn bare_host(host: &str) -> &str {
    host.trim_start_matches('[').trim_end_matches(']')
}

/// The proxies of a run, by the scheme of the URL they carry.
#[derive(Debug, Clone, Default)]
pub struct ResolvedProxy {
    /// For `https://` URLs (and the TLS probe).
    pub https: Option<ProxyServer>,
    /// For `http://` URLs.
    pub http: Option<ProxyServer>,
    /// `NO_PROXY` entries: hosts reached directly.
    pub no_proxy: Vec<String>,
    /// Where `no_proxy` came from (`NO_PROXY`, the profile), for the doctor's line.
    pub no_proxy_sources: Vec<String>,
    /// Loopback hosts go through the proxy too.
    pub loopback: bool,
}

/// Why a proxy setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("{0}: not a URL (`http://host:port`)")]
    NotUrl(String),
    #[error("{from}: vvcheck speaks to proxies over `http://` only, not `{scheme}://`")]
    Scheme { from: String, scheme: String },
    #[error("{0}: a proxy URL names no host")]
    NoHost(String),
    #[error(
        "the profile's proxy.url carries credentials: secrets are never written inline; use \
         `proxy.username` and `proxy.password: {{env: VAR}}`"
    )]
    InlineCredentials,
}

/// The environment's proxy variables, as curl reads them: upper case first.
const HTTPS_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
const HTTP_VARS: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// A proxy URL as written; `host:port` without a scheme means `http://`.
fn parse(value: &str, from: &str) -> Result<url::Url, ProxyError> {
    let value = value.trim();
    let full = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let url = url::Url::parse(&full).map_err(|_| ProxyError::NotUrl(from.to_string()))?;
    if url.scheme() != "http" {
        return Err(ProxyError::Scheme {
            from: from.to_string(),
            scheme: url.scheme().to_string(),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ProxyError::NoHost(from.to_string()));
    }
    Ok(url)
}

/// `url` without its user name and password, and those (percent-decoded) if it had any.
fn split_credentials(mut url: url::Url) -> (url::Url, Option<(String, String)>) {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let creds = (!url.username().is_empty() || url.password().is_some()).then(|| {
        (
            decode(url.username()),
            decode(url.password().unwrap_or_default()),
        )
    });
    let _ = url.set_username("");
    let _ = url.set_password(None);
    (url, creds)
}

/// The first of `names` that `env` gives a non-empty value for.
fn first(
    names: &[&'static str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|n| env(n).filter(|v| !v.trim().is_empty()).map(|v| (*n, v)))
}

impl ResolvedProxy {
    /// The proxies `settings` (the profile's, if any) and `env` name. `credentials` are the
    /// profile's `proxy.username` and `proxy.password`, already read; they apply to whichever
    /// proxy is used, unless an environment URL carries its own. Passwords found in the
    /// environment are returned with the result, so the run can mask them.
    pub fn resolve(
        settings: Option<&ProxySettings>,
        credentials: Option<(String, SecretString)>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(ResolvedProxy, Vec<SecretString>), ProxyError> {
        let mut found = Vec::new();
        let mut plan = ResolvedProxy {
            loopback: settings.is_some_and(|s| s.loopback),
            ..ResolvedProxy::default()
        };
        if let Some(url) = settings.and_then(|s| s.url.as_ref()) {
            let parsed = parse(url, "the profile's proxy.url")?;
            if !parsed.username().is_empty() || parsed.password().is_some() {
                return Err(ProxyError::InlineCredentials);
            }
            let server = ProxyServer {
                url: parsed,
                credentials,
                source: ProxySource::Profile,
            };
            plan.https = Some(server.clone());
            plan.http = Some(server);
        } else {
            let from_env = |vars: &[&'static str]| -> Result<Option<ProxyServer>, ProxyError> {
                let Some((var, value)) = first(vars, env) else {
                    return Ok(None);
                };
                let (url, inline) = split_credentials(parse(&value, var)?);
                let credentials = match inline {
                    Some((user, password)) => Some((user, SecretString::new(password))),
                    None => credentials.clone(),
                };
                Ok(Some(ProxyServer {
                    url,
                    credentials,
                    source: ProxySource::Env(var),
                }))
            };
            plan.https = from_env(&HTTPS_VARS)?;
            plan.http = from_env(&HTTP_VARS)?;
            for server in [&plan.https, &plan.http].into_iter().flatten() {
                if let (ProxySource::Env(_), Some((_, p))) = (server.source, &server.credentials)
                    && !p.expose().is_empty()
                {
                    found.push(p.clone());
                }
            }
            if let Some((var, list)) = first(&NO_PROXY_VARS, env) {
                plan.no_proxy.extend(entries(&list));
                plan.no_proxy_sources.push(var.to_string());
            }
        }
        if let Some(s) = settings
            && !s.no_proxy.is_empty()
        {
            plan.no_proxy
                .extend(s.no_proxy.iter().flat_map(|e| entries(e)));
            plan.no_proxy_sources
                .push("the profile's proxy.no_proxy".into());
        }
        Ok((plan, found))
    }

    /// The proxy for URLs of `scheme` (`https` or `http`), before `NO_PROXY` and loopback.
    pub fn server(&self, scheme: &str) -> Option<&ProxyServer> {
        match scheme {
            "https" | "wss" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }
    }
}

/// How a host is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way<'a> {
    /// Through this proxy.
    Via(&'a ProxyServer),
    /// Directly: no proxy is set for the URL's scheme.
    NoProxySet,
    /// Directly: the host is loopback and `proxy.loopback` is off.
    Loopback,
    /// Directly: this `NO_PROXY` entry names the host.
    Listed(&'a str),
}

impl ResolvedProxy {
    /// How a URL of `scheme` to `host` (as a URL writes it: `[::1]` bracketed) is reached.
    pub fn way(&self, scheme: &str, host: &str) -> Way<'_> {
        let Some(server) = self.server(scheme) else {
            return Way::NoProxySet;
        };
        let bare = bare_host(host);
        if !self.loopback && is_loopback(bare) {
            return Way::Loopback;
        }
        match self.no_proxy.iter().find(|e| names(e, bare)) {
            Some(entry) => Way::Listed(entry),
            None => Way::Via(server),
        }
    }

    /// The proxy `url` goes through, if any.
    pub fn for_url(&self, url: &url::Url) -> Option<&ProxyServer> {
        match self.way(url.scheme(), url.host_str()?) {
            Way::Via(server) => Some(server),
            _ => None,
        }
    }
}

/// `localhost` (and its subdomains), `127.0.0.0/8` and `::1`.
pub fn is_loopback(host: &str) -> bool {
    let host = bare_host(host);
    host.eq_ignore_ascii_case("localhost")
        || host.to_ascii_lowercase().ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `NO_PROXY` entry `entry` names `host` (no brackets), as curl reads it: `*` names
/// every host; an IP address or network (`10.0.0.0/8`) names the addresses in it; a domain
/// names itself and its subdomains, with or without a leading dot.
fn names(entry: &str, host: &str) -> bool {
    if entry == "*" {
        return true;
    }
    if let Ok(ip) = host.parse::<std::net::IpAddr>() {
        let entry = bare_host(entry);
        return match (
            entry.parse::<ipnet::IpNet>(),
            entry.parse::<std::net::IpAddr>(),
        ) {
            (Ok(net), _) => net.contains(&ip),
            (_, Ok(addr)) => addr == ip,
            _ => false,
        };
    }
    let domain = entry.trim_start_matches('.').to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    !domain.is_empty() && (host == domain || host.ends_with(&format!(".{domain}")))
}

/// The entries of a comma-separated `NO_PROXY` list.
fn entries(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::located::Located;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn settings(url: Option<&str>) -> ProxySettings {
        ProxySettings {
            url: url.map(|u| Located::new(u.to_string())),
            ..ProxySettings::default()
        }
    }

    #[test]
    fn upper_case_wins_and_all_proxy_fills_in() {
        let vars = [
            ("HTTPS_PROXY", "http://upper:3128"),
            ("https_proxy", "http://lower:3128"),
            ("all_proxy", "proxy.corp:8080"),
        ];
        let (plan, _) = ResolvedProxy::resolve(None, None, &env(&vars)).expect("plan");
        let https = plan.https.expect("https proxy");
        assert_eq!(https.url.as_str(), "http://upper:3128/");
        assert_eq!(https.source, ProxySource::Env("HTTPS_PROXY"));
        let http = plan.http.expect("http proxy");
        assert_eq!(http.url.as_str(), "http://proxy.corp:8080/");
        assert_eq!(http.source, ProxySource::Env("all_proxy"));
    }

    #[test]
    fn credentials_in_the_environment_are_split_off_and_returned_to_mask() {
        let vars = [("https_proxy", "http://me:p%40ss@proxy:3128")];
        let (plan, found) = ResolvedProxy::resolve(None, None, &env(&vars)).expect("plan");
        let https = plan.https.expect("https proxy");
        assert_eq!(https.url.as_str(), "http://proxy:3128/");
        let (user, password) = https.credentials.expect("credentials");
        assert_eq!((user.as_str(), password.expose()), ("me", "p@ss"));
        assert_eq!(found, vec![SecretString::new("p@ss")]);
    }

    #[test]
    fn the_profile_url_replaces_the_environment_and_no_proxy_lists_join() {
        let mut s = settings(Some("http://profile-proxy:3128"));
        s.no_proxy = vec!["internal.example, 10.0.0.0/8".into()];
        let vars = [("HTTPS_PROXY", "http://env:1"), ("NO_PROXY", "envhost")];
        let creds = Some(("u".to_string(), SecretString::new("pw")));
        let (plan, found) = ResolvedProxy::resolve(Some(&s), creds, &env(&vars)).expect("plan");
        assert_eq!(
            plan.https.as_ref().expect("https").url.as_str(),
            "http://profile-proxy:3128/"
        );
        assert!(plan.https.expect("https").credentials.is_some());
        assert_eq!(plan.no_proxy, ["internal.example", "10.0.0.0/8"]);
        assert!(found.is_empty());
    }

    #[test]
    fn loopback_and_no_proxy_entries_go_direct() {
        let vars = [
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("no_proxy", ".corp.example, 10.0.0.0/8, 192.168.1.7"),
        ];
        let (plan, _) = ResolvedProxy::resolve(None, None, &env(&vars)).expect("plan");
        assert_eq!(plan.way("https", "127.0.0.1"), Way::Loopback);
        assert_eq!(plan.way("https", "[::1]"), Way::Loopback);
        assert_eq!(plan.way("https", "app.localhost"), Way::Loopback);
        assert_eq!(
            plan.way("https", "sm.CORP.example"),
            Way::Listed(".corp.example")
        );
        assert_eq!(
            plan.way("https", "corp.example"),
            Way::Listed(".corp.example")
        );
        assert_eq!(plan.way("https", "10.2.3.4"), Way::Listed("10.0.0.0/8"));
        assert_eq!(plan.way("https", "192.168.1.7"), Way::Listed("192.168.1.7"));
        assert!(matches!(plan.way("https", "notcorp.example"), Way::Via(_)));
        assert!(matches!(plan.way("https", "192.168.1.8"), Way::Via(_)));
        assert_eq!(plan.way("http", "vendor.example"), Way::NoProxySet);
        let mut s = settings(None);
        s.loopback = true;
        let (plan, _) = ResolvedProxy::resolve(Some(&s), None, &env(&vars)).expect("plan");
        assert!(matches!(plan.way("https", "127.0.0.1"), Way::Via(_)));
        let star = [("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", "*")];
        let (plan, _) = ResolvedProxy::resolve(None, None, &env(&star)).expect("plan");
        assert_eq!(plan.way("https", "vendor.example"), Way::Listed("*"));
    }

    #[test]
    fn unusable_proxies_are_named_by_where_they_came_from() {
        let err =
            |vars: &[(&str, &str)]| ResolvedProxy::resolve(None, None, &env(vars)).unwrap_err();
        assert_eq!(
            err(&[("HTTPS_PROXY", "socks5://proxy:1080")]).to_string(),
            "HTTPS_PROXY: vvcheck speaks to proxies over `http://` only, not `socks5://`"
        );
        assert!(
            matches!(err(&[("http_proxy", "http://")]), ProxyError::NotUrl(v) | ProxyError::NoHost(v) if v == "http_proxy")
        );
        let inline = settings(Some("http://u:secret@proxy:3128"));
        assert_eq!(
            ResolvedProxy::resolve(Some(&inline), None, &env(&[])).unwrap_err(),
            ProxyError::InlineCredentials
        );
    }
}
