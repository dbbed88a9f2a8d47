//! Suites: checks, each tied to requirement IDs, made of contract calls and probes.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::diag::SourceFile;
use super::located::Located;
use super::pattern::{PathExpr, Pattern};
use super::probe::ProbeParams;
use super::standard::Level;
pub use super::status::StatusSpec;

/// One check as written in a suite file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: Located<String>,
    pub title: String,
    pub requirements: Vec<Located<String>>,
    /// Overrides the level of the requirement (e.g. a stricter check of a recommended item).
    #[serde(default)]
    pub level: Option<Level>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Checks whose captures this one reuses; they run first.
    #[serde(default)]
    pub needs: Vec<Located<String>>,
    /// Variables defined before the steps run (templates).
    #[serde(default)]
    pub vars: IndexMap<String, Located<String>>,
    /// Per-check time limit in seconds (default 120).
    #[serde(default)]
    pub timeout_s: Option<u64>,
    /// Log every actor in again instead of sharing the run's sessions.
    #[serde(default)]
    pub fresh_session: bool,
    /// What a profile that does not map one of the check's operations makes of it.
    #[serde(default)]
    pub unmapped: Unmapped,
    /// Why the requirement matters, in one sentence: added to the check's failure message
    /// and findings, so whoever reads a failure learns what is at stake.
    #[serde(default)]
    pub rationale: Option<Located<String>>,
    /// The steps as written; loading turns them into [`Check::steps`].
    #[serde(rename = "steps")]
    pub(crate) written_steps: Vec<Located<StepDef>>,
    /// The steps, each a contract call or a probe with its typed parameters.
    #[serde(skip)]
    pub steps: Vec<Located<Step>>,
    #[serde(skip)]
    pub source: Option<Arc<SourceFile>>,
}

/// What becomes of a check whose operation the profile does not map.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmapped {
    /// A load error: map it, or declare the check's requirements not applicable.
    #[default]
    Error,
    /// The check is skipped and its requirement left to a reviewer or an attestation (a vendor
    /// may keep an audit log without an API to read it).
    Manual,
}

impl Check {
    /// The contract operations its steps call that `mapped` says the profile lacks.
    pub fn unmapped_operations(&self, mapped: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for op in self.steps.iter().flat_map(|s| s.required_operations()) {
            if !mapped(op.as_str()) && !out.iter().any(|o| o == op.as_str()) {
                out.push(op.value.clone());
            }
        }
        out
    }

    /// Where step `step` was written, as `file:line:col` (the file as the user named it).
    pub fn step_location(&self, step: &Located<Step>) -> Option<crate::outcome::SourceLocation> {
        let src = self.source.as_ref()?;
        Some(crate::outcome::SourceLocation {
            file: src.path.display().to_string(),
            line: step.loc.line,
            column: step.loc.column,
        })
    }
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// A contract operation with its inputs (templates).
    Call {
        operation: Located<String>,
        inputs: IndexMap<String, Located<serde_json::Value>>,
    },
    /// A probe with the parameters it declared, read at load time.
    Probe {
        name: Located<String>,
        params: Arc<dyn ProbeParams>,
    },
}

/// One step, ready to run.
#[derive(Debug, Clone)]
pub struct Step {
    pub kind: StepKind,
    /// The actor, or `anonymous`.
    pub actor: Option<Located<String>>,
    pub credentials: Credentials,
    /// Boxed: most steps of a large suite hold none, and a check holds its steps all run long.
    pub expect: Option<Box<Expect>>,
    /// Copies outputs into new variable names: `save: { first_id: message_id }`.
    pub save: IndexMap<String, Located<String>>,
    /// The step runs only when the profile maps its operation; otherwise it is passed over.
    pub if_mapped: bool,
    /// The step runs only when each of these `declared:` values of the profile is as given.
    pub when_declared: IndexMap<Located<String>, serde_json::Value>,
}

impl Step {
    /// The contract operations the step calls, itself or through its probe.
    pub fn operations(&self) -> Vec<&Located<String>> {
        match &self.kind {
            StepKind::Call { operation, .. } => vec![operation],
            StepKind::Probe { params, .. } => params.operations(),
        }
    }

    /// The operations a profile must map for the step: none for an `if_mapped` step.
    pub fn required_operations(&self) -> Vec<&Located<String>> {
        if self.if_mapped {
            Vec::new()
        } else {
            self.operations()
        }
    }
}

/// How a call step presents the actor's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Credentials {
    /// The actor's live session.
    #[default]
    Valid,
    /// The actor's session with its token or cookie altered, as an attacker might forge it.
    Malformed,
}

/// One step as written: a contract call or a probe.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// A contract operation.
    #[serde(default)]
    pub call: Option<Located<String>>,
    /// A probe (`plain_http`, `hsts`, `cookies`, `latency` …).
    #[serde(default)]
    pub probe: Option<Located<String>>,
    /// The actor, or `anonymous`.
    #[serde(default, rename = "as")]
    pub actor: Option<Located<String>>,
    #[serde(default)]
    pub credentials: Credentials,
    /// Inputs of the operation (templates); a probe's parameters are read from the same key as
    /// the probe's own type, at load.
    #[serde(default)]
    pub with: IndexMap<String, Located<serde_json::Value>>,
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Copies outputs into new variable names: `save: { first_id: message_id }`.
    #[serde(default)]
    pub save: IndexMap<String, Located<String>>,
    /// Run the step only when the profile maps its operation (`if_mapped: true`).
    #[serde(default)]
    pub if_mapped: bool,
    /// Run the step only when the profile declares these values:
    /// `when_declared: { clinician_reply_after_close: allowed }`.
    #[serde(default)]
    pub when_declared: IndexMap<Located<String>, serde_json::Value>,
}

