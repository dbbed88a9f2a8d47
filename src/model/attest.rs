//! Attestations and waivers: signed statements for requirements no black-box check can decide.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::located::Located;
pub use crate::outcome::{Signatory, SignoffKind};

/// An attestations file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationFile {
    #[serde(default)]
    pub attestations: Vec<Located<Attestation>>,
    #[serde(default)]
    pub waivers: Vec<Located<Waiver>>,
}

/// A statement that a requirement is met, by someone accountable, until it expires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub requirement: Located<String>,
    pub statement: String,
    pub attested_by: Signatory,
    /// `vendor` (the default: enough for Verified) or `review` (a reviewer's sign-off, what
    /// Validated needs).
    #[serde(default)]
    pub kind: SignoffKind,
    /// Not valid before this date.
    pub date: Located<Date>,
    /// An expired attestation counts as missing.
    pub expires: Located<Date>,
    /// The target or environment it holds for; without one, any target.
    #[serde(default)]
    pub scope: Option<Located<Scope>>,
    #[serde(default)]
    pub evidence: Vec<Located<Evidence>>,
}

/// A file backing an attestation, pinned by its SHA-256.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Relative to the attestations file's folder.
    pub file: String,
    pub sha256: String,
    /// The file's size, learned when its hash was checked at load.
    #[serde(skip)]
    pub size: u64,
}

/// Where an entry holds: one target profile (by its `name`) or one environment (a profile's
/// `environment`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum Scope {
    Target(String),
    Environment(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Target(t) => write!(f, "target: {t}"),
            Scope::Environment(e) => write!(f, "environment: {e}"),
        }
    }
}

/// An approved variance: the requirement is not met, and that is accepted until it expires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub requirement: Located<String>,
    pub reason: String,
    pub approved_by: Signatory,
    /// The approval's reference (a variance number, a ticket).
    pub approval: String,
    /// Not valid before this date.
    pub date: Located<Date>,
    pub expires: Located<Date>,
    /// The target or environment it holds for; without one, any target.
    #[serde(default)]
    pub scope: Option<Located<Scope>>,
    #[serde(default)]
    pub evidence: Vec<Located<Evidence>>,
}

/// A calendar date written `YYYY-MM-DD`, checked when the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub time::Date);

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        match self.0.format(&fmt) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(text.trim(), &fmt)
            .map(Date)
            .map_err(|_| de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
    }
}
