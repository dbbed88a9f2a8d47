//! Running one check: its variables, then each step (contract call or probe), judged by the
//! step's expectations. A step that cannot be carried out makes the check `error`, never `pass`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value};
use sha2::Digest;

use super::RunCtx;
use super::operation::{self, FileInput};
use crate::assert::{self, Failure, Observation};
use crate::http::{Exchange, Session, reason};
use crate::model::contract;
use crate::model::outcome::CheckStatus;
use crate::model::suite::{Check, Credentials, Step};
use crate::model::template;
use crate::probes::{self, ProbeEnv};

/// What running a check produced (the scheduler adds identity and timing).
#[derive(Debug)]
pub struct CheckOutcome {
    pub status: CheckStatus,
    pub message: String,
    pub details: Vec<String>,
    pub exchanges: Vec<Exchange>,
    /// Variables this check defined, for the checks that need it.
    pub vars: Map<String, Value>,
}

/// A call's rendered inputs, and the bytes of its file inputs.
struct CallInputs {
    values: Map<String, Value>,
    files: HashMap<String, FileInput>,
}

/// Status codes that mean "the service was unavailable", not "the service answered wrongly".
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

struct Runner<'a> {
    rc: &'a RunCtx,
    check: &'a Check,
    ctx: Map<String, Value>,
    own: Map<String, Value>,
    details: Vec<String>,
    exchanges: Vec<Exchange>,
    fresh: HashMap<String, Arc<Session>>,
    /// One-line summary of the current step's last exchange, for the finding.
    last_exchange: Option<String>,
}

enum StepEnd {
    Ok,
    Fail(String),
    Error(String),
}

