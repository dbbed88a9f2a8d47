//! Running one contract operation through the target profile: render each request, send it
//! with the actor's session, capture between requests, read the further pages of a paged list,
//! and read the contract outputs, each checked against its contract type.

use std::collections::HashMap;

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value};

use super::{RunCtx, paginate};
use crate::http::extract::{extract, extract_pages};
use crate::http::{Exchange, Incoming, OutBody, OutPart, Outgoing, RequestTag, Session};
use crate::model::contract;
use crate::model::output::{ListSpec, Source};
use crate::model::target::{CredentialScope, Operation, RawBody, RequestSpec};
use crate::model::template;
use crate::outcome::{CheckError, ErrorKind};

/// A file given to an operation (e.g. `upload_attachment`'s `file`).
#[derive(Debug, Clone)]
pub struct FileInput {
    pub name: String,
    pub media_type: String,
    pub bytes: Bytes,
}

/// What one operation produced.
#[derive(Debug, Default)]
pub struct OpOutcome {
    pub responses: Vec<Incoming>,
    pub exchanges: Vec<Exchange>,
    pub outputs: Map<String, Value>,
    /// Outputs that could not be read, and why.
    pub missing: Vec<(String, String)>,
    /// The operation could not be carried out (transport failure, bad template).
    pub error: Option<CheckError>,
}

fn build(
    rc: &RunCtx,
    spec: &RequestSpec,
    ctx: &Value,
    files: &HashMap<String, FileInput>,
) -> Result<Outgoing, CheckError> {
    let bad_input = |m: String| CheckError::new(ErrorKind::Input, m);
    let r =
        |s: &str| template::render(s, ctx).map_err(|e| CheckError::new(ErrorKind::Template, e.0));
    let method_name = spec.method.as_deref().unwrap_or("GET").to_ascii_uppercase();
    let method = Method::from_bytes(method_name.as_bytes())
        .map_err(|_| bad_input(format!("invalid method `{method_name}`")))?;
    let mut url = rc
        .target
        .url(&r(&spec.path)?)
        .map_err(|e| bad_input(format!("invalid URL from `{}`: {e}", spec.path.value)))?;
    if !spec.query.is_empty() {
        let pairs: Vec<(String, String)> = spec
            .query
            .iter()
            .map(|(k, v)| Ok((k.clone(), r(v)?)))
            .collect::<Result<_, CheckError>>()?;
        url.query_pairs_mut().extend_pairs(pairs);
    }
    let headers = spec
        .headers
        .iter()
        .map(|(k, v)| Ok((k.clone(), r(v)?)))
        .collect::<Result<Vec<_>, CheckError>>()?;
    let body = if let Some(j) = &spec.json {
        OutBody::Json(
            template::render_value(&j.value, ctx)
                .map_err(|e| CheckError::new(ErrorKind::Template, e.0))?,
        )
    } else if let Some(form) = &spec.form {
        OutBody::Form(
            form.iter()
                .map(|(k, v)| Ok((k.clone(), r(v)?)))
                .collect::<Result<_, CheckError>>()?,
        )
    } else if let Some(parts) = &spec.multipart {
        let mut out = Vec::new();
        for p in parts {
            match (&p.value, &p.file) {
                (Some(v), _) => out.push(OutPart::Text {
                    name: p.name.clone(),
                    value: r(v)?,
                }),
                (None, Some(input)) => {
                    let f = files
                        .get(input)
                        .ok_or_else(|| bad_input(format!("file input `{input}` was not given")))?;
                    out.push(OutPart::File {
                        name: p.name.clone(),
                        filename: f.name.clone(),
                        media_type: f.media_type.clone(),
                        bytes: f.bytes.clone(),
                    });
                }
                (None, None) => {
                    return Err(bad_input(format!(
                        "multipart part `{}` has no value",
                        p.name
                    )));
                }
            }
        }
        OutBody::Multipart(out)
    } else if let Some(b) = &spec.body {
        match &b.value {
            RawBody::Text(t) => OutBody::Text(r(t)?),
            RawBody::File(input) => {
                let f = files
                    .get(input)
                    .ok_or_else(|| bad_input(format!("file input `{input}` was not given")))?;
                OutBody::Bytes {
                    filename: f.name.clone(),
                    media_type: f.media_type.clone(),
                    bytes: f.bytes.clone(),
                }
            }
        }
    } else {
        OutBody::None
    };
    Ok(Outgoing {
        method,
        url,
        headers,
        body,
        follow_redirects: spec.follow_redirects,
    })
}

