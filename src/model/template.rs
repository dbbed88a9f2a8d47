//! `{{ … }}` templates in paths, headers, queries and bodies (minijinja, strict undefined).
//!
//! A string that is exactly one `{{ expr }}` evaluates to the expression's value itself, so a
//! JSON body field `"{{attachment_ids}}"` becomes a list, not the text of one. Templates are
//! parsed once, when the inputs load, and rendered from the parsed form.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use minijinja::{Environment, Expression, Template, UndefinedBehavior};

use super::diag::shorten;
use serde_json::Value;

/// A template that could not be parsed or rendered.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct TemplateError(pub String);

/// The longest template source read, in bytes: a real one is a line.
pub const MAX_SOURCE: usize = 4096;

/// The longest text a template may render to, in bytes.
pub const MAX_OUTPUT: usize = 1024 * 1024;

/// Instructions one render may run: a loop over a huge range ends in an error, not a hang.
pub const FUEL: u64 = 100_000;

fn new_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_fuel(Some(FUEL));
    env
}

/// Checks a template's source before it is compiled. The compiler folds constants, so
/// `{{ 'a' * 100000000 }}` would allocate its 100 MB while the file is only being read: a
/// string may be repeated only by numbers written beside it, to [`MAX_OUTPUT`] bytes in all,
/// and the source is at most [`MAX_SOURCE`] bytes.
fn admit(s: &str) -> Result<(), TemplateError> {
    if s.len() > MAX_SOURCE {
        return Err(TemplateError(format!(
            "a template is at most {MAX_SOURCE} bytes; this one is {}",
            s.len()
        )));
    }
    if repeated_bytes(&tokens(s)).is_none_or(|n| n > MAX_OUTPUT) {
        return Err(TemplateError(format!(
            "template `{}`: a string may be repeated with `*` only by numbers written beside \
             it, to {MAX_OUTPUT} bytes in all",
            shorten(s)
        )));
    }
    Ok(())
}

/// A token of a template's expressions, as far as [`repeated_bytes`] needs to tell them apart.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    /// A string literal, and its length in bytes.
    Str(usize),
    /// An integer literal.
    Int(u64),
    Star,
    Open,
    Close,
    Other,
}

/// The tokens inside the `{{ … }}` and `{% … %}` blocks of a template.
fn tokens(s: &str) -> Vec<Token> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut inside = false;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        if !inside {
            inside = b == b'{' && matches!(next, Some(b'{' | b'%'));
            i += if inside { 2 } else { 1 };
            continue;
        }
        match b {
            b'}' | b'%' if next == Some(b'}') => {
                inside = false;
                i += 1;
            }
            b'\'' | b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                out.push(Token::Str(i.saturating_sub(start + 1)));
            }
            b'0'..=b'9' => {
                let start = i;
                while bytes
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
                {
                    i += 1;
                }
                let digits: String = s[start..=i].chars().filter(|c| *c != '_').collect();
                out.push(digits.parse().map_or(Token::Other, Token::Int));
            }
            b'*' if next == Some(b'*') => {
                out.push(Token::Other);
                i += 1;
            }
            b'*' => out.push(Token::Star),
            b'(' | b'[' | b'{' => out.push(Token::Open),
            b')' | b']' | b'}' => out.push(Token::Close),
            b if b.is_ascii_whitespace() => {}
            _ => out.push(Token::Other),
        }
        i += 1;
    }
    out
}

/// The bytes every product with a string in it repeats, added up; `None` when a string is
/// multiplied by anything but a number literal (a variable, a group, another string).
fn repeated_bytes(tokens: &[Token]) -> Option<usize> {
    // Each operand of a product: one token, or a bracketed group (its range of tokens).
    let operand_left = |end: usize| -> usize {
        let mut depth = 0usize;
        let mut at = end;
        loop {
            match tokens.get(at) {
                Some(Token::Close) => depth += 1,
                Some(Token::Open) => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth == 0 || at == 0 {
                return at;
            }
            at -= 1;
        }
    };
    let operand_right = |start: usize| -> usize {
        let mut depth = 0usize;
        let mut at = start;
        loop {
            match tokens.get(at) {
                Some(Token::Open) => depth += 1,
                Some(Token::Close) => depth = depth.saturating_sub(1),
                None => return at,
                _ => {}
            }
            if depth == 0 {
                return at;
            }
            at += 1;
        }
    };
    let mut total = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] != Token::Star {
            i += 1;
            continue;
        }
        // A chain `a * b * c`, from the operand before this star.
        let mut operands = vec![match i.checked_sub(1) {
            Some(end) => operand_left(end)..end + 1,
            None => i..i,
        }];
        let mut at = i;
        while tokens.get(at) == Some(&Token::Star) {
            let end = operand_right(at + 1);
            operands.push(at + 1..end + 1);
            at = end + 1;
        }
        i = at;
        let parts: Vec<&[Token]> = operands
            .iter()
            .map(|r| tokens.get(r.clone()).unwrap_or_default())
            .collect();
        if !parts
            .iter()
            .any(|p| p.iter().any(|t| matches!(t, Token::Str(_))))
        {
            continue;
        }
        let mut bytes = None;
        let mut times = 1usize;
        for part in parts {
            match part {
                [Token::Str(n)] if bytes.is_none() => bytes = Some(*n),
                [Token::Int(n)] => times = times.saturating_mul(usize::try_from(*n).ok()?),
                _ => return None,
            }
        }
        total = total.saturating_add(bytes?.saturating_mul(times));
    }
    Some(total)
}

