//! `error_statuses` (SEC-11): requests a client got wrong are refused as the client's error,
//! never answered with a server error. From one operation's request, as the step's actor: its
//! body cut short (malformed JSON), its body under a wrong `Content-Type`, one of its text
//! fields a mebibyte long, and an unknown method; then an operation called with ids that do not
//! exist. Each must get a 4xx (an unknown method may get 501, as RFC 9110 §15.6.2 asks), or any
//! answer that is not a 5xx for the unknown ids, whose refusal a profile may say with HTTP 200.
//! A 502, 503 or 504, or no answer at all, is no verdict: the target was unavailable.

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::any::Any;

use super::reflection::ProbeCall;
use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::{OutBody, Outgoing, reason};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};

/// Length of the over-long field: past any sane field limit, within any sane body limit's
/// reach of a 413.
const LONG_FIELD: usize = 1 << 20;

/// Parameters of `error_statuses`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorStatusesParams {
    /// The operation whose request is sent wrong (one with a body, e.g. `start_conversation`).
    pub operation: Located<String>,
    /// Its inputs (templates).
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
    /// An operation called with ids that do not exist (e.g. `get_message`).
    #[serde(default)]
    pub unknown_ids: Option<ProbeCall>,
}

impl ProbeParams for ErrorStatusesParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.inputs
            .values()
            .chain(self.unknown_ids.iter().flat_map(|c| c.inputs.values()))
            .collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        std::iter::once(&self.operation)
            .chain(self.unknown_ids.iter().map(|c| &c.operation))
            .collect()
    }
}

/// `error_statuses`: bad requests get a 4xx, never a 5xx.
pub struct ErrorStatuses;

impl Probe for ErrorStatuses {
    const NAME: &'static str = "error_statuses";
    const ABOUT: &'static str =
        "malformed, mistyped, over-long, unknown-method and unknown-id requests get no 5xx";
    const PARAMS: &'static [&'static str] = &["operation", "inputs", "unknown_ids"];
    type Params = ErrorStatusesParams;
    fn run<'a, 'b>(
        p: &'a ErrorStatusesParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(error_statuses(p, env))
    }
}

/// Answers that say the target is unavailable (a gateway's or a load balancer's), not how it
/// handles a bad request.
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

fn unavailable(what: &str, status: u16) -> CheckError {
    CheckError::new(
        ErrorKind::Unavailable,
        format!(
            "{what} → {status} {}: the target was unavailable",
            reason(status)
        ),
    )
}

/// One wrong request: what it is, the request, and which statuses answer it right.
struct Variant {
    what: &'static str,
    req: Outgoing,
    accepts: fn(u16) -> bool,
}

fn client_error(s: u16) -> bool {
    (400..500).contains(&s)
}

fn unknown_method_answer(s: u16) -> bool {
    client_error(s) || s == 501
}

/// The first string in a JSON value, made `LONG_FIELD` characters long.
fn lengthen_first_string(v: &mut Value) -> bool {
    match v {
        Value::String(s) => {
            *s = "x".repeat(LONG_FIELD);
            true
        }
        Value::Array(items) => items.iter_mut().any(lengthen_first_string),
        Value::Object(map) => map.values_mut().any(lengthen_first_string),
        _ => false,
    }
}

/// The wrong requests made from `req`, a request the operation would send.
fn variants(req: &Outgoing) -> Vec<Variant> {
    let with = |body: OutBody, content_type: Option<&str>| {
        let mut r = Outgoing {
            body,
            ..req.clone()
        };
        r.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        if let Some(ct) = content_type {
            r.headers.push(("Content-Type".into(), ct.into()));
        }
        r
    };
    let mut out = Vec::new();
    let valid_text = match &req.body {
        OutBody::Json(v) => Some(v.to_string()),
        OutBody::Form(fields) => Some(
            fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
        ),
        _ => None,
    };
    if let OutBody::Json(v) = &req.body {
        let text = v.to_string();
        let cut = &text[..text.len() / 2];
        out.push(Variant {
            what: "malformed JSON",
            req: with(OutBody::Text(cut.to_string()), Some("application/json")),
            accepts: client_error,
        });
        let mut long = v.clone();
        if lengthen_first_string(&mut long) {
            out.push(Variant {
                what: "a field of 1 MiB",
                req: with(OutBody::Json(long), None),
                accepts: client_error,
            });
        }
    }
    if let Some(text) = valid_text {
        out.push(Variant {
            what: "a wrong Content-Type (the body sent as application/xml)",
            req: with(OutBody::Text(text), Some("application/xml")),
            accepts: client_error,
        });
    }
    let mut unknown = req.clone();
    unknown.method = Method::from_bytes(b"VVCHECK").unwrap_or(Method::PATCH);
    out.push(Variant {
        what: "an unknown method",
        req: unknown,
        accepts: unknown_method_answer,
    });
    out
}

