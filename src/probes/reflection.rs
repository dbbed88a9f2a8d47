//! Credential reflection (SEC-11): no response may carry back a password, token or session
//! cookie the caller sent. Reflected credentials end up in logs, caches, browser history and
//! `Referer` headers; a vendor that quotes them in error bodies or redirects leaks them there.
//!
//! The HTTP client notes, as it records each exchange, every credential it held before the
//! request that the response carried (in any of the forms it masks), so this probe only has to
//! provoke responses: the actor's own login, and the operations the step lists, typically with
//! made-up ids that draw the vendor's error responses.

use std::any::Any;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{Probe, ProbeEnv, ProbeResult};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Exchange, Finding};

/// One contract operation the probe calls.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeCall {
    pub operation: Located<String>,
    /// Its inputs (templates).
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
}

/// Parameters of `reflection`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReflectionParams {
    /// The operations to call as the step's actor, in order.
    pub calls: Vec<ProbeCall>,
}

impl ProbeParams for ReflectionParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.calls.iter().flat_map(|c| c.inputs.values()).collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        self.calls.iter().map(|c| &c.operation).collect()
    }
}

/// `reflection`: the actor's login and the listed calls carry none of its credentials back.
pub struct Reflection;

impl Probe for Reflection {
    const NAME: &'static str = "reflection";
    const ABOUT: &'static str =
        "no response carries back a password, token or session cookie the caller sent";
    const PARAMS: &'static [&'static str] = &["calls"];
    type Params = ReflectionParams;
    fn run<'a, 'b>(
        p: &'a ReflectionParams,
        env: &'a mut ProbeEnv<'b>,
    ) -> BoxFuture<'a, ProbeResult> {
        Box::pin(reflection(p, env))
    }
}

async fn reflection(p: &ReflectionParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let Some((actor, session)) = env.actor.clone() else {
        return Err(CheckError::new(
            ErrorKind::Input,
            "`reflection` needs an actor: add `as:` to the step",
        ));
    };
    let logins = session.login_exchanges.len();
    env.evidence
        .exchanges
        .extend(session.login_exchanges.iter().cloned());
    let mut answered = 0;
    let mut unanswered = Vec::new();
    for call in &p.calls {
        let mut inputs = Map::new();
        for (k, v) in &call.inputs {
            inputs.insert(k.clone(), env.render(v)?);
        }
        let sample = env.calls.call(&call.operation, &inputs, &session).await;
        match (sample.status, sample.error) {
            (Some(_), _) => answered += 1,
            (None, e) => unanswered.push(format!(
                "{}: {}",
                call.operation.as_str(),
                e.map_or_else(|| "no response".to_string(), |e| e.message)
            )),
        }
        env.evidence.exchanges.extend(sample.exchanges);
    }
    let findings: Vec<Finding> = env
        .evidence
        .exchanges
        .iter()
        .filter_map(reflected)
        .collect();
    // A call that got no answer leaves a response unseen: no pass on what was not looked at.
    if findings.is_empty() && !unanswered.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Transport,
            format!(
                "{} of {} calls as {actor} got no response, so what it would carry is unknown ({})",
                unanswered.len(),
                p.calls.len(),
                unanswered.join("; ")
            ),
        ));
    }
    env.notes.push(format!(
        "{} responses to {actor} looked at ({logins} of its login, {answered} of {} calls)",
        env.evidence.exchanges.len(),
        p.calls.len()
    ));
    Ok(findings)
}

/// The finding for one exchange whose response carried back a credential, if it did.
fn reflected(ex: &Exchange) -> Option<Finding> {
    if ex.reflected.is_empty() {
        return None;
    }
    let places: Vec<String> = ex
        .reflected
        .iter()
        .map(|r| format!("{} ({})", r.place, r.form))
        .collect();
    Some(Finding {
        exchange: Some(ex.summary()),
        ..Finding::new(
            "no response to carry back a password, token or session cookie of the run",
            format!(
                "the {} carried one back; masked in the evidence",
                places.join(", the ")
            ),
        )
    })
}
