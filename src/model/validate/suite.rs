//! Suites against the catalogue: unique IDs, known requirements, `needs` (existing, acyclic),
//! operations and their inputs and outputs, probes, templates, regexes and JSONPaths.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{ActorAttributes, Sink, check_template, check_value};
use crate::model::contract::{self, ContractOp};
use crate::model::diag::{Diagnostic, Diagnostics};
use crate::model::located::Located;
use crate::model::standard::Catalogue;
use crate::model::suite::{Check, Step, StepKind, ValueExpect};
use crate::model::template;

/// Validates suites against the catalogue: IDs, requirements, needs, operations, templates;
/// with the target's actor attributes, also the attributes templates ask of actors.
pub fn suites(
    catalogue: &Catalogue,
    checks: &[Arc<Check>],
    actors: Option<&ActorAttributes>,
    diags: &mut Diagnostics,
) {
    let mut ids: HashMap<&str, &Check> = HashMap::new();
    for c in checks {
        let file = c.source.as_ref().expect("loaded checks carry their source");
        let mut sink = Sink {
            file,
            diags,
            actors: None,
        };
        if let Some(prev) = ids.insert(c.id.as_str(), c) {
            let at = prev.source.as_ref().map_or(String::new(), |s| {
                format!(" (first at {}:{})", s.path.display(), prev.id.loc.line)
            });
            sink.error(c.id.loc, format!("check id `{}` is used twice{at}", c.id));
        }
        if let Some(why) = &c.rationale
            && (why.value.trim().is_empty() || why.value.contains('\n'))
        {
            sink.error(
                why.loc,
                "`rationale` is one sentence on one line, saying why the requirement matters",
            );
        }
        for r in &c.requirements {
            if catalogue.get(r).is_none() {
                sink.unknown(
                    "requirement",
                    r,
                    catalogue.requirements.iter().map(|r| r.id.as_str()),
                );
            }
        }
    }
    for c in checks {
        let file = c.source.as_ref().expect("loaded checks carry their source");
        let mut sink = Sink {
            file,
            diags,
            actors: None,
        };
        for n in &c.needs {
            if !ids.contains_key(n.as_str()) {
                sink.unknown("check in `needs`", n, ids.keys().copied());
            }
        }
    }
    needs_cycles(checks, &ids, diags);
    for c in checks {
        let file = c.source.as_ref().expect("loaded checks carry their source");
        let mut known = HashSet::new();
        let mut visited = HashSet::new();
        prerequisite_names(c, &ids, &mut known, &mut visited);
        let mut sink = Sink {
            file,
            diags,
            actors,
        };
        for (name, value) in &c.vars {
            check_template(&mut sink, value.loc, value, &known);
            known.insert(name.clone());
        }
        for step in &c.steps {
            step_checks(&mut sink, step, &mut known);
        }
    }
}

/// Names a check makes available to the checks that need it: vars, outputs and saves.
fn defined_names(c: &Check, out: &mut HashSet<String>) {
    out.extend(c.vars.keys().cloned());
    for s in &c.steps {
        if let StepKind::Call { operation, .. } = &s.kind
            && let Some(op) = contract::operation(operation)
        {
            out.extend(op.output_names().map(str::to_string));
            out.insert("sent".to_string());
        }
        out.extend(s.save.keys().cloned());
    }
}

fn prerequisite_names<'a>(
    c: &'a Check,
    ids: &HashMap<&str, &'a Check>,
    out: &mut HashSet<String>,
    visited: &mut HashSet<&'a str>,
) {
    for n in &c.needs {
        if let Some(dep) = ids.get(n.as_str())
            && visited.insert(dep.id.as_str())
        {
            defined_names(dep, out);
            prerequisite_names(dep, ids, out, visited);
        }
    }
}

fn needs_cycles(checks: &[Arc<Check>], ids: &HashMap<&str, &Check>, diags: &mut Diagnostics) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit<'a>(
        c: &'a Check,
        ids: &HashMap<&str, &'a Check>,
        marks: &mut HashMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
        diags: &mut Diagnostics,
    ) {
        marks.insert(c.id.as_str(), Mark::Open);
        stack.push(c.id.as_str());
        for n in &c.needs {
            let Some(dep) = ids.get(n.as_str()) else {
                continue;
            };
            match marks.get(dep.id.as_str()) {
                Some(Mark::Open) => {
                    let start = stack
                        .iter()
                        .position(|s| *s == dep.id.as_str())
                        .unwrap_or(0);
                    let mut cycle: Vec<&str> = stack[start..].to_vec();
                    cycle.push(dep.id.as_str());
                    let file = c.source.as_ref().expect("loaded checks carry their source");
                    diags.push(
                        Diagnostic::new(
                            file,
                            n.loc,
                            format!("`needs` forms a cycle: {}", cycle.join(" → ")),
                        )
                        .hint("a check cannot depend on itself, directly or through others"),
                    );
                }
                Some(Mark::Done) => {}
                None => visit(dep, ids, marks, stack, diags),
            }
        }
        stack.pop();
        marks.insert(c.id.as_str(), Mark::Done);
    }
    let mut marks = HashMap::new();
    for c in checks {
        if !marks.contains_key(c.id.as_str()) {
            visit(c, ids, &mut marks, &mut Vec::new(), diags);
        }
    }
}