impl Runner<'_> {
    fn set(&mut self, k: &str, v: Value) {
        self.ctx.insert(k.to_string(), v.clone());
        self.own.insert(k.to_string(), v);
    }

    fn ctx_value(&self) -> Value {
        Value::Object(self.ctx.clone())
    }

    async fn session(
        &mut self,
        actor: &str,
        credentials: Credentials,
    ) -> Result<Arc<Session>, String> {
        if actor == "anonymous" {
            return Ok(Arc::new(Session::anonymous()));
        }
        let base = if self.check.fresh_session {
            if let Some(s) = self.fresh.get(actor) {
                Arc::clone(s)
            } else {
                let resolved = self
                    .rc
                    .target
                    .actors
                    .get(actor)
                    .ok_or_else(|| format!("unknown actor `{actor}`"))?;
                let s = crate::http::session::login(&self.rc.http, &self.rc.target, resolved)
                    .await
                    .map_err(|e| {
                        self.exchanges.extend(e.exchanges);
                        e.message
                    })?;
                let s = Arc::new(s);
                self.fresh.insert(actor.to_string(), Arc::clone(&s));
                s
            }
        } else {
            match self.rc.sessions.get(actor) {
                Some(Ok(s)) => Arc::clone(s),
                Some(Err(e)) => return Err(e.message.clone()),
                None => return Err(format!("unknown actor `{actor}`")),
            }
        };
        Ok(match credentials {
            Credentials::Valid => base,
            Credentials::Malformed => Arc::new(base.malformed()),
        })
    }

    /// Renders a step's inputs; a file input becomes bytes (in the second map) and, among the
    /// inputs templates see, a description: name, media type, size and SHA-256.
    fn inputs(&self, step: &Step, op: &contract::ContractOp) -> Result<CallInputs, String> {
        let ctx = self.ctx_value();
        let mut inputs = Map::new();
        let mut files = HashMap::new();
        for (k, v) in &step.with {
            let rendered = template::render_value(v, &ctx).map_err(|e| e.0)?;
            if k == "file" {
                let f = file_input(
                    &rendered,
                    self.rc
                        .globals
                        .get("run_id")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                )?;
                inputs.insert(
                    k.clone(),
                    serde_json::json!({
                        "name": f.name, "media_type": f.media_type, "size": f.bytes.len(),
                        "sha256": hex::encode(sha2::Sha256::digest(&f.bytes)),
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

    async fn call(&mut self, step: &Step, op_name: &str) -> StepEnd {
        let Some(op) = contract::operation(op_name) else {
            return StepEnd::Error(format!("unknown operation `{op_name}`"));
        };
        let asked = step.actor.as_ref().map(|a| a.value.clone());
        let profile_actor = self
            .rc
            .target
            .operations
            .get(op_name)
            .and_then(|o| o.actor.as_ref())
            .map(|a| a.value.clone());
        let actor = match (asked.as_deref(), profile_actor) {
            (Some("anonymous"), _) => "anonymous".to_string(),
            (_, Some(fixed)) => fixed,
            (Some(a), None) => a.to_string(),
            (None, None) => {
                return StepEnd::Error(format!(
                    "`{op_name}` needs an actor: add `as:` to the step"
                ));
            }
        };
        let session = match self.session(&actor, step.credentials).await {
            Ok(s) => s,
            Err(e) => return StepEnd::Error(e),
        };
        let CallInputs {
            values: inputs,
            files,
        } = match self.inputs(step, op) {
            Ok(x) => x,
            Err(e) => return StepEnd::Error(format!("{op_name}: {e}")),
        };
        let who = match step.credentials {
            Credentials::Valid => actor.clone(),
            Credentials::Malformed => format!("{actor} (forged credentials)"),
        };
        let result = operation::run(self.rc, op_name, &inputs, &files, &session).await;
        self.exchanges.extend(result.exchanges.iter().cloned());
        self.last_exchange = result.exchanges.last().map(|e| e.summary());
        if let Some(e) = result.error {
            return StepEnd::Error(format!("{op_name} as {who}: {e}; not a verdict"));
        }
        let Some(last) = result.responses.last() else {
            return StepEnd::Error(format!("{op_name} as {who}: no response"));
        };
        let expect = step.expect.clone().unwrap_or_default();
        let status_expected = expect
            .status
            .as_ref()
            .is_some_and(|s| s.accepts(last.status));
        if UNAVAILABLE.contains(&last.status) && !status_expected {
            return StepEnd::Error(format!(
                "{op_name} as {who}: the target answered {} {}; unavailable, not a verdict",
                last.status,
                reason(last.status)
            ));
        }
        self.set("sent", Value::Object(inputs.clone()));
        let obs = Observation {
            last,
            all: &result.responses,
            outputs: &result.outputs,
            missing: &result.missing,
        };
        let failures = match assert::evaluate(&expect, &obs, &self.ctx_value()) {
            Ok(f) => f,
            Err(e) => return StepEnd::Error(format!("{op_name} as {who}: {}", e.0)),
        };
        if !failures.is_empty() {
            return self.failed(&format!("{op_name} as {who}"), &failures);
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
                    Err(e) => return StepEnd::Error(format!("save `{alias}`: {}", e.0)),
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
                        return StepEnd::Error(format!(
                            "{op_name}: output `{}` could not be read: {why}",
                            source.value
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

    fn failed(&mut self, what: &str, failures: &[Failure]) -> StepEnd {
        // The finding: the exchange the verdict rests on, then what was expected and seen.
        self.details.extend(self.last_exchange.take());
        for f in failures {
            self.details.push(f.to_string());
        }
        let extra = if failures.len() > 1 {
            format!(" (+{} more)", failures.len() - 1)
        } else {
            String::new()
        };
        StepEnd::Fail(format!("{what}: {}{extra}", failures[0]))
    }

    async fn probe(&mut self, step: &Step, name: &str) -> StepEnd {
        let ctx = self.ctx_value();
        let mut params = Map::new();
        for (k, v) in &step.with {
            match template::render_value(v, &ctx) {
                Ok(r) => {
                    params.insert(k.clone(), r);
                }
                Err(e) => return StepEnd::Error(format!("probe {name}: {}", e.0)),
            }
        }
        if name == "latency" {
            return self.latency(step, &params).await;
        }
        let env = ProbeEnv {
            http: &self.rc.http,
            target: &self.rc.target,
            params: &params,
        };
        let out = match name {
            "plain_http" => probes::transport::plain_http(&env).await,
            "hsts" => probes::transport::hsts(&env).await,
            "cookies" => probes::cookies::cookies(&env).await,
            other => return StepEnd::Error(format!("unknown probe `{other}`")),
        };
        self.exchanges.extend(out.exchanges);
        self.details.extend(out.details);
        if let Some(e) = out.error {
            return StepEnd::Error(format!("probe {name}: {e}; not a verdict"));
        }
        if out.failures.is_empty() {
            StepEnd::Ok
        } else {
            self.failed(name, &out.failures)
        }
    }

    /// TEC-02: repeat an operation with light concurrency and judge the p95.
    async fn latency(&mut self, step: &Step, params: &Map<String, Value>) -> StepEnd {
        let op_name = params
            .get("operation")
            .and_then(Value::as_str)
            .unwrap_or("get_message")
            .to_string();
        let samples = params
            .get("samples")
            .and_then(Value::as_u64)
            .unwrap_or(20)
            .clamp(1, 200) as usize;
        let concurrency = params
            .get("concurrency")
            .and_then(Value::as_u64)
            .unwrap_or(4)
            .clamp(1, 16) as usize;
        let threshold = Duration::from_millis(
            params
                .get("p95_ms")
                .and_then(Value::as_u64)
                .unwrap_or(self.rc.target.declared.latency_p95_ms),
        );
        let actor = step
            .actor
            .as_ref()
            .map_or("patient_a", |a| a.as_str())
            .to_string();
        let session = match self.session(&actor, Credentials::Valid).await {
            Ok(s) => s,
            Err(e) => return StepEnd::Error(e),
        };
        let inputs: Map<String, Value> = params
            .get("inputs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let files = HashMap::new();
        let mut timings = Vec::with_capacity(samples);
        let mut errors = 0usize;
        let mut last_error = String::new();
        for batch in (0..samples).collect::<Vec<_>>().chunks(concurrency) {
            let runs = batch
                .iter()
                .map(|_| operation::run(self.rc, &op_name, &inputs, &files, &session));
            for r in futures_util::future::join_all(runs).await {
                match (&r.error, r.responses.last()) {
                    (None, Some(resp)) if (200..300).contains(&resp.status) => {
                        timings.push(r.exchanges.iter().map(|e| e.elapsed).sum());
                    }
                    (Some(e), _) => {
                        errors += 1;
                        last_error = e.clone();
                    }
                    (None, Some(resp)) => {
                        errors += 1;
                        last_error = format!("status {}", resp.status);
                    }
                    (None, None) => errors += 1,
                }
                if let Some(ex) = r.exchanges.last() {
                    self.exchanges.push(ex.clone());
                }
            }
        }
        // Most samples must succeed for a percentile to mean anything.
        if errors * 5 > samples {
            return StepEnd::Error(format!(
                "latency of {op_name}: {errors} of {samples} samples failed (last: {last_error}); not a verdict"
            ));
        }
        let p95 = probes::latency::percentile(&timings, 95.0).unwrap_or_default();
        self.details.push(format!("{op_name} as {actor}: {} samples, concurrency {concurrency}, p95 {} ms (threshold {} ms)", timings.len(), p95.as_millis(), threshold.as_millis()));
        match probes::latency::judge(&op_name, &timings, threshold) {
            Some(f) => self.failed(&format!("latency of {op_name}"), &[f]),
            None => StepEnd::Ok,
        }
    }
}

/// Builds a file input from `{name, media_type, bytes: N}` or `{name, media_type, text}`.
/// Generated bytes are deterministic for a run and start with the type's magic number.
fn file_input(v: &Value, run_id: &str) -> Result<FileInput, String> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or("file needs `name`")?
        .to_string();
    let media_type = v
        .get("media_type")
        .and_then(Value::as_str)
        .ok_or("file needs `media_type`")?
        .to_string();
    let bytes = if let Some(text) = v.get("text").and_then(Value::as_str) {
        Bytes::from(text.to_string())
    } else {
        let size = v
            .get("bytes")
            .and_then(Value::as_u64)
            .ok_or("file needs `bytes: N` or `text`")?
            .min(64 * 1024 * 1024) as usize;
        let magic: &[u8] = match media_type.as_str() {
            "image/png" => b"\x89PNG\r\n\x1a\n",
            "image/jpeg" => b"\xff\xd8\xff\xe0",
            "application/pdf" => b"%PDF-1.7\n",
            _ => b"",
        };
        let mut data = Vec::with_capacity(size);
        data.extend_from_slice(&magic[..magic.len().min(size)]);
        let mut counter = 0u64;
        while data.len() < size {
            let block = sha2::Sha256::digest(format!("{run_id}/{name}/{counter}").as_bytes());
            let take = (size - data.len()).min(block.len());
            data.extend_from_slice(&block[..take]);
            counter += 1;
        }
        Bytes::from(data)
    };
    Ok(FileInput {
        name,
        media_type,
        bytes,
    })
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
        exchanges: Vec::new(),
        fresh: HashMap::new(),
        last_exchange: None,
    };
    r.ctx.extend(prerequisite_vars);
    let end = 'steps: {
        for (name, value) in &check.vars {
            match template::render_value(&Value::String(value.value.clone()), &r.ctx_value()) {
                Ok(v) => r.set(name, v),
                Err(e) => break 'steps StepEnd::Error(format!("variable `{name}`: {}", e.0)),
            }
        }
        for step in &check.steps {
            r.last_exchange = None;
            let end = match (&step.call, &step.probe) {
                (Some(call), _) => r.call(step, call).await,
                (None, Some(probe)) => r.probe(step, probe).await,
                (None, None) => StepEnd::Error("a step has neither `call:` nor `probe:`".into()),
            };
            if let StepEnd::Error(_) = end {
                r.details.extend(r.last_exchange.take());
            }
            if !matches!(end, StepEnd::Ok) {
                break 'steps end;
            }
        }
        StepEnd::Ok
    };
    let (status, message) = match end {
        StepEnd::Ok => (CheckStatus::Pass, String::new()),
        StepEnd::Fail(m) => (CheckStatus::Fail, m),
        StepEnd::Error(m) => (CheckStatus::Error, m),
    };
    CheckOutcome {
        status,
        message,
        details: r.details,
        exchanges: r.exchanges,
        vars: r.own,
    }
}
