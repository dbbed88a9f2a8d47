//! The one redirect rule. An operation's request follows no redirect unless its profile says
//! `follow_redirects: true`: an unfollowed 3xx is an answer like any other, judged by the
//! profile's outcomes. Where redirects are followed, at most [`MAX_REDIRECTS`] are, and only to
//! the target profile's hosts: a redirect elsewhere is not followed, and the answer says where
//! it pointed.

use crate::model::resolve::ResolvedTarget;

/// The most redirects one request follows.
pub const MAX_REDIRECTS: usize = 5;

/// The hosts of a target profile: those of `base_url`, `http_url`, `origins:` and pages given
/// as absolute URLs. vvcheck follows no redirect and no link to any other host.
#[derive(Debug, Clone, Default)]
pub struct ProfileHosts(Vec<String>);

impl ProfileHosts {
    /// The hosts `target` names.
    pub fn of(target: &ResolvedTarget) -> ProfileHosts {
        let origins = target.credential_origins.iter().filter_map(|o| match o {
            url::Origin::Tuple(_, host, _) => Some(host.to_string()),
            url::Origin::Opaque(_) => None,
        });
        let pages = target
            .pages
            .values()
            .filter_map(|p| url::Url::parse(&p.path).ok())
            .filter_map(|u| u.host_str().map(str::to_string));
        let mut hosts: Vec<String> = [&target.base_url, &target.http_url]
            .into_iter()
            .filter_map(|u| u.host_str().map(str::to_string))
            .chain(origins)
            .chain(pages)
            .map(|h| h.to_ascii_lowercase())
            .collect();
        hosts.sort();
        hosts.dedup();
        ProfileHosts(hosts)
    }

    /// Whether `url` is on one of the profile's hosts (any port, any scheme).
    pub fn contains(&self, url: &url::Url) -> bool {
        url.host_str()
            .is_some_and(|h| self.0.iter().any(|p| p.eq_ignore_ascii_case(h)))
    }

    /// Why a request to `url` is not sent, or `None` when it is on the profile's hosts.
    pub fn refusal(&self, url: &url::Url, how: &str) -> Option<String> {
        (!self.contains(url))
            .then(|| format!("{how} {url} — a host outside the target profile; not followed"))
    }
}

/// The policy of a client that follows redirects: at most [`MAX_REDIRECTS`], and none off the
/// profile's hosts (that answer is returned as it is, for the caller to say where it pointed).
pub fn policy(hosts: ProfileHosts) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else if hosts.contains(attempt.url()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Where an answer the client returned redirects to, when that is off the profile's hosts: the
/// reason it was not followed.
pub fn unfollowed(
    hosts: &ProfileHosts,
    status: u16,
    location: Option<&str>,
    at: &url::Url,
) -> Option<String> {
    if !(300..400).contains(&status) {
        return None;
    }
    let to = at.join(location?).ok()?;
    hosts.refusal(&to, "redirected to")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> ProfileHosts {
        ProfileHosts(vec!["vendor.example".into(), "127.0.0.1".into()])
    }

    #[test]
    fn a_redirect_off_the_profile_says_where_it_pointed() {
        let at = url::Url::parse("https://vendor.example/api/x").expect("URL");
        assert_eq!(
            unfollowed(&hosts(), 302, Some("https://evil.example/steal?x=1"), &at).as_deref(),
            Some(
                "redirected to https://evil.example/steal?x=1 — a host outside the target profile; not followed"
            )
        );
        assert_eq!(unfollowed(&hosts(), 302, Some("/login"), &at), None);
        assert_eq!(
            unfollowed(&hosts(), 200, Some("https://evil.example/"), &at),
            None
        );
        let other_port = url::Url::parse("http://127.0.0.1:9/").expect("URL");
        assert!(hosts().contains(&other_port), "hosts, not origins");
    }
}
