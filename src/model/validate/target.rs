//! A target profile on its own: URLs, auth schemes, actors, operations and their outputs.

use std::collections::HashSet;
use std::sync::Arc;

use super::{ActorAttributes, Sink, check_jsonpath, check_template};
use crate::model::contract::{self, ContractOp};
use crate::model::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::model::located::Located;
use crate::model::output::{OutputSpec, Source, Transform};
use crate::model::output_type::OutputType;
use crate::model::paginate::{CursorTo, NextPage};
use crate::model::request::{RawBody, RequestSpec};
use crate::model::target::{AuthKind, AuthScheme, TargetProfile};
use crate::model::yaml::Loc;

/// Validates a target profile on its own: URLs, auth schemes, actors, operations, outputs.
pub fn target(profile: &TargetProfile, file: &Arc<SourceFile>, diags: &mut Diagnostics) {
    let attrs = ActorAttributes::of(profile);
    let mut sink = Sink {
        file,
        diags,
        actors: Some(&attrs),
    };
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
    let op_outcomes = profile.operations.values().map(|op| &op.outcomes);
    for (outcome, rules) in std::iter::once(&profile.outcomes)
        .chain(op_outcomes)
        .flatten()
    {
        for path in rules
            .iter()
            .filter_map(|r| r.json.as_ref())
            .map(|j| &j.path)
        {
            if crate::model::template::is_template(path.as_str()) {
                sink.error(
                    outcome.loc,
                    format!(
                        "`{}`: an outcome's JSONPath is read without variables, so `{path}` would never match",
                        outcome.value
                    ),
                )
                .hint = Some("write the JSONPath without `{{ … }}`".into());
            }
        }
    }
    for actor in profile.actors.values() {
        if let Err(errors) = actor.canaries.read() {
            for e in errors {
                sink.error(e.loc, e.message).hint = Some(e.hint.into());
            }
        }
    }
    for o in &profile.origins {
        match url::Url::parse(o) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() && u.path() == "/" => {}
            Ok(_) => {
                sink.error(o.loc, format!("`{}` is not an https:// origin", o.value))
                    .hint = Some(
                    "write scheme, host and port only (https://api.vendor.example); credentials never go over plain HTTP".into(),
                );
            }
            Err(e) => {
                sink.error(o.loc, format!("invalid URL `{}`: {e}", o.value));
            }
        }
    }
    for (name, scheme) in &profile.auth {
        let needs = |field: &str, present: bool, sink: &mut Sink| {
            if !present {
                sink.error(
                    scheme.loc,
                    format!("auth scheme `{name}` (`{}`) needs `{field}`", scheme.kind),
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
            AuthKind::Request => {
                needs("login", scheme.login.is_some(), &mut sink);
                request_scheme_checks(&mut sink, name, scheme);
            }
            AuthKind::Bearer | AuthKind::Basic => {}
        }
        for field in ignored_fields(scheme) {
            sink.error(
                scheme.loc,
                format!(
                    "auth scheme `{name}`: `{field}` has no effect with kind `{}`",
                    scheme.kind
                ),
            )
            .hint = Some(format!("remove `{field}`, or use a kind that reads it"));
        }
        if let Some(csrf) = &scheme.csrf
            && let Some(p) = &csrf.from_json
        {
            check_jsonpath(&mut sink, p.loc, p);
        }
    }
    let actor_names: Vec<&str> = profile.actors.keys().map(|k| k.as_str()).collect();
    let known_actors = || actor_names.iter().copied();
    for (name, page) in profile.pages.all() {
        if let Some(a) = &page.actor
            && !actor_names.contains(&a.as_str())
        {
            sink.unknown("actor", a, known_actors());
        }
        if !page.path.starts_with('/') && !page.path.starts_with("https://") {
            // A page written as a bare path is located by its entry.
            let loc = if page.path.loc.line == 0 {
                page.loc
            } else {
                page.path.loc
            };
            sink.error(
                loc,
                format!(
                    "page `{name}`: `{}` is neither a path (`/…`) nor an https:// URL",
                    page.path.value
                ),
            );
        }
        if let Some(fr) = &page.fr
            && !fr.starts_with('/')
            && !fr.starts_with("https://")
        {
            sink.error(
                fr.loc,
                format!(
                    "page `{name}`: its French version `{}` is neither a path (`/…`) nor an https:// URL",
                    fr.value
                ),
            );
        }
    }
    if let Some(a) = &profile.declared.lockout_actor
        && !actor_names.contains(&a.as_str())
    {
        sink.unknown("actor", a, known_actors());
    }
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
                let needs_password = match scheme.kind {
                    AuthKind::Oauth2Password | AuthKind::FormCookie | AuthKind::Basic => true,
                    AuthKind::Request => login_uses_credentials(scheme),
                    AuthKind::Bearer | AuthKind::Oauth2ClientCredentials => false,
                };
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
        let last = op.requests.len().saturating_sub(1);
        for (i, s) in op.requests.iter().enumerate() {
            if i == last
                && let Some(p) = &op.paginate
                && let NextPage::Cursor {
                    to: CursorTo::Variable(v),
                    ..
                } = &p.next
            {
                known.insert(v.clone());
            }
            request_vars(&mut sink, s, &known);
            if let Some(parts) = &s.multipart {
                part_checks(&mut sink, s.loc, parts, contract_op, &known);
            }
            if let Some(b) = &s.body
                && let RawBody::File(f) = &b.value
                && !contract_op.accepts(f)
            {
                sink.error(
                    b.loc,
                    format!(
                        "`body: {{ file: {f} }}` takes file input `{f}`, which `{}` does not have",
                        contract_op.name
                    ),
                );
            }
            known.extend(s.capture.keys().cloned());
        }
        for (out, spec) in &op.outputs {
            match contract_op.output(out) {
                None => sink.unknown(
                    &format!("output of `{name}`"),
                    out,
                    contract_op.output_names(),
                ),
                Some(field) => output_checks(&mut sink, out, spec, field.ty, &known),
            }
        }
        for required in contract_op.output_names() {
            if !op.outputs.keys().any(|k| k.as_str() == required) {
                sink.error(
                    name.loc,
                    format!("operation `{name}` does not map output `{required}`"),
                )
                .hint = Some(format!("add `outputs: {{ {required}: … }}`"));
            }
        }
        if let Some(p) = &op.paginate
            && !op
                .outputs
                .values()
                .any(|o| matches!(o.source, Source::List(_)))
        {
            sink.error(
                p.loc,
                format!(
                    "`paginate` needs a list output (`items:` and `item:`), and `{name}` maps none"
                ),
            );
        }
        if let Some(p) = &op.paginate
            && op
                .outputs
                .values()
                .any(|o| matches!(&o.source, Source::List(l) if l.csv.is_some()))
        {
            sink.error(
                p.loc,
                format!(
                    "`{name}` reads a CSV list, which comes in one response: `paginate` pages JSON"
                ),
            );
        }
    }
}

