//! The words requirements are described in: identifier, domain, level and provenance. Shared by
//! the catalogue (an input) and by every result (an outcome), so they live on the ground floor.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A requirement identifier such as `SEC-04` or `ACC-2.1.10`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequirementId(pub String);

impl fmt::Display for RequirementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RequirementId {
    /// The identifier as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The five domains of the standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Privacy,
    Security,
    Technology,
    Accessibility,
    Functionality,
}

impl Domain {
    /// Every domain, in report order.
    pub const ALL: [Domain; 5] = [
        Domain::Privacy,
        Domain::Security,
        Domain::Technology,
        Domain::Accessibility,
        Domain::Functionality,
    ];

    /// Lower-case name, as in YAML and JUnit class names.
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Privacy => "privacy",
            Domain::Security => "security",
            Domain::Technology => "technology",
            Domain::Accessibility => "accessibility",
            Domain::Functionality => "functionality",
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a requirement must be met or is recommended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Mandatory,
    Recommended,
}

impl Level {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Mandatory => "mandatory",
            Level::Recommended => "recommended",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the requirement's text is confirmed from the published standard or inferred.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provenance {
    Confirmed,
    Inferred,
}

impl Provenance {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Confirmed => "confirmed",
            Provenance::Inferred => "inferred",
        }
    }
}
