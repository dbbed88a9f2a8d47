//! Running one contract operation through the target profile: render each request, send it
//! with the actor's session, capture between requests, read the further pages of a paged list,
//! and read the contract outputs, each checked against its contract type.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::judge::Judge;
use super::{RunCtx, paginate};
use crate::http::build::{FileInput, build};
use crate::http::extract::{extract, extract_pages};
use crate::http::{Exchange, Incoming, RequestTag, Session};
use crate::model::contract;
use crate::model::output::{ListSpec, Source};
use crate::model::request::CredentialScope;
use crate::model::target::Operation;
use crate::outcome::{CheckError, ErrorKind};

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
    let judge = Judge::of(rc, op_name);
    let count = op.requests.len();
    // Where the responses of the last request sent begin: its pages, when it is paged.
    let mut pages_from = 0;
    for (i, spec) in op.requests.iter().enumerate() {
        // A list paged by a cursor variable asks for its first page with the variable `null`.
        if let Some(var) = op.cursor_variable()
            && i + 1 == count
        {
            ctx.entry(var.to_string()).or_insert(Value::Null);
        }
        let ctx_value = Value::Object(ctx.clone());
        let prepare = |vars: &Value| {
            let mut req = build(&rc.target, spec, vars, files)?;
            match spec.credentials {
                CredentialScope::Send => session.apply(&mut req),
                CredentialScope::Origins => session.apply_scoped(&mut req, &rc.target),
            }
            Ok::<_, CheckError>(req)
        };
        let req = match prepare(&ctx_value) {
            Ok(r) => r,
            Err(e) => {
                out.error = Some(e.context(op_name));
                return out;
            }
        };
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
        let mut ended = false;
        for (name, cap) in &spec.capture {
            match extract(cap, &resp, &ctx_value) {
                Ok(v) => {
                    ctx.insert(name.clone(), v);
                }
                // A capture failing on an answer that is not `ok` (a refusal, a redirect) is
                // no error: the sequence ends there and the expectations judge that answer.
                Err(_) if !judge.ok(&resp) => ended = true,
                Err(e) => {
                    out.error = Some(CheckError::new(
                        ErrorKind::MissingOutput,
                        format!("{op_name}: capture `{name}`: {e}"),
                    ));
                    out.responses.push(resp);
                    return out;
                }
            }
        }
        let refused = judge.refused(&resp);
        let success = judge.ok(&resp);
        pages_from = out.responses.len();
        out.responses.push(resp);
        // A refused intermediate request ends the sequence; expectations judge that answer.
        if (refused || ended) && i + 1 < count {
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
            let rebuild = |var: &str, cursor: Value| {
                let mut vars = ctx.clone();
                vars.insert(var.to_string(), cursor);
                prepare(&Value::Object(vars))
            };
            let list = paginate::List {
                paginate: p,
                lists: &lists,
                first: &req,
                rebuild: &rebuild,
                judge: &judge,
            };
            if let Err(e) = paginate::rest(rc, &list, &ctx_value, tag, pages).await {
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
        &judge,
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
fn read_outputs(
    op_name: &str,
    op: &Operation,
    pages: &[Incoming],
    ctx: &Value,
    judge: &Judge,
) -> Read {
    let mut out = Read::default();
    let Some(first) = pages.first() else {
        return out;
    };
    let success = judge.ok(first);
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
