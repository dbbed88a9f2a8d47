//! One check's result: its status, and for each status the typed reason behind it.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::evidence::Evidence;
use super::finding::{Finding, SourceLocation};
use super::requirement::{Domain, Level, Provenance, RequirementId};

/// The status of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The target conforms.
    Pass,
    /// The target does not conform.
    Fail,
    /// The check could not be carried out; never counted as a pass.
    Error,
    /// Not run: its prerequisite did not pass, or it does not apply.
    Skipped,
}

impl CheckStatus {
    /// Upper-case label for the console.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "PASS",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Error => "ERROR",
            CheckStatus::Skipped => "SKIP",
        }
    }
}

impl fmt::Display for CheckStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Error => "error",
            CheckStatus::Skipped => "skipped",
        })
    }
}

/// Why a check did not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// A check it needs ended other than `pass`.
    PrerequisiteFailed { check: String, status: CheckStatus },
    /// A check it needs never reported.
    PrerequisiteUnfinished { check: String },
    /// The target declares every requirement it verifies not applicable.
    NotApplicable { reasons: Vec<String> },
    /// The check ran but cannot decide on this target (a wait longer than the run allows, an
    /// operation the profile does not map): a reviewer or an attestation must.
    Manual { reason: String },
}

impl SkipReason {
    /// Whether the check was skipped because a prerequisite did not pass: its requirement
    /// is then undecided, not satisfied.
    pub fn is_prerequisite(&self) -> bool {
        matches!(
            self,
            SkipReason::PrerequisiteFailed { .. } | SkipReason::PrerequisiteUnfinished { .. }
        )
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::PrerequisiteFailed { check, status } => {
                write!(f, "prerequisite `{check}` did not pass ({status})")
            }
            SkipReason::PrerequisiteUnfinished { check } => {
                write!(f, "prerequisite `{check}` did not finish")
            }
            SkipReason::NotApplicable { reasons } => {
                write!(f, "not applicable: {}", reasons.join("; "))
            }
            SkipReason::Manual { reason } => write!(f, "needs a reviewer: {reason}"),
        }
    }
}

/// What kind of trouble kept a check from reaching a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request could not be sent or its answer not read (connection, TLS, body too large).
    Transport,
    /// A request or the whole check ran out of time.
    Timeout,
    /// The target answered 502/503/504, or too many samples failed: it was unavailable.
    Unavailable,
    /// An actor could not sign in.
    Login,
    /// A contract output the check needs could not be read from the response (a paged list
    /// included, when its pages could not all be read).
    MissingOutput,
    /// A contract output was read but is not of the contract's type (text where a boolean
    /// belongs): the profile maps the wrong thing, or the vendor answers in another form.
    OutputType,
    /// A template could not be rendered (an undefined variable, a bad filter).
    Template,
    /// The suite or profile asks for something that cannot be done (e.g. a step without actor).
    Input,
    /// A defect of vvcheck itself.
    Internal,
    /// The result held a secret the target echoed, masked only after the check had finished.
    SecretEchoed,
    /// The run was stopped (SIGINT, SIGTERM) before the check finished.
    Interrupted,
    /// A verdict read from response times could not be told from vvcheck's own delay: the
    /// process was starved of CPU while it timed the target (a loaded machine).
    Overloaded,
}

/// Why a check ended `error`: never a verdict on the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    pub kind: ErrorKind,
    pub message: String,
    /// The suite step that could not be carried out, when a step was running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<SourceLocation>,
}

impl CheckError {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> CheckError {
        CheckError {
            kind,
            message: message.into(),
            at: None,
        }
    }

    /// The same error with `context: ` in front of its message.
    pub fn context(self, context: impl fmt::Display) -> CheckError {
        CheckError {
            message: format!("{context}: {}", self.message),
            ..self
        }
    }
}

/// The outcome of one check against the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub domain: Domain,
    pub requirements: Vec<RequirementId>,
    pub level: Level,
    /// Provenance of the first requirement (the one named in the testcase).
    pub provenance: Provenance,
    pub tags: Vec<String>,
    pub status: CheckStatus,
    #[serde(rename = "duration_ms", with = "super::millis")]
    pub duration: Duration,
    /// One line: expected versus seen, the error, or the reason for skipping.
    pub message: String,
    /// The finding in full: what was done, as whom, what came back.
    pub details: Vec<String>,
    /// `security.SEC-04`: the JUnit class the check is filed under.
    pub classname: String,
    /// One line per recorded exchange.
    pub exchanges: Vec<String>,
    /// The TLS transcripts of the check's evidence, as they are (they hold no secrets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<serde_json::Value>,
    /// The access matrix of the check's evidence: one cell per caller and operation.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub access: serde_json::Value,
    /// The latency figures of the check's evidence: per operation p50/p95/max, a histogram
    /// on fixed bounds (`le_ms`) and every sample.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub latency: Vec<serde_json::Value>,
    /// The accessibility records of the check's evidence: a page audit, or one WCAG
    /// criterion's conformance per page with its findings (selector, snippet, rule, help).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub a11y: Vec<serde_json::Value>,
    /// What was unmet, when the check failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Why the check could not reach a verdict, when it ended `error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
    /// Why the check did not run, when it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<SkipReason>,
    /// The full record behind the verdict, for this process's reporters and the evidence
    /// bundle; `results.json` lists it one line per exchange (`exchanges`).
    #[serde(skip)]
    pub evidence: Evidence,
}

