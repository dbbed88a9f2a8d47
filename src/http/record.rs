//! Turning a request and its outcome into the [`Exchange`] kept as evidence: secrets and
//! credential headers masked at capture (over the whole body, before anything is cut), large
//! bodies kept in the run's spill file.

use std::time::{Duration, Instant};

use super::message::{
    BODY_LIMIT, Incoming, OutBody, OutPart, Outgoing, RequestTag, TransportError,
};
use super::redact::{Known, Redactor, SecretKind};
use super::spill::{KEEP_LIMIT, Spill, cut};
use crate::outcome::{Attempt, Body, Exchange, Reflection};

/// An attempt that got no response and was retried, as the client saw it (not yet redacted).
#[derive(Debug)]
pub(super) struct FailedAttempt {
    pub(super) message: String,
    pub(super) elapsed: Duration,
}

/// How a request ended: its last attempt's outcome, the attempts retried before it, and the
/// time all of them took.
pub(super) struct Outcome<'a> {
    pub(super) last: &'a Result<Incoming, TransportError>,
    pub(super) retried: &'a [FailedAttempt],
    pub(super) elapsed: Duration,
}

/// The redacted record of one request and its outcome; `before` is what the redactor knew
/// when the request was sent, so the credentials the response echoed can be told apart.
pub(super) fn exchange(
    r: &Redactor,
    spill: Option<&Spill>,
    tag: RequestTag<'_>,
    req: &Outgoing,
    outcome: Outcome<'_>,
    before: Known,
) -> Exchange {
    let mut reflected = Vec::new();
    let (status, response_headers, response_body, response_size, error) = match outcome.last {
        Ok(resp) => {
            let headers = resp
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), r.header(k, v)))
                .collect();
            let text = body_text(resp);
            reflected = reflections(r, before, req, resp, text.as_deref());
            let body = text.map(|t| keep(spill, r.text(&t)));
            let size = usize::try_from(resp.size()).unwrap_or(usize::MAX);
            (Some(resp.status), headers, body, size, None)
        }
        Err(e) => (None, Vec::new(), None, 0, Some(r.text(&e.message))),
    };
    Exchange {
        actor: tag.actor.to_string(),
        purpose: tag.purpose.to_string(),
        method: req.method.to_string(),
        url: r.text(req.url.as_str()),
        request_headers: req
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), r.header(k, v)))
            .collect(),
        request_body: request_body(r, &req.body).map(|b| keep(spill, b)),
        status,
        response_headers,
        response_body,
        response_size,
        error,
        elapsed: outcome.elapsed,
        attempts: outcome
            .retried
            .iter()
            .map(|a| Attempt {
                error: r.text(&a.message),
                elapsed: a.elapsed,
            })
            .collect(),
        reflected,
        sent: Instant::now().checked_sub(outcome.elapsed),
    }
}

/// Where the response carried back a credential known before the request. `Set-Cookie` is left
/// out: a server may set the session cookie it was sent again (a sliding expiry), and
/// anti-forgery tokens are meant to be in pages.
fn reflections(
    r: &Redactor,
    before: Known,
    req: &Outgoing,
    resp: &Incoming,
    body: Option<&str>,
) -> Vec<Reflection> {
    let final_url = (resp.url != req.url).then(|| ("final URL".to_string(), resp.url.as_str()));
    let headers = resp
        .headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("set-cookie"))
        .map(|(k, v)| (format!("header {k}"), v.as_str()));
    let places = headers
        .chain(final_url)
        .chain(body.map(|b| ("body".to_string(), b)));
    let mut out = Vec::new();
    for (place, text) in places {
        for seen in r.reflected(text, before) {
            if seen.kind == SecretKind::Credential {
                out.push(Reflection {
                    place: place.clone(),
                    form: seen.form.label().to_string(),
                });
            }
        }
    }
    out
}