/// Output of a render, refused past [`MAX_OUTPUT`].
#[derive(Default)]
struct Capped {
    out: Vec<u8>,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > MAX_OUTPUT {
            self.over = true;
            return Err(std::io::Error::other("template output over its limit"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn too_long(s: &str) -> TemplateError {
    TemplateError(format!(
        "template `{}` renders to more than {MAX_OUTPUT} bytes",
        shorten(s)
    ))
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
            "undefined variable in `{}` (uses {})",
            shorten(source),
            names.join(", ")
        ));
    }
    TemplateError(format!("template `{}`: {detail}", shorten(source)))
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
    admit(s)?;
    let mut out = Capped::default();
    let rendered = with_template(s, |t| t.render_captured_to(ctx, &mut out).map(|_| ()));
    if out.over {
        return Err(too_long(s));
    }
    rendered.map_err(|e| describe(&e, s))?;
    String::from_utf8(out.out).map_err(|_| {
        TemplateError(format!(
            "template `{}` renders text that is not UTF-8",
            shorten(s)
        ))
    })
}

/// Renders every string in a JSON value; a string that is one expression keeps its type.
pub fn render_value(v: &Value, ctx: &Value) -> Result<Value, TemplateError> {
    Ok(match v {
        Value::String(s) => match sole_expression(s) {
            Some(expr) => {
                admit(s)?;
                let compiled = expression(expr).map_err(|e| describe(&e, s))?;
                let out = compiled.eval(ctx).map_err(|e| describe(&e, s))?;
                if out.is_undefined() {
                    return Err(TemplateError(format!(
                        "undefined variable in `{}`",
                        shorten(s)
                    )));
                }
                if out.len().is_some_and(|n| n > MAX_OUTPUT) {
                    return Err(too_long(s));
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
    admit(s)?;
    with_template(s, |t| {
        Ok(t.undeclared_variables(false).into_iter().collect())
    })
    .map_err(|e| {
        TemplateError(format!(
            "template `{}`: {}",
            shorten(s),
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
    fn a_repeated_string_a_long_source_and_a_long_output_are_refused() {
        for bomb in [
            "{{ 'a' * 100000000 }}",
            "{{ 'a' * 1000 * 1000 * 100 }}",
            "{{ 'abc' * 1000000 }}",
            "{{ ('a' * 1000) * 1000 }}",
            "x{{ 3 * ('a' ~ 'b') }}",
            "{{ 'a' * n }}",
            "{{ 'a' * 'b' }}",
            "{% set x = ((\"a\")) * 9 %}{{ x }}",
            &"{{ 'a' * 100000 }}".repeat(11),
        ] {
            let err = variables(bomb).expect_err(bomb);
            assert!(err.0.contains("may be repeated"), "{err}");
        }
        for fine in [
            "{{ n * 2 }}",
            "{{ 2 ** 3 }}",
            "a * 'b' {{ x }}",
            "{{ (a * 2) ~ 'b' }}",
            "{{ 'ab' * 800 }}",
            "{{ 3 * 'ab' * 2 }}",
        ] {
            assert!(variables(fine).is_ok(), "{fine}");
        }
        let long = format!("{{{{ x }}}}{}", "y".repeat(MAX_SOURCE));
        assert!(variables(&long).is_err());
        let err = render(
            "{% for i in range(5000) %}{{ s }}{% endfor %}",
            &json!({"s": "x".repeat(1000)}),
        )
        .expect_err("over the output limit");
        assert!(err.0.contains("renders to more than"), "{err}");
        let err = render(
            "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}",
            &json!({}),
        )
        .expect_err("fuel");
        assert!(err.0.contains("fuel"), "{err}");
    }

    #[test]
    fn lists_variables_and_rejects_bad_syntax() {
        let vars = variables("{{a}}/{{actors.b.id}}").unwrap();
        assert_eq!(vars.into_iter().collect::<Vec<_>>(), vec!["a", "actors"]);
        assert!(variables("{{ a ").is_err());
    }
}
