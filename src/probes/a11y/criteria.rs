//! The WCAG 2.0 Level A and AA success criteria, and how far automated rules decide each: the
//! one table the per-criterion checks, the rules' mappings and the conformance report share.

use serde::Serialize;

/// A WCAG 2.0 conformance level (AAA criteria are not reported: the standard asks for AA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum WcagLevel {
    A,
    AA,
}

impl std::fmt::Display for WcagLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WcagLevel::A => "A",
            WcagLevel::AA => "AA",
        })
    }
}

/// How far automated rules decide a criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// Its rules decide it: every rule passing on every page is a pass.
    Rules,
    /// Its rules find failures, but their passing does not prove it: a failure is a fail,
    /// otherwise a reviewer must confirm what [`Criterion::remaining`] says.
    Partly,
    /// No automated rule decides it: always a reviewer's.
    Reviewer,
}

/// One success criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Criterion {
    /// `1.1.1`.
    pub id: &'static str,
    /// `Non-text Content`.
    pub name: &'static str,
    pub level: WcagLevel,
    pub coverage: Coverage,
    /// What a reviewer must still confirm after the rules pass (for `Partly` and `Reviewer`).
    pub remaining: &'static str,
}

impl Criterion {
    /// `1.1.1 Non-text Content (A)`.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.id, self.name, self.level)
    }
}

const fn c(
    id: &'static str,
    name: &'static str,
    level: WcagLevel,
    coverage: Coverage,
    remaining: &'static str,
) -> Criterion {
    Criterion {
        id,
        name,
        level,
        coverage,
        remaining,
    }
}

use Coverage::{Partly, Reviewer, Rules};
use WcagLevel::{A, AA};

