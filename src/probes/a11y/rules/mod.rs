//! The static rules: each reads a parsed [`Page`], counts the elements it applies to and
//! reports the ones that fail it or that it cannot decide. [`RULES`] is the one list of them.
//! Rule ids are axe-core's where axe has the same rule, so the static and the rendered results
//! line up.

pub mod aria;
pub mod forms;
pub mod ids;
pub mod lang;
pub mod lists;
pub mod meta;
pub mod motion;
pub mod names;
pub mod navigation;
pub mod roles;
pub mod tables;
#[cfg(test)]
mod test_support;
pub mod text_alt;

use super::page::Page;
pub use super::rule::{Engine, MAX_ISSUES, Rule, RuleOutcome, RuleRun};

/// Every static rule.
pub static RULES: &[&Rule] = &[
    &text_alt::IMAGE_ALT,
    &text_alt::INPUT_IMAGE_ALT,
    &text_alt::AREA_ALT,
    &text_alt::SVG_IMG_ALT,
    &text_alt::OBJECT_ALT,
    &forms::LABEL,
    &tables::TD_HAS_HEADER,
    &tables::TD_HEADERS_ATTR,
    &tables::TH_HAS_DATA_CELLS,
    &lists::LIST,
    &lists::LISTITEM,
    &lists::DEFINITION_LIST,
    &lists::DLITEM,
    &meta::META_VIEWPORT,
    &meta::META_REFRESH,
    &motion::BLINK,
    &motion::MARQUEE,
    &navigation::BYPASS,
    &navigation::DOCUMENT_TITLE,
    &navigation::TABINDEX,
    &navigation::FRAME_TITLE,
    &names::LINK_NAME,
    &names::BUTTON_NAME,
    &lang::HTML_HAS_LANG,
    &lang::HTML_LANG_VALID,
    &lang::VALID_LANG,
    &ids::DUPLICATE_ID,
    &ids::DUPLICATE_ID_ARIA,
    &aria::ARIA_ROLES,
    &aria::ARIA_REQUIRED_ATTR,
    &aria::ARIA_ALLOWED_ATTR,
    &aria::ARIA_REQUIRED_CHILDREN,
    &aria::ARIA_REQUIRED_PARENT,
    &aria::ARIA_HIDDEN_FOCUS,
    &super::contrast::COLOR_CONTRAST,
];

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
                omitted: run.omitted,
            }
        })
        .collect()
}
