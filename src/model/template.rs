//! `{{ … }}` templates in paths, headers, queries and bodies (minijinja, strict undefined).
//!
//! A string that is exactly one `{{ expr }}` evaluates to the expression's value itself, so a
//! JSON body field `"{{attachment_ids}}"` becomes a list, not the text of one.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

/// A template that could not be parsed or rendered.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        env
    })
}

fn describe(e: &minijinja::Error, source: &str) -> TemplateError {
    let detail = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    if e.kind() == minijinja::ErrorKind::UndefinedError {
        let names = variables(source).unwrap_or_default();
        let names: Vec<_> = names.into_iter().collect();
        return TemplateError(format!(
            "undefined variable in `{source}` (uses {})",
            names.join(", ")
        ));
    }
    TemplateError(format!("template `{source}`: {detail}"))
}

/// Whether the text contains template syntax at all.
pub fn is_template(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// The single expression of a string that is exactly `{{ expr }}`.
fn sole_expression(s: &str) -> Option<&str> {
    let inner = s.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then_some(inner.trim())
}

/// Renders a template to text.
pub fn render(s: &str, ctx: &Value) -> Result<String, TemplateError> {
    if !is_template(s) {
        return Ok(s.to_string());
    }
    env().render_str(s, ctx).map_err(|e| describe(&e, s))
}

/// Renders every string in a JSON value; a string that is one expression keeps its type.
pub fn render_value(v: &Value, ctx: &Value) -> Result<Value, TemplateError> {
    Ok(match v {
        Value::String(s) => match sole_expression(s) {
            Some(expr) => {
                let compiled = env()
                    .compile_expression(expr)
                    .map_err(|e| describe(&e, s))?;
                let out = compiled.eval(ctx).map_err(|e| describe(&e, s))?;
                if out.is_undefined() {
                    return Err(TemplateError(format!("undefined variable in `{s}`")));
                }
                serde_json::to_value(&out).map_err(|e| TemplateError(e.to_string()))?
            }
            None => Value::String(render(s, ctx)?),
        },
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| render_value(i, ctx))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_value(v, ctx)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// Top-level variable names a template uses; a syntax error is an error.
pub fn variables(s: &str) -> Result<BTreeSet<String>, TemplateError> {
    if !is_template(s) {
        return Ok(BTreeSet::new());
    }
    let tpl = env().template_from_str(s).map_err(|e| {
        TemplateError(format!(
            "template `{s}`: {}",
            e.detail().unwrap_or("syntax error")
        ))
    })?;
    Ok(tpl.undeclared_variables(false).into_iter().collect())
}

/// Variable names used by every string inside a JSON value.
pub fn value_variables(v: &Value) -> Result<BTreeSet<String>, TemplateError> {
    let mut out = BTreeSet::new();
    match v {
        Value::String(s) => out.extend(variables(s)?),
        Value::Array(items) => {
            for i in items {
                out.extend(value_variables(i)?);
            }
        }
        Value::Object(map) => {
            for v in map.values() {
                out.extend(value_variables(v)?);
            }
        }
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_text_and_keeps_types_of_sole_expressions() {
        let ctx = json!({"id": "m-1", "ids": ["a", "b"], "actors": {"clinician": {"id": "u-1"}}, "to": "clinician"});
        assert_eq!(render("/m/{{id}}", &ctx).unwrap(), "/m/m-1");
        let v = render_value(
            &json!({"files": "{{ids}}", "to": "{{actors[to].id}}"}),
            &ctx,
        )
        .unwrap();
        assert_eq!(v, json!({"files": ["a", "b"], "to": "u-1"}));
    }

    #[test]
    fn undefined_variables_are_errors_that_name_them() {
        let err = render("/m/{{nope}}", &json!({})).unwrap_err();
        assert!(err.0.contains("nope"), "{err}");
        assert!(render_value(&json!("{{nope}}"), &json!({})).is_err());
    }

    #[test]
    fn lists_variables_and_rejects_bad_syntax() {
        let vars = variables("{{a}}/{{actors.b.id}}").unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), vec!["a", "actors"]);
        assert!(variables("{{ a ").is_err());
    }
}
