//! Transport probes: plain HTTP is refused or redirected to HTTPS (SEC-03), and HTTPS answers
//! carry HSTS with a long enough max-age.

use super::{ProbeEnv, ProbeOutcome};
use crate::assert::Failure;
use crate::http::client::TransportKind;
use crate::http::reason;

/// One year, the floor for HSTS max-age that preload lists and SEC-03 use.
pub const MIN_HSTS_MAX_AGE: u64 = 31_536_000;

/// `plain_http`: a plain-HTTP request is refused, or redirected to an https:// URL.
pub async fn plain_http(env: &ProbeEnv<'_>) -> ProbeOutcome {
    let mut out = ProbeOutcome::default();
    let url = match env.target.http_url.join(&env.page("entry")) {
        Ok(u) => u,
        Err(e) => {
            out.error = Some(format!("bad http_url: {e}"));
            return out;
        }
    };
    match env.get(url.clone(), "plain_http", &mut out).await {
        Err(e) if e.kind == TransportKind::Connect => out.details.push(format!(
            "GET {url} → refused ({e}); plain HTTP is not served"
        )),
        // It accepted the connection: something listens there, and we could not see what.
        Err(e) => out.error = Some(format!("GET {url}: {e}")),
        Ok(resp) => {
            let location = resp.header("location").unwrap_or("");
            let summary = format!("GET {url} → {} {}", resp.status, reason(resp.status));
            if matches!(resp.status, 301 | 302 | 303 | 307 | 308)
                && location.to_ascii_lowercase().starts_with("https://")
            {
                out.details.push(format!("{summary}, Location: {location}"));
            } else {
                out.details.push(summary.clone());
                let seen = if location.is_empty() {
                    format!("{} {} over plain HTTP", resp.status, reason(resp.status))
                } else {
                    format!("{} to {location}", resp.status)
                };
                out.failures.push(Failure {
                    expected: "a redirect to https:// or a refused connection".into(),
                    seen,
                });
            }
        }
    }
    out
}

/// Reads `max-age` from a Strict-Transport-Security value.
pub fn hsts_max_age(value: &str) -> Option<u64> {
    value.split(';').find_map(|d| {
        let (k, v) = d.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())
            .flatten()
    })
}

/// `hsts`: the HTTPS entry page sends Strict-Transport-Security with max-age ≥ the floor.
pub async fn hsts(env: &ProbeEnv<'_>) -> ProbeOutcome {
    let mut out = ProbeOutcome::default();
    let min = env
        .params
        .get("min_max_age")
        .and_then(|v| v.as_u64())
        .unwrap_or(MIN_HSTS_MAX_AGE);
    let url = match env.target.url(&env.page("entry")) {
        Ok(u) => u,
        Err(e) => {
            out.error = Some(format!("bad page URL: {e}"));
            return out;
        }
    };
    let resp = match env.get(url.clone(), "hsts", &mut out).await {
        Ok(r) => r,
        Err(e) => {
            out.error = Some(format!("GET {url}: {e}"));
            return out;
        }
    };
    let expected = format!("Strict-Transport-Security with max-age ≥ {min}");
    match resp.header("strict-transport-security") {
        None => out.failures.push(Failure {
            expected,
            seen: format!("no HSTS header on GET {url} ({})", resp.status),
        }),
        Some(v) => match hsts_max_age(v) {
            Some(age) if age >= min => out
                .details
                .push(format!("GET {url} → Strict-Transport-Security: {v}")),
            _ => out.failures.push(Failure {
                expected,
                seen: format!("Strict-Transport-Security: {v}"),
            }),
        },
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_max_age() {
        assert_eq!(
            hsts_max_age("max-age=63072000; includeSubDomains"),
            Some(63_072_000)
        );
        assert_eq!(hsts_max_age("includeSubDomains; Max-Age=\"10\""), Some(10));
        assert_eq!(hsts_max_age("includeSubDomains"), None);
    }
}