async fn error_statuses(p: &ErrorStatusesParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let (actor, session) = env.actor.clone().ok_or_else(|| {
        CheckError::new(
            ErrorKind::Input,
            "error_statuses needs the step's actor (`as:`), so that no refusal is for want of a session",
        )
    })?;
    let mut vars = env.vars_map();
    for (k, v) in &p.inputs {
        vars.insert(k.clone(), env.render(v)?);
    }
    let req = crate::http::build::operation_request(env.target, &p.operation, vars)?;
    let mut findings = Vec::new();
    for v in variants(&req) {
        let mut wrong = v.req;
        session.apply_scoped(&mut wrong, env.target);
        let outcome = env.send(&wrong, &actor, "error_statuses").await;
        let summary = env.evidence.exchanges.last().map(|e| e.summary());
        let line = format!("{} {} with {}", wrong.method, wrong.url, v.what);
        let resp = match outcome {
            Ok(resp) => resp,
            // No answer at all says nothing of how it answers bad requests: no verdict.
            Err(e) => return Err(crate::http::check_error(&e).context(line)),
        };
        if UNAVAILABLE.contains(&resp.status) {
            return Err(unavailable(&line, resp.status));
        }
        if (v.accepts)(resp.status) {
            env.notes
                .push(format!("{line} → {} {}", resp.status, reason(resp.status)));
        } else {
            let mut f = Finding::new(
                format!("a 4xx for {}", v.what),
                format!("{line} → {} {}", resp.status, reason(resp.status)),
            );
            f.exchange = summary;
            findings.push(f);
        }
    }
    if let Some(call) = &p.unknown_ids {
        let mut inputs = Map::new();
        for (k, v) in &call.inputs {
            inputs.insert(k.clone(), env.render(v)?);
        }
        let sample = env.calls.call(&call.operation, &inputs, &session).await;
        let summary = sample.exchanges.last().map(|e| e.summary());
        env.evidence.exchanges.extend(sample.exchanges);
        match sample.status {
            Some(s) if UNAVAILABLE.contains(&s) => {
                return Err(unavailable(&call.operation.value, s));
            }
            Some(s) if s < 500 => env.notes.push(format!(
                "{} with ids that do not exist → {s} {}",
                call.operation.value,
                reason(s)
            )),
            Some(s) => {
                let mut f = Finding::new(
                    "no server error for ids that do not exist",
                    format!(
                        "{} with ids that do not exist → {s} {}",
                        call.operation.value,
                        reason(s)
                    ),
                );
                f.exchange = summary;
                findings.push(f);
            }
            None => {
                return Err(sample.error.unwrap_or_else(|| {
                    CheckError::new(ErrorKind::Transport, "no response to the unknown-id call")
                }));
            }
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_request_gives_four_wrong_variants_each_with_its_accepted_answers() {
        let mut req = Outgoing::get(url::Url::parse("https://v.test/api/c").expect("URL"));
        req.method = Method::POST;
        req.body = OutBody::Json(json!({"to": 7, "title": "Hi", "text": "Body"}));
        let vs = variants(&req);
        let whats: Vec<&str> = vs.iter().map(|v| v.what).collect();
        assert_eq!(
            whats,
            [
                "malformed JSON",
                "a field of 1 MiB",
                "a wrong Content-Type (the body sent as application/xml)",
                "an unknown method"
            ]
        );
        match &vs[0].req.body {
            OutBody::Text(t) => assert!(serde_json::from_str::<Value>(t).is_err(), "{t}"),
            other => panic!("a text body, not {other:?}"),
        }
        match &vs[1].req.body {
            OutBody::Json(v) => assert_eq!(v["title"].as_str().map(str::len), Some(LONG_FIELD)),
            other => panic!("a JSON body, not {other:?}"),
        }
        assert!((vs[3].accepts)(501) && (vs[3].accepts)(405) && !(vs[3].accepts)(500));
        assert!(!(vs[0].accepts)(200) && !(vs[0].accepts)(500) && (vs[0].accepts)(400));
    }
}
