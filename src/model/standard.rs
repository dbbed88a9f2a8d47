//! The requirement catalogue: what the standard asks, as data (`suites/standard.yaml`).

use serde::{Deserialize, Serialize};

pub use crate::outcome::{Domain, Level, Provenance, RequirementId};

/// How a requirement can be verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verification {
    /// A black-box check decides it.
    Auto,
    /// Automated evidence plus a reviewer's judgement.
    Partly,
    /// Only an attestation can satisfy it.
    Attest,
}

/// One requirement of the catalogue.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: RequirementId,
    pub domain: Domain,
    pub level: Level,
    pub provenance: Provenance,
    pub verification: Verification,
    /// Likely home in the official numbering; a reviewer can correct it.
    pub section: String,
    pub title: String,
    pub text: String,
}

/// The whole catalogue of one edition of the standard.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub edition: String,
    pub title: String,
    pub requirements: Vec<Requirement>,
}

impl Catalogue {
    /// Looks a requirement up by its identifier.
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id.0 == id)
    }
}
