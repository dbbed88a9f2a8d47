//! Cross-checks between inputs: requirement IDs, operations, actors, `needs`, templates,
//! regexes and JSONPaths. Every problem is collected; none stops the others.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use super::contract::{self, ContractOp, GLOBALS};
use super::diag::{Diagnostic, Diagnostics, SourceFile, suggest};
use super::located::Located;
use super::standard::Catalogue;
use super::suite::{Check, Step, ValueExpect};
use super::target::{AuthKind, OutputSpec, TargetProfile};
use super::template;
use super::yaml::Loc;

/// Diagnostics sink bound to one file.
struct Sink<'a> {
    file: &'a Arc<SourceFile>,
    diags: &'a mut Diagnostics,
}

impl Sink<'_> {
    fn error(&mut self, loc: Loc, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(Diagnostic::new(self.file, loc, msg));
        self.diags.0.last_mut().expect("just pushed")
    }
    fn unknown<'c>(
        &mut self,
        what: &str,
        name: &Located<String>,
        candidates: impl IntoIterator<Item = &'c str>,
    ) {
        let cands: Vec<&str> = candidates.into_iter().collect();
        let d = self.error(name.loc, format!("unknown {what} `{}`", name.value));
        match suggest(&name.value, cands.iter().copied()) {
            Some(s) => d.hint = Some(format!("did you mean `{s}`?")),
            None if !cands.is_empty() && cands.len() <= 12 => {
                d.hint = Some(format!("expected one of: {}", cands.join(", ")))
            }
            None => {}
        }
    }
}

/// Checks a regex compiles.
fn check_regex(sink: &mut Sink, loc: Loc, re: &str) {
    if let Err(e) = regex::Regex::new(re) {
        let first = e
            .to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        sink.error(loc, format!("invalid regular expression `{re}`: {first}"));
    }
}