/// What a step's response must look like.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<Located<StatusSpec>>,
    /// The outcome in the contract's words; what it looks like is the target profile's.
    #[serde(default)]
    pub outcome: Option<Located<super::outcome::Outcome>>,
    /// Response headers: `present`, `absent`, `{equals: v}`, `{matches: re}`.
    #[serde(default)]
    pub headers: IndexMap<String, Located<ValueExpect>>,
    /// JSONPath on the response body.
    #[serde(default)]
    pub json: IndexMap<Located<PathExpr>, Located<ValueExpect>>,
    /// The final response body contains each of these (templates).
    #[serde(default)]
    pub body_contains: OneOrMany,
    /// No response of the step contains any of these (templates).
    #[serde(default)]
    pub body_not_contains: OneOrMany,
    #[serde(default)]
    pub body_matches: Option<Located<Pattern>>,
    /// Every response of the step arrived within this many milliseconds.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// Contract outputs of the call.
    #[serde(default)]
    pub outputs: IndexMap<Located<String>, Located<ValueExpect>>,
    /// The call downloaded the file a template describes (`"{{photo}}"`, saved from
    /// `sent.file` at its upload): its `sha256` and `size` outputs are the sent file's.
    #[serde(default)]
    pub same_file: Option<Located<String>>,
}

impl<T: PartialEq> PartialEq for Located<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<T: Eq> Eq for Located<T> {}
impl<T: std::hash::Hash> std::hash::Hash for Located<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

/// One string or a list of strings.
#[derive(Debug, Clone, Default)]
pub struct OneOrMany(pub Vec<Located<String>>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, which would lose where the text was written.
        enum Repr {
            One(String),
            Many(Vec<Located<String>>),
        }
        impl<'de> Deserialize<'de> for Repr {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> de::Visitor<'de> for V {
                    type Value = Repr;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("a string or a list of strings")
                    }
                    fn visit_str<E>(self, v: &str) -> Result<Repr, E> {
                        Ok(Repr::One(v.to_string()))
                    }
                    fn visit_i64<E>(self, v: i64) -> Result<Repr, E> {
                        Ok(Repr::One(v.to_string()))
                    }
                    fn visit_u64<E>(self, v: u64) -> Result<Repr, E> {
                        Ok(Repr::One(v.to_string()))
                    }
                    fn visit_f64<E>(self, v: f64) -> Result<Repr, E> {
                        Ok(Repr::One(v.to_string()))
                    }
                    fn visit_bool<E>(self, v: bool) -> Result<Repr, E> {
                        Ok(Repr::One(v.to_string()))
                    }
                    fn visit_seq<A: de::SeqAccess<'de>>(
                        self,
                        mut seq: A,
                    ) -> Result<Repr, A::Error> {
                        let mut items = Vec::new();
                        while let Some(item) = seq.next_element::<Located<String>>()? {
                            items.push(item);
                        }
                        Ok(Repr::Many(items))
                    }
                }
                d.deserialize_any(V)
            }
        }
        let written = Located::<Repr>::deserialize(d)?;
        Ok(match written.value {
            Repr::One(s) => OneOrMany(vec![Located {
                value: s,
                loc: written.loc,
            }]),
            Repr::Many(v) => OneOrMany(v),
        })
    }
}

/// An expectation on one value: a literal means `equals`.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueExpect {
    Present,
    Absent,
    Equals(serde_json::Value),
    Matches(Pattern),
    Count(usize),
    Contains(String),
    NotContains(String),
    /// A list in non-decreasing order.
    Sorted,
}

impl<'de> Deserialize<'de> for ValueExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "snake_case")]
        enum Op {
            Equals(serde_json::Value),
            Matches(String),
            Count(usize),
            Contains(String),
            NotContains(String),
            Sorted(bool),
        }
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) if s == "present" || s == "exists" => {
                Ok(ValueExpect::Present)
            }
            serde_json::Value::String(s) if s == "absent" => Ok(ValueExpect::Absent),
            serde_json::Value::Object(ref m) if m.len() == 1 => {
                let op: Op = serde_json::from_value(v.clone()).map_err(de::Error::custom)?;
                Ok(match op {
                    Op::Equals(x) => ValueExpect::Equals(x),
                    Op::Matches(r) => {
                        ValueExpect::Matches(Pattern::new(&r).map_err(de::Error::custom)?)
                    }
                    Op::Count(n) => ValueExpect::Count(n),
                    Op::Contains(s) => ValueExpect::Contains(s),
                    Op::NotContains(s) => ValueExpect::NotContains(s),
                    Op::Sorted(true) => ValueExpect::Sorted,
                    Op::Sorted(false) => {
                        return Err(de::Error::custom(
                            "`sorted: false` asserts nothing; remove it",
                        ));
                    }
                })
            }
            other => Ok(ValueExpect::Equals(other)),
        }
    }
}

/// The output a key names: `messages` in `messages[*].message_id`.
pub fn output_name(key: &str) -> &str {
    key.split(['.', '[']).next().unwrap_or(key)
}
