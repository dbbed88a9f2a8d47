//! `audit_trail` (SEC-12): reading a patient's message leaves an event in the audit log that
//! names who read it, what they did and which resource. The reader reads, another patient tries
//! the same read (refused elsewhere, so not judged here), then the audit log is read back until
//! the read appears or a few tries have passed (logs are often written asynchronously). Whether
//! the refused attempt was recorded too is reported, not judged: the standard does not say.

use std::any::Any;
use std::sync::LazyLock;
use std::time::Duration;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Probe, ProbeEnv, ProbeResult};
use crate::http::Incoming;
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding};

/// Reads of the audit log before it is judged to lack the event.
const TRIES: u32 = 5;
/// The pause between them.
const PAUSE: Duration = Duration::from_millis(500);

/// Parameters of `audit_trail`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Who reads the patient's message (a clinician); the event must name them.
    pub reader: Located<String>,
    /// Another patient, whose refused attempt is looked for too.
    #[serde(default)]
    pub intruder: Option<Located<String>>,
    /// The patient whose audit log is read (`audit_log`'s `subject`).
    pub subject: Located<String>,
    /// The read the log must record.
    pub operation: Located<String>,
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
    /// The id of the resource read (the message id), which the event must name.
    pub resource: Located<Value>,
}

impl ProbeParams for AuditParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.inputs
            .values()
            .chain(std::iter::once(&self.resource))
            .collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        vec![&self.operation, &AUDIT_LOG]
    }
    fn actors(&self) -> Vec<&Located<String>> {
        std::iter::once(&self.reader)
            .chain(self.intruder.iter())
            .collect()
    }
}

/// The operation that reads the audit log.
static AUDIT_LOG: LazyLock<Located<String>> = LazyLock::new(|| Located::new("audit_log".into()));

/// `audit_trail`: a read of PHI is in the audit log.
pub struct AuditTrail;

impl Probe for AuditTrail {
    const NAME: &'static str = "audit_trail";
    const ABOUT: &'static str = "a read of a patient's message appears in the audit log with its actor, action and resource";
    const PARAMS: &'static [&'static str] = &[
        "reader",
        "intruder",
        "subject",
        "operation",
        "inputs",
        "resource",
    ];
    type Params = AuditParams;
    fn run<'a, 'b>(p: &'a AuditParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(audit_trail(p, env))
    }
}

