//! Cross-checks between inputs: requirement IDs, operations, actors, `needs`, templates,
//! regexes and JSONPaths. Every problem is collected; none stops the others.

mod cross;
mod suite;
mod target;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::contract::GLOBALS;
use super::diag::{Diagnostic, Diagnostics, SourceFile, suggest};
use super::located::Located;
use super::template;
use super::yaml::Loc;

pub use cross::{requirement_refs, suites_against_target};
pub use suite::suites;
pub use target::target;

/// Diagnostics sink bound to one file.
pub(super) struct Sink<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) diags: &'a mut Diagnostics,
}

impl Sink<'_> {
    pub(super) fn error(&mut self, loc: Loc, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(self.file, loc, msg));
        self.diags.0.last_mut().expect("just pushed")
    }
    pub(super) fn unknown<'c>(
        &mut self,
        what: &str,
        name: &Located<String>,
        candidates: impl IntoIterator<Item = &'c str>,
    ) {
        self.diags
            .push(Diagnostic::unknown(self.file, what, name, candidates));
    }
}

/// Checks a JSONPath parses (templates inside filters are checked after rendering).
pub(super) fn check_jsonpath(sink: &mut Sink, loc: Loc, path: &str) {
    if template::is_template(path) {
        return;
    }
    if let Err(e) = serde_json_path::JsonPath::parse(path) {
        sink.error(loc, format!("invalid JSONPath `{path}`: {e}"));
    }
}

/// Reports template variables that are not defined at that point.
pub(super) fn check_vars(
    sink: &mut Sink,
    loc: Loc,
    used: Result<BTreeSet<String>, template::TemplateError>,
    known: &HashSet<String>,
) {
    match used {
        Err(e) => {
            sink.error(loc, e.0);
        }
        Ok(used) => {
            for v in used {
                if !known.contains(&v) && !GLOBALS.contains(&v.as_str()) {
                    let d = sink.error(loc, format!("undefined variable `{v}`"));
                    if let Some(s) = suggest(
                        &v,
                        known
                            .iter()
                            .map(String::as_str)
                            .chain(GLOBALS.iter().copied()),
                    ) {
                        d.hint = Some(format!("did you mean `{s}`?"));
                    }
                }
            }
        }
    }
}
