//! Accessibility (ACC-2.1.10): WCAG 2.0 Level AA per success criterion. [`audit`] fetches and
//! audits every page once; [`wcag`] judges one criterion on them through [`judge`]. [`page`] is
//! a page as the rules see it, [`dom`] the page indexed for the rules, [`rule`] what a rule is
//! and reports, [`rules`] the static rule engine, [`contrast`] its colour-contrast rule and
//! cascade, [`accname`] the accessible names they check, [`browser`] the rendered engine
//! (axe-core in headless Chromium), [`issue`] what a rule says about an element, [`criteria`]
//! the success criteria and how far rules decide each.

pub mod accname;
pub mod audit;
pub mod browser;
pub mod contrast;
pub mod criteria;
pub mod dom;
pub mod issue;
pub mod judge;
pub mod page;
pub mod rule;
pub mod rules;
pub mod wcag;