impl CheckResult {
    /// Passes every text the target may have put into the result (message, details, findings,
    /// error, exchange lines) through `mask`, so that a value the target echoed back cannot leave
    /// in a report. Says whether anything was masked.
    pub fn redact(&mut self, mask: &dyn Fn(&str) -> String) -> bool {
        let mut changed = false;
        let mut apply = |s: &mut String| {
            let masked = mask(s);
            if masked != *s {
                *s = masked;
                changed = true;
            }
        };
        apply(&mut self.message);
        self.details.iter_mut().for_each(&mut apply);
        for f in &mut self.findings {
            apply(&mut f.expected);
            apply(&mut f.seen);
            if let Some(e) = &mut f.exchange {
                apply(e);
            }
        }
        if let Some(e) = &mut self.error {
            apply(&mut e.message);
        }
        self.exchanges.iter_mut().for_each(&mut apply);
        // Accessibility records quote the target's markup (snippets, messages).
        let mut stack: Vec<&mut serde_json::Value> = self.a11y.iter_mut().collect();
        while let Some(v) = stack.pop() {
            match v {
                serde_json::Value::String(s) => apply(s),
                serde_json::Value::Array(a) => stack.extend(a.iter_mut()),
                serde_json::Value::Object(o) => stack.extend(o.values_mut()),
                _ => {}
            }
        }
        changed
    }

    /// Masks the result again, once the run is over and every secret is known. A result that
    /// still held one (a secret learned only after the check finished) keeps what it saw,
    /// redacted, and ends `error`: its report cannot show the evidence its verdict rests on.
    pub fn mask_late_secrets(&mut self, mask: &dyn Fn(&str) -> String) {
        if !self.redact(mask) {
            return;
        }
        let before = match &self.error {
            Some(e) => format!("{}: {}", self.status, e.message),
            None => self.status.to_string(),
        };
        let e = CheckError::new(
            ErrorKind::SecretEchoed,
            format!(
                "a secret was echoed by the target and redacted from this check's result, which \
                 was {before}; the verdict is withdrawn"
            ),
        );
        self.status = CheckStatus::Error;
        self.message = e.message.clone();
        self.error = Some(e);
    }
}

/// `security.SEC-04`: the class of a check verifying `requirements` in `domain`.
pub fn classname(domain: Domain, requirements: &[RequirementId], id: &str) -> String {
    let first = requirements.first().map_or(id, RequirementId::as_str);
    format!("{domain}.{first}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secret: &str) -> CheckResult {
        CheckResult {
            id: "c".into(),
            title: "t".into(),
            domain: Domain::Security,
            requirements: vec![RequirementId("SEC-04".into())],
            level: Level::Mandatory,
            provenance: Provenance::Confirmed,
            tags: Vec::new(),
            status: CheckStatus::Fail,
            duration: Duration::ZERO,
            message: format!("saw {secret}"),
            details: vec![format!("Location: /x?t={secret}")],
            classname: classname(Domain::Security, &[], "c"),
            exchanges: vec![format!("GET /x?t={secret} → 200")],
            tls: Vec::new(),
            access: serde_json::Value::Null,
            latency: Vec::new(),
            a11y: Vec::new(),
            findings: vec![Finding {
                exchange: Some(format!("GET /x?t={secret}")),
                ..Finding::new(format!("not {secret}"), format!("body {secret}"))
            }],
            error: Some(CheckError::new(
                ErrorKind::Transport,
                format!("reset {secret}"),
            )),
            skip_reason: None,
            evidence: Evidence::default(),
        }
    }

    #[test]
    fn redact_reaches_every_text_the_target_can_fill() {
        let secret = "tok-12345678";
        let mut r = sample(secret);
        assert!(r.redact(&|t| t.replace(secret, "[REDACTED]")));
        assert!(
            !r.redact(&|t| t.replace(secret, "[REDACTED]")),
            "nothing left to mask"
        );
        let json = serde_json::to_string(&r).expect("serialises");
        assert!(!json.contains(secret), "{json}");
        assert_eq!(r.message, "saw [REDACTED]");
    }

    #[test]
    fn a_result_that_still_held_a_secret_at_the_end_ends_error_with_what_it_saw_masked() {
        let secret = "tok-12345678";
        let mask = |t: &str| t.replace(secret, "[REDACTED]");
        let mut clean = sample("nothing-secret");
        clean.mask_late_secrets(&mask);
        assert_eq!(
            clean.status,
            CheckStatus::Fail,
            "nothing to mask: unchanged"
        );
        let mut r = sample(secret);
        r.mask_late_secrets(&mask);
        assert_eq!(r.status, CheckStatus::Error);
        let e = r.error.as_ref().expect("an error");
        assert_eq!(e.kind, ErrorKind::SecretEchoed);
        assert!(
            e.message
                .starts_with("a secret was echoed by the target and redacted")
                && e.message.contains("which was fail: reset [REDACTED]"),
            "{}",
            e.message
        );
        assert_eq!(r.message, e.message);
        assert_eq!(r.findings[0].seen, "body [REDACTED]", "the finding is kept");
    }
}
