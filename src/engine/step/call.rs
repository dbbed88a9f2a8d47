//! A contract call step: resolve the actor, render the inputs, run the operation through the
//! target profile, fail fast on no answer or an unavailable target, judge the expectations,
//! then keep the outputs and saves for later steps.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::file_input::{FileInputError, file_input};
use super::{Runner, StepEnd};
use crate::assert::{self, Observation};
use crate::engine::UNAVAILABLE;
use crate::engine::operation;
use crate::http::build::FileInput;
use crate::http::reason;
use crate::model::Located;
use crate::model::contract::{self, ContractOp};
use crate::model::outcome::Outcome;
use crate::model::suite::{Credentials, Step};
use crate::model::template;
use crate::outcome::{CheckError, ErrorKind, Finding, SkipReason};

/// A call's rendered inputs, and the bytes of its file inputs.
struct CallInputs {
    values: Map<String, Value>,
    files: HashMap<String, FileInput>,
}

/// Why a call's inputs could not be made.
enum InputsError {
    Error(CheckError),
    /// The target does not declare what an input needs.
    Undecided(String),
}

impl From<CheckError> for InputsError {
    fn from(e: CheckError) -> Self {
        InputsError::Error(e)
    }
}

impl Runner<'_> {
    /// Renders a step's inputs; a file input becomes bytes (in the second map) and, among the
    /// inputs templates see, a description: name, media type, size and SHA-256.
    async fn inputs(
        &self,
        given: &IndexMap<String, Located<Value>>,
        op: &ContractOp,
    ) -> Result<CallInputs, InputsError> {
        let ctx = self.ctx_value();
        let mut inputs = Map::new();
        let mut files = HashMap::new();
        for (k, v) in given {
            let rendered = template::render_value(v, &ctx)
                .map_err(|e| CheckError::new(ErrorKind::Template, e.0))?;
            if k == "file" {
                let run_id = self.rc.globals.get("run_id").and_then(Value::as_str);
                let max_mb = self.rc.target.declared.max_attachment_mb;
                let f = file_input(&rendered, run_id.unwrap_or(""), max_mb)
                    .await
                    .map_err(|e| match e {
                        FileInputError::Invalid(m) => {
                            InputsError::Error(CheckError::new(ErrorKind::Input, m))
                        }
                        FileInputError::Undecided(why) => InputsError::Undecided(why),
                    })?;
                inputs.insert(
                    k.clone(),
                    serde_json::json!({
                        "name": f.name, "media_type": f.media_type, "size": f.bytes.len(),
                        "sha256": f.bytes.sha256(),
                    }),
                );
                files.insert(k.clone(), f);
            } else {
                inputs.insert(k.clone(), rendered);
            }
        }
        for opt in op.optional {
            inputs
                .entry(opt.to_string())
                .or_insert_with(|| contract::optional_default(opt));
        }
        Ok(CallInputs {
            values: inputs,
            files,
        })
    }

    /// Who the call runs as: `anonymous` when asked, else the profile's fixed actor of the
    /// operation, else the step's.
    fn call_actor(&self, step: &Step, op_name: &str) -> Result<String, CheckError> {
        let asked = step.actor.as_ref().map(|a| a.as_str());
        let profile_actor = self
            .rc
            .target
            .operations
            .get(op_name)
            .and_then(|o| o.actor.as_ref())
            .map(|a| a.value.clone());
        match (asked, profile_actor) {
            (Some("anonymous"), _) => Ok("anonymous".to_string()),
            (_, Some(fixed)) => Ok(fixed),
            (Some(a), None) => Ok(a.to_string()),
            (None, None) => Err(CheckError::new(
                ErrorKind::Input,
                format!("`{op_name}` needs an actor: add `as:` to the step"),
            )),
        }
    }

    pub(super) async fn call(
        &mut self,
        step: &Located<Step>,
        operation: &Located<String>,
        given: &IndexMap<String, Located<Value>>,
    ) -> StepEnd {
        let op_name = operation.as_str();
        let Some(op) = contract::operation(op_name) else {
            return StepEnd::Error(CheckError::new(
                ErrorKind::Input,
                format!("unknown operation `{op_name}`"),
            ));
        };
        let actor = match self.call_actor(step, op_name) {
            Ok(a) => a,
            Err(e) => return StepEnd::Error(e),
        };
        let session = match self.session(&actor, step.credentials).await {
            Ok(s) => s,
            Err(e) => return StepEnd::Error(e),
        };
        let CallInputs {
            values: inputs,
            files,
        } = match self.inputs(given, op).await {
            Ok(x) => x,
            Err(InputsError::Error(e)) => return StepEnd::Error(e.context(op_name)),
            Err(InputsError::Undecided(reason)) => {
                return StepEnd::Skip(SkipReason::Manual {
                    reason: format!("{op_name}: {reason}"),
                });
            }
        };
        let who = match step.credentials {
            Credentials::Valid => actor.clone(),
            Credentials::Malformed => format!("{actor} (forged credentials)"),
        };
        for (_, input) in contract::MESSAGE_TEXT_INPUTS
            .iter()
            .filter(|(op, _)| *op == op_name)
        {
            if let Some(text) = inputs.get(*input).and_then(Value::as_str) {
                self.rc.recorded.sent(crate::outcome::SentText {
                    actor: actor.clone(),
                    input: (*input).to_string(),
                    text: text.to_string(),
                });
            }
        }
        let result = operation::run(self.rc, op_name, &inputs, &files, &session).await;
        self.evidence
            .exchanges
            .extend(result.exchanges.iter().cloned());
        self.last_exchange = result.exchanges.last().map(|e| e.summary());
        if let Some(e) = result.error {
            let message = format!("{op_name} as {who}: {}; not a verdict", e.message);
            return StepEnd::Error(CheckError { message, ..e });
        }
        let Some(last) = result.responses.last() else {
            return StepEnd::Error(CheckError::new(
                ErrorKind::Transport,
                format!("{op_name} as {who}: no response"),
            ));
        };
        let expect = step.expect.as_deref().cloned().unwrap_or_default();
        // `ok` unless the step names an outcome, or judges the status itself.
        let wanted = match (&expect.outcome, &expect.status) {
            (Some(o), _) => Some(o.value),
            (None, None) => Some(Outcome::Ok),
            (None, Some(_)) => None,
        };
        let rules = wanted.map(|o| self.rc.target.outcome_rules(op_name, o));
        let login_path = self.rc.target.pages.get("login").map(|p| p.path.as_str());
        let outcome =
            wanted
                .zip(rules.as_deref())
                .map(|(outcome, rules)| assert::outcome::ExpectedOutcome {
                    outcome,
                    rules,
                    login_path,
                });
        let status_expected = expect
            .status
            .as_ref()
            .is_some_and(|s| s.accepts(last.status))
            || outcome
                .as_ref()
                .is_some_and(|o| o.outcome != Outcome::Ok && assert::outcome::shows(o, last));
        if UNAVAILABLE.contains(&last.status) && !status_expected {
            return StepEnd::Error(CheckError::new(
                ErrorKind::Unavailable,
                format!(
                    "{op_name} as {who}: the target answered {} {}; unavailable, not a verdict",
                    last.status,
                    reason(last.status)
                ),
            ));
        }
        self.set("sent", Value::Object(inputs.clone()));
        let mask = |text: &str| self.rc.http.redactor.text(text);
        let obs = Observation {
            last,
            all: &result.responses,
            outputs: &result.outputs,
            missing: &result.missing,
            mask: &mask,
            outcome,
        };
        if let Some(why) = assert::undecided(&expect, &obs, &self.ctx_value()) {
            return StepEnd::Error(CheckError::new(
                ErrorKind::Transport,
                format!("{op_name} as {who}: {why}"),
            ));
        }
        let failures = match assert::evaluate(&expect, &obs, &self.ctx_value()) {
            Ok(f) => f,
            Err(e) => {
                return StepEnd::Error(CheckError::new(
                    ErrorKind::Template,
                    format!("{op_name} as {who}: {}", e.0),
                ));
            }
        };
        if !failures.is_empty() {
            let found = failures
                .into_iter()
                .map(|f| Finding::new(f.expected, f.seen))
                .collect();
            return self.failed(&format!("{op_name} as {who}"), step, found);
        }
        for (k, v) in &result.outputs {
            self.set(k, v.clone());
        }
        // An earlier step's value must not stand in for an output this call did not give.
        for (name, _) in &result.missing {
            self.ctx.remove(name);
            self.own.remove(name);
        }
        for (alias, source) in &step.save {
            let value = if template::is_template(source) {
                match template::render_value(
                    &Value::String(source.value.clone()),
                    &self.ctx_value(),
                ) {
                    Ok(v) => v,
                    Err(e) => {
                        return StepEnd::Error(CheckError::new(
                            ErrorKind::Template,
                            format!("save `{alias}`: {}", e.0),
                        ));
                    }
                }
            } else {
                match result.outputs.get(source.as_str()) {
                    Some(v) => v.clone(),
                    None => {
                        let why = result
                            .missing
                            .iter()
                            .find(|(n, _)| n == source.as_str())
                            .map_or("not mapped", |(_, w)| w.as_str());
                        return StepEnd::Error(CheckError::new(
                            ErrorKind::MissingOutput,
                            format!(
                                "{op_name}: output `{}` could not be read: {why}",
                                source.value
                            ),
                        ));
                    }
                }
            };
            self.set(alias, value);
        }
        // An output that could not be read is undefined for later steps; say why here.
        if (200..300).contains(&last.status) {
            for (name, why) in &result.missing {
                self.details
                    .push(format!("{op_name}: output `{name}` not read: {why}"));
            }
        }
        StepEnd::Ok
    }
}
