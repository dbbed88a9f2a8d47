//! `security_txt` (SEC-15, the disclosure contact): `/.well-known/security.txt` as RFC 9116
//! asks — served over HTTPS as `text/plain`, with at least one `Contact` and exactly one
//! `Expires` that is still in the future. The risk-assessment and penetration-test part of
//! SEC-15 stays an attestation.

use futures_util::future::BoxFuture;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::headers::NoParams;
use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::reason;
use crate::outcome::{CheckError, ErrorKind, Finding};

/// `security_txt`: a current RFC 9116 security.txt with a contact.
pub struct SecurityTxt;

impl Probe for SecurityTxt {
    const NAME: &'static str = "security_txt";
    const ABOUT: &'static str =
        "/.well-known/security.txt (RFC 9116) with a Contact and a future Expires";
    const PARAMS: &'static [&'static str] = &[];
    type Params = NoParams;
    fn run<'a, 'b>(_: &'a NoParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(security_txt(env))
    }
}

/// What is wrong with a security.txt body, judged at `now`; empty when nothing is.
pub fn problems(body: &str, now: OffsetDateTime) -> Vec<String> {
    let fields: Vec<(String, &str)> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()))
        .collect();
    let mut out = Vec::new();
    if !fields.iter().any(|(k, v)| k == "contact" && !v.is_empty()) {
        out.push("no `Contact:` field".to_string());
    }
    let expires: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "expires")
        .map(|(_, v)| *v)
        .collect();
    match expires.as_slice() {
        [] => out.push("no `Expires:` field (RFC 9116 requires one)".to_string()),
        [one] => match OffsetDateTime::parse(one, &Rfc3339) {
            Ok(at) if at > now => {}
            Ok(_) => out.push(format!("it expired on {one}")),
            Err(_) => out.push(format!("`Expires: {one}` is not an RFC 3339 date and time")),
        },
        _ => out.push("`Expires:` appears more than once".to_string()),
    }
    out
}

async fn security_txt(env: &mut ProbeEnv<'_>) -> ProbeResult {
    let url = env
        .target
        .url("/.well-known/security.txt")
        .map_err(|e| CheckError::new(ErrorKind::Input, format!("bad base_url: {e}")))?;
    let resp = env
        .get(url.clone(), "security_txt")
        .await
        .map_err(|e| crate::http::check_error(&e).context(format!("GET {url}")))?;
    let expected = "a security.txt (RFC 9116) with a Contact and an Expires in the future";
    let mut seen = Vec::new();
    if resp.status != 200 {
        seen.push(format!(
            "GET {url} answered {} {}",
            resp.status,
            reason(resp.status)
        ));
    } else {
        let media = resp
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        if !media.trim_start().starts_with("text/plain") {
            seen.push(format!("it is served as `{media}`, not text/plain"));
        }
        seen.extend(problems(&resp.text(), OffsetDateTime::now_utc()));
    }
    if seen.is_empty() {
        env.notes
            .push(format!("GET {url} → 200, a current security.txt"));
        return Ok(Vec::new());
    }
    Ok(env.resting_on_last_exchange(vec![Finding::new(expected, seen.join("; "))]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_security_txt_needs_a_contact_and_one_future_expiry() {
        let now = datetime!(2026-12-01 12:00 UTC);
        let good = "# Acme\nContact: mailto:security@acme.example\nExpires: 2027-06-30T23:59:59Z\n";
        assert!(problems(good, now).is_empty());
        let expired = "Contact: https://acme.example/report\nExpires: 2026-01-01T00:00:00Z\n";
        assert_eq!(
            problems(expired, now),
            ["it expired on 2026-01-01T00:00:00Z"]
        );
        assert_eq!(
            problems("Expires: 2027-01-01T00:00:00Z", now),
            ["no `Contact:` field"]
        );
        assert_eq!(
            problems("Contact: mailto:s@a.example", now),
            ["no `Expires:` field (RFC 9116 requires one)"]
        );
        assert_eq!(problems("Contact: x\nExpires: soon", now).len(), 1);
    }
}
