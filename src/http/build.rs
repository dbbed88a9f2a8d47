//! Building a request of a profile (an operation's step, a login's request) from its spec:
//! templates rendered with the call's variables, the body in its written form, and file inputs
//! as multipart parts or raw bytes.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::Value;

use super::file_body::FileBody;
use super::{OutBody, OutPart, Outgoing};
use crate::model::request::{RawBody, RequestSpec};
use crate::model::resolve::ResolvedTarget;
use crate::model::template;
use crate::outcome::{CheckError, ErrorKind};

/// A file given to an operation (e.g. `upload_attachment`'s `file`).
#[derive(Debug, Clone)]
pub struct FileInput {
    /// The file name it is sent under.
    pub name: String,
    /// The media type it is declared as (which its bytes need not be).
    pub media_type: String,
    /// Its bytes, held or generated as they are sent.
    pub bytes: FileBody,
}

/// The request `spec` describes, with `ctx` as its templates' variables.
pub fn build(
    target: &ResolvedTarget,
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
    let mut url = target
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

/// The first request `operation` would send with `vars` (the run's variables and the call's
/// inputs), as the operation runner prepares it: the contract's optional inputs defaulted and
/// a list's cursor variable `null`; for probes that send an operation's request their own way.
pub fn operation_request(
    target: &ResolvedTarget,
    operation: &str,
    mut vars: serde_json::Map<String, Value>,
) -> Result<Outgoing, CheckError> {
    let op = target.operations.get(operation).ok_or_else(|| {
        CheckError::new(
            ErrorKind::Input,
            format!("the target profile does not map operation `{operation}`"),
        )
    })?;
    if let Some(c) = crate::model::contract::operation(operation) {
        for opt in c.optional {
            vars.entry(opt.to_string())
                .or_insert_with(|| crate::model::contract::optional_default(opt));
        }
    }
    if let Some(var) = op.cursor_variable()
        && op.requests.len() == 1
    {
        vars.entry(var.to_string()).or_insert(Value::Null);
    }
    let spec = op.requests.first().ok_or_else(|| {
        CheckError::new(
            ErrorKind::Input,
            format!("operation `{operation}` has no request"),
        )
    })?;
    build(target, spec, &Value::Object(vars), &HashMap::new()).map_err(|e| e.context(operation))
}
