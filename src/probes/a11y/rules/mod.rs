//! The static rules: each reads a parsed [`Page`], counts the elements it applies to and
//! reports the ones that fail it or that it cannot decide. [`RULES`] is the one list of them.
//! Rule ids are axe-core's where axe has the same rule, so the static and the rendered results
//! line up.

use serde::Serialize;

use super::issue::{Issue, IssueKind, selector, snippet};
use super::page::Page;

/// One static rule.
#[derive(Debug)]
pub struct Rule {
    /// `image-alt`.
    pub id: &'static str,
    /// The WCAG 2.0 criteria it decides or helps decide (`1.1.1`); AAA ones are kept but not
    /// reported.
    pub criteria: &'static [&'static str],
    /// What the rule asks, in one line, for findings.
    pub help: &'static str,
    /// Runs the rule on a page.
    pub run: fn(&Page, &mut RuleRun),
}

/// What one rule found on one page.
#[derive(Debug, Default, Clone)]
pub struct RuleRun {
    /// Elements (or, for page-wide rules, pages) the rule applied to.
    pub checked: usize,
    /// The elements that fail it or that it cannot decide.
    pub issues: Vec<Issue>,
}

impl RuleRun {
    /// `el` fails the rule, because `message`.
    pub fn fail(&mut self, el: scraper::ElementRef<'_>, message: impl Into<String>) {
        self.issue(IssueKind::Fail, el, message);
    }

    /// The rule cannot decide `el`, because `message`: a reviewer (or the browser) must.
    pub fn undecided(&mut self, el: scraper::ElementRef<'_>, message: impl Into<String>) {
        self.issue(IssueKind::Undecided, el, message);
    }

    fn issue(&mut self, kind: IssueKind, el: scraper::ElementRef<'_>, message: impl Into<String>) {
        self.issues.push(Issue {
            kind,
            selector: selector(el),
            snippet: snippet(el),
            message: message.into(),
        });
    }
}

/// Which engine ran a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// The static rules, on the markup and stylesheets as fetched.
    Static,
    /// axe-core, in a real browser, on the rendered page.
    Browser,
}

/// One rule's run on one page, by either engine.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOutcome {
    pub engine: Engine,
    /// The rule's id (`image-alt`).
    pub rule: String,
    /// The WCAG 2.0 criteria it maps onto (`1.1.1`).
    pub criteria: Vec<String>,
    /// What the rule asks, in one line.
    pub help: String,
    /// Elements (or pages) it applied to.
    pub checked: usize,
    /// The elements that fail it or that it could not decide.
    pub issues: Vec<Issue>,
}

/// Every static rule.
pub static RULES: &[Rule] = &[super::contrast::COLOR_CONTRAST];

/// Runs every rule on `page`.
pub fn evaluate(page: &Page) -> Vec<RuleOutcome> {
    RULES
        .iter()
        .map(|rule| {
            let mut run = RuleRun::default();
            (rule.run)(page, &mut run);
            RuleOutcome {
                engine: Engine::Static,
                rule: rule.id.to_string(),
                criteria: rule.criteria.iter().map(|c| c.to_string()).collect(),
                help: rule.help.to_string(),
                checked: run.checked,
                issues: run.issues,
            }
        })
        .collect()
}