/// An actor's id, as templates see it (`actors.<name>.id`).
fn actor_id(env: &ProbeEnv<'_>, actor: &str) -> Option<String> {
    env.vars
        .get("actors")
        .and_then(|a| a.get(actor))
        .and_then(|a| a.get("id"))
        .map(text_of)
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One audit event as the contract reads it.
#[derive(Debug)]
struct Event {
    actor: String,
    action: String,
    resource: String,
}

impl Event {
    fn line(&self) -> String {
        format!(
            "actor {}, action {}, resource {}",
            self.actor, self.action, self.resource
        )
    }
}

fn events(outputs: &Map<String, Value>) -> Vec<Event> {
    let field = |e: &Value, k: &str| e.get(k).map(text_of).unwrap_or_default();
    outputs
        .get("events")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| Event {
                    actor: field(e, "actor"),
                    action: field(e, "action"),
                    resource: field(e, "resource"),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn session_of(
    env: &ProbeEnv<'_>,
    actor: &str,
) -> Result<std::sync::Arc<crate::http::Session>, CheckError> {
    env.sessions.get(actor).cloned().ok_or_else(|| {
        CheckError::new(
            ErrorKind::Internal,
            format!("no session of `{actor}`, whom the audit check calls as"),
        )
    })
}

async fn audit_trail(p: &AuditParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let mut inputs = env.vars_map();
    for (k, v) in &p.inputs {
        inputs.insert(k.clone(), env.render(v)?);
    }
    let resource = text_of(&env.render(&p.resource)?);
    let reader_id = actor_id(env, &p.reader).ok_or_else(|| {
        CheckError::new(
            ErrorKind::Input,
            format!(
                "`{}` has no `id` (a profile attribute or a login capture) for the audit event to name",
                p.reader.value
            ),
        )
    })?;

    let reader = session_of(env, &p.reader)?;
    let read = env.calls.call(&p.operation, &inputs, &reader).await;
    env.evidence.exchanges.extend(read.exchanges);
    if let Some(e) = read.error {
        return Err(e.context(format!(
            "the read the audit log should record ({})",
            p.operation.value
        )));
    }
    // A read that was refused or failed is none the log must record: no verdict either way.
    if let Some(why) = unanswered(env, &p.operation, &read.responses) {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "the read the audit log should record ({}) did not succeed: {why}",
                p.operation.value
            ),
        ));
    }
    let intruder_id = match &p.intruder {
        Some(intruder) => {
            let session = session_of(env, intruder)?;
            let attempt = env.calls.call(&p.operation, &inputs, &session).await;
            env.evidence.exchanges.extend(attempt.exchanges);
            actor_id(env, intruder)
        }
        None => None,
    };

    // The audit log is read as the actor the profile names for it, else as the reader.
    let auditor = env
        .target
        .operations
        .get("audit_log")
        .and_then(|o| o.actor.as_ref())
        .map_or_else(|| p.reader.value.clone(), |a| a.value.clone());
    let auditor_session = session_of(env, &auditor)?;
    let mut query = env.vars_map();
    query.insert("subject".into(), Value::String(p.subject.value.clone()));
    let mut seen: Vec<Event> = Vec::new();
    for attempt in 1..=TRIES {
        let log = env.calls.call("audit_log", &query, &auditor_session).await;
        env.evidence.exchanges.extend(log.exchanges);
        if let Some(e) = log.error {
            return Err(e.context("reading the audit log"));
        }
        // An unanswered read of the log is no empty log.
        if let Some(why) = unanswered(env, "audit_log", &log.responses) {
            return Err(CheckError::new(
                ErrorKind::Unavailable,
                format!("reading the audit log did not succeed: {why}"),
            ));
        }
        seen = events(&log.outputs);
        let recorded = seen.iter().any(|e| {
            e.actor == reader_id && !e.action.is_empty() && e.resource.contains(&resource)
        });
        if recorded {
            env.notes.push(format!(
                "audit log of {} records the read by {} ({reader_id}) of {resource} (read {attempt} of {TRIES})",
                p.subject.value, p.reader.value
            ));
            if let Some(id) = &intruder_id {
                // Only the events of this attempt: other checks' calls land in the same log.
                let ids: Vec<String> = p
                    .inputs
                    .keys()
                    .filter(|k| k.ends_with("_id"))
                    .filter_map(|k| inputs.get(k).map(text_of))
                    .chain(std::iter::once(resource.clone()))
                    .collect();
                let refused: Vec<String> = seen
                    .iter()
                    .filter(|e| &e.actor == id && ids.contains(&e.resource))
                    .map(Event::line)
                    .collect();
                env.notes.push(if refused.is_empty() {
                    format!(
                        "the refused attempt by {} ({id}) is not in the audit log (reported, not judged)",
                        p.intruder.as_ref().map_or("", |i| i.value.as_str())
                    )
                } else {
                    format!("the refused attempt is recorded: {}", refused.join("; "))
                });
            }
            return Ok(Vec::new());
        }
        if attempt < TRIES {
            tokio::time::sleep(PAUSE).await;
        }
    }
    let shown: Vec<String> = seen.iter().rev().take(5).map(Event::line).collect();
    Ok(env.resting_on_last_exchange(vec![Finding::new(
        format!(
            "an audit event naming {} ({reader_id}), an action and the resource {resource}",
            p.reader.value
        ),
        if shown.is_empty() {
            format!("no events about {} after {TRIES} reads", p.subject.value)
        } else {
            format!(
                "{} events about {}, none of that read; the latest: {}",
                seen.len(),
                p.subject.value,
                shown.join(" | ")
            )
        },
    )]))
}

/// Why an operation's answer is no success by the profile's `ok` (`503 Service Unavailable`),
/// or `None` when it succeeded.
fn unanswered(env: &ProbeEnv<'_>, operation: &str, responses: &[Incoming]) -> Option<String> {
    match responses.last() {
        Some(resp) if env.succeeded(operation, resp) => None,
        Some(resp) => Some(
            format!("{} {}", resp.status, crate::http::reason(resp.status))
                .trim_end()
                .to_string(),
        ),
        None => Some("no response".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_read_from_the_contract_outputs() {
        let mut outputs = Map::new();
        outputs.insert(
            "events".into(),
            json!([{ "actor": "u-1", "action": "message.read", "resource": 10042 }, { "actor": "u-2" }]),
        );
        let e = events(&outputs);
        assert_eq!(e.len(), 2);
        assert_eq!(
            e[0].line(),
            "actor u-1, action message.read, resource 10042"
        );
        assert_eq!(e[1].action, "");
        assert!(events(&Map::new()).is_empty());
    }
}
