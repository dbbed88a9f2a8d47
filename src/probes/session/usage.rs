//! What the logout and idle probes share: a session of the probe's own, and one use of it — a
//! contract call judged by the profile's outcomes, with the content a refusal must not show.

use std::any::Any;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::http::Session;
use crate::model::Located;
use crate::model::outcome::Outcome;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Exchange, Finding};
use crate::probes::ProbeEnv;

/// Statuses that mean the target was unavailable, not that it answered.
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

/// The call a session is used for, as a suite writes it: the parameters of `logout_revokes`
/// and `idle_timeout`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UseParams {
    /// A contract operation that reads PHI.
    pub operation: Located<String>,
    /// Its inputs (templates).
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
    /// Text its answer shows when it works (a template, e.g. the message's text): a refusal
    /// must not carry it.
    pub content: Located<Value>,
}

impl ProbeParams for UseParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.inputs
            .values()
            .chain(std::iter::once(&self.content))
            .collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        vec![&self.operation]
    }
}

/// The call with its inputs and content rendered for this run.
pub struct Usage {
    operation: String,
    inputs: Map<String, Value>,
    content: String,
}

impl Usage {
    /// Renders `p` with the step's variables.
    pub fn render(p: &UseParams, env: &ProbeEnv<'_>) -> Result<Usage, CheckError> {
        let mut inputs = Map::new();
        for (k, v) in &p.inputs {
            inputs.insert(k.clone(), env.render(v)?);
        }
        let content = match env.render(&p.content)? {
            Value::String(s) => s,
            other => other.to_string(),
        };
        Ok(Usage {
            operation: p.operation.value.clone(),
            inputs,
            content,
        })
    }
}

/// How one use of a session was answered.
#[derive(Debug)]
pub enum Answer {
    /// The profile's `ok`.
    Worked,
    /// The profile's `denied`, without the content.
    Refused,
    /// Neither: what was expected of a refusal, and what came back.
    Other { expected: String, seen: String },
}

/// One use of a session: how it was answered and the exchange it rests on.
pub struct Used {
    pub answer: Answer,
    /// The last exchange, in one line.
    pub exchange: Option<String>,
}

impl Used {
    /// A finding for a use that should have been refused and was not, resting on its exchange.
    pub fn finding(&self, why: &str) -> Option<Finding> {
        let (expected, seen) = match &self.answer {
            Answer::Refused => return None,
            Answer::Worked => (
                "denied (the profile's `denied`), without content".to_string(),
                "the call worked".to_string(),
            ),
            Answer::Other { expected, seen } => (expected.clone(), seen.clone()),
        };
        let mut f = Finding::new(format!("{why}: {expected}"), seen);
        f.exchange.clone_from(&self.exchange);
        Some(f)
    }

    /// The exchange in one line, or a placeholder.
    pub fn line(&self) -> &str {
        self.exchange.as_deref().unwrap_or("(no exchange)")
    }
}

/// Logs `actor` in afresh: a session of the probe's own, its login kept as evidence.
pub async fn fresh_session(env: &mut ProbeEnv<'_>, actor: &str) -> Result<Session, CheckError> {
    let mut exchanges = Vec::new();
    let session = env.login(actor, &mut exchanges).await;
    env.evidence.exchanges.extend(exchanges);
    session
}

/// Uses `session` once for `usage`, judged by the profile's `ok` and `denied`; a refusal that
/// carries the content is neither.
pub async fn use_once(
    env: &mut ProbeEnv<'_>,
    usage: &Usage,
    session: &Session,
) -> Result<Used, CheckError> {
    let mut sample = env
        .calls
        .call(&usage.operation, &usage.inputs, session)
        .await;
    env.evidence.exchanges.extend(sample.exchanges);
    let exchange = env.evidence.exchanges.last().map(Exchange::summary);
    let Some(resp) = sample.responses.pop() else {
        return Err(sample
            .error
            .unwrap_or_else(|| CheckError::new(ErrorKind::Transport, "no response"))
            .context(&usage.operation));
    };
    if UNAVAILABLE.contains(&resp.status) {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!("{}: the target answered {}", usage.operation, resp.status),
        ));
    }
    let leaked = (!usage.content.is_empty())
        .then(|| crate::http::seen::says(&resp.body, &usage.content))
        .flatten();
    if leaked.is_none()
        && !usage.content.is_empty()
        && let Some(why) = resp.undecided("whether it holds the content")
    {
        return Err(CheckError::new(
            ErrorKind::Transport,
            format!("{}: {why}", usage.operation),
        ));
    }
    let answer = match (
        env.outcome_failure(&usage.operation, Outcome::Denied, &resp),
        leaked,
    ) {
        (None, None) => Answer::Refused,
        (None, Some(how)) => Answer::Other {
            expected: "denied without content".into(),
            seen: format!(
                "refused with {} {}, but the content is in the body ({})",
                resp.status,
                crate::http::reason(resp.status),
                how.label()
            ),
        },
        (Some(_), _) if env.shows(&usage.operation, Outcome::Ok, &resp) => Answer::Worked,
        (Some(failure), _) => Answer::Other {
            expected: failure.expected,
            seen: failure.seen,
        },
    };
    Ok(Used { answer, exchange })
}

/// When `after` — a use of a session that should have been refused — was not, whether a call
/// without any session is answered the same: then the operation needs no session at all (an
/// access-control failure of its own, SEC-04), and what ended the session cannot be told from
/// it. `Ok` when the anonymous call is refused, so `after` stands as a finding.
pub async fn session_mattered(
    env: &mut ProbeEnv<'_>,
    usage: &Usage,
    after: &Used,
    what_ended_it: &str,
) -> Result<(), CheckError> {
    if matches!(after.answer, Answer::Refused) {
        return Ok(());
    }
    let anonymous = use_once(env, usage, &Session::anonymous()).await?;
    if matches!(anonymous.answer, Answer::Refused) {
        return Ok(());
    }
    Err(CheckError::new(
        ErrorKind::Input,
        format!(
            "without any session the operation is answered no differently ({}): it does not need one (an access-control failure, SEC-04), so whether {what_ended_it} ended the session cannot be told",
            anonymous.line()
        ),
    ))
}