/// An output's template, and for a list of records, its item fields: each one a field of the
/// record, and every field of the record mapped.
fn output_checks(
    sink: &mut Sink,
    out: &Located<String>,
    spec: &Located<OutputSpec>,
    ty: OutputType,
    known: &HashSet<String>,
) {
    let mut with_item = known.clone();
    with_item.insert("item".to_string());
    let template_vars = |transform: &Option<Transform>, loc: Loc, sink: &mut Sink| {
        if let Some(Transform::Template(t)) = transform {
            check_template(sink, loc, t, &with_item);
        }
    };
    template_vars(&spec.transform, spec.loc, sink);
    let (Source::List(list), OutputType::Records(fields)) = (&spec.source, ty) else {
        return;
    };
    for (field, item) in list.item.iter() {
        template_vars(&item.transform, field.loc, sink);
        if !fields.iter().any(|f| f.name == field.as_str()) {
            let mut d =
                Diagnostic::unknown(sink.file, "field", field, fields.iter().map(|f| f.name));
            d.message = format!("{} in the items of `{out}`", d.message);
            sink.diags.push(d);
        }
    }
    for f in fields {
        if !list.item.keys().any(|k| k.as_str() == f.name) {
            sink.error(
                list.item.loc,
                format!(
                    "output `{out}` does not map field `{}` of its items",
                    f.name
                ),
            )
            .hint = Some(format!("add `{}: …` under `item:`", f.name));
        }
    }
}

/// Template variables of one request, each defined by then; a problem points at the text it
/// is in (a header, a query value, one string of the JSON body).
fn request_vars(sink: &mut Sink, r: &RequestSpec, known: &HashSet<String>) {
    for (text, loc) in r.texts() {
        check_template(sink, loc, text, known);
    }
}

