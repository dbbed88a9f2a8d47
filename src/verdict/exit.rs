//! Exit codes, as published in the README, and the one the verdicts of a run imply.

use crate::outcome::{Level, RequirementVerdict, Verdict};

/// No mandatory requirement failed or errored.
pub const OK: i32 = 0;
/// A mandatory requirement failed or errored (with `--strict`: any requirement, or an
/// unattested manual one).
pub const NON_CONFORMANT: i32 = 1;
/// Invalid input, the harness could not start, or the run was stopped.
pub const INVALID: i32 = 2;

/// The exit code of a run: what its verdicts imply, unless it was stopped before every check
/// finished (SIGINT, SIGTERM), which makes it no verdict on the target either way.
pub fn of_run(verdicts: &[RequirementVerdict], strict: bool, stopped: bool) -> i32 {
    if stopped {
        INVALID
    } else {
        exit_code(verdicts, strict)
    }
}

/// The exit code the verdicts imply.
pub fn exit_code(verdicts: &[RequirementVerdict], strict: bool) -> i32 {
    let bad = verdicts.iter().any(|v| {
        let counts = v.level == Level::Mandatory || strict;
        let failing = matches!(v.verdict, Verdict::Fail | Verdict::Error)
            || (strict && v.verdict == Verdict::Manual);
        counts && failing
    });
    if bad { NON_CONFORMANT } else { OK }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Domain, Provenance, RequirementId};

    fn rv(level: Level, verdict: Verdict) -> RequirementVerdict {
        RequirementVerdict {
            id: RequirementId("SEC-04".into()),
            title: String::new(),
            text: String::new(),
            domain: Domain::Security,
            level,
            provenance: Provenance::Confirmed,
            verdict,
            checks: Vec::new(),
            reason: None,
            signoff: None,
        }
    }

    #[test]
    fn published_values() {
        assert_eq!((OK, NON_CONFORMANT, INVALID), (0, 1, 2));
    }

    #[test]
    fn a_failed_or_errored_mandatory_requirement_fails_the_run() {
        for bad in [Verdict::Fail, Verdict::Error] {
            assert_eq!(
                exit_code(&[rv(Level::Mandatory, bad)], false),
                NON_CONFORMANT
            );
            assert_eq!(exit_code(&[rv(Level::Recommended, bad)], false), OK);
            assert_eq!(
                exit_code(&[rv(Level::Recommended, bad)], true),
                NON_CONFORMANT
            );
        }
    }

    #[test]
    fn manual_items_fail_only_a_strict_run() {
        let manual = [rv(Level::Mandatory, Verdict::Manual)];
        assert_eq!(exit_code(&manual, false), OK);
        assert_eq!(exit_code(&manual, true), NON_CONFORMANT);
        for fine in [
            Verdict::Pass,
            Verdict::Attested,
            Verdict::Waived,
            Verdict::NotApplicable,
        ] {
            assert_eq!(exit_code(&[rv(Level::Mandatory, fine)], true), OK);
        }
    }
}
