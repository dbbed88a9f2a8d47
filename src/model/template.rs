//! `{{ … }}` templates in paths, headers, queries and bodies (minijinja, strict undefined).
//!
//! A string that is exactly one `{{ expr }}` evaluates to the expression's value itself, so a
//! JSON body field `"{{attachment_ids}}"` becomes a list, not the text of one. Templates are
//! parsed once, when the inputs load, and rendered from the parsed form.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use minijinja::{Environment, Expression, Template, UndefinedBehavior};
use serde_json::Value;

/// A template that could not be parsed or rendered.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

fn new_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(new_env)
}

/// How many distinct templates and expressions are kept parsed. Every template of the inputs is
/// parsed when they load (validation lists its variables) and kept; text that was never an
/// input cannot grow the store past this, it is then parsed where it is used.
const MAX_KEPT: usize = 20_000;

static KEPT: AtomicUsize = AtomicUsize::new(0);

/// Templates parsed once, named by their own source.
fn templates() -> &'static RwLock<Environment<'static>> {
    static TEMPLATES: OnceLock<RwLock<Environment<'static>>> = OnceLock::new();
    TEMPLATES.get_or_init(|| RwLock::new(new_env()))
}

/// Sole expressions (`{{ ids }}`) compiled once.
fn expressions() -> &'static RwLock<HashMap<String, Arc<Expression<'static, 'static>>>> {
    static EXPRESSIONS: OnceLock<RwLock<HashMap<String, Arc<Expression<'static, 'static>>>>> =
        OnceLock::new();
    EXPRESSIONS.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Whether one more template or expression may be kept.
fn may_keep() -> bool {
    KEPT.fetch_add(1, Ordering::Relaxed) < MAX_KEPT
}

/// Runs `f` on the parsed template `s`, parsing and keeping it on first use.
fn with_template<R>(
    s: &str,
    f: impl FnOnce(&Template<'_, '_>) -> Result<R, minijinja::Error>,
) -> Result<R, minijinja::Error> {
    let store = templates();
    {
        let env = store.read().unwrap_or_else(|e| e.into_inner());
        if let Ok(t) = env.get_template(s) {
            return f(&t);
        }
    }
    if !may_keep() {
        return f(&env().template_from_str(s)?);
    }
    store
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .add_template_owned(s.to_string(), s.to_string())?;
    let env = store.read().unwrap_or_else(|e| e.into_inner());
    f(&env.get_template(s)?)
}

/// The compiled sole expression `expr`, compiled and kept on first use.
fn expression(expr: &str) -> Result<Arc<Expression<'static, 'static>>, minijinja::Error> {
    let store = expressions();
    if let Some(e) = store.read().unwrap_or_else(|e| e.into_inner()).get(expr) {
        return Ok(Arc::clone(e));
    }
    let compiled = Arc::new(env().compile_expression_owned(expr.to_string())?);
    if may_keep() {
        store
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(expr.to_string(), Arc::clone(&compiled));
    }
    Ok(compiled)
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
    with_template(s, |t| t.render(ctx)).map_err(|e| describe(&e, s))
}

/// Renders every string in a JSON value; a string that is one expression keeps its type.
pub fn render_value(v: &Value, ctx: &Value) -> Result<Value, TemplateError> {
    Ok(match v {
        Value::String(s) => match sole_expression(s) {
            Some(expr) => {
                let compiled = expression(expr).map_err(|e| describe(&e, s))?;
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
    with_template(s, |t| {
        Ok(t.undeclared_variables(false).into_iter().collect())
    })
    .map_err(|e| {
        TemplateError(format!(
            "template `{s}`: {}",
            e.detail().unwrap_or("syntax error")
        ))
    })
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
    fn a_template_read_at_load_is_kept_parsed_for_its_renders() {
        let source = "/kept/{{ kept_id }}";
        assert!(variables(source).is_ok());
        let kept = templates()
            .read()
            .map(|env| env.get_template(source).is_ok());
        assert_eq!(kept.ok(), Some(true));
        assert_eq!(render(source, &json!({"kept_id": 7})).unwrap(), "/kept/7");
        assert!(variables("{{ a ").is_err(), "a bad one is not kept");
    }

    #[test]
    fn lists_variables_and_rejects_bad_syntax() {
        let vars = variables("{{a}}/{{actors.b.id}}").unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), vec!["a", "actors"]);
        assert!(variables("{{ a ").is_err());
    }
}
