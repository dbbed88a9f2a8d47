//! The overall status of a run, in the programme's terms, from its requirement verdicts.

use crate::outcome::{Level, Overall, RequirementVerdict, SignoffKind, Standing, Verdict};

/// Why a run built with `filters` (`--domain security`) stands for part of the catalogue.
pub fn filtered(filters: &str) -> String {
    format!("only the checks of {filters} were run")
}

/// The run's standing. `partial` says why the verdicts do not cover the whole catalogue (a
/// filter, one part of a partitioned run); such a run is at best incomplete.
pub fn overall(verdicts: &[RequirementVerdict], partial: Option<String>) -> Overall {
    let mandatory = |v: &&RequirementVerdict| v.level == Level::Mandatory;
    let ids = |pick: &dyn Fn(&RequirementVerdict) -> bool, only_mandatory: bool| {
        verdicts
            .iter()
            .filter(|v| !only_mandatory || mandatory(v))
            .filter(|v| pick(v))
            .map(|v| v.id.clone())
            .collect::<Vec<_>>()
    };
    let mut o = Overall {
        failed: ids(&|v| v.verdict == Verdict::Fail, true),
        errored: ids(&|v| v.verdict == Verdict::Error, true),
        manual: ids(&|v| v.verdict == Verdict::Manual, true),
        vendor_attested: ids(
            &|v| v.verdict == Verdict::Attested && v.signoff != Some(SignoffKind::Review),
            true,
        ),
        reviewed: ids(
            &|v| v.verdict == Verdict::Attested && v.signoff == Some(SignoffKind::Review),
            true,
        ),
        waived: ids(&|v| v.verdict == Verdict::Waived, false),
        not_applicable: ids(&|v| v.verdict == Verdict::NotApplicable, false),
        partial,
        standing: Standing::Incomplete,
    };
    o.standing = if !o.failed.is_empty() {
        Standing::NotConformant
    } else if !o.errored.is_empty() || !o.manual.is_empty() || o.partial.is_some() {
        Standing::Incomplete
    } else if !o.vendor_attested.is_empty() {
        Standing::ConformantAttested
    } else {
        Standing::ConformantValidated
    };
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::{Domain, Provenance, RequirementId};

    fn rv(
        id: &str,
        level: Level,
        verdict: Verdict,
        signoff: Option<SignoffKind>,
    ) -> RequirementVerdict {
        RequirementVerdict {
            id: RequirementId(id.into()),
            title: String::new(),
            text: String::new(),
            domain: Domain::Security,
            level,
            provenance: Provenance::Inferred,
            verdict,
            checks: Vec::new(),
            reason: None,
            signoff,
        }
    }

    const M: Level = Level::Mandatory;
    const R: Level = Level::Recommended;

    #[test]
    fn a_failed_mandatory_requirement_is_not_conformant_even_beside_errors() {
        let o = overall(
            &[
                rv("SEC-05", M, Verdict::Fail, None),
                rv("SEC-06", M, Verdict::Error, None),
            ],
            None,
        );
        assert_eq!(o.standing, Standing::NotConformant);
        assert_eq!(o.failed, [RequirementId("SEC-05".into())]);
        assert_eq!(o.errored, [RequirementId("SEC-06".into())]);
    }

    #[test]
    fn errors_manual_items_and_partial_runs_are_incomplete() {
        for v in [Verdict::Error, Verdict::Manual] {
            assert_eq!(
                overall(&[rv("SEC-14", M, v, None)], None).standing,
                Standing::Incomplete
            );
        }
        let whole = [rv("SEC-01", M, Verdict::Pass, None)];
        assert_eq!(
            overall(&whole, None).standing,
            Standing::ConformantValidated
        );
        assert_eq!(
            overall(&whole, Some("only --domain security".into())).standing,
            Standing::Incomplete
        );
    }

    #[test]
    fn recommended_requirements_do_not_decide_the_standing() {
        let o = overall(
            &[
                rv("SEC-01", M, Verdict::Pass, None),
                rv("SEC-09", R, Verdict::Fail, None),
                rv("SEC-13", R, Verdict::Manual, None),
            ],
            None,
        );
        assert_eq!(o.standing, Standing::ConformantValidated);
        assert!(o.failed.is_empty() && o.manual.is_empty());
    }

    #[test]
    fn a_vendor_attestation_gives_attested_and_a_review_gives_validated() {
        let base = [
            rv("SEC-01", M, Verdict::Pass, None),
            rv("FUN-08", R, Verdict::Waived, None),
            rv("SEC-03", M, Verdict::Waived, None),
            rv("FUN-05", M, Verdict::NotApplicable, None),
        ];
        let with = |signoff| {
            let mut v = base.to_vec();
            v.push(rv("SEC-14", M, Verdict::Attested, Some(signoff)));
            overall(&v, None)
        };
        let vendor = with(SignoffKind::Vendor);
        assert_eq!(vendor.standing, Standing::ConformantAttested);
        assert_eq!(vendor.vendor_attested, [RequirementId("SEC-14".into())]);
        assert_eq!(
            vendor.waived.len(),
            2,
            "waivers are listed whatever their level"
        );
        let review = with(SignoffKind::Review);
        assert_eq!(review.standing, Standing::ConformantValidated);
        assert_eq!(review.reviewed, [RequirementId("SEC-14".into())]);
    }
}
