//! Running one rule on a snippet, for the rules' unit tests.

use super::{Rule, RuleRun};
use crate::probes::a11y::issue::IssueKind;
use crate::probes::a11y::page::Page;

/// `rule` run on `html`.
pub fn run(rule: &Rule, html: &str) -> RuleRun {
    let page = Page::parse(
        url::Url::parse("https://vendor.test/page").expect("url"),
        html.as_bytes(),
        Vec::new(),
    );
    let mut run = RuleRun::default();
    (rule.run)(&page, &mut run);
    run
}

fn of_kind(run: &RuleRun, kind: IssueKind) -> Vec<String> {
    run.issues
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.selector.clone())
        .collect()
}

/// The selectors of the elements that failed.
pub fn failed(run: &RuleRun) -> Vec<String> {
    of_kind(run, IssueKind::Fail)
}

/// The selectors of the elements left undecided.
pub fn undecided(run: &RuleRun) -> Vec<String> {
    of_kind(run, IssueKind::Undecided)
}
