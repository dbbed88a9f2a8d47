//! Which contract operations the profile maps, and the checks that do not run for lack of a
//! mapping.

use std::sync::Arc;

use super::report::Line;
use crate::model::contract::OPERATIONS;
use crate::model::resolve::ResolvedTarget;
use crate::model::suite::{Check, Unmapped};

/// The `operations` line: mapped N of M, what is missing, and which checks that leaves to a
/// reviewer (`unmapped: manual`) or to the profile's `not_applicable`.
pub fn operations(target: &ResolvedTarget, checks: &[Arc<Check>]) -> Line {
    let mapped = |op: &str| target.operations.contains_key(op);
    let missing: Vec<&str> = OPERATIONS
        .iter()
        .map(|o| o.name)
        .filter(|o| !mapped(o))
        .collect();
    let count = OPERATIONS.len() - missing.len();
    let text = if missing.is_empty() {
        format!("mapped {count} of {} contract operations", OPERATIONS.len())
    } else {
        format!(
            "mapped {count} of {}; missing: {}",
            OPERATIONS.len(),
            missing.join(", ")
        )
    };
    let mut manual = Vec::new();
    let mut not_applicable = Vec::new();
    for c in checks {
        if c.unmapped_operations(mapped).is_empty() {
            continue;
        }
        let reqs: Vec<&str> = c.requirements.iter().map(|r| r.as_str()).collect();
        let shown = format!("{} ({})", c.id.as_str(), reqs.join(", "));
        if c.unmapped == Unmapped::Manual {
            manual.push(shown);
        } else {
            not_applicable.push(shown);
        }
    }
    let mut line = Line::ok("operations", text);
    if !manual.is_empty() {
        line = line.detail(format!(
            "manual for lack of a mapping: {}",
            manual.join(", ")
        ));
    }
    if !not_applicable.is_empty() {
        line = line.detail(format!(
            "not applicable (declared in not_applicable): {}",
            not_applicable.join(", ")
        ));
    }
    line
}