/// Checks a JSONPath parses (templates inside filters are checked after rendering).
fn check_jsonpath(sink: &mut Sink, loc: Loc, path: &str) {
    if template::is_template(path) {
        return;
    }
    if let Err(e) = serde_json_path::JsonPath::parse(path) {
        sink.error(loc, format!("invalid JSONPath `{path}`: {e}"));
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

/// Validates suites against the catalogue: IDs, requirements, needs, operations, templates.
pub fn suites(catalogue: &Catalogue, checks: &[Check], diags: &mut Diagnostics) {
    let mut ids: HashMap<&str, &Check> = HashMap::new();
    for c in checks {
        let file = c.source.as_ref().expect("loaded checks carry their source");
        let mut sink = Sink { file, diags };
        if let Some(prev) = ids.insert(c.id.as_str(), c) {
            let at = prev.source.as_ref().map_or(String::new(), |s| {
                format!(" (first at {}:{})", s.path.display(), prev.id.loc.line)
            });
            sink.error(c.id.loc, format!("check id `{}` is used twice{at}", c.id));
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
        let mut sink = Sink { file, diags };
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
        let mut sink = Sink { file, diags };
        for (name, value) in &c.vars {
            check_vars(&mut sink, value.loc, template::variables(value), &known);
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
        if let Some(op) = s.call.as_ref().and_then(|n| contract::operation(n)) {
            out.extend(op.outputs.iter().map(|o| o.to_string()));
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

fn needs_cycles(checks: &[Check], ids: &HashMap<&str, &Check>, diags: &mut Diagnostics) {
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
    let op: Option<&ContractOp> = match (&step.call, &step.probe) {
        (Some(_), Some(_)) | (None, None) => {
            sink.error(step.loc, "a step has exactly one of `call:` or `probe:`");
            None
        }
        (Some(call), None) => {
            let op = contract::operation(call);
            if op.is_none() {
                sink.unknown("operation", call, contract::names());
            }
            op
        }
        (None, Some(probe)) => {
            match contract::probe(probe) {
                None => sink.unknown("probe", probe, contract::PROBES.iter().map(|p| p.name)),
                Some(spec) => {
                    for (k, _) in &step.with {
                        if !spec.params.contains(&k.as_str()) {
                            let name = Located {
                                value: k.clone(),
                                loc: step.with[k].loc,
                            };
                            sink.unknown(
                                &format!("parameter of probe `{}`", spec.name),
                                &name,
                                spec.params.iter().copied(),
                            );
                        }
                    }
                    if let Some(opname) = step.with.get("operation").and_then(|v| v.value.as_str())
                        && contract::operation(opname).is_none()
                    {
                        let name = Located {
                            value: opname.to_string(),
                            loc: step.with["operation"].loc,
                        };
                        sink.unknown("operation", &name, contract::names());
                    }
                }
            }
            None
        }
    };
    for (k, v) in &step.with {
        check_vars(sink, v.loc, template::value_variables(v), known);
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
            if !step.with.contains_key(*r) {
                sink.error(
                    step.call.as_ref().map_or(step.loc, |c| c.loc),
                    format!("`{}` needs input `{r}`", op.name),
                );
            }
        }
    }
    if let Some(expect) = &step.expect {
        for (name, e) in &expect.headers {
            value_expect_checks(sink, e, known);
            let _ = name;
        }
        for (path, e) in &expect.json {
            check_jsonpath(sink, path.loc, path);
            value_expect_checks(sink, e, known);
        }
        for s in expect
            .body_contains
            .0
            .iter()
            .chain(&expect.body_not_contains.0)
        {
            check_vars(sink, s.loc, template::variables(s), known);
        }
        if let Some(re) = &expect.body_matches {
            check_regex(sink, re.loc, re);
        }
        for (name, e) in &expect.outputs {
            let base = crate::assert::output_name(name);
            match op {
                Some(op) if !op.outputs.contains(&base) => {
                    let located = Located {
                        value: base.to_string(),
                        loc: name.loc,
                    };
                    sink.unknown(
                        &format!("output of `{}`", op.name),
                        &located,
                        op.outputs.iter().copied(),
                    );
                }
                None if step.probe.is_some() => {
                    sink.error(name.loc, "probe steps have no contract outputs");
                }
                _ => {}
            }
            value_expect_checks(sink, e, known);
        }
    }
    if let Some(op) = op {
        known.extend(op.outputs.iter().map(|o| o.to_string()));
        known.insert("sent".to_string());
        for (alias, output) in &step.save {
            if template::is_template(output) {
                check_vars(sink, output.loc, template::variables(output), known);
            } else if !op.outputs.contains(&output.as_str()) {
                sink.unknown(
                    &format!("output of `{}`", op.name),
                    output,
                    op.outputs.iter().copied(),
                );
            }
            known.insert(alias.clone());
        }
    }
}

fn value_expect_checks(sink: &mut Sink, e: &Located<ValueExpect>, known: &HashSet<String>) {
    match &e.value {
        ValueExpect::Matches(re) => check_regex(sink, e.loc, re),
        ValueExpect::Equals(v) => check_vars(sink, e.loc, template::value_variables(v), known),
        ValueExpect::Contains(s) | ValueExpect::NotContains(s) => {
            check_vars(sink, e.loc, template::variables(s), known)
        }
        _ => {}
    }
}

/// Validates a target profile on its own: URLs, auth schemes, actors, operations, outputs.
pub fn target(profile: &TargetProfile, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
    let mut sink = Sink { file, diags };
    for u in std::iter::once(&profile.base_url).chain(profile.http_url.as_ref()) {
        match url::Url::parse(u) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {}
            Ok(parsed) => {
                sink.error(
                    u.loc,
                    format!(
                        "`{}` is not an http(s) URL with a host (scheme `{}`)",
                        u.value,
                        parsed.scheme()
                    ),
                );
            }
            Err(e) => {
                sink.error(u.loc, format!("invalid URL `{}`: {e}", u.value))
                    .hint = Some("write a full URL such as https://sm.example.org".into());
            }
        }
    }
    for (name, scheme) in &profile.auth {
        let needs = |field: &str, present: bool, sink: &mut Sink| {
            if !present {
                sink.error(
                    scheme.loc,
                    format!("auth scheme `{name}` ({:?}) needs `{field}`", scheme.kind),
                );
            }
        };
        match scheme.kind {
            AuthKind::Oauth2Password | AuthKind::Oauth2ClientCredentials => {
                needs("token_url", scheme.token_url.is_some(), &mut sink);
                needs("client_id", scheme.client_id.is_some(), &mut sink);
            }
            AuthKind::FormCookie => {
                needs("path", scheme.path.is_some(), &mut sink);
                needs(
                    "form or json",
                    scheme.form.is_some() || scheme.json.is_some(),
                    &mut sink,
                );
            }
            AuthKind::Bearer => {}
        }
        for spec in scheme.capture.values() {
            output_spec_checks(&mut sink, spec);
        }
        if let Some(csrf) = &scheme.csrf
            && let Some(p) = &csrf.from_json
        {
            check_jsonpath(&mut sink, p.loc, p);
        }
    }
    let actor_names: Vec<&str> = profile.actors.keys().map(|k| k.as_str()).collect();
    for (name, actor) in &profile.actors {
        if name.as_str() == "anonymous" {
            sink.error(name.loc, "`anonymous` is built in and cannot be defined");
        }
        match profile.auth.get(actor.auth.as_str()) {
            None => sink.unknown(
                "auth scheme",
                &actor.auth,
                profile.auth.keys().map(String::as_str),
            ),
            Some(scheme) => {
                let needs_password =
                    matches!(scheme.kind, AuthKind::Oauth2Password | AuthKind::FormCookie);
                if needs_password && (actor.username.is_none() || actor.password.is_none()) {
                    sink.error(
                        actor.loc,
                        format!(
                            "actor `{name}` logs in with `{}` and needs `username` and `password`",
                            actor.auth
                        ),
                    );
                }
                if scheme.kind == AuthKind::Bearer && actor.token.is_none() {
                    sink.error(
                        actor.loc,
                        format!("actor `{name}` uses a bearer scheme and needs `token`"),
                    );
                }
            }
        }
        for spec in actor.capture.values() {
            output_spec_checks(&mut sink, spec);
        }
    }
    for (name, op) in &profile.operations {
        let Some(contract_op) = contract::operation(name) else {
            sink.unknown("operation", name, contract::names());
            continue;
        };
        if let Some(a) = &op.actor
            && !actor_names.contains(&a.as_str())
        {
            sink.unknown("actor", a, actor_names.iter().copied());
        }
        let mut known: HashSet<String> = contract_op
            .required
            .iter()
            .chain(contract_op.optional)
            .map(|s| s.to_string())
            .collect();
        match &op.steps {
            Some(steps) => {
                if op.path.is_some() || op.method.is_some() {
                    sink.error(
                        op.loc,
                        format!(
                            "operation `{name}` has `steps:`; put method and path inside each step"
                        ),
                    );
                }
                for s in steps {
                    request_vars(
                        &mut sink,
                        s.path.loc,
                        &s.path,
                        &s.headers,
                        &s.query,
                        s.json.as_ref(),
                        s.form.as_ref(),
                        s.body.as_deref(),
                        &known,
                    );
                    if let Some(parts) = &s.multipart {
                        part_checks(&mut sink, s.loc, parts, contract_op, &known);
                    }
                    for (k, spec) in &s.capture {
                        output_spec_checks(&mut sink, spec);
                        known.insert(k.clone());
                    }
                }
            }
            None => match &op.path {
                None => {
                    sink.error(
                        op.loc,
                        format!("operation `{name}` needs a `path` (or `steps:`)"),
                    );
                }
                Some(path) => {
                    request_vars(
                        &mut sink,
                        path.loc,
                        path,
                        &op.headers,
                        &op.query,
                        op.json.as_ref(),
                        op.form.as_ref(),
                        op.body.as_deref(),
                        &known,
                    );
                    if let Some(parts) = &op.multipart {
                        part_checks(&mut sink, op.loc, parts, contract_op, &known);
                    }
                }
            },
        }
        for (out, spec) in &op.outputs {
            if !contract_op.outputs.contains(&out.as_str()) {
                sink.unknown(
                    &format!("output of `{name}`"),
                    out,
                    contract_op.outputs.iter().copied(),
                );
            }
            output_spec_checks(&mut sink, spec);
        }
        for required in contract_op.outputs {
            if !op.outputs.keys().any(|k| k.as_str() == *required) {
                sink.error(
                    name.loc,
                    format!("operation `{name}` does not map output `{required}`"),
                )
                .hint = Some(format!("add `outputs: {{ {required}: … }}`"));
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn request_vars(
    sink: &mut Sink,
    loc: Loc,
    path: &str,
    headers: &indexmap::IndexMap<String, String>,
    query: &indexmap::IndexMap<String, String>,
    json: Option<&serde_json::Value>,
    form: Option<&indexmap::IndexMap<String, String>>,
    body: Option<&str>,
    known: &HashSet<String>,
) {
    let mut texts: Vec<&str> = vec![path];
    texts.extend(headers.values().map(String::as_str));
    texts.extend(query.values().map(String::as_str));
    if let Some(f) = form {
        texts.extend(f.values().map(String::as_str));
    }
    texts.extend(body);
    for t in texts {
        check_vars(sink, loc, template::variables(t), known);
    }
    if let Some(j) = json {
        check_vars(sink, loc, template::value_variables(j), known);
    }
}

fn part_checks(
    sink: &mut Sink,
    loc: Loc,
    parts: &[super::target::Part],
    op: &ContractOp,
    known: &HashSet<String>,
) {
    for p in parts {
        match (&p.value, &p.file) {
            (Some(v), None) => check_vars(sink, loc, template::variables(v), known),
            (None, Some(f)) if op.accepts(f) => {}
            (None, Some(f)) => {
                sink.error(
                    loc,
                    format!(
                        "multipart part `{}` takes file input `{f}`, which `{}` does not have",
                        p.name, op.name
                    ),
                );
            }
            _ => {
                sink.error(
                    loc,
                    format!(
                        "multipart part `{}` needs exactly one of `value` or `file`",
                        p.name
                    ),
                );
            }
        }
    }
}

fn output_spec_checks(sink: &mut Sink, spec: &Located<OutputSpec>) {
    fn walk(sink: &mut Sink, loc: Loc, spec: &OutputSpec) {
        match spec {
            OutputSpec::Json(p) => check_jsonpath(sink, loc, p),
            OutputSpec::Regex(r) => check_regex(sink, loc, r),
            OutputSpec::List { items, item } => {
                check_jsonpath(sink, loc, items);
                for s in item.values() {
                    walk(sink, loc, s);
                }
            }
            _ => {}
        }
    }
    walk(sink, spec.loc, spec);
}

/// Cross-checks suites with a target: actors named by steps, operations the suites call.
pub fn suites_against_target(
    checks: &[Check],
    profile: &TargetProfile,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) {
    let actor_names: Vec<&str> = profile.actors.keys().map(|k| k.as_str()).collect();
    let na: HashSet<&str> = profile.not_applicable.keys().map(|k| k.as_str()).collect();
    let mut missing_ops: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for c in checks {
        let check_na = c.requirements.iter().all(|r| na.contains(r.as_str()));
        let suite_file = c.source.as_ref().expect("loaded checks carry their source");
        let mut sink = Sink {
            file: suite_file,
            diags,
        };
        for step in &c.steps {
            if let Some(a) = &step.actor
                && a.as_str() != "anonymous"
                && !actor_names.contains(&a.as_str())
            {
                let d_loc = a.loc;
                sink.unknown("actor", a, actor_names.iter().copied().chain(["anonymous"]));
                let _ = d_loc;
            }
            for (k, v) in &step.with {
                let is_actor_input = step
                    .call
                    .as_ref()
                    .and_then(|c| contract::operation(c))
                    .is_some_and(|op| op.actor_inputs.contains(&k.as_str()));
                if let (true, Some(name)) = (is_actor_input, v.as_str())
                    && !template::is_template(name)
                    && !actor_names.contains(&name)
                {
                    sink.unknown(
                        "actor",
                        &Located {
                            value: name.to_string(),
                            loc: v.loc,
                        },
                        actor_names.iter().copied(),
                    );
                }
            }
            let op_name = step
                .call
                .as_ref()
                .map(|c| c.as_str())
                .or_else(|| step.with.get("operation").and_then(|v| v.as_str()));
            if let Some(op) = op_name {
                let mapped = profile.operations.keys().any(|k| k.as_str() == op);
                if !mapped && !check_na && contract::operation(op).is_some() {
                    missing_ops
                        .entry(contract::operation(op).map_or("", |o| o.name))
                        .or_default()
                        .push(c.id.as_str());
                }
            }
        }
    }
    for (op, users) in missing_ops {
        let mut users = users;
        users.dedup();
        diags.push(
            Diagnostic::new(file, profile.base_url.loc, format!("the profile does not map operation `{op}`, which checks {} call", users.join(", ")))
                .hint("map it under `operations:`, or declare the requirements of those checks under `not_applicable:` with a reason"),
        );
    }
}

/// Cross-checks `not_applicable` keys and attestation requirements against the catalogue.
pub fn requirement_refs<'a>(
    catalogue: &Catalogue,
    refs: impl IntoIterator<Item = &'a Located<String>>,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) {
    let mut sink = Sink { file, diags };
    for r in refs {
        if catalogue.get(r).is_none() {
            sink.unknown(
                "requirement",
                r,
                catalogue.requirements.iter().map(|q| q.id.as_str()),
            );
        }
    }
}