fn step_checks(sink: &mut Sink, step: &Located<Step>, known: &mut HashSet<String>) {
    let declared = serde_json::to_value(crate::model::target::Declared::default())
        .ok()
        .and_then(|v| v.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()))
        .unwrap_or_default();
    for name in step.when_declared.keys() {
        if !declared.iter().any(|d| d == name.as_str()) {
            sink.unknown("declared value", name, declared.iter().map(String::as_str));
        }
    }
    let op: Option<&ContractOp> = match &step.kind {
        StepKind::Call { operation, inputs } => {
            let op = contract::operation(operation);
            if op.is_none() {
                sink.unknown("operation", operation, contract::names());
            }
            for (k, v) in inputs {
                check_value(sink, v.loc, v, known);
                if let Some(op) = op
                    && !op.accepts(k)
                {
                    let name = Located {
                        value: k.clone(),
                        loc: v.loc,
                    };
                    sink.unknown(
                        &format!("input of `{}`", op.name),
                        &name,
                        op.required.iter().chain(op.optional).copied(),
                    );
                }
            }
            if let Some(op) = op {
                for r in op.required {
                    if !inputs.contains_key(*r) {
                        sink.error(operation.loc, format!("`{}` needs input `{r}`", op.name));
                    }
                }
            }
            op
        }
        StepKind::Probe { params, .. } => {
            for opname in params
                .operations()
                .into_iter()
                .chain(params.optional_operations())
            {
                if contract::operation(opname).is_none() {
                    sink.unknown("operation", opname, contract::names());
                }
            }
            for v in params.templates() {
                check_value(sink, v.loc, v, known);
            }
            None
        }
    };
    if let Some(expect) = &step.expect {
        for e in expect.headers.values() {
            value_expect_checks(sink, e, known);
        }
        for (path, e) in &expect.json {
            check_template(sink, path.loc, path.as_str(), known);
            value_expect_checks(sink, e, known);
        }
        for s in expect
            .body_contains
            .0
            .iter()
            .chain(&expect.body_not_contains.0)
        {
            check_template(sink, s.loc, s, known);
        }
        for (name, e) in &expect.outputs {
            let base = crate::model::suite::output_name(name);
            match op {
                Some(op) if op.output(base).is_none() => {
                    let located = Located {
                        value: base.to_string(),
                        loc: name.loc,
                    };
                    sink.unknown(
                        &format!("output of `{}`", op.name),
                        &located,
                        op.output_names(),
                    );
                }
                None if matches!(step.kind, StepKind::Probe { .. }) => {
                    sink.error(name.loc, "probe steps have no contract outputs");
                }
                _ => {}
            }
            value_expect_checks(sink, e, known);
        }
        if let Some(sent) = &expect.same_file {
            check_template(sink, sent.loc, sent, known);
            match op {
                Some(op)
                    if contract::SAME_FILE_OUTPUTS
                        .iter()
                        .any(|o| op.output(o).is_none()) =>
                {
                    sink.error(
                        sent.loc,
                        format!(
                            "`same_file` reads the outputs `sha256` and `size`, which `{}` does not have",
                            op.name
                        ),
                    );
                }
                None => {
                    sink.error(sent.loc, "`same_file` needs a call step");
                }
                _ => {}
            }
        }
    }
    if let Some(op) = op {
        known.extend(op.output_names().map(str::to_string));
        known.insert("sent".to_string());
        for (alias, output) in &step.save {
            if template::is_template(output) {
                check_template(sink, output.loc, output, known);
            } else if op.output(output).is_none() {
                sink.unknown(
                    &format!("output of `{}`", op.name),
                    output,
                    op.output_names(),
                );
            }
            known.insert(alias.clone());
        }
    }
}

fn value_expect_checks(sink: &mut Sink, e: &Located<ValueExpect>, known: &HashSet<String>) {
    match &e.value {
        ValueExpect::Equals(v) => check_value(sink, e.loc, v, known),
        ValueExpect::Contains(s) | ValueExpect::NotContains(s) => {
            check_template(sink, e.loc, s, known)
        }
        _ => {}
    }
}
