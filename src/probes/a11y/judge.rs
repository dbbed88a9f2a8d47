//! One WCAG criterion judged on every audited page, in the terms of a conformance report
//! (VPAT/ACR): supports, partially supports, does not support, not evaluated, not applicable.
//! A page supports a criterion only when rules decide it, every rule mapped onto it applied
//! there and none found a failure or an element it could not decide; anything less is left to a
//! reviewer, never passed.

use serde::Serialize;

use super::audit::PageAudit;
use super::criteria::{Coverage, Criterion};
use super::issue::{Issue, IssueKind};
use super::rules::Engine;

/// A conformance level of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conformance {
    /// Every page meets it, as far as rules that decide it can tell.
    Supports,
    /// Some pages meet it, some do not.
    PartiallySupports,
    /// No page that was evaluated meets it.
    DoesNotSupport,
    /// Not decided by automation: a reviewer's.
    NotEvaluated,
    /// Nothing on any page it could apply to (no images for 1.1.1, no form for 3.3.2).
    NotApplicable,
}

impl Conformance {
    /// The words of a conformance report.
    pub fn label(self) -> &'static str {
        match self {
            Conformance::Supports => "Supports",
            Conformance::PartiallySupports => "Partially Supports",
            Conformance::DoesNotSupport => "Does Not Support",
            Conformance::NotEvaluated => "Not Evaluated",
            Conformance::NotApplicable => "Not Applicable",
        }
    }
}

/// An element that fails the criterion (or that its rules could not decide), with the rule.
#[derive(Clone, Debug, Serialize)]
pub struct Offender {
    pub rule: String,
    pub engine: Engine,
    pub help: String,
    #[serde(flatten)]
    pub issue: Issue,
}

/// The criterion on one page.
#[derive(Clone, Debug, Serialize)]
pub struct PageJudgement {
    pub page: String,
    pub url: String,
    pub fetched: String,
    pub conformance: Conformance,
    /// Why, in a sentence: what was checked and found, or what a reviewer must do.
    pub remark: String,
    /// The rules that ran for it, with the number of elements each applied to.
    pub rules: Vec<(String, usize)>,
    pub fails: Vec<Offender>,
    pub undecided: Vec<Offender>,
    /// Issues past what a rule lists: found, their kind not known here.
    pub omitted: usize,
}

/// The criterion on every page.
#[derive(Clone, Debug, Serialize)]
pub struct Judgement {
    pub criterion: &'static str,
    pub name: &'static str,
    pub level: super::criteria::WcagLevel,
    pub conformance: Conformance,
    pub pages: Vec<PageJudgement>,
}

/// Judges `criterion` on each page of the audit.
pub fn judge(criterion: &'static Criterion, pages: &[PageAudit]) -> Judgement {
    let judged: Vec<PageJudgement> = pages.iter().map(|p| on_page(criterion, p)).collect();
    let count = |c: Conformance| judged.iter().filter(|j| j.conformance == c).count();
    let fails = count(Conformance::DoesNotSupport);
    let conformance = if fails > 0 {
        let met = count(Conformance::Supports) + count(Conformance::NotApplicable);
        if met > 0 {
            Conformance::PartiallySupports
        } else {
            Conformance::DoesNotSupport
        }
    } else if count(Conformance::NotEvaluated) > 0 {
        Conformance::NotEvaluated
    } else if count(Conformance::Supports) > 0 {
        Conformance::Supports
    } else {
        Conformance::NotApplicable
    };
    Judgement {
        criterion: criterion.id,
        name: criterion.name,
        level: criterion.level,
        conformance,
        pages: judged,
    }
}

