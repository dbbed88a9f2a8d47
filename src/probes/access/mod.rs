//! `access_matrix` (SEC-04, SEC-05, SEC-06): every operation that touches PHI, tried as every
//! kind of caller that must be refused — no credentials, forged ones, another patient, a
//! session after logout, a session after idling past the declared timeout — and as the two who
//! must get through, the conversation's patient and clinician, so that a server refusing
//! everything does not pass. A refusal is the profile's `denied` and none of the content (the
//! message text, the subject, the attachment's bytes), seen through the encodings vendors put
//! on text. Where ids look sequential, the other patient also tries the neighbouring ids, and
//! what came back is reported. The whole matrix is the check's evidence.

pub mod matrix;
mod neighbours;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{CallSample, Probe, ProbeEnv, ProbeResult};
use crate::assert::outcome::{ExpectedOutcome, shows};
use crate::http::{Incoming, Session, seen};
use crate::model::Located;
use crate::model::outcome::Outcome;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};
use matrix::{Cell, CellVerdict, Expected, Row};

/// Answers that say the target was unavailable, not how it guards its data.
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

fn two_minutes() -> u64 {
    120
}

/// Parameters of `access_matrix`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessParams {
    /// The patient whose conversation the inputs name.
    pub owner: Located<String>,
    /// The clinician in that conversation.
    pub clinician: Located<String>,
    /// Another patient, for the `other_patient` and `neighbour` rows.
    #[serde(default)]
    pub other_patient: Option<Located<String>>,
    /// The callers that must be refused, besides the owner and the clinician who must not.
    pub rows: Vec<Located<Row>>,
    /// The operations, in order.
    pub operations: Vec<AccessOp>,
    /// The longest the `expired` row may wait for a session to idle out, in seconds.
    #[serde(default = "two_minutes")]
    pub max_wait_s: u64,
}

/// One operation of the matrix.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessOp {
    pub operation: Located<String>,
    /// Its inputs (templates).
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
    /// What the answer carries, by what a reviewer calls it (`the message text: "{{text}}"`): a
    /// refusal must carry none of it.
    #[serde(default)]
    pub content: IndexMap<String, Located<Value>>,
    /// The SHA-256 (hex) of bytes the answer carries (an attachment's).
    #[serde(default)]
    pub content_sha256: Option<Located<Value>>,
    /// A list of the caller's own records: another patient may get `ok`, only not the content.
    #[serde(default)]
    pub own_list: bool,
    /// Which of `owner` and `clinician` must succeed (default both; `mark_read` is the
    /// recipient's alone).
    #[serde(default)]
    pub allowed: Option<Vec<Located<Row>>>,
    /// Tried only where the profile maps it; otherwise reported as not tried.
    #[serde(default)]
    pub if_mapped: bool,
}

impl ProbeParams for AccessParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.operations
            .iter()
            .flat_map(|o| {
                o.inputs
                    .values()
                    .chain(o.content.values())
                    .chain(o.content_sha256.iter())
            })
            .collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        self.operations
            .iter()
            .filter(|o| !o.if_mapped)
            .map(|o| &o.operation)
            .collect()
    }
    fn optional_operations(&self) -> Vec<&Located<String>> {
        self.operations
            .iter()
            .filter(|o| o.if_mapped)
            .map(|o| &o.operation)
            .collect()
    }
    fn actors(&self) -> Vec<&Located<String>> {
        [&self.owner, &self.clinician]
            .into_iter()
            .chain(self.other_patient.iter())
            .collect()
    }
}

/// `access_matrix`: every PHI operation × every caller.
pub struct AccessMatrix;

impl Probe for AccessMatrix {
    const NAME: &'static str = "access_matrix";
    const ABOUT: &'static str = "PHI operations refused, with no content, to anonymous, forged, revoked, expired and other-patient callers; allowed to the owner and clinician";
    const PARAMS: &'static [&'static str] = &[
        "owner",
        "clinician",
        "other_patient",
        "rows",
        "operations",
        "max_wait_s",
    ];
    type Params = AccessParams;
    fn run<'a, 'b>(p: &'a AccessParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(access_matrix(p, env))
    }
}