/// The request body as redacted text; file parts are described, not copied.
fn request_body(r: &Redactor, body: &OutBody) -> Option<String> {
    match body {
        OutBody::None => None,
        OutBody::Json(v) => Some(r.text(&v.to_string())),
        OutBody::Form(fields) => Some(
            r.text(
                &url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            ),
        ),
        OutBody::Text(t) => Some(r.text(t)),
        OutBody::Bytes {
            filename,
            media_type,
            bytes,
        } => Some(format!(
            "file {filename:?} ({media_type}, {})",
            bytes.summary()
        )),
        OutBody::Multipart(parts) => Some(
            parts
                .iter()
                .map(|p| match p {
                    OutPart::Text { name, value } => format!("part {name}={}", r.text(value)),
                    OutPart::File {
                        name,
                        filename,
                        media_type,
                        bytes,
                    } => format!(
                        "part {name}: file {filename:?} ({media_type}, {})",
                        bytes.summary()
                    ),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

/// A redacted body kept: spilled when large, or cut at [`BODY_LIMIT`] when there is no spill.
fn keep(spill: Option<&Spill>, text: String) -> Body {
    match spill {
        Some(spill) => spill.keep(text),
        None => Body::Inline(cut(text, BODY_LIMIT)),
    }
}

/// The body as text when it is text; binary bodies are summarised by size and digest. A body
/// cut short is kept as far as it was read, and says so.
fn body_text(resp: &Incoming) -> Option<String> {
    if resp.body.is_empty() {
        return None;
    }
    // A cut may fall inside a character: the text ends before it.
    let text = match std::str::from_utf8(&resp.body) {
        Ok(t) => Some(t),
        Err(e) if resp.cut.is_some() && e.error_len().is_none() => {
            std::str::from_utf8(&resp.body[..e.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    match (text, &resp.cut) {
        (Some(t), None) if !t.contains('\0') => Some(t.to_string()),
        (Some(t), Some(cut)) if !t.contains('\0') => {
            // Room for the note within what an exchange keeps, so the note is not cut off.
            let mut end = t.len().min(KEEP_LIMIT - 256);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            Some(format!(
                "{}… [{} more bytes not kept; sha256 of the whole body {}]",
                &t[..end],
                cut.size - end as u64,
                cut.sha256
            ))
        }
        (_, Some(cut)) => Some(format!(
            "[binary body: {} bytes, sha256 {}]",
            cut.size, cut.sha256
        )),
        (_, None) => {
            use sha2::Digest;
            Some(format!(
                "[binary body: {} bytes, sha256 {}]",
                resp.body.len(),
                hex::encode(sha2::Sha256::digest(&resp.body))
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: String) -> Incoming {
        let url = url::Url::parse("https://vendor.example/api").expect("url");
        Incoming {
            status: 200,
            headers: Vec::new(),
            body: body.into(),
            cut: None,
            elapsed: Duration::ZERO,
            url,
            unfollowed: None,
        }
    }

    #[test]
    fn a_retried_attempt_is_recorded_redacted() {
        let r = Redactor::default();
        r.add("s3cret-token-value");
        let req = Outgoing::get(url::Url::parse("https://vendor.example/api").expect("url"));
        let tag = RequestTag {
            actor: "patient_a",
            purpose: "get_message",
        };
        let retried = [FailedAttempt {
            message: "request failed: reset while sending s3cret-token-value".into(),
            elapsed: Duration::from_millis(3),
        }];
        let ex = exchange(
            &r,
            None,
            tag,
            &req,
            Outcome {
                last: &Ok(response("ok".into())),
                retried: &retried,
                elapsed: Duration::from_millis(210),
            },
            Known::default(),
        );
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.attempts.len(), 1);
        assert_eq!(ex.attempts[0].elapsed, Duration::from_millis(3));
        assert!(ex.attempts[0].error.starts_with("request failed: reset"));
        assert!(
            !ex.attempts[0].error.contains("s3cret"),
            "{:?}",
            ex.attempts
        );
        assert!(ex.summary().ends_with("→ 200 OK (after 1 failed attempt)"));
    }

    #[test]
    fn a_secret_across_the_cut_is_masked_before_the_body_is_cut() {
        let secret = "s3cret-token-value";
        let r = Redactor::default();
        r.add(secret);
        // The secret starts just before the in-memory limit, so a cut first would split it.
        let body = format!("{}{secret} and more", "a".repeat(BODY_LIMIT - 5));
        let req = Outgoing::get(url::Url::parse("https://vendor.example/api").expect("url"));
        let tag = RequestTag {
            actor: "patient_a",
            purpose: "get_message",
        };
        for spill in [None, Spill::new().ok()] {
            let ex = exchange(
                &r,
                spill.as_ref(),
                tag,
                &req,
                Outcome {
                    last: &Ok(response(body.clone())),
                    retried: &[],
                    elapsed: Duration::ZERO,
                },
                Known::default(),
            );
            let kept = ex.response_body.expect("a body").text().into_owned();
            assert!(
                !kept.contains("s3cre"),
                "no part of the secret is kept: {kept}"
            );
        }
    }

    #[test]
    fn a_credential_known_before_the_request_is_a_reflection_and_an_issued_one_is_not() {
        let r = Redactor::default();
        r.add("hunter2-long-password");
        r.add_kind("csrf-token-123456", SecretKind::AntiForgery);
        let before = r.known();
        r.add("issued-token-7890");
        let mut resp = response(
            "welcome hunter2-long-password, token issued-token-7890, csrf-token-123456".into(),
        );
        resp.headers = vec![
            ("Location".into(), "/x?pw=hunter2%2Dlong%2Dpassword".into()),
            ("Set-Cookie".into(), "sid=hunter2-long-password".into()),
        ];
        let req = Outgoing::get(url::Url::parse("https://vendor.example/api").expect("url"));
        let tag = RequestTag {
            actor: "patient_a",
            purpose: "login",
        };
        let outcome = Outcome {
            last: &Ok(resp),
            retried: &[],
            elapsed: Duration::ZERO,
        };
        let ex = exchange(&r, None, tag, &req, outcome, before);
        let seen: Vec<(&str, &str)> = ex
            .reflected
            .iter()
            .map(|x| (x.place.as_str(), x.form.as_str()))
            .collect();
        assert_eq!(
            seen,
            [("header Location", "percent-encoded"), ("body", "as is")]
        );
        let body = ex.response_body.expect("a body").text().into_owned();
        assert_eq!(body, "welcome [REDACTED], token [REDACTED], [REDACTED]");
    }
}