fn on_page(criterion: &'static Criterion, page: &PageAudit) -> PageJudgement {
    let mut j = PageJudgement {
        page: page.page.clone(),
        url: page.url.clone(),
        fetched: page.fetched.clone(),
        conformance: Conformance::NotEvaluated,
        remark: String::new(),
        rules: Vec::new(),
        fails: Vec::new(),
        undecided: Vec::new(),
        omitted: 0,
    };
    if let Some(why) = &page.unaudited {
        j.remark = format!("not audited: {why}");
        return j;
    }
    let outcomes: Vec<_> = page.for_criterion(criterion.id).collect();
    // Where the browser ran a rule on this page, its rendered verdict settles what the static
    // rule of the same id could not decide.
    let rendered = |rule: &str| {
        outcomes
            .iter()
            .any(|o| o.engine == Engine::Browser && o.rule == rule && o.checked > 0)
    };
    for o in &outcomes {
        j.rules.push((rule_label(o.engine, &o.rule), o.checked));
        for i in &o.issues {
            let offender = Offender {
                rule: o.rule.clone(),
                engine: o.engine,
                help: o.help.clone(),
                issue: i.clone(),
            };
            match i.kind {
                IssueKind::Fail => j.fails.push(offender),
                IssueKind::Undecided if o.engine == Engine::Static && rendered(&o.rule) => {}
                IssueKind::Undecided => j.undecided.push(offender),
            }
        }
    }
    let checked: usize = outcomes.iter().map(|o| o.checked).sum();
    j.omitted = outcomes.iter().map(|o| o.omitted).sum();
    let ran = outcomes
        .iter()
        .map(|o| o.rule.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(", ");
    (j.conformance, j.remark) = if !j.fails.is_empty() {
        (
            Conformance::DoesNotSupport,
            format!(
                "{} element{} fail{} ({ran})",
                j.fails.len(),
                plural(j.fails.len()),
                if j.fails.len() == 1 { "s" } else { "" }
            ),
        )
    } else if page.truncated {
        (
            Conformance::NotEvaluated,
            format!(
                "no failure found in what was read of the page (its first {} MiB, its nesting flattened past 512 levels); a reviewer confirms the rest",
                super::page::MAX_PAGE_MIB
            ),
        )
    } else if criterion.coverage == Coverage::Reviewer || outcomes.is_empty() {
        (
            Conformance::NotEvaluated,
            format!(
                "no automated rule decides it; a reviewer confirms {}",
                criterion.remaining
            ),
        )
    } else if !j.undecided.is_empty() || j.omitted > 0 {
        // Issues a rule found past what it lists may be failures: never a pass.
        let n = j.undecided.len() + j.omitted;
        (
            Conformance::NotEvaluated,
            format!(
                "no failure found ({ran}), but {n} element{} could not be decided; a reviewer confirms them",
                plural(n)
            ),
        )
    } else if checked == 0 && criterion.coverage == Coverage::Rules {
        (
            Conformance::NotApplicable,
            format!("nothing on the page it applies to ({ran})"),
        )
    } else if checked == 0 {
        // Rules that found nothing to test say nothing of the rest of the criterion (no
        // `meta refresh` is not no time limit).
        (
            Conformance::NotEvaluated,
            format!(
                "nothing on the page for its rules ({ran}); a reviewer confirms {}",
                criterion.remaining
            ),
        )
    } else if criterion.coverage == Coverage::Partly {
        (
            Conformance::NotEvaluated,
            format!(
                "no failure found in {checked} element{} ({ran}); automated rules test only part of it: a reviewer confirms {}",
                plural(checked),
                criterion.remaining
            ),
        )
    } else {
        (
            Conformance::Supports,
            format!("no failure in {checked} element{} ({ran})", plural(checked)),
        )
    };
    j
}

fn rule_label(engine: Engine, rule: &str) -> String {
    match engine {
        Engine::Static => rule.to_string(),
        Engine::Browser => format!("{rule} (rendered)"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probes::a11y::criteria::criterion;
    use crate::probes::a11y::rules::RuleOutcome;

    fn outcome(
        engine: Engine,
        rule: &str,
        criteria: &[&str],
        checked: usize,
        issues: Vec<Issue>,
    ) -> RuleOutcome {
        RuleOutcome {
            engine,
            rule: rule.to_string(),
            criteria: criteria.iter().map(|c| c.to_string()).collect(),
            help: format!("{rule} help"),
            checked,
            issues,
            omitted: 0,
        }
    }

    fn issue(kind: IssueKind, selector: &str) -> Issue {
        Issue {
            kind,
            selector: selector.to_string(),
            snippet: format!("<p id=\"{selector}\">"),
            message: "why".to_string(),
        }
    }

    fn page(name: &str, outcomes: Vec<RuleOutcome>) -> PageAudit {
        PageAudit {
            page: name.to_string(),
            url: format!("https://vendor.test/{name}"),
            fetched: "anonymously".to_string(),
            unaudited: None,
            truncated: false,
            outcomes,
        }
    }

    fn c(id: &str) -> &'static Criterion {
        criterion(id).expect("a criterion")
    }

    #[test]
    fn a_criterion_rules_decide_is_supported_only_when_every_page_passes_with_something_checked() {
        let clean = page(
            "entry",
            vec![outcome(
                Engine::Static,
                "document-title",
                &["2.4.2"],
                1,
                vec![],
            )],
        );
        let j = judge(c("2.4.2"), std::slice::from_ref(&clean));
        assert_eq!(j.conformance, Conformance::Supports);
        let failing = page(
            "inbox",
            vec![outcome(
                Engine::Static,
                "document-title",
                &["2.4.2"],
                1,
                vec![issue(IssueKind::Fail, "t")],
            )],
        );
        let j = judge(c("2.4.2"), &[clean.clone(), failing.clone()]);
        assert_eq!(j.conformance, Conformance::PartiallySupports);
        assert_eq!(j.pages[1].fails.len(), 1);
        assert_eq!(
            judge(c("2.4.2"), &[failing]).conformance,
            Conformance::DoesNotSupport
        );
    }

    #[test]
    fn partly_decided_reviewer_and_undecided_criteria_are_never_supported() {
        let alt = page(
            "entry",
            vec![outcome(Engine::Static, "image-alt", &["1.1.1"], 3, vec![])],
        );
        let j = judge(c("1.1.1"), std::slice::from_ref(&alt));
        assert_eq!(
            j.conformance,
            Conformance::NotEvaluated,
            "1.1.1 is partly decided"
        );
        assert!(
            j.pages[0].remark.contains("a reviewer confirms"),
            "{}",
            j.pages[0].remark
        );
        assert_eq!(
            judge(c("2.1.1"), &[alt]).conformance,
            Conformance::NotEvaluated
        );
        let undecided = page(
            "entry",
            vec![outcome(
                Engine::Static,
                "color-contrast",
                &["1.4.3"],
                5,
                vec![issue(IssueKind::Undecided, "bg")],
            )],
        );
        assert_eq!(
            judge(c("1.4.3"), &[undecided]).conformance,
            Conformance::NotEvaluated
        );
    }

    #[test]
    fn the_rendered_run_of_a_rule_settles_what_the_static_one_left_undecided() {
        let p = page(
            "entry",
            vec![
                outcome(
                    Engine::Static,
                    "color-contrast",
                    &["1.4.3"],
                    5,
                    vec![issue(IssueKind::Undecided, "bg")],
                ),
                outcome(Engine::Browser, "color-contrast", &["1.4.3"], 5, vec![]),
            ],
        );
        assert_eq!(judge(c("1.4.3"), &[p]).conformance, Conformance::Supports);
    }

    #[test]
    fn nothing_to_check_is_not_applicable_and_an_unaudited_page_is_not_evaluated() {
        let none = page(
            "entry",
            vec![outcome(Engine::Static, "label", &["3.3.2"], 0, vec![])],
        );
        assert_eq!(
            judge(c("3.3.2"), std::slice::from_ref(&none)).conformance,
            Conformance::NotApplicable
        );
        let no_refresh = page(
            "entry",
            vec![outcome(
                Engine::Static,
                "meta-refresh",
                &["2.2.1"],
                0,
                vec![],
            )],
        );
        assert_eq!(
            judge(c("2.2.1"), &[no_refresh]).conformance,
            Conformance::NotEvaluated,
            "no `meta refresh` is not no time limit: a partly decided criterion is never n/a"
        );
        let mut gone = page("inbox", vec![]);
        gone.unaudited = Some("GET answered 500".into());
        assert_eq!(
            judge(c("3.3.2"), &[none, gone]).conformance,
            Conformance::NotEvaluated
        );
    }
}
