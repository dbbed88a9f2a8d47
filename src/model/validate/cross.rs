//! Suites against a target (actors, mapped operations) and requirement references from
//! profiles and attestations against the catalogue.

use std::collections::HashSet;
use std::sync::Arc;

use super::Sink;
use crate::model::contract;
use crate::model::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::model::located::Located;
use crate::model::standard::Catalogue;
use crate::model::suite::{Check, StepKind};
use crate::model::target::TargetProfile;
use crate::model::template;

/// Cross-checks suites with a target: actors named by steps, operations the suites call.
pub fn suites_against_target(
    checks: &[Arc<Check>],
    profile: &TargetProfile,
    file: &Arc<SourceFile>,
    diags: &mut Diagnostics,
) {
    let actor_names: Vec<&str> = profile.actors.keys().map(|k| k.as_str()).collect();
    let pages = profile.pages.all();
    let page_names: Vec<&str> = pages.iter().map(|(n, _)| *n).collect();
    let lockout = profile.declared.lockout_actor.as_ref();
    let mut lockout_users: Vec<String> = Vec::new();
    let na: HashSet<&str> = profile.not_applicable.keys().map(|k| k.as_str()).collect();
    let mut missing_ops: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for c in checks {
        let check_na = c.requirements.iter().all(|r| na.contains(r.as_str()))
            || c.unmapped == crate::model::suite::Unmapped::Manual;
        let suite_file = c.source.as_ref().expect("loaded checks carry their source");
        let mut sink = Sink {
            file: suite_file,
            diags,
            actors: None,
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
            let mut uses: Vec<&str> = step.actor.iter().map(|a| a.as_str()).collect();
            if let StepKind::Probe { params, .. } = &step.kind {
                for a in params.named_actors() {
                    if a.as_str() != "anonymous" && !actor_names.contains(&a.as_str()) {
                        sink.unknown("actor", a, actor_names.iter().copied());
                    }
                    uses.push(a.as_str());
                }
                for page in params.pages() {
                    let named = pages.iter().find(|(n, _)| *n == page.as_str());
                    match named {
                        Some((_, p)) => uses.extend(p.actor.as_ref().map(|a| a.as_str())),
                        None if page.starts_with('/') || page.as_str() == "entry" => {}
                        None => sink.unknown("page", page, page_names.iter().copied()),
                    }
                }
                for page in params.optional_pages() {
                    let named = pages.iter().find(|(n, _)| *n == page.as_str());
                    match named {
                        Some((_, p)) => uses.extend(p.actor.as_ref().map(|a| a.as_str())),
                        None if page.starts_with('/')
                            || crate::model::target::Pages::KNOWN.contains(&page.as_str()) => {}
                        None => sink.unknown("page", page, page_names.iter().copied()),
                    }
                }
            }
            let inputs = match &step.kind {
                StepKind::Call { operation, inputs } => {
                    contract::operation(operation).map(|op| (op, inputs))
                }
                StepKind::Probe { .. } => None,
            };
            if let Some((op, inputs)) = inputs {
                uses.extend(
                    inputs
                        .iter()
                        .filter(|(k, _)| op.actor_inputs.contains(&k.as_str()))
                        .filter_map(|(_, v)| v.as_str()),
                );
            }
            if let Some(l) = lockout
                && uses.contains(&l.as_str())
            {
                let at = format!(
                    "{} ({}:{}:{})",
                    c.id.as_str(),
                    suite_file.path.display(),
                    step.loc.line,
                    step.loc.column
                );
                if !lockout_users
                    .iter()
                    .any(|u| u.starts_with(&format!("{} (", c.id.as_str())))
                {
                    lockout_users.push(at);
                }
            }
            for (op, (k, v)) in inputs
                .into_iter()
                .flat_map(|(op, inputs)| inputs.iter().map(move |kv| (op, kv)))
            {
                let is_actor_input = op.actor_inputs.contains(&k.as_str());
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
            for op in step.required_operations().into_iter().map(|o| o.as_str()) {
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
    if let (Some(l), false) = (lockout, lockout_users.is_empty()) {
        diags.push(
            Diagnostic::new(
                file,
                l.loc,
                format!(
                    "`declared.lockout_actor` is `{}`, whom other checks use: {}",
                    l.value,
                    lockout_users.join(", ")
                ),
            )
            .hint(
                "the lockout probe locks that account; name an actor of its own that no check uses",
            ),
        );
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
    let mut sink = Sink {
        file,
        diags,
        actors: None,
    };
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
