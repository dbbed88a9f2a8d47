//! Attestations and waivers: signed statements for requirements no black-box check can decide.

use serde::Deserialize;

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
    /// `YYYY-MM-DD`.
    pub date: Located<String>,
    /// `YYYY-MM-DD`; an expired attestation counts as missing.
    pub expires: Located<String>,
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
    pub date: Located<String>,
    pub expires: Located<String>,
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<time::Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt).ok()
}