fn part_checks(
    sink: &mut Sink,
    loc: Loc,
    parts: &[crate::model::request::Part],
    op: &ContractOp,
    known: &HashSet<String>,
) {
    for p in parts {
        match (&p.value, &p.file) {
            (Some(v), None) => check_template(sink, v.loc, v, known),
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

/// Whether a `kind: request` login's templates use `{{username}}` or `{{password}}`.
fn login_uses_credentials(scheme: &AuthScheme) -> bool {
    scheme
        .login
        .iter()
        .flat_map(|l| l.value.0.iter())
        .flat_map(|spec| spec.texts())
        .filter_map(|(text, _)| crate::model::template::variables(text).ok())
        .any(|vars| vars.contains("username") || vars.contains("password"))
}

/// A `kind: request` scheme's own rules: one header carries the token and names it, a refresh
/// has something to send back, and the login's requests use only the variables they have.
fn request_scheme_checks(sink: &mut Sink, name: &str, scheme: &Located<AuthScheme>) {
    if scheme.send.len() > 1 {
        sink.error(
            scheme.loc,
            format!("auth scheme `{name}`: `send` takes one header, the one carrying the token"),
        );
    }
    for (header, value) in &scheme.send {
        if scheme.token.is_none() {
            sink.error(
                value.loc,
                format!("auth scheme `{name}`: `send: {header}` needs the `token` it carries"),
            )
            .hint = Some("say where the login's answer holds it: `token: $.access_token`".into());
        } else if !crate::model::template::variables(value).is_ok_and(|v| v.contains("token")) {
            sink.error(
                value.loc,
                format!("auth scheme `{name}`: `send: {header}` does not use `{{{{token}}}}`"),
            );
        }
    }
    if let Some(r) = &scheme.refresh
        && scheme.refresh_token.is_none()
        && scheme.token.is_none()
    {
        sink.error(
            r.loc,
            format!("auth scheme `{name}`: `refresh` needs the login's `refresh_token` or `token` to send back"),
        );
    }
    let mut known: HashSet<String> = ["username", "password"].map(String::from).into();
    for spec in scheme.login.iter().flat_map(|l| l.value.0.iter()) {
        request_vars(sink, spec, &known);
        known.extend(spec.capture.keys().cloned());
    }
    if let Some(r) = &scheme.refresh {
        known.extend(["token", "refresh_token"].map(String::from));
        known.extend(scheme.capture.keys().cloned());
        request_vars(sink, &r.request, &known);
    }
}

/// The fields of `scheme` that its kind never reads: written, they would be silently dropped.
fn ignored_fields(scheme: &AuthScheme) -> Vec<&'static str> {
    let oauth2 = matches!(
        scheme.kind,
        AuthKind::Oauth2Password | AuthKind::Oauth2ClientCredentials
    );
    let form = scheme.kind == AuthKind::FormCookie;
    let request = scheme.kind == AuthKind::Request;
    let set = [
        ("token_url", scheme.token_url.is_some(), oauth2),
        ("client_id", scheme.client_id.is_some(), oauth2),
        ("client_secret", scheme.client_secret.is_some(), oauth2),
        ("scope", scheme.scope.is_some(), oauth2),
        ("path", scheme.path.is_some(), form),
        ("form", scheme.form.is_some(), form),
        ("json", scheme.json.is_some(), form),
        ("csrf", scheme.csrf.is_some(), form),
        (
            "session_cookie",
            scheme.session_cookie.is_some(),
            form || request,
        ),
        (
            "header",
            scheme.header.is_some(),
            scheme.kind == AuthKind::Bearer,
        ),
        (
            "capture",
            !scheme.capture.is_empty(),
            oauth2 || form || request,
        ),
        ("login", scheme.login.is_some(), request),
        ("token", scheme.token.is_some(), request),
        ("refresh_token", scheme.refresh_token.is_some(), request),
        ("expires_in", scheme.expires_in.is_some(), request),
        ("send", !scheme.send.is_empty(), request),
        ("refresh", scheme.refresh.is_some(), request),
    ];
    set.into_iter()
        .filter(|(_, written, read)| *written && !read)
        .map(|(name, _, _)| name)
        .collect()
}