/// Runs `op_name` as `session` with the given inputs.
pub async fn run(
    rc: &RunCtx,
    op_name: &str,
    inputs: &Map<String, Value>,
    files: &HashMap<String, FileInput>,
    session: &Session,
) -> OpOutcome {
    let mut out = OpOutcome::default();
    let Some(op) = rc.target.operations.get(op_name) else {
        out.error = Some(CheckError::new(
            ErrorKind::Input,
            format!("the target profile does not map operation `{op_name}`"),
        ));
        return out;
    };
    let mut ctx = rc.globals.clone();
    ctx.extend(inputs.iter().map(|(k, v)| (k.clone(), v.clone())));
    let tag = RequestTag {
        actor: &session.actor,
        purpose: op_name,
    };
    let count = op.requests.len();
    // Where the responses of the last request sent begin: its pages, when it is paged.
    let mut pages_from = 0;
    for (i, spec) in op.requests.iter().enumerate() {
        let ctx_value = Value::Object(ctx.clone());
        let mut req = match build(rc, spec, &ctx_value, files) {
            Ok(r) => r,
            Err(e) => {
                out.error = Some(e.context(op_name));
                return out;
            }
        };
        match spec.credentials {
            CredentialScope::Send => session.apply(&mut req),
            CredentialScope::Origins => session.apply_scoped(&mut req, &rc.target),
        }
        let sent = rc.http.send(&req, tag).await;
        out.exchanges.push(sent.exchange);
        let resp = match sent.outcome {
            Ok(r) => r,
            Err(e) => {
                out.error = Some(crate::http::check_error(&e).context(format_args!(
                    "{} {}",
                    req.method,
                    req.url.path()
                )));
                return out;
            }
        };
        for (name, cap) in &spec.capture {
            match extract(cap, &resp, &ctx_value) {
                Ok(v) => {
                    ctx.insert(name.clone(), v);
                }
                Err(e) if resp.status < 400 => {
                    out.error = Some(CheckError::new(
                        ErrorKind::MissingOutput,
                        format!("{op_name}: capture `{name}`: {e}"),
                    ));
                    out.responses.push(resp);
                    return out;
                }
                Err(_) => {}
            }
        }
        let refused = resp.status >= 400;
        let success = (200..300).contains(&resp.status);
        pages_from = out.responses.len();
        out.responses.push(resp);
        // A refused intermediate request ends the sequence; expectations judge that answer.
        if refused && i + 1 < count {
            break;
        }
        if let Some(p) = &op.paginate
            && i + 1 == count
            && success
        {
            let lists: Vec<&ListSpec> = op
                .outputs
                .values()
                .filter_map(|o| match &o.source {
                    Source::List(l) => Some(l),
                    _ => None,
                })
                .collect();
            let pages = paginate::Pages {
                responses: &mut out.responses,
                exchanges: &mut out.exchanges,
            };
            if let Err(e) = paginate::rest(rc, p, &lists, &req, &ctx_value, tag, pages).await {
                out.error = Some(e);
                return out;
            }
        }
    }
    let read = read_outputs(
        op_name,
        op,
        &out.responses[pages_from..],
        &Value::Object(ctx),
    );
    out.outputs = read.outputs;
    out.missing = read.missing;
    out.error = read.error;
    out
}

/// The contract outputs read from a response, those that could not be, and a type error.
#[derive(Default)]
struct Read {
    outputs: Map<String, Value>,
    missing: Vec<(String, String)>,
    error: Option<CheckError>,
}

/// Reads the contract outputs from the pages of the last request: each value read from a
/// success must be of its output's type, or the operation ends in error; from any other answer
/// a value that is not is left unread, with why.
fn read_outputs(op_name: &str, op: &Operation, pages: &[Incoming], ctx: &Value) -> Read {
    let mut out = Read::default();
    let Some(first) = pages.first() else {
        return out;
    };
    let success = (200..300).contains(&first.status);
    let contract_op = contract::operation(op_name);
    for (name, spec) in &op.outputs {
        let value = match extract_pages(spec, pages, ctx) {
            Ok(v) => v,
            Err(e) => {
                out.missing.push((name.value.clone(), e));
                continue;
            }
        };
        let field = contract_op.and_then(|c| c.output(name));
        if let Some(Err(m)) = field.map(|f| f.ty.check(&value)) {
            let why = format!(
                "output `{}{}` should be {}, found {}",
                name.value, m.at, m.expected, m.found
            );
            if success {
                out.error = Some(CheckError::new(ErrorKind::OutputType, why));
                return out;
            }
            out.missing.push((name.value.clone(), why));
            continue;
        }
        out.outputs.insert(name.value.clone(), value);
    }
    out
}
