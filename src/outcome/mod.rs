//! The ground floor: what a run produced, as plain data every other layer shares. Check results
//! with typed statuses, skip reasons and errors; findings that point into the suite; the evidence
//! behind them; requirement verdicts and the run report. Everything here is `Serialize +
//! Deserialize`, so `results.json` is these types and can be read back (merge, diff). Nothing
//! here depends on the rest of the project.

mod check;
mod event;
mod evidence;
mod finding;
pub mod millis;
mod recorded;
mod report;
mod requirement;
mod standing;

pub use check::{CheckError, CheckResult, CheckStatus, ErrorKind, SkipReason, classname};
pub use event::Event;
pub use evidence::{Attempt, Body, Evidence, Exchange, Reflection, SpillRef, reason};
pub use finding::{Finding, SourceLocation};
pub use recorded::{MAX_RECORDED, Recorded, RecordedView, SentText};
pub use report::{RequirementVerdict, RunReport, SCHEMA_VERSION, Summary, Verdict, VerdictCounts};
pub use requirement::{Domain, Level, Provenance, RequirementId};
pub use standing::{
    AttestationRecord, EntryKind, EntryOutcome, EvidenceFile, Overall, Signatory, SignoffKind,
    Standing,
};
