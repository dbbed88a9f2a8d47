//! Accessibility (ACC-2.1.10): WCAG 2.0 Level AA per success criterion. [`page`] is a page as
//! the rules see it, [`rules`] the static rule engine, [`issue`] what a rule says about an
//! element, [`criteria`] the success criteria and how far rules decide each, [`browser`] the
//! rendered-browser engine (axe-core in headless Chromium).

pub mod browser;
pub mod criteria;
pub mod issue;
pub mod page;
pub mod rules;
