//! Cross-checks between inputs: requirement IDs, operations, actors, `needs`, templates,
//! regexes and JSONPaths. Every problem is collected; none stops the others.

mod actors;
pub mod attest;
mod cross;
mod suite;
mod target;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::Value;

use super::contract::GLOBALS;
use super::diag::{Diagnostic, Diagnostics, SourceFile, suggest};
use super::located::Located;
use super::pattern::PathExpr;
use super::template;
use super::yaml::Loc;

pub use actors::ActorAttributes;
pub use cross::{requirement_refs, suites_against_target};
pub use suite::suites;
pub use target::target;

/// Diagnostics sink bound to one file.
pub(super) struct Sink<'a> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) diags: &'a mut Diagnostics,
    /// The attributes of the target's actors, when a target profile is loaded: templates that
    /// ask an actor for an attribute are checked against them.
    pub(super) actors: Option<&'a ActorAttributes>,
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
        if self.diags.is_full() {
            // Never printed: the name alone, without the search for a near one.
            self.error(name.loc, format!("unknown {what} `{}`", name.value));
            return;
        }
        self.diags
            .push(Diagnostic::unknown(self.file, what, name, candidates));
    }
}

/// Checks a JSONPath parses (a templated one with placeholder values).
pub(super) fn check_jsonpath(sink: &mut Sink, loc: Loc, path: &str) {
    if let Err(e) = PathExpr::new(path) {
        sink.error(loc, e);
    }
}

/// Checks one template written at `loc`: its syntax, that every variable it uses is defined at
/// that point, and the actor attributes it asks for.
pub(super) fn check_template(sink: &mut Sink, loc: Loc, text: &str, known: &HashSet<String>) {
    check_vars(sink, loc, template::variables(text), known);
    if let Some(attrs) = sink.actors {
        actors::check(sink, loc, text, attrs);
    }
}

/// [`check_template`] for every string inside a JSON value written at `loc`.
pub(super) fn check_value(sink: &mut Sink, loc: Loc, v: &Value, known: &HashSet<String>) {
    check_vars(sink, loc, template::value_variables(v), known);
    if let Some(attrs) = sink.actors {
        for text in strings(v) {
            actors::check(sink, loc, text, attrs);
        }
    }
}

/// Every string inside a JSON value.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(strings).collect(),
        Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// Reports template variables that are not defined at that point.
fn check_vars(
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
                    if sink.diags.is_full() {
                        sink.error(loc, format!("undefined variable `{v}`"));
                        continue;
                    }
                    let at = name_in_template(&sink.file.text, loc, &v);
                    let d = sink.error(at, format!("undefined variable `{v}`"));
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

/// Where `name` is first written inside a `{{ … }}` or `{% … %}` of the token at `loc`, so a
/// caret can point at it; `loc` itself when it is not found on the token's first line (a block
/// scalar, an escape sequence).
pub(super) fn name_in_template(text: &str, loc: Loc, name: &str) -> Loc {
    let Some(line) = (loc.line as usize)
        .checked_sub(1)
        .and_then(|i| text.lines().nth(i))
    else {
        return loc;
    };
    let col = (loc.column as usize).saturating_sub(1);
    let Some(start) = line.char_indices().nth(col).map(|(i, _)| i) else {
        return loc;
    };
    let token = line[start..]
        .get(..loc.len as usize)
        .filter(|_| loc.len > 0)
        .unwrap_or(&line[start..]);
    match find_in_expressions(token, name) {
        Some(i) => Loc {
            line: loc.line,
            column: loc.column + token[..i].chars().count() as u32,
            len: name.len() as u32,
        },
        None => loc,
    }
}

/// The byte offset of `name` as a whole word inside the first template expression or
/// statement of `text` that holds it.
fn find_in_expressions(text: &str, name: &str) -> Option<usize> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    expressions(text).into_iter().find_map(|(at, inner)| {
        inner.match_indices(name).find_map(|(i, _)| {
            let before = inner[..i].chars().next_back();
            let after = inner[i + name.len()..].chars().next();
            (!before.is_some_and(word) && !after.is_some_and(word)).then_some(at + i)
        })
    })
}

/// The inside of every `{{ … }}` and `{% … %}` of a template, each with its byte offset (an
/// unclosed one runs to the end).
pub(super) fn expressions(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let close = match text[open..].get(..2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            _ => {
                from = open + 1;
                continue;
            }
        };
        let inner = open + 2;
        let end = text[inner..].find(close).map_or(text.len(), |i| inner + i);
        out.push((inner, &text[inner..end]));
        from = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_inside_the_template_of_its_token() {
        // `ë` is two bytes and one column: positions count characters.
        let text = "a:\n  x: { name: \"Zoë\", t: \"subjet {{ subjet }} {{subjets}}\" }\n";
        let root = crate::model::yaml::parse(text).expect("parses");
        let token = root
            .get("a")
            .and_then(|a| a.get("x"))
            .and_then(|x| x.get("t"))
            .expect("the node")
            .loc;
        assert_eq!((token.line, token.column), (2, 24), "the quoted scalar");
        let at = name_in_template(text, token, "subjet");
        assert_eq!((at.line, at.column, at.len), (2, 35, 6));
        let at = name_in_template(text, token, "subjets");
        assert_eq!((at.line, at.column), (2, 47));
        assert_eq!(name_in_template(text, token, "nowhere"), token);
        let beyond = Loc {
            line: 9,
            column: 1,
            len: 1,
        };
        assert_eq!(name_in_template(text, beyond, "subjet"), beyond);
    }
}
