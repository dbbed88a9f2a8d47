//! The proxy a run's HTTP client would use, as the environment says.

use super::report::Line;
use crate::model::resolve::ResolvedTarget;

/// One line on the proxy for `target`'s base URL: `HTTPS_PROXY`/`https_proxy`, then
/// `ALL_PROXY`/`all_proxy`, unless `NO_PROXY`/`no_proxy` names the host; a loopback host is
/// never proxied (the client says so too). `env` reads a variable. A proxy URL's user name and
/// password are never shown.
pub fn proxy_line(target: &ResolvedTarget, env: impl Fn(&str) -> Option<String>) -> Line {
    let host = target.base_url.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return Line::ok("proxy", format!("none: {host} is loopback, never proxied"));
    }
    let first = |names: &[&'static str]| {
        names
            .iter()
            .find_map(|n| env(n).filter(|v| !v.is_empty()).map(|v| (*n, v)))
    };
    let Some((var, value)) = first(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
    else {
        return Line::ok(
            "proxy",
            "none: no HTTPS_PROXY or ALL_PROXY in the environment",
        );
    };
    if let Some((no_var, list)) = first(&["NO_PROXY", "no_proxy"]) {
        let named = list.split(',').map(str::trim).any(|e| {
            let e = e.trim_start_matches('.');
            e == "*" || (!e.is_empty() && (bare == e || bare.ends_with(&format!(".{e}"))))
        });
        if named {
            return Line::ok("proxy", format!("none: {no_var} names {host}"));
        }
    }
    let shown = match url::Url::parse(&value) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => "(not a URL)".to_string(),
    };
    Line::ok("proxy", format!("{shown} (from {var})"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::diag::SourceFile;

    fn target(base_url: &str) -> ResolvedTarget {
        let src = Arc::new(SourceFile {
            path: "proxy.yaml".into(),
            text: format!("name: proxy\nbase_url: {base_url}\nactors: {{}}\noperations: {{}}\n"),
        });
        let root = crate::model::load::parse(&src).expect("YAML");
        let profile = crate::model::load::target(&src, &root).expect("a profile");
        ResolvedTarget::resolve(&profile, &src, false).expect("resolved")
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_loopback_host_is_never_proxied() {
        let line = proxy_line(
            &target("https://127.0.0.1:8443"),
            env(&[("HTTPS_PROXY", "http://proxy:3128")]),
        );
        assert!(line.text.contains("loopback"), "{}", line.text);
    }

    #[test]
    fn a_proxy_is_named_without_its_credentials_unless_no_proxy_names_the_host() {
        let t = target("https://sm.vendor.example");
        let vars = [("https_proxy", "http://user:s3cret@proxy.corp:3128")];
        let line = proxy_line(&t, env(&vars));
        assert_eq!(line.text, "http://proxy.corp:3128/ (from https_proxy)");
        let vars = [
            ("HTTPS_PROXY", "http://proxy.corp:3128"),
            ("NO_PROXY", "localhost,.vendor.example"),
        ];
        let line = proxy_line(&t, env(&vars));
        assert!(line.text.contains("NO_PROXY"), "{}", line.text);
        assert!(proxy_line(&t, env(&[])).text.starts_with("none"));
    }
}
