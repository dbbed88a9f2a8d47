//! Turning a request and its outcome into the [`Exchange`] kept as evidence: bodies truncated
//! to [`BODY_LIMIT`], secrets and credential headers masked at capture.

use std::time::Duration;

use super::message::{
    BODY_LIMIT, Incoming, OutBody, OutPart, Outgoing, RequestTag, TransportError,
};
use super::redact::Redactor;
use crate::outcome::Exchange;

/// The redacted record of one request and its outcome.
pub(super) fn exchange(
    r: &Redactor,
    tag: RequestTag<'_>,
    req: &Outgoing,
    outcome: &Result<Incoming, TransportError>,
    elapsed: Duration,
) -> Exchange {
    let (status, response_headers, response_body, response_size, error) = match outcome {
        Ok(resp) => {
            let headers = resp
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), r.header(k, v)))
                .collect();
            let body = body_text(resp).map(|t| r.text(&truncate(&t)));
            (Some(resp.status), headers, body, resp.body.len(), None)
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
        request_body: request_body(r, &req.body).map(|b| truncate(&b)),
        status,
        response_headers,
        response_body,
        response_size,
        error,
        elapsed,
    }
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
                        "part {name}: file {filename:?} ({media_type}, {} bytes)",
                        bytes.len()
                    ),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    }
}

fn truncate(s: &str) -> String {
    if s.len() <= BODY_LIMIT {
        return s.to_string();
    }
    let mut end = BODY_LIMIT;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &s[..end], s.len() - end)
}

/// The body as text when it is text; binary bodies are summarised by size and digest.
fn body_text(resp: &Incoming) -> Option<String> {
    if resp.body.is_empty() {
        return None;
    }
    match std::str::from_utf8(&resp.body) {
        Ok(t) if !t.contains('\0') => Some(t.to_string()),
        _ => {
            use sha2::Digest;
            Some(format!(
                "[binary body: {} bytes, sha256 {}]",
                resp.body.len(),
                hex::encode(sha2::Sha256::digest(&resp.body))
            ))
        }
    }
}
