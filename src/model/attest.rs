//! Attestations and waivers: signed statements for requirements no black-box check can decide.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::located::Located;

/// An attestations file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationFile {
    #[serde(default)]
    pub attestations: Vec<Located<Attestation>>,
    #[serde(default)]
    pub waivers: Vec<Located<Waiver>>,
}

/// Who signs a statement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    pub organisation: String,
    pub role: String,
}

/// A statement that a requirement is met, by someone accountable, until it expires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub requirement: Located<String>,
    pub statement: String,
    pub attested_by: Signatory,
    pub date: Located<Date>,
    /// An expired attestation counts as missing.
    pub expires: Located<Date>,
    #[serde(default)]
    pub evidence: Vec<Located<Evidence>>,
}

/// A file backing an attestation, pinned by its SHA-256.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub file: String,
    pub sha256: String,
}

/// An approved variance: the requirement is not met, and that is accepted until it expires.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub requirement: Located<String>,
    pub reason: String,
    pub approved_by: Signatory,
    pub date: Located<Date>,
    pub expires: Located<Date>,
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