/// An operation with its inputs and content rendered.
struct Op {
    name: String,
    inputs: Map<String, Value>,
    /// The inputs the suite gave (not the step's other variables).
    given: Vec<String>,
    content: Vec<(String, String)>,
    sha256: Option<String>,
    own_list: bool,
    allowed: Vec<Row>,
}

/// One caller of the matrix.
struct Caller {
    row: Row,
    actor: String,
    session: Arc<Session>,
}

fn input_error(message: String) -> CheckError {
    CheckError::new(ErrorKind::Input, message)
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render_ops(p: &AccessParams, env: &mut ProbeEnv<'_>) -> Result<Vec<Op>, CheckError> {
    let mut ops = Vec::new();
    for o in &p.operations {
        if o.if_mapped && !env.target.operations.contains_key(o.operation.as_str()) {
            env.notes.push(format!(
                "access matrix: `{}` not tried: the profile does not map it",
                o.operation.value
            ));
            continue;
        }
        let mut inputs = env.vars_map();
        for (k, v) in &o.inputs {
            inputs.insert(k.clone(), env.render(v)?);
        }
        // As a call step does: optional inputs left out take their contract default.
        if let Some(c) = crate::model::contract::operation(o.operation.as_str()) {
            for name in c.optional {
                inputs
                    .entry(name.to_string())
                    .or_insert_with(|| crate::model::contract::optional_default(name));
            }
        }
        // The owner's synthetic PHI is content wherever it shows.
        let mut content: Vec<(String, String)> = env
            .target
            .actors
            .get(p.owner.as_str())
            .map(|a| {
                a.canaries
                    .iter()
                    .map(|(k, v)| (format!("the owner's {k}"), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        for (what, v) in &o.content {
            let text = text_of(&env.render(v)?);
            if !text.is_empty() {
                content.push((what.clone(), text));
            }
        }
        let sha256 = match &o.content_sha256 {
            Some(v) => Some(text_of(&env.render(v)?).to_ascii_lowercase()),
            None => None,
        };
        let allowed = match &o.allowed {
            Some(rows) => {
                let rows: Vec<Row> = rows.iter().map(|r| r.value).collect();
                if let Some(bad) = rows
                    .iter()
                    .find(|r| !matches!(r, Row::Owner | Row::Clinician))
                {
                    return Err(input_error(format!(
                        "`allowed` of `{}` names `{}`: only owner and clinician may be allowed",
                        o.operation.value,
                        bad.label()
                    )));
                }
                rows
            }
            None => vec![Row::Owner, Row::Clinician],
        };
        ops.push(Op {
            name: o.operation.value.clone(),
            inputs,
            given: o.inputs.keys().cloned().collect(),
            content,
            sha256,
            own_list: o.own_list,
            allowed,
        });
    }
    Ok(ops)
}

fn shared(env: &ProbeEnv<'_>, actor: &str) -> Result<Arc<Session>, CheckError> {
    env.sessions.get(actor).cloned().ok_or_else(|| {
        CheckError::new(
            ErrorKind::Internal,
            format!("no session of `{actor}`, whom the access matrix calls as"),
        )
    })
}

/// A session of `actor` of the check's own, never the shared one it will revoke or idle.
async fn fresh(env: &mut ProbeEnv<'_>, actor: &str) -> Result<Session, CheckError> {
    let resolved = env
        .target
        .actors
        .get(actor)
        .ok_or_else(|| input_error(format!("unknown actor `{actor}`")))?;
    match crate::http::auth::login(env.http, env.target, resolved).await {
        Ok(s) => {
            env.evidence
                .exchanges
                .extend(s.login_exchanges.iter().cloned());
            Ok(s)
        }
        Err(e) => {
            env.evidence.exchanges.extend(e.exchanges);
            Err(CheckError::new(ErrorKind::Login, e.message))
        }
    }
}

/// Whether `resp` shows `outcome` for `op`, by the profile.
fn shows_outcome(env: &ProbeEnv<'_>, op: &str, outcome: Outcome, resp: &Incoming) -> bool {
    let rules = env.target.outcome_rules(op, outcome);
    let login_path = env.target.pages.get("login").map(|p| p.path.as_str());
    shows(
        &ExpectedOutcome {
            outcome,
            rules: &rules,
            login_path,
        },
        resp,
    )
}

/// Whether `resp` did what `op` asked: the profile's `ok` where it says what that looks like,
/// else any answer below 400 (the REST default, as for every operation: a redirect after a
/// form post is no refusal).
fn succeeded(env: &ProbeEnv<'_>, op: &str, resp: &Incoming) -> bool {
    if env.target.outcome_rules_written(op, Outcome::Ok) {
        shows_outcome(env, op, Outcome::Ok, resp)
    } else {
        resp.status < 400
    }
}

/// Runs `op` as `caller` and judges the answer against `expected`.
async fn attempt(
    env: &mut ProbeEnv<'_>,
    op: &Op,
    inputs: &Map<String, Value>,
    caller: &Caller,
    expected: Expected,
) -> (Cell, Option<String>) {
    let sample: CallSample = env.calls.call(&op.name, inputs, &caller.session).await;
    let exchange = sample.exchanges.last().map(|e| e.summary());
    env.evidence.exchanges.extend(sample.exchanges);
    let mut cell = Cell {
        row: caller.row,
        actor: caller.actor.clone(),
        operation: op.name.clone(),
        expected,
        outcome: "none",
        status: None,
        leaked: Vec::new(),
        verdict: CellVerdict::Error,
        note: None,
    };
    let Some(last) = sample.responses.last() else {
        cell.note = Some(
            sample
                .error
                .map_or_else(|| "no answer".to_string(), |e| e.message),
        );
        return (cell, exchange);
    };
    cell.status = Some(last.status);
    cell.outcome = if shows_outcome(env, &op.name, Outcome::Denied, last) {
        "denied"
    } else if succeeded(env, &op.name, last) {
        "ok"
    } else {
        "other"
    };
    for resp in &sample.responses {
        for (what, text) in &op.content {
            if let Some(how) = seen::says(&resp.body, text) {
                let leak = match how {
                    seen::Encoding::AsIs => what.clone(),
                    other => format!("{what} ({})", other.label()),
                };
                if !cell.leaked.contains(&leak) {
                    cell.leaked.push(leak);
                }
            }
        }
        if let Some(want) = &op.sha256
            && hex::encode(aws_lc_rs::digest::digest(
                &aws_lc_rs::digest::SHA256,
                &resp.body,
            )) == *want
            && !cell.leaked.iter().any(|l| l == "the attachment's bytes")
        {
            cell.leaked.push("the attachment's bytes".into());
        }
    }
    cell.verdict = if UNAVAILABLE.contains(&last.status) {
        cell.note = Some("the target was unavailable".into());
        CellVerdict::Error
    } else {
        let passed = match expected {
            Expected::Ok => cell.outcome == "ok",
            Expected::Denied => cell.outcome == "denied" && cell.leaked.is_empty(),
            Expected::NoContent => cell.leaked.is_empty(),
            Expected::Reported => true,
        };
        match (expected, passed) {
            (Expected::Reported, _) => CellVerdict::Reported,
            (_, true) => CellVerdict::Pass,
            (_, false) => CellVerdict::Fail,
        }
    };
    (cell, exchange)
}

/// What a failed cell should have shown and what it showed.
fn finding(cell: &Cell, exchange: Option<String>) -> Finding {
    let who = format!("{} ({})", cell.row.label(), cell.actor);
    let expected = match cell.expected {
        Expected::Ok => format!(
            "`{}` to succeed for {who}, who may use it (the control of the matrix)",
            cell.operation
        ),
        Expected::Denied => format!("`{}` refused to {who}, with no content", cell.operation),
        Expected::NoContent | Expected::Reported => {
            format!("`{}` to show {who} none of the content", cell.operation)
        }
    };
    let status = cell
        .status
        .map_or_else(String::new, |s| format!(" {s} {}", crate::http::reason(s)));
    let mut seen = format!("{}{status}", cell.outcome);
    if !cell.leaked.is_empty() {
        seen.push_str(&format!(", with {}", cell.leaked.join(", ")));
    }
    if let Some(n) = &cell.note {
        seen.push_str(&format!("; {n}"));
    }
    Finding {
        exchange,
        ..Finding::new(expected, seen)
    }
}

async fn access_matrix(p: &AccessParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let rows: Vec<Row> = p.rows.iter().map(|r| r.value).collect();
    if let Some(r) = p
        .rows
        .iter()
        .find(|r| !r.value.intruder() && r.value != Row::Neighbour)
    {
        return Err(input_error(format!(
            "`rows` lists `{}`, who is always tried as a control; list only callers that must be refused",
            r.value.label()
        )));
    }
    let needs_other = rows.contains(&Row::OtherPatient) || rows.contains(&Row::Neighbour);
    if needs_other && p.other_patient.is_none() {
        return Err(input_error(
            "the `other_patient` and `neighbour` rows need `other_patient`".into(),
        ));
    }
    let ops = render_ops(p, env)?;
    let owner = shared(env, &p.owner)?;
    let clinician = shared(env, &p.clinician)?;

    // The session that will idle out is made first, so its wait runs alongside the rest.
    let idle = env.target.declared.idle_timeout_s;
    let mut idling: Option<(Session, tokio::time::Instant)> = None;
    if rows.contains(&Row::Expired) {
        match idle {
            Some(s) if s <= p.max_wait_s => {
                let session = fresh(env, &p.owner).await?;
                // A margin past the timeout: clocks and timers are not exact.
                let wait = Duration::from_secs(s) + Duration::from_secs(s / 10 + 2);
                idling = Some((session, tokio::time::Instant::now() + wait));
            }
            Some(s) => env.notes.push(format!(
                "access matrix: the expired row was not tried: the declared idle timeout ({s} s) is above the {} s this check may wait",
                p.max_wait_s
            )),
            None => env.notes.push(
                "access matrix: the expired row was not tried: the profile declares no `idle_timeout_s`".into(),
            ),
        }
    }

    let mut callers: Vec<Caller> = Vec::new();
    for row in &rows {
        match row {
            Row::Anonymous => callers.push(Caller {
                row: *row,
                actor: "anonymous".into(),
                session: Arc::new(Session::anonymous()),
            }),
            Row::Malformed => callers.push(Caller {
                row: *row,
                actor: p.owner.value.clone(),
                session: Arc::new(owner.malformed()),
            }),
            Row::OtherPatient => {
                let name = p
                    .other_patient
                    .as_ref()
                    .map(|o| o.value.clone())
                    .unwrap_or_default();
                callers.push(Caller {
                    row: *row,
                    session: shared(env, &name)?,
                    actor: name,
                })
            }
            Row::Revoked => match revoked(env, &p.owner).await? {
                Some(session) => callers.push(Caller {
                    row: *row,
                    actor: p.owner.value.clone(),
                    session: Arc::new(session),
                }),
                None => env.notes.push(
                    "access matrix: the revoked row was not tried: the profile maps no `logout`"
                        .into(),
                ),
            },
            Row::Expired | Row::Neighbour | Row::Owner | Row::Clinician => {}
        }
    }

    let mut cells: Vec<(Cell, Option<String>)> = Vec::new();
    for caller in &callers {
        run_row(env, &ops, caller, &mut cells).await;
    }
    for (row, actor, session) in [
        (Row::Owner, &p.owner.value, owner),
        (Row::Clinician, &p.clinician.value, clinician),
    ] {
        let caller = Caller {
            row,
            actor: actor.clone(),
            session,
        };
        for op in ops.iter().filter(|o| o.allowed.contains(&row)) {
            let inputs = marked(op, &caller);
            cells.push(attempt(env, op, &inputs, &caller, Expected::Ok).await);
        }
    }
    if rows.contains(&Row::Neighbour)
        && let Some(other) = &p.other_patient
    {
        let caller = Caller {
            row: Row::Neighbour,
            actor: other.value.clone(),
            session: shared(env, other)?,
        };
        for op in ops.iter().filter(|o| !o.own_list && reads(&o.name)) {
            for (key, id) in neighbours::of(&op.inputs, &op.given) {
                let mut inputs = op.inputs.clone();
                inputs.insert(key.clone(), id.clone());
                let (mut cell, ex) = attempt(env, op, &inputs, &caller, Expected::Reported).await;
                cell.note = Some(format!("{key} {}", text_of(&id)));
                cells.push((cell, ex));
            }
        }
    }
    if let Some((session, at)) = idling {
        tokio::time::sleep_until(at).await;
        let caller = Caller {
            row: Row::Expired,
            actor: p.owner.value.clone(),
            session: Arc::new(session),
        };
        run_row(env, &ops, &caller, &mut cells).await;
    }

    let only: Vec<Cell> = cells.iter().map(|(c, _)| c.clone()).collect();
    env.notes.extend(matrix::table(&only));
    env.evidence.access = serde_json::to_value(&only).unwrap_or(Value::Null);
    let findings: Vec<Finding> = cells
        .iter()
        .filter(|(c, _)| c.verdict == CellVerdict::Fail)
        .map(|(c, ex)| finding(c, ex.clone()))
        .collect();
    let errors: Vec<String> = cells
        .iter()
        .filter(|(c, _)| c.verdict == CellVerdict::Error)
        .map(|(c, _)| {
            format!(
                "{} as {} ({}): {}",
                c.operation,
                c.row.label(),
                c.actor,
                c.note.as_deref().unwrap_or("no verdict")
            )
        })
        .collect();
    // A failure stands whatever else happened; errors alone leave the matrix without a verdict.
    if findings.is_empty() && !errors.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "{} cells had no answer: {}",
                errors.len(),
                errors.join("; ")
            ),
        ));
    }
    env.notes
        .extend(errors.iter().map(|e| format!("no verdict: {e}")));
    Ok(findings)
}

/// Every operation as `caller`, who must be refused (a list of one's own records may answer,
/// without the content).
async fn run_row(
    env: &mut ProbeEnv<'_>,
    ops: &[Op],
    caller: &Caller,
    cells: &mut Vec<(Cell, Option<String>)>,
) {
    for op in ops {
        let expected = if op.own_list && caller.row == Row::OtherPatient {
            Expected::NoContent
        } else {
            Expected::Denied
        };
        let inputs = marked(op, caller);
        cells.push(attempt(env, op, &inputs, caller, expected).await);
    }
}

/// The inputs of `op` for `caller`: a text it writes says who wrote it, so that a write that
/// landed can be told apart in the thread.
fn marked(op: &Op, caller: &Caller) -> Map<String, Value> {
    let mut inputs = op.inputs.clone();
    if let Some(Value::String(body)) = inputs.get_mut("body") {
        body.push_str(&format!(" [access matrix: {}]", caller.row.label()));
    }
    inputs
}

/// Operations that read one resource by id.
fn reads(op: &str) -> bool {
    matches!(
        op,
        "get_message" | "list_messages" | "get_conversation" | "download_attachment"
    )
}

/// A fresh session of `owner`, logged out through `logout`; `None` when the profile maps none.
async fn revoked(env: &mut ProbeEnv<'_>, owner: &str) -> Result<Option<Session>, CheckError> {
    if !env.target.operations.contains_key("logout") {
        return Ok(None);
    }
    let session = fresh(env, owner).await?;
    let sample = env.calls.call("logout", &env.vars_map(), &session).await;
    env.evidence.exchanges.extend(sample.exchanges);
    match sample.responses.last() {
        Some(resp) if succeeded(env, "logout", resp) => Ok(Some(session)),
        Some(resp) => Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "logout did not succeed ({} {}), so no revoked session could be tried",
                resp.status,
                crate::http::reason(resp.status)
            ),
        )),
        None => Err(sample.error.unwrap_or_else(|| {
            CheckError::new(ErrorKind::Unavailable, "logout got no answer".to_string())
        })),
    }
}
