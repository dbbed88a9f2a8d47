//! Actor attributes in templates (`{{actors.clinician.id}}`, `{{actors[to].id}}`) checked against
//! what the profile gives each actor, so a typo is a load error with the attributes that exist.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use indexmap::IndexMap;
use regex::Regex;

use super::{Sink, expressions, name_in_template};
use crate::model::diag::suggest;
use crate::model::target::TargetProfile;
use crate::model::yaml::Loc;

/// The attributes each actor of a profile has in templates.
#[derive(Debug, Default)]
pub struct ActorAttributes(IndexMap<String, BTreeSet<String>>);

impl ActorAttributes {
    /// What `actors.<name>` holds while a run goes: the actor's `vars`, its `username`, what its
    /// login captures (the scheme's and its own `capture:`), and always `name` and `canaries`.
    /// These are the attributes the login and the engine's template globals put there.
    pub fn of(profile: &TargetProfile) -> ActorAttributes {
        let mut all = IndexMap::new();
        for (name, actor) in &profile.actors {
            let mut attrs: BTreeSet<String> = actor.vars.keys().cloned().collect();
            if actor.username.is_some() {
                attrs.insert("username".to_string());
            }
            if let Some(scheme) = profile.auth.get(actor.auth.as_str()) {
                attrs.extend(scheme.capture.keys().cloned());
            }
            attrs.extend(actor.capture.keys().cloned());
            attrs.extend(["name".to_string(), "canaries".to_string()]);
            all.insert(name.value.clone(), attrs);
        }
        ActorAttributes(all)
    }
}

/// One `actors…` reference in a template.
#[derive(Debug, PartialEq, Eq)]
struct ActorRef {
    actor: Who,
    attribute: String,
}

/// How a reference names its actor.
#[derive(Debug, PartialEq, Eq)]
enum Who {
    /// `actors.clinician`, `actors['clinician']`.
    Named(String),
    /// `actors[to]`: the actor a variable holds, known only when the template runs.
    Variable(String),
}

/// `actors.NAME.ATTR`, `actors['NAME'].ATTR`, `actors[var].ATTR` (and `['ATTR']`), not preceded
/// by a name or a dot (`other.actors` is something else).
fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:^|[^\w.])actors\s*(?:\.\s*(\w+)|\[\s*(?:'([^']*)'|"([^"]*)"|([A-Za-z_]\w*))\s*\])\s*(?:\.\s*(\w+)|\[\s*(?:'([^']*)'|"([^"]*)")\s*\])"#,
        )
        .expect("a valid pattern")
    })
}

/// The actor references inside the `{{ … }}` and `{% … %}` of a template.
fn references(template: &str) -> Vec<ActorRef> {
    let mut out = Vec::new();
    for (_, inner) in expressions(template) {
        for c in pattern().captures_iter(inner) {
            let text = |i: usize| c.get(i).map(|m| m.as_str().to_string());
            let attribute = text(5).or_else(|| text(6)).or_else(|| text(7));
            let named = text(1).or_else(|| text(2)).or_else(|| text(3));
            let actor = match (named, text(4)) {
                (Some(name), _) => Who::Named(name),
                (None, Some(var)) => Who::Variable(var),
                (None, None) => continue,
            };
            if let Some(attribute) = attribute {
                out.push(ActorRef { actor, attribute });
            }
        }
    }
    out
}

/// Reports every attribute a template asks of an actor that the actor does not have; for an
/// actor named by a variable, an attribute no actor has.
pub(super) fn check(sink: &mut Sink, loc: Loc, template: &str, attrs: &ActorAttributes) {
    for r in references(template) {
        let at = name_in_template(&sink.file.text, loc, &r.attribute);
        match &r.actor {
            Who::Named(actor) => {
                let Some(has) = attrs.0.get(actor) else {
                    let at = name_in_template(&sink.file.text, loc, actor);
                    let name = crate::model::Located {
                        value: actor.clone(),
                        loc: at,
                    };
                    sink.unknown("actor", &name, attrs.0.keys().map(String::as_str));
                    continue;
                };
                if has.contains(&r.attribute) {
                    continue;
                }
                let list: Vec<&str> = has.iter().map(String::as_str).collect();
                let d = sink.error(
                    at,
                    format!(
                        "actor `{actor}` has no attribute `{}`; its attributes: {}",
                        r.attribute,
                        list.join(", ")
                    ),
                );
                d.hint = Some(match likely(&r.attribute, &list) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "add `vars: {{ {0}: … }}` or `capture: {{ {0}: … }}` to actor `{actor}` in the profile",
                        r.attribute
                    ),
                });
            }
            Who::Variable(var) => {
                let all: BTreeSet<&str> = attrs.0.values().flatten().map(String::as_str).collect();
                if all.is_empty() || all.contains(r.attribute.as_str()) {
                    continue;
                }
                let list: Vec<&str> = all.iter().copied().collect();
                let d = sink.error(
                    at,
                    format!(
                        "no actor has attribute `{}` (asked of `actors[{var}]`); the actors' attributes: {}",
                        r.attribute,
                        list.join(", ")
                    ),
                );
                if let Some(s) = likely(&r.attribute, &list) {
                    d.hint = Some(format!("did you mean `{s}`?"));
                }
            }
        }
    }
}

/// The attribute `word` was likely meant to be: a close match, or else one a single edit away
/// (names as short as `uid` for `id` are too short for the similarity measure alone).
fn likely<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    suggest(word, candidates.iter().copied()).or_else(|| {
        candidates
            .iter()
            .copied()
            .find(|c| strsim::levenshtein(word, c) == 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(actor: &str, attribute: &str) -> ActorRef {
        ActorRef {
            actor: Who::Named(actor.to_string()),
            attribute: attribute.to_string(),
        }
    }

    #[test]
    fn finds_actor_references_in_every_written_form() {
        assert_eq!(
            references(
                "/u/{{ actors.clinician.id }}/{{actors[to].uid}}?x={{ actors['patient_a'][\"username\"] }}"
            ),
            vec![
                named("clinician", "id"),
                ActorRef {
                    actor: Who::Variable("to".to_string()),
                    attribute: "uid".to_string(),
                },
                named("patient_a", "username"),
            ]
        );
        assert!(references("actors.clinician.id outside a template").is_empty());
        assert!(references("{{ other.actors.x.id }} {{ my_actors.x.id }}").is_empty());
        assert_eq!(
            references("{% if actors.patient_b.canaries %}x{% endif %}"),
            vec![named("patient_b", "canaries")]
        );
    }

    #[test]
    fn short_names_one_edit_away_are_suggested() {
        let attrs = ["canaries", "id", "name", "username"];
        assert_eq!(likely("uid", &attrs), Some("id"));
        assert_eq!(likely("usernme", &attrs), Some("username"));
        assert_eq!(likely("email", &attrs), None);
    }
}