/// Every WCAG 2.0 Level A and AA success criterion, in the order of the recommendation.
pub const CRITERIA: &[Criterion] = &[
    c(
        "1.1.1",
        "Non-text Content",
        A,
        Partly,
        "that each text alternative serves the purpose of what it replaces, and that decorative images are the ones marked so",
    ),
    c(
        "1.2.1",
        "Audio-only and Video-only (Prerecorded)",
        A,
        Reviewer,
        "an alternative for every prerecorded audio-only and video-only item",
    ),
    c(
        "1.2.2",
        "Captions (Prerecorded)",
        A,
        Reviewer,
        "captions for prerecorded audio in synchronized media",
    ),
    c(
        "1.2.3",
        "Audio Description or Media Alternative (Prerecorded)",
        A,
        Reviewer,
        "an audio description or a media alternative for prerecorded video",
    ),
    c(
        "1.2.4",
        "Captions (Live)",
        AA,
        Reviewer,
        "captions for live audio in synchronized media",
    ),
    c(
        "1.2.5",
        "Audio Description (Prerecorded)",
        AA,
        Reviewer,
        "an audio description for prerecorded video",
    ),
    c(
        "1.3.1",
        "Info and Relationships",
        A,
        Partly,
        "that every structure shown visually (headings, groups, emphasis) is in the markup too",
    ),
    c(
        "1.3.2",
        "Meaningful Sequence",
        A,
        Reviewer,
        "that the reading order of the markup keeps the meaning",
    ),
    c(
        "1.3.3",
        "Sensory Characteristics",
        A,
        Reviewer,
        "that no instruction relies on shape, size, position or sound alone",
    ),
    c(
        "1.4.1",
        "Use of Color",
        A,
        Reviewer,
        "that colour is not the only way information is conveyed",
    ),
    c(
        "1.4.2",
        "Audio Control",
        A,
        Reviewer,
        "a way to pause or stop audio that plays by itself",
    ),
    c(
        "1.4.3",
        "Contrast (Minimum)",
        AA,
        Rules,
        "the contrast of text whose colours the rules could not decide, and of text in images",
    ),
    c(
        "1.4.4",
        "Resize text",
        AA,
        Partly,
        "that text resized to 200 percent loses no content or function",
    ),
    c(
        "1.4.5",
        "Images of Text",
        AA,
        Reviewer,
        "that text is not shown as an image where text would do",
    ),
    c(
        "2.1.1",
        "Keyboard",
        A,
        Reviewer,
        "that every function works from a keyboard",
    ),
    c(
        "2.1.2",
        "No Keyboard Trap",
        A,
        Reviewer,
        "that keyboard focus can always move away",
    ),
    c(
        "2.2.1",
        "Timing Adjustable",
        A,
        Partly,
        "that the session's time limit can be turned off, adjusted or extended before it ends",
    ),
    c(
        "2.2.2",
        "Pause, Stop, Hide",
        A,
        Partly,
        "that moving, blinking or updating content can be paused, stopped or hidden",
    ),
    c(
        "2.3.1",
        "Three Flashes or Below Threshold",
        A,
        Reviewer,
        "that nothing flashes more than three times a second",
    ),
    c(
        "2.4.1",
        "Bypass Blocks",
        A,
        Rules,
        "that the skip link or landmarks really lead past the repeated blocks",
    ),
    c(
        "2.4.2",
        "Page Titled",
        A,
        Rules,
        "that each title describes the page's topic or purpose",
    ),
    c(
        "2.4.3",
        "Focus Order",
        A,
        Partly,
        "that focus moves in an order that keeps the meaning",
    ),
    c(
        "2.4.4",
        "Link Purpose (In Context)",
        A,
        Partly,
        "that each link's purpose is clear from its text and context",
    ),
    c(
        "2.4.5",
        "Multiple Ways",
        AA,
        Reviewer,
        "more than one way to find each page",
    ),
    c(
        "2.4.6",
        "Headings and Labels",
        AA,
        Reviewer,
        "that headings and labels describe their topic or purpose",
    ),
    c(
        "2.4.7",
        "Focus Visible",
        AA,
        Reviewer,
        "a visible keyboard focus indicator",
    ),
    c(
        "3.1.1",
        "Language of Page",
        A,
        Rules,
        "that the declared language is the page's language",
    ),
    c(
        "3.1.2",
        "Language of Parts",
        AA,
        Partly,
        "that every passage in another language is marked with its language",
    ),
    c(
        "3.2.1",
        "On Focus",
        A,
        Reviewer,
        "that focusing a control changes no context",
    ),
    c(
        "3.2.2",
        "On Input",
        A,
        Reviewer,
        "that changing a setting changes no context unannounced",
    ),
    c(
        "3.2.3",
        "Consistent Navigation",
        AA,
        Reviewer,
        "that repeated navigation keeps its order from page to page",
    ),
    c(
        "3.2.4",
        "Consistent Identification",
        AA,
        Reviewer,
        "that components with the same function are identified the same way",
    ),
    c(
        "3.3.1",
        "Error Identification",
        A,
        Reviewer,
        "that input errors are identified and described in text",
    ),
    c(
        "3.3.2",
        "Labels or Instructions",
        A,
        Rules,
        "that labels and instructions are enough to fill the form in",
    ),
    c(
        "3.3.3",
        "Error Suggestion",
        AA,
        Reviewer,
        "that a correction is suggested when one is known",
    ),
    c(
        "3.3.4",
        "Error Prevention (Legal, Financial, Data)",
        AA,
        Reviewer,
        "that submissions can be reversed, checked or confirmed",
    ),
    c(
        "4.1.1",
        "Parsing",
        A,
        Rules,
        "markup errors the HTML parser repairs silently",
    ),
    c(
        "4.1.2",
        "Name, Role, Value",
        A,
        Partly,
        "that custom controls expose their states and changes to assistive technology",
    ),
];

/// The criterion `id` names (`1.4.3`), if it is a WCAG 2.0 A or AA criterion.
pub fn criterion(id: &str) -> Option<&'static Criterion> {
    CRITERIA.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_the_25_level_a_and_13_level_aa_criteria_once_each_in_order() {
        assert_eq!(CRITERIA.iter().filter(|c| c.level == A).count(), 25);
        assert_eq!(CRITERIA.iter().filter(|c| c.level == AA).count(), 13);
        let key = |id: &str| -> Vec<u32> { id.split('.').filter_map(|p| p.parse().ok()).collect() };
        assert!(
            CRITERIA.windows(2).all(|w| key(w[0].id) < key(w[1].id)),
            "in the recommendation's order, none twice"
        );
        assert_eq!(
            criterion("1.4.3").map(|c| c.label()).as_deref(),
            Some("1.4.3 Contrast (Minimum) (AA)")
        );
        assert_eq!(criterion("3.2.5"), None, "AAA is not reported");
    }
}
