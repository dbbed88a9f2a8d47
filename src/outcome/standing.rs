//! The run's standing in the verification programme's terms, and what became of every
//! attestation and waiver it was given.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::requirement::RequirementId;

/// Where a solution stands after a run, in Ontario Health's vocabulary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// A mandatory requirement failed.
    NotConformant,
    /// Errors, mandatory requirements still left to a reviewer, or only part of the catalogue
    /// was run.
    #[default]
    Incomplete,
    /// Every mandatory requirement passed a check, or is covered by a valid attestation of the
    /// vendor's, a waiver or a not-applicable declaration: what a solution needs to be listed
    /// as Verified.
    ConformantAttested,
    /// As attested, but every attested mandatory requirement was signed off by a reviewer
    /// (`kind: review`): what Validated needs.
    ConformantValidated,
}

impl Standing {
    /// The programme's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Standing::NotConformant => "not conformant",
            Standing::Incomplete => "incomplete",
            Standing::ConformantAttested => "conformant — attested",
            Standing::ConformantValidated => "conformant — validated",
        }
    }
}

impl fmt::Display for Standing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The overall status of a run and the mandatory requirements behind it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overall {
    pub standing: Standing,
    /// Mandatory requirements that failed.
    #[serde(default)]
    pub failed: Vec<RequirementId>,
    /// Mandatory requirements whose checks could not be carried out.
    #[serde(default)]
    pub errored: Vec<RequirementId>,
    /// Mandatory requirements still left to a reviewer or an attestation.
    #[serde(default)]
    pub manual: Vec<RequirementId>,
    /// Mandatory requirements covered by the vendor's own attestation.
    #[serde(default)]
    pub vendor_attested: Vec<RequirementId>,
    /// Mandatory requirements covered by a reviewer's sign-off.
    #[serde(default)]
    pub reviewed: Vec<RequirementId>,
    /// Requirements met by an approved variance (waiver), mandatory or not.
    #[serde(default)]
    pub waived: Vec<RequirementId>,
    /// Requirements the target declares not applicable.
    #[serde(default)]
    pub not_applicable: Vec<RequirementId>,
    /// Why the run does not stand for the whole catalogue (a filter, a partition), when it
    /// does not: such a run is at best incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<String>,
}

/// Whose sign-off an attestation is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignoffKind {
    /// The vendor vouches for it (enough for Verified).
    #[default]
    Vendor,
    /// A reviewer examined it and signs it off (what Validated needs).
    Review,
}

impl fmt::Display for SignoffKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignoffKind::Vendor => "vendor",
            SignoffKind::Review => "review",
        })
    }
}

/// Who signs a statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    pub organisation: String,
    pub role: String,
}

impl fmt::Display for Signatory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}, {})", self.name, self.role, self.organisation)
    }
}

/// An attestation, or a waiver (the programme's variance).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Attestation,
    Waiver,
}

impl fmt::Display for EntryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EntryKind::Attestation => "attestation",
            EntryKind::Waiver => "waiver",
        })
    }
}

/// A file backing an entry, as it was when the run read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// As written in the attestations file (relative to it).
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

/// What an entry did for the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryOutcome {
    /// Its requirement was not judged in this run (a filter left it out, or another part
    /// of a partitioned run holds it).
    NotRun,
    /// It decided its requirement (attested, or waived).
    Counted,
    /// A waiver that stands over a failed or errored check, and says so.
    Overrides,
    /// Its requirement's checks decided it (a pass); the entry was not needed.
    Unused,
    /// Its requirement's check failed or errored: an attestation never overrides that.
    Conflict,
    /// Another entry for the same requirement counted instead.
    Superseded,
    /// Past its expiry date.
    Expired,
    /// Dated after the run.
    NotYetValid,
    /// Scoped to another target or environment.
    WrongScope,
    /// Names a requirement the catalogue does not hold.
    UnknownRequirement,
    /// The target declares its requirement not applicable.
    NotApplicable,
}

impl EntryOutcome {
    /// Whether the entry did not count for a reason of its own (the reader should act).
    pub fn is_rejected(self) -> bool {
        self.is_screened_out() || self == EntryOutcome::Conflict
    }

    /// Whether screening set the entry aside before any check was weighed (its dates, its
    /// scope, its requirement): the same in every part of a run, never settled again.
    pub fn is_screened_out(self) -> bool {
        matches!(
            self,
            EntryOutcome::Expired
                | EntryOutcome::NotYetValid
                | EntryOutcome::WrongScope
                | EntryOutcome::UnknownRequirement
        )
    }
}

/// One attestation or waiver as the run weighed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttestationRecord {
    pub entry: EntryKind,
    pub requirement: String,
    /// An attestation's kind of sign-off; `None` for a waiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<SignoffKind>,
    /// The attestation's statement, or the waiver's reason.
    pub text: String,
    /// Who attested, or who approved the waiver.
    pub by: Signatory,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `YYYY-MM-DD`.
    pub expires: String,
    /// `target: NAME` or `environment: NAME`; `None` when the entry holds for any target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// A waiver's approval reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceFile>,
    /// Where the entry is written: `attestations.yaml:4:5`.
    pub source: String,
    pub outcome: EntryOutcome,
    /// Why, in a sentence, when the outcome needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
