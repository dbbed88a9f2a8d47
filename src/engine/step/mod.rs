//! Running one check: its variables, then each step in a fixed order — a contract call or a
//! probe — judged by the step's expectations. A step that cannot be carried out makes the check
//! `error`, never `pass`; every finding and error names the suite step it came from.

mod call;
mod file_input;
mod probe;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::RunCtx;
use crate::http::Session;
use crate::model::Located;
use crate::model::suite::{Check, Credentials, Step, StepKind};
use crate::model::template;
use crate::outcome::{CheckError, CheckStatus, ErrorKind, Evidence, Finding, SkipReason};

/// What running a check produced (the scheduler adds identity and timing).
#[derive(Debug)]
pub struct CheckOutcome {
    pub status: CheckStatus,
    pub message: String,
    pub details: Vec<String>,
    pub findings: Vec<Finding>,
    pub error: Option<CheckError>,
    /// Why a probe reached no verdict on this target, when the check ended `skipped`.
    pub skip: Option<SkipReason>,
    pub evidence: Evidence,
    /// Variables this check defined, for the checks that need it.
    pub vars: Map<String, Value>,
}

/// How a step ended.
enum StepEnd {
    Ok,
    /// The target does not conform: the one-line message (findings are on the runner).
    Fail(String),
    Error(CheckError),
    /// The step reached no verdict on this target (a reviewer must decide, or it does not
    /// apply): why.
    Skip(SkipReason),
}

/// The state of one check while its steps run.
struct Runner<'a> {
    rc: &'a RunCtx,
    check: &'a Check,
    /// Every variable the steps see.
    ctx: Map<String, Value>,
    /// The variables this check exports to the checks that need it.
    own: Map<String, Value>,
    details: Vec<String>,
    findings: Vec<Finding>,
    evidence: Evidence,
    /// Sessions logged in for this check alone (`fresh_session`).
    fresh: HashMap<String, Arc<Session>>,
    /// One-line summary of the current step's last exchange, for the finding.
    last_exchange: Option<String>,
}

impl Runner<'_> {
    fn set(&mut self, k: &str, v: Value) {
        self.ctx.insert(k.to_string(), v.clone());
        self.own.insert(k.to_string(), v);
    }

    fn ctx_value(&self) -> Value {
        Value::Object(self.ctx.clone())
    }

    /// The session `actor` acts in: the run's shared one, or this check's own.
    async fn session(
        &mut self,
        actor: &str,
        credentials: Credentials,
    ) -> Result<Arc<Session>, CheckError> {
        if actor == "anonymous" {
            return Ok(Arc::new(Session::anonymous()));
        }
        let unknown = || CheckError::new(ErrorKind::Input, format!("unknown actor `{actor}`"));
        let base = if self.check.fresh_session {
            if let Some(s) = self.fresh.get(actor) {
                Arc::clone(s)
            } else {
                let resolved = self.rc.target.actors.get(actor).ok_or_else(unknown)?;
                let s = crate::http::auth::login(&self.rc.http, &self.rc.target, resolved)
                    .await
                    .map_err(|e| {
                        self.evidence.exchanges.extend(e.exchanges);
                        CheckError::new(ErrorKind::Login, e.message)
                    })?;
                let s = Arc::new(s);
                self.fresh.insert(actor.to_string(), Arc::clone(&s));
                s
            }
        } else {
            match self
                .rc
                .sessions
                .get(&self.rc.http, &self.rc.target, actor)
                .await
            {
                Some(Ok(lease)) => {
                    if let Some(r) = lease.renewed {
                        self.details.push(r.note);
                        self.evidence.exchanges.extend(r.exchanges);
                    }
                    lease.session
                }
                Some(Err(e)) => {
                    self.evidence.exchanges.extend(e.exchanges);
                    return Err(CheckError::new(ErrorKind::Login, e.message));
                }
                None => return Err(unknown()),
            }
        };
        Ok(match credentials {
            Credentials::Valid => base,
            Credentials::Malformed => Arc::new(base.malformed()),
        })
    }

    /// Records the findings of a step and says how it failed: `what: first finding (+N more)`.
    /// The details name the exchange the verdict rests on, then what was expected and seen.
    fn failed(&mut self, what: &str, step: &Located<Step>, found: Vec<Finding>) -> StepEnd {
        let exchange = self.last_exchange.take();
        self.details.extend(exchange.clone());
        let at = self.check.step_location(step);
        let extra = if found.len() > 1 {
            format!(" (+{} more)", found.len() - 1)
        } else {
            String::new()
        };
        let message = match found.first() {
            Some(first) => format!("{what}: {first}{extra}"),
            None => what.to_string(),
        };
        for mut f in found {
            self.details.push(f.to_string());
            if f.exchange.is_none() {
                f.exchange.clone_from(&exchange);
            }
            f.at.clone_from(&at);
            self.findings.push(f);
        }
        StepEnd::Fail(message)
    }

    /// Why `step` does not run on this target (its operation unmapped, a declared value not
    /// the one it is for), or an error when the profile does not declare a value it needs.
    fn passes_over(&self, step: &Located<Step>) -> Result<Option<String>, CheckError> {
        let at = |msg: String| CheckError {
            at: self.check.step_location(step),
            ..CheckError::new(ErrorKind::Input, msg)
        };
        if step.if_mapped {
            let unmapped: Vec<String> = step
                .operations()
                .into_iter()
                .filter(|op| !self.rc.target.operations.contains_key(op.as_str()))
                .map(|op| format!("`{op}`"))
                .collect();
            if !unmapped.is_empty() {
                return Ok(Some(format!(
                    "passed over a step: the profile does not map {}",
                    unmapped.join(", ")
                )));
            }
        }
        let declared = self.ctx.get("declared");
        for (name, want) in &step.when_declared {
            match declared.and_then(|d| d.get(name.as_str())) {
                None | Some(Value::Null) => {
                    return Err(at(format!(
                        "the profile does not declare `declared.{name}`, which this check needs"
                    )));
                }
                Some(v) if v == want => {}
                Some(v) => {
                    return Ok(Some(format!(
                        "passed over a step for `declared.{name}: {want}`: the profile declares {v}"
                    )));
                }
            }
        }
        Ok(None)
    }

    /// Runs one step.
    async fn step(&mut self, step: &Located<Step>) -> StepEnd {
        self.last_exchange = None;
        let end = match &step.kind {
            StepKind::Call { operation, inputs } => self.call(step, operation, inputs).await,
            StepKind::Probe { name, params } => self.probe(step, name, params.as_ref()).await,
        };
        if let StepEnd::Error(_) = end {
            self.details.extend(self.last_exchange.take());
        }
        end
    }
}

