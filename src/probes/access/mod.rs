//! `access_matrix` (SEC-04, SEC-05, SEC-06): every operation that touches PHI, tried as every
//! kind of caller that must be refused — no credentials, forged ones, another patient, a
//! session after logout, a session after idling past the declared timeout — and as the two who
//! must get through, the conversation's patient and clinician, so that a server refusing
//! everything does not pass. A refusal is the profile's `denied` and none of the content (the
//! message text, the subject, the attachment's bytes), seen through the encodings vendors put
//! on text. Where ids look sequential, the other patient also tries the neighbouring ids, and
//! what came back is reported. The whole matrix is the check's evidence.

mod judge;
pub mod matrix;
mod neighbours;
mod rows;

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::{BoxFuture, join_all};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::Session;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};
use crate::probes::phi::planted::Planted;
use judge::Tried;
use matrix::{Cell, CellVerdict, Row};
use rows::{RowPlan, Setup};

/// Answers that say the target was unavailable, not how it guards its data.
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

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
    // Every row signs in on its own: a shared session it took but did not use would look
    // fresh to the run while the target idles it out.
    fn named_actors(&self) -> Vec<&Located<String>> {
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
    const PARAMS: &'static [&'static str] =
        &["owner", "clinician", "other_patient", "rows", "operations"];
    // The `expired` row waits out the declared idle timeout (within `--max-wait`).
    const WAITS: bool = true;
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
    /// The owner's synthetic PHI, content wherever it shows, in any of its spellings.
    owner_phi: Vec<Planted>,
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
        let mut content: Vec<(String, String)> = Vec::new();
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
            owner_phi: crate::probes::phi::planted::canaries(env.target)
                .into_iter()
                .filter(|c| c.owner == p.owner.value)
                .collect(),
            sha256,
            own_list: o.own_list,
            allowed,
        });
    }
    Ok(ops)
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
    let other = p.other_patient.as_ref().map(|o| o.value.clone());
    let needs_other = rows.contains(&Row::OtherPatient) || rows.contains(&Row::Neighbour);
    let other = match (other, needs_other) {
        (Some(o), _) => o,
        (None, false) => String::new(),
        (None, true) => {
            return Err(input_error(
                "the `other_patient` and `neighbour` rows need `other_patient`".into(),
            ));
        }
    };
    let ops = render_ops(p, env)?;
    let owner = &p.owner.value;

    let mut plans: Vec<RowPlan> = Vec::new();
    for row in &rows {
        let plan = |actor: &str, setup| RowPlan {
            row: *row,
            actor: actor.to_string(),
            setup,
        };
        match row {
            Row::Anonymous => plans.push(plan(
                "anonymous",
                Setup::Ready(Arc::new(Session::anonymous())),
            )),
            Row::Malformed => plans.push(plan(owner, Setup::LoginForged)),
            Row::OtherPatient | Row::Neighbour => plans.push(plan(&other, Setup::Login)),
            Row::Revoked if env.target.operations.contains_key("logout") => {
                plans.push(plan(owner, Setup::LoginLogout));
            }
            Row::Revoked => env.notes.push(
                "access matrix: the revoked row was not tried: the profile maps no `logout`"
                    .into(),
            ),
            Row::Expired => match env.target.declared.idle_timeout_s {
                Some(s) if Duration::from_secs(s) <= env.max_wait => {
                    // The idle check's margin past the timeout: clocks and timers are not exact.
                    let timeout = Duration::from_secs(s);
                    let wait = timeout + crate::probes::session::idle::margin(timeout);
                    plans.push(plan(owner, Setup::LoginIdle(wait)));
                }
                Some(s) => env.notes.push(format!(
                    "access matrix: the expired row was not tried: the declared idle timeout ({s} s) is above the {} s this run may wait (--max-wait)",
                    env.max_wait.as_secs()
                )),
                None => env.notes.push(
                    "access matrix: the expired row was not tried: the profile declares no `idle_timeout_s`".into(),
                ),
            },
            Row::Owner | Row::Clinician => {}
        }
    }
    if plans.is_empty() {
        let why = env.notes.join("; ");
        return env.undecided(format!("no caller of the matrix could be tried: {why}"));
    }
    // The controls sign in afresh too: on a slow target a shared session could idle out
    // while the matrix runs.
    for (row, actor) in [(Row::Owner, owner), (Row::Clinician, &p.clinician.value)] {
        plans.push(RowPlan {
            row,
            actor: actor.clone(),
            setup: Setup::Login,
        });
    }

    // Every row at once; the one that idles out waits alongside the others.
    let outcomes = {
        let shared_env: &ProbeEnv<'_> = env;
        join_all(plans.iter().map(|plan| rows::run(shared_env, &ops, plan))).await
    };
    let mut tried: Vec<Tried> = Vec::new();
    let mut setup_errors: Vec<CheckError> = Vec::new();
    for o in outcomes {
        env.evidence.exchanges.extend(o.setup);
        setup_errors.extend(o.error);
        for t in o.tried {
            env.evidence.exchanges.extend(t.exchanges.iter().cloned());
            tried.push(t);
        }
    }

    let cells: Vec<Cell> = tried.iter().map(|t| t.cell.clone()).collect();
    env.notes.extend(matrix::table(&cells));
    env.evidence.access = serde_json::to_value(&cells).unwrap_or(Value::Null);
    let findings: Vec<Finding> = tried
        .iter()
        .filter(|t| t.cell.verdict == CellVerdict::Fail)
        .map(|t| judge::finding(&t.cell, t.exchange.clone()))
        .collect();
    let errors: Vec<String> = cells
        .iter()
        .filter(|c| c.verdict == CellVerdict::Error)
        .map(|c| {
            format!(
                "{} as {} ({}): {}",
                c.operation,
                c.row.label(),
                c.actor,
                c.note.as_deref().unwrap_or("no verdict")
            )
        })
        .chain(setup_errors.iter().map(|e| e.message.clone()))
        .collect();
    // A failure stands whatever else happened; errors alone leave the matrix without a verdict.
    if findings.is_empty()
        && let Some(first) = setup_errors.into_iter().next()
    {
        return Err(CheckError {
            message: errors.join("; "),
            ..first
        });
    }
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
