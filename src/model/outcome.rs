//! Outcomes: what suites expect of an answer in the contract's words (`ok`, `denied`,
//! `not_found`, …), and how a target profile says each looks for its vendor — by status, by a
//! JSONPath into the body, by a header, or by a redirect to the login page. A REST vendor needs
//! nothing: the defaults are the usual statuses. A GraphQL vendor that denies with HTTP 200 and
//! `errors[].extensions.code` says so once, and every shipped check judges it right.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use super::located::Located;
use super::pattern::{PathExpr, Pattern};
use super::status::StatusSpec;

/// An outcome of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The operation did what it was asked.
    Ok,
    /// The caller may not: not signed in, not allowed, or told the thing does not exist.
    Denied,
    /// The thing asked for does not exist.
    NotFound,
    /// The request was malformed or its input refused.
    Invalid,
    /// The body was too large.
    TooLarge,
    /// The media type is not accepted.
    UnsupportedType,
    /// The account is locked or the caller is throttled.
    Locked,
    /// The conversation is closed to the caller's replies.
    Closed,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::NotFound => "not_found",
            Outcome::Invalid => "invalid",
            Outcome::TooLarge => "too_large",
            Outcome::UnsupportedType => "unsupported_type",
            Outcome::Locked => "locked",
            Outcome::Closed => "closed",
        })
    }
}

/// A JSONPath into the body whose matches must include one of `in` (or, without `in`, must
/// exist and not be null); with `absent: true`, must match nothing but null or empty lists (a
/// GraphQL answer without `errors`).
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "JsonConditionRepr")]
pub struct JsonCondition {
    pub path: PathExpr,
    pub any_of: Vec<Value>,
    pub absent: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonConditionRepr {
    path: PathExpr,
    #[serde(default, rename = "in")]
    any_of: Vec<Value>,
    #[serde(default)]
    absent: bool,
}

impl TryFrom<JsonConditionRepr> for JsonCondition {
    type Error = &'static str;

    fn try_from(r: JsonConditionRepr) -> Result<Self, Self::Error> {
        if r.absent && !r.any_of.is_empty() {
            return Err("`absent: true` and `in:` contradict each other; write one");
        }
        Ok(JsonCondition {
            path: r.path,
            any_of: r.any_of,
            absent: r.absent,
        })
    }
}

impl JsonCondition {
    /// Whether the matches of the path in a body satisfy the condition.
    pub fn holds(&self, found: &[&Value]) -> bool {
        let nothing = |v: &&Value| v.is_null() || v.as_array().is_some_and(Vec::is_empty);
        if self.absent {
            found.iter().all(nothing)
        } else if self.any_of.is_empty() {
            found.iter().any(|v| !v.is_null())
        } else {
            found.iter().any(|v| self.any_of.contains(v))
        }
    }
}

/// A response header whose value must match.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCondition {
    pub name: String,
    pub matches: Pattern,
}

/// One way an answer shows an outcome: every condition it gives must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRule {
    #[serde(default)]
    pub status: Option<StatusSpec>,
    #[serde(default)]
    pub json: Option<JsonCondition>,
    #[serde(default)]
    pub header: Option<HeaderCondition>,
    /// A redirect (3xx) whose `Location` is the profile's login page.
    #[serde(default)]
    pub redirect_to_login: bool,
}

/// Outcome → the ways an answer shows it (any one suffices), as a profile or operation writes them.
pub type OutcomeMap = IndexMap<Located<Outcome>, Vec<OutcomeRule>>;

fn status(ranges: &[(u16, u16)]) -> OutcomeRule {
    OutcomeRule {
        status: Some(StatusSpec(ranges.to_vec())),
        ..OutcomeRule::default()
    }
}

/// What each outcome looks like for a REST vendor, when the profile does not say.
pub fn default_rules(outcome: Outcome) -> Vec<OutcomeRule> {
    match outcome {
        Outcome::Ok => vec![status(&[(200, 299)])],
        Outcome::Denied => vec![
            status(&[(401, 401), (403, 403), (404, 404)]),
            OutcomeRule {
                redirect_to_login: true,
                ..OutcomeRule::default()
            },
        ],
        Outcome::NotFound => vec![status(&[(404, 404), (410, 410)])],
        Outcome::Invalid => vec![status(&[(400, 400), (422, 422)])],
        Outcome::TooLarge => vec![status(&[(413, 413)])],
        Outcome::UnsupportedType => vec![status(&[(415, 415)])],
        Outcome::Locked => vec![status(&[(423, 423), (429, 429)])],
        // 409 Conflict with the conversation's state, or 403 for replies turned off.
        Outcome::Closed => vec![status(&[(403, 403), (409, 409)])],
    }
}

impl fmt::Display for OutcomeRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(s) = &self.status {
            let codes: Vec<String> =
                s.0.iter()
                    .map(|(lo, hi)| {
                        if lo == hi {
                            lo.to_string()
                        } else {
                            format!("{lo}-{hi}")
                        }
                    })
                    .collect();
            parts.push(format!("HTTP {}", codes.join("/")));
        }
        if let Some(j) = &self.json {
            if j.absent {
                parts.push(format!("no {}", j.path));
            } else if j.any_of.is_empty() {
                parts.push(format!("{} present", j.path));
            } else {
                let vals: Vec<String> = j.any_of.iter().map(Value::to_string).collect();
                parts.push(format!("{} in [{}]", j.path, vals.join(", ")));
            }
        }
        if let Some(h) = &self.header {
            parts.push(format!("{} matching /{}/", h.name, h.matches));
        }
        if self.redirect_to_login {
            parts.push("a redirect to the login page".into());
        }
        f.write_str(&parts.join(" and "))
    }
}
