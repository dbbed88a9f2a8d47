//! What a rule is and what it reports, for both engines: a static [`Rule`] fills a [`RuleRun`]
//! on a page; every engine's result on a page is a [`RuleOutcome`].

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

/// The most issues one rule lists for one page; past it they are only counted, so that a page
/// of thousands of failing (or deeply nested) elements cannot make the findings huge.
pub const MAX_ISSUES: usize = 200;

/// What one rule found on one page.
#[derive(Debug, Default, Clone)]
pub struct RuleRun {
    /// Elements (or, for page-wide rules, pages) the rule applied to.
    pub checked: usize,
    /// The elements that fail it or that it cannot decide (at most [`MAX_ISSUES`]).
    pub issues: Vec<Issue>,
    /// Issues past [`MAX_ISSUES`]: found, not listed.
    pub omitted: usize,
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
        if self.issues.len() >= MAX_ISSUES {
            self.omitted += 1;
            return;
        }
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
    /// Issues found but not listed (past [`MAX_ISSUES`]).
    pub omitted: usize,
}