/// Runs a check with the variables its prerequisites exported.
pub async fn run(
    rc: &RunCtx,
    check: &Check,
    prerequisite_vars: Map<String, Value>,
) -> CheckOutcome {
    let mut r = Runner {
        rc,
        check,
        ctx: rc.globals.clone(),
        own: prerequisite_vars.clone(),
        details: Vec::new(),
        findings: Vec::new(),
        evidence: Evidence::default(),
        fresh: HashMap::new(),
        last_exchange: None,
    };
    r.ctx.extend(prerequisite_vars);
    let exercised: Vec<&str> = check
        .steps
        .iter()
        .flat_map(|s| s.operations())
        .map(|o| o.as_str())
        .collect();
    r.details.extend(rc.target.same_requests(&exercised));
    let end = 'steps: {
        for (name, value) in &check.vars {
            match template::render_value(&Value::String(value.value.clone()), &r.ctx_value()) {
                Ok(v) => r.set(name, v),
                Err(e) => {
                    break 'steps StepEnd::Error(CheckError::new(
                        ErrorKind::Template,
                        format!("variable `{name}`: {}", e.0),
                    ));
                }
            }
        }
        for step in &check.steps {
            match r.passes_over(step) {
                Ok(Some(why)) => {
                    r.details.push(why);
                    continue;
                }
                Ok(None) => {}
                Err(e) => break 'steps StepEnd::Error(e),
            }
            match r.step(step).await {
                StepEnd::Ok => {}
                StepEnd::Error(e) => {
                    break 'steps StepEnd::Error(CheckError {
                        at: check.step_location(step),
                        ..e
                    });
                }
                fail => break 'steps fail,
            }
        }
        StepEnd::Ok
    };
    let (status, message, error, skip) = match end {
        StepEnd::Ok => (CheckStatus::Pass, String::new(), None, None),
        StepEnd::Fail(m) => match &check.rationale {
            Some(why) => {
                for f in &mut r.findings {
                    f.expected = format!("{} ({})", f.expected, why.value);
                }
                r.details.push(format!("why it matters: {}", why.value));
                (
                    CheckStatus::Fail,
                    format!("{m} — {}", why.value),
                    None,
                    None,
                )
            }
            None => (CheckStatus::Fail, m, None, None),
        },
        StepEnd::Error(e) => (CheckStatus::Error, e.message.clone(), Some(e), None),
        StepEnd::Skip(why) => (CheckStatus::Skipped, why.to_string(), None, Some(why)),
    };
    CheckOutcome {
        status,
        message,
        details: r.details,
        findings: r.findings,
        error,
        skip,
        evidence: r.evidence,
        vars: r.own,
    }
}
